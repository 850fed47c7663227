package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http/httptest"
	pathpkg "path"
	"regexp"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel/httpapi"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/static"
)

// get fetches path from srv with the given request headers.
func get(t *testing.T, srv *httpapi.Server, p string, hdr ...string) response {
	t.Helper()
	req := httptest.NewRequest("GET", p, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.App.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func TestWebMapServedEmbedded(t *testing.T) {
	srv := newServer(pgtest.New(t))
	index, err := static.Files.ReadFile("index.html")
	if err != nil {
		t.Fatal(err)
	}

	r := get(t, srv, "/")
	if r.Status != 200 || !bytes.Equal(r.Body, index) {
		t.Fatalf("GET /: %d, %d bytes, want the embedded index.html", r.Status, len(r.Body))
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index.html Cache-Control %q, want no-cache (revalidated on every load)", cc)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	etag := r.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if r := get(t, srv, "/", "If-None-Match", etag); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("If-None-Match: %d with %d bytes, want 304 and no body", r.Status, len(r.Body))
	}

	// Compressed when asked, and the same bytes once inflated.
	leaflet, _ := static.Files.ReadFile("vendor/leaflet-1.9.4/leaflet.js")
	r = get(t, srv, "/vendor/leaflet-1.9.4/leaflet.js", "Accept-Encoding", "br, gzip")
	if r.Header.Get("Content-Encoding") != "gzip" || len(r.Body) >= len(leaflet)/2 {
		t.Fatalf("leaflet.js: encoding %q, %d bytes of %d", r.Header.Get("Content-Encoding"), len(r.Body), len(leaflet))
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, leaflet) {
		t.Error("gzip body does not inflate to the file")
	}
	if r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || r.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("vendored file headers: Cache-Control %q, Vary %q", r.Header.Get("Cache-Control"), r.Header.Get("Vary"))
	}
	if r := get(t, srv, "/vendor/leaflet-1.9.4/leaflet.js", "Accept-Encoding", "gzip;q=0"); r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, leaflet) {
		t.Error("gzip;q=0 still got gzip")
	}
	if r := get(t, srv, "/vendor/leaflet-1.9.4/leaflet.js"); r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, leaflet) {
		t.Error("no Accept-Encoding still got gzip")
	}

	for p, want := range map[string]string{
		"/js/main.js":            "text/javascript; charset=utf-8",
		"/app.css":               "text/css; charset=utf-8",
		"/basemap/roads.geojson": "application/geo+json",
		"/favicon.svg":           "image/svg+xml",
		"/vendor/leaflet-1.9.4/images/layers.png": "image/png",
	} {
		r := get(t, srv, p)
		if r.Status != 200 || r.Header.Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want 200 %q", p, r.Status, r.Header.Get("Content-Type"), want)
		}
	}
	if cc := get(t, srv, "/basemap/roads.geojson").Header.Get("Cache-Control"); cc != "public, max-age=86400" {
		t.Errorf("basemap Cache-Control %q", cc)
	}

	// Unknown files, the tests' directory and the API keep their answers.
	for _, p := range []string{"/nope.js", "/e2e/webmap.test.mjs", "/e2e/package.json", "/embed.go", "/js/../embed.go"} {
		r := get(t, srv, p)
		if r.Status != 404 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %q, want a 404 problem", p, r.Status, r.Header.Get("Content-Type"))
		}
	}
	if r := get(t, srv, "/api/v1/me"); r.Status != 401 {
		t.Errorf("/api/v1/me without a token: %d, want 401", r.Status)
	}
	if r := get(t, srv, "/api/v1/nope"); r.Status != 401 {
		t.Errorf("/api/v1/nope without a token: %d, want 401", r.Status)
	}
}

func TestWebMapConfig(t *testing.T) {
	db := pgtest.New(t)
	r := get(t, newServer(db), "/config.json")
	var cfg map[string]any
	if err := json.Unmarshal(r.Body, &cfg); err != nil || r.Status != 200 {
		t.Fatalf("config.json: %d %s", r.Status, r.Body)
	}
	if cfg["tiles"] != nil || cfg["oidc"] != nil {
		t.Errorf("default config has tiles or oidc: %s", r.Body)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:;") || !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("default CSP lets the page reach other hosts: %q", csp)
	}

	c := httpapi.DefaultConfig
	c.Web = httpapi.WebConfig{
		TileURL:         "https://{s}.tiles.example.org/base/{z}/{x}/{y}.png",
		TileAttribution: "© Example",
		OIDC: &httpapi.WebOIDC{AuthorizationEndpoint: "https://login.example.com/t/oauth2/v2.0/authorize",
			TokenEndpoint: "https://login.example.com/t/oauth2/v2.0/token", ClientID: "abc", Scope: "openid"},
	}
	srv := httpapi.New(db, newServer(db).Log, c)
	r = get(t, srv, "/config.json")
	if err := json.Unmarshal(r.Body, &cfg); err != nil {
		t.Fatal(err)
	}
	tiles, _ := cfg["tiles"].(map[string]any)
	oidc, _ := cfg["oidc"].(map[string]any)
	if tiles["url"] != c.Web.TileURL || tiles["attribution"] != "© Example" || oidc["client_id"] != "abc" || oidc["token_endpoint"] != c.Web.OIDC.TokenEndpoint {
		t.Errorf("config.json: %s", r.Body)
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' data: https://*.tiles.example.org;") || !strings.Contains(csp, "connect-src 'self' https://login.example.com;") {
		t.Errorf("CSP with tiles and OIDC: %q", csp)
	}
}

func TestCheckTileURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"":                                     true,
		"https://tile.example/{z}/{x}/{y}.png": true,
		"https://{s}.tile.example/{z}/{x}/{y}.png": true,
		"http://127.0.0.1:8081/{z}/{x}/{y}.png":    true,
		"https://tile.example/{z}/{x}.png":         false,
		"ftp://tile.example/{z}/{x}/{y}.png":       false,
		"/tiles/{z}/{x}/{y}.png":                   false,
		"https://tile.example';/{z}/{x}/{y}":       false,
	} {
		if err := httpapi.CheckTileURL(u); (err == nil) != ok {
			t.Errorf("CheckTileURL(%q) = %v, want ok %v", u, err, ok)
		}
	}
}

// The page keeps to its CSP by construction: no inline script or style in
// the HTML, no style attributes or innerHTML in the modules; and every file
// the page names (stylesheets, scripts, module imports) is embedded, so the
// page never asks for something the binary does not hold.
func TestWebMapSourcesKeepToTheCSP(t *testing.T) {
	index, _ := static.Files.ReadFile("index.html")
	html := string(index)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`\son[a-z]+=`),
		regexp.MustCompile(`(?:src|href)="(?:https?:)?//`),
	} {
		if m := bad.FindString(html); m != "" {
			t.Errorf("index.html: %q breaks the CSP or reaches another host", m)
		}
	}
	exists := func(p string) bool {
		_, err := fs.Stat(static.Files, p)
		return err == nil
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"#:]+)"`).FindAllStringSubmatch(html, -1) {
		if !exists(m[1]) {
			t.Errorf("index.html names %s, which is not embedded", m[1])
		}
	}
	imports := regexp.MustCompile(`(?:from\s+|import\()\s*'([^']+)'|const CYTOSCAPE = '([^']+)'`)
	err := fs.WalkDir(static.Files, "js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := static.Files.ReadFile(p)
		// The SVG namespace is a name, not an address the page fetches.
		src := strings.ReplaceAll(string(b), "'http://www.w3.org/2000/svg'", "")
		for _, bad := range []string{".innerHTML", "setAttribute('style'", "insertAdjacentHTML", "eval(", "new Function", "document.write", "http://", "https://"} {
			if strings.Contains(src, bad) {
				t.Errorf("%s uses %q", p, bad)
			}
		}
		for _, m := range imports.FindAllStringSubmatch(src, -1) {
			spec := m[1] + m[2]
			if !strings.HasPrefix(spec, ".") {
				t.Errorf("%s imports %q: only relative imports of embedded files", p, spec)
				continue
			}
			if target := pathpkg.Join(pathpkg.Dir(p), spec); !exists(target) {
				t.Errorf("%s imports %s, which is not embedded", p, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
