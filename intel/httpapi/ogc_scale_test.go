package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

// fillPlaces inserts n point places in one statement, spread over a box
// around Cumbria, every 50th sensitive (a house).
func fillPlaces(ctx context.Context, db *postgres.DB, n int) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO places (name, kind, sensitive, geom)
		SELECT 'Place ' || g, CASE WHEN g % 50 = 0 THEN 'house' ELSE 'park' END, g % 50 = 0,
		       ST_SetSRID(ST_MakePoint(-3.6 + (g % 1000) * 0.0014, 54.0 + (g / 1000) * 0.0011), 4326)
		FROM generate_series(1, $1) g`, n)
	if err != nil {
		return err
	}
	_, err = db.Pool.Exec(ctx, `VACUUM ANALYZE places`)
	return err
}

// places100k is a database holding 100,000 places (made once, kept as a
// template).
func places100k(t testing.TB) *postgres.DB {
	t.Helper()
	return pgtest.FromTemplate(t, pgtest.Template(t, "places100k", func(ctx context.Context, db *postgres.DB) error {
		return fillPlaces(ctx, db, 100_000)
	}))
}

// heapWatch samples the heap in use until stopped and reports the peak.
type heapWatch struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func watchHeap() *heapWatch {
	runtime.GC()
	w := &heapWatch{stop: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > w.peak.Load() {
				w.peak.Store(ms.HeapInuse)
			}
			select {
			case <-w.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return w
}

func (w *heapWatch) done() uint64 {
	close(w.stop)
	w.wg.Wait()
	return w.peak.Load()
}

// TestOGCPagination100k: walking next links over 100,000 places returns
// each exactly once, with numberMatched exact on every page, while the
// heap in use stays far below the size of the collection as GeoJSON.
func TestOGCPagination100k(t *testing.T) {
	const n = 100_000
	start := time.Now()
	db := places100k(t)
	t.Logf("a database of %d places in %v", n, time.Since(start))
	h := &harness{t: t, db: db, tokens: map[string]string{}}
	h.srv = newServer(db)
	h.tokens["partner"] = h.token(intel.RolePartner)
	base := h.listen()

	var minID, maxID int64
	if err := db.Pool.QueryRow(t.Context(), `SELECT min(id), max(id) FROM places`).Scan(&minID, &maxID); err != nil {
		t.Fatal(err)
	}
	seen := make([]bool, maxID-minID+1) // allocated before the heap is watched
	client := &http.Client{Timeout: time.Minute}
	get := func(u string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+h.tokens["partner"])
		return client.Do(req)
	}

	// A low GC target keeps garbage from hiding what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	start = time.Now()
	w := watchHeap()
	base0 := w.peak.Load()
	u := base + "/ogc/collections/places/items?limit=1000"
	pages, total, bytes := 0, 0, int64(0)
	for u != "" {
		resp, err := get(u)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
		}
		var fc struct {
			NumberMatched, NumberReturned int
			Features                      []struct{ ID int64 }
			Links                         []ogcLink
		}
		cr := &countingReader{r: resp.Body}
		err = json.NewDecoder(cr).Decode(&fc)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		bytes += cr.n
		pages++
		if fc.NumberMatched != n || fc.NumberReturned != len(fc.Features) {
			t.Fatalf("page %d: numberMatched %d, numberReturned %d, %d features", pages, fc.NumberMatched, fc.NumberReturned, len(fc.Features))
		}
		for _, f := range fc.Features {
			if seen[f.ID-minID] {
				t.Fatalf("place %d returned twice", f.ID)
			}
			seen[f.ID-minID] = true
			total++
		}
		u = ""
		for _, l := range fc.Links {
			if l.Rel == "next" {
				u = l.Href
			}
		}
	}
	peak := w.done()
	if total != n || pages != n/1000 {
		t.Fatalf("%d places in %d pages, want %d in %d", total, pages, n, n/1000)
	}
	// The walk moved the whole collection as GeoJSON (some 20 MB); the
	// heap in use (client and server together) must stay well below it:
	// a page is about 0.2 MB.
	grew := int64(peak) - int64(base0)
	t.Logf("walked in %v: %d pages, %.1f MB of GeoJSON, heap in use grew by at most %.1f MB",
		time.Since(start), pages, float64(bytes)/1e6, float64(grew)/1e6)
	// 10 MB: half the collection's size, with room for the collector's
	// timing on a loaded machine (8.7 MB was seen at load 20 on 2 cores).
	const bound = 10 << 20
	if bytes < bound*3/2 {
		t.Fatalf("only %d bytes walked: the bound proves nothing", bytes)
	}
	if grew > bound {
		t.Errorf("heap in use grew by %d bytes walking %d bytes of pages: not bounded by %d", grew, bytes, bound)
	}
}

// TestExportStreams100k: exporting 100,000 places as GeoJSON streams: the
// heap in use stays far below the size of the file.
func TestExportStreams100k(t *testing.T) {
	const n = 100_000
	db := places100k(t)
	h := &harness{t: t, db: db, tokens: map[string]string{}}
	h.srv = newServer(db)
	h.tokens["analyst"] = h.token(intel.RoleAnalyst)
	base := h.listen()

	defer debug.SetGCPercent(debug.SetGCPercent(10))
	w := watchHeap()
	base0 := w.peak.Load()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/api/v1/exports?collection=places&format=geojson", nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens["analyst"])
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	// Count features as the bytes pass, holding none of them.
	pattern := []byte(`{"type":"Feature",`)
	var features, size int64
	buf := make([]byte, 64<<10)
	tail := 0
	for {
		k, err := resp.Body.Read(buf[tail:])
		size += int64(k)
		chunk := buf[:tail+k]
		features += int64(bytes.Count(chunk, pattern))
		tail = min(len(pattern)-1, len(chunk))
		copy(buf, chunk[len(chunk)-tail:])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	peak := w.done()
	grew := int64(peak) - int64(base0)
	t.Logf("export: %d features, %.1f MB, heap in use grew by at most %.1f MB", features, float64(size)/1e6, float64(grew)/1e6)
	if features != n {
		t.Errorf("export holds %d features, want %d", features, n)
	}
	const bound = 8 << 20
	if size < 2*bound || grew > bound {
		t.Errorf("heap in use grew by %d bytes sending a %d byte export: not streamed within %d", grew, size, bound)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
