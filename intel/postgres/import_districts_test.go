package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// TestImportDistrictsInGo checks the district an import gives events with
// their own point (found in Go by geo.AreaIndex where it is certain, by
// the database's rule where not) against cm_district_of, the database's
// own rule, on Cumbria's real boundaries: a 141×141 lattice over the county
// and the sea and land around it, every 7th vertex of the boundaries
// (shared by two districts, or on the coast), points 50 m off the
// coastline (nearest district within 100 m) and 300 m off it (none).
func TestImportDistrictsInGo(t *testing.T) {
	ctx := context.Background()
	db := newImportDB(t)
	ix, err := db.DistrictIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, `
		WITH ext AS (SELECT ST_Expand(ST_Extent(geom), 0.05) AS b FROM districts),
		 pts AS (
		   SELECT 'lattice' AS what, ST_SetSRID(ST_MakePoint(ST_XMin(b) + i / 140.0 * (ST_XMax(b) - ST_XMin(b)),
		                                               ST_YMin(b) + j / 140.0 * (ST_YMax(b) - ST_YMin(b))), 4326) AS p
		     FROM ext, generate_series(0, 140) i, generate_series(0, 140) j
		   UNION ALL
		   SELECT 'vertex', (dp).geom FROM (SELECT ST_DumpPoints(geom) AS dp FROM districts) v WHERE ((dp).path[3]) % 7 = 0
		   UNION ALL
		   SELECT 'coast+50m', ST_Project(ST_PointN(ST_ExteriorRing(g), 1)::geography, 50, radians(a))::geometry
		     FROM (SELECT (ST_Dump(geom)).geom AS g FROM districts) d, generate_series(0, 315, 45) a
		   UNION ALL
		   SELECT 'coast+300m', ST_Project(ST_PointN(ST_ExteriorRing(g), 1)::geography, 300, radians(a))::geometry
		     FROM (SELECT (ST_Dump(geom)).geom AS g FROM districts) d, generate_series(0, 315, 45) a)
		SELECT what, ST_X(p), ST_Y(p), coalesce(cm_district_of(p), '') FROM pts`)
	if err != nil {
		t.Fatal(err)
	}
	type pt struct {
		what, want string
		x, y       float64
	}
	var pts []pt
	for rows.Next() {
		var p pt
		if err := rows.Scan(&p.what, &p.x, &p.y, &p.want); err != nil {
			t.Fatal(err)
		}
		pts = append(pts, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	known := map[string][2]int{}
	for _, p := range pts {
		got, ok := ix.Locate(orb.Point{p.x, p.y})
		k := known[p.what]
		k[1]++
		if ok {
			k[0]++
			if got != p.want {
				t.Errorf("%s point (%.9f %.9f): index says %q, cm_district_of %q", p.what, p.x, p.y, got, p.want)
			}
		}
		known[p.what] = k
	}
	t.Logf("decided by the index (of all): %v", known)
	// Nearly every lattice point is decided in Go (those within 100 m
	// outside the coast are not); no vertex is (each lies on a boundary).
	if r := known["lattice"]; r[0] < r[1]*95/100 {
		t.Errorf("the index decided %d of %d lattice points; want 95%%", r[0], r[1])
	}
	if v := known["vertex"]; v[1] < 100 || v[0] != 0 {
		t.Errorf("the index decided %d of %d boundary vertices; want none of 100 or more", v[0], v[1])
	}

	// The same points imported as events: every district is the rule's.
	var b strings.Builder
	for i, p := range pts {
		fmt.Fprintf(&b, `{"type":"event","ext_ref":"D-%d","kind":"sighting","from":"2020-11-10T19:00:00Z","grade":"2BP","source_agency":"Police","geometry":{"type":"Point","coordinates":[%.9f,%.9f]}}`+"\n", i, p.x, p.y)
	}
	mustImport(t, db, b.String(), "ndjson", "")
	var n, wrong int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE district IS DISTINCT FROM cm_district_of(geom)) FROM events`).Scan(&n, &wrong); err != nil {
		t.Fatal(err)
	}
	if n != len(pts) || wrong != 0 {
		t.Errorf("%d events of %d imported, %d with a district other than cm_district_of's", n, len(pts), wrong)
	}
}
