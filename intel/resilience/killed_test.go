package resilience

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// TestConnectionKilledMidTransaction kills (pg_terminate_backend) the
// connection of a request whose transaction has written a row and is in
// the middle of writing the next: the request gets 503, nothing of it is
// stored, and the next request succeeds on a fresh connection.
func TestConnectionKilledMidTransaction(t *testing.T) {
	cl := privateCluster(t)
	s := newService(t, cl)

	r := s.do("person", "analyst", "POST", "/api/v1/people", map[string]any{"kind": "young_person",
		"pseudonym": "YP-KILL", "district": "E07000028", "age_band": "13-15"})
	if r.status != http.StatusCreated {
		t.Fatalf("create person: %d %s", r.status, r.body)
	}
	var person struct{ ID int64 }
	if err := json.Unmarshal(r.body, &person); err != nil {
		t.Fatal(err)
	}

	// A hook that makes one agency's writes slow where it hurts: after the
	// event row is inserted, while its participants are written.
	if err := adminExec(context.Background(), s.adminURL, `CREATE FUNCTION slow_participant() RETURNS trigger
		LANGUAGE plpgsql AS $$ BEGIN
			IF (SELECT source_agency FROM events WHERE id = NEW.event_id) = 'Slow agency' THEN PERFORM pg_sleep(60); END IF;
			RETURN NEW;
		END $$`,
		`CREATE TRIGGER slow_participant BEFORE INSERT ON event_people FOR EACH ROW EXECUTE FUNCTION slow_participant()`); err != nil {
		t.Fatal(err)
	}

	body := event("killed", "Slow agency")
	body["people"] = []int64{person.ID}
	done := make(chan result, 1)
	go func() { done <- s.do("create", "analyst", "POST", "/api/v1/events", body) }()
	dbName := s.adminURL[strings.LastIndex(s.adminURL, "/")+1 : strings.Index(s.adminURL, "?")]
	pid := waitForBackend(t, cl.AdminURL, `SELECT pid FROM pg_stat_activity
		WHERE datname = $1 AND wait_event = 'PgSleep' AND application_name = 'contextmap'`, dbName)
	if err := adminExec(context.Background(), cl.AdminURL, `SELECT pg_terminate_backend(`+itoa(pid)+`)`); err != nil {
		t.Fatal(err)
	}
	r = <-done
	r.op = "create (killed)"
	checkUnavailable(t, r)

	if n := count(t, s.adminURL, `SELECT count(*) FROM events WHERE ext_ref = 'killed'`); n != 0 {
		t.Errorf("the killed request's event is stored (%d)", n)
	}
	if n := count(t, s.adminURL, `SELECT count(*) FROM event_people WHERE person_id = $1`, person.ID); n != 0 {
		t.Errorf("the killed request's participants are stored (%d)", n)
	}
	// The same write without the hook's agency goes through at once.
	body = event("after-kill", "Police")
	body["people"] = []int64{person.ID}
	if r := s.do("create", "analyst", "POST", "/api/v1/events", body); r.status != http.StatusCreated {
		t.Errorf("create after the kill: %d %s", r.status, r.body)
	}
	if r := s.ready(); r.status != http.StatusOK {
		t.Errorf("/readyz after the kill: %d %s", r.status, r.body)
	}
}

// TestBulkLoadKilled kills the bulk import's connection mid-transaction:
// it fails, leaves nothing, and succeeds when run again.
func TestBulkLoadKilled(t *testing.T) {
	ctx := context.Background()
	cl := privateCluster(t)
	db, adminURL := bulkDB(t)
	done := make(chan error, 1)
	go func() {
		_, err := bulkImport(ctx, db)
		done <- err
	}()
	dbName := adminURL[strings.LastIndex(adminURL, "/")+1 : strings.Index(adminURL, "?")]
	// Its advisory lock is held for the whole transaction; the kill lands
	// once the import has moved past taking it.
	pid := waitForBackend(t, cl.AdminURL, `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1 AND a.query NOT LIKE '%pg_advisory_xact_lock%'`, dbName)
	if err := adminExec(ctx, cl.AdminURL, `SELECT pg_terminate_backend(`+itoa(pid)+`)`); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the bulk import did not end when its connection was killed")
	}
	if err == nil {
		t.Fatal("the bulk import succeeded although its connection was killed")
	}
	if code := intel.ErrorCode(err); code != intel.EUNAVAILABLE {
		t.Errorf("the killed import failed with %s (%v), want %s (503: retry)", code, err, intel.EUNAVAILABLE)
	}
	t.Logf("the bulk import failed: %v", err)
	if imported(t, adminURL) {
		t.Fatal("the killed bulk import is all there")
	}
	if _, err := bulkImport(ctx, db); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if !imported(t, adminURL) {
		t.Error("the re-run import left nothing")
	}
}

// TestStuckBehindALock: a request whose query waits on a lock held
// elsewhere ends with 503 at the request timeout, not later, and its
// statement is cancelled on the server too, so it holds no connection
// slot and no place in the lock queue for nobody.
func TestStuckBehindALock(t *testing.T) {
	ctx := context.Background()
	cl := privateCluster(t)
	s := newService(t, cl)
	if r := s.create("before-lock"); r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	locker, err := pgxConnect(ctx, s.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE events IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := s.list()
	took := time.Since(start)
	r.op = "list (behind a lock)"
	checkUnavailable(t, r)
	if !strings.Contains(string(r.body), "too long") {
		t.Errorf("503 behind a lock says %s, want that the request took too long", r.body)
	}
	t.Logf("answered after %s (request timeout %s)", took.Round(time.Millisecond), requestTimeout)

	// The server gave up the statement too: no contextmap backend still
	// waits for the lock.
	dbName := s.adminURL[strings.LastIndex(s.adminURL, "/")+1 : strings.Index(s.adminURL, "?")]
	deadline := time.Now().Add(15 * time.Second)
	for {
		n := count(t, cl.AdminURL, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1
			AND application_name = 'contextmap' AND wait_event_type = 'Lock'`, dbName)
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d statements still wait for the lock on the server after their request ended", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if r := s.list(); r.status != http.StatusOK {
		t.Errorf("list once the lock is gone: %d %s", r.status, r.body)
	}
}
