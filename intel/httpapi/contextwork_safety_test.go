package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestSafetyMarks: person-level records of a young person's safety map.
func TestSafetyMarks(t *testing.T) {
	h := newHarness(t)
	yp := h.yp("YP-SM-1", "E07000028")
	kendalYP := h.yp("YP-SM-K", "E07000031")
	aoc := h.adult("AOC-SM-1", "E07000028")
	m := h.must(201, "district", "POST", "/api/v1/safety-marks", map[string]any{"person_id": yp, "rating": "red",
		"geometry": h.square(340100, 556100, 340300, 556300), "recorded_on": "2021-05-01", "note": "underpass"})
	if m["district"] != "E07000028" || m["recorded_by"] != "test district" || asMap(m["geometry"])["type"] != "Polygon" {
		t.Errorf("mark: %s", pretty(m))
	}
	before := h.snapshotAll()
	for name, tc := range map[string]struct {
		role string
		body map[string]any
		want int
	}{
		"another district's child": {"district", map[string]any{"person_id": kendalYP}, 400},
		"an adult of concern":      {"police", map[string]any{"person_id": aoc}, 400},
		"no such person":           {"analyst", map[string]any{"person_id": 999999}, 400},
		"bad rating":               {"analyst", map[string]any{"rating": "blue"}, 400},
		"a line":                   {"analyst", map[string]any{"geometry": map[string]any{"type": "LineString", "coordinates": [][]float64{{-2.9, 54.9}, {-2.91, 54.9}}}}, 400},
		"latitude first":           {"analyst", map[string]any{"geometry": map[string]any{"type": "Point", "coordinates": []float64{54.9, -2.9}}}, 400},
		"a whole town":             {"analyst", map[string]any{"geometry": h.square(335000, 551000, 340000, 556000)}, 400},
		"no date":                  {"analyst", map[string]any{"recorded_on": nil}, 400},
		"partner":                  {"partner", map[string]any{}, 403},
	} {
		b := map[string]any{"person_id": yp, "rating": "amber", "geometry": cwPoint(h.lonLat(340000, 556000)), "recorded_on": "2021-05-01"}
		for k, v := range tc.body {
			b[k] = v
		}
		if r := h.do(tc.role, "POST", "/api/v1/safety-marks", b); r.Status != tc.want {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Body, tc.want)
		}
	}
	if h.snapshotAll() != before {
		t.Error("a refused write changed the database")
	}
	km := h.must(201, "analyst", "POST", "/api/v1/safety-marks", map[string]any{"person_id": kendalYP, "rating": "green",
		"geometry": kendal, "recorded_on": "2021-05-02"})
	// Reads: person-level, purpose, audit, scope.
	l := items(h.must(200, "district", "GET", "/api/v1/safety-marks", nil), "items")
	if len(l) != 1 || cwNum(l[0]["id"]) != float64(id(m)) {
		t.Errorf("Carlisle team's marks: %s", pretty(l))
	}
	h.must(404, "district", "GET", path("/api/v1/safety-marks", id(km)), nil)
	if l := items(h.must(200, "analyst", "GET", "/api/v1/safety-marks?rating=green", nil), "items"); len(l) != 1 {
		t.Errorf("green marks: %s", pretty(l))
	}
	if l := items(h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/safety-marks?person_id=%d&from=2021-05-02", yp), nil), "items"); len(l) != 0 {
		t.Errorf("marks of YP from 2 May: %s", pretty(l))
	}
	if rs := h.auditOf("GET /api/v1/safety-marks"); len(rs) != 3 || fmt.Sprint(rs[0]["person_ids"]) != fmt.Sprint([]any{float64(yp)}) {
		t.Errorf("audit of mark reads: %s", pretty(rs))
	}
	if st := h.withoutPurpose("analyst", "GET", "/api/v1/safety-marks"); st != 400 {
		t.Errorf("marks without a purpose: %d", st)
	}
	h.must(403, "partner", "GET", "/api/v1/safety-marks", nil)
	h.must(403, "admin", "GET", path("/api/v1/safety-marks", id(m)), nil)
	// Moving a mark moves its district.
	up := h.must(200, "analyst", "PUT", path("/api/v1/safety-marks", id(m)), map[string]any{"person_id": yp, "rating": "amber",
		"geometry": kendal, "recorded_on": "2021-05-01"})
	if up["district"] != "E07000031" || up["rating"] != "amber" {
		t.Errorf("moved mark: %s", pretty(up))
	}
	if r := h.do("district", "PUT", path("/api/v1/safety-marks", id(km)), map[string]any{"person_id": kendalYP, "rating": "red",
		"geometry": kendal, "recorded_on": "2021-05-01"}); r.Status != 404 {
		t.Errorf("Carlisle team changing a Kendal child's mark: %d", r.Status)
	}
	h.must(204, "district", "DELETE", path("/api/v1/safety-marks", id(m)), nil)
	h.must(404, "analyst", "GET", path("/api/v1/safety-marks", id(m)), nil)
}

// TestFeltSafetyLayer: marks binned on a 1 km square grid, worked by hand
// (cell (i, j) covers x from i km, y from j km, British National Grid).
func TestFeltSafetyLayer(t *testing.T) {
	h := newHarness(t)
	var yp []int64
	for i := 1; i <= 6; i++ {
		yp = append(yp, h.yp(fmt.Sprintf("YP-FS-%d", i), "E07000028"))
	}
	mark := func(who int64, rating string, geom map[string]any, on string) {
		h.must(201, "analyst", "POST", "/api/v1/safety-marks", map[string]any{"person_id": who, "rating": rating, "geometry": geom, "recorded_on": on})
	}
	at := func(x, y float64) map[string]any { return cwPoint(h.lonLat(x, y)) }
	// Cell (340, 556): five young people, six marks: red 3, amber 1, green 2.
	mark(yp[0], "red", at(340100, 556100), "2021-05-01")
	mark(yp[0], "amber", at(340200, 556200), "2021-05-01")
	mark(yp[1], "red", at(340300, 556300), "2021-05-01")
	mark(yp[2], "red", at(340400, 556400), "2021-05-01")
	mark(yp[3], "green", at(340500, 556500), "2021-05-01")
	mark(yp[4], "green", at(340600, 556600), "2021-05-01")
	mark(yp[5], "green", at(340650, 556650), "2020-06-01") // before the period
	// Cell (342, 556): two young people, green.
	mark(yp[0], "green", at(342100, 556100), "2021-06-01")
	mark(yp[1], "green", at(342200, 556200), "2021-06-01")
	// An area over the centres of (343, 556) and (344, 556).
	mark(yp[5], "red", h.square(343100, 556100, 344900, 556900), "2021-06-01")
	// A small area covering no centre: the cell of its representative point.
	mark(yp[5], "amber", h.square(346100, 556100, 346300, 556300), "2021-06-01")
	// Activity in (340, 556): two sightings with one child in the period,
	// one before it.
	h.eventAt("sighting", "2021-05-10T20:00:00Z", 0, 340700, 556700, yp[0])
	h.eventAt("sighting", "2021-05-11T20:00:00Z", 0, 340800, 556800, yp[0])
	h.eventAt("sighting", "2020-05-11T20:00:00Z", 0, 340800, 556800, yp[1])

	layer := "/api/v1/maps/felt-safety?grid=square&cell=1000&from=2021-01-01&to=2021-12-31"
	cells := func(role string) map[string]map[string]any {
		r := h.do(role, "GET", layer, nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/geo+json") {
			t.Fatalf("%s: %d %s %s", role, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		fc := r.json(t)
		out := map[string]map[string]any{}
		for _, f := range items(fc, "features") {
			out[asMap(f["properties"])["cell"].(string)] = asMap(f["properties"])
			if ring := asMap(f["geometry"])["coordinates"].([]any)[0].([]any); len(ring) != 5 {
				t.Errorf("square cell ring of %d positions", len(ring))
			}
		}
		return out
	}
	a := cells("analyst")
	want := map[string]string{
		"340,556": "young_people=5 red=3 amber=1 green=2 felt_safety=-0.17 events=2 event_young_people=1",
		"342,556": "young_people=2 red=0 amber=0 green=2 felt_safety=1 events=0 event_young_people=0",
		"343,556": "young_people=1 red=1 amber=0 green=0 felt_safety=-1 events=0 event_young_people=0",
		"344,556": "young_people=1 red=1 amber=0 green=0 felt_safety=-1 events=0 event_young_people=0",
		"346,556": "young_people=1 red=0 amber=1 green=0 felt_safety=0 events=0 event_young_people=0",
	}
	if len(a) != len(want) {
		t.Errorf("analyst cells: %v, want %d cells", pretty(a), len(want))
	}
	show := func(p map[string]any) string {
		var s []string
		for _, k := range []string{"young_people", "red", "amber", "green", "felt_safety", "events", "event_young_people"} {
			s = append(s, fmt.Sprintf("%s=%v", k, p[k]))
		}
		return strings.Join(s, " ")
	}
	for cell, w := range want {
		if got := show(a[cell]); got != w {
			t.Errorf("analyst cell %s: %s, want %s", cell, got, w)
		}
	}
	// Partners and district teams: cells with fewer than 5 young people
	// show no figures; the events beside a shown cell are hidden when they
	// involve fewer than 5 young people.
	for _, role := range []string{"partner", "district"} {
		p := cells(role)
		if len(p) != len(want) {
			t.Errorf("%s: %d cells, want %d (suppressed cells keep their place)", role, len(p), len(want))
		}
		if got := p["340,556"]; show(got) != "young_people=5 red=3 amber=1 green=2 felt_safety=-0.17 events=<nil> event_young_people=<nil>" ||
			got["events_suppressed"] != true {
			t.Errorf("%s cell 340,556: %s", role, pretty(got))
		}
		for _, c := range []string{"342,556", "343,556", "346,556"} {
			if got := p[c]; got["suppressed"] != true || got["young_people"] != nil || got["red"] != nil || got["felt_safety"] != nil {
				t.Errorf("%s cell %s: %s, want suppressed", role, c, pretty(got))
			}
		}
	}
	// The period matters: all of 2020 holds one mark.
	if r := h.must(200, "analyst", "GET", "/api/v1/maps/felt-safety?grid=square&cell=1000&from=2020-01-01&to=2020-12-31", nil); len(items(r, "features")) != 1 {
		t.Errorf("2020: %s", pretty(r))
	}
	// Hexagons by default.
	hx := h.must(200, "partner", "GET", "/api/v1/maps/felt-safety?from=2021-01-01&to=2021-12-31", nil)
	if f := items(hx, "features"); len(f) == 0 || len(asMap(f[0]["geometry"])["coordinates"].([]any)[0].([]any)) != 7 || hx["grid"] != "hex" || cwNum(hx["cell_m"]) != 250 {
		t.Errorf("hex layer: %s", pretty(hx))
	}
	for _, bad := range []string{"grid=tri", "cell=50", "cell=6000", "from=2021-02-30", "from=2021-06-01&to=2021-01-01", "bbox=1,2,3", "district=X"} {
		if r := h.do("partner", "GET", "/api/v1/maps/felt-safety?"+bad, nil); r.Status != 400 {
			t.Errorf("felt-safety?%s: %d, want 400", bad, r.Status)
		}
	}
}
