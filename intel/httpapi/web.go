package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/static"
)

// WebConfig is what the web map is told at GET /config.json. Nothing in it
// is secret: the page is public, only the API needs a token.
type WebConfig struct {
	// TileURL is an optional raster tile layer ({z}/{x}/{y}, optionally
	// {s}), off when empty so the map works with no internet. The CSP lets
	// images come from its host.
	TileURL         string
	TileAttribution string
	// OIDC, when set, offers "Sign in with your organisation" (authorisation
	// code with PKCE). The CSP lets the page call the token endpoint.
	OIDC *WebOIDC
	// Dir, for developing the page, serves static/ from this directory,
	// read on every request (no caching), instead of the embedded copy.
	Dir string
}

// WebOIDC is the public client the web map signs in with.
type WebOIDC struct {
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	ClientID              string `json:"client_id"`
	Scope                 string `json:"scope"`
	// Label names the provider on the button ("Microsoft Entra ID").
	Label string `json:"label"`
}

// CheckTileURL reports whether u is a usable tile URL template.
func CheckTileURL(u string) error {
	if u == "" {
		return nil
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(u, p) {
			return fmt.Errorf("tile URL %q has no %s placeholder", u, p)
		}
	}
	if _, err := originOf(u); err != nil {
		return err
	}
	return nil
}

// originOf is the CSP source of a URL (template): scheme and host, with a
// {s} subdomain placeholder turned into a wildcard.
func originOf(raw string) (string, error) {
	wild := strings.Contains(raw, "{s}.")
	u, err := url.Parse(strings.ReplaceAll(raw, "{s}.", "a."))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if strings.ContainsAny(u.Host, " ;'\"") {
		return "", fmt.Errorf("%q has an unusable host", raw)
	}
	host := u.Host
	if wild {
		host = "*." + strings.TrimPrefix(host, "a.")
	}
	return u.Scheme + "://" + host, nil
}

// contentSecurityPolicy is the CSP of every response: only this origin,
// no inline script or style, plus the tile server's images and the OIDC
// token endpoint when they are configured.
func contentSecurityPolicy(w WebConfig) string {
	img := "'self' data:"
	if o, err := originOf(w.TileURL); err == nil && w.TileURL != "" {
		img += " " + o
	}
	connect := "'self'"
	if w.OIDC != nil {
		if o, err := originOf(w.OIDC.TokenEndpoint); err == nil {
			connect += " " + o
		}
	}
	return "default-src 'self'; img-src " + img + "; connect-src " + connect +
		"; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}

// webAsset is one embedded file, ready to send.
type webAsset struct {
	body, gz []byte // gz is nil when compression does not pay
	ctype    string
	etag     string
	cache    string
}

var (
	webOnce   sync.Once
	webFiles  map[string]*webAsset
	webLoadEr error
)

// Browsers may keep the vendored libraries for good (their directories are
// named with the version), the basemap for a day; the page and its modules
// are revalidated on every load (a 304 on a LAN costs little) so an upgrade
// shows at once.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheDay       = "public, max-age=86400"
	cacheRevalid   = "no-cache"
)

// loadWebAssets reads and compresses the embedded files once per process.
func loadWebAssets() (map[string]*webAsset, error) {
	webOnce.Do(func() {
		webFiles = map[string]*webAsset{}
		webLoadEr = fs.WalkDir(static.Files, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := static.Files.ReadFile(p)
			if err != nil {
				return err
			}
			a := &webAsset{body: b, ctype: contentType(p)}
			sum := sha256.Sum256(b)
			a.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
			switch {
			case strings.HasPrefix(p, "vendor/"):
				a.cache = cacheImmutable
			case strings.HasPrefix(p, "basemap/"):
				a.cache = cacheDay
			default:
				a.cache = cacheRevalid
			}
			if compressible(a.ctype) && len(b) > 512 {
				var buf bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
				zw.Write(b)
				zw.Close()
				if buf.Len() < len(b)*9/10 {
					a.gz = buf.Bytes()
				}
			}
			webFiles["/"+p] = a
			return nil
		})
	})
	return webFiles, webLoadEr
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".geojson":
		return "application/geo+json"
	case ".json":
		return "application/json"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".md", "":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// webRoutes serves the web map at / and its configuration at /config.json,
// without authentication: the page holds no data; it asks the API, with the
// token the user gives it, for everything it shows.
func (s *Server) webRoutes() {
	files, err := loadWebAssets()
	if err != nil {
		// The files are compiled in; failing here means a broken build.
		panic(fmt.Sprintf("web map assets: %v", err))
	}
	cfg := s.webConfigJSON()
	s.App.Get("/config.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(cfg)
	})
	serve := func(c *fiber.Ctx) error {
		p := c.Path()
		if p == "/" {
			p = "/index.html"
		}
		a, ok := files[p]
		if !ok || strings.HasPrefix(p, "/e2e/") {
			return c.Next() // the 404 at the end
		}
		c.Set(fiber.HeaderCacheControl, a.cache)
		c.Set(fiber.HeaderETag, a.etag)
		c.Set(fiber.HeaderContentType, a.ctype)
		if a.gz != nil {
			c.Set(fiber.HeaderVary, "Accept-Encoding")
		}
		if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, a.etag) {
			return c.SendStatus(fiber.StatusNotModified)
		}
		if a.gz != nil && acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
			c.Set(fiber.HeaderContentEncoding, "gzip")
			return c.Send(a.gz)
		}
		return c.Send(a.body)
	}
	if dir := s.Config.Web.Dir; dir != "" {
		serve = func(c *fiber.Ctx) error {
			p := strings.TrimPrefix(path.Clean(c.Path()), "/")
			if p == "" {
				p = "index.html"
			}
			if strings.HasPrefix(p, "e2e/") || strings.HasSuffix(p, ".go") {
				return c.Next()
			}
			b, err := fs.ReadFile(os.DirFS(dir), p)
			if err != nil {
				return c.Next()
			}
			c.Set(fiber.HeaderCacheControl, "no-store")
			c.Set(fiber.HeaderContentType, contentType(p))
			return c.Send(b)
		}
	}
	s.App.Get("/", serve)
	s.App.Get("/*", serve)
}

func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// webConfigJSON is the body of /config.json.
func (s *Server) webConfigJSON() []byte {
	w := s.Config.Web
	type tiles struct {
		URL         string `json:"url"`
		Attribution string `json:"attribution"`
	}
	body := struct {
		Tiles        *tiles   `json:"tiles"`
		OIDC         *WebOIDC `json:"oidc"`
		PurposeParam string   `json:"purpose_header"`
	}{OIDC: w.OIDC, PurposeParam: PurposeHeader}
	if w.TileURL != "" {
		body.Tiles = &tiles{URL: w.TileURL, Attribution: w.TileAttribution}
	}
	b, _ := json.Marshal(body)
	return b
}
