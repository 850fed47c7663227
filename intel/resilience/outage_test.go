package resilience

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDatabaseOutage stops PostgreSQL under load and a bulk load, then
// starts it again: cleanly (pg_ctl stop -m fast: clients are told, open
// transactions roll back) and as a crash (-m immediate: backends die
// without a word, the restart runs crash recovery).
//
// The bulk load is an import of a synthetic file of some 11,000 records in
// one batch, as `contextmap import` runs it (store level, no request
// timeout).
func TestDatabaseOutage(t *testing.T) {
	for _, mode := range []string{"fast", "immediate"} {
		t.Run(mode, func(t *testing.T) { testOutage(t, mode) })
	}
}

func testOutage(t *testing.T, mode string) {
	ctx := context.Background()
	cl := privateCluster(t)
	s := newService(t, cl)
	bulk, bulkAdmin := bulkDB(t)

	for _, r := range []result{s.ready(), s.create("before"), s.list(), s.me()} {
		if r.err != nil || r.status/100 != 2 {
			t.Fatalf("%s before the outage: %d %v %.300s", r.op, r.status, r.err, r.body)
		}
	}

	// Load: three clients reading, writing and probing readiness until told
	// to stop, through the outage and the recovery.
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var r result
				switch i % 4 {
				case 0:
					r = s.list()
				case 1:
					r = s.create(fmt.Sprintf("%s-w%d-%d", mode, w, i))
				case 2:
					r = s.me()
				case 3:
					r = s.ready()
				}
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	loadDone := make(chan error, 1)
	go func() {
		_, err := bulkImport(ctx, bulk)
		loadDone <- err
	}()
	// The importer holds an advisory lock for the whole of its
	// transaction: once it is granted, the import is writing.
	bulkName := bulkAdmin[strings.LastIndex(bulkAdmin, "/")+1 : strings.Index(bulkAdmin, "?")]
	waitForBackend(t, cl.AdminURL, `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1`, bulkName)
	stopCluster(t, mode)

	// In the gap: every kind of request is answered at once with 503.
	for _, r := range []result{s.list(), s.create(mode + "-gap"), s.me(), s.ready()} {
		checkUnavailable(t, r)
	}
	if r := s.do("healthz", "", "GET", "/healthz", nil); r.status != http.StatusOK {
		t.Errorf("/healthz in the gap: %d, want 200 (the process itself is fine)", r.status)
	}
	var loadErr error
	select {
	case loadErr = <-loadDone:
	case <-time.After(requestTimeout + 10*time.Second):
		t.Fatal("the bulk load did not end when the database went away")
	}
	time.Sleep(time.Second) // the load keeps hitting the stopped database

	startCluster(t)
	s.waitReady(time.Minute) // the same server: no restart
	close(stop)
	wg.Wait()

	for _, r := range []result{s.create(mode + "-after"), s.list(), s.me()} {
		if r.err != nil || r.status/100 != 2 {
			t.Errorf("%s after recovery: %d %v %.300s", r.op, r.status, r.err, r.body)
		}
	}

	// Every answer under load was a success or a well-formed 503.
	byStatus := map[string]int{}
	for _, r := range results {
		byStatus[fmt.Sprintf("%s %d", r.op, r.status)]++
		switch {
		case r.err != nil:
			t.Errorf("%s under load: no answer (a hang?): %v", r.op, r.err)
		case r.status == http.StatusOK || r.status == http.StatusCreated:
		case r.status == http.StatusServiceUnavailable:
			checkProblem(t, r)
		default:
			t.Errorf("%s under load: status %d, want 2xx or 503: %.300s", r.op, r.status, r.body)
		}
	}
	t.Logf("answers under load: %v", byStatus)

	// Acknowledged writes survived, even the crash (synchronous_commit is
	// on); the write refused in the gap is absent.
	for _, r := range results {
		if r.op == "create" && r.status == http.StatusCreated {
			if n := count(t, s.adminURL, `SELECT count(*) FROM events WHERE ext_ref = $1`, r.extRef); n != 1 {
				t.Errorf("event %s was acknowledged with 201 but %d are stored", r.extRef, n)
			}
		}
	}
	if n := count(t, s.adminURL, `SELECT count(*) FROM events WHERE ext_ref = $1`, mode+"-gap"); n != 0 {
		t.Errorf("the event refused with 503 in the gap is stored")
	}

	// The bulk load completed or left nothing; if nothing, a re-run works.
	if imported(t, bulkAdmin) {
		t.Logf("the bulk import committed before the stop (it returned %v)", loadErr)
	} else {
		t.Logf("the bulk import was cut off and left nothing: %v", loadErr)
		if loadErr == nil {
			t.Error("the bulk import reported success but left nothing")
		}
		if _, err := bulkImport(ctx, bulk); err != nil {
			t.Fatalf("re-running the bulk import after recovery: %v", err)
		}
		if !imported(t, bulkAdmin) {
			t.Error("the re-run bulk import left nothing")
		}
	}
}
