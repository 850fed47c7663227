package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// SafetyFilter selects safety marks.
type SafetyFilter struct {
	PersonID int64
	Rating   string
	District string // where the mark is
	From, To *intel.Date
	BBox     *[4]float64
}

const safetyCols = `m.id, m.person_id, m.rating, ST_AsGeoJSON(m.geom, 6), m.district, m.recorded_on, m.note, m.recorded_by,
	m.created_at, m.updated_at`

// Marks are person-level: scoped by the young person's district.
const safetyFrom = ` FROM safety_marks m JOIN people p ON p.id = m.person_id `

func scanMark(row pgx.Row) (intel.SafetyMark, error) {
	var m intel.SafetyMark
	var geom string
	err := row.Scan(&m.ID, &m.PersonID, &m.Rating, &geom, &m.District, &m.RecordedOn.Time, &m.Note, &m.RecordedBy,
		&m.CreatedAt, &m.UpdatedAt)
	m.Geometry = []byte(geom)
	return m, err
}

// GetSafetyMark reads a mark of a young person in the caller's scope.
func (db *DB) GetSafetyMark(ctx context.Context, pr intel.Principal, id int64) (intel.SafetyMark, error) {
	m, err := scanMark(db.Pool.QueryRow(ctx, `SELECT `+safetyCols+safetyFrom+`
		WHERE m.id = $1 AND ($2::text[] IS NULL OR p.district = ANY($2))`, id, pr.Scope()))
	return m, wrap(err, "safety mark")
}

// ListSafetyMarks lists marks of young people in the caller's scope by id.
func (db *DB) ListSafetyMarks(ctx context.Context, pr intel.Principal, f SafetyFilter, pg intel.Page) ([]intel.SafetyMark, error) {
	var bbox []float64
	if f.BBox != nil {
		bbox = f.BBox[:]
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+safetyCols+safetyFrom+`
		WHERE m.id > $1 AND ($2::text[] IS NULL OR p.district = ANY($2))
		  AND ($3::bigint = 0 OR m.person_id = $3) AND ($4 = '' OR m.rating = $4) AND ($5 = '' OR m.district = $5)
		  AND ($6::date IS NULL OR m.recorded_on >= $6) AND ($7::date IS NULL OR m.recorded_on <= $7)
		  AND ($8::float8[] IS NULL OR m.geom && ST_MakeEnvelope($8[1], $8[2], $8[3], $8[4], 4326))
		ORDER BY m.id LIMIT $9`, pg.After, pr.Scope(), f.PersonID, f.Rating, f.District, dateArg(f.From), dateArg(f.To),
		bbox, pg.Limit)
	if err != nil {
		return nil, wrap(err, "safety marks")
	}
	return collect(rows, scanMark, "safety marks")
}

// MarkReachM is how far outside the area's districts a mark may be.
const MarkReachM = 20000

// checkMark checks the young person (in scope) and the geometry.
func checkMark(ctx context.Context, tx pgx.Tx, pr intel.Principal, in intel.SafetyMarkInput) error {
	var kind string
	err := tx.QueryRow(ctx, `SELECT kind FROM people WHERE id = $1 AND ($2::text[] IS NULL OR district = ANY($2))`,
		in.PersonID, pr.Scope()).Scan(&kind)
	if err == pgx.ErrNoRows {
		return intel.Invalid("person_id", "refers to a person that does not exist")
	}
	if err != nil {
		return err
	}
	if kind != intel.YoungPerson {
		return intel.Invalid("person_id", "a safety map is a young person's")
	}
	var reason string
	var km2 float64
	var near bool
	// A mark far from every district is a mistake (longitude and latitude
	// swapped lands British points in the Indian Ocean); one just over a
	// boundary is not.
	err = tx.QueryRow(ctx, `SELECT CASE WHEN ST_IsValid(g) THEN '' ELSE ST_IsValidReason(g) END,
		CASE WHEN ST_IsValid(g) THEN ST_Area(g::geography) / 1e6 ELSE 0 END,
		NOT EXISTS (SELECT 1 FROM districts) OR EXISTS (SELECT 1 FROM districts d WHERE ST_DWithin(d.geom, g, 0.5)
			AND ST_DWithin(d.geom::geography, g::geography, $2))
		FROM ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326) g`, string(in.Geometry), MarkReachM).Scan(&reason, &km2, &near)
	if err != nil {
		return intel.Invalid("geometry", "is not a valid GeoJSON geometry")
	}
	if reason != "" {
		return intel.Invalid("geometry", "is not a valid geometry: "+reason)
	}
	if !near {
		return intel.Invalid("geometry", fmt.Sprintf("is more than %d km from every district: is it [longitude, latitude]?", MarkReachM/1000))
	}
	if km2 > intel.MaxMarkAreaKm2 {
		return intel.Invalid("geometry", fmt.Sprintf("covers %.1f km²: an area mark is at most %d km²", km2, intel.MaxMarkAreaKm2))
	}
	return nil
}

// CreateSafetyMark stores a mark.
func (db *DB) CreateSafetyMark(ctx context.Context, pr intel.Principal, in intel.SafetyMarkInput) (intel.SafetyMark, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := checkMark(ctx, tx, pr, in); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO safety_marks (person_id, rating, geom, recorded_on, note, recorded_by)
			VALUES ($1, $2, ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326), $4, $5, $6) RETURNING id`,
			in.PersonID, in.Rating, string(in.Geometry), in.RecordedOn.Time, in.Note, pr.Label).Scan(&id)
	})
	if err != nil {
		return intel.SafetyMark{}, wrap(err, "safety mark")
	}
	return db.GetSafetyMark(ctx, pr, id)
}

// UpdateSafetyMark replaces a mark of a young person in the caller's scope.
func (db *DB) UpdateSafetyMark(ctx context.Context, pr intel.Principal, id int64, in intel.SafetyMarkInput) (intel.SafetyMark, error) {
	if _, err := db.GetSafetyMark(ctx, pr, id); err != nil {
		return intel.SafetyMark{}, err
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := checkMark(ctx, tx, pr, in); err != nil {
			return err
		}
		// district = NULL: derived again from the new geometry.
		_, err := tx.Exec(ctx, `UPDATE safety_marks SET person_id = $2, rating = $3,
			geom = ST_SetSRID(ST_GeomFromGeoJSON($4::text), 4326), district = NULL, recorded_on = $5, note = $6,
			recorded_by = $7 WHERE id = $1`, id, in.PersonID, in.Rating, string(in.Geometry), in.RecordedOn.Time, in.Note, pr.Label)
		return err
	})
	if err != nil {
		return intel.SafetyMark{}, wrap(err, "safety mark")
	}
	return db.GetSafetyMark(ctx, pr, id)
}

// DeleteSafetyMark deletes a mark of a young person in the caller's scope.
func (db *DB) DeleteSafetyMark(ctx context.Context, pr intel.Principal, id int64) (intel.SafetyMark, error) {
	m, err := db.GetSafetyMark(ctx, pr, id)
	if err != nil {
		return m, err
	}
	return m, deleteByID(ctx, db, "safety_marks", "safety mark", id)
}

// MarkShape is a mark as the felt-safety layer bins it: who, which rating,
// and its shape in the metric CRS (a point, or a polygon's rings).
type MarkShape struct {
	PersonID int64
	Rating   string
	X, Y     float64        // the representative point
	Rings    [][][2]float64 // nil for a point
}

// SafetyMarkShapes streams every mark recorded in [from, to] (and in the
// district, if given) for aggregation: an aggregate read over all
// districts, so the caller applies disclosure control.
func (db *DB) SafetyMarkShapes(ctx context.Context, district string, from, to intel.Date, fn func(MarkShape) error) error {
	rows, err := db.ReadQuery(ctx, `SELECT person_id, rating, x, y,
		CASE WHEN GeometryType(geom) = 'POLYGON' THEN ST_AsGeoJSON(ST_Transform(geom, cm_metric_srid()), 2) END
		FROM safety_marks WHERE recorded_on BETWEEN $1 AND $2 AND ($3 = '' OR district = $3) ORDER BY id`,
		from.Time, to.Time, district)
	if err != nil {
		return wrap(err, "safety marks")
	}
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return wrap(err, "safety marks")
		}
		var m MarkShape
		var poly *string
		if err := rows.Scan(&m.PersonID, &m.Rating, &m.X, &m.Y, &poly); err != nil {
			return wrap(err, "safety marks")
		}
		if poly != nil {
			var g struct {
				Coordinates [][][2]float64 `json:"coordinates"`
			}
			if err := json.Unmarshal([]byte(*poly), &g); err != nil {
				return wrap(fmt.Errorf("decode mark polygon: %w", err), "safety marks")
			}
			m.Rings = g.Coordinates
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "safety marks")
}

// EventPoint is an event's metric position and the young people in it.
type EventPoint struct {
	X, Y        float64
	YoungPeople []int64
}

// EventPoints streams the events (of the given kinds) that started in
// [from, to] (Europe/London dates) within the metric rectangle, for
// comparing the felt-safety layer with activity.
func (db *DB) EventPoints(ctx context.Context, kinds []string, from, to intel.Date, minx, miny, maxx, maxy float64, fn func(EventPoint) error) error {
	rows, err := db.ReadQuery(ctx, `SELECT e.x, e.y, ARRAY(SELECT ep.person_id FROM event_people ep
		JOIN people yp ON yp.id = ep.person_id AND yp.kind = 'young_person' WHERE ep.event_id = e.id)
		FROM events e WHERE e.kind = ANY($1)
		  AND e.starts_at >= ($2::date::timestamp AT TIME ZONE 'Europe/London')
		  AND e.starts_at < (($3::date + 1)::timestamp AT TIME ZONE 'Europe/London')
		  AND e.x BETWEEN $4 AND $6 AND e.y BETWEEN $5 AND $7`, kinds, from.Time, to.Time, minx, miny, maxx, maxy)
	if err != nil {
		return wrap(err, "events")
	}
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return wrap(err, "events")
		}
		var p EventPoint
		if err := rows.Scan(&p.X, &p.Y, &p.YoungPeople); err != nil {
			return wrap(err, "events")
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "events")
}
