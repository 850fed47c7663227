package httpapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/report"
)

// The OpenAPI 3.0 description of /api/v1 and /ogc is generated from the
// table below, with request and response schemas generated from the Go
// types the handlers decode and encode, so a changed field cannot drift
// from the document. TestOpenAPICoversRoutes fails for a route the table
// lacks and for a documented route that does not exist. A branch that adds
// routes documents them from its own file with an init() that appends to
// apiOps.

// apiOp documents one operation.
type apiOp struct {
	Method, Path string // Fiber's pattern: /api/v1/people/:id
	Tag          string
	Summary      string
	Description  string
	// Access says who may call it; Public operations need no token.
	Access string
	Public bool
	// Purpose: a person-level read that needs X-Purpose and is audited;
	// PurposeIfPersonLevel: needed only from person-level roles (the
	// answer holds people for them, aggregates for the others).
	Purpose, PurposeIfPersonLevel bool
	Params                        []apiParam
	// Body is a value of the request body's type (nil: none); BodyMedia
	// lists the media types of a body that is a file instead.
	Body      any
	BodyMedia []string
	// OK is the success status (default 200); Result a value of its
	// body's type (nil: none), List wraps it in a page of items, and
	// Media is its media type (default application/json).
	OK     int
	Result any
	List   bool
	Media  string
	// Schema names a component schema for the result instead of Result.
	Schema string
	// Also lists other media types the success may come in (files).
	Also []string
}

// apiParam documents one parameter.
type apiParam struct {
	Name, In, Type, Format, Description string
	Enum                                []string
	Required                            bool
	Default                             any
	Minimum, Maximum                    *int
	Ref                                 string // a shared parameter component instead
}

func qp(name, typ, desc string, enum ...string) apiParam {
	return apiParam{Name: name, In: "query", Type: typ, Description: desc, Enum: enum}
}

func ref(name string) apiParam { return apiParam{Ref: name} }

func intp(n int) *int { return &n }

var (
	pID       = apiParam{Name: "id", In: "path", Type: "integer", Required: true, Description: "the record's id"}
	pLimit    = apiParam{Name: "limit", In: "query", Type: "integer", Default: DefaultLimit, Minimum: intp(1), Maximum: intp(MaxLimit), Description: "page size; larger values are clamped to the maximum"}
	pAfter    = qp("after", "integer", "start after this id (the previous page's next_after)")
	pDistrict = qp("district", "string", "district code")
	pExtRef   = qp("ext_ref", "string", "the source system's reference")
	pBBox     = qp("bbox", "string", "minLon,minLat,maxLon,maxLat (WGS84)")
	pAsOf     = apiParam{Name: "as_of", In: "query", Type: "string", Format: "date", Description: "status and category in force on this date (default today)"}
	pFrom     = apiParam{Name: "from", In: "query", Type: "string", Format: "date-time", Description: "RFC 3339 time or date"}
	pTo       = apiParam{Name: "to", In: "query", Type: "string", Format: "date-time", Description: "RFC 3339 time or date (a date means its end)"}
)

// linkSelectionParams choose the links networks and profiles are drawn
// from.
var linkSelectionParams = []apiParam{
	qp("kinds", "string", "comma-separated link kinds"),
	{Name: "from", In: "query", Type: "string", Format: "date", Description: "links seen on or after"},
	{Name: "to", In: "query", Type: "string", Format: "date", Description: "links seen on or before"},
	qp("min_grade", "string", "at least this source evaluation and assessment, e.g. 2B"),
	qp("exclude_e", "boolean", "leave out links assessed E (suspected false)"),
	qp("confirmed", "boolean", "confirmed links only"),
	qp("include_review_due", "boolean", "include links past their review date (analysts and police only)"),
}

const (
	accessReports     = "every role but admin; figures pass disclosure control for aggregate-only roles"
	accessEveryone    = "every role"
	accessPersonLevel = "person-level roles (analyst, police, district for its own districts); X-Purpose required; audited"
	accessWriters     = "analyst, police, district (in its own districts); audited when it touches people"
)

// apiOps is every documented operation.
var apiOps = []apiOp{
	{Method: "GET", Path: "/healthz", Tag: "operations", Summary: "Process is up", Public: true, Access: "public", Schema: "Status"},
	{Method: "GET", Path: "/readyz", Tag: "operations", Summary: "Database reachable and migrated", Public: true, Access: "public", Schema: "Status"},
	{Method: "GET", Path: "/metrics", Tag: "operations", Summary: "Prometheus metrics (requests and latency by route pattern and status, database pool, background jobs, Go runtime)",
		Public: true, Access: "public; no personal data in labels", Media: "text/plain; version=0.0.4", Schema: "Text"},
	{Method: "GET", Path: "/api/openapi.json", Tag: "operations", Summary: "This OpenAPI 3.0 document", Public: true, Access: "public", Media: MediaOpenAPI, Schema: "Object"},
	{Method: "GET", Path: "/api/docs", Tag: "operations", Summary: "This document as HTML", Public: true, Access: "public", Media: MediaHTML, Schema: "Text"},
	{Method: "GET", Path: "/api/docs.css", Tag: "operations", Summary: "Style sheet of the HTML documentation", Public: true, Access: "public", Media: "text/css", Schema: "Text"},

	{Method: "GET", Path: "/api/v1/me", Tag: "account", Summary: "The caller's role, districts and what it may see", Access: accessEveryone, Schema: "Me"},
	{Method: "GET", Path: "/api/v1/districts", Tag: "districts", Summary: "The area's districts", Access: accessEveryone,
		Params: []apiParam{qp("geometry", "boolean", "include boundaries")}, Result: intel.District{}, List: true},
	{Method: "GET", Path: "/api/v1/audit", Tag: "audit", Summary: "The audit log", Access: "admin",
		Params: []apiParam{pLimit, pAfter, qp("person_id", "integer", "records naming this person"), qp("actor", "string", "records of this actor"), pFrom, pTo},
		Result: intel.AuditRecord{}, List: true},

	{Method: "GET", Path: "/api/v1/people", Tag: "people", Summary: "List people", Access: accessPersonLevel, Purpose: true,
		Params: []apiParam{pLimit, pAfter, qp("kind", "string", "", intel.PersonKinds...), qp("category", "string", "", intel.Categories...),
			qp("status", "string", "", intel.Statuses...), pAsOf, pDistrict, qp("case_ref", "string", "the case system's reference (matched by keyed hash; redacted in the audit)")},
		Result: intel.Person{}, List: true},
	{Method: "POST", Path: "/api/v1/people", Tag: "people", Summary: "Create a person", Access: accessWriters, Body: intel.PersonInput{}, OK: 201, Result: intel.Person{}},
	{Method: "GET", Path: "/api/v1/people/:id", Tag: "people", Summary: "Read a person", Access: accessPersonLevel, Purpose: true,
		Params: []apiParam{pID, pAsOf}, Result: intel.Person{}},
	{Method: "PUT", Path: "/api/v1/people/:id", Tag: "people", Summary: "Replace a person", Access: accessWriters, Params: []apiParam{pID}, Body: intel.PersonInput{}, Result: intel.Person{}},
	{Method: "DELETE", Path: "/api/v1/people/:id", Tag: "people", Summary: "Erase a person and everything held about them", Access: accessWriters, Params: []apiParam{pID}, OK: 204},
	{Method: "POST", Path: "/api/v1/people/:id/status", Tag: "people", Summary: "Record a case status from a date (the open period is closed)", Access: accessWriters,
		Params: []apiParam{pID}, Body: HistoryChange{}, Result: intel.Person{}},
	{Method: "POST", Path: "/api/v1/people/:id/category", Tag: "people", Summary: "Record an exploitation category from a date (null ends the current one)", Access: accessWriters,
		Params: []apiParam{pID}, Body: HistoryChange{}, Result: intel.Person{}},

	{Method: "GET", Path: "/api/v1/assessments", Tag: "assessments", Summary: "List risk assessments", Access: accessPersonLevel, Purpose: true,
		Params: []apiParam{pLimit, pAfter, qp("person_id", "integer", "of this person")}, Result: intel.Assessment{}, List: true},
	{Method: "POST", Path: "/api/v1/assessments", Tag: "assessments", Summary: "Record a risk assessment", Access: accessWriters, Body: intel.AssessmentInput{}, OK: 201, Result: intel.Assessment{}},
	{Method: "GET", Path: "/api/v1/assessments/:id", Tag: "assessments", Summary: "Read a risk assessment", Access: accessPersonLevel, Purpose: true, Params: []apiParam{pID}, Result: intel.Assessment{}},
	{Method: "PUT", Path: "/api/v1/assessments/:id", Tag: "assessments", Summary: "Replace a risk assessment", Access: accessWriters, Params: []apiParam{pID}, Body: intel.AssessmentInput{}, Result: intel.Assessment{}},
	{Method: "DELETE", Path: "/api/v1/assessments/:id", Tag: "assessments", Summary: "Delete a risk assessment", Access: accessWriters, Params: []apiParam{pID}, OK: 204},

	{Method: "GET", Path: "/api/v1/places", Tag: "places", Summary: "List places (sensitive places generalised unless the caller may see them exactly)", Access: accessEveryone,
		Params: []apiParam{pLimit, pAfter, qp("kind", "string", "", intel.PlaceKinds...), pBBox, qp("sensitive", "boolean", ""), pDistrict, pExtRef}, Result: intel.Place{}, List: true},
	{Method: "POST", Path: "/api/v1/places", Tag: "places", Summary: "Create a place", Access: accessWriters, Body: intel.PlaceInput{}, OK: 201, Result: intel.Place{}},
	{Method: "GET", Path: "/api/v1/places/:id", Tag: "places", Summary: "Read a place", Access: accessEveryone, Params: []apiParam{pID}, Result: intel.Place{}},
	{Method: "PUT", Path: "/api/v1/places/:id", Tag: "places", Summary: "Replace a place", Access: accessWriters, Params: []apiParam{pID}, Body: intel.PlaceInput{}, Result: intel.Place{}},
	{Method: "DELETE", Path: "/api/v1/places/:id", Tag: "places", Summary: "Delete a place and its links", Access: accessWriters, Params: []apiParam{pID}, OK: 204},

	{Method: "GET", Path: "/api/v1/groups", Tag: "groups", Summary: "List peer groups", Access: "person-level roles",
		Params: []apiParam{pLimit, pAfter, pDistrict, pExtRef}, Result: intel.Group{}, List: true},
	{Method: "POST", Path: "/api/v1/groups", Tag: "groups", Summary: "Create a peer group", Access: accessWriters, Body: intel.GroupInput{}, OK: 201, Result: intel.Group{}},
	{Method: "GET", Path: "/api/v1/groups/:id", Tag: "groups", Summary: "Read a peer group", Access: "person-level roles", Params: []apiParam{pID}, Result: intel.Group{}},
	{Method: "PUT", Path: "/api/v1/groups/:id", Tag: "groups", Summary: "Replace a peer group", Access: accessWriters, Params: []apiParam{pID}, Body: intel.GroupInput{}, Result: intel.Group{}},
	{Method: "DELETE", Path: "/api/v1/groups/:id", Tag: "groups", Summary: "Delete a peer group", Access: accessWriters, Params: []apiParam{pID}, OK: 204},

	{Method: "GET", Path: "/api/v1/spaces", Tag: "spaces", Summary: "List online spaces", Access: "person-level roles",
		Params: []apiParam{pLimit, pAfter, pDistrict, pExtRef, qp("platform", "string", "", intel.Platforms...)}, Result: intel.Space{}, List: true},
	{Method: "POST", Path: "/api/v1/spaces", Tag: "spaces", Summary: "Create an online space", Access: accessWriters, Body: intel.SpaceInput{}, OK: 201, Result: intel.Space{}},
	{Method: "GET", Path: "/api/v1/spaces/:id", Tag: "spaces", Summary: "Read an online space", Access: "person-level roles", Params: []apiParam{pID}, Result: intel.Space{}},
	{Method: "PUT", Path: "/api/v1/spaces/:id", Tag: "spaces", Summary: "Replace an online space", Access: accessWriters, Params: []apiParam{pID}, Body: intel.SpaceInput{}, Result: intel.Space{}},
	{Method: "DELETE", Path: "/api/v1/spaces/:id", Tag: "spaces", Summary: "Delete an online space", Access: accessWriters, Params: []apiParam{pID}, OK: 204},

	{Method: "GET", Path: "/api/v1/links", Tag: "links", Summary: "List graded links", Access: accessPersonLevel, Purpose: true,
		Params: []apiParam{pLimit, pAfter, qp("kind", "string", "", intel.LinkKinds...), qp("node", "integer", "links at this node"),
			qp("min_grade", "string", "at least this grade, e.g. 2B"), qp("confirmed", "boolean", ""), qp("review_due", "boolean", "past their review date"), pExtRef},
		Result: intel.Link{}, List: true},
	{Method: "POST", Path: "/api/v1/links", Tag: "links", Summary: "Record a link", Access: accessWriters, Body: intel.LinkInput{}, OK: 201, Result: intel.Link{}},
	{Method: "GET", Path: "/api/v1/links/:id", Tag: "links", Summary: "Read a link", Access: accessPersonLevel, Purpose: true, Params: []apiParam{pID}, Result: intel.Link{}},
	{Method: "PUT", Path: "/api/v1/links/:id", Tag: "links", Summary: "Replace a link", Access: accessWriters, Params: []apiParam{pID}, Body: intel.LinkInput{}, Result: intel.Link{}},
	{Method: "DELETE", Path: "/api/v1/links/:id", Tag: "links", Summary: "Delete a link", Access: accessWriters, Params: []apiParam{pID}, OK: 204},

	{Method: "GET", Path: "/api/v1/events", Tag: "events", Summary: "List events (with the people involved)", Access: accessPersonLevel, Purpose: true,
		Params: []apiParam{pLimit, pAfter, qp("kind", "string", "", intel.EventKinds...), qp("category", "string", "", intel.Categories...),
			pFrom, pTo, pBBox, qp("place_id", "integer", "at this place (or found there)"), qp("person_id", "integer", "involving this person"), pDistrict, pExtRef},
		Result: intel.Event{}, List: true},
	{Method: "POST", Path: "/api/v1/events", Tag: "events", Summary: "Record an event", Access: accessWriters, Body: intel.EventInput{}, OK: 201, Result: intel.Event{}},
	{Method: "GET", Path: "/api/v1/events/:id", Tag: "events", Summary: "Read an event", Access: accessPersonLevel, Purpose: true, Params: []apiParam{pID}, Result: intel.Event{}},
	{Method: "PUT", Path: "/api/v1/events/:id", Tag: "events", Summary: "Replace an event", Access: accessWriters, Params: []apiParam{pID}, Body: intel.EventInput{}, Result: intel.Event{}},
	{Method: "DELETE", Path: "/api/v1/events/:id", Tag: "events", Summary: "Delete an event", Access: accessWriters, Params: []apiParam{pID}, OK: 204},

	{Method: "GET", Path: "/api/v1/maps/associations", Tag: "networks",
		Summary:     "Association map: places, peer groups and online spaces joined through young people and groups (GeoJSON)",
		Description: "Counts of young people pass disclosure control for callers who may see them only as aggregates. See docs/NETWORKS.md.",
		Access:      accessEveryone, Params: append([]apiParam{pBBox, pDistrict, qp("min_weight", "integer", "edges joining at least this many people or groups (default 1)")},
			linkSelectionParams...),
		Media: MediaGeoJSON, Schema: "FeatureCollection"},
	{Method: "GET", Path: "/api/v1/networks", Tag: "networks", Summary: "Networks: connected components or communities of the association graph",
		Description: "Networks with fewer young people than the disclosure threshold are withheld from aggregate-only roles.",
		Access:      accessEveryone, Params: []apiParam{qp("kind", "string", "default community", "component", "community"), pDistrict,
			qp("min_size", "integer", "at least this many nodes (default 2)"), qp("max_size", "integer", "at most this many nodes"),
			apiParam{Name: "from", In: "query", Type: "string", Format: "date"}, apiParam{Name: "to", In: "query", Type: "string", Format: "date"},
			qp("cross_border", "boolean", "spanning more than one district"), pLimit, qp("after", "string", "network id from the previous page")},
		Result: intel.NetworkList{}},
	{Method: "GET", Path: "/api/v1/networks/:id", Tag: "networks", Summary: "One network, with its key nodes",
		Access: "every role; for person-level roles key nodes may be people: X-Purpose required, audited", PurposeIfPersonLevel: true,
		Params: []apiParam{{Name: "id", In: "path", Type: "string", Required: true, Description: "component-N or community-N"}}, Result: networkBody{}},
	{Method: "GET", Path: "/api/v1/networks/:id/graph", Tag: "networks", Summary: "A network's graph (nodes and graded links)",
		Access: accessPersonLevel, Purpose: true,
		Params: append([]apiParam{{Name: "id", In: "path", Type: "string", Required: true, Description: "component-N or community-N"}}, linkSelectionParams...),
		Result: intel.NetworkGraph{}},
	{Method: "GET", Path: "/api/v1/places/:id/profile", Tag: "networks", Summary: "A place's profile: events, links, networks and who is seen there",
		Access: "every role (aggregates with disclosure control for partners); person-level roles: X-Purpose required, audited", PurposeIfPersonLevel: true,
		Params: append([]apiParam{pID, pAsOf}, linkSelectionParams...), Result: intel.PlaceProfile{}},

	{Method: "GET", Path: "/api/v1/reports/current-picture", Tag: "reports", Summary: "The Current Picture table on a date (the slides' report)",
		Access: accessReports, Params: []apiParam{pAsOf, qp("format", "string", "default json", "json", "csv", "html")},
		Result: report.Picture{}, Also: []string{MediaCSV, MediaHTML}},
	{Method: "GET", Path: "/api/v1/reports/trend", Tag: "reports", Summary: "Monthly trend of the Current Picture's figures",
		Access: accessReports, Params: []apiParam{qp("from", "string", "month (YYYY-MM) or date; default 11 months before to"),
			qp("to", "string", "month (YYYY-MM) or date; default this month"), qp("interval", "string", "", "month"), pDistrict,
			qp("format", "string", "default json", "json", "csv")},
		Result: report.Trend{}, Also: []string{MediaCSV}},
	{Method: "GET", Path: "/api/v1/reports/missing", Tag: "reports", Summary: "Missing episodes: counts, return interviews within 72 hours, where children are found",
		Access: accessReports, Params: []apiParam{apiParam{Name: "from", In: "query", Type: "string", Format: "date"},
			apiParam{Name: "to", In: "query", Type: "string", Format: "date"}, pDistrict, qp("format", "string", "default json", "json", "csv", "html")},
		Result: report.MissingReport{}, Also: []string{MediaCSV, MediaHTML}},
	{Method: "GET", Path: "/api/v1/reports/mace", Tag: "reports", Summary: "The MACE meeting pack",
		Access: accessReports + "; person-level roles get the lists of children (X-Purpose required, audited)", PurposeIfPersonLevel: true,
		Params: []apiParam{pAsOf, pDistrict, qp("format", "string", "default json", "json", "html")},
		Result: report.MACEPack{}, Also: []string{MediaHTML}},

	{Method: "POST", Path: "/api/v1/import", Tag: "import", Summary: "Import records: NDJSON, CSV, GeoJSON, police.uk CSV, or a multipart file",
		Description: "Rows are validated and written in batches; each bad row is reported with its line. Audited.",
		Access:      accessWriters, Params: []apiParam{qp("dry_run", "boolean", "check without writing"), qp("batch", "integer", "rows per transaction"),
			qp("type", "string", "record type of a CSV (or police.uk)"),
			qp("mode", "string", "auto or normal: how events are written (auto: by initial load, which blocks readers of events until its batch commits, for a batch of 10,000 events or more into an empty events table); initial is refused here, it is for contextmap import --mode initial")},
		BodyMedia: []string{"application/x-ndjson", MediaCSV, MediaGeoJSON, "multipart/form-data"}, Result: postgres.ImportResult{}},

	{Method: "GET", Path: "/api/v1/exports", Tag: "exports", Summary: "Download a selection of a collection as GeoJSON, CSV or GeoPackage",
		Description: "The selection and the role rules are those of /ogc/collections/{collection}/items, without paging. " +
			"GeoPackage is made by GDAL's ogr2ogr and answers 501 when the server has no GDAL. Every export is audited.",
		Access: "per collection (events: person-level roles); audited",
		Params: []apiParam{qp("format", "string", "file format (default geojson)", exportFormats...),
			qp("collection", "string", "the collection (default places)", collectionIDs...),
			pBBox, qp("datetime", "string", "RFC 3339 instant or date, or interval start/end (.. for open)"),
			qp("kind", "string", "places and events"), pDistrict, qp("sensitive", "boolean", "places"),
			qp("category", "string", "events", intel.Categories...), qp("edge_type", "string", "association_edges", edgeTypes...),
			qp("suppressed", "boolean", "hotspot_cells"), qp("purpose", "string", "why the data is exported (recorded in the audit)")},
		Media: MediaGeoJSON, Schema: "FeatureCollection", Also: []string{MediaCSV, MediaGeoPackage}},

	// OGC API Features.
	{Method: "GET", Path: "/ogc", Tag: "OGC API Features", Summary: "Landing page", Public: true, Access: "public",
		Params: []apiParam{ref("f-json")}, Schema: "LandingPage"},
	{Method: "GET", Path: "/ogc/conformance", Tag: "OGC API Features", Summary: "Conformance classes implemented", Public: true, Access: "public",
		Params: []apiParam{ref("f-json")}, Schema: "ConfClasses"},
	{Method: "GET", Path: "/ogc/collections", Tag: "OGC API Features", Summary: "The feature collections the caller may read", Access: accessEveryone,
		Params: []apiParam{ref("f-json")}, Schema: "Collections"},
	{Method: "GET", Path: "/ogc/collections/:collectionId", Tag: "OGC API Features", Summary: "A feature collection",
		Access: "per collection (events: person-level roles)", Params: []apiParam{ref("collectionId"), ref("f-json")}, Result: collectionDoc{}},
	{Method: "GET", Path: "/ogc/collections/:collectionId/queryables", Tag: "OGC API Features", Summary: "Properties that filter the items (JSON Schema)",
		Access: "per collection", Params: []apiParam{ref("collectionId"), ref("f-json")}, Media: MediaSchemaJSON, Schema: "Object"},
	{Method: "GET", Path: "/ogc/collections/:collectionId/schema", Tag: "OGC API Features", Summary: "Schema of the features (JSON Schema)",
		Access: "per collection", Params: []apiParam{ref("collectionId"), ref("f-json")}, Media: MediaSchemaJSON, Schema: "Object"},
	{Method: "GET", Path: "/ogc/collections/:collectionId/items", Tag: "OGC API Features",
		Summary: "The features of a collection, streamed, in id order",
		Description: "Any parameter not listed here (and not a queryable of the collection) is refused with 400. " +
			"numberMatched is exact. Follow the next link to page: it carries an opaque cursor.",
		Access: "per collection", Params: []apiParam{ref("collectionId"), ref("limit"), ref("bbox"), ref("datetime"), ref("cursor"), ref("f-items"),
			qp("kind", "string", "queryable of places and events"), qp("district", "string", "queryable of places and events"),
			qp("sensitive", "boolean", "queryable of places"), qp("category", "string", "queryable of events", intel.Categories...),
			qp("edge_type", "string", "queryable of association_edges", edgeTypes...),
			qp("suppressed", "boolean", "queryable of hotspot_cells")},
		Media: MediaGeoJSON, Schema: "FeatureCollection"},
	{Method: "GET", Path: "/ogc/collections/:collectionId/items/:featureId", Tag: "OGC API Features", Summary: "One feature",
		Access: "per collection", Params: []apiParam{ref("collectionId"), ref("featureId"), ref("f-json")}, Media: MediaGeoJSON, Schema: "Feature"},
}

// The shared parameters of the OGC operations.
func ogcParameters() map[string]any {
	str := func(name, in, desc string, extra map[string]any) map[string]any {
		schema := map[string]any{"type": "string"}
		for k, v := range extra {
			schema[k] = v
		}
		p := map[string]any{"name": name, "in": in, "description": desc, "required": in == "path", "schema": schema}
		if in == "query" {
			p["style"], p["explode"] = "form", false
		}
		return p
	}
	ps := map[string]any{
		"collectionId": str("collectionId", "path", "the collection's id", map[string]any{"enum": collectionIDs}),
		"featureId":    str("featureId", "path", "the feature's id", nil),
		"limit": map[string]any{"name": ParamLimit, "in": "query", "required": false, "style": "form", "explode": false,
			"description": "page size; values outside 1..10000 are clamped",
			"schema":      map[string]any{"type": "integer", "minimum": 1, "maximum": OGCMaxLimit, "default": OGCDefaultLimit}},
		"bbox": map[string]any{"name": ParamBBox, "in": "query", "required": false, "style": "form", "explode": false,
			"description": "minLon,minLat,maxLon,maxLat in CRS84 (six numbers with heights also accepted); minLon > maxLon crosses the antimeridian",
			"schema": map[string]any{"type": "array", "minItems": 4, "maxItems": 6,
				"items": map[string]any{"type": "number"}}},
		"datetime": str(ParamDatetime, "query", "an RFC 3339 instant or date, or an interval start/end with .. for an open end; selects features whose time window overlaps it (collections without time ignore it)", nil),
		"cursor":   str(ParamCursor, "query", "opaque: where the next page starts (from the next link)", nil),
		"f-json":   str(ParamFormat, "query", "json", map[string]any{"enum": []string{FormatJSON}, "default": FormatJSON}),
		"f-items":  str(ParamFormat, "query", "json (GeoJSON) or csv", map[string]any{"enum": []string{FormatJSON, FormatGeoJSON, FormatCSV}, "default": FormatJSON}),
	}
	return ps
}

// fixedSchemas are the schemas not generated from Go types.
func fixedSchemas() map[string]any {
	link := map[string]any{"$ref": "#/components/schemas/OGCLink"}
	links := map[string]any{"type": "array", "items": link}
	obj := func(props map[string]any, required ...string) map[string]any {
		m := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			m["required"] = required
		}
		return m
	}
	str := map[string]any{"type": "string"}
	return map[string]any{
		"Object": map[string]any{"type": "object"},
		"Text":   str,
		"Status": obj(map[string]any{"status": str}, "status"),
		"Me": obj(map[string]any{"role": map[string]any{"type": "string", "enum": intel.Roles}, "label": str,
			"districts": map[string]any{"type": "array", "items": str, "nullable": true}, "person_level": map[string]any{"type": "boolean"},
			"aggregates_only": map[string]any{"type": "boolean"}, "sees_adults_of_concern": map[string]any{"type": "boolean"}}),
		"OGCLink":     obj(map[string]any{"href": map[string]any{"type": "string", "format": "uri"}, "rel": str, "type": str, "title": str}, "href", "rel"),
		"LandingPage": obj(map[string]any{"title": str, "description": str, "links": links}, "links"),
		"ConfClasses": obj(map[string]any{"conformsTo": map[string]any{"type": "array", "items": str}}, "conformsTo"),
		"Collections": obj(map[string]any{"links": links, "collections": map[string]any{"type": "array",
			"items": map[string]any{"$ref": "#/components/schemas/CollectionDoc"}}}, "links", "collections"),
		"Geometry": map[string]any{"type": "object", "nullable": true, "description": "GeoJSON geometry (RFC 7946), WGS84 longitude/latitude",
			"required": []string{"type"}, "properties": map[string]any{"type": str, "coordinates": map[string]any{"type": "array", "items": map[string]any{}}}},
		"Feature": obj(map[string]any{"type": map[string]any{"type": "string", "enum": []string{"Feature"}},
			"id":         map[string]any{"oneOf": []any{str, map[string]any{"type": "integer"}}},
			"geometry":   map[string]any{"$ref": "#/components/schemas/Geometry"},
			"properties": map[string]any{"type": "object", "nullable": true}, "links": links}, "type", "geometry", "properties"),
		"FeatureCollection": obj(map[string]any{"type": map[string]any{"type": "string", "enum": []string{"FeatureCollection"}},
			"features":       map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Feature"}},
			"links":          links,
			"timeStamp":      map[string]any{"type": "string", "format": "date-time"},
			"numberMatched":  map[string]any{"type": "integer", "minimum": 0},
			"numberReturned": map[string]any{"type": "integer", "minimum": 0}}, "type", "features"),
	}
}

// openAPIPath turns a Fiber pattern into an OpenAPI path.
var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

func openAPIPath(p string) string { return fiberParam.ReplaceAllString(p, "{$1}") }

// schemaGen builds component schemas from Go types.
type schemaGen struct {
	schemas map[string]any
	types   map[string]reflect.Type // the Go type behind each generated name (nil: a fixed schema)
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	dateType  = reflect.TypeFor[intel.Date]()
	gradeType = reflect.TypeFor[intel.Grade]()
	rawType   = reflect.TypeFor[json.RawMessage]()
	linkType  = reflect.TypeFor[ogcLink]()
)

func (g *schemaGen) of(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateType:
		return map[string]any{"type": "string", "format": "date"}
	case gradeType:
		return map[string]any{"type": "string", "pattern": "^[123][A-E][PC]$", "description": "3x5x2 grade, e.g. 2BP"}
	case rawType:
		return map[string]any{"description": "any JSON"}
	case linkType:
		return map[string]any{"$ref": "#/components/schemas/OGCLink"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.of(t.Elem())
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		c := map[string]any{"nullable": true}
		for k, v := range s {
			c[k] = v
		}
		return c
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Struct:
		object := func() map[string]any {
			props, required := map[string]any{}, []string{}
			g.fields(t, props, &required)
			s := map[string]any{"type": "object", "properties": props}
			if len(required) > 0 {
				s["required"] = required
			}
			return s
		}
		if t.Name() == "" {
			return object() // anonymous: inline
		}
		name := schemaName(t)
		if other, taken := g.types[name]; taken && other != t {
			// Two types of one name (or a fixed schema's): the package
			// tells them apart.
			pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
			name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
		}
		if _, done := g.schemas[name]; !done {
			g.types[name] = t
			g.schemas[name] = map[string]any{} // placeholder against recursion
			g.schemas[name] = object()
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case reflect.Interface:
		return map[string]any{}
	}
	return map[string]any{}
}

// fields adds a struct's JSON fields (embedded structs flattened, as
// encoding/json does).
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.fields(f.Type, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if f.Type == rawType && name == "geometry" {
			props[name] = map[string]any{"$ref": "#/components/schemas/Geometry"}
		} else {
			props[name] = g.of(f.Type)
		}
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// schemaName names a Go type's schema: its name, capitalised; a generic
// type's arguments are appended by name (MACEList[intel.NodeRef] is
// MACEList_NodeRef), as component names allow only letters, digits and
// ._-.
func schemaName(t reflect.Type) string {
	n := t.Name()
	if n == "" {
		return "Anonymous"
	}
	n = pkgPath.ReplaceAllString(n, "")
	n = strings.NewReplacer("[", "_", "]", "", ",", "_", "*", "", " ", "").Replace(n)
	return strings.ToUpper(n[:1]) + n[1:]
}

var pkgPath = regexp.MustCompile(`[A-Za-z0-9_./-]*\.`)

func (op apiOp) operationID() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(op.Method))
	for _, part := range strings.FieldsFunc(op.Path, func(r rune) bool { return r == '/' || r == '.' || r == ':' || r == '-' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
	openAPIJSON []byte
)

// DuplicateOperations lists operations documented more than once (a later
// entry would silently replace an earlier one).
func DuplicateOperations() []string {
	seen := map[string]bool{}
	var dups []string
	for _, op := range apiOps {
		k := op.Method + " " + op.Path
		if seen[k] {
			dups = append(dups, k)
		}
		seen[k] = true
	}
	return dups
}

// OpenAPI builds the document (once).
func OpenAPI() map[string]any {
	openAPIOnce.Do(func() {
		openAPIDoc = buildOpenAPI()
		openAPIJSON, _ = json.Marshal(openAPIDoc)
	})
	return openAPIDoc
}

func buildOpenAPI() map[string]any {
	g := &schemaGen{schemas: fixedSchemas(), types: map[string]reflect.Type{}}
	for name := range g.schemas {
		g.types[name] = nil
	}
	g.of(reflect.TypeFor[collectionDoc]())
	problem := g.of(reflect.TypeFor[Problem]())
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{MediaProblemJSON: map[string]any{"schema": problem}}}
	}
	paths := map[string]any{}
	tags := []string{}
	for _, op := range apiOps {
		if !slices.Contains(tags, op.Tag) {
			tags = append(tags, op.Tag)
		}
		o := map[string]any{"operationId": op.operationID(), "summary": op.Summary, "tags": []string{op.Tag}}
		desc := op.Description
		if op.Access != "" {
			desc = strings.TrimSpace(desc + "\n\nAccess: " + op.Access + ".")
		}
		o["description"] = desc
		var params []any
		for _, p := range op.Params {
			if p.Ref != "" {
				params = append(params, map[string]any{"$ref": "#/components/parameters/" + p.Ref})
				continue
			}
			schema := map[string]any{"type": p.Type}
			if p.Format != "" {
				schema["format"] = p.Format
			}
			if len(p.Enum) > 0 {
				schema["enum"] = p.Enum
			}
			if p.Default != nil {
				schema["default"] = p.Default
			}
			if p.Minimum != nil {
				schema["minimum"] = *p.Minimum
			}
			if p.Maximum != nil {
				schema["maximum"] = *p.Maximum
			}
			params = append(params, map[string]any{"name": p.Name, "in": p.In, "required": p.Required || p.In == "path",
				"description": p.Description, "schema": schema})
		}
		switch {
		case op.Purpose:
			params = append(params, map[string]any{"$ref": "#/components/parameters/purpose"})
		case op.PurposeIfPersonLevel:
			params = append(params, map[string]any{"$ref": "#/components/parameters/purpose-person-level"})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		switch {
		case op.Body != nil:
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				MediaJSON: map[string]any{"schema": g.of(reflect.TypeOf(op.Body))}}}
		case len(op.BodyMedia) > 0:
			content := map[string]any{}
			for _, m := range op.BodyMedia {
				content[m] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			}
			o["requestBody"] = map[string]any{"required": true, "content": content}
		}
		status := op.OK
		if status == 0 {
			status = 200
		}
		ok := map[string]any{"description": "success"}
		media := op.Media
		if media == "" {
			media = MediaJSON
		}
		var schema map[string]any
		switch {
		case op.Schema != "":
			schema = map[string]any{"$ref": "#/components/schemas/" + op.Schema}
		case op.Result != nil && op.List:
			schema = map[string]any{"type": "object", "required": []string{"items"}, "properties": map[string]any{
				"items":      map[string]any{"type": "array", "items": g.of(reflect.TypeOf(op.Result))},
				"next_after": map[string]any{"type": "integer", "description": "present when the page is full: pass as after"},
				"next":       map[string]any{"type": "string", "format": "uri", "description": "the next page"}}}
		case op.Result != nil:
			schema = g.of(reflect.TypeOf(op.Result))
		}
		if schema != nil {
			content := map[string]any{media: map[string]any{"schema": schema}}
			for _, m := range op.Also {
				content[m] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			}
			ok["content"] = content
		}
		responses := map[string]any{itoa64(int64(status)): ok, "400": errResp("bad input, naming each bad parameter or field"),
			"500": errResp("internal error"), "503": errResp("the database is unavailable or the request took too long")}
		if !op.Public {
			responses["401"] = errResp("no, unknown, expired or revoked token")
			responses["403"] = errResp("the role may not do this")
			responses["429"] = errResp("too many requests: retry after Retry-After")
			o["security"] = []any{map[string]any{"bearer": []string{}}}
		} else {
			o["security"] = []any{}
		}
		if strings.Contains(op.Path, ":") {
			responses["404"] = errResp("no such record, or outside the caller's scope")
		}
		if op.Body != nil || len(op.BodyMedia) > 0 {
			responses["413"] = errResp("the body is larger than the limit")
		}
		o["responses"] = responses
		p := openAPIPath(op.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(op.Method)] = o
	}
	params := ogcParameters()
	params["purpose"] = map[string]any{"name": PurposeHeader, "in": "header", "required": true,
		"description": "why the person-level data is read (DPA 2018 s.62); also accepted as ?purpose=",
		"schema":      map[string]any{"type": "string", "maxLength": 500}}
	params["purpose-person-level"] = map[string]any{"name": PurposeHeader, "in": "header", "required": false,
		"description": "required from person-level roles: why the person-level data is read (DPA 2018 s.62); also accepted as ?purpose=",
		"schema":      map[string]any{"type": "string", "maxLength": 500}}
	var tagList []any
	for _, t := range tags {
		tagList = append(tagList, map[string]any{"name": t})
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "contextmap", "version": "1",
			"description": "Contextual safeguarding mapping: the JSON API under /api/v1 and OGC API Features under /ogc. " +
				"Every operation but the public ones needs Authorization: Bearer <token>; what a caller sees depends on its role."},
		"servers":  []any{map[string]any{"url": "/"}},
		"tags":     tagList,
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []string{}}},
		"components": map[string]any{"schemas": g.schemas, "parameters": params,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "an API token (contextmap token create) or an OpenID Connect access token"}}},
	}
}

func (s *Server) openAPIDocument(c *fiber.Ctx) error {
	if err := onlyParams(c, ParamFormat); err != nil {
		return err
	}
	OpenAPI()
	c.Set(fiber.HeaderContentType, MediaOpenAPI)
	return c.Send(openAPIJSON)
}
