package httpapi_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestGDALReadsOGC: GDAL (Debian's gdal-bin, which make test installs)
// reads the service as an OGC API Features server with a bearer token,
// lists every collection, and copies each to a GeoPackage page by page
// through the next links, with as many features as numberMatched says.
// GDAL missing is a failure, not a skip: the README promises GIS clients
// can read the service, and this test is the proof.
func TestGDALReadsOGC(t *testing.T) {
	for _, tool := range []string{"ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install gdal-bin (make deps-test does): %v", tool, err)
		}
	}
	h := newDemoHarness(t)
	base := h.listen()
	dir := t.TempDir()
	gdal := func(token string, args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "CPL_DEBUG=ON", "GDAL_HTTP_MAX_RETRY=0", "GDAL_HTTP_TIMEOUT=60")
		if token != "" {
			cmd.Env = append(cmd.Env, "GDAL_HTTP_HEADERS=Authorization: Bearer "+token)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	src := "OAPIF:" + base + "/ogc"

	// Without the token GDAL cannot open it.
	if out, err := gdal("", "ogrinfo", "-ro", "-q", src); err == nil {
		t.Errorf("ogrinfo without a token succeeded:\n%s", out)
	}

	// Clients that send only a user name and password send the token as
	// the password.
	if out, err := gdal("", "ogrinfo", "-ro", "-q", "-oo", "USERPWD=qgis:"+h.tokens["partner"], src); err != nil ||
		!strings.Contains(out, "places") {
		t.Errorf("ogrinfo with the token as a Basic password: %v\n%s", err, out)
	}

	out, err := gdal(h.tokens["analyst"], "ogrinfo", "-ro", src)
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", src, err, out)
	}
	var cols struct{ Collections []struct{ ID string } }
	h.getJSON("analyst", "/ogc/collections", 200, &cols)
	if len(cols.Collections) < 3 {
		t.Fatalf("collections: %+v", cols)
	}
	for _, c := range cols.Collections {
		if !regexp.MustCompile(`(?m)^\d+: ` + regexp.QuoteMeta(c.ID) + `( |$)`).MatchString(out) {
			t.Errorf("ogrinfo does not list %s:\n%s", c.ID, out)
		}
	}

	for _, c := range cols.Collections {
		t.Run(c.ID, func(t *testing.T) {
			var fc ogcFC
			h.getJSON("analyst", "/ogc/collections/"+c.ID+"/items?limit=1", 200, &fc)
			matched := *fc.NumberMatched
			if matched < 2 {
				t.Fatalf("%s holds %d features: too few to page", c.ID, matched)
			}
			// A page size smaller than the collection: five pages or so.
			pageSize := max(1, matched/5)
			pages := (matched + pageSize - 1) / pageSize
			gpkg := filepath.Join(dir, c.ID+".gpkg")
			out, err := gdal(h.tokens["analyst"], "ogr2ogr", "-f", "GPKG", gpkg, src, "-oo", fmt.Sprintf("PAGE_SIZE=%d", pageSize), c.ID)
			if err != nil {
				t.Fatalf("ogr2ogr: %v\n%s", err, out)
			}
			// GDAL fetched every page after the first through a next link
			// (whose cursor it cannot have made up).
			if got := int64(strings.Count(out, "&cursor=")); got != pages-1 {
				t.Errorf("GDAL followed %d next links, want %d (page size %d, %d features)", got, pages-1, pageSize, matched)
			}
			info, err := gdal("", "ogrinfo", "-ro", "-so", gpkg, c.ID)
			if err != nil {
				t.Fatalf("ogrinfo %s: %v\n%s", gpkg, err, info)
			}
			m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(info)
			if m == nil {
				t.Fatalf("no feature count in:\n%s", info)
			}
			if n, _ := strconv.ParseInt(m[1], 10, 64); n != matched {
				t.Errorf("the GeoPackage holds %d %s, numberMatched is %d", n, c.ID, matched)
			}
		})
	}
}
