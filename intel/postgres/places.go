package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// PlaceFilter selects places in a list.
type PlaceFilter struct {
	Kind      string
	District  string
	BBox      *[4]float64 // minlon, minlat, maxlon, maxlat
	Sensitive *bool
	ExtRef    string
}

// exactSQL is true for rows the caller may see exactly: a sensitive place is
// shown exactly only to person-level roles whose scope holds its district.
// $E is a boolean "person-level", $S the scope.
const placeCols = `pl.id,
	CASE WHEN pl.sensitive AND NOT (EXACT) THEN 'Sensitive place (' || replace(pl.kind, '_', ' ') || ')' ELSE pl.name END,
	pl.kind, pl.sensitive, pl.sensitive AND NOT (EXACT),
	CASE WHEN pl.sensitive AND NOT (EXACT) THEN NULL ELSE pl.urn END,
	CASE WHEN pl.sensitive AND NOT (EXACT) THEN ST_AsGeoJSON(cm_generalise(pl.x, pl.y), 6)
	     ELSE ST_AsGeoJSON(pl.geom, 6) END,
	pl.district,
	CASE WHEN pl.sensitive AND NOT (EXACT) THEN NULL ELSE pl.ext_ref END,
	pl.created_at, pl.updated_at`

func placeSQL(q string, personLevel, scope int) string {
	exact := "$" + itoa(personLevel) + "::boolean AND ($" + itoa(scope) + "::text[] IS NULL OR pl.district = ANY($" + itoa(scope) + "))"
	return replaceAll(q, "EXACT", exact)
}

func scanPlace(row pgx.Row) (intel.Place, error) {
	var p intel.Place
	var geom string
	err := row.Scan(&p.ID, &p.Name, &p.Kind, &p.Sensitive, &p.Generalised, &p.URN, &geom, &p.District, &p.ExtRef,
		&p.CreatedAt, &p.UpdatedAt)
	p.Geometry = []byte(geom)
	return p, err
}

// GetPlace reads one place, generalised if sensitive and the caller may not
// see it exactly.
func (db *DB) GetPlace(ctx context.Context, pr intel.Principal, id int64) (intel.Place, error) {
	q := placeSQL(`SELECT `+placeCols+` FROM places pl WHERE pl.id = $1`, 2, 3)
	p, err := scanPlace(db.Pool.QueryRow(ctx, q, id, pr.PersonLevel(), pr.Scope()))
	return p, wrap(err, "place")
}

// ListPlaces lists places by id.
func (db *DB) ListPlaces(ctx context.Context, pr intel.Principal, f PlaceFilter, pg intel.Page) ([]intel.Place, error) {
	var bbox []float64
	if f.BBox != nil {
		bbox = f.BBox[:]
	}
	q := placeSQL(`SELECT `+placeCols+` FROM places pl
		WHERE pl.id > $1 AND ($4 = '' OR pl.kind = $4) AND ($5 = '' OR pl.district = $5)
		  AND ($6::float8[] IS NULL OR pl.pt && ST_MakeEnvelope($6[1], $6[2], $6[3], $6[4], 4326))
		  AND ($7::boolean IS NULL OR pl.sensitive = $7)
		  AND ($8 = '' OR (pl.ext_ref = $8 AND (NOT pl.sensitive OR (EXACT))))
		ORDER BY pl.id LIMIT $9`, 2, 3)
	rows, err := db.Pool.Query(ctx, q, pg.After, pr.PersonLevel(), pr.Scope(), f.Kind, f.District, bbox, f.Sensitive, f.ExtRef, pg.Limit)
	if err != nil {
		return nil, wrap(err, "places")
	}
	return collect(rows, scanPlace, "places")
}

// placeGeomCheck reports why PostGIS finds a geometry invalid, or "".
func placeGeomCheck(ctx context.Context, tx pgx.Tx, geojson []byte) (string, error) {
	var reason string
	err := tx.QueryRow(ctx, `SELECT CASE WHEN ST_IsValid(g) THEN '' ELSE ST_IsValidReason(g) END
		FROM ST_GeomFromGeoJSON($1::text) g`, string(geojson)).Scan(&reason)
	return reason, err
}

// CreatePlace stores a place; its district is assigned by containment unless
// given.
func (db *DB) CreatePlace(ctx context.Context, pr intel.Principal, in intel.PlaceInput) (intel.Place, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if reason, err := placeGeomCheck(ctx, tx, in.Geometry); err != nil || reason != "" {
			if err != nil {
				return intel.Invalid("geometry", "is not a valid GeoJSON geometry")
			}
			return intel.Invalid("geometry", "is not a valid geometry: "+reason)
		}
		return tx.QueryRow(ctx, `INSERT INTO places (name, kind, sensitive, urn, geom, district, ext_ref)
			VALUES ($1, $2, $3, $4, ST_SetSRID(ST_GeomFromGeoJSON($5::text), 4326), $6, $7) RETURNING id`,
			in.Name, in.Kind, in.Sensitive, in.URN, string(in.Geometry), in.District, in.ExtRef).Scan(&id)
	})
	if err != nil {
		return intel.Place{}, wrap(err, "place")
	}
	return db.GetPlace(ctx, pr, id)
}

// UpdatePlace replaces a place.
func (db *DB) UpdatePlace(ctx context.Context, pr intel.Principal, id int64, in intel.PlaceInput) (intel.Place, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if reason, err := placeGeomCheck(ctx, tx, in.Geometry); err != nil || reason != "" {
			if err != nil {
				return intel.Invalid("geometry", "is not a valid GeoJSON geometry")
			}
			return intel.Invalid("geometry", "is not a valid geometry: "+reason)
		}
		// A district left out is assigned again from the geometry.
		tag, err := tx.Exec(ctx, `UPDATE places SET name = $2, kind = $3, sensitive = $4, urn = $5,
			geom = ST_SetSRID(ST_GeomFromGeoJSON($6::text), 4326), district = $7, ext_ref = $8
			WHERE id = $1`, id, in.Name, in.Kind, in.Sensitive, in.URN, string(in.Geometry), in.District, in.ExtRef)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return intel.NotFound("place")
		}
		return nil
	})
	if err != nil {
		return intel.Place{}, wrap(err, "place")
	}
	return db.GetPlace(ctx, pr, id)
}

// DeletePlace deletes a place and its links; events keep their point.
func (db *DB) DeletePlace(ctx context.Context, pr intel.Principal, id int64) error {
	return deleteByID(ctx, db, "places", "place", id)
}

func deleteByID(ctx context.Context, db *DB, table, what string, id int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM `+table+` WHERE id = $1`, id)
	if err != nil {
		return wrap(err, what)
	}
	if tag.RowsAffected() == 0 {
		return intel.NotFound(what)
	}
	return nil
}

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error), what string) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(err, what)
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err(), what)
}
