package httpapi_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func init() {
	// The default export (places as GeoJSON) is for every role; events
	// exports are for person-level roles (TestExports).
	routeAccess["GET /api/v1/exports"] = everyone
}

func TestExports(t *testing.T) {
	h := newDemoHarness(t)
	var places, events int
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM places), (SELECT count(*) FROM events)`).Scan(&places, &events); err != nil {
		t.Fatal(err)
	}

	// GeoJSON: every place, sensitive ones generalised for the partner.
	r := h.do("partner", "GET", "/api/v1/exports?format=geojson&collection=places", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/geo+json" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), `.geojson"`) {
		t.Fatalf("geojson export: %d %v", r.Status, r.Header)
	}
	var fc ogcFC
	if err := json.Unmarshal(r.Body, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != places {
		t.Errorf("geojson export: %d places, the database holds %d", len(fc.Features), places)
	}
	for _, f := range fc.Features {
		if f.Properties["sensitive"] == true && f.Properties["generalised"] != true {
			t.Errorf("partner export holds sensitive place %v exactly", f.ID)
		}
	}

	// CSV: the same selection as /ogc, with a header and WKT.
	sel := "collection=events&datetime=2020-01-01/2020-12-31&kind=missing_episode"
	r = h.do("analyst", "GET", "/api/v1/exports?format=csv&"+sel, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv export: %d %s", r.Status, r.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var page ogcFC
	h.getJSON("analyst", "/ogc/collections/events/items?limit=1&datetime=2020-01-01/2020-12-31&kind=missing_episode", 200, &page)
	if int64(len(rows)-1) != *page.NumberMatched || *page.NumberMatched == 0 {
		t.Errorf("csv export: %d rows, /ogc matches %d", len(rows)-1, *page.NumberMatched)
	}
	if h := strings.Join(rows[0], ","); h != "id,kind,starts_at,ends_at,place_id,found_place_id,district,category,severity,grade,confirmed,source_agency,wkt" {
		t.Errorf("csv header %q", h)
	}
	for _, row := range rows[1:] {
		if row[1] != "missing_episode" || !strings.HasPrefix(row[len(row)-1], "POINT(") {
			t.Errorf("csv row %v", row)
			break
		}
	}

	// Role rules and bad input.
	for _, c := range []struct {
		role, q string
		status  int
	}{
		{"partner", "collection=events", 403},
		{"admin", "collection=events", 403},
		{"district", "collection=events", 200},
		{"analyst", "collection=people", 400},
		{"analyst", "format=shp", 400},
		{"analyst", "collection=places&limit=5", 400},
		{"analyst", "collection=places&category=cse1", 400},
		{"", "collection=places", 401},
	} {
		if r := h.do(c.role, "GET", "/api/v1/exports?"+c.q, nil); r.Status != c.status {
			t.Errorf("%s ?%s: %d, want %d: %s", c.role, c.q, r.Status, c.status, r.Body)
		}
	}

	// Every export is audited, with its selection.
	var n int
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'export'
		AND params::jsonb ->> 'collection' = 'events' AND params::jsonb ->> 'kind' = 'missing_episode' AND role = 'analyst'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d audit records of the events export, want 1", n)
	}

	// GeoPackage through ogr2ogr (gdal-bin is installed by make test).
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Fatalf("ogr2ogr not found: install gdal-bin (make deps-test does): %v", err)
	}
	r = h.do("district", "GET", "/api/v1/exports?format=gpkg&collection=events", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/geopackage+sqlite3" {
		t.Fatalf("gpkg export: %d %s", r.Status, r.Body)
	}
	gpkg := filepath.Join(t.TempDir(), "events.gpkg")
	if err := os.WriteFile(gpkg, r.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ogrinfo", "-ro", "-so", gpkg, "events").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	var inCarlisle int
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM events WHERE district = 'E07000028'`).Scan(&inCarlisle); err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(out)); m == nil || m[1] != fmt.Sprint(inCarlisle) {
		t.Errorf("gpkg export for the district team: %v features, Carlisle holds %d\n%s", m, inCarlisle, out)
	}
	if left, _ := filepath.Glob(filepath.Join(os.TempDir(), "contextmap-export-*")); len(left) > 0 {
		t.Errorf("export files left on disk: %v", left)
	}

	// Without GDAL, GeoPackage is 501 and says why; GeoJSON still works.
	t.Setenv("PATH", t.TempDir())
	r = h.do("analyst", "GET", "/api/v1/exports?format=gpkg", nil)
	if r.Status != 501 || !strings.Contains(string(r.Body), "ogr2ogr") || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("gpkg export without GDAL: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	h.must(200, "analyst", "GET", "/api/v1/exports?format=geojson", nil)
}
