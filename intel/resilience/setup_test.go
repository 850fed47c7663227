package resilience

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/httpapi"
	"github.com/contextmap/contextmap/intel/localdb"
	"github.com/contextmap/contextmap/intel/postgres"
)

// The package's private cluster, made on first use and removed by TestMain.
// Tests that stop it run one after another (none is parallel).
var (
	clusterOnce sync.Once
	clusterDir  string // its home; the parent of the replicas' homes too
	cluster     *localdb.Cluster
	clusterErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if clusterDir != "" {
		entries, _ := os.ReadDir(clusterDir)
		// Replicas first: a standby whose primary is gone keeps retrying.
		for _, e := range entries {
			if e.IsDir() && strings.HasPrefix(e.Name(), "replica") {
				if err := localdb.Remove(filepath.Join(clusterDir, e.Name())); err != nil {
					fmt.Fprintln(os.Stderr, "remove replica:", err)
				}
			}
		}
		if err := localdb.Remove(filepath.Join(clusterDir, "primary")); err != nil {
			fmt.Fprintln(os.Stderr, "remove cluster:", err)
		}
		os.RemoveAll(clusterDir)
	}
	os.Exit(code)
}

// privateCluster returns the package's own running cluster, starting it if
// a test left it stopped.
func privateCluster(t *testing.T) *localdb.Cluster {
	t.Helper()
	clusterOnce.Do(func() {
		// /tmp and 0755: the postgres user must reach the data directory.
		clusterDir, clusterErr = os.MkdirTemp("/tmp", "contextmap-resilience-")
		if clusterErr != nil {
			return
		}
		if clusterErr = os.Chmod(clusterDir, 0o755); clusterErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cluster, clusterErr = localdb.Ensure(ctx, localdb.Options{Dir: filepath.Join(clusterDir, "primary"), Install: true})
		if clusterErr != nil {
			return
		}
		// The shared test cluster trades durability for speed
		// (synchronous_commit = off); these tests check that an
		// acknowledged write survives a crash, so they need it on, as
		// production has it.
		clusterErr = adminExec(ctx, cluster.AdminURL, `ALTER SYSTEM SET synchronous_commit = on`, `SELECT pg_reload_conf()`)
	})
	if clusterErr != nil {
		t.Fatalf("private cluster: %v", clusterErr)
	}
	startCluster(t)
	return cluster
}

func primaryDir() string { return filepath.Join(clusterDir, "primary") }

// stopCluster stops the private cluster: "fast" (clients are told, open
// transactions roll back) or "immediate" (a crash).
func stopCluster(t *testing.T, mode string) {
	t.Helper()
	var err error
	if mode == "immediate" {
		err = localdb.Crash(primaryDir())
	} else {
		err = localdb.Stop(primaryDir())
	}
	if err != nil {
		t.Fatalf("stop the cluster (%s): %v", mode, err)
	}
}

func startCluster(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := localdb.Ensure(ctx, localdb.Options{Dir: primaryDir()}); err != nil {
		t.Fatalf("start the cluster: %v", err)
	}
}

func adminExec(ctx context.Context, url string, sql ...string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for _, q := range sql {
		if _, err := c.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// withDB replaces the database of a connection URL.
func withDB(u, db string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	p.Path = "/" + db
	return p.String()
}

// newDatabase makes an empty database on the private cluster, owned by the
// app role, and returns its app and superuser URLs.
func newDatabase(t *testing.T, cl *localdb.Cluster) (appURL, adminURL string) {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "res_" + hex.EncodeToString(b)
	if err := adminExec(context.Background(), cl.AdminURL, `CREATE DATABASE `+name+` OWNER contextmap`); err != nil {
		t.Fatal(err)
	}
	return withDB(cl.URL, name), withDB(cl.AdminURL, name)
}

// service is the HTTP service on its own database of the private cluster,
// listening on a loopback port.
type service struct {
	t        *testing.T
	db       *postgres.DB
	adminURL string // superuser on the service's database
	srv      *httpapi.Server
	base     string
	client   *http.Client
	tokens   map[string]string
}

// requestTimeout is short so that a request stuck on the database ends
// within the test's patience.
const requestTimeout = 4 * time.Second

func newService(t *testing.T, cl *localdb.Cluster) *service {
	t.Helper()
	return newServiceWith(t, cl, nil)
}

// newServiceWith is newService that calls setup with the database, migrated
// and holding the districts, before the server starts.
func newServiceWith(t *testing.T, cl *localdb.Cluster, setup func(db *postgres.DB, adminURL string)) *service {
	t.Helper()
	ctx := context.Background()
	appURL, adminURL := newDatabase(t, cl)
	db, err := postgres.Open(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.RefKey, db.AuditKey = []byte("resilience-ref"), []byte("resilience-audit")
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	districts, err := os.ReadFile("../demo/data/cumbria_districts.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDistricts(ctx, districts, "lad_code", "lad_name"); err != nil {
		t.Fatal(err)
	}
	s := &service{t: t, db: db, adminURL: adminURL, tokens: map[string]string{}}
	for _, r := range []intel.Role{intel.RoleAnalyst, intel.RoleAdmin} {
		secret, _, err := db.CreateToken(ctx, "resilience "+string(r), r, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[string(r)] = secret
	}
	if setup != nil {
		setup(db, adminURL)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	cfg := httpapi.DefaultConfig
	cfg.RequestTimeout = requestTimeout
	cfg.RateLimit = 0
	s.srv = httpapi.New(db, log, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.srv.App.Listener(ln)
	t.Cleanup(func() { _ = s.srv.App.ShutdownWithTimeout(5 * time.Second) })
	s.base = "http://" + ln.Addr().String()
	// A hang is a request that outlives its timeout by far: the client
	// gives up then, and the test counts that as a failure.
	s.client = &http.Client{Timeout: requestTimeout + 10*time.Second}
	return s
}

// result is one request's outcome.
type result struct {
	op         string
	status     int
	retryAfter string
	ctype      string
	body       []byte
	err        error // transport error or client timeout: a hang
	extRef     string
}

func (s *service) do(op, role, method, path string, body any) result {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	}
	req.Header.Set("X-Purpose", "resilience test")
	resp, err := s.client.Do(req)
	if err != nil {
		return result{op: op, err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{op: op, status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
		ctype: resp.Header.Get("Content-Type"), body: b, err: err}
}

// event is a valid event in Carlisle with a unique ext_ref.
func event(extRef, agency string) map[string]any {
	return map[string]any{"kind": "sighting", "from": "2024-03-01T21:00:00Z", "to": "2024-03-01T23:00:00Z",
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{-2.9340, 54.8925}},
		"grade":    "2BP", "source_agency": agency, "ext_ref": extRef}
}

// The requests the load and the checks make.
func (s *service) list() result { return s.do("list", "analyst", "GET", "/api/v1/events?limit=5", nil) }
func (s *service) ready() result {
	return s.do("ready", "", "GET", "/readyz", nil)
}
func (s *service) me() result { return s.do("me", "analyst", "GET", "/api/v1/me", nil) }
func (s *service) create(extRef string) result {
	r := s.do("create", "analyst", "POST", "/api/v1/events", event(extRef, "Resilience test"))
	r.extRef = extRef
	return r
}

// checkUnavailable fails unless r is a well-formed 503: problem+json,
// Retry-After, and no internals in the body.
func checkUnavailable(t *testing.T, r result) {
	t.Helper()
	if r.err != nil {
		t.Errorf("%s: no answer (a hang?): %v", r.op, r.err)
		return
	}
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("%s: status %d, want 503: %.300s", r.op, r.status, r.body)
		return
	}
	checkProblem(t, r)
}

func checkProblem(t *testing.T, r result) {
	t.Helper()
	if r.retryAfter != "5" {
		t.Errorf("%s: 503 with Retry-After %q, want 5", r.op, r.retryAfter)
	}
	if !strings.HasPrefix(r.ctype, "application/problem+json") {
		t.Errorf("%s: 503 as %q, want application/problem+json", r.op, r.ctype)
	}
	for _, leak := range []string{"goroutine ", ".go:", "panic", "pgconn", "dial tcp", "127.0.0.1"} {
		if bytes.Contains(r.body, []byte(leak)) {
			t.Errorf("%s: 503 body leaks internals (%q): %.300s", r.op, leak, r.body)
		}
	}
}

// waitReady polls /readyz until it answers 200.
func (s *service) waitReady(within time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := s.ready()
		if r.err == nil && r.status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("/readyz not ready %s after the database came back: %d %v %.200s", within, r.status, r.err, r.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// count runs a count query as superuser on the given database.
func count(t *testing.T, adminURL, q string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitForBackend polls until q (run as superuser on the cluster's postgres
// database) returns a backend pid, and returns it.
func waitForBackend(t *testing.T, adminURL, q string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for {
		var pid int
		err := c.QueryRow(ctx, q, args...).Scan(&pid)
		if err == nil {
			return pid
		}
		if err != pgx.ErrNoRows {
			t.Fatalf("%s: %v", q, err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no backend found by %s", q)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func pgxConnect(ctx context.Context, url string) (*pgx.Conn, error) { return pgx.Connect(ctx, url) }
