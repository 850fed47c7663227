package httpapi_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/network"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

// nationalSQL fills a database at national scale, deterministically
// (setseed): 300 districts in a 20 × 15 grid over Great Britain's south,
// and in each 340 young people (102,000), 10 adults of concern, 60 places
// (one in ten a house, so sensitive), 15 peer groups and 8 online spaces.
// Each young person has 8 place links (frequents, attends, last seen at,
// found at; 1 in 20 to a place in another district), and most are in a
// group, a space and an association: about 1,020,000 links in all, with a
// realistic spread of grades, confirmation and review dates; 200,000
// events at places over two years.
const nationalSQL = `
SET statement_timeout = 0;
SELECT setseed(0.42);
INSERT INTO districts (code, name, geom, geom_m)
SELECT 'N' || lpad(i::text, 3, '0'), 'District ' || i, e, ST_Transform(e, cm_metric_srid())
FROM generate_series(0, 299) i,
LATERAL (SELECT ST_Multi(ST_MakeEnvelope(-5.5 + (i % 20) * 0.4, 50.3 + (i / 20) * 0.3,
	-5.5 + (i % 20 + 1) * 0.4, 50.3 + (i / 20 + 1) * 0.3, 4326)) AS e) g;

INSERT INTO places (name, kind, sensitive, geom, district)
SELECT 'Place ' || i || '-' || k, kind, kind = 'house',
	ST_SetSRID(ST_MakePoint(-5.5 + (i % 20) * 0.4 + 0.02 + random() * 0.36, 50.3 + (i / 20) * 0.3 + 0.02 + random() * 0.26), 4326),
	'N' || lpad(i::text, 3, '0')
FROM generate_series(0, 299) i, generate_series(1, 60) k,
LATERAL (SELECT CASE WHEN k % 10 = 0 THEN 'house' ELSE (ARRAY['park', 'takeaway', 'shop', 'bus_station', 'car_park',
	'school', 'street', 'leisure_centre', 'shopping_centre'])[1 + (k % 9)] END AS kind) x;

INSERT INTO people (kind, pseudonym, age_band, district)
SELECT 'young_person', 'YP-' || i || '-' || k, '13-15', 'N' || lpad(i::text, 3, '0')
FROM generate_series(0, 299) i, generate_series(1, 340) k;
INSERT INTO people (kind, pseudonym, age_band, district)
SELECT 'adult_of_concern', 'AOC-' || i || '-' || k, '25+', 'N' || lpad(i::text, 3, '0')
FROM generate_series(0, 299) i, generate_series(1, 10) k;
INSERT INTO person_statuses (person_id, status, valid_from)
SELECT id, (ARRAY['early_help', 'open_case', 'cin_plan', 'cp', 'cla', 'not_open'])[1 + floor(random() * 6)::int], '2020-01-01'
FROM people WHERE kind = 'young_person';
INSERT INTO person_categories (person_id, category, valid_from)
SELECT id, (ARRAY['cse1', 'cse2', 'cse3', 'other'])[1 + floor(random() * 4)::int], '2020-01-01'
FROM people WHERE kind = 'young_person';

INSERT INTO peer_groups (name, district)
SELECT 'Group ' || i || '-' || k, 'N' || lpad(i::text, 3, '0') FROM generate_series(0, 299) i, generate_series(1, 15) k;
INSERT INTO online_spaces (name, platform, space_kind, district)
SELECT 'Space ' || i || '-' || k, 'snapchat', 'group_chat', 'N' || lpad(i::text, 3, '0')
FROM generate_series(0, 299) i, generate_series(1, 8) k;

CREATE TEMP TABLE dp AS SELECT district, array_agg(id ORDER BY id) AS ids FROM places GROUP BY district;
CREATE TEMP TABLE dg AS SELECT district, array_agg(id ORDER BY id) AS ids FROM peer_groups GROUP BY district;
CREATE TEMP TABLE ds AS SELECT district, array_agg(id ORDER BY id) AS ids FROM online_spaces GROUP BY district;
CREATE TEMP TABLE dy AS SELECT district, array_agg(id ORDER BY id) AS ids FROM people WHERE kind = 'young_person' GROUP BY district;
CREATE TEMP TABLE alld AS SELECT array_agg(district ORDER BY district) AS ds FROM dp;

CREATE TEMP TABLE raw (kind text, s bigint, t bigint);
INSERT INTO raw
SELECT CASE WHEN r < 0.6 THEN 'frequents' WHEN r < 0.75 THEN 'attends' WHEN r < 0.9 THEN 'last_seen_at' ELSE 'found_at' END,
	p.id, dp.ids[1 + floor(random() * cardinality(dp.ids))::int]
FROM people p, generate_series(1, 8) k, alld,
LATERAL (SELECT random() AS r, CASE WHEN random() < 0.05 THEN alld.ds[1 + floor(random() * 300)::int] ELSE p.district END AS d) x
JOIN dp ON dp.district = x.d
WHERE p.kind = 'young_person';
INSERT INTO raw SELECT 'member_of', p.id, dg.ids[1 + floor(random() * cardinality(dg.ids))::int]
FROM people p JOIN dg ON dg.district = p.district WHERE p.kind = 'young_person' AND random() < 0.7;
INSERT INTO raw SELECT 'present_in', p.id, ds.ids[1 + floor(random() * cardinality(ds.ids))::int]
FROM people p JOIN ds ON ds.district = p.district WHERE p.kind = 'young_person' AND random() < 0.6;
INSERT INTO raw SELECT 'associates_with', p.id, dy.ids[1 + floor(random() * cardinality(dy.ids))::int]
FROM people p JOIN dy ON dy.district = p.district WHERE p.kind = 'young_person' AND random() < 0.5;
INSERT INTO raw SELECT 'congregates_at', g.id, dp.ids[1 + floor(random() * cardinality(dp.ids))::int]
FROM peer_groups g JOIN dp ON dp.district = g.district, generate_series(1, 2);
INSERT INTO raw SELECT 'linked_to', p.id, CASE WHEN random() < 0.7 THEN dp.ids[1 + floor(random() * cardinality(dp.ids))::int]
	ELSE dg.ids[1 + floor(random() * cardinality(dg.ids))::int] END
FROM people p JOIN dp ON dp.district = p.district JOIN dg ON dg.district = p.district, generate_series(1, 5)
WHERE p.kind = 'adult_of_concern';
DELETE FROM raw WHERE s = t;

INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, confirmed, source_agency,
	first_seen, last_seen, review_date, recorded_by)
SELECT kind, s, t,
	CASE WHEN a < 0.2 THEN '1' WHEN a < 0.85 THEN '2' ELSE '3' END,
	CASE WHEN b < 0.15 THEN 'A' WHEN b < 0.5 THEN 'B' WHEN b < 0.8 THEN 'C' WHEN b < 0.92 THEN 'D' ELSE 'E' END,
	'P', random() < 0.5, 'Police', f, f + (random() * 200)::int, f + (random() * 200)::int + 90 + (random() * 540)::int, 'synthetic'
FROM (SELECT kind, s, t, random() AS a, random() AS b, current_date - (random() * 1000)::int AS f FROM raw) x;

INSERT INTO events (kind, starts_at, ends_at, place_id, geom, district, source_eval, intel_assessment, handling, source_agency)
SELECT (ARRAY['sighting', 'incident', 'intelligence_report', 'crime'])[1 + floor(random() * 4)::int], st,
	st + (random() * 4 * 3600)::int * interval '1 second', pl.id, pl.pt, pl.district, '2', 'B', 'P', 'Police'
FROM (SELECT now() - random() * interval '730 days' AS st, 1 + floor(random() * (SELECT count(*) FROM places))::int AS n
	FROM generate_series(1, 200000)) e
JOIN (SELECT id, pt, district, row_number() OVER (ORDER BY id) AS n FROM places) pl USING (n);
`

// TestNationalScale measures the association map, the network list and
// detail, link charts and place profiles on national-scale synthetic data
// (see nationalSQL), and the background recompute of the networks. It is
// slow (the data take minutes to make, once per schema: the template is
// kept), so it runs only with CONTEXTMAP_BENCH_NATIONAL=1:
//
//	CONTEXTMAP_BENCH_NATIONAL=1 go test -run NationalScale -v -timeout 60m ./intel/httpapi/
//
// It reports figures; it asserts only that the answers are right in kind.
func TestNationalScale(t *testing.T) {
	if os.Getenv("CONTEXTMAP_BENCH_NATIONAL") != "1" {
		t.Skip("set CONTEXTMAP_BENCH_NATIONAL=1 to run the national-scale benchmark")
	}
	start := time.Now()
	tpl := pgtest.Template(t, "national_v1", func(ctx context.Context, db *postgres.DB) error {
		if _, err := db.Pool.Exec(ctx, nationalSQL); err != nil {
			return err
		}
		// As autovacuum would in service: the visibility map lets the
		// covering indexes answer without visiting the table.
		_, err := db.Pool.Exec(ctx, `VACUUM ANALYZE`)
		return err
	})
	db := pgtest.FromTemplate(t, tpl)
	h := &harness{t: t, db: db, tokens: map[string]string{}}
	h.srv = newServer(db)
	for _, r := range []intel.Role{intel.RoleAnalyst, intel.RolePartner} {
		h.tokens[string(r)] = h.token(r)
	}
	ctx := context.Background()
	var people, links int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM people WHERE kind = 'young_person'), (SELECT count(*) FROM links)`).
		Scan(&people, &links); err != nil {
		t.Fatal(err)
	}
	t.Logf("data: %d young people, %d links (ready in %v)", people, links, time.Since(start).Round(time.Second))
	if people < 100_000 || links < 1_000_000 {
		t.Fatalf("not national scale: %d young people, %d links", people, links)
	}

	// The background job, timed in its parts.
	for i := range 2 {
		t0 := time.Now()
		var ru0, ru1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		snap, nodes, ls, err := db.LoadNetworkGraph(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		res := network.Analyse(nodes, ls, network.DefaultOptions)
		t2 := time.Now()
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		if err := db.SaveNetworks(ctx, snap, res, t2.Sub(t0)); err != nil {
			t.Fatal(err)
		}
		t3 := time.Now()
		comps, comms, sampled := 0, 0, 0
		for _, n := range res.Networks {
			if n.Kind == network.Component {
				comps++
			} else {
				comms++
			}
			if n.Betweenness == network.Sampled {
				sampled++
			}
		}
		cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
		t.Logf("recompute %d: load %v (%d nodes, %d basis links), analyse %v (%d components, %d communities, %d sampled, Q %.3f), save %v; Go CPU time of load+analyse %v",
			i+1, t1.Sub(t0).Round(time.Millisecond), res.Nodes, res.Links, t2.Sub(t1).Round(time.Millisecond), comps, comms, sampled,
			res.Modularity, t3.Sub(t2).Round(time.Millisecond), cpu.Round(time.Millisecond))
	}

	r := rand.New(rand.NewPCG(7, 7))
	to := time.Now().UTC().Format(time.DateOnly)
	from := time.Now().UTC().AddDate(-1, 0, 0).Format(time.DateOnly)
	var placeIDs []int64
	rows, err := db.Pool.Query(ctx, `SELECT id FROM places ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		placeIDs = append(placeIDs, id)
	}
	rows.Close()
	var nets []string
	l := h.must(200, "analyst", "GET", "/api/v1/networks?limit=50", nil)
	for _, it := range l["items"].([]any) {
		nets = append(nets, it.(map[string]any)["id"].(string))
	}

	measure := func(name string, n int, path func(i int) string, role string) {
		t.Helper()
		var ds []time.Duration
		var bytes int
		var cpu0 cpuUse
		for i := range n + 3 {
			if i == 3 { // the first few warm the caches
				cpu0 = serverCPU(t, db)
			}
			p := path(i)
			t0 := time.Now()
			resp := h.do(role, "GET", p, nil)
			d := time.Since(t0)
			if resp.Status != 200 {
				t.Fatalf("%s: %s: %d %s", name, p, resp.Status, resp.Body)
			}
			if i >= 3 {
				ds = append(ds, d)
				bytes += len(resp.Body)
			}
		}
		cpu := serverCPU(t, db).since(cpu0) / time.Duration(n)
		slices.Sort(ds)
		var load string
		if b, err := os.ReadFile("/proc/loadavg"); err == nil && len(b) > 4 {
			load = string(b[:4])
		}
		t.Logf("%-42s n=%d median %6.1f  min %6.1f  p90 %6.1f  max %6.1f ms  CPU/request %6.1f ms  %7d B  load %s", name, n,
			ms(ds[len(ds)/2]), ms(ds[0]), ms(ds[len(ds)*9/10]), ms(ds[len(ds)-1]), ms(cpu), bytes/n, load)
	}
	district := func(int) string { return fmt.Sprintf("N%03d", r.IntN(300)) }
	measure("association map, 1 district, 12 months", 50, func(i int) string {
		return "/api/v1/maps/associations?district=" + district(i) + "&from=" + from + "&to=" + to
	}, "analyst")
	measure("association map, partner", 20, func(i int) string {
		return "/api/v1/maps/associations?district=" + district(i) + "&from=" + from + "&to=" + to
	}, "partner")
	measure("association map, exclude E, confirmed", 20, func(i int) string {
		return "/api/v1/maps/associations?district=" + district(i) + "&from=" + from + "&to=" + to + "&exclude_e=true&confirmed=true"
	}, "analyst")
	for _, q := range []string{"", "?from=" + from + "&to=" + to} {
		t0 := time.Now()
		resp := h.do("analyst", "GET", "/api/v1/maps/associations"+q, nil)
		t.Logf("association map, whole country%-19s status %d in %6.1f ms (%d bytes)", q, resp.Status, ms(time.Since(t0)), len(resp.Body))
	}
	measure("network list (100 largest communities)", 50, func(int) string { return "/api/v1/networks" }, "analyst")
	measure("network list, district filter", 50, func(i int) string { return "/api/v1/networks?district=" + district(i) }, "analyst")
	measure("network list, partner", 20, func(int) string { return "/api/v1/networks" }, "partner")
	measure("network detail", 30, func(i int) string { return "/api/v1/networks/" + nets[i%len(nets)] }, "analyst")
	measure("network link chart (Cytoscape)", 30, func(i int) string { return "/api/v1/networks/" + nets[i%len(nets)] + "/graph" }, "analyst")
	measure("place profile", 50, func(int) string {
		return fmt.Sprintf("/api/v1/places/%d/profile", placeIDs[r.IntN(len(placeIDs))])
	}, "analyst")
	measure("place profile, partner", 20, func(int) string {
		return fmt.Sprintf("/api/v1/places/%d/profile", placeIDs[r.IntN(len(placeIDs))])
	}, "partner")
}

// cpuUse is the CPU time used so far by this process and by each database
// backend of the test database: on a machine shared with other work, wall
// time measures the queue as much as the work, CPU time only the work.
type cpuUse struct {
	self     time.Duration
	backends map[int]time.Duration
}

func (u cpuUse) since(before cpuUse) time.Duration {
	d := u.self - before.self
	for pid, c := range u.backends {
		d += c - before.backends[pid] // a new backend started from zero
	}
	return d
}

// serverCPU reads this process's rusage and, from /proc, the user and
// system time of the database's backends (clock ticks of 10 ms: use over
// many requests).
func serverCPU(t *testing.T, db *postgres.DB) cpuUse {
	t.Helper()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	u := cpuUse{self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), backends: map[int]time.Duration{}}
	rows, err := db.Pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		t.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // another machine's server: CPU of this process only
		}
		// Fields after the command (which ends at the last ')'): state is
		// field 3; utime and stime are fields 14 and 15.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		u.backends[int(pid)] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return u
}
