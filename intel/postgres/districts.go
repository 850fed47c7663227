package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// ListDistricts lists the area's districts by code, with geometry when asked.
// Districts are reference data loaded now and then by an administrator, so
// they are read through Reader (a replica when there is one).
func (db *DB) ListDistricts(ctx context.Context, withGeometry bool) ([]intel.District, error) {
	rows, err := db.ReadQuery(ctx, `SELECT code, name, CASE WHEN $1 THEN ST_AsGeoJSON(geom, 6) END FROM districts ORDER BY code`, withGeometry)
	if err != nil {
		return nil, wrap(err, "districts")
	}
	return collect(rows, func(r pgx.Row) (intel.District, error) {
		var d intel.District
		var g *string
		err := r.Scan(&d.Code, &d.Name, &g)
		if g != nil {
			d.Geometry = json.RawMessage(*g)
		}
		return d, err
	}, "districts")
}

// DistrictExists reports whether code names a district.
func (db *DB) DistrictExists(ctx context.Context, code string) (bool, error) {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)`, code).Scan(&ok)
	return ok, wrap(err, "district")
}

// LoadDistricts upserts districts from a GeoJSON FeatureCollection whose
// features carry the code and name in the named properties. Polygons are
// made valid and multi; all or nothing.
func (db *DB) LoadDistricts(ctx context.Context, geojson []byte, codeProp, nameProp string) (int, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]any  `json:"properties"`
			Geometry   json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(geojson, &fc); err != nil || fc.Type != "FeatureCollection" {
		return 0, intel.Invalid("file", "is not a GeoJSON FeatureCollection")
	}
	var v intel.Validation
	for i, f := range fc.Features {
		code, _ := f.Properties[codeProp].(string)
		name, _ := f.Properties[nameProp].(string)
		if code == "" {
			v.Add(fmt.Sprintf("features/%d/properties/%s", i, codeProp), "is required (the district code)")
		}
		if name == "" {
			v.Add(fmt.Sprintf("features/%d/properties/%s", i, nameProp), "is required (the district name)")
		}
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		for _, f := range fc.Features {
			_, err := tx.Exec(ctx, `WITH g AS (
				SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326)), 3)) AS geom)
				INSERT INTO districts (code, name, geom, geom_m)
				SELECT $1, $2, ST_ForcePolygonCCW(geom), ST_Transform(geom, cm_metric_srid()) FROM g
				ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, geom_m = EXCLUDED.geom_m`,
				f.Properties[codeProp], f.Properties[nameProp], string(f.Geometry))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, wrap(err, "districts")
	}
	return len(fc.Features), nil
}
