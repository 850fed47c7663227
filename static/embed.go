// Package static holds the web map: a single-page application (HTML, CSS,
// ES modules with no build step), its vendored libraries and the offline
// basemap, embedded in the binary and served at / by intel/httpapi.
//
// The browser tests live in e2e/ (run by intel/httpapi's TestWebMap); they
// are not embedded.
package static

import "embed"

// Files is the web map. Paths are relative to this directory
// ("index.html", "js/main.js", "vendor/leaflet-1.9.4/leaflet.js").
//
//go:embed index.html app.css favicon.svg js vendor basemap
var Files embed.FS
