package postgres

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/contextmap/contextmap/geo"
)

// An import finds the district of each event with its own point in Go, as
// it stages the event, with the districts cut into pieces of at most 64
// vertices (geo.AreaIndex): a million points cost about a second there,
// against twelve seconds for a million index probes and ring tests in
// PostgreSQL. The index answers only where it is certain; a point on or
// within a millimetre of a boundary, or outside every district but within
// cm_district_of's 100 m, is left to the database's rule (eventDerived).
// The index is kept until the district boundaries change (data_versions
// 'districts', migration 00110).

// districtNear is cm_district_of's prefilter for the nearest district
// within 100 m: 0.003 degrees.
const districtNear = 0.003

// districts returns the district index as of the batch's transaction.
func (b *batch) districts(ctx context.Context) (*geo.AreaIndex, error) {
	var version int64
	if err := b.tx.QueryRow(ctx, `SELECT version FROM data_versions WHERE name = 'districts'`).Scan(&version); err != nil {
		return nil, fmt.Errorf("district version: %w", err)
	}
	if ix, ok := b.db.districtIx.get(version, struct{}{}); ok {
		return ix, nil
	}
	rows, err := b.tx.Query(ctx, `SELECT code, ST_AsBinary(ST_Subdivide(geom, 64)) FROM districts ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("district pieces: %w", err)
	}
	defer rows.Close()
	var areas []geo.Area
	for rows.Next() {
		var code string
		var g []byte
		if err := rows.Scan(&code, &g); err != nil {
			return nil, err
		}
		geom, err := wkb.Unmarshal(g)
		if err != nil {
			return nil, fmt.Errorf("district %s: %w", code, err)
		}
		switch p := geom.(type) {
		case orb.Polygon:
			areas = append(areas, geo.Area{Code: code, Polygon: p})
		case orb.MultiPolygon:
			for _, q := range p {
				areas = append(areas, geo.Area{Code: code, Polygon: q})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ix := geo.NewAreaIndex(areas, districtNear)
	b.db.districtIx.put(version, struct{}{}, ix, 1)
	return ix, nil
}
