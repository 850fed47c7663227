package resilience

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextmap/contextmap/intel/localdb"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/report"
)

// TestReadReplica runs the service with READ_DATABASE_URL pointing at a
// streaming replica of its database (pg_basebackup -R, a second cluster on
// another loopback port) and checks where reads and writes go, what a read
// right after a write sees, and what happens when the replica falls behind,
// goes down and comes back.
func TestReadReplica(t *testing.T) {
	ctx := context.Background()
	cl := privateCluster(t)
	replicaDir := filepath.Join(clusterDir, "replica")
	var (
		rep     *localdb.Cluster
		readURL string
	)
	s := newServiceWith(t, cl, func(db *postgres.DB, _ string) {
		var err error
		rep, err = localdb.CreateReplica(ctx, primaryDir(), replicaDir, nil)
		if err != nil {
			t.Fatalf("CreateReplica: %v", err)
		}
		t.Cleanup(func() {
			if err := localdb.Remove(replicaDir); err != nil {
				t.Errorf("remove the replica: %v", err)
			}
		})
		readURL = withDB(rep.URL, db.Pool.Config().ConnConfig.Database)
		if err := db.OpenReader(ctx, readURL, postgres.ReaderOptions{CheckEvery: 100 * time.Millisecond, MaxLag: -1}); err != nil {
			t.Fatalf("OpenReader: %v", err)
		}
	})
	db := s.db
	replicaAdmin := withDB(rep.AdminURL, "postgres")

	// Reads through Reader go to the replica, a standby; Pool and
	// WithPrimary go to the primary.
	if port, standby := where(t, db.Reader(ctx)); port != rep.Port || !standby {
		t.Fatalf("Reader answers from port %d (standby %v), want the replica on %d", port, standby, rep.Port)
	}
	if port, standby := where(t, db.Pool); port != cl.Port || standby {
		t.Fatalf("Pool answers from port %d (standby %v), want the primary on %d", port, standby, cl.Port)
	}
	if port, _ := where(t, db.Reader(postgres.WithPrimary(ctx))); port != cl.Port {
		t.Errorf("Reader(WithPrimary) answers from port %d, want the primary on %d", port, cl.Port)
	}
	if inUse := readyReplica(t, s); !inUse {
		t.Error("/readyz says the replica is not in use")
	}

	// Writes go to the primary (the replica would refuse them with 25006),
	// and reach the replica a moment later.
	if r := s.create("to-primary"); r.status != http.StatusCreated {
		t.Fatalf("create with a replica configured: %d %s", r.status, r.body)
	}
	eventually(t, "the write reaches the replica", func() bool {
		return countOn(t, db.ReadPool, `SELECT count(*) FROM events WHERE ext_ref = 'to-primary'`) == 1
	})

	// Lag: with replay paused, a write is not yet on the replica, so a
	// read through Reader right after it does not see it; a read on the
	// primary does. Replay resumes and the read catches up.
	pauseReplay(t, replicaAdmin)
	addDistrict(t, db, "E99999999")
	if n := apiDistricts(t, s); n != 6 {
		t.Errorf("GET /districts right after a district was added, replay paused: %d districts, want the replica's 6", n)
	}
	if ds, err := db.ListDistricts(postgres.WithPrimary(ctx), false); err != nil || len(ds) != 7 {
		t.Errorf("ListDistricts on the primary: %d, %v; want 7", len(ds), err)
	}
	resumeReplay(t, replicaAdmin)
	eventually(t, "the replica catches up", func() bool { return apiDistricts(t, s) == 7 })

	// Map, OGC and report reads go to the replica too: with replay
	// paused, a missing episode written on the primary is in none of them
	// until replay resumes.
	reads := []struct {
		name string
		n    func() int
	}{
		{"hotspot map", func() int { return hotspotEvents(t, s) }},
		{"OGC events items", func() int { return ogcMatched(t, s) }},
		{"missing-episode report", func() int { return missingEpisodes(t, s) }},
	}
	before := make([]int, len(reads))
	for i, r := range reads {
		before[i] = r.n()
	}
	pauseReplay(t, replicaAdmin)
	ep := event("paused-write", "Resilience test")
	ep["kind"] = "missing_episode"
	if r := s.do("create", "analyst", "POST", "/api/v1/events", ep); r.status != http.StatusCreated {
		t.Fatalf("create with replay paused: %d %s", r.status, r.body)
	}
	for i, r := range reads {
		if n := r.n(); n != before[i] {
			t.Errorf("%s right after a write, replay paused: %d events, want the replica's %d", r.name, n, before[i])
		}
	}
	resumeReplay(t, replicaAdmin)
	for i, r := range reads {
		eventually(t, r.name+" catches up", func() bool { return r.n() == before[i]+1 })
	}

	// A replica further behind than MaxLag is taken out of use until it
	// catches up.
	strict, err := postgres.Open(ctx, withDB(cl.URL, db.Pool.Config().ConnConfig.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	if err := strict.OpenReader(ctx, readURL, postgres.ReaderOptions{CheckEvery: 100 * time.Millisecond, MaxLag: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a replica that keeps up is in use", func() bool { return strict.Reader(ctx) == strict.ReadPool })
	pauseReplay(t, replicaAdmin)
	addDistrict(t, db, "E99999998")
	eventually(t, "a replica behind is out of use", func() bool { return strict.Reader(ctx) == strict.Pool })
	if _, lag := strict.ReaderHealthy(); lag <= time.Millisecond {
		t.Errorf("replica out of use with a measured lag of %s, want over 1ms", lag)
	}
	if ds, err := strict.ListDistricts(ctx, false); err != nil || len(ds) != 8 {
		t.Errorf("ListDistricts with the replica behind: %d, %v; want the primary's 8", len(ds), err)
	}
	resumeReplay(t, replicaAdmin)
	eventually(t, "a replica that caught up is back in use", func() bool { return strict.Reader(ctx) == strict.ReadPool })

	// The replica crashes: no read fails, and reads move to the primary.
	if err := localdb.Crash(replicaDir); err != nil {
		t.Fatal(err)
	}
	// The first read after the crash is an OGC page with its count (a
	// batch of two queries), then maps and lists by turns.
	after := []string{"/ogc/collections/events/items?limit=1",
		"/api/v1/maps/hotspots?method=count&district=E07000028&from=2024-03-01&to=2024-03-31",
		"/api/v1/districts"}
	for i := range 21 {
		path := after[i%len(after)]
		if r := s.do("after crash", "analyst", "GET", path, nil); r.status != http.StatusOK {
			t.Fatalf("GET %s (#%d) after the replica crashed: %d %s", path, i, r.status, r.body)
		}
	}
	eventually(t, "reads fall back to the primary", func() bool { return db.Reader(ctx) == db.Pool })
	if inUse := readyReplica(t, s); inUse {
		t.Error("/readyz says the crashed replica is in use")
	}
	if n := apiDistricts(t, s); n != 8 {
		t.Errorf("GET /districts from the primary: %d, want 8", n)
	}

	// It comes back (and catches up): reads return to it.
	if _, err := localdb.Ensure(ctx, localdb.Options{Dir: replicaDir}); err != nil {
		t.Fatalf("restart the replica: %v", err)
	}
	eventually(t, "reads return to the replica", func() bool { return db.Reader(ctx) == db.ReadPool })
	if port, standby := where(t, db.Reader(ctx)); port != rep.Port || !standby {
		t.Errorf("Reader answers from port %d after the replica came back, want %d", port, rep.Port)
	}
	eventually(t, "the replica has caught up", func() bool { return apiDistricts(t, s) == 8 })
}

// where reports which server a pool reaches: its port, and whether it is a
// standby.
func where(t *testing.T, p *pgxpool.Pool) (port int, standby bool) {
	t.Helper()
	if err := p.QueryRow(context.Background(), `SELECT inet_server_port(), pg_is_in_recovery()`).Scan(&port, &standby); err != nil {
		t.Fatal(err)
	}
	return port, standby
}

func countOn(t *testing.T, p *pgxpool.Pool, q string) int {
	t.Helper()
	var n int
	if err := p.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// eventually polls cond for up to 30 s: replication and health checks are
// asynchronous.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pauseReplay(t *testing.T, replicaAdmin string) {
	t.Helper()
	if err := adminExec(context.Background(), replicaAdmin, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	eventually(t, "replay pauses", func() bool {
		return count(t, replicaAdmin, `SELECT (pg_get_wal_replay_pause_state() = 'paused')::int`) == 1
	})
}

func resumeReplay(t *testing.T, replicaAdmin string) {
	t.Helper()
	if err := adminExec(context.Background(), replicaAdmin, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
}

// addDistrict writes a small district in the Irish Sea on the primary.
func addDistrict(t *testing.T, db *postgres.DB, code string) {
	t.Helper()
	fc := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":%q,"name":"Test %s"},
		"geometry":{"type":"Polygon","coordinates":[[[-3.6,54.0],[-3.5,54.0],[-3.5,54.1],[-3.6,54.1],[-3.6,54.0]]]}}]}`, code, code)
	if _, err := db.LoadDistricts(context.Background(), []byte(fc), "code", "name"); err != nil {
		t.Fatal(err)
	}
}

func apiDistricts(t *testing.T, s *service) int {
	t.Helper()
	r := s.do("districts", "analyst", "GET", "/api/v1/districts", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /districts: %d %s", r.status, r.body)
	}
	var body struct{ Items []json.RawMessage }
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("GET /districts: %v: %s", err, r.body)
	}
	return len(body.Items)
}

func readyReplica(t *testing.T, s *service) bool {
	t.Helper()
	r := s.ready()
	if r.status != http.StatusOK {
		t.Fatalf("/readyz: %d %s", r.status, r.body)
	}
	var body struct {
		ReadReplica *struct {
			InUse bool `json:"in_use"`
		} `json:"read_replica"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.ReadReplica == nil {
		t.Fatalf("/readyz body %s: %v, want read_replica", r.body, err)
	}
	return body.ReadReplica.InUse
}

// hotspotEvents sums the events of the count map's cells over Carlisle in
// March 2024, where the test's events are.
func hotspotEvents(t *testing.T, s *service) int {
	t.Helper()
	r := s.do("hotspots", "analyst", "GET", "/api/v1/maps/hotspots?method=count&district=E07000028&from=2024-03-01&to=2024-03-31", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /maps/hotspots: %d %s", r.status, r.body)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Events int `json:"events"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(r.body, &fc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fc.Features {
		n += f.Properties.Events
	}
	return n
}

// ogcMatched is the OGC events collection's numberMatched.
func ogcMatched(t *testing.T, s *service) int {
	t.Helper()
	r := s.do("ogc", "analyst", "GET", "/ogc/collections/events/items?limit=1", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /ogc/collections/events/items: %d %s", r.status, r.body)
	}
	var fc struct {
		Matched int `json:"numberMatched"`
	}
	if err := json.Unmarshal(r.body, &fc); err != nil {
		t.Fatal(err)
	}
	return fc.Matched
}

// missingEpisodes is the area's missing episodes in March 2024 in the
// missing-episode report.
func missingEpisodes(t *testing.T, s *service) int {
	t.Helper()
	r := s.do("missing", "analyst", "GET", "/api/v1/reports/missing?from=2024-03-01&to=2024-03-31", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /reports/missing: %d %s", r.status, r.body)
	}
	var m report.MissingReport
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	area := slices.IndexFunc(m.Columns, func(c report.Column) bool { return c.Code == report.AreaCode })
	for _, row := range m.Rows {
		if row.Code == report.RowEpisodes && area >= 0 {
			return row.Values[area].Count
		}
	}
	t.Fatalf("no %s row in the missing-episode report", report.RowEpisodes)
	return 0
}
