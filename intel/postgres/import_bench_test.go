package postgres_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/localdb"
	"github.com/contextmap/contextmap/intel/postgres"
)

// TestImportBenchmark imports a generated NDJSON file of
// CONTEXTMAP_IMPORT_BENCH events (e.g. 1000000) and reports events per
// second and the peak resident memory of the import; then imports it again
// (nothing changes); CONTEXTMAP_IMPORT_BENCH_MODE=normal|initial|auto
// chooses the path (default auto). Off unless the variable is set, so `make test` stays
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
	mode, err := postgres.ParseImportMode(os.Getenv("CONTEXTMAP_IMPORT_BENCH_MODE"))
	if err != nil {
		t.Fatal(err)
	}
	// Statements slower than this are listed with -v.
	traceMin := time.Duration(envOr("CONTEXTMAP_IMPORT_BENCH_TRACE_MS", 1000)) * time.Millisecond
	passes := []string{"first import", "same file again"}
	if os.Getenv("CONTEXTMAP_IMPORT_BENCH_PASSES") == "1" {
		passes = passes[:1]
	}
	for _, pass := range passes {
		resetPeakRSS()
		cpu0, pg0 := selfCPU(), clusterCPU()
		rf, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res, err := db.Import(context.Background(), importer, ingest.NDJSON(bufio.NewReaderSize(rf, 1<<20)), postgres.ImportOptions{
			Mode: mode,
			Progress: func(p postgres.ImportProgress) {
				if p.Step != "staging" && testing.Verbose() {
					t.Logf("  %s at %s", p.Step, time.Since(start).Round(time.Millisecond))
				}
			},
			Trace: func(stmt string, took time.Duration) {
				if took > traceMin && testing.Verbose() {
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
		goCPU, pgCPU := selfCPU()-cpu0, clusterCPU()-pg0
		t.Logf("%s (mode %s, initial-load batches %d): %d rows in %s: %.0f events/s (inserted %d, updated %d, unchanged %d), peak RSS %d MB",
			pass, mode, res.InitialLoads, res.Rows, took.Round(time.Millisecond), float64(n)/took.Seconds(), ev.Inserted, ev.Updated, ev.Unchanged, peakRSS()>>20)
		// CPU time does not grow when other processes share the machine,
		// as wall time does: the import's own cost.
		t.Logf("%s: CPU %s in Go (parsing, on every core), %s in PostgreSQL; load average %s",
			pass, goCPU.Round(time.Millisecond), pgCPU.Round(time.Millisecond), loadAvg())
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

// selfCPU is this process's user and system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clusterCPU is the CPU time of the local test cluster's processes: the
// postmaster's own and its ended children's (cutime, cstime), and its live
// children's. Zero when the cluster is not local.
func clusterCPU() time.Duration {
	root, err := localdb.RepoRoot(".")
	if err != nil {
		return 0
	}
	var st struct {
		DataDir string `json:"data_dir"`
	}
	b, err := os.ReadFile(filepath.Join(root, ".localdb", "cluster.json"))
	if err != nil || json.Unmarshal(b, &st) != nil {
		return 0
	}
	dir := st.DataDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, ".localdb", dir)
	}
	pidb, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	master := strings.TrimSpace(strings.SplitN(string(pidb), "\n", 2)[0])
	ticks := int64(0)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		f := procStat(e.Name())
		if len(f) < 17 {
			continue
		}
		switch {
		case e.Name() == master:
			for _, i := range []int{13, 14, 15, 16} {
				v, _ := strconv.ParseInt(f[i], 10, 64)
				ticks += v
			}
		case f[3] == master:
			for _, i := range []int{13, 14} {
				v, _ := strconv.ParseInt(f[i], 10, 64)
				ticks += v
			}
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// procStat splits /proc/PID/stat into fields, the command name (which may
// hold spaces) counted as one.
func procStat(pid string) []string {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return append([]string{"pid", "comm"}, strings.Fields(s[i+1:])...)
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
