package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/geo"
)

// The known-answer tests put events at the centres of cells of British
// National Grid squares near Carlisle, through the API, and read the maps
// back through the API.

// hsBNG converts BNG metres to a GeoJSON point (the database turns it back
// into the same metres to within millimetres; events sit at cell centres,
// hundreds of metres from any edge).
func hsPoint(x, y float64) map[string]any {
	lon, lat := geo.BNG().Inverse(x, y)
	return map[string]any{"type": "Point", "coordinates": []float64{lon, lat}}
}

// hsBBox is the longitude/latitude box around the metric box (its corners'
// extremes). The map's study rectangle is that box's metric envelope,
// which reaches under 150 m beyond the metric box for boxes of a few km
// here: centres of the cells along its edges stay inside, the next ones
// out.
func hsBBox(x0, y0, x1, y1 float64) string {
	p := geo.BNG()
	lo := [2]float64{180, 90}
	hi := [2]float64{-180, -90}
	for _, c := range [][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		lon, lat := p.Inverse(c[0], c[1])
		lo = [2]float64{min(lo[0], lon), min(lo[1], lat)}
		hi = [2]float64{max(hi[0], lon), max(hi[1], lat)}
	}
	return fmt.Sprintf("%.7f,%.7f,%.7f,%.7f", lo[0], lo[1], hi[0], hi[1])
}

// hsPeople creates n young people in a district.
func hsPeople(h *harness, n int, district, tag string) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson(fmt.Sprintf("YP-%s-%d", tag, i), district)))
	}
	return ids
}

// hsEvent records an event at metric (x, y) as an analyst; extra fields
// override the defaults (an incident on 10 June 2025 at noon).
func hsEvent(h *harness, x, y float64, people []int64, extra map[string]any) int64 {
	b := map[string]any{"kind": "incident", "from": "2025-06-10T12:00:00Z", "geometry": hsPoint(x, y), "grade": "2BP",
		"source_agency": "Police", "people": people}
	for k, v := range extra {
		b[k] = v
	}
	return id(h.must(201, "analyst", "POST", "/api/v1/events", b))
}

type hsFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   hsGeometry     `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type hsGeometry struct {
	Type        string         `json:"type"`
	Coordinates [][][2]float64 `json:"coordinates"`
}

type hsMap struct {
	raw      map[string]any
	features map[string]hsFeature // by id "I:J"
	list     []hsFeature
}

// hsGet reads a map as role and fails unless it is 200 GeoJSON.
func hsGet(t *testing.T, h *harness, role, q string) hsMap {
	t.Helper()
	r := h.do(role, "GET", "/api/v1/maps/hotspots?"+q, nil)
	if r.Status != 200 {
		t.Fatalf("GET hotspots?%s as %s: %d %s", q, role, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Fatalf("content type %q", ct)
	}
	var m hsMap
	if err := json.Unmarshal(r.Body, &m.raw); err != nil {
		t.Fatalf("not JSON: %v: %.300s", err, r.Body)
	}
	var fc struct {
		Features []hsFeature `json:"features"`
	}
	if err := json.Unmarshal(r.Body, &fc); err != nil {
		t.Fatal(err)
	}
	m.list = fc.Features
	m.features = map[string]hsFeature{}
	for _, f := range fc.Features {
		m.features[f.ID] = f
	}
	validateRFC7946(t, r.Body)
	return m
}

func cellID(i, j int) string { return fmt.Sprintf("%d:%d", i, j) }

func num(t *testing.T, props map[string]any, key string) float64 {
	t.Helper()
	v, ok := props[key].(float64)
	if !ok {
		t.Fatalf("property %q missing or not a number in %v", key, props)
	}
	return v
}

const hsPeriod = "from=2025-01-01&to=2025-12-31"

// TestHotspotGiStarKnownAnswer: Gi* worked by hand on a 5 × 5 block of
// 1 km squares (study area padded by one ring: 7 × 7 = 49 cells), with 4
// events in cell A and 2 in its east neighbour B, every other cell empty.
//
//	n = 49, Σx = 6, Σx² = 16 + 4 = 20, W = 9 (the cell and its 8 neighbours)
//	X̄ = 6/49 = 0.122449
//	S = √(20/49 − 0.122449²) = √(0.408163 − 0.014994) = 0.627032
//	denominator = S·√((n·W − W²)/(n − 1)) = 0.627032·√((441 − 81)/48) = 0.627032·2.738613 = 1.717199
//	z = (Σ_j w_ij x_j − X̄·9) / 1.717199, X̄·9 = 1.102041:
//	  cells seeing A and B (A, B and the 4 above and below them): (6 − 1.102041)/1.717199 = 2.852296
//	  cells seeing only A (the 3 west of A):                     (4 − 1.102041)/1.717199 = 1.687609
//	  cells seeing only B (the 3 east of B):                     (2 − 1.102041)/1.717199 = 0.522921
//	  the other 37:                                              (0 − 1.102041)/1.717199 = −0.641767
//	p = erfc(|z|/√2): 0.0043405, 0.091486, 0.60103, 0.52102
//	Benjamini–Hochberg, m = 49, ranks by p: six at 0.0043405 (ranks 1–6),
//	three at 0.091486 (7–9), 37 at 0.52102 (10–46), three at 0.60103 (47–49):
//	  q(2.852) = min(49·0.0043405/6, 49·0.091486/9, 49·0.52102/46, 49·0.60103/49) = 0.035448 → bin +2 (≤ 0.05)
//	  q(1.688) = min(0.49809, 0.55500, 0.60103) = 0.49809 → bin 0
func TestHotspotGiStarKnownAnswer(t *testing.T) {
	h := newHarness(t)
	const x0, y0 = 335000.0, 555000.0 // the block's south-west corner; cells (335..339, 555..559)
	ps := hsPeople(h, 6, "E07000028", "gi")
	for k := range 4 {
		hsEvent(h, 337500, 557500, ps[k:k+1], nil) // A = cell (337, 557)
	}
	for k := range 2 {
		hsEvent(h, 338500, 557500, ps[4+k:5+k], nil) // B = cell (338, 557)
	}
	q := "method=gistar&grid=square&cell=1000&" + hsPeriod + "&bbox=" + hsBBox(x0, y0, x0+5000, y0+5000)
	m := hsGet(t, h, "analyst", q)
	gi := m.raw["gistar"].(map[string]any)
	if gi["n"] != 49.0 || m.raw["study_area"].(map[string]any)["cells"] != 49.0 {
		t.Fatalf("study area %v, want 49 cells", gi)
	}
	if math.Abs(gi["mean"].(float64)-6.0/49) > 1e-9 || math.Abs(gi["sd"].(float64)-0.627032306) > 1e-6 {
		t.Errorf("mean %v sd %v", gi["mean"], gi["sd"])
	}
	want := map[string]struct {
		z, q float64
		bin  int
	}{}
	for _, i := range []int{337, 338} {
		for _, j := range []int{556, 557, 558} {
			want[cellID(i, j)] = struct {
				z, q float64
				bin  int
			}{2.852296, 0.035448, 2}
		}
	}
	for _, j := range []int{556, 557, 558} {
		want[cellID(336, j)] = struct {
			z, q float64
			bin  int
		}{1.687609, 0.49809, 0}
		want[cellID(339, j)] = struct {
			z, q float64
			bin  int
		}{0.522921, 0.60103, 0}
	}
	if len(m.list) != len(want) {
		t.Errorf("%d cells listed, want %d", len(m.list), len(want))
	}
	for id, w := range want {
		f, ok := m.features[id]
		if !ok {
			t.Errorf("cell %s missing", id)
			continue
		}
		p := f.Properties
		if math.Abs(num(t, p, "z")-w.z) > 1e-4 || math.Abs(num(t, p, "q")-w.q) > 1e-4 || int(num(t, p, "gi_bin")) != w.bin {
			t.Errorf("cell %s: %v, want z %.6f q %.5f bin %d", id, p, w.z, w.q, w.bin)
		}
	}
	if a := m.features[cellID(337, 557)].Properties; a["events"] != 4.0 || a["people"] != 4.0 || a["value"] != 4.0 {
		t.Errorf("cell A: %v", a)
	}
	bg := gi["background"].(map[string]any)
	if bg["cells"] != 37.0 || math.Abs(bg["z"].(float64)+0.6418) > 1e-4 || bg["gi_bin"] != 0.0 {
		t.Errorf("background %v", bg)
	}
	// The polygon of cell A is the square 337..338 km × 557..558 km.
	ring := m.features[cellID(337, 557)].Geometry.Coordinates[0]
	for k, c := range [][2]float64{{337000, 557000}, {338000, 557000}, {338000, 558000}, {337000, 558000}, {337000, 557000}} {
		x, y := geo.BNG().Forward(ring[k][0], ring[k][1])
		if math.Hypot(x-c[0], y-c[1]) > 0.2 {
			t.Errorf("corner %d of cell A at (%.2f, %.2f), want %v", k, x, y, c)
		}
	}
}

// TestHotspotKDEKnownAnswer: densities from the endpoint against a direct
// computation of the quartic kernel here, from the events' stored x, y.
func TestHotspotKDEKnownAnswer(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 3, "E07000028", "kde")
	pts := [][2]float64{{337210, 557340}, {337650, 557100}, {338420, 557900}, {337650, 557100}, {336900, 558300}}
	for k, p := range pts {
		hsEvent(h, p[0], p[1], ps[k%3:k%3+1], nil)
	}
	// The stored metric positions (computed by PostGIS).
	rows, err := h.db.Pool.Query(context.Background(), `SELECT x, y FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	var xy [][2]float64
	for rows.Next() {
		var x, y float64
		if err := rows.Scan(&x, &y); err != nil {
			t.Fatal(err)
		}
		xy = append(xy, [2]float64{x, y})
	}
	const bw, cell = 1200.0, 250.0
	m := hsGet(t, h, "analyst", fmt.Sprintf("method=kde&grid=square&cell=%g&bandwidth=%g&%s&bbox=%s", cell, bw, hsPeriod,
		hsBBox(333000, 553000, 342000, 562000)))
	kde := m.raw["kde"].(map[string]any)
	if kde["bandwidth_m"] != bw || kde["bandwidth_rule"] != "given" {
		t.Fatalf("kde %v", kde)
	}
	// density(c) = Σ_i 3/(π·h²)·(1 − d_i²/h²)² for d_i < h, per m², × 10⁶ per km².
	expect := func(cx, cy float64) float64 {
		s := 0.0
		for _, p := range xy {
			d2 := (p[0]-cx)*(p[0]-cx) + (p[1]-cy)*(p[1]-cy)
			if d2 < bw*bw {
				u := 1 - d2/(bw*bw)
				s += 3 / (math.Pi * bw * bw) * u * u
			}
		}
		return s * 1e6
	}
	n := 0
	for i := 333000 / int(cell); i < 342000/int(cell); i++ {
		for j := 553000 / int(cell); j < 562000/int(cell); j++ {
			want := expect((float64(i)+0.5)*cell, (float64(j)+0.5)*cell)
			f, ok := m.features[cellID(i, j)]
			switch {
			case want == 0 && ok:
				t.Errorf("cell %d:%d has density %v, want none", i, j, f.Properties["density"])
			case want > 0 && !ok:
				t.Errorf("cell %d:%d missing, want density %g", i, j, want)
			case want > 0:
				n++
				if got := num(t, f.Properties, "density"); math.Abs(got-want) > 1e-5*want {
					t.Errorf("cell %d:%d density %g, want %g", i, j, got, want)
				}
			}
		}
	}
	if n < 50 || n != len(m.list) {
		t.Errorf("%d cells checked, %d returned", n, len(m.list))
	}
	// The densest cell is in class 5.
	best, bestD := "", 0.0
	for id, f := range m.features {
		if d := num(t, f.Properties, "density"); d > bestD {
			best, bestD = id, d
		}
	}
	if m.features[best].Properties["class"] != 5.0 {
		t.Errorf("densest cell %s class %v", best, m.features[best].Properties["class"])
	}
}

// TestHotspotAccuracyKnownAnswer: PAI on a constructed case. A 5 × 5 block
// of 1 km squares (n = 25). Training (2024): 5 events in cell A, 3 in B,
// 1 in C. top = 8%: k = ⌊0.08·25⌋ = 2 cells flagged, A and B (scores 5
// and 3); area share 2/25 = 0.08. Test (2025): 4 events in A, 1 in B, 2
// in C, 3 in D: hits 5 of 10, hit rate 0.5, PAI = 0.5/0.08 = 6.25.
func TestHotspotAccuracyKnownAnswer(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 1, "E07000028", "pai")
	at := func(cell [2]float64, n int, when string) {
		for range n {
			hsEvent(h, cell[0], cell[1], ps, map[string]any{"from": when})
		}
	}
	A, B, C, D := [2]float64{335500, 555500}, [2]float64{337500, 556500}, [2]float64{339500, 559500}, [2]float64{336500, 558500}
	at(A, 5, "2024-05-01T20:00:00Z")
	at(B, 3, "2024-05-01T20:00:00Z")
	at(C, 1, "2024-05-01T20:00:00Z")
	at(A, 4, "2025-05-01T20:00:00Z")
	at(B, 1, "2025-05-01T20:00:00Z")
	at(C, 2, "2025-05-01T20:00:00Z")
	at(D, 3, "2025-05-01T20:00:00Z")
	q := "method=count&grid=square&cell=1000&top=8&train_from=2024-01-01&train_to=2024-12-31&test_from=2025-01-01&test_to=2025-12-31&bbox=" +
		hsBBox(335000, 555000, 340000, 560000)
	r := h.must(200, "analyst", "GET", "/api/v1/maps/hotspots/accuracy?"+q, nil)
	want := map[string]float64{"study_area_cells": 25, "flagged_cells": 2, "area_share": 0.08, "hits": 5, "hit_rate": 0.5, "pai": 6.25, "threshold_score": 3}
	for k, v := range want {
		if got, ok := r[k].(float64); !ok || math.Abs(got-v) > 1e-12 {
			t.Errorf("%s = %v, want %v (answer %v)", k, r[k], v, r)
		}
	}
	if r["train"].(map[string]any)["events"] != 9.0 || r["test"].(map[string]any)["events"] != 10.0 {
		t.Errorf("train %v test %v", r["train"], r["test"])
	}
}

// TestHotspotProfileAoristic: an event seen between 22:00 and 02:00 is
// spread a quarter into each of the four clock hours, across midnight into
// the next day, in London time (GMT in winter, BST in summer).
func TestHotspotProfileAoristic(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 1, "E07000028", "ao")
	// Friday 7 March 2025, 22:00–02:00 GMT; Friday 4 July 2025,
	// 22:00–02:00 BST (21:00–01:00 UTC).
	hsEvent(h, 337500, 557500, ps, map[string]any{"from": "2025-03-07T22:00:00Z", "to": "2025-03-08T02:00:00Z"})
	hsEvent(h, 337500, 557500, ps, map[string]any{"from": "2025-07-04T21:00:00Z", "to": "2025-07-05T01:00:00Z"})
	bbox := hsBBox(335000, 555000, 340000, 560000)
	for _, period := range []string{"from=2025-03-01&to=2025-03-31", "from=2025-07-01&to=2025-07-31"} {
		r := h.must(200, "analyst", "GET", "/api/v1/maps/hotspots/profile?"+period+"&bbox="+bbox, nil)
		table := r["table"].([]any)
		const fri, sat = 4, 5 // Monday is 0
		for d := range 7 {
			for hr := range 24 {
				got := table[d].([]any)[hr].(float64)
				want := 0.0
				if (d == fri && (hr == 22 || hr == 23)) || (d == sat && (hr == 0 || hr == 1)) {
					want = 0.25
				}
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("%s: %s %02d:00 = %v, want %v", period, r["days"].([]any)[d], hr, got, want)
				}
			}
		}
		if r["totals"].(map[string]any)["events"] != 1.0 {
			t.Errorf("%s: totals %v", period, r["totals"])
		}
	}
}

// TestHotspotSuppression: a cell with 2 young people is suppressed for a
// partner (returned with its geometry, flagged, no figures) and shown in
// full to an analyst; a cell with 6 is shown to both.
func TestHotspotSuppression(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 8, "E07000028", "sup")
	hsEvent(h, 337500, 557500, ps[:2], nil)  // X: 2 young people, 1 event
	hsEvent(h, 337500, 557500, ps[:1], nil)  // X: a second event, same child
	hsEvent(h, 338500, 557500, ps[2:8], nil) // Y: 6 young people
	q := "grid=square&cell=1000&" + hsPeriod + "&bbox=" + hsBBox(335000, 555000, 340000, 560000)
	an := hsGet(t, h, "analyst", q)
	if p := an.features[cellID(337, 557)].Properties; p["events"] != 2.0 || p["people"] != 2.0 || p["suppressed"] != nil {
		t.Errorf("analyst cell X: %v", p)
	}
	pa := hsGet(t, h, "partner", q)
	x, ok := pa.features[cellID(337, 557)]
	if !ok {
		t.Fatal("partner: suppressed cell X is not returned")
	}
	if len(x.Properties) != 2 || x.Properties["suppressed"] != true || x.Properties["controlled"] != true {
		t.Errorf("partner cell X shows more than that it is suppressed: %v", x.Properties)
	}
	if len(x.Geometry.Coordinates) != 1 || len(x.Geometry.Coordinates[0]) != 5 {
		t.Errorf("partner cell X geometry %v", x.Geometry)
	}
	if p := pa.features[cellID(338, 557)].Properties; p["events"] != 1.0 || p["people"] != 6.0 || p["suppressed"] != nil {
		t.Errorf("partner cell Y: %v", p)
	}
	d := pa.raw["disclosure"].(map[string]any)
	if d["applied"] != true || d["threshold"] != 5.0 || d["suppressed_cells"] != 1.0 {
		t.Errorf("partner disclosure %v", d)
	}
	if an.raw["disclosure"].(map[string]any)["applied"] != false {
		t.Errorf("analyst disclosure %v", an.raw["disclosure"])
	}
	// On a Gi* map a partner sees the bin alone, never z, p or counts.
	gi := hsGet(t, h, "partner", q+"&method=gistar")
	for _, f := range gi.list {
		for k := range f.Properties {
			if k != "gi_bin" && k != "controlled" && k != "suppressed" {
				t.Errorf("partner Gi* cell %s shows %q: %v", f.ID, k, f.Properties)
			}
		}
	}
	if _, ok := gi.raw["gistar"].(map[string]any)["mean"]; ok {
		t.Error("partner Gi* map gives the mean (a total in disguise)")
	}
	// Raising the threshold to 10 (configuration) suppresses Y too.
	h.srv.Config.Disclosure.Threshold = 10
	pa = hsGet(t, h, "partner", q)
	if p := pa.features[cellID(338, 557)].Properties; p["suppressed"] != true {
		t.Errorf("threshold 10: partner cell Y %v", p)
	}
}

// TestHotspotDifferencing: a partner cannot recover a suppressed cell by
// subtracting the totals of two overlapping maps, or the parts of a map
// from its total: totals count only cells not suppressed, rounded to 5.
//
//	Y (cell 338:557): 6 young people, 6 events, shown.
//	X (cell 336:557): 2 young people, 3 events, suppressed.
//	Map A covers Y only; map B covers Y and X.
//	Analyst totals: A 6 events / 6 people; B 9 events / 8 people.
//	Partner totals: A and B both 5 events / 5 people (6 rounded to 5);
//	with X counted, B would be 10 / 10.
func TestHotspotDifferencing(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 8, "E07000028", "dif")
	for k := range 6 {
		hsEvent(h, 338500, 557500, ps[k:k+1], nil)
	}
	hsEvent(h, 336500, 557500, ps[6:8], nil)
	hsEvent(h, 336500, 557500, ps[6:7], nil)
	hsEvent(h, 336500, 557500, ps[7:8], nil)
	a := "grid=square&cell=1000&" + hsPeriod + "&bbox=" + hsBBox(337000, 556000, 340000, 559000)
	b := "grid=square&cell=1000&" + hsPeriod + "&bbox=" + hsBBox(335000, 556000, 340000, 559000)
	tot := func(role, q string) map[string]any { return hsGet(t, h, role, q).raw["totals"].(map[string]any) }
	if ta, tb := tot("analyst", a), tot("analyst", b); ta["events"] != 6.0 || ta["people"] != 6.0 || tb["events"] != 9.0 || tb["people"] != 8.0 {
		t.Fatalf("analyst totals A %v B %v", ta, tb)
	}
	pa, pb := tot("partner", a), tot("partner", b)
	for _, tt := range []map[string]any{pa, pb} {
		if tt["events"] != 5.0 || tt["people"] != 5.0 || tt["rounded_to"] != 5.0 {
			t.Errorf("partner totals %v, want 5 events, 5 people, rounded to 5", tt)
		}
	}
	if pb["events"].(float64)-pa["events"].(float64) != 0 {
		t.Error("the difference of two partner maps gives the suppressed cell's events")
	}
	// The total against its parts: the shown cells of B add up to the
	// (unrounded) total the partner's rounded total comes from; the
	// suppressed cell adds nothing.
	mb := hsGet(t, h, "partner", b)
	sum := 0.0
	for _, f := range mb.list {
		if f.Properties["suppressed"] == true {
			continue
		}
		sum += f.Properties["events"].(float64)
	}
	if sum != 6 || math.Round(sum/5)*5 != pb["events"].(float64) {
		t.Errorf("shown parts add to %v, total %v", sum, pb["events"])
	}
	// A map of X alone: totals suppressed (2 young people).
	x := "grid=square&cell=1000&" + hsPeriod + "&bbox=" + hsBBox(335000, 556000, 337000, 559000)
	if tx := tot("partner", x); tx["suppressed"] != true || len(tx) != 1 {
		t.Errorf("partner totals of a map of one suppressed cell: %v", tx)
	}
	// The profile of the same maps counts the same events.
	pr := h.must(200, "partner", "GET", "/api/v1/maps/hotspots/profile?"+b, nil)
	if pr["totals"].(map[string]any)["events"] != 5.0 {
		t.Errorf("partner profile totals %v", pr["totals"])
	}
}

// TestHotspotSensitivePlace: events at a children's home are binned at the
// centre of its 1 km square for a partner, so no 100 m cell pinpoints it;
// an analyst sees the cell that holds it.
func TestHotspotSensitivePlace(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 6, "E07000028", "sen")
	const hx, hy = 337234.0, 557789.0 // 1 km square (337, 557), centre (337500, 557500)
	home := id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Home", "kind": "childrens_home", "geometry": hsPoint(hx, hy)}))
	for k := range 6 {
		h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "missing_episode", "from": "2025-06-10T21:00:00Z",
			"place_id": home, "grade": "2BP", "source_agency": "Police", "people": ps[k : k+1]})
	}
	q := "grid=square&cell=100&" + hsPeriod + "&bbox=" + hsBBox(335000, 555000, 340000, 560000)
	an := hsGet(t, h, "analyst", q)
	if _, ok := an.features[cellID(3372, 5577)]; !ok || len(an.list) != 1 {
		t.Errorf("analyst: cells %v, want 3372:5577 (the home's)", keys(an.features))
	}
	for _, role := range []string{"partner", "district"} {
		if role == "district" {
			// A district team outside Carlisle must not see it exactly either.
			h.tokens["district"] = h.token("district", "E07000030")
		}
		pa := hsGet(t, h, role, q)
		if _, ok := pa.features[cellID(3375, 5575)]; !ok || len(pa.list) != 1 {
			t.Errorf("%s: cells %v, want only 3375:5575 (the 1 km square's centre)", role, keys(pa.features))
		}
	}
	// The Carlisle team sees its own children's home exactly.
	h.tokens["district"] = h.token("district", "E07000028")
	if d := hsGet(t, h, "district", q); len(d.features) != 1 || d.features[cellID(3372, 5577)].ID == "" {
		t.Errorf("Carlisle team: cells %v", keys(d.features))
	}
}

func keys(m map[string]hsFeature) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestHotspotDistrictScope: a district team sees full counts in its own
// district and partner rules elsewhere.
func TestHotspotDistrictScope(t *testing.T) {
	h := newHarness(t)
	car := hsPeople(h, 2, "E07000028", "car")
	eden := hsPeople(h, 2, "E07000030", "eden")
	hsEvent(h, 337500, 557500, car, nil)  // Carlisle
	hsEvent(h, 357500, 529500, eden, nil) // Penrith, Eden
	q := "grid=square&cell=1000&" + hsPeriod + "&bbox=" + hsBBox(335000, 527000, 360000, 560000)
	m := hsGet(t, h, "district", q)
	if p := m.features[cellID(337, 557)].Properties; p["people"] != 2.0 || p["controlled"] != nil {
		t.Errorf("own district's cell: %v", p)
	}
	if p := m.features[cellID(357, 529)].Properties; p["suppressed"] != true {
		t.Errorf("other district's cell: %v", p)
	}
	if m.raw["disclosure"].(map[string]any)["applied"] != true {
		t.Error("disclosure not applied to a mixed map")
	}
	// Asking for the district narrows the map to cells whose centre is in it.
	d := hsGet(t, h, "district", q+"&district=E07000028")
	if len(d.list) != 1 || d.raw["disclosure"].(map[string]any)["applied"] != false {
		t.Errorf("district=E07000028: cells %v, disclosure %v", keys(d.features), d.raw["disclosure"])
	}
}

// TestHotspotSelection: review dates, crime layer, kinds, categories,
// grade and confirmation select the events counted.
func TestHotspotSelection(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 1, "E07000028", "sel")
	hsEvent(h, 337500, 557500, ps, map[string]any{"review_date": "2030-01-01", "category": "cse2", "confirmed": true, "grade": "1AP"})
	hsEvent(h, 337500, 557500, ps, map[string]any{"review_date": "2024-01-01", "category": "cse1", "grade": "3EP"}) // past review
	hsEvent(h, 337500, 557500, nil, map[string]any{"kind": "crime", "crime_type": "drugs"})
	base := "grid=square&cell=1000&" + hsPeriod + "&bbox=" + hsBBox(335000, 555000, 340000, 560000)
	events := func(role, extra string) any {
		m := hsGet(t, h, role, base+extra)
		return m.features[cellID(337, 557)].Properties["events"]
	}
	for extra, want := range map[string]any{
		"": 1.0, "&include_review_due=true": 2.0, "&kinds=crime": 1.0, "&kinds=incident,sighting": 1.0,
		"&categories=cse1&include_review_due=true": 1.0, "&min_grade=2B&include_review_due=true": 1.0,
		"&confirmed=true&include_review_due=true": 1.0, "&categories=cse3": nil,
	} {
		if got := events("analyst", extra); got != want {
			t.Errorf("%q: %v events, want %v", extra, got, want)
		}
	}
	m := hsGet(t, h, "analyst", base+"&include_review_due=true")
	if m.raw["selection"].(map[string]any)["include_review_due"] != true {
		t.Error("the collection does not say it includes events past review")
	}
	crime := hsGet(t, h, "analyst", base+"&kinds=crime")
	if _, ok := crime.features[cellID(337, 557)].Properties["people"]; ok {
		t.Error("the crime layer counts young people")
	}
	for _, role := range []string{"district", "partner"} {
		if r := h.do(role, "GET", "/api/v1/maps/hotspots?"+base+"&include_review_due=true", nil); r.Status != 403 {
			t.Errorf("%s include_review_due: %d", role, r.Status)
		}
	}
}

// TestHotspotBadParameters: bad input is a 400 problem naming the
// parameter.
func TestHotspotBadParameters(t *testing.T) {
	h := newHarness(t)
	for q, field := range map[string]string{
		"bbox=-2,55,-3,54":                  "bbox",
		"bbox=1,2,3":                        "bbox",
		"bbox=-180,-90,180,90":              "bbox",
		"cell=3":                            "cell",
		"cell=abc":                          "cell",
		"cell=100000":                       "cell",
		"method=hexbin":                     "method",
		"grid=triangle":                     "grid",
		"from=2025-06-01&to=2025-01-01":     "from",
		"from=yesterday":                    "from",
		"kinds=crime,incident":              "kinds",
		"kinds=burglary":                    "kinds",
		"categories=cse9":                   "categories",
		"min_grade=9Z":                      "min_grade",
		"confirmed=maybe":                   "confirmed",
		"measure=households":                "measure",
		"weight=luck":                       "weight",
		"half_life=30":                      "half_life",
		"weight=recency&half_life=0":        "half_life",
		"method=kde&bandwidth=10":           "bandwidth",
		"method=count&bandwidth=500":        "bandwidth",
		"method=kde&cell=1000&bandwidth=90": "bandwidth",
		"district=E99999999":                "district",
		"kinds=crime&measure=people":        "measure",
	} {
		r := h.do("analyst", "GET", "/api/v1/maps/hotspots?"+q, nil)
		if r.Status != 400 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s %s", q, r.Status, r.Header.Get("Content-Type"), r.Body)
			continue
		}
		var p struct {
			Errors []struct{ Field string } `json:"errors"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil || len(p.Errors) == 0 || p.Errors[0].Field != field {
			t.Errorf("%s: errors %s, want field %q", q, r.Body, field)
		}
	}
	for q, field := range map[string]string{
		"test_from=2025-06-01&test_to=2025-01-01":                        "test_from",
		"train_from=2024-01-01&train_to=2024-12-31&test_from=2024-06-01": "test_from",
		"top=0": "top",
	} {
		r := h.do("analyst", "GET", "/api/v1/maps/hotspots/accuracy?"+q, nil)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+field+`"`) {
			t.Errorf("accuracy %s: %d %s", q, r.Status, r.Body)
		}
	}
	if r := h.do("admin", "GET", "/api/v1/maps/hotspots", nil); r.Status != 403 {
		t.Errorf("admin: %d", r.Status)
	}
}

// TestHotspotHostileParameters: hostile values in every parameter never
// give a 5xx or leak internals.
func TestHotspotHostileParameters(t *testing.T) {
	h := newHarness(t)
	names := []string{"bbox", "district", "from", "to", "kinds", "categories", "min_grade", "confirmed", "include_review_due",
		"grid", "cell", "method", "measure", "weight", "half_life", "bandwidth"}
	for _, route := range []string{"/api/v1/maps/hotspots", "/api/v1/maps/hotspots/profile", "/api/v1/maps/hotspots/accuracy"} {
		for _, name := range append(names, "top", "train_from", "test_to") {
			for _, v := range hostile {
				r := h.do("analyst", "GET", route+"?"+name+"="+url.QueryEscape(v), nil)
				if r.Status >= 500 {
					t.Errorf("GET %s?%s=%.40q: %d %s", route, name, v, r.Status, r.Body)
				}
				if b := string(r.Body); strings.Contains(b, "SQLSTATE") || strings.Contains(b, "goroutine") {
					t.Errorf("GET %s?%s: internals leaked: %.200s", route, name, b)
				}
			}
		}
	}
}

// blocksStale counts the tiles and months whose hotspot blocks differ from
// the records of the events they should hold (concatenated in id order).
func blocksStale(t *testing.T, h *harness) int {
	t.Helper()
	var n int
	err := h.db.Pool.QueryRow(context.Background(), `
		WITH fresh AS (SELECT cm_tile AS tile, cm_hotspot_month(starts_at) AS month,
		                      string_agg(cm_hotspot_record(e), ''::bytea ORDER BY id) AS data
		                 FROM events e GROUP BY 1, 2),
		     held AS (SELECT tile, month, string_agg(data, ''::bytea ORDER BY chunk) AS data
		                FROM hotspot_blocks GROUP BY 1, 2)
		SELECT count(*) FROM fresh FULL JOIN held USING (tile, month) WHERE fresh.data IS DISTINCT FROM held.data`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHotspotIndexMaintenance: events.young_people follows event_people
// through every write (adults of concern are never in it), and the
// hotspot blocks follow the events.
func TestHotspotIndexMaintenance(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ps := hsPeople(h, 2, "E07000028", "yi")
	adult := id(h.must(201, "police", "POST", "/api/v1/people", map[string]any{"kind": "adult_of_concern", "pseudonym": "AOC-yi", "district": "E07000028"}))
	ev := hsEvent(h, 337500, 557500, []int64{ps[1], adult, ps[0]}, nil)
	check := func(step string, want ...int64) {
		t.Helper()
		var got []int64
		if err := h.db.Pool.QueryRow(ctx, `SELECT young_people FROM events WHERE id = $1`, ev).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: young_people %v, want %v", step, got, want)
		}
		if n := blocksStale(t, h); n != 0 {
			t.Errorf("%s: %d hotspot blocks stale", step, n)
		}
	}
	check("created", min(ps[0], ps[1]), max(ps[0], ps[1]))
	h.must(200, "police", "PUT", path("/api/v1/events", ev), map[string]any{"kind": "incident", "from": "2025-06-10T12:00:00Z",
		"geometry": hsPoint(337500, 557500), "grade": "2BP", "source_agency": "Police", "people": []int64{ps[0], adult}})
	check("updated", ps[0])
	h.must(200, "analyst", "PUT", path("/api/v1/people", ps[0]), map[string]any{"kind": "adult_of_concern", "pseudonym": "YP-yi-0", "district": "E07000028"})
	check("became an adult of concern")
	h.must(200, "analyst", "PUT", path("/api/v1/people", ps[0]), youngPerson("YP-yi-0", "E07000028"))
	check("young person again", ps[0])
	h.must(204, "analyst", "DELETE", path("/api/v1/people", ps[0]), nil)
	check("erased")
	// Moved to another tile and month, then deleted.
	h.must(200, "police", "PUT", path("/api/v1/events", ev), map[string]any{"kind": "sighting", "from": "2024-02-10T12:00:00Z",
		"geometry": hsPoint(352500, 527500), "grade": "1AP", "source_agency": "Police", "people": []int64{ps[1]}})
	check("moved", ps[1])
	h.must(204, "analyst", "DELETE", path("/api/v1/events", ev), nil)
	if n := blocksStale(t, h); n != 0 {
		t.Errorf("deleted: %d hotspot blocks stale", n)
	}
	var blocks int
	if err := h.db.Pool.QueryRow(ctx, `SELECT count(*) FROM hotspot_blocks`).Scan(&blocks); err != nil || blocks != 0 {
		t.Errorf("%d blocks left with no events (%v)", blocks, err)
	}
	// Many events in one tile and month: the block is split into chunks of
	// about 7 kB, each within a page.
	for k := range 150 {
		hsEvent(h, 337500+float64(k), 557500, ps[1:2], nil)
	}
	var chunks, maxLen int
	if err := h.db.Pool.QueryRow(ctx, `SELECT count(*), max(octet_length(data)) FROM hotspot_blocks`).Scan(&chunks, &maxLen); err != nil {
		t.Fatal(err)
	}
	if chunks < 2 || maxLen > 7100 || blocksStale(t, h) != 0 {
		t.Errorf("150 events: %d chunks, largest %d bytes, %d stale", chunks, maxLen, blocksStale(t, h))
	}
}

var decimals = regexp.MustCompile(`\d+\.(\d+)`)

// validateRFC7946 checks a FeatureCollection against RFC 7946: members,
// geometry types, closed counter-clockwise rings of at least four
// [longitude, latitude] positions in range with at most six decimals, and
// no member the RFC reserves in the wrong place.
func validateRFC7946(t *testing.T, body []byte) {
	t.Helper()
	var fc map[string]json.RawMessage
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	var typ string
	_ = json.Unmarshal(fc["type"], &typ)
	if typ != "FeatureCollection" {
		t.Fatalf("type %q", typ)
	}
	for _, k := range []string{"coordinates", "geometries", "geometry", "properties", "crs"} {
		if _, ok := fc[k]; ok {
			t.Errorf("FeatureCollection has the member %q", k)
		}
	}
	if b, ok := fc["bbox"]; ok {
		var v []float64
		if json.Unmarshal(b, &v) != nil || len(v) != 4 {
			t.Errorf("bbox member %s is not a 2D bbox", b)
		}
	}
	var feats []map[string]json.RawMessage
	if err := json.Unmarshal(fc["features"], &feats); err != nil {
		t.Fatalf("features: %v", err)
	}
	for i, f := range feats {
		var ft string
		_ = json.Unmarshal(f["type"], &ft)
		if ft != "Feature" {
			t.Fatalf("feature %d type %q", i, ft)
		}
		for _, k := range []string{"coordinates", "geometries", "features", "crs"} {
			if _, ok := f[k]; ok {
				t.Errorf("feature %d has the member %q", i, k)
			}
		}
		if _, ok := f["properties"]; !ok {
			t.Errorf("feature %d has no properties member", i)
		}
		if id, ok := f["id"]; ok && id[0] != '"' && (id[0] < '0' || id[0] > '9') && id[0] != '-' {
			t.Errorf("feature %d id %s is neither a string nor a number", i, id)
		}
		var g struct {
			Type        string            `json:"type"`
			Coordinates []json.RawMessage `json:"coordinates"`
		}
		if err := json.Unmarshal(f["geometry"], &g); err != nil || g.Type != "Polygon" || len(g.Coordinates) == 0 {
			t.Fatalf("feature %d geometry %s", i, f["geometry"])
		}
		for _, m := range decimals.FindAllSubmatch(g.Coordinates[0], -1) {
			if len(m[1]) > 6 {
				t.Errorf("feature %d: coordinate %s has more than 6 decimals", i, m[0])
			}
		}
		for r, raw := range g.Coordinates {
			var ring [][]float64
			if err := json.Unmarshal(raw, &ring); err != nil {
				t.Fatal(err)
			}
			if len(ring) < 4 || fmt.Sprint(ring[0]) != fmt.Sprint(ring[len(ring)-1]) {
				t.Errorf("feature %d ring %d is not closed or too short: %v", i, r, ring)
			}
			area := 0.0
			for k := range ring {
				p := ring[k]
				if len(p) != 2 || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
					t.Errorf("feature %d position %v out of range", i, p)
				}
				// Great Britain: longitude −9..2, latitude 49..61 (catches swapped axes).
				if p[0] < -9 || p[0] > 2 || p[1] < 49 || p[1] > 61 {
					t.Errorf("feature %d position %v is not [lon, lat] in Great Britain", i, p)
				}
				q := ring[(k+1)%len(ring)]
				area += p[0]*q[1] - q[0]*p[1]
			}
			if (r == 0) != (area > 0) {
				t.Errorf("feature %d ring %d wound the wrong way (signed area %g)", i, r, area)
			}
		}
	}
}

// TestHotspotKDEDefaultBandwidth: the default bandwidth is the mean
// distance from each event to its 5th nearest other. Seven events 20 km
// apart on a line: the 5th nearest is 100, 80, 60, 60, 60, 80 and 100 km
// away, mean 540/7 = 77.142857 km. Cells under 1/50 of it are refused,
// naming cell.
func TestHotspotKDEDefaultBandwidth(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 1, "E07000028", "bw")
	for k := range 7 {
		hsEvent(h, 330000+20000*float64(k), 540000, ps, nil)
	}
	bbox := hsBBox(320000, 520000, 470000, 560000)
	m := hsGet(t, h, "analyst", "method=kde&grid=square&cell=2000&"+hsPeriod+"&bbox="+bbox)
	kde := m.raw["kde"].(map[string]any)
	if bw := kde["bandwidth_m"].(float64); math.Abs(bw-77142.857) > 0.1 || !strings.Contains(kde["bandwidth_rule"].(string), "5-th nearest") {
		t.Errorf("kde %v, want bandwidth 77142.9 m by the 5th nearest neighbour", kde)
	}
	r := h.do("analyst", "GET", "/api/v1/maps/hotspots?method=kde&grid=square&cell=1000&"+hsPeriod+"&bbox="+bbox, nil)
	if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"cell"`) {
		t.Errorf("cell 1000 with a 77 km default bandwidth: %d %s", r.Status, r.Body)
	}
}

// TestHotspotLongWindow: an event whose window is longer than 31 days is
// read from events rather than the blocks, and counted once, whenever its
// window overlaps the period, however long before the period it began.
func TestHotspotLongWindow(t *testing.T) {
	h := newHarness(t)
	ps := hsPeople(h, 2, "E07000028", "long")
	hsEvent(h, 337500, 557500, ps[:1], map[string]any{"kind": "intelligence_report", "from": "2025-01-03T12:00:00Z", "to": "2025-05-20T12:00:00Z"})
	hsEvent(h, 337500, 557500, ps[1:], map[string]any{"from": "2025-05-12T20:00:00Z"})
	bbox := hsBBox(335000, 555000, 340000, 560000)
	for period, want := range map[string]float64{
		"from=2025-05-10&to=2025-05-31": 2, // both
		"from=2025-05-21&to=2025-05-31": 0, // neither
		"from=2024-12-01&to=2025-01-10": 1, // the long one only
		"from=2025-01-01&to=2025-12-31": 2,
	} {
		m := hsGet(t, h, "analyst", "grid=square&cell=1000&"+period+"&bbox="+bbox)
		got := 0.0
		if f, ok := m.features[cellID(337, 557)]; ok {
			got = num(t, f.Properties, "events")
		}
		if got != want {
			t.Errorf("%s: %v events, want %v", period, got, want)
		}
	}
}
