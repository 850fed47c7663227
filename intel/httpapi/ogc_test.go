package httpapi_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/httpapi"
)

// OGC API Features Part 1 conformance, walked requirement class by
// requirement class (OGC 17-069r4, /req/core/..., /req/geojson/...,
// /req/oas30/...), against a copy of the Cumbria demo.

type ogcLink struct{ Href, Rel, Type, Title string }

type ogcFC struct {
	Type           string
	NumberMatched  *int64
	NumberReturned *int64
	TimeStamp      string
	Features       []ogcFeature
	Links          []ogcLink
}

type ogcFeature struct {
	Type     string
	ID       any
	Geometry *struct {
		Type        string
		Coordinates json.RawMessage
	}
	Properties map[string]any
	Links      []ogcLink
}

// get fetches an absolute or relative URL as role and decodes JSON into v
// (when v is not nil), failing unless the status is want.
func (h *harness) getJSON(role, u string, want int, v any) response {
	h.t.Helper()
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		u = pu.RequestURI()
	}
	r := h.do(role, "GET", u, nil)
	if r.Status != want {
		h.t.Fatalf("GET %s as %s: %d, want %d: %s", u, role, r.Status, want, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			h.t.Fatalf("GET %s: %v: %s", u, err, r.Body)
		}
	}
	return r
}

func linkOf(t *testing.T, links []ogcLink, rel string) ogcLink {
	t.Helper()
	for _, l := range links {
		if l.Rel == rel {
			return l
		}
	}
	t.Fatalf("no %q link in %+v", rel, links)
	return ogcLink{}
}

func hasLink(links []ogcLink, rel string) bool {
	return slices.ContainsFunc(links, func(l ogcLink) bool { return l.Rel == rel })
}

// walk follows next links from u and returns every feature, checking each
// page's numberReturned and typed links on the way.
func (h *harness) walk(role, u string) (all []ogcFeature, matched int64, pages int) {
	h.t.Helper()
	for u != "" {
		var fc ogcFC
		r := h.getJSON(role, u, 200, &fc)
		if ct := r.Header.Get("Content-Type"); ct != httpapi.MediaGeoJSON {
			h.t.Fatalf("items Content-Type %q", ct)
		}
		pages++
		if fc.NumberReturned == nil || *fc.NumberReturned != int64(len(fc.Features)) {
			h.t.Fatalf("numberReturned %v, %d features", fc.NumberReturned, len(fc.Features))
		}
		if fc.NumberMatched == nil {
			h.t.Fatal("no numberMatched")
		}
		if pages > 1 && *fc.NumberMatched != matched {
			h.t.Fatalf("numberMatched changed between pages: %d then %d", matched, *fc.NumberMatched)
		}
		matched = *fc.NumberMatched
		all = append(all, fc.Features...)
		u = ""
		for _, l := range fc.Links {
			if l.Rel == "next" {
				if l.Type != httpapi.MediaGeoJSON {
					h.t.Fatalf("next link not typed as GeoJSON: %+v", l)
				}
				u = l.Href
			}
		}
		if pages > 10000 {
			h.t.Fatal("next links do not end")
		}
	}
	return all, matched, pages
}

func point(t *testing.T, f ogcFeature) (lon, lat float64) {
	t.Helper()
	if f.Geometry == nil || f.Geometry.Type != "Point" {
		t.Fatalf("feature %v is not a point: %+v", f.ID, f.Geometry)
	}
	var c [2]float64
	if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
		t.Fatal(err)
	}
	return c[0], c[1]
}

func TestOGCConformance(t *testing.T) {
	h := newDemoHarness(t)

	// /req/core/root-op, /req/core/root-success: public, with typed
	// service-desc, conformance and data links.
	var landing struct {
		Title string
		Links []ogcLink
	}
	h.getJSON("", "/ogc", 200, &landing)
	for rel, typ := range map[string]string{"self": httpapi.MediaJSON, "service-desc": httpapi.MediaOpenAPI,
		"service-doc": httpapi.MediaHTML, "conformance": httpapi.MediaJSON, "data": httpapi.MediaJSON} {
		if l := linkOf(t, landing.Links, rel); l.Type != typ || !strings.HasPrefix(l.Href, "http://") {
			t.Errorf("landing %s link %+v, want type %s and an absolute href", rel, l, typ)
		}
	}
	// Every landing link resolves.
	for _, l := range landing.Links {
		r := h.do("analyst", "GET", mustRequestURI(t, l.Href), nil)
		if r.Status != 200 {
			t.Errorf("landing link %s: %d", l.Href, r.Status)
		}
	}

	// /req/oas30/oas-definition-1: the service-desc is OpenAPI 3.0 and
	// describes the OGC paths.
	var oas struct {
		OpenAPI string
		Paths   map[string]any
	}
	r := h.getJSON("", mustRequestURI(t, linkOf(t, landing.Links, "service-desc").Href), 200, &oas)
	if !strings.HasPrefix(oas.OpenAPI, "3.0") || r.Header.Get("Content-Type") != httpapi.MediaOpenAPI {
		t.Errorf("service-desc: openapi %q, Content-Type %q", oas.OpenAPI, r.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/{collectionId}",
		"/ogc/collections/{collectionId}/items", "/ogc/collections/{collectionId}/items/{featureId}"} {
		if oas.Paths[p] == nil {
			t.Errorf("the OpenAPI document lacks %s", p)
		}
	}

	// /req/core/conformance-success: the classes claimed, and not HTML,
	// which is not served.
	var conf struct{ ConformsTo []string }
	h.getJSON("", "/ogc/conformance", 200, &conf)
	for _, c := range []string{httpapi.ConfCore, httpapi.ConfGeoJSON, httpapi.ConfOAS30} {
		if !slices.Contains(conf.ConformsTo, c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
	if slices.ContainsFunc(conf.ConformsTo, func(c string) bool { return strings.HasSuffix(c, "/conf/html") }) {
		t.Error("HTML conformance claimed but not served")
	}

	// /req/core/fc-md-op, fc-md-success, fc-md-items, fc-md-extent: the
	// collections, with typed links and CRS84 extents (longitude first).
	var cols struct {
		Links       []ogcLink
		Collections []struct {
			ID, Title string
			ItemType  string
			CRS       []string
			Extent    struct {
				Spatial struct {
					BBox [][]float64
					CRS  string
				}
				Temporal *struct{ Interval [][]*string }
			}
			Links []ogcLink
		}
	}
	h.getJSON("analyst", "/ogc/collections", 200, &cols)
	if l := linkOf(t, cols.Links, "self"); l.Type != httpapi.MediaJSON {
		t.Errorf("collections self link %+v", l)
	}
	var ids []string
	for _, c := range cols.Collections {
		ids = append(ids, c.ID)
		if l := linkOf(t, c.Links, "items"); l.Type != httpapi.MediaGeoJSON {
			t.Errorf("%s: items link %+v", c.ID, l)
		}
		if len(c.Extent.Spatial.BBox) != 1 || len(c.Extent.Spatial.BBox[0]) != 4 || c.Extent.Spatial.CRS != httpapi.CRS84 {
			t.Fatalf("%s: spatial extent %+v", c.ID, c.Extent.Spatial)
		}
		// Cumbria lies between 3.7°W and 2.1°W, 54.0°N and 55.2°N: a
		// longitude-first box has its first number near -3 and its second
		// near 54.
		b := c.Extent.Spatial.BBox[0]
		if !(b[0] > -3.8 && b[0] < b[2] && b[2] < -2.0 && b[1] > 53.9 && b[1] < b[3] && b[3] < 55.3) {
			t.Errorf("%s: bbox %v is not a CRS84 (longitude, latitude) box around Cumbria", c.ID, b)
		}
		var one struct{ ID string }
		h.getJSON("analyst", mustRequestURI(t, linkOf(t, c.Links, "self").Href), 200, &one)
		if one.ID != c.ID {
			t.Errorf("/collections/%s answers id %q", c.ID, one.ID)
		}
	}
	for _, want := range []string{"districts", "places", "events"} {
		if !slices.Contains(ids, want) {
			t.Errorf("collection %s missing from %v", want, ids)
		}
	}

	// /req/core/fc-response, fc-links, fc-rel-type: a page with typed
	// self, alternate and next links, and exact counts.
	var fc ogcFC
	h.getJSON("analyst", "/ogc/collections/places/items?limit=7", 200, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 7 || *fc.NumberReturned != 7 {
		t.Fatalf("page of 7: type %q, %d features", fc.Type, len(fc.Features))
	}
	for rel, typ := range map[string]string{"self": httpapi.MediaGeoJSON, "alternate": httpapi.MediaCSV, "next": httpapi.MediaGeoJSON} {
		if l := linkOf(t, fc.Links, rel); l.Type != typ {
			t.Errorf("items %s link %+v, want type %s", rel, l, typ)
		}
	}
	if _, err := time.Parse(time.RFC3339, fc.TimeStamp); err != nil {
		t.Errorf("timeStamp %q", fc.TimeStamp)
	}
	// The alternate is the same page as CSV.
	alt := h.do("analyst", "GET", mustRequestURI(t, linkOf(t, fc.Links, "alternate").Href), nil)
	if alt.Status != 200 || !strings.HasPrefix(alt.Header.Get("Content-Type"), httpapi.MediaCSV) ||
		strings.Count(strings.TrimSpace(string(alt.Body)), "\n") != 7 {
		t.Errorf("alternate CSV: %d %s: %d lines", alt.Status, alt.Header.Get("Content-Type"), strings.Count(string(alt.Body), "\n"))
	}

	// numberMatched is exact: the count of places in the database, and
	// walking the next links returns each place exactly once.
	var n int64
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM places`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	all, matched, pages := h.walk("analyst", "/ogc/collections/places/items?limit=50")
	if matched != n || int64(len(all)) != n || pages != int((n+49)/50) {
		t.Errorf("walk: numberMatched %d, %d features in %d pages; the database holds %d", matched, len(all), pages, n)
	}
	seen := map[float64]bool{}
	for _, f := range all {
		id := f.ID.(float64)
		if seen[id] {
			t.Errorf("place %v returned twice", id)
		}
		seen[id] = true
	}

	// CRS84 order, known answer: Appleby station is at 54.58032 N,
	// 2.486692 W in the rail station file the demo loads (its columns are
	// named lat and long).
	found := false
	for _, f := range all {
		if f.Properties["name"] == "Appleby station" {
			lon, lat := point(t, f)
			found = math.Abs(lon+2.486692) < 1e-6 && math.Abs(lat-54.58032) < 1e-6
			if !found {
				t.Errorf("Appleby station at %v, %v: want -2.486692, 54.58032 (longitude first)", lon, lat)
			}
		}
	}
	if !found {
		t.Error("Appleby station not found")
	}

	// /req/core/fc-limit-response: limits outside 1..10000 are clamped,
	// not refused.
	for limit, want := range map[string]int{"0": 1, "-5": 1, "1": 1, "20000": int(min(n, httpapi.OGCMaxLimit))} {
		var p ogcFC
		h.getJSON("analyst", "/ogc/collections/places/items?limit="+limit, 200, &p)
		if len(p.Features) != want {
			t.Errorf("limit=%s: %d features, want %d", limit, len(p.Features), want)
		}
		if want < int(n) && hasLink(p.Links, "next") && !strings.Contains(linkOf(t, p.Links, "next").Href, fmt.Sprintf("limit=%d", want)) {
			t.Errorf("limit=%s: next link %s does not carry the clamped limit", limit, linkOf(t, p.Links, "next").Href)
		}
	}
	if p := (ogcFC{}); true {
		h.getJSON("analyst", "/ogc/collections/places/items", 200, &p)
		if len(p.Features) != httpapi.OGCDefaultLimit {
			t.Errorf("default limit: %d features", len(p.Features))
		}
	}

	// /req/core/fc-bbox-response: only features in the box, and all of
	// them (checked against the full walk filtered here).
	bbox := [4]float64{-3.0, 54.8, -2.8, 54.95} // around Carlisle
	in, _, _ := h.walk("analyst", fmt.Sprintf("/ogc/collections/places/items?limit=40&bbox=%g,%g,%g,%g", bbox[0], bbox[1], bbox[2], bbox[3]))
	want := 0
	for _, f := range all {
		if f.Geometry.Type != "Point" {
			continue
		}
		if lon, lat := point(t, f); lon >= bbox[0] && lon <= bbox[2] && lat >= bbox[1] && lat <= bbox[3] {
			want++
		}
	}
	gotPoints := 0
	for _, f := range in {
		if f.Geometry.Type != "Point" {
			continue // areas that intersect the box
		}
		gotPoints++
		if lon, lat := point(t, f); lon < bbox[0] || lon > bbox[2] || lat < bbox[1] || lat > bbox[3] {
			t.Errorf("bbox: place %v at %v,%v is outside %v", f.ID, lon, lat, bbox)
		}
	}
	if gotPoints != want || want == 0 {
		t.Errorf("bbox: %d points, want %d", gotPoints, want)
	}
	// The same box latitude first (EPSG:4326 order) is read as CRS84: a
	// box in the Gulf of Guinea, holding nothing; latitudes beyond 90 are
	// refused.
	var swapped ogcFC
	h.getJSON("analyst", "/ogc/collections/places/items?bbox=54.8,-3.0,54.95,-2.8", 200, &swapped)
	if *swapped.NumberMatched != 0 {
		t.Errorf("a latitude-first box matches %d places", *swapped.NumberMatched)
	}
	h.getJSON("analyst", "/ogc/collections/places/items?bbox=-3.0,95,-2.8,96", 400, nil)

	// /req/core/fc-time-response: events whose window overlaps datetime
	// (checked against every event filtered here).
	events, evMatched, _ := h.walk("analyst", "/ogc/collections/events/items?limit=5000")
	if int64(len(events)) != evMatched {
		t.Fatalf("events: %d of %d", len(events), evMatched)
	}
	from, to := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 6, 30, 23, 59, 59, 0, time.UTC)
	overlap := func(f ogcFeature) bool {
		s, _ := time.Parse(time.RFC3339, f.Properties["starts_at"].(string))
		e, _ := time.Parse(time.RFC3339, f.Properties["ends_at"].(string))
		return !e.Before(from) && !s.After(to)
	}
	wantEv := 0
	for _, f := range events {
		if overlap(f) {
			wantEv++
		}
	}
	june, juneMatched, _ := h.walk("analyst", "/ogc/collections/events/items?limit=1000&datetime=2020-06-01T00:00:00Z/2020-06-30T23:59:59Z")
	if len(june) != wantEv || juneMatched != int64(wantEv) || wantEv == 0 {
		t.Errorf("datetime: %d events (numberMatched %d), want %d", len(june), juneMatched, wantEv)
	}
	for _, f := range june {
		if !overlap(f) {
			t.Errorf("datetime: event %v outside the interval", f.ID)
		}
	}
	// Open ends and a date.
	for _, q := range []string{"2020-06-01T00:00:00Z/..", "../2020-06-30T23:59:59Z", "2020-06-15", "../..", "2020-06-15T12:00:00Z"} {
		h.getJSON("analyst", "/ogc/collections/events/items?limit=1&datetime="+url.QueryEscape(q), 200, nil)
	}

	// /req/core/query-param-unknown and query-param-invalid: 400 naming
	// the parameter.
	for _, q := range []string{"foo=1", "limit=ten", "bbox=1,2,3", "bbox=a,b,c,d", "datetime=yesterday",
		"datetime=2020-07-01T00:00:00Z/2020-06-01T00:00:00Z", "cursor=xyz", "f=html", "kind=castle", "sensitive=maybe",
		"limit=1&limit=2", "bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/27700")} {
		r := h.do("analyst", "GET", "/ogc/collections/places/items?"+q, nil)
		name := strings.SplitN(q, "=", 2)[0]
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+name+`"`) {
			t.Errorf("?%s: %d %s, want 400 naming %s", q, r.Status, r.Body, name)
		}
	}
	for _, p := range []string{"/ogc?foo=1", "/ogc/conformance?foo=1", "/ogc/collections?limit=1", "/ogc/collections/places?bbox=1,2,3,4"} {
		if r := h.do("analyst", "GET", p, nil); r.Status != 400 {
			t.Errorf("%s: %d, want 400", p, r.Status)
		}
	}
	// A queryable filters.
	var parks ogcFC
	h.getJSON("analyst", "/ogc/collections/places/items?kind=park&limit=1000", 200, &parks)
	if len(parks.Features) == 0 {
		t.Error("no parks")
	}
	for _, f := range parks.Features {
		if f.Properties["kind"] != "park" {
			t.Errorf("kind=park returned %v", f.Properties["kind"])
		}
	}

	// /req/core/f-op, f-success, f-links: one feature, typed links; 404
	// for an id that does not exist.
	var one ogcFeature
	first := all[0]
	r = h.getJSON("analyst", fmt.Sprintf("/ogc/collections/places/items/%v", first.ID), 200, &one)
	if r.Header.Get("Content-Type") != httpapi.MediaGeoJSON || one.Type != "Feature" || one.ID != first.ID ||
		linkOf(t, one.Links, "self").Type != httpapi.MediaGeoJSON || linkOf(t, one.Links, "collection").Type != httpapi.MediaJSON {
		t.Errorf("feature %v: %+v", first.ID, one)
	}
	h.getJSON("analyst", "/ogc/collections/places/items/999999999", 404, nil)
	h.getJSON("analyst", "/ogc/collections/places/items/abc", 404, nil)
	h.getJSON("analyst", "/ogc/collections/nothing/items", 404, nil)
	var d ogcFeature
	h.getJSON("analyst", "/ogc/collections/districts/items/E07000028", 200, &d)
	if d.Properties["name"] != "Carlisle" || d.Geometry.Type != "MultiPolygon" {
		t.Errorf("district E07000028: %v %v", d.Properties, d.Geometry.Type)
	}
}

func mustRequestURI(t *testing.T, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// TestOGCRoles: every collection honours the caller's role.
func TestOGCRoles(t *testing.T) {
	h := newDemoHarness(t)

	// No token: collections and features are refused; landing and
	// conformance are public.
	for _, p := range []string{"/ogc/collections", "/ogc/collections/places", "/ogc/collections/places/items", "/ogc/collections/districts/items/E07000028"} {
		if r := h.do("", "GET", p, nil); r.Status != 401 {
			t.Errorf("%s without a token: %d", p, r.Status)
		}
	}

	// Events are for person-level roles: not listed for the others, and 403.
	for role, sees := range map[string]bool{"analyst": true, "police": true, "district": true, "partner": false, "admin": false} {
		var cols struct{ Collections []struct{ ID string } }
		h.getJSON(role, "/ogc/collections", 200, &cols)
		listed := slices.ContainsFunc(cols.Collections, func(c struct{ ID string }) bool { return c.ID == "events" })
		if listed != sees {
			t.Errorf("%s: events listed %v", role, listed)
		}
		status := 200
		if !sees {
			status = 403
		}
		for _, p := range []string{"/ogc/collections/events", "/ogc/collections/events/items?limit=1", "/ogc/collections/events/queryables"} {
			h.getJSON(role, p, status, nil)
		}
	}

	// A district team sees only its own district's events, and the counts
	// say so.
	evs, matched, _ := h.walk("district", "/ogc/collections/events/items?limit=2000")
	var inCarlisle int64
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM events WHERE district = 'E07000028'`).Scan(&inCarlisle); err != nil {
		t.Fatal(err)
	}
	if matched != inCarlisle || int64(len(evs)) != inCarlisle || inCarlisle == 0 {
		t.Errorf("district: %d events (numberMatched %d), Carlisle holds %d", len(evs), matched, inCarlisle)
	}
	for _, f := range evs {
		if f.Properties["district"] != "E07000028" {
			t.Errorf("district team sees event %v in %v", f.ID, f.Properties["district"])
		}
	}
	var other int64
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT min(id) FROM events WHERE district <> 'E07000028'`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	h.getJSON("district", fmt.Sprintf("/ogc/collections/events/items/%d", other), 404, nil)
	h.getJSON("analyst", fmt.Sprintf("/ogc/collections/events/items/%d", other), 200, nil)

	// Events carry no people: not a person-level read, so no purpose is
	// needed and nothing is audited.
	var ev ogcFeature
	h.getJSON("police", fmt.Sprintf("/ogc/collections/events/items/%d", other), 200, &ev)
	for k := range ev.Properties {
		if strings.Contains(k, "people") || strings.Contains(k, "person") || strings.Contains(k, "group") {
			t.Errorf("event property %q names people or groups", k)
		}
	}

	// Sensitive places: exact for the analyst; generalised for the
	// partner, including in what a bbox finds.
	var id int64
	var lon, lat float64
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT id, ST_X(pt), ST_Y(pt) FROM places WHERE sensitive ORDER BY id LIMIT 1`).
		Scan(&id, &lon, &lat); err != nil {
		t.Fatal(err)
	}
	var exact, coarse ogcFeature
	h.getJSON("analyst", fmt.Sprintf("/ogc/collections/places/items/%d", id), 200, &exact)
	h.getJSON("partner", fmt.Sprintf("/ogc/collections/places/items/%d", id), 200, &coarse)
	if x, y := point(t, exact); math.Abs(x-lon) > 1e-6 || math.Abs(y-lat) > 1e-6 || exact.Properties["generalised"] != false {
		t.Errorf("analyst sees the sensitive place at %v,%v, want %v,%v", x, y, lon, lat)
	}
	cx, cy := point(t, coarse)
	if (math.Abs(cx-lon) < 1e-6 && math.Abs(cy-lat) < 1e-6) || coarse.Properties["generalised"] != true ||
		strings.Contains(fmt.Sprint(coarse.Properties["name"]), "fictional") {
		t.Errorf("partner sees the sensitive place exactly or named: %v,%v %v", cx, cy, coarse.Properties)
	}
	tiny := fmt.Sprintf("%g,%g,%g,%g", lon-0.0002, lat-0.0002, lon+0.0002, lat+0.0002)
	if math.Abs(cx-lon) < 0.0002 && math.Abs(cy-lat) < 0.0002 {
		t.Fatal("the generalised point is within the tiny box: pick another place")
	}
	for role, findable := range map[string]bool{"analyst": true, "partner": false} {
		var p ogcFC
		h.getJSON(role, "/ogc/collections/places/items?bbox="+tiny, 200, &p)
		got := slices.ContainsFunc(p.Features, func(f ogcFeature) bool { return f.ID == float64(id) })
		if got != findable {
			t.Errorf("%s: a bbox around the exact position finds the sensitive place: %v", role, got)
		}
	}
	// ...and a box around the generalised point finds it for the partner.
	var p ogcFC
	h.getJSON("partner", fmt.Sprintf("/ogc/collections/places/items?limit=10000&bbox=%g,%g,%g,%g", cx-0.0001, cy-0.0001, cx+0.0001, cy+0.0001), 200, &p)
	if !slices.ContainsFunc(p.Features, func(f ogcFeature) bool { return f.ID == float64(id) }) {
		t.Error("partner: a bbox around the generalised point does not find the place")
	}
}

// TestOGCAssociationEdges: the edges collection holds what the association
// map shows each role, pages and filters it.
func TestOGCAssociationEdges(t *testing.T) {
	h := newDemoHarness(t)
	for _, role := range []string{"analyst", "district", "partner"} {
		r := h.do(role, "GET", "/api/v1/maps/associations", nil)
		if r.Status != 200 {
			t.Fatalf("association map as %s: %d", role, r.Status)
		}
		var m struct {
			Features []struct{ Properties map[string]any }
		}
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, f := range m.Features {
			if f.Properties["feature"] == "edge" {
				want[fmt.Sprintf("%v-%v-%v", f.Properties["edge_type"], f.Properties["source"], f.Properties["target"])] = true
			}
		}
		edges, matched, pages := h.walk(role, "/ogc/collections/association_edges/items?limit=400")
		t.Logf("%s: %d edges in %d pages", role, len(edges), pages)
		if int(matched) != len(want) || len(edges) != len(want) || len(want) == 0 || (role == "analyst" && pages < 2) {
			t.Errorf("%s: %d edges (numberMatched %d) in %d pages; the association map has %d", role, len(edges), matched, pages, len(want))
		}
		for _, e := range edges {
			id := e.ID.(string)
			if !want[id] {
				t.Errorf("%s: edge %s is not on the association map", role, id)
			}
			if e.Geometry == nil || e.Geometry.Type != "LineString" {
				t.Errorf("%s: edge %s geometry %+v", role, id, e.Geometry)
			}
			if role == "partner" && (e.Properties["edge_type"] != "place-place" || e.Properties["people"].(float64) < 5 && e.Properties["people"].(float64) > 0) {
				t.Errorf("partner sees edge %s with %v", id, e.Properties)
			}
		}
	}

	// bbox: a small box around one end of an edge finds it; every edge
	// found passes through the box (checked by sampling the segment).
	all, _, _ := h.walk("analyst", "/ogc/collections/association_edges/items?limit=1000&edge_type=place-place")
	var ends [][2][2]float64
	for _, e := range all {
		if e.Properties["edge_type"] != "place-place" {
			t.Fatalf("edge_type=place-place returned %v", e.Properties["edge_type"])
		}
		var c [2][2]float64
		if err := json.Unmarshal(e.Geometry.Coordinates, &c); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, c)
	}
	a := ends[0][0]
	box := [4]float64{a[0] - 0.001, a[1] - 0.001, a[0] + 0.001, a[1] + 0.001}
	in, _, _ := h.walk("analyst", fmt.Sprintf("/ogc/collections/association_edges/items?limit=1000&edge_type=place-place&bbox=%g,%g,%g,%g", box[0], box[1], box[2], box[3]))
	if !slices.ContainsFunc(in, func(f ogcFeature) bool { return f.ID == all[0].ID }) {
		t.Errorf("a box around an end of edge %v does not find it", all[0].ID)
	}
	for _, f := range in {
		var c [2][2]float64
		_ = json.Unmarshal(f.Geometry.Coordinates, &c)
		hit := false
		for k := 0; k <= 1000 && !hit; k++ {
			x := c[0][0] + (c[1][0]-c[0][0])*float64(k)/1000
			y := c[0][1] + (c[1][1]-c[0][1])*float64(k)/1000
			hit = x >= box[0]-1e-9 && x <= box[2]+1e-9 && y >= box[1]-1e-9 && y <= box[3]+1e-9
		}
		if !hit {
			t.Errorf("edge %v at %v does not pass through %v", f.ID, c, box)
		}
	}
	if len(in) >= len(all) {
		t.Errorf("the box finds %d of %d edges", len(in), len(all))
	}
}

// TestOGCHotspotCells: the hotspot cells collection holds the cells of
// the default hotspot map, with the same disclosure control, for the
// window datetime gives.
func TestOGCHotspotCells(t *testing.T) {
	h := newDemoHarness(t)
	for _, role := range []string{"analyst", "district", "partner"} {
		r := h.do(role, "GET", "/api/v1/maps/hotspots?from=2020-01-01&to=2020-12-31", nil)
		if r.Status != 200 {
			t.Fatalf("hotspot map as %s: %d %s", role, r.Status, r.Body)
		}
		var m struct {
			Features []struct {
				ID         string
				Properties map[string]any
			}
		}
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		want := map[string]map[string]any{}
		for _, f := range m.Features {
			want[f.ID] = f.Properties
		}
		cells, matched, _ := h.walk(role, "/ogc/collections/hotspot_cells/items?limit=500&datetime=2020-01-01/2020-12-31")
		if int(matched) != len(want) || len(cells) != len(want) || len(want) == 0 {
			t.Errorf("%s: %d cells (numberMatched %d); the hotspot map has %d", role, len(cells), matched, len(want))
		}
		suppressed := 0
		for _, c := range cells {
			w, ok := want[c.ID.(string)]
			if !ok {
				t.Errorf("%s: cell %v is not on the hotspot map", role, c.ID)
				continue
			}
			if c.Properties["suppressed"] == true {
				suppressed++
				if c.Properties["events"] != nil || c.Properties["people"] != nil || w["suppressed"] != true {
					t.Errorf("%s: suppressed cell %v shows %v (map: %v)", role, c.ID, c.Properties, w)
				}
				continue
			}
			if c.Properties["events"] != w["events"] || c.Properties["people"] != w["people"] {
				t.Errorf("%s: cell %v: %v, the map says %v", role, c.ID, c.Properties, w)
			}
			if c.Geometry == nil || c.Geometry.Type != "Polygon" {
				t.Errorf("cell geometry %+v", c.Geometry)
			}
		}
		if role == "partner" && suppressed == 0 {
			t.Error("no cell suppressed for the partner: disclosure control not exercised")
		}
	}
	h.getJSON("admin", "/ogc/collections/hotspot_cells/items", 403, nil)
}

// TestOGCHeadFreesConnections: a HEAD request gets the headers and leaves
// no database connection held.
func TestOGCHeadFreesConnections(t *testing.T) {
	h := newHarness(t)
	for range 12 {
		for _, p := range []string{"/ogc/collections/districts/items", "/api/v1/exports?collection=districts"} {
			if r := h.do("analyst", "HEAD", p, nil); r.Status != 200 || len(r.Body) != 0 {
				t.Fatalf("HEAD %s: %d, %d bytes", p, r.Status, len(r.Body))
			}
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for h.db.Pool.Stat().AcquiredConns() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := h.db.Pool.Stat().AcquiredConns(); n > 0 {
		t.Errorf("%d connections still held after HEAD requests", n)
	}
	h.getJSON("analyst", "/ogc/collections/districts/items", 200, nil)
}
