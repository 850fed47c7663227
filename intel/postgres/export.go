package postgres

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
)

// SystemRefPrefix begins the reference export gives a record stored
// without an ext_ref (one made through the API): "cm:place:12". Import
// stores it as the record's ext_ref, so a restored database exports the
// same bytes again.
const SystemRefPrefix = "cm:"

// refSQL is a record's key in an export: its ext_ref, else cm:TYPE:ID.
func refSQL(alias, typ string) string {
	return fmt.Sprintf(`coalesce(%[1]s.ext_ref, '%[2]s%[3]s:' || %[1]s.id)`, alias, SystemRefPrefix, typ)
}

// nodeRefSQL is how export names any node: a person by pseudonym, anything
// else by its key.
const nodeRefSQL = `CASE n.type
	WHEN 'person' THEN '` + ingest.PseudonymPrefix + `' || (SELECT p.pseudonym FROM people p WHERE p.id = n.id)
	WHEN 'place' THEN (SELECT coalesce(x.ext_ref, 'cm:place:' || x.id) FROM places x WHERE x.id = n.id)
	WHEN 'group' THEN (SELECT coalesce(x.ext_ref, 'cm:group:' || x.id) FROM peer_groups x WHERE x.id = n.id)
	WHEN 'space' THEN (SELECT coalesce(x.ext_ref, 'cm:space:' || x.id) FROM online_spaces x WHERE x.id = n.id)
	END`

// Export writes every record of the given types (all when empty) through
// emit as import records, in import order and sorted by key, so two
// databases holding the same records export the same bytes. It is the
// backup and migration path: importing the result into an empty database
// with the same districts and CONTEXTMAP_REF_KEY restores the same records
// (people keep their case references' keyed hashes). Timestamps of
// creation and change are not exported.
func (db *DB) Export(ctx context.Context, types []string, emit func(rec any) error) error {
	for _, t := range types {
		if !slices.Contains(ingest.Types, t) {
			return intel.Invalid("types", "must be some of "+strings.Join(ingest.Types, ", "))
		}
	}
	return pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		for _, t := range ingest.Types {
			if len(types) > 0 && !slices.Contains(types, t) {
				continue
			}
			var err error
			switch t {
			case ingest.TypePlace:
				err = exportPlaces(ctx, tx, emit)
			case ingest.TypeGroup:
				err = exportGroups(ctx, tx, emit)
			case ingest.TypeSpace:
				err = exportSpaces(ctx, tx, emit)
			case ingest.TypePerson:
				err = exportPeople(ctx, tx, emit)
			case ingest.TypeAssessment:
				err = exportAssessments(ctx, tx, emit)
			case ingest.TypeLink:
				err = exportLinks(ctx, tx, emit)
			case ingest.TypeEvent:
				err = exportEvents(ctx, tx, emit)
			}
			if err != nil {
				return fmt.Errorf("export %s: %w", t, err)
			}
		}
		return nil
	})
}

// each runs q and calls fn for every row, streaming.
func each(ctx context.Context, tx pgx.Tx, q string, fn func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// pointJSON writes a point with the shortest decimals that read back to the
// same float64, so a point survives any number of round trips exactly.
func pointJSON(lon, lat float64) json.RawMessage {
	return json.RawMessage(`{"type":"Point","coordinates":[` + strconv.FormatFloat(lon, 'g', -1, 64) + `,` +
		strconv.FormatFloat(lat, 'g', -1, 64) + `]}`)
}

func datePtr(t *time.Time) *intel.Date {
	if t == nil {
		return nil
	}
	return &intel.Date{Time: t.UTC()}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func exportPlaces(ctx context.Context, tx pgx.Tx, emit func(any) error) error {
	return each(ctx, tx, `SELECT `+refSQL("x", "place")+` AS k, name, kind, sensitive, urn, district,
		GeometryType(geom) = 'POINT', ST_X(pt), ST_Y(pt), ST_AsGeoJSON(geom, 15)
		FROM places x ORDER BY k`, func(r pgx.Rows) error {
		var p ingest.Place
		var isPoint bool
		var lon, lat float64
		var gj string
		if err := r.Scan(&p.ExtRef, &p.Name, &p.Kind, &p.Sensitive, &p.URN, &p.District, &isPoint, &lon, &lat, &gj); err != nil {
			return err
		}
		p.Type = ingest.TypePlace
		if isPoint {
			p.Geometry = pointJSON(lon, lat)
		} else {
			p.Geometry = json.RawMessage(gj)
		}
		return emit(&p)
	})
}

func exportGroups(ctx context.Context, tx pgx.Tx, emit func(any) error) error {
	return each(ctx, tx, `SELECT `+refSQL("x", "group")+` AS k, name, description, district FROM peer_groups x ORDER BY k`,
		func(r pgx.Rows) error {
			g := ingest.Group{Type: ingest.TypeGroup}
			if err := r.Scan(&g.ExtRef, &g.Name, &g.Description, &g.District); err != nil {
				return err
			}
			return emit(&g)
		})
}

func exportSpaces(ctx context.Context, tx pgx.Tx, emit func(any) error) error {
	return each(ctx, tx, `SELECT `+refSQL("x", "space")+` AS k, name, platform, space_kind, district FROM online_spaces x ORDER BY k`,
		func(r pgx.Rows) error {
			s := ingest.Space{Type: ingest.TypeSpace}
			if err := r.Scan(&s.ExtRef, &s.Name, &s.Platform, &s.Kind, &s.District); err != nil {
				return err
			}
			return emit(&s)
		})
}

func exportPeople(ctx context.Context, tx pgx.Tx, emit func(any) error) error {
	return each(ctx, tx, `SELECT p.pseudonym, p.ref_hash, p.kind, p.age_band, p.district,
		(SELECT coalesce(json_agg(json_build_object('status', s.status, 'from', s.valid_from, 'to', s.valid_to)
		   ORDER BY s.valid_from), '[]') FROM person_statuses s WHERE s.person_id = p.id),
		(SELECT coalesce(json_agg(json_build_object('category', c.category, 'from', c.valid_from, 'to', c.valid_to)
		   ORDER BY c.valid_from), '[]') FROM person_categories c WHERE c.person_id = p.id)
		FROM people p ORDER BY p.pseudonym`, func(r pgx.Rows) error {
		p := ingest.Person{Type: ingest.TypePerson}
		var hash, st, ca []byte
		if err := r.Scan(&p.Pseudonym, &hash, &p.Kind, &p.AgeBand, &p.District, &st, &ca); err != nil {
			return err
		}
		if hash != nil {
			h := hex.EncodeToString(hash)
			p.CaseRefHash = &h
		}
		var sts []intel.StatusPeriod
		var cas []intel.CategoryPeriod
		if err := json.Unmarshal(st, &sts); err != nil {
			return err
		}
		if err := json.Unmarshal(ca, &cas); err != nil {
			return err
		}
		p.Statuses, p.Categories = &sts, &cas
		return emit(&p)
	})
}

func exportAssessments(ctx context.Context, tx pgx.Tx, emit func(any) error) error {
	return each(ctx, tx, `SELECT `+refSQL("a", "assessment")+` AS k, '`+ingest.PseudonymPrefix+`' || p.pseudonym, a.kind,
		a.completed_on, a.risk_level, a.next_review, a.agency
		FROM assessments a JOIN people p ON p.id = a.person_id ORDER BY k`, func(r pgx.Rows) error {
		a := ingest.Assessment{Type: ingest.TypeAssessment}
		var ref string
		var done time.Time
		var next *time.Time
		if err := r.Scan(&ref, &a.Person, &a.Kind, &done, &a.RiskLevel, &next, &a.Agency); err != nil {
			return err
		}
		a.ExtRef = &ref
		a.CompletedOn = datePtr(&done)
		a.NextReview = datePtr(next)
		return emit(&a)
	})
}

func exportLinks(ctx context.Context, tx pgx.Tx, emit func(any) error) error {
	return each(ctx, tx, `SELECT `+refSQL("l", "link")+` AS k, l.kind,
		sn.type, (SELECT `+nodeRefSQL+` FROM nodes n WHERE n.id = l.source_id),
		tn.type, (SELECT `+nodeRefSQL+` FROM nodes n WHERE n.id = l.target_id),
		l.source_eval || l.intel_assessment || l.handling, l.legacy_grade, l.confirmed, l.source_agency,
		l.first_seen, l.last_seen, l.review_date, l.nature, l.strength, l.recorded_by
		FROM links l JOIN nodes sn ON sn.id = l.source_id JOIN nodes tn ON tn.id = l.target_id ORDER BY k`,
		func(r pgx.Rows) error {
			l := ingest.Link{Type: ingest.TypeLink}
			var grade, by string
			var first, last, review time.Time
			if err := r.Scan(&l.ExtRef, &l.Kind, &l.SourceType, &l.SourceRef, &l.TargetType, &l.TargetRef, &grade,
				&l.LegacyGrade, &l.Confirmed, &l.SourceAgency, &first, &last, &review, &l.Nature, &l.Strength, &by); err != nil {
				return err
			}
			l.Grade, l.RecordedBy = &grade, &by
			l.FirstSeen, l.LastSeen, l.ReviewDate = datePtr(&first), datePtr(&last), datePtr(&review)
			return emit(&l)
		})
}

func exportEvents(ctx context.Context, tx pgx.Tx, emit func(any) error) error {
	return each(ctx, tx, `SELECT `+refSQL("e", "event")+` AS k, e.kind, e.starts_at, e.ends_at,
		(SELECT `+refSQL("x", "place")+` FROM places x WHERE x.id = e.place_id), ST_X(e.geom), ST_Y(e.geom),
		e.category, e.severity, e.source_eval || e.intel_assessment || e.handling, e.legacy_grade, e.confirmed,
		e.source_agency, e.review_date,
		ARRAY(SELECT '`+ingest.PseudonymPrefix+`' || p.pseudonym FROM event_people ep JOIN people p ON p.id = ep.person_id
		      WHERE ep.event_id = e.id ORDER BY p.pseudonym),
		ARRAY(SELECT `+refSQL("g", "group")+` AS gk FROM event_groups eg JOIN peer_groups g ON g.id = eg.group_id
		      WHERE eg.event_id = e.id ORDER BY gk),
		(SELECT `+refSQL("x", "place")+` FROM places x WHERE x.id = e.found_place_id), e.found_at, e.rhi_at,
		e.crime_type, e.layer
		FROM events e ORDER BY k`, func(r pgx.Rows) error {
		e := ingest.Event{Type: ingest.TypeEvent}
		var from, to time.Time
		var lon, lat float64
		var grade, layer string
		var sev int16
		var review *time.Time
		if err := r.Scan(&e.ExtRef, &e.Kind, &from, &to, &e.Place, &lon, &lat, &e.Category, &sev, &grade, &e.LegacyGrade,
			&e.Confirmed, &e.SourceAgency, &review, &e.People, &e.Groups, &e.FoundPlace, &e.FoundAt, &e.RHIAt,
			&e.CrimeType, &layer); err != nil {
			return err
		}
		e.From, e.To = utcPtr(&from), utcPtr(&to)
		e.FoundAt, e.RHIAt = utcPtr(e.FoundAt), utcPtr(e.RHIAt)
		e.Geometry = pointJSON(lon, lat)
		e.Severity, e.Grade, e.Layer = &sev, &grade, &layer
		e.ReviewDate = datePtr(review)
		return emit(&e)
	})
}

// ExportedPeople lists the people an export of these types (all when
// empty) discloses, for its audit record.
func (db *DB) ExportedPeople(ctx context.Context, types []string) ([]int64, error) {
	personal := len(types) == 0
	for _, t := range types {
		switch t {
		case ingest.TypePerson, ingest.TypeAssessment, ingest.TypeLink, ingest.TypeEvent:
			personal = true
		}
	}
	if !personal {
		return nil, nil
	}
	rows, err := db.Pool.Query(ctx, `SELECT id FROM people ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "people")
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
