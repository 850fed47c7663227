package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// recordedBy is who the demo's links say recorded them.
const recordedBy = "demo data (synthetic)"

// write stores the world in one transaction: node ids are reserved from the
// database's sequence first, so rows can refer to each other and be
// written in bulk, table by table.
func (w *world) write(ctx context.Context, tx pgx.Tx, refHash func(string) []byte) error {
	var nodes []*node
	for _, p := range w.places {
		nodes = append(nodes, &p.node)
	}
	for _, g := range w.groups {
		nodes = append(nodes, &g.node)
	}
	for _, s := range w.spaces {
		nodes = append(nodes, &s.node)
	}
	for _, p := range w.people {
		nodes = append(nodes, &p.node)
	}
	ids, err := reserve(ctx, tx, "node_id_seq", len(nodes))
	if err != nil {
		return err
	}
	for i, n := range nodes {
		n.id = ids[i]
	}
	evIDs, err := reserve(ctx, tx, "events", len(w.events))
	if err != nil {
		return err
	}
	for i, e := range w.events {
		e.id = evIDs[i]
	}
	steps := []struct {
		what string
		fn   func(context.Context, pgx.Tx) error
	}{
		{"places", w.writePlaces},
		{"peer groups", w.writeGroups},
		{"online spaces", w.writeSpaces},
		{"people", func(ctx context.Context, tx pgx.Tx) error { return w.writePeople(ctx, tx, refHash) }},
		{"histories", w.writeHistories},
		{"events", w.writeEvents},
		{"links", w.writeLinks},
	}
	for _, s := range steps {
		if err := s.fn(ctx, tx); err != nil {
			return fmt.Errorf("write %s: %w", s.what, err)
		}
	}
	return nil
}

// reserve takes n values from a sequence (or a table's serial column).
func reserve(ctx context.Context, tx pgx.Tx, seqOrTable string, n int) ([]int64, error) {
	seq := seqOrTable
	if seqOrTable == "events" {
		if err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence('events', 'id')`).Scan(&seq); err != nil {
			return nil, fmt.Errorf("find the events sequence: %w", err)
		}
	}
	rows, err := tx.Query(ctx, `SELECT nextval($1::regclass) FROM generate_series(1, $2)`, seq, n)
	if err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

func (w *world) writePlaces(ctx context.Context, tx pgx.Tx) error {
	n := len(w.places)
	ids, sens := make([]int64, n), make([]bool, n)
	names, kinds, wkts, refs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	urns := make([]*string, n)
	created := make([]time.Time, n)
	for i, p := range w.places {
		ids[i], names[i], kinds[i], sens[i], wkts[i], refs[i], created[i] = p.id, p.name, p.kind, p.sensitive, p.wkt(), p.extRef, p.created
		if p.urn != "" {
			urns[i] = &p.urn
		}
	}
	// The trigger derives pt, x, y and the district (by containment, or the
	// nearest district within 100 m for coastal points).
	_, err := tx.Exec(ctx, `INSERT INTO places (id, name, kind, sensitive, urn, geom, ext_ref, created_at, updated_at)
		SELECT id, name, kind, sensitive, urn, ST_GeomFromText(wkt, 4326), ext_ref, created, created
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
		  AS t(id, name, kind, sensitive, urn, wkt, ext_ref, created)`,
		ids, names, kinds, sens, urns, wkts, refs, created)
	return err
}

func (w *world) writeGroups(ctx context.Context, tx pgx.Tx) error {
	rows := make([][]any, len(w.groups))
	for i, g := range w.groups {
		rows[i] = []any{g.id, g.name, g.description, g.district, g.extRef, g.created, g.created}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"peer_groups"},
		[]string{"id", "name", "description", "district", "ext_ref", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	return err
}

func (w *world) writeSpaces(ctx context.Context, tx pgx.Tx) error {
	rows := make([][]any, len(w.spaces))
	for i, s := range w.spaces {
		rows[i] = []any{s.id, s.name, s.platform, s.kind, s.district, s.extRef, s.created, s.created}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"online_spaces"},
		[]string{"id", "name", "platform", "space_kind", "district", "ext_ref", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	return err
}

func (w *world) writePeople(ctx context.Context, tx pgx.Tx, refHash func(string) []byte) error {
	rows := make([][]any, len(w.people))
	for i, p := range w.people {
		var ref []byte
		if p.caseRef != "" {
			ref = refHash(p.caseRef)
		}
		rows[i] = []any{p.id, p.kind, p.pseudonym, ref, p.ageBand, nullString(p.district), p.created, p.updated}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"people"},
		[]string{"id", "kind", "pseudonym", "ref_hash", "age_band", "district", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	return err
}

func (w *world) writeHistories(ctx context.Context, tx pgx.Tx) error {
	var statuses, categories, assessments [][]any
	for _, p := range w.people {
		for _, s := range p.statuses {
			statuses = append(statuses, []any{p.id, s.code, s.from, nullTime(s.to)})
		}
		for _, c := range p.categories {
			categories = append(categories, []any{p.id, c.code, c.from, nullTime(c.to)})
		}
		for _, a := range p.assessments {
			t := at(a.on, 11, 0)
			assessments = append(assessments, []any{p.id, "cerar", a.on, a.risk, a.next, a.agency, t, t})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"person_statuses"}, []string{"person_id", "status", "valid_from", "valid_to"},
		pgx.CopyFromRows(statuses)); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"person_categories"}, []string{"person_id", "category", "valid_from", "valid_to"},
		pgx.CopyFromRows(categories)); err != nil {
		return err
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"assessments"},
		[]string{"person_id", "kind", "completed_on", "risk_level", "next_review", "agency", "created_at", "updated_at"},
		pgx.CopyFromRows(assessments))
	return err
}

func (w *world) writeEvents(ctx context.Context, tx pgx.Tx) error {
	n := len(w.events)
	var (
		ids                            = make([]int64, n)
		kinds, grades, agencies, refs  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		starts, ends, created, updated = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
		placeIDs, foundIDs             = make([]*int64, n), make([]*int64, n)
		lons, lats                     = make([]float64, n), make([]float64, n)
		categories, crimeTypes         = make([]*string, n), make([]*string, n)
		severities                     = make([]int16, n)
		confirmed                      = make([]bool, n)
		reviews, foundAts, rhiAts      = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
		people, groups                 [][]any
	)
	for i, e := range w.events {
		ids[i], kinds[i], grades[i], agencies[i], refs[i] = e.id, e.kind, e.grade, e.agency, e.extRef
		starts[i], ends[i], created[i], updated[i] = e.start, e.end, e.created, e.updated
		lons[i], lats[i], severities[i], confirmed[i] = e.lon, e.lat, e.severity, e.confirmed
		if e.place != nil {
			placeIDs[i] = &e.place.id
		}
		if e.foundPlace != nil {
			foundIDs[i] = &e.foundPlace.id
		}
		categories[i], crimeTypes[i] = nullStringPtr(e.category), nullStringPtr(e.crimeType)
		reviews[i], foundAts[i], rhiAts[i] = nullTimePtr(e.review), nullTimePtr(e.foundAt), nullTimePtr(e.rhiAt)
		for _, p := range e.people {
			people = append(people, []any{e.id, p.id})
		}
		for _, g := range e.groups {
			groups = append(groups, []any{e.id, g.id})
		}
	}
	// The trigger derives x, y and the district.
	_, err := tx.Exec(ctx, `INSERT INTO events (id, kind, starts_at, ends_at, place_id, geom, category, severity,
			source_eval, intel_assessment, handling, confirmed, source_agency, review_date, found_place_id, found_at,
			rhi_at, crime_type, ext_ref, created_at, updated_at)
		SELECT id, kind, s, e, place_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326), category, severity,
			substr(grade, 1, 1), substr(grade, 2, 1), substr(grade, 3, 1), confirmed, agency, review, found_place_id,
			found_at, rhi_at, crime_type, ext_ref, created, updated
		FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bigint[], $6::float8[],
			$7::float8[], $8::text[], $9::smallint[], $10::text[], $11::boolean[], $12::text[], $13::date[],
			$14::bigint[], $15::timestamptz[], $16::timestamptz[], $17::text[], $18::text[], $19::timestamptz[],
			$20::timestamptz[])
		  AS t(id, kind, s, e, place_id, lon, lat, category, severity, grade, confirmed, agency, review,
			found_place_id, found_at, rhi_at, crime_type, ext_ref, created, updated)`,
		ids, kinds, starts, ends, placeIDs, lons, lats, categories, severities, grades, confirmed, agencies, reviews,
		foundIDs, foundAts, rhiAts, crimeTypes, refs, created, updated)
	if err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"event_people"}, []string{"event_id", "person_id"}, pgx.CopyFromRows(people)); err != nil {
		return err
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"event_groups"}, []string{"event_id", "group_id"}, pgx.CopyFromRows(groups))
	return err
}

func (w *world) writeLinks(ctx context.Context, tx pgx.Tx) error {
	rows := make([][]any, len(w.links))
	for i, l := range w.links {
		var strength any
		if l.strength > 0 {
			strength = l.strength
		}
		rows[i] = []any{l.kind, l.src.id, l.dst.id, l.grade[0:1], l.grade[1:2], l.grade[2:3], l.confirmed, l.agency,
			l.first, l.last, l.review, nullString(l.nature), strength, recordedBy, fmt.Sprintf("demo-link-%d", i+1),
			l.created, l.updated}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"links"}, []string{"kind", "source_id", "target_id", "source_eval",
		"intel_assessment", "handling", "confirmed", "source_agency", "first_seen", "last_seen", "review_date", "nature",
		"strength", "recorded_by", "ext_ref", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullStringPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullTimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
