package postgres_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

func withDistricts(t *testing.T) *postgres.DB {
	t.Helper()
	return pgtest.FromTemplate(t, pgtest.Template(t, "districts", func(ctx context.Context, db *postgres.DB) error {
		b, err := os.ReadFile("../demo/data/cumbria_districts.geojson")
		if err != nil {
			return err
		}
		_, err = db.LoadDistricts(ctx, b, "lad_code", "lad_name")
		return err
	}))
}

// keptCountsMatch compares the counts the triggers keep with counting the
// tables.
func keptCountsMatch(t *testing.T, db *postgres.DB, when string) {
	t.Helper()
	var diff int
	err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM (
		(SELECT collection, district, n FROM feature_counts WHERE n <> 0
		 EXCEPT SELECT * FROM (SELECT 'places', coalesce(district, ''), count(*) FROM places GROUP BY 2
		                       UNION ALL SELECT 'events', coalesce(district, ''), count(*) FROM events GROUP BY 2) a)
		UNION ALL
		(SELECT * FROM (SELECT 'places', coalesce(district, ''), count(*) FROM places GROUP BY 2
		                UNION ALL SELECT 'events', coalesce(district, ''), count(*) FROM events GROUP BY 2) b
		 EXCEPT SELECT collection, district, n FROM feature_counts WHERE n <> 0)) d`).Scan(&diff)
	if err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("%s: kept counts differ from the tables in %d rows", when, diff)
	}
}

// TestKeptCounts: the counts kept by triggers equal counting the rows,
// through inserts (one and many), updates that move rows between
// districts, deletes, cascades, truncation and concurrent writers.
func TestKeptCounts(t *testing.T) {
	db := withDistricts(t)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	keptCountsMatch(t, db, "empty")
	// Carlisle (-2.93, 54.89), Kendal (-2.75, 54.33), and the Isle of Man,
	// outside every district.
	exec(`INSERT INTO places (name, kind, geom) SELECT 'P' || g, 'park',
		ST_SetSRID(ST_MakePoint(CASE g % 3 WHEN 0 THEN -2.93 WHEN 1 THEN -2.75 ELSE -4.5 END,
		                        CASE g % 3 WHEN 0 THEN 54.89 WHEN 1 THEN 54.33 ELSE 54.2 END), 4326)
		FROM generate_series(1, 30) g`)
	keptCountsMatch(t, db, "bulk insert")
	exec(`INSERT INTO places (name, kind, geom) VALUES ('One', 'shop', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326))`)
	keptCountsMatch(t, db, "single insert")
	exec(`UPDATE places SET geom = ST_SetSRID(ST_MakePoint(-2.75, 54.33), 4326), district = NULL WHERE name IN ('P3', 'P6', 'One')`)
	keptCountsMatch(t, db, "update moving districts")
	exec(`UPDATE places SET name = name || '!'`)
	keptCountsMatch(t, db, "update keeping districts")
	exec(`INSERT INTO events (kind, starts_at, ends_at, place_id, geom, source_eval, intel_assessment, handling, source_agency)
		SELECT 'incident', '2020-01-01', '2020-01-02', id, pt, '2', 'B', 'P', 'Police' FROM places`)
	keptCountsMatch(t, db, "events inserted")
	exec(`DELETE FROM places WHERE name LIKE 'P1%'`) // events keep their point: place_id set null
	keptCountsMatch(t, db, "places deleted")
	exec(`DELETE FROM events WHERE id % 2 = 0`)
	keptCountsMatch(t, db, "events deleted")
	exec(`UPDATE districts SET code = 'X07000028' WHERE code = 'E07000028'`) // cascades to places and events
	keptCountsMatch(t, db, "district code changed")

	// Concurrent writers, each inserting into two districts.
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				_, err := db.Pool.Exec(ctx, `INSERT INTO places (name, kind, geom) VALUES
					($1, 'park', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326)), ($2, 'park', ST_SetSRID(ST_MakePoint(-2.75, 54.33), 4326))`,
					"W"+string(rune('a'+w))+string(rune('a'+i)), "V"+string(rune('a'+w))+string(rune('a'+i)))
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	keptCountsMatch(t, db, "concurrent inserts")

	// The store answers numberMatched from them, the same as counting.
	for _, pr := range []intel.Principal{{Role: intel.RoleAnalyst}, {Role: intel.RoleDistrict, Districts: []string{"E07000031"}}} {
		for _, q := range []intel.FeatureQuery{{}, {Props: map[string]string{"district": "E07000031"}}, {Props: map[string]string{"kind": "park"}},
			{BBoxes: [][4]float64{{-3, 54, -2.5, 55}}}} {
			q.Limit = 1
			var want int64
			if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM places WHERE ($1 = '' OR district = $1) AND ($2 = '' OR kind = $2)
				AND ($3::boolean IS NULL OR ST_Intersects(geom, ST_MakeEnvelope(-3, 54, -2.5, 55, 4326)))`,
				q.Props["district"], q.Props["kind"], func() any {
					if len(q.BBoxes) > 0 {
						return true
					}
					return nil
				}()).Scan(&want); err != nil {
				t.Fatal(err)
			}
			it, n, err := db.PlaceFeatures(ctx, pr, q, true)
			if err != nil {
				t.Fatal(err)
			}
			it.Close()
			if n != want {
				t.Errorf("%s places %+v: numberMatched %d, counting gives %d", pr.Role, q, n, want)
			}
		}
		var want int64
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE $1::text[] IS NULL OR district = ANY($1)`, pr.Scope()).Scan(&want); err != nil {
			t.Fatal(err)
		}
		it, n, err := db.EventFeatures(ctx, pr, intel.FeatureQuery{Limit: 1}, true)
		if err != nil {
			t.Fatal(err)
		}
		it.Close()
		if n != want || want == 0 {
			t.Errorf("%s events: numberMatched %d, counting gives %d", pr.Role, n, want)
		}
	}

	exec(`TRUNCATE events, event_people, event_groups`)
	keptCountsMatch(t, db, "truncate")
}
