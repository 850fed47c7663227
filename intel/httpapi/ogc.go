package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
)

// OGC API Features, Part 1 (Core), under /ogc: what QGIS, ArcGIS Pro and
// GDAL read without glue. The landing page and conformance are public (they
// hold no data); collections and features need the same bearer token as
// /api/v1 and honour the caller's role.
func (s *Server) ogcRoutes() {
	s.App.Get("/api/openapi.json", s.openAPIDocument)
	s.App.Get("/api/docs", s.openAPIHTML)
	s.App.Get("/api/docs.css", serveDocsCSS)

	ogc := s.App.Group(OGCPrefix, checkQuery, basicAsBearer)
	s.App.Get(OGCPrefix, s.ogcLanding)
	ogc.Get("/conformance", s.ogcConformance)
	ogc.Get("/collections", s.authenticate, s.ogcCollections)
	ogc.Get("/collections/:collectionId", s.authenticate, s.ogcCollection)
	ogc.Get("/collections/:collectionId/queryables", s.authenticate, s.ogcQueryables)
	ogc.Get("/collections/:collectionId/schema", s.authenticate, s.ogcSchema)
	ogc.Get("/collections/:collectionId/items", s.authenticate, s.ogcItems)
	ogc.Get("/collections/:collectionId/items/:featureId", s.authenticate, s.ogcItem)
}

// basicAsBearer lets GIS clients that can only send a user name and
// password (QGIS's Basic method, ArcGIS Pro, GDAL's USERPWD) send the token
// as the password: Authorization: Basic base64(anything:token) is read as
// Bearer token. Only under /ogc, where such clients call.
func basicAsBearer(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	scheme, cred, ok := strings.Cut(h, " ")
	if ok && strings.EqualFold(scheme, "Basic") {
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
			if _, token, ok := strings.Cut(string(b), ":"); ok && token != "" {
				c.Request().Header.Set(fiber.HeaderAuthorization, "Bearer "+token)
			}
		}
	}
	return c.Next()
}

type ogcLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// onlyParams refuses any query parameter not in allowed (OGC
// /req/core/query-param-unknown), and any given twice.
func onlyParams(c *fiber.Ctx, allowed ...string) error {
	var bad *intel.Error
	seen := map[string]bool{}
	c.Request().URI().QueryArgs().VisitAll(func(k, _ []byte) {
		if bad != nil {
			return
		}
		name := string(k)
		switch {
		case !slices.Contains(allowed, name):
			bad = intel.Invalid(name, "is not a parameter of this resource: use "+strings.Join(allowed, ", "))
		case seen[name]:
			bad = intel.Invalid(name, "is given more than once")
		}
		seen[name] = true
	})
	if bad != nil {
		return bad
	}
	return nil
}

// jsonFormat checks the f parameter of a JSON-only resource.
func jsonFormat(c *fiber.Ctx) error {
	if err := onlyParams(c, ParamFormat); err != nil {
		return err
	}
	switch c.Query(ParamFormat) {
	case "", FormatJSON:
		return nil
	}
	return intel.Invalid(ParamFormat, "must be json: this resource is served as JSON only")
}

func (s *Server) ogcLanding(c *fiber.Ctx) error {
	if err := jsonFormat(c); err != nil {
		return err
	}
	base := c.BaseURL()
	return c.JSON(fiber.Map{
		"title":       "contextmap",
		"description": "Contextual safeguarding map layers (places, districts, events) as OGC API Features. Collections need Authorization: Bearer <token>.",
		"links": []ogcLink{
			{Href: base + OGCPrefix, Rel: RelSelf, Type: MediaJSON, Title: "This document"},
			{Href: base + "/api/openapi.json", Rel: RelServiceDesc, Type: MediaOpenAPI, Title: "The API definition (OpenAPI 3.0)"},
			{Href: base + "/api/docs", Rel: RelServiceDoc, Type: MediaHTML, Title: "The API documentation"},
			{Href: base + OGCPrefix + "/conformance", Rel: RelConformance, Type: MediaJSON, Title: "Conformance classes implemented"},
			{Href: base + OGCPrefix + "/collections", Rel: RelData, Type: MediaJSON, Title: "The feature collections"},
		},
	})
}

func (s *Server) ogcConformance(c *fiber.Ctx) error {
	if err := jsonFormat(c); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"conformsTo": Conformance})
}

// collectionDoc is a collection's description (/req/core/sfc-md-op).
type collectionDoc struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	ItemType    string     `json:"itemType"`
	CRS         []string   `json:"crs"`
	Extent      *extentDoc `json:"extent,omitempty"`
	Links       []ogcLink  `json:"links"`
}

type extentDoc struct {
	Spatial  *spatialDoc  `json:"spatial,omitempty"`
	Temporal *temporalDoc `json:"temporal,omitempty"`
}

type spatialDoc struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

type temporalDoc struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

func (s *Server) describe(ctx context.Context, base string, pr intel.Principal, col collection) (collectionDoc, error) {
	m := col.meta()
	u := base + OGCPrefix + "/collections/" + m.ID
	d := collectionDoc{ID: m.ID, Title: m.Title, Description: m.Description, ItemType: "feature", CRS: []string{CRS84},
		Links: []ogcLink{
			{Href: u, Rel: RelSelf, Type: MediaJSON, Title: "This collection"},
			{Href: u + "/items", Rel: RelItems, Type: MediaGeoJSON, Title: m.Title + " as GeoJSON"},
			{Href: u + "/items?f=csv", Rel: RelItems, Type: MediaCSV, Title: m.Title + " as CSV"},
			{Href: u + "/queryables", Rel: RelQueryables, Type: MediaSchemaJSON, Title: "Properties that can filter the items"},
			{Href: u + "/schema", Rel: RelDescribedBy, Type: MediaSchemaJSON, Title: "Schema of the features"},
		}}
	e, err := col.extent(ctx, pr)
	if err != nil {
		return d, err
	}
	if e.BBox != nil || e.From != nil || e.To != nil {
		d.Extent = &extentDoc{}
	}
	if e.BBox != nil {
		d.Extent.Spatial = &spatialDoc{BBox: [][4]float64{*e.BBox}, CRS: CRS84}
	}
	if m.Temporal && (e.From != nil || e.To != nil) {
		d.Extent.Temporal = &temporalDoc{Interval: [][2]*string{{timeString(e.From), timeString(e.To)}}, TRS: Gregorian}
	}
	return d, nil
}

func timeString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func (s *Server) ogcCollections(c *fiber.Ctx) error {
	if err := jsonFormat(c); err != nil {
		return err
	}
	pr, base := principal(c), c.BaseURL()
	docs := []collectionDoc{}
	for _, col := range s.collections() {
		if !col.allowed(pr) {
			continue
		}
		d, err := s.describe(c.UserContext(), base, pr, col)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	return c.JSON(fiber.Map{
		"links":       []ogcLink{{Href: base + OGCPrefix + "/collections", Rel: RelSelf, Type: MediaJSON, Title: "This document"}},
		"collections": docs,
	})
}

// readable finds the collection named in the path and checks the caller
// may read it: 404 when there is no such collection, 403 when the role may
// not read it.
func (s *Server) readable(c *fiber.Ctx) (collection, error) {
	id := c.Params("collectionId")
	col := s.collectionByID(id)
	if col == nil {
		return nil, intel.NotFound("collection")
	}
	if !col.allowed(principal(c)) {
		return nil, intel.Errorf(intel.EFORBIDDEN, "your role may not read the %s collection", col.meta().ID)
	}
	return col, nil
}

func (s *Server) ogcCollection(c *fiber.Ctx) error {
	col, err := s.readable(c)
	if err != nil {
		return err
	}
	if err := jsonFormat(c); err != nil {
		return err
	}
	d, err := s.describe(c.UserContext(), c.BaseURL(), principal(c), col)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// fieldSchema is the JSON Schema of a property. Types are single names
// (not ["string","null"]): GDAL reads the schema's "type" as a string.
func fieldSchema(f intel.Field) map[string]any {
	m := map[string]any{}
	switch f.Type {
	case intel.FieldDateTime, intel.FieldDate:
		m["type"], m["format"] = "string", f.Type
	default:
		m["type"] = f.Type
	}
	if f.Description != "" {
		m["description"] = f.Description
	}
	if len(f.Enum) > 0 {
		m["enum"] = f.Enum
	}
	return m
}

const jsonSchemaDialect = "https://json-schema.org/draft/2019-09/schema"

func (s *Server) ogcQueryables(c *fiber.Ctx) error {
	col, err := s.readable(c)
	if err != nil {
		return err
	}
	if err := jsonFormat(c); err != nil {
		return err
	}
	m := col.meta()
	props := map[string]any{}
	for _, f := range m.Fields {
		if f.Filter {
			props[f.Name] = fieldSchema(f)
		}
	}
	c.Set(fiber.HeaderContentType, MediaSchemaJSON)
	return c.JSON(map[string]any{
		"$schema": jsonSchemaDialect, "$id": c.BaseURL() + OGCPrefix + "/collections/" + m.ID + "/queryables",
		"type": "object", "title": m.Title, "properties": props, "additionalProperties": false,
	}, MediaSchemaJSON)
}

func (s *Server) ogcSchema(c *fiber.Ctx) error {
	col, err := s.readable(c)
	if err != nil {
		return err
	}
	if err := jsonFormat(c); err != nil {
		return err
	}
	m := col.meta()
	props := map[string]any{}
	for _, f := range m.Fields {
		props[f.Name] = fieldSchema(f)
	}
	idType := "integer"
	if m.StringIDs {
		idType = "string"
	}
	return c.JSON(map[string]any{
		"$schema": jsonSchemaDialect, "$id": c.BaseURL() + OGCPrefix + "/collections/" + m.ID + "/schema",
		"title": m.Title, "type": "object", "required": []string{"type", "id", "geometry", "properties"},
		"properties": map[string]any{
			"type":       map[string]any{"type": "string", "enum": []string{"Feature"}},
			"id":         map[string]any{"type": idType},
			"geometry":   map[string]any{"type": "object", "description": "GeoJSON geometry, WGS84 longitude/latitude"},
			"properties": map[string]any{"type": "object", "properties": props},
		},
	}, MediaSchemaJSON)
}

// itemsRequest is a parsed /items (or export) request.
type itemsRequest struct {
	q     intel.FeatureQuery
	limit int // the page size (q.Limit is one more, to see whether a next page exists)
}

// featureParams are the parameters every collection's items accept.
var featureParams = []string{ParamLimit, ParamBBox, ParamDatetime, ParamCursor, ParamFormat}

// parseFeatureSelection reads bbox, datetime and property filters (shared by
// /items and exports).
func parseFeatureSelection(c *fiber.Ctx, m collectionMeta) (intel.FeatureQuery, error) {
	var q intel.FeatureQuery
	var err error
	if q.BBoxes, err = parseOGCBBox(c.Query(ParamBBox)); err != nil {
		return q, err
	}
	// datetime on a collection without time is checked but selects
	// everything: its features have no time to compare.
	from, to, err := parseDatetime(c.Query(ParamDatetime))
	if err != nil {
		return q, err
	}
	if m.Temporal {
		q.From, q.To = from, to
	}
	for _, f := range m.Fields {
		v := c.Query(f.Name)
		if !f.Filter || v == "" {
			continue
		}
		if err := checkFilter(f, v); err != nil {
			return q, err
		}
		if q.Props == nil {
			q.Props = map[string]string{}
		}
		q.Props[f.Name] = strings.Clone(v)
	}
	return q, nil
}

func checkFilter(f intel.Field, v string) error {
	switch {
	case len(f.Enum) > 0 && !slices.Contains(f.Enum, v):
		return intel.Invalid(f.Name, "must be one of "+strings.Join(f.Enum, ", "))
	case f.Type == intel.FieldBoolean && v != "true" && v != "false":
		return intel.Invalid(f.Name, "must be true or false")
	case f.Type == intel.FieldInteger:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return intel.Invalid(f.Name, "must be an integer")
		}
	case utf8.RuneCountInString(v) > 200:
		return intel.Invalid(f.Name, "must be at most 200 characters")
	}
	return nil
}

func filterNames(m collectionMeta) []string {
	var names []string
	for _, f := range m.Fields {
		if f.Filter {
			names = append(names, f.Name)
		}
	}
	return names
}

func parseItems(c *fiber.Ctx, m collectionMeta) (itemsRequest, string, error) {
	var r itemsRequest
	if err := onlyParams(c, append(slices.Clone(featureParams), filterNames(m)...)...); err != nil {
		return r, "", err
	}
	format := c.Query(ParamFormat)
	switch format {
	case "", FormatJSON, FormatGeoJSON:
		format = FormatGeoJSON
	case FormatCSV:
	default:
		return r, "", intel.Invalid(ParamFormat, "must be json (GeoJSON) or csv")
	}
	r.limit = OGCDefaultLimit
	if v := c.Query(ParamLimit); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return r, "", intel.Invalid(ParamLimit, "must be an integer")
		}
		// Clamped, not refused (/req/core/fc-limit-response).
		r.limit = int(min(max(n, 1), OGCMaxLimit))
	}
	var err error
	if r.q, err = parseFeatureSelection(c, m); err != nil {
		return r, "", err
	}
	if v := c.Query(ParamCursor); v != "" {
		if r.q.After, err = decodeCursor(v); err != nil {
			return r, "", err
		}
	}
	r.q.Limit = r.limit + 1
	return r, format, nil
}

// Cursors are opaque to clients: the key the page ended on, encoded.
const cursorPrefix = "c1."

func encodeCursor(key string) string {
	return cursorPrefix + base64.RawURLEncoding.EncodeToString([]byte(key))
}

func decodeCursor(s string) (string, error) {
	bad := intel.Invalid(ParamCursor, "is not a cursor this service issued: follow the next link")
	rest, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok {
		return "", bad
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) == 0 || len(b) > 200 || !utf8.Valid(b) {
		return "", bad
	}
	return string(b), nil
}

// parseOGCBBox reads minLon,minLat,maxLon,maxLat (or the six numbers of a
// box with heights, heights ignored) in CRS84. A box whose minLon is
// greater than its maxLon crosses the antimeridian and is split in two.
func parseOGCBBox(s string) ([][4]float64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, intel.Invalid(ParamBBox, "must be minLon,minLat,maxLon,maxLat (CRS84), or six numbers with heights")
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, intel.Invalid(ParamBBox, "must be numbers: minLon,minLat,maxLon,maxLat")
		}
		v[i] = f
	}
	b := [4]float64{v[0], v[1], v[2], v[3]}
	if len(v) == 6 {
		b = [4]float64{v[0], v[1], v[3], v[4]}
	}
	switch {
	case b[0] < -180 || b[0] > 180 || b[2] < -180 || b[2] > 180:
		return nil, intel.Invalid(ParamBBox, "longitudes must be within -180..180 (CRS84 is longitude first)")
	case b[1] < -90 || b[1] > 90 || b[3] < -90 || b[3] > 90:
		return nil, intel.Invalid(ParamBBox, "latitudes must be within -90..90 (CRS84 is longitude first)")
	case b[1] > b[3]:
		return nil, intel.Invalid(ParamBBox, "minLat is greater than maxLat")
	case b[0] > b[2]:
		return [][4]float64{{b[0], b[1], 180, b[3]}, {-180, b[1], b[2], b[3]}}, nil
	}
	return [][4]float64{b}, nil
}

// parseDatetime reads an instant or an interval (start/end, either ".."
// or empty for open), as RFC 3339 times or dates (a date as an instant is
// the whole day; as an interval end, the end of that day).
func parseDatetime(s string) (from, to *time.Time, err error) {
	if s == "" {
		return nil, nil, nil
	}
	bad := intel.Invalid(ParamDatetime, "must be an RFC 3339 time or date, or an interval start/end with .. for an open end")
	start, end, interval := strings.Cut(s, "/")
	if !interval {
		t0, t1, ok := parseInstant(s)
		if !ok {
			return nil, nil, bad
		}
		return &t0, &t1, nil
	}
	if open(start) && open(end) {
		return nil, nil, nil
	}
	if !open(start) {
		t0, _, ok := parseInstant(start)
		if !ok {
			return nil, nil, bad
		}
		from = &t0
	}
	if !open(end) {
		_, t1, ok := parseInstant(end)
		if !ok {
			return nil, nil, bad
		}
		to = &t1
	}
	if from != nil && to != nil && to.Before(*from) {
		return nil, nil, intel.Invalid(ParamDatetime, "the interval ends before it starts")
	}
	return from, to, nil
}

func open(s string) bool { return s == "" || s == ".." }

// parseInstant reads a time (start and end equal) or a date (the day from
// its first to its last instant, UTC).
// Both ends must fall in the years 1 to 9999 in UTC: 0000-01-01T00:00:00+01:00
// is in year 0 where written and in year -1 in UTC (found by
// FuzzParseDatetime).
func parseInstant(s string) (time.Time, time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, t, inTimeRange(t)
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		e := d.Add(24*time.Hour - time.Nanosecond)
		return d, e, inTimeRange(d) && inTimeRange(e)
	}
	return time.Time{}, time.Time{}, false
}

// streamTimeout bounds a streamed response, which outlives the handler
// (and so the request's own context).
func (s *Server) streamTimeout() time.Duration {
	return max(s.Config.RequestTimeout, s.Config.WriteTimeout)
}

// pageURL is this request's URL with the given parameters set (or
// removed, for "").
func pageURL(c *fiber.Ctx, set map[string]string) string {
	args := fiber.AcquireArgs()
	defer fiber.ReleaseArgs(args)
	c.Request().URI().QueryArgs().CopyTo(args)
	for k, v := range set {
		if v == "" {
			args.Del(k)
		} else {
			args.Set(k, v)
		}
	}
	u := c.BaseURL() + c.Path()
	if args.Len() > 0 {
		u += "?" + string(args.QueryString())
	}
	return u
}

func (s *Server) ogcItems(c *fiber.Ctx) error {
	col, err := s.readable(c)
	if err != nil {
		return err
	}
	m := col.meta()
	r, format, err := parseItems(c, m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.streamTimeout())
	it, matched, err := col.items(ctx, principal(c), r.q, true)
	if err != nil {
		cancel()
		return err
	}
	// Read the first feature here, so an error the query meets at once is
	// answered as a problem rather than a broken stream.
	var f intel.Feature
	first := it.Next(&f)
	if !first {
		if err := it.Err(); err != nil {
			it.Close()
			cancel()
			return err
		}
	}
	// Everything the stream needs is captured now: the request is gone
	// when it runs. The next link is known only once the page is read:
	// the query asks for one feature more than the page, whose presence
	// means there is a next page.
	geojsonURL, csvURL := pageURL(c, map[string]string{ParamFormat: ""}), pageURL(c, map[string]string{ParamFormat: FormatCSV})
	links := []ogcLink{
		{Href: pageURL(c, nil), Rel: RelSelf, Type: MediaGeoJSON, Title: "This page as GeoJSON"},
		{Href: csvURL, Rel: RelAlternate, Type: MediaCSV, Title: "This page as CSV"},
		{Href: c.BaseURL() + OGCPrefix + "/collections/" + m.ID, Rel: RelCollection, Type: MediaJSON, Title: m.Title},
	}
	if format == FormatCSV {
		links[0].Type, links[0].Title = MediaCSV, "This page as CSV"
		links[1] = ogcLink{Href: geojsonURL, Rel: RelAlternate, Type: MediaGeoJSON, Title: "This page as GeoJSON"}
	}
	nextBase := pageURL(c, map[string]string{ParamLimit: strconv.Itoa(r.limit), ParamCursor: ""}) + "&" + ParamCursor + "="
	next := func(last string) ogcLink {
		return ogcLink{Href: nextBase + encodeCursor(last), Rel: RelNext, Type: links[0].Type, Title: "The next page"}
	}
	c.Set("OGC-NumberMatched", strconv.FormatInt(matched, 10))

	if format == FormatCSV {
		// A CSV page has nowhere to hold its links but the Link header,
		// sent before the body: the page (at most OGCMaxLimit rows) is
		// written to memory first.
		defer cancel()
		defer it.Close()
		var buf bytes.Buffer
		n, last, more, err := writePage(newCSVWriter(&buf, m.Fields), it, &f, first, r.limit, nil)
		if err != nil {
			return err
		}
		if more {
			links = append(links, next(last))
		}
		c.Set("OGC-NumberReturned", strconv.Itoa(n))
		c.Set(fiber.HeaderLink, linkHeader(links))
		c.Set(fiber.HeaderContentType, MediaCSV+"; charset=utf-8")
		return c.Send(buf.Bytes())
	}

	route, log := strings.Clone(routeOf(c)), s.Log
	stamp := time.Now().UTC().Format(time.RFC3339)
	c.Set(fiber.HeaderContentType, MediaGeoJSON)
	if c.Method() == fiber.MethodHead {
		// No body is sent: stop here rather than read the page into a
		// stream fasthttp will close unread.
		it.Close()
		cancel()
		return nil
	}
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		defer it.Close()
		head := []member{{"numberMatched", strconv.AppendInt(nil, matched, 10)}, {"timeStamp", appendJSONString(nil, stamp)}}
		_, _, _, err := writePage(newGeoJSONWriter(w, m.Fields), it, &f, first, r.limit, func(n int, last string, more bool) []member {
			if more {
				links = append(links, next(last))
			}
			lb, _ := json.Marshal(links)
			return []member{{"numberReturned", strconv.AppendInt(nil, int64(n), 10)}, {"links", lb}}
		}, head...)
		if err != nil {
			// The status is sent: all that can be done is to stop, leaving
			// a document the client cannot parse, and say why in the log.
			log.Error("feature stream failed", "route", route, "err", err)
		}
	})
	return nil
}

// writePage writes up to limit features from it (f already holding the
// first when first is true). It reports how many it wrote, the cursor of
// the last, and whether more were left; tail gives the closing members.
func writePage(fw featureWriter, it intel.FeatureIter, f *intel.Feature, first bool, limit int,
	tail func(n int, last string, more bool) []member, head ...member) (n int, last string, more bool, err error) {
	if err = fw.begin(head); err != nil {
		return
	}
	for ok := first; ok; ok = it.Next(f) {
		if limit > 0 && n == limit {
			more = true
			break
		}
		if err = fw.feature(f); err != nil {
			return
		}
		last = f.Cursor()
		n++
	}
	if err = it.Err(); err != nil {
		return
	}
	var t []member
	if tail != nil {
		t = tail(n, last, more)
	}
	err = fw.end(t)
	return
}

// linkHeader formats links as an RFC 8288 Link header.
func linkHeader(links []ogcLink) string {
	parts := make([]string, len(links))
	for i, l := range links {
		parts[i] = "<" + l.Href + `>; rel="` + l.Rel + `"; type="` + l.Type + `"`
	}
	return strings.Join(parts, ", ")
}

func (s *Server) ogcItem(c *fiber.Ctx) error {
	col, err := s.readable(c)
	if err != nil {
		return err
	}
	if err := onlyParams(c, ParamFormat); err != nil {
		return err
	}
	switch c.Query(ParamFormat) {
	case "", FormatJSON, FormatGeoJSON:
	default:
		return intel.Invalid(ParamFormat, "must be json (GeoJSON)")
	}
	m := col.meta()
	var f intel.Feature
	if err := col.item(c.UserContext(), principal(c), c.Params("featureId"), &f); err != nil {
		return err
	}
	names := make([][]byte, len(m.Fields))
	for i, fl := range m.Fields {
		names[i] = append(appendJSONString(nil, fl.Name), ':')
	}
	b := appendFeature(nil, &f, names)
	u := c.BaseURL() + OGCPrefix + "/collections/" + m.ID
	lb, _ := json.Marshal([]ogcLink{
		{Href: u + "/items/" + f.Cursor(), Rel: RelSelf, Type: MediaGeoJSON, Title: "This feature"},
		{Href: u, Rel: RelCollection, Type: MediaJSON, Title: m.Title},
	})
	b = append(b[:len(b)-1], `,"links":`...)
	b = append(append(b, lb...), '}')
	c.Set(fiber.HeaderContentType, MediaGeoJSON)
	return c.Send(b)
}
