package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
)

// TestImportBenchmark imports a generated NDJSON file of
// CONTEXTMAP_IMPORT_BENCH events (e.g. 1000000) and reports events per
// second and the peak resident memory of the import; then imports it again
// (nothing changes). Off unless the variable is set, so `make test` stays
// fast. docs/BENCHMARKS.md has the figures.
func TestImportBenchmark(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CONTEXTMAP_IMPORT_BENCH"))
	if n <= 0 {
		t.Skip("set CONTEXTMAP_IMPORT_BENCH=1000000 to run the import benchmark")
	}
	people := envOr("CONTEXTMAP_IMPORT_BENCH_PEOPLE", 20000)
	links := envOr("CONTEXTMAP_IMPORT_BENCH_LINKS", 0)
	path := filepath.Join(t.TempDir(), "bench.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	began := time.Now()
	if err := ingest.Generate(ingest.GenOptions{People: people, Events: n, Links: links, Seed: 1}, ingest.WriteNDJSON(w)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)
	t.Logf("generated %d events, %d people, %d links: %.0f MB in %s", n, people, links, float64(st.Size())/1e6, time.Since(began).Round(time.Millisecond))

	db := newImportDB(t)
	for _, pass := range []string{"first import", "same file again"} {
		resetPeakRSS()
		rf, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res, err := db.Import(context.Background(), importer, ingest.NDJSON(bufio.NewReaderSize(rf, 1<<20)), postgres.ImportOptions{
			Progress: func(p postgres.ImportProgress) {
				if p.Step != "staging" && testing.Verbose() {
					t.Logf("  %s at %s", p.Step, time.Since(start).Round(time.Millisecond))
				}
			},
			Trace: func(stmt string, took time.Duration) {
				if took > time.Second && testing.Verbose() {
					t.Logf("    %6s %.80s", took.Round(time.Millisecond), stmt)
				}
			},
		})
		rf.Close()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%v %+v", err, res.Errors)
		}
		ev := res.Counts["event"]
		t.Logf("%s: %d rows in %s: %.0f events/s (inserted %d, updated %d, unchanged %d), peak RSS %d MB",
			pass, res.Rows, took.Round(time.Millisecond), float64(n)/took.Seconds(), ev.Inserted, ev.Updated, ev.Unchanged, peakRSS()>>20)
	}
}

func envOr(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident memory (Linux: /proc/self/clear_refs).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the high-water mark of resident memory in bytes (VmHWM).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
