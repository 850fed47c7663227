package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/network"
)

func init() {
	routeAccess["GET /api/v1/maps/associations"] = everyone
	routeAccess["GET /api/v1/networks"] = everyone
	routeAccess["GET /api/v1/networks/:id"] = everyone
	routeAccess["GET /api/v1/networks/:id/graph"] = personLevel
	routeAccess["GET /api/v1/places/:id/profile"] = everyone
	// The matrix's network: the fixture's young person and four more at
	// the fixture's place (five young people, so partners see it too).
	fixtureID["networks"] = func(h *harness, fx map[string]int64) string {
		g := &graphFixture{h: h}
		for i := range 4 {
			p := g.person(fmt.Sprintf("YP-mx%d-%d", fx["people"], i), "E07000028")
			g.link("frequents", p, fx["places"], "2BP", true)
		}
		g.compute()
		return g.networkOf(fx["people"], network.Community)
	}
}

// graphFixture draws small graphs through the API, as an analyst.
type graphFixture struct {
	h *harness
	n int
}

func (g *graphFixture) place(name string, lon, lat float64, kind string) int64 {
	g.h.t.Helper()
	sensitive := kind == "house" || kind == "childrens_home"
	return id(g.h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": name, "kind": kind, "sensitive": sensitive,
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{lon, lat}}}))
}

func (g *graphFixture) person(pseudonym, district string) int64 {
	g.h.t.Helper()
	return id(g.h.must(201, "analyst", "POST", "/api/v1/people", youngPerson(pseudonym, district)))
}

func (g *graphFixture) adult(pseudonym, district string) int64 {
	g.h.t.Helper()
	return id(g.h.must(201, "analyst", "POST", "/api/v1/people", map[string]any{"kind": "adult_of_concern",
		"pseudonym": pseudonym, "district": district}))
}

func (g *graphFixture) group(name string) int64 {
	g.h.t.Helper()
	return id(g.h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": name}))
}

func (g *graphFixture) space(name string) int64 {
	g.h.t.Helper()
	return id(g.h.must(201, "analyst", "POST", "/api/v1/spaces", map[string]any{"name": name, "platform": "snapchat", "kind": "group_chat"}))
}

// link records a link seen from 2024-01-01 to 2024-06-01, in force until
// 2099.
func (g *graphFixture) link(kind string, src, dst int64, grade string, confirmed bool) int64 {
	g.h.t.Helper()
	return g.linkWith(kind, src, dst, grade, confirmed, map[string]any{})
}

func (g *graphFixture) linkWith(kind string, src, dst int64, grade string, confirmed bool, extra map[string]any) int64 {
	g.h.t.Helper()
	body := map[string]any{"kind": kind, "source_id": src, "target_id": dst, "grade": grade, "confirmed": confirmed,
		"source_agency": "Police", "first_seen": "2024-01-01", "last_seen": "2024-06-01", "review_date": "2099-01-01"}
	for k, v := range extra {
		body[k] = v
	}
	return id(g.h.must(201, "analyst", "POST", "/api/v1/links", body))
}

func (g *graphFixture) compute() {
	g.h.t.Helper()
	if err := network.NewRefresher(g.h.db, nil).Run(context.Background()); err != nil {
		g.h.t.Fatal(err)
	}
}

// networkOf is the id of the network of the kind holding node.
func (g *graphFixture) networkOf(node int64, kind string) string {
	g.h.t.Helper()
	var nid string
	err := g.h.db.Pool.QueryRow(context.Background(), `SELECT m.network_id FROM network_members m JOIN networks n
		ON n.run_id = m.run_id AND n.id = m.network_id JOIN network_state s ON s.run_id = m.run_id
		WHERE m.node_id = $1 AND n.kind = $2`, node, kind).Scan(&nid)
	if err != nil {
		g.h.t.Fatalf("network of %d: %v", node, err)
	}
	return nid
}

// features splits an association map by feature type.
func features(t *testing.T, m map[string]any) (places, derived map[int64]map[string]any, edges map[string]map[string]any) {
	t.Helper()
	if m["type"] != "FeatureCollection" {
		t.Fatalf("not a FeatureCollection: %v", m)
	}
	places, derived, edges = map[int64]map[string]any{}, map[int64]map[string]any{}, map[string]map[string]any{}
	for _, f := range m["features"].([]any) {
		ft := f.(map[string]any)
		p := ft["properties"].(map[string]any)
		p["_geometry"] = ft["geometry"]
		switch p["feature"] {
		case "place":
			places[int64(p["id"].(float64))] = p
		case "group", "space":
			derived[int64(p["id"].(float64))] = p
		case "edge":
			edges[fmt.Sprintf("%v-%v", p["source"], p["target"])] = p
		default:
			t.Fatalf("unknown feature %v", p)
		}
	}
	return
}

func edgeKey(a, b int64) string { return fmt.Sprintf("%d-%d", a, b) }

// TestAssociationMapKnownAnswer: places A and B share three young people
// (links to A graded 1A, 2B, 2B; to B 2B, 2C and, for the third, 3E
// unconfirmed); a fourth young person is at A only. Worked by hand: edge
// A–B has 3 people, strongest grade 1A, weakest 3E, not confirmed, dashed;
// A has 4 young people, B 3. A group whose members are one at A and one at
// C joins A and C (0 people, 1 group) and sits midway between them.
func TestAssociationMapKnownAnswer(t *testing.T) {
	h := newHarness(t)
	g := &graphFixture{h: h}
	a := g.place("Bus station", -2.9350, 54.8920, "bus_station")
	b := g.place("Market St flat", -2.9250, 54.8950, "house")
	c := g.place("Skate park", -2.9450, 54.8890, "park")
	var yp []int64
	for i := range 6 {
		yp = append(yp, g.person(fmt.Sprintf("YP-A%d", i), "E07000028"))
	}
	g.link("frequents", yp[0], a, "1AP", true)
	g.link("frequents", yp[1], a, "2BP", true)
	g.link("last_seen_at", yp[2], a, "2BP", true)
	g.link("frequents", yp[0], b, "2BP", true)
	g.link("found_at", yp[1], b, "2CP", true)
	g.link("frequents", yp[2], b, "3EP", false)
	g.link("frequents", yp[3], a, "2BP", true)
	g.link("frequents", yp[4], c, "2BP", true)
	grp := g.group("Riverside lads")
	g.link("member_of", yp[3], grp, "2BP", true)
	g.link("member_of", yp[4], grp, "2BP", true)
	aoc := g.adult("AOC-A", "E07000028")
	g.link("linked_to", aoc, b, "2BP", true)

	// A link the API would refuse (an adult "frequents" a place), written
	// behind its back: an adult of concern is never counted as a young
	// person.
	if _, err := h.db.Pool.Exec(context.Background(), `INSERT INTO links (kind, source_id, target_id, source_eval,
		intel_assessment, handling, source_agency, first_seen, last_seen, review_date, recorded_by)
		VALUES ('frequents', $1, $2, '2', 'B', 'P', 'Police', '2024-01-01', '2024-01-01', '2099-01-01', 'test')`, aoc, a); err != nil {
		t.Fatal(err)
	}

	m := h.must(200, "analyst", "GET", "/api/v1/maps/associations?district=E07000028", nil)
	places, derived, edges := features(t, m)
	ab := edges[edgeKey(a, b)]
	if ab == nil {
		t.Fatalf("no edge A–B: %v", edges)
	}
	if ab["people"] != 3.0 || ab["groups"] != 0.0 || ab["strongest_grade"] != "1A" || ab["weakest_grade"] != "3E" ||
		ab["confirmed"] != false || ab["dashed"] != true || ab["edge_type"] != "place-place" {
		t.Errorf("edge A–B = %v", ab)
	}
	if geom := ab["_geometry"].(map[string]any); geom["type"] != "LineString" {
		t.Errorf("edge geometry %v", geom)
	}
	if places[a]["young_people"] != 4.0 || places[b]["young_people"] != 3.0 || places[c]["young_people"] != 1.0 {
		t.Errorf("young people A %v B %v C %v, want 4 3 1", places[a]["young_people"], places[b]["young_people"], places[c]["young_people"])
	}
	if places[b]["adults_of_concern"] != 1.0 {
		t.Errorf("analyst: adults at B %v, want 1", places[b]["adults_of_concern"])
	}
	ac := edges[edgeKey(a, c)]
	if ac == nil || ac["people"] != 0.0 || ac["groups"] != 1.0 {
		t.Errorf("edge A–C = %v, want 0 people 1 group", ac)
	}
	gd := derived[grp]
	if gd == nil || gd["derived"] != true || gd["young_people"] != 2.0 || gd["places"] != 2.0 {
		t.Fatalf("derived group = %v", gd)
	}
	pt := gd["_geometry"].(map[string]any)["coordinates"].([]any)
	// Midway between A (−2.935, 54.892) and C (−2.945, 54.889) in the
	// metric grid: within a few metres of the lon/lat midpoint.
	if lon, lat := pt[0].(float64), pt[1].(float64); math.Abs(lon+2.94) > 1e-4 || math.Abs(lat-54.8905) > 1e-4 {
		t.Errorf("group at %v, %v; want about -2.94, 54.8905", lon, lat)
	}
	if edges[edgeKey(grp, a)]["edge_type"] != "group-place" {
		t.Errorf("group–place edge missing: %v", edges)
	}

	// Filters, each worked by hand from the links above.
	for _, tc := range []struct {
		q      string
		people any // on A–B; nil: no edge
	}{
		{"exclude_e=true", 2.0},
		{"confirmed=true", 2.0},
		{"min_grade=2B", 1.0}, // yp1's 2C and yp2's 3E links to B go
		{"min_weight=4", nil},
		{"kinds=frequents", 1.0}, // yp1 was found at B, yp2 last seen at A
		{"from=2025-01-01", nil}, // links seen up to 2024-06-01
		{"to=2023-12-31", nil},
	} {
		m := h.must(200, "analyst", "GET", "/api/v1/maps/associations?district=E07000028&"+tc.q, nil)
		_, _, es := features(t, m)
		e := es[edgeKey(a, b)]
		switch {
		case tc.people == nil && e != nil:
			t.Errorf("%s: edge A–B %v, want none", tc.q, e)
		case tc.people != nil && (e == nil || e["people"] != tc.people):
			t.Errorf("%s: edge A–B %v, want %v people", tc.q, e, tc.people)
		}
	}

	// Partners: counts of 1–4 hidden, edges of fewer than 5 people left
	// out, no groups or spaces, sensitive places generalised, no adults.
	m = h.must(200, "partner", "GET", "/api/v1/maps/associations?district=E07000028", nil)
	places, derived, edges = features(t, m)
	if len(edges) != 0 || len(derived) != 0 {
		t.Errorf("partner sees edges %v derived %v", edges, derived)
	}
	if places[a]["young_people"] != nil || places[a]["suppressed"] != true || places[b]["generalised"] != true ||
		strings.Contains(fmt.Sprint(places[b]), "Market St") {
		t.Errorf("partner place A %v B %v", places[a], places[b])
	}
	if _, ok := places[b]["adults_of_concern"]; ok {
		t.Errorf("partner sees adults of concern: %v", places[b])
	}
	if disc := m["disclosure"].(map[string]any); disc["edges_withheld"] != 2.0 {
		t.Errorf("partner disclosure %v, want 2 edges withheld", disc)
	}
	// District team (Carlisle): person-level here, no adults of concern.
	m = h.must(200, "district", "GET", "/api/v1/maps/associations?district=E07000028", nil)
	places, _, edges = features(t, m)
	if edges[edgeKey(a, b)]["people"] != 3.0 || places[b]["adults_of_concern"] != nil {
		t.Errorf("district: A–B %v, B %v", edges[edgeKey(a, b)], places[b])
	}
}

func TestAssociationMapBadInput(t *testing.T) {
	h := newHarness(t)
	for q, field := range map[string]string{
		"bbox=1,2,3":                    "bbox",
		"bbox=10,10,0,0":                "bbox",
		"district=E99999999":            "district",
		"min_grade=9Z":                  "min_grade",
		"min_grade=2BPX":                "min_grade",
		"kinds=frequents,oops":          "kinds",
		"kinds=linked_to":               "kinds",
		"from=2024-13-01":               "from",
		"from=2024-02-01&to=2024-01-01": "to",
		"exclude_e=maybe":               "exclude_e",
		"min_weight=0":                  "min_weight",
		"min_weight=x":                  "min_weight",
	} {
		r := h.do("analyst", "GET", "/api/v1/maps/associations?"+q, nil)
		if r.Status != 400 || !strings.Contains(r.Header.Get("Content-Type"), "problem+json") || !strings.Contains(string(r.Body), field) {
			t.Errorf("%s: %d %s, want 400 problem naming %s", q, r.Status, r.Body, field)
		}
	}
	for _, role := range []string{"district", "partner"} {
		if r := h.do(role, "GET", "/api/v1/maps/associations?include_review_due=true", nil); r.Status != 403 {
			t.Errorf("%s include_review_due: %d, want 403", role, r.Status)
		}
	}
	h.must(200, "police", "GET", "/api/v1/maps/associations?include_review_due=true", nil)
}

// networkScenario: cluster 1 (a1–a3 at P1, a1 and a2 in group G1), cluster
// 2 (b1–b3 at P2, all in space S2, adult of concern AOC linked to P2), the
// young person x at both P1 and P2 (the bridge), and apart, z at P3 in
// Kendal. e's only link (to P3) is graded E: e is in no network.
type networkScenario struct {
	g                                *graphFixture
	a, b                             []int64
	x, z, e, aoc, p1, p2, p3, g1, s2 int64
}

func newNetworkScenario(t *testing.T) (*harness, *networkScenario) {
	h := newHarness(t)
	g := &graphFixture{h: h}
	s := &networkScenario{g: g}
	s.p1 = g.place("Park", -2.9350, 54.8920, "park")
	s.p2 = g.place("Takeaway", -2.9250, 54.8950, "takeaway")
	s.p3 = g.place("Kendal park", -2.7450, 54.3280, "park")
	s.g1 = g.group("G1")
	s.s2 = g.space("S2")
	for i := range 3 {
		s.a = append(s.a, g.person(fmt.Sprintf("YP-a%d", i), "E07000028"))
		g.link("frequents", s.a[i], s.p1, "2BP", true)
		s.b = append(s.b, g.person(fmt.Sprintf("YP-b%d", i), "E07000028"))
		g.link("frequents", s.b[i], s.p2, "2BP", i > 0)
		g.link("present_in", s.b[i], s.s2, "2BP", true)
	}
	g.link("member_of", s.a[0], s.g1, "2BP", true)
	g.link("member_of", s.a[1], s.g1, "2BP", true)
	s.x = g.person("YP-x", "E07000028")
	g.link("frequents", s.x, s.p1, "1AP", true)
	g.link("frequents", s.x, s.p2, "1AP", true)
	s.aoc = g.adult("AOC-1", "E07000028")
	g.link("linked_to", s.aoc, s.p2, "2BP", true)
	s.z = g.person("YP-z", "E07000031")
	g.link("frequents", s.z, s.p3, "2BP", true)
	s.e = g.person("YP-e", "E07000031")
	g.link("frequents", s.e, s.p3, "3EP", false)
	return h, s
}

func TestNetworks(t *testing.T) {
	h, s := newNetworkScenario(t)
	// Before any run: an empty list that says it is stale.
	l := h.must(200, "analyst", "GET", "/api/v1/networks", nil)
	if l["stale"] != true || l["computed_at"] != nil || len(l["items"].([]any)) != 0 {
		t.Fatalf("before a run: %v", l)
	}
	s.g.compute()

	// Components, worked by hand: the 12 nodes of both clusters, x and
	// AOC; and z with P3. Ids: P1 and P3 are the smallest (made first).
	l = h.must(200, "analyst", "GET", "/api/v1/networks?kind=component", nil)
	items := l["items"].([]any)
	if l["stale"] != false || len(items) != 2 {
		t.Fatalf("components: %v", l)
	}
	big := items[0].(map[string]any)
	size := big["size"].(map[string]any)
	if big["id"] != fmt.Sprintf("component-%d", s.p1) || size["total"] != 12.0 || size["young_people"] != 7.0 ||
		size["adults_of_concern"] != 1.0 || size["places"] != 2.0 || size["groups"] != 1.0 || size["spaces"] != 1.0 {
		t.Errorf("big component %v", big)
	}
	small := items[1].(map[string]any)
	if small["id"] != fmt.Sprintf("component-%d", s.p3) || small["size"].(map[string]any)["total"] != 2.0 ||
		!slices.Equal(small["districts"].([]any), []any{"E07000031"}) {
		t.Errorf("small component %v (e's E-graded link must not join it)", small)
	}
	if s.g.networkOf(s.a[0], network.Component) != s.g.networkOf(s.b[0], network.Component) {
		t.Error("the clusters joined by x are not one component")
	}
	// Communities: the two clusters apart.
	ca, cb := s.g.networkOf(s.a[0], network.Community), s.g.networkOf(s.b[0], network.Community)
	if ca == cb {
		t.Errorf("clusters in one community %s", ca)
	}
	for _, n := range []int64{s.a[1], s.a[2], s.g1, s.p1} {
		if s.g.networkOf(n, network.Community) != ca {
			t.Errorf("node %d not in cluster 1's community", n)
		}
	}
	for _, n := range []int64{s.b[1], s.b[2], s.s2, s.p2, s.aoc} {
		if s.g.networkOf(n, network.Community) != cb {
			t.Errorf("node %d not in cluster 2's community", n)
		}
	}

	// Detail: places, key nodes with the bridge, communities.
	d := h.must(200, "analyst", "GET", "/api/v1/networks/"+big["id"].(string), nil)
	if d["betweenness"] != "exact" || len(d["places"].([]any)) != 2 || len(d["communities"].([]any)) != 2 {
		t.Errorf("detail %v", d)
	}
	var keys []int64
	for _, k := range d["key_nodes"].([]any)[:3] {
		keys = append(keys, int64(k.(map[string]any)["id"].(float64)))
	}
	// By hand, pairs of other nodes whose shortest paths pass through:
	// P2 30 across + 5.5 inside its cluster = 35.5; P1 28 + 3.5 = 31.5;
	// x the 5·6 = 30 pairs across. The top three, in that order.
	if !slices.Equal(keys, []int64{s.p2, s.p1, s.x}) {
		t.Errorf("key nodes %v, want P2 %d, P1 %d, x %d", keys, s.p2, s.p1, s.x)
	}

	// Filters.
	for q, want := range map[string]int{
		"kind=component&district=E07000031": 1, "kind=component&min_size=3": 1, "kind=component&max_size=2": 1,
		"kind=component&from=2024-07-01": 0, "kind=component&to=2024-01-01": 2, "kind=component&cross_border=true": 0,
		"kind=component&limit=1": 1,
	} {
		l := h.must(200, "analyst", "GET", "/api/v1/networks?"+q, nil)
		if n := len(l["items"].([]any)); n != want {
			t.Errorf("%s: %d networks, want %d", q, n, want)
		}
	}
	l = h.must(200, "analyst", "GET", "/api/v1/networks?kind=component&limit=1", nil)
	next, _ := url.Parse(l["next"].(string))
	l2 := h.must(200, "analyst", "GET", next.RequestURI(), nil)
	if it := l2["items"].([]any); len(it) != 1 || it[0].(map[string]any)["id"] != small["id"] {
		t.Errorf("second page %v", l2)
	}

	// Freshness: a change makes it stale; a recompute keeps the ids.
	s.g.link("associates_with", s.a[2], s.b[2], "2BP", true)
	if l := h.must(200, "analyst", "GET", "/api/v1/networks", nil); l["stale"] != true {
		t.Errorf("after a new link: stale %v", l["stale"])
	}
	s.g.compute()
	l = h.must(200, "analyst", "GET", "/api/v1/networks?kind=component", nil)
	if l["stale"] != false || l["items"].([]any)[0].(map[string]any)["id"] != big["id"] {
		t.Errorf("after recompute: %v", l)
	}
	// A new day: review dates may have passed, so stale until recomputed.
	if _, err := h.db.Pool.Exec(context.Background(), `UPDATE network_runs SET as_of = as_of - 1`); err != nil {
		t.Fatal(err)
	}
	if l := h.must(200, "analyst", "GET", "/api/v1/networks", nil); l["stale"] != true {
		t.Error("a run from yesterday is not stale")
	}

	// Partners: networks with fewer than 5 young people withheld, and by id
	// answer 404; adult counts under 5 hidden.
	l = h.must(200, "partner", "GET", "/api/v1/networks?kind=component", nil)
	if it := l["items"].([]any); len(it) != 1 || l["withheld"] != 1.0 {
		t.Fatalf("partner list %v", l)
	} else if sz := it[0].(map[string]any)["size"].(map[string]any); sz["adults_of_concern"] != nil || sz["total"] != nil ||
		sz["young_people"] != 7.0 {
		t.Errorf("partner size %v", sz)
	}
	h.must(404, "partner", "GET", "/api/v1/networks/"+small["id"].(string), nil)
	pd := h.must(200, "partner", "GET", "/api/v1/networks/"+big["id"].(string), nil)
	for _, k := range pd["key_nodes"].([]any) {
		if k.(map[string]any)["type"] != "place" {
			t.Errorf("partner key node %v", k)
		}
	}
	if pd["groups"] != nil || pd["spaces"] != nil || strings.Contains(fmt.Sprint(pd), "YP-") {
		t.Errorf("partner detail names people or contexts: %v", pd)
	}
	// District team: adults of concern hidden among key nodes.
	dd := h.must(200, "district", "GET", "/api/v1/networks/"+big["id"].(string), nil)
	if strings.Contains(string(mustJSON(t, dd)), "AOC-") {
		t.Errorf("district sees an adult of concern: %v", dd)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNetworkGraph(t *testing.T) {
	h, s := newNetworkScenario(t)
	eLink := s.g.link("frequents", s.a[0], s.p2, "3EP", false) // graded E: not in the basis
	s.g.compute()
	comp := s.g.networkOf(s.a[0], network.Component)
	g := h.must(200, "analyst", "GET", "/api/v1/networks/"+comp+"/graph", nil)
	nodes := g["elements"].(map[string]any)["nodes"].([]any)
	edges := g["elements"].(map[string]any)["edges"].([]any)
	types := map[string]int{}
	for _, n := range nodes {
		d := n.(map[string]any)["data"].(map[string]any)
		types[d["type"].(string)]++
		if d["id"] != fmt.Sprintf("n%v", d["node_id"]) {
			t.Errorf("node id %v", d)
		}
	}
	// Victims and adults of concern are separate types, never merged.
	want := map[string]int{"young_person": 7, "adult_of_concern": 1, "place": 2, "group": 1, "space": 1}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("node types %v, want %v", types, want)
	}
	// 3 + 3 frequents, 3 present_in, 2 member_of, 2 for x, 1 linked_to,
	// and the E-graded link between members, shown dashed.
	if len(edges) != 15 {
		t.Errorf("%d edges, want 15", len(edges))
	}
	var sawE, sawUnconfirmed bool
	for _, e := range edges {
		d := e.(map[string]any)["data"].(map[string]any)
		if d["link_id"] == float64(eLink) {
			sawE = d["grade"] == "3EP" && d["dashed"] == true
		}
		if d["confirmed"] == false && d["grade"] == "2BP" {
			sawUnconfirmed = d["dashed"] == true
		}
	}
	if !sawE || !sawUnconfirmed {
		t.Errorf("E-graded or unconfirmed link not marked dashed: %v", edges)
	}
	for q, n := range map[string]int{"exclude_e=true": 14, "confirmed=true": 13, "min_grade=1A": 2, "kinds=member_of,linked_to": 3} {
		g := h.must(200, "analyst", "GET", "/api/v1/networks/"+comp+"/graph?"+q, nil)
		if got := len(g["elements"].(map[string]any)["edges"].([]any)); got != n {
			t.Errorf("%s: %d edges, want %d", q, got, n)
		}
	}
	// The audit holds the people returned.
	var ids []int64
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT person_ids FROM audit_log WHERE route = 'GET /api/v1/networks/:id/graph'
		ORDER BY seq DESC LIMIT 1`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	wantIDs := append(append(slices.Clone(s.a), s.b...), s.x, s.aoc)
	slices.Sort(wantIDs)
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("audited people %v, want %v", ids, wantIDs)
	}

	// District team: the adult of concern hidden, its link left out.
	g = h.must(200, "district", "GET", "/api/v1/networks/"+comp+"/graph", nil)
	if hidden := g["hidden"].(map[string]any); hidden["adult_of_concern"] != 1.0 {
		t.Errorf("district hidden %v", hidden)
	}
	if strings.Contains(string(mustJSON(t, g)), "AOC-") || len(g["elements"].(map[string]any)["edges"].([]any)) != 14 {
		t.Errorf("district graph shows the adult or its link: %v", g)
	}
	// Kendal's component is out of the Carlisle team's scope: z hidden.
	g = h.must(200, "district", "GET", "/api/v1/networks/"+s.g.networkOf(s.z, network.Component)+"/graph", nil)
	if g["hidden"].(map[string]any)["young_person"] != 1.0 || strings.Contains(string(mustJSON(t, g)), "YP-z") {
		t.Errorf("district sees out-of-scope z: %v", g)
	}
	// No purpose, no person-level read.
	r := h.doNoPurpose("analyst", "/api/v1/networks/"+comp+"/graph")
	if r.Status != 400 {
		t.Errorf("graph without a purpose: %d", r.Status)
	}
	h.must(403, "partner", "GET", "/api/v1/networks/"+comp+"/graph", nil)
}

func TestNetworksBadInput(t *testing.T) {
	h, s := newNetworkScenario(t)
	s.g.compute()
	for _, p := range []string{"/api/v1/networks/community-999999999", "/api/v1/networks/bogus", "/api/v1/networks/component-0",
		"/api/v1/networks/community-999999999/graph", "/api/v1/networks/x/graph", "/api/v1/places/999999999/profile",
		"/api/v1/places/abc/profile"} {
		r := h.do("analyst", "GET", p, nil)
		if r.Status != 404 || !strings.Contains(r.Header.Get("Content-Type"), "problem+json") {
			t.Errorf("%s: %d %s, want 404 problem", p, r.Status, r.Body)
		}
	}
	for q, field := range map[string]string{
		"/api/v1/networks?kind=gang":                                                       "kind",
		"/api/v1/networks?min_size=1":                                                      "min_size",
		"/api/v1/networks?min_size=5&max_size=3":                                           "max_size",
		"/api/v1/networks?after=nope":                                                      "after",
		"/api/v1/networks?after=community-999999":                                          "after",
		"/api/v1/networks?from=yesterday":                                                  "from",
		"/api/v1/networks?district=XX":                                                     "district",
		"/api/v1/networks?cross_border=perhaps":                                            "cross_border",
		"/api/v1/networks/" + s.g.networkOf(s.x, network.Community) + "/graph?min_grade=Z": "min_grade",
		fmt.Sprintf("/api/v1/places/%d/profile?as_of=31-12-2020", s.p1):                    "as_of",
		fmt.Sprintf("/api/v1/places/%d/profile?from=2024-05-01&to=2024-01-01", s.p1):       "to",
		fmt.Sprintf("/api/v1/places/%d/profile?from=1900-01-01", s.p1):                     "from",
	} {
		r := h.do("analyst", "GET", q, nil)
		if r.Status != 400 || !strings.Contains(string(r.Body), field) {
			t.Errorf("%s: %d %s, want 400 naming %s", q, r.Status, r.Body, field)
		}
	}
}

func TestPlaceProfile(t *testing.T) {
	h, s := newNetworkScenario(t)
	g := s.g
	g.linkWith("frequents", s.b[0], s.p1, "2BP", true, map[string]any{"review_date": "2020-01-01"}) // due for review
	when := time.Now().UTC().AddDate(0, -1, 0).Truncate(time.Hour)
	for _, d := range []time.Duration{0, 2 * time.Hour} {
		h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "sighting", "from": when.Add(d).Format(time.RFC3339),
			"place_id": s.p1, "grade": "2BP", "source_agency": "Police", "people": []int64{s.a[0]}})
	}
	g.compute()
	path := fmt.Sprintf("/api/v1/places/%d/profile", s.p1)
	p := h.must(200, "analyst", "GET", path, nil)
	yp := p["young_people"].(map[string]any)
	// a0–a2 and x frequent P1 (b0's link is past review): 4, all cse1 and
	// on a CP plan today (youngPerson's history).
	if yp["total"] != 4.0 || yp["by_category"].(map[string]any)["cse1"] != 4.0 || yp["by_status"].(map[string]any)["cp"] != 4.0 ||
		yp["by_link_kind"].(map[string]any)["frequents"] != 4.0 {
		t.Errorf("young people %v", yp)
	}
	if n := len(p["people"].([]any)); n != 4 || p["exact_counts"] != true {
		t.Errorf("people listed %d, exact %v", n, p["exact_counts"])
	}
	gs := p["groups"].(map[string]any)
	if gs["count"] != 1.0 || gs["items"].([]any)[0].(map[string]any)["people_here"] != 2.0 {
		t.Errorf("groups %v", gs)
	}
	if rd := p["review_due"].(map[string]any); rd["count"] != 1.0 {
		t.Errorf("review due %v", rd)
	}
	ev := p["events"].(map[string]any)
	if ev["total"] != 2.0 || ev["by_kind"].(map[string]any)["sighting"] != 2.0 || len(ev["by_month"].([]any)) < 12 {
		t.Errorf("events %v", ev)
	}
	var total float64
	for _, day := range p["week_hours"].([]any) {
		for _, v := range day.([]any) {
			total += v.(float64)
		}
	}
	if math.Abs(total-2) > 1e-9 {
		t.Errorf("week hours sum %v, want 2 (two instant events)", total)
	}
	nets := p["networks"].(map[string]any)
	if nets["stale"] != false || len(nets["items"].([]any)) != 2 {
		t.Errorf("networks %v", nets)
	}
	if p["grading"].(map[string]any)["by_grade"].(map[string]any)["1A"] != 1.0 {
		t.Errorf("grading %v", p["grading"])
	}
	// include_review_due brings b0 in.
	p = h.must(200, "police", "GET", path+"?include_review_due=true", nil)
	if p["young_people"].(map[string]any)["total"] != 5.0 {
		t.Errorf("with review due: %v", p["young_people"])
	}

	// Partner: counts under 5 hidden, nobody named, groups counted only.
	p = h.must(200, "partner", "GET", path, nil)
	yp = p["young_people"].(map[string]any)
	if yp["total"] != nil || yp["suppressed"] != true || p["people"] != nil || p["exact_counts"] != false ||
		p["groups"].(map[string]any)["items"] != nil || strings.Contains(string(mustJSON(t, p)), "YP-") {
		t.Errorf("partner profile %v", p)
	}
	if p["week_hours"] != nil {
		t.Error("partner sees the week-hour profile of 2 events")
	}
	// Adults of concern: police see AOC-1 at P2; the district team a count.
	p2 := fmt.Sprintf("/api/v1/places/%d/profile", s.p2)
	p = h.must(200, "police", "GET", p2, nil)
	if a := p["adults_of_concern"].(map[string]any); a["count"] != 1.0 || len(a["people"].([]any)) != 1 {
		t.Errorf("police adults %v", a)
	}
	p = h.must(200, "district", "GET", p2, nil)
	if a := p["adults_of_concern"].(map[string]any); a["count"] != 1.0 || a["people"] != nil {
		t.Errorf("district adults %v", a)
	}
	// Kendal is outside the Carlisle team's districts: aggregates only.
	p = h.must(200, "district", "GET", fmt.Sprintf("/api/v1/places/%d/profile", s.p3), nil)
	if p["exact_counts"] != false || p["people"] != nil || p["young_people"].(map[string]any)["total"] != nil {
		t.Errorf("district profile of a Kendal place %v", p)
	}
	// Person-level reads need a purpose and are audited with who was named.
	if r := h.doNoPurpose("analyst", path); r.Status != 400 {
		t.Errorf("profile without purpose: %d", r.Status)
	}
}
