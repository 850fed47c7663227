package httpapi

// The vocabulary of OGC API Features (Part 1, Core) as this service speaks
// it: conformance classes, link relations, media types and parameter
// names, in one place.

// OGCPrefix is where the OGC API Features landing page is served.
const OGCPrefix = "/ogc"

// Conformance classes this service claims (OGC 17-069r4). HTML is not
// claimed: the service answers in JSON, GeoJSON and CSV only.
const (
	ConfCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	ConfGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	ConfOAS30   = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
)

// Conformance lists the classes answered at /ogc/conformance.
var Conformance = []string{ConfCore, ConfGeoJSON, ConfOAS30}

// Link relations (IANA and OGC).
const (
	RelSelf        = "self"
	RelAlternate   = "alternate"
	RelServiceDesc = "service-desc"
	RelServiceDoc  = "service-doc"
	RelConformance = "conformance"
	RelData        = "data"
	RelItems       = "items"
	RelNext        = "next"
	RelCollection  = "collection"
	RelQueryables  = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	RelDescribedBy = "describedby"
)

// Media types (MediaNDJSON, for imports, is in import.go).
const (
	MediaJSON        = "application/json"
	MediaGeoJSON     = "application/geo+json"
	MediaCSV         = "text/csv"
	MediaOpenAPI     = "application/vnd.oai.openapi+json;version=3.0"
	MediaHTML        = "text/html"
	MediaGeoPackage  = "application/geopackage+sqlite3"
	MediaSchemaJSON  = "application/schema+json"
	MediaProblemJSON = "application/problem+json"
)

// Coordinate and temporal reference systems.
const (
	CRS84     = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	Gregorian = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
)

// Query parameters of /ogc/collections/{collectionId}/items.
const (
	ParamLimit    = "limit"
	ParamBBox     = "bbox"
	ParamDatetime = "datetime"
	ParamCursor   = "cursor"
	ParamFormat   = "f"
)

// Values of the f parameter.
const (
	FormatJSON    = "json"
	FormatGeoJSON = "geojson"
	FormatCSV     = "csv"
)

// Page sizes of /items: a limit outside 1..OGCMaxLimit is clamped to it,
// not refused.
const (
	OGCDefaultLimit = 100
	OGCMaxLimit     = 10000
)
