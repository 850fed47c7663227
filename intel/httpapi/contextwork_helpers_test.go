package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// Helpers for the context-work tests: records made through the API as an
// analyst (or police for adults of concern), positions worked out by
// PostGIS from British National Grid metres.

func (h *harness) yp(pseudonym, district string) int64 {
	h.t.Helper()
	return id(h.must(201, "analyst", "POST", "/api/v1/people", map[string]any{"kind": "young_person",
		"pseudonym": pseudonym, "district": district, "age_band": "13-15"}))
}

func (h *harness) adult(pseudonym, district string) int64 {
	h.t.Helper()
	return id(h.must(201, "police", "POST", "/api/v1/people", map[string]any{"kind": "adult_of_concern",
		"pseudonym": pseudonym, "district": district}))
}

// lonLat converts BNG metres to WGS84 with PostGIS, the same
// transformation the database applies when it derives events' x/y.
func (h *harness) lonLat(x, y float64) []float64 {
	h.t.Helper()
	var lon, lat float64
	err := h.db.Pool.QueryRow(context.Background(), `SELECT ST_X(g), ST_Y(g)
		FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 27700), 4326) g`, x, y).Scan(&lon, &lat)
	if err != nil {
		h.t.Fatal(err)
	}
	return []float64{lon, lat}
}

func cwPoint(lonlat []float64) map[string]any {
	return map[string]any{"type": "Point", "coordinates": lonlat}
}

// square is a BNG-aligned square polygon from (x0, y0) to (x1, y1), as lon/lat.
func (h *harness) square(x0, y0, x1, y1 float64) map[string]any {
	ring := [][]float64{h.lonLat(x0, y0), h.lonLat(x1, y0), h.lonLat(x1, y1), h.lonLat(x0, y1)}
	ring = append(ring, ring[0])
	return map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}}
}

func (h *harness) placeAt(name, kind string, x, y float64) int64 {
	h.t.Helper()
	return id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": name, "kind": kind,
		"geometry": cwPoint(h.lonLat(x, y))}))
}

// placeXY is where the database put a place, in BNG metres.
func (h *harness) placeXY(id int64) (float64, float64) {
	h.t.Helper()
	var x, y float64
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT x, y FROM places WHERE id = $1`, id).Scan(&x, &y); err != nil {
		h.t.Fatal(err)
	}
	return x, y
}

// eventAt records an event of kind starting at t (RFC 3339) at a place,
// or at BNG (x, y) when place is 0, with the young people given.
func (h *harness) eventAt(kind, t string, place int64, x, y float64, people ...int64) int64 {
	h.t.Helper()
	b := map[string]any{"kind": kind, "from": t, "grade": "2BP", "source_agency": "Police", "people": people}
	if place != 0 {
		b["place_id"] = place
	} else {
		b["geometry"] = cwPoint(h.lonLat(x, y))
	}
	if people == nil {
		b["people"] = []int64{}
	}
	return id(h.must(201, "analyst", "POST", "/api/v1/events", b))
}

func (h *harness) link(kind string, src, dst int64, first, last, review string) int64 {
	h.t.Helper()
	return id(h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": kind, "source_id": src,
		"target_id": dst, "grade": "2BP", "source_agency": "Police", "first_seen": first, "last_seen": last,
		"review_date": review}))
}

// auditOf returns the audit records of a route, newest last.
func (h *harness) auditOf(route string) []map[string]any {
	h.t.Helper()
	body := h.must(200, "admin", "GET", "/api/v1/audit?limit=1000", nil)
	var out []map[string]any
	for _, it := range body["items"].([]any) {
		if r := it.(map[string]any); r["route"] == route {
			out = append(out, r)
		}
	}
	return out
}

func ids(v any) []int64 {
	var out []int64
	for _, x := range v.([]any) {
		out = append(out, int64(x.(float64)))
	}
	return out
}

func q(s string) string { return url.QueryEscape(s) }

func cwNum(v any) float64 {
	f, ok := v.(float64)
	if !ok {
		panic(fmt.Sprintf("%v (%T) is not a number", v, v))
	}
	return f
}

func asMap(v any) map[string]any { return v.(map[string]any) }

func items(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	for _, x := range m[key].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// find returns the first item whose path of keys leads to want.
func find(list []map[string]any, want any, keys ...string) map[string]any {
	for _, it := range list {
		var v any = it
		for _, k := range keys {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[k]
		}
		if fmt.Sprint(v) == fmt.Sprint(want) {
			return it
		}
	}
	return nil
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

// harnessOn is a harness on an existing database (e.g. the demo).
func harnessOn(t *testing.T, db *postgres.DB) *harness {
	h := &harness{t: t, db: db, tokens: map[string]string{}}
	h.srv = newServer(db)
	for _, r := range []intel.Role{intel.RoleAdmin, intel.RoleAnalyst, intel.RolePolice, intel.RolePartner} {
		h.tokens[string(r)] = h.token(r)
	}
	h.tokens["district"] = h.token(intel.RoleDistrict, "E07000028")
	return h
}

// withoutPurpose sends a request with no stated purpose and returns the
// status.
func (h *harness) withoutPurpose(role, method, path string) int {
	h.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens[role])
	resp, err := h.srv.App.Test(req, 10_000)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
