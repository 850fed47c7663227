package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// EventFilter selects events in a list.
type EventFilter struct {
	Kind     string
	From, To *time.Time // events whose window overlaps [From, To]
	District string
	BBox     *[4]float64
	PlaceID  int64
	PersonID int64
	Category string
	ExtRef   string
}

const eventCols = `e.id, e.kind, e.starts_at, e.ends_at, e.place_id, ST_AsGeoJSON(e.geom, 6), e.district, e.category,
	e.severity, e.source_eval || e.intel_assessment || e.handling, e.confirmed, e.source_agency, e.review_date,
	ARRAY(SELECT ep.person_id FROM event_people ep JOIN people pp ON pp.id = ep.person_id
	      WHERE ep.event_id = e.id AND ($A OR pp.kind <> 'adult_of_concern') ORDER BY ep.person_id),
	ARRAY(SELECT group_id FROM event_groups eg WHERE eg.event_id = e.id ORDER BY group_id),
	e.found_place_id, e.found_at, e.rhi_at, e.crime_type, e.ext_ref, e.created_at, e.updated_at`

func scanEvent(row pgx.Row) (intel.Event, error) {
	var e intel.Event
	var geom, grade string
	var review *time.Time
	err := row.Scan(&e.ID, &e.Kind, &e.From, &e.To, &e.PlaceID, &geom, &e.District, &e.Category, &e.Severity, &grade,
		&e.Confirmed, &e.SourceAgency, &review, &e.People, &e.Groups, &e.FoundPlaceID, &e.FoundAt, &e.RHIAt,
		&e.CrimeType, &e.ExtRef, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return e, err
	}
	e.Geometry = []byte(geom)
	if review != nil {
		e.ReviewDate = &intel.Date{Time: *review}
	}
	e.Grade, err = intel.ParseGrade(grade)
	return e, err
}

// GetEvent reads one event in the caller's scope.
func (db *DB) GetEvent(ctx context.Context, pr intel.Principal, id int64) (intel.Event, error) {
	e, err := scanEvent(db.Pool.QueryRow(ctx, replaceAll(`SELECT `+eventCols+` FROM events e
		WHERE e.id = $1 AND ($2::text[] IS NULL OR e.district = ANY($2))`, "$A", "$3"), id, pr.Scope(), pr.SeesAdults()))
	return e, wrap(err, "event")
}

// ListEvents lists events in the caller's scope by id.
func (db *DB) ListEvents(ctx context.Context, pr intel.Principal, f EventFilter, pg intel.Page) ([]intel.Event, error) {
	var bbox []float64
	if f.BBox != nil {
		bbox = f.BBox[:]
	}
	rows, err := db.Pool.Query(ctx, replaceAll(`SELECT `+eventCols+` FROM events e
		WHERE e.id > $1 AND ($2::text[] IS NULL OR e.district = ANY($2))
		  AND ($3 = '' OR e.kind = $3)
		  AND ($4::timestamptz IS NULL OR e.ends_at >= $4) AND ($5::timestamptz IS NULL OR e.starts_at <= $5)
		  AND ($6 = '' OR e.district = $6)
		  AND ($7::float8[] IS NULL OR e.geom && ST_MakeEnvelope($7[1], $7[2], $7[3], $7[4], 4326))
		  AND ($8::bigint = 0 OR e.place_id = $8 OR e.found_place_id = $8)
		  AND ($9::bigint = 0 OR EXISTS (SELECT 1 FROM event_people ep WHERE ep.event_id = e.id AND ep.person_id = $9))
		  AND ($10 = '' OR e.category = $10) AND ($11 = '' OR e.ext_ref = $11)
		ORDER BY e.id LIMIT $12`, "$A", "$13"),
		pg.After, pr.Scope(), f.Kind, f.From, f.To, f.District, bbox, f.PlaceID, f.PersonID, f.Category, f.ExtRef, pg.Limit, pr.SeesAdults())
	if err != nil {
		return nil, wrap(err, "events")
	}
	return collect(rows, scanEvent, "events")
}

func writeEventRefs(ctx context.Context, tx pgx.Tx, pr intel.Principal, id int64, in intel.EventInput) error {
	if len(in.People) > 0 {
		// People outside the caller's scope are refused as if absent.
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM people WHERE id = ANY($1) AND ($2::text[] IS NULL OR district = ANY($2))
			AND ($3 OR kind <> 'adult_of_concern')`, in.People, pr.Scope(), pr.SeesAdults()).Scan(&n); err != nil {
			return err
		}
		if n != len(uniq(in.People)) {
			return intel.Invalid("people", "refers to a person that does not exist")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO event_people (event_id, person_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
			id, in.People); err != nil {
			return err
		}
	}
	if len(in.Groups) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO event_groups (event_id, group_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
			id, in.Groups); err != nil {
			return err
		}
	}
	return nil
}

func uniq(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func geomArg(raw []byte) any {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return string(raw)
}

// eventValues is the shared column list for insert and update.
const eventGeom = `coalesce(ST_SetSRID(ST_GeomFromGeoJSON($5::text), 4326), (SELECT pt FROM places WHERE id = $4))`

// CreateEvent stores an event and who it involves. Without a geometry it
// takes the place's point.
func (db *DB) CreateEvent(ctx context.Context, pr intel.Principal, in intel.EventInput) (intel.Event, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := eventPlaceCheck(ctx, tx, in); err != nil {
			return err
		}
		var district *string
		g := in.Grade
		err := tx.QueryRow(ctx, `INSERT INTO events (kind, starts_at, ends_at, place_id, geom, category, severity,
			source_eval, intel_assessment, handling, confirmed, source_agency, review_date, found_place_id, found_at,
			rhi_at, crime_type, ext_ref)
			VALUES ($1, $2, $3, $4, `+eventGeom+`, $6, coalesce($7, 1), $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
			RETURNING id, district`,
			in.Kind, in.From, in.To, in.PlaceID, geomArg(in.Geometry), in.Category, in.Severity, string(g.Source),
			string(g.Assessment), string(g.Handling), in.Confirmed, in.SourceAgency, dateArg(in.ReviewDate),
			in.FoundPlaceID, in.FoundAt, in.RHIAt, in.CrimeType, in.ExtRef).Scan(&id, &district)
		if err != nil {
			return err
		}
		if !pr.InScope(district) {
			return intel.Invalid("geometry", "is outside the districts you may write to")
		}
		return writeEventRefs(ctx, tx, pr, id, in)
	})
	if err != nil {
		return intel.Event{}, wrap(err, "event")
	}
	return db.GetEvent(ctx, pr, id)
}

func eventPlaceCheck(ctx context.Context, tx pgx.Tx, in intel.EventInput) error {
	for field, id := range map[string]*int64{"place_id": in.PlaceID, "found_place_id": in.FoundPlaceID} {
		if id == nil {
			continue
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM places WHERE id = $1)`, *id).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return intel.Invalid(field, "refers to a place that does not exist")
		}
	}
	return nil
}

// UpdateEvent replaces an event in the caller's scope.
func (db *DB) UpdateEvent(ctx context.Context, pr intel.Principal, id int64, in intel.EventInput) (intel.Event, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := eventPlaceCheck(ctx, tx, in); err != nil {
			return err
		}
		g := in.Grade
		var district *string
		err := tx.QueryRow(ctx, `UPDATE events SET kind = $1, starts_at = $2, ends_at = $3, place_id = $4,
			geom = `+eventGeom+`, category = $6, severity = coalesce($7, 1), source_eval = $8, intel_assessment = $9,
			handling = $10, confirmed = $11, source_agency = $12, review_date = $13, found_place_id = $14,
			found_at = $15, rhi_at = $16, crime_type = $17, ext_ref = $18, district = NULL
			WHERE id = $19 AND ($20::text[] IS NULL OR district = ANY($20)) RETURNING district`,
			in.Kind, in.From, in.To, in.PlaceID, geomArg(in.Geometry), in.Category, in.Severity, string(g.Source),
			string(g.Assessment), string(g.Handling), in.Confirmed, in.SourceAgency, dateArg(in.ReviewDate),
			in.FoundPlaceID, in.FoundAt, in.RHIAt, in.CrimeType, in.ExtRef, id, pr.Scope()).Scan(&district)
		if err != nil {
			return err
		}
		if !pr.InScope(district) {
			return intel.Invalid("geometry", "is outside the districts you may write to")
		}
		// Participants the caller cannot see (adults of concern) are kept.
		if _, err := tx.Exec(ctx, `DELETE FROM event_people ep USING people pp WHERE ep.event_id = $1
			AND pp.id = ep.person_id AND ($2 OR pp.kind <> 'adult_of_concern')`, id, pr.SeesAdults()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM event_groups WHERE event_id = $1`, id); err != nil {
			return err
		}
		return writeEventRefs(ctx, tx, pr, id, in)
	})
	if err != nil {
		return intel.Event{}, wrap(err, "event")
	}
	return db.GetEvent(ctx, pr, id)
}

// DeleteEvent deletes an event in the caller's scope.
func (db *DB) DeleteEvent(ctx context.Context, pr intel.Principal, id int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM events WHERE id = $1 AND ($2::text[] IS NULL OR district = ANY($2))`, id, pr.Scope())
	if err != nil {
		return wrap(err, "event")
	}
	if tag.RowsAffected() == 0 {
		return intel.NotFound("event")
	}
	return nil
}
