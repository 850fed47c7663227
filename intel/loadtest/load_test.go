package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/intel/synth"
	"github.com/contextmap/contextmap/intel/synth/synthtest"
)

// Settings of the load test, from the environment.
const (
	envLoad     = "CONTEXTMAP_LOAD"          // 1 runs it
	envClients  = "CONTEXTMAP_LOAD_CLIENTS"  // concurrent clients, default 50
	envDuration = "CONTEXTMAP_LOAD_DURATION" // measured time, default 2m
	envWarmup   = "CONTEXTMAP_LOAD_WARMUP"   // unmeasured time first, default 20s
	envSmall    = "CONTEXTMAP_LOAD_SMALL"    // 1: a small data set, to try the test out
	envReport   = "CONTEXTMAP_LOAD_REPORT"   // file to write the results table to
)

// TestLoad starts the service (the built binary, as users run it) on a copy
// of the national data set and runs a realistic mix of requests from many
// concurrent clients, each with its own token: analysts, police, district
// practitioners and partners. It fails on any error (status 4xx/5xx or a
// transport error) and reports p50/p95/p99 per route, throughput and the
// service's peak memory. No timing threshold: the figures go to
// docs/BENCHMARKS.md.
func TestLoad(t *testing.T) {
	if os.Getenv(envLoad) != "1" {
		t.Skipf("set %s=1 (and have a few minutes) to run the national load test; `make bench` does", envLoad)
	}
	clients := envInt(t, envClients, 50)
	duration := envDur(t, envDuration, 2*time.Minute)
	warmup := envDur(t, envWarmup, 20*time.Second)
	opt := synthtest.National
	if os.Getenv(envSmall) == "1" {
		opt = synth.Options{Seed: 1, People: 5_000, Events: 100_000}
	}
	ctx := context.Background()

	began := time.Now()
	db, url := pgtest.FromTemplateURL(t, synthtest.Template(t, opt))
	t.Logf("data set ready in %s (people %d, events %d)", time.Since(began).Round(time.Second), opt.People, opt.Events)

	// Fixtures: districts, with a point inside each for records written
	// there; places to profile; towns to centre boxes on.
	var districts []string
	points := map[string][2]float64{}
	rows, err := db.Pool.Query(ctx, `SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) p FROM districts) d ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		var x, y float64
		if err := rows.Scan(&c, &x, &y); err != nil {
			t.Fatal(err)
		}
		districts = append(districts, c)
		points[c] = [2]float64{x, y}
	}
	if err := rows.Err(); err != nil || len(districts) == 0 {
		t.Fatalf("districts: %d, %v", len(districts), err)
	}
	var places []int64
	if err := db.Pool.QueryRow(ctx, `SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM places ORDER BY hashint8(id) LIMIT 5000) p`).Scan(&places); err != nil {
		t.Fatal(err)
	}

	// One token per client. Half analysts, a fifth police, the rest
	// district practitioners (each in one district) and partners.
	type client struct {
		role     intel.Role
		token    string
		district string
	}
	cls := make([]client, clients)
	for i := range cls {
		var role intel.Role
		switch k := i % 20; {
		case k < 10:
			role = intel.RoleAnalyst
		case k < 14:
			role = intel.RolePolice
		case k < 17:
			role = intel.RoleDistrict
		default:
			role = intel.RolePartner
		}
		c := client{role: role, district: districts[i%len(districts)]}
		var ds []string
		if role == intel.RoleDistrict {
			ds = []string{c.district}
		}
		if c.token, _, err = db.CreateToken(ctx, fmt.Sprintf("load client %d", i), role, ds, nil); err != nil {
			t.Fatal(err)
		}
		cls[i] = c
	}

	srv := startService(t, url)

	// The networks are computed by the service's background job at start;
	// wait for them, as a user would see them after the first run.
	analyst := cls[0].token
	var networkIDs []string
	deadline := time.Now().Add(20 * time.Minute)
	for {
		var nl intel.NetworkList
		st, body := get(srv.client, srv.base+"/api/v1/networks?limit=200", analyst)
		if st == http.StatusOK {
			if err := json.Unmarshal(body, &nl); err != nil {
				t.Fatalf("networks: %v", err)
			}
		}
		if nl.ComputedAt != nil && !nl.Stale {
			for _, n := range nl.Items {
				networkIDs = append(networkIDs, n.ID)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("networks not computed within 20 minutes (last status %d)", st)
		}
		time.Sleep(2 * time.Second)
	}
	if len(networkIDs) == 0 {
		t.Fatal("no networks listed")
	}
	t.Logf("service ready, networks computed, %s after start", time.Since(srv.started).Round(time.Second))

	mix := requestMix(districts, points, places, networkIDs, synth.GBTowns)

	var (
		measuring atomic.Bool
		stop      atomic.Bool
		mu        sync.Mutex
		stats     = map[string]*routeStats{}
		failures  []string
	)
	record := func(route string, d time.Duration, status int, err error, body []byte) {
		if !measuring.Load() {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		s := stats[route]
		if s == nil {
			s = &routeStats{}
			stats[route] = s
		}
		s.times = append(s.times, d)
		s.bytes += int64(len(body))
		if err != nil || status >= 400 {
			s.errors++
			if len(failures) < 20 {
				msg := fmt.Sprint(err)
				if err == nil {
					msg = fmt.Sprintf("%d %.200s", status, body)
				}
				failures = append(failures, route+": "+msg)
			}
		}
	}

	// Peak resident memory of the service while it is measured.
	var peakRSS atomic.Int64
	memDone := make(chan struct{})
	go func() {
		defer close(memDone)
		for !stop.Load() {
			if measuring.Load() {
				if rss := procKB(srv.cmd.Process.Pid, "VmRSS:"); rss > peakRSS.Load() {
					peakRSS.Store(rss)
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()

	var wg sync.WaitGroup
	for i, c := range cls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			kinds := mix.forRole(c.role)
			for !stop.Load() {
				k := kinds.pick(rng)
				method, path, body := k.build(rng, c.district)
				t0 := time.Now()
				st, resp, err := do(srv.client, method, srv.base+path, c.token, body)
				record(k.route, time.Since(t0), st, err, resp)
			}
		}()
	}
	time.Sleep(warmup)
	measuring.Store(true)
	t0 := time.Now()
	svc0 := procCPU(srv.cmd.Process.Pid)
	busy0, all0 := machineBusy()
	time.Sleep(duration)
	measuring.Store(false)
	elapsed := time.Since(t0)
	svc1 := procCPU(srv.cmd.Process.Pid)
	busy1, all1 := machineBusy()
	stop.Store(true)
	wg.Wait()
	<-memDone

	report := formatReport(stats, elapsed, clients, peakRSS.Load(), procKB(srv.cmd.Process.Pid, "VmHWM:"), opt)
	report += fmt.Sprintf("\nCPU while measured: the service process %.0f s, the whole machine %.0f s busy of %.0f s (%d CPUs; the rest is PostgreSQL, the load clients and anything else running).\n",
		svc1-svc0, busy1-busy0, all1-all0, runtime.NumCPU())
	t.Log("\n" + report)
	if f := os.Getenv(envReport); f != "" {
		if err := os.WriteFile(f, []byte(report), 0o644); err != nil {
			t.Error(err)
		}
	}
	for _, f := range failures {
		t.Errorf("failed request: %s", f)
	}
	total := 0
	for _, s := range stats {
		total += s.errors
	}
	if total > 0 {
		t.Errorf("%d failed requests under load; want none", total)
	}
}

type routeStats struct {
	times  []time.Duration
	errors int
	bytes  int64
}

// service is the contextmap binary serving on a loopback port.
type service struct {
	cmd     *exec.Cmd
	base    string
	client  *http.Client
	started time.Time
}

func startService(t *testing.T, url string) *service {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "contextmap")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/contextmap")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build the service: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(filepath.Join(dir, "service.log"))
	if err != nil {
		t.Fatal(err)
	}
	// The rate limit is off: every client here comes from one address.
	cmd := exec.Command(bin, "serve", "--database-url", url, "--listen", addr, "--rate-limit", "0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "CONTEXTMAP_REF_KEY="+string(pgtest.RefKey), "CONTEXTMAP_AUDIT_KEY="+string(pgtest.AuditKey))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &service{cmd: cmd, base: "http://" + addr, started: time.Now(),
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("service log (tail):\n%s", b)
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if st, _ := get(s.client, s.base+"/readyz", ""); st == http.StatusOK {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatal("the service was not ready within 2 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func do(c *http.Client, method, url, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Purpose", "load test")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func get(c *http.Client, url, token string) (int, []byte) {
	st, b, _ := do(c, "GET", url, token, nil)
	return st, b
}

// procCPU is the user and system CPU seconds process pid has used.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64) // utime, field 14
	s, _ := strconv.ParseFloat(f[12], 64) // stime, field 15
	return (u + s) / 100                  // USER_HZ
}

// machineBusy is the machine's busy and total CPU seconds so far, from
// /proc/stat.
func machineBusy() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, v := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy / 100, total / 100
}

// procKB reads a field in kB (VmRSS:, VmHWM:) of /proc/pid/status.
func procKB(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func formatReport(stats map[string]*routeStats, elapsed time.Duration, clients int, peakKB, hwmKB int64, opt synth.Options) string {
	var b strings.Builder
	routes := make([]string, 0, len(stats))
	n, errs := 0, 0
	for r, s := range stats {
		routes = append(routes, r)
		n += len(s.times)
		errs += s.errors
	}
	slices.Sort(routes)
	fmt.Fprintf(&b, "%d clients for %s on %d young people and %d events: %d requests, %.1f requests/s, %d errors; service peak RSS %.0f MiB under load (%.0f MiB high-water mark since start)\n\n",
		clients, elapsed.Round(time.Second), opt.People, opt.Events, n, float64(n)/elapsed.Seconds(), errs, float64(peakKB)/1024, float64(hwmKB)/1024)
	b.WriteString("| route | requests | share | errors | p50 | p95 | p99 | max | mean answer |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range routes {
		s := stats[r]
		slices.Sort(s.times)
		q := func(p float64) string { return ms(s.times[min(len(s.times)-1, int(p*float64(len(s.times))))]) }
		fmt.Fprintf(&b, "| %s | %d | %.1f%% | %d | %s | %s | %s | %s | %.0f kB |\n", r, len(s.times),
			100*float64(len(s.times))/float64(n), s.errors, q(0.50), q(0.95), q(0.99), ms(s.times[len(s.times)-1]),
			float64(s.bytes)/float64(len(s.times))/1024)
	}
	return b.String()
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s: want a positive integer, got %q", name, v)
	}
	return n
}

func envDur(t *testing.T, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		t.Fatalf("%s: want a duration such as 2m, got %q", name, v)
	}
	return d
}
