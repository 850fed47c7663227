package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/httpapi"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/synth/synthtest"
)

// The national benchmark (docs/BENCHMARKS.md): the synthetic national data
// set (100,000 young people, 2,000,000 events), a county-sized box, twelve
// months, 250 m hexagons, Gi*; the service over a real loopback socket,
// against the straightforward PostGIS query on the same data.
//
//	CONTEXTMAP_BENCH_NATIONAL=1 go test ./intel/httpapi -run '^$' -bench HotspotsNational -benchtime 1x -timeout 60m -v

// benchBoxes are county-sized boxes (about 100 × 100 km): the densest
// outside London, and a rural one.
var benchBoxes = []struct {
	name string
	bbox [4]float64
}{
	{"manchester_leeds", [4]float64{-2.95, 53.03, -1.45, 53.93}},
	{"cumbria", [4]float64{-3.60, 54.05, -2.05, 54.95}},
}

const benchPeriod = "from=2025-01-01&to=2025-12-31"

type benchEnv struct {
	db     *postgres.DB
	base   string
	token  string
	client *http.Client
}

func newBenchEnv(b *testing.B) *benchEnv {
	synthtest.Skip(b)
	db := synthtest.DB(b, synthtest.National)
	ctx := context.Background()
	tok, _, err := db.CreateToken(ctx, "bench", intel.RoleAnalyst, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg := httpapi.DefaultConfig
	cfg.RateLimit = 0
	cfg.RequestTimeout = 5 * time.Minute
	srv := httpapi.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.App.Listener(ln) }()
	b.Cleanup(func() { _ = srv.App.Shutdown() })
	return &benchEnv{db: db, base: "http://" + ln.Addr().String(), token: tok, client: &http.Client{Timeout: 5 * time.Minute}}
}

// get requests a path and reads the whole answer, returning its size.
func (e *benchEnv) get(b *testing.B, path string) int64 {
	req, _ := http.NewRequest("GET", e.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return n
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// naiveHotspotSQL is the straightforward PostGIS query: a hexagon grid over
// the box (ST_HexagonGrid takes the edge length, 250/√3 m for 250 m across
// flats) joined with the events it intersects, grouped, each cell's polygon
// in GeoJSON. It only counts events and young people per cell: the Gi* on
// top of it (which the service does too) is not even included.
const naiveHotspotSQL = `
SELECT h.i, h.j, count(DISTINCT e.id) AS events,
       count(DISTINCT ep.person_id) FILTER (WHERE p.kind = 'young_person') AS people,
       ST_AsGeoJSON(ST_Transform(h.geom, 4326), 6)
  FROM ST_HexagonGrid(250 / sqrt(3), ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4326), 27700)) AS h
  JOIN events e ON ST_Intersects(e.geom, ST_Transform(h.geom, 4326))
   AND e.starts_at <= $6 AND e.ends_at >= $5 AND e.kind <> 'crime'
   AND (e.review_date IS NULL OR e.review_date >= current_date)
  LEFT JOIN event_people ep ON ep.event_id = e.id
  LEFT JOIN people p ON p.id = ep.person_id
 GROUP BY h.i, h.j, h.geom`

func (e *benchEnv) naive(b *testing.B, bbox [4]float64) (time.Duration, int) {
	ctx := context.Background()
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)
	tx, err := e.db.Pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	rows, err := tx.Query(ctx, naiveHotspotSQL, bbox[0], bbox[1], bbox[2], bbox[3], from, to)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start), n
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return string(b[:min(len(b), 14)])
}

// BenchmarkHotspotsNational measures, for each box, the median time of
// the service's answer (request sent to last byte read, over loopback)
// and of the straightforward PostGIS query, side by side, with the Go
// allocations per request.
func BenchmarkHotspotsNational(b *testing.B) {
	e := newBenchEnv(b)
	for _, box := range benchBoxes {
		bb := box.bbox
		path := fmt.Sprintf("/api/v1/maps/hotspots?method=gistar&grid=hex&cell=250&%s&bbox=%g,%g,%g,%g", benchPeriod, bb[0], bb[1], bb[2], bb[3])
		b.Run(box.name, func(b *testing.B) {
			for range 3 { // warm the caches and the connection pool
				e.get(b, path)
			}
			var ours []time.Duration
			var size int64
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			const runs = 21
			for range runs {
				t := time.Now()
				size = e.get(b, path)
				ours = append(ours, time.Since(t))
			}
			runtime.ReadMemStats(&m1)
			var naive []time.Duration
			cells := 0
			for range 3 {
				d, n := e.naive(b, bb)
				naive = append(naive, d)
				cells = n
			}
			mo, mn := median(ours), median(naive)
			b.ReportMetric(ms(mo), "ms-median")
			b.ReportMetric(ms(mn), "naive-ms-median")
			b.ReportMetric(float64(mn)/float64(mo), "speedup")
			b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/runs/(1<<20), "MiB-alloc/req")
			b.Logf("%s: service median %.1f ms (min %.1f, max %.1f; %d runs), %d bytes; naive PostGIS median %.0f ms (%d runs, %d cells); speedup %.1f×; Go allocations %.1f MiB/request; load average %s",
				box.name, ms(mo), ms(slices.Min(ours)), ms(slices.Max(ours)), runs, size, ms(mn), len(naive), cells,
				float64(mn)/float64(mo), float64(m1.TotalAlloc-m0.TotalAlloc)/runs/(1<<20), loadAverage())
		})
	}
}

// peakHeap runs f while sampling the heap in use every 2 ms, and returns
// the largest sample above the heap in use before f.
func peakHeap(f func()) uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	base, peak := m.HeapInuse, m.HeapInuse
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var s runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				runtime.ReadMemStats(&s)
				peak = max(peak, s.HeapInuse)
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return peak - base
}

// BenchmarkHotspotsNationalMemory: the same county map at cell sizes from
// 1000 m to 100 m (4 to 200 times the cells): the answer is streamed, so
// the heap peak stays well below the size of the answer, which grows with
// the cells.
func BenchmarkHotspotsNationalMemory(b *testing.B) {
	e := newBenchEnv(b)
	bb := benchBoxes[0].bbox
	for _, method := range []string{"count", "gistar"} {
		for _, cell := range []int{1000, 500, 250, 100} {
			path := fmt.Sprintf("/api/v1/maps/hotspots?method=%s&grid=hex&cell=%d&%s&bbox=%g,%g,%g,%g", method, cell, benchPeriod, bb[0], bb[1], bb[2], bb[3])
			b.Run(fmt.Sprintf("%s_%dm", method, cell), func(b *testing.B) {
				e.get(b, path)
				var size int64
				var ds []time.Duration
				peak := peakHeap(func() {
					for range 5 {
						t := time.Now()
						size = e.get(b, path)
						ds = append(ds, time.Since(t))
					}
				})
				b.ReportMetric(float64(size)/(1<<20), "MiB-answer")
				b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-peak")
				b.ReportMetric(ms(median(ds)), "ms-median")
				b.Logf("%s %d m: answer %.1f MiB, heap peak above idle %.1f MiB, median %.0f ms", method, cell,
					float64(size)/(1<<20), float64(peak)/(1<<20), ms(median(ds)))
			})
		}
	}
}
