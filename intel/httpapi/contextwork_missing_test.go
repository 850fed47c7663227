package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestMissingProfile: the Philomena profile assembled from the graph, in
// each role's view, as JSON and as a printable page; phones and handles
// only as keyed hashes.
func TestMissingProfile(t *testing.T) {
	h := newHarness(t)
	c := h.yp("YP-MP-C", "E07000028")
	x := h.yp("YP-MP-X", "E07000028")
	k := h.yp("YP-MP-K", "E07000031")
	aoc := h.adult("AOC-MP-1", "E07000028")
	station := h.placeAt("Carlisle station", "rail_station", 340200, 555600)
	park2 := h.placeAt("Bitts park", "park", 339600, 556300)
	park3 := h.placeAt("Skate park", "park", 341000, 557000)
	house := id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Flat 9, Back Lane", "kind": "house",
		"geometry": cwPoint(h.lonLat(340300, 556300))}))
	g := id(h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": "Station lot", "district": "E07000028"}))
	h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": "associates_with", "source_id": c, "target_id": x,
		"grade": "1AP", "source_agency": "CSC", "first_seen": "2021-01-01", "review_date": "2030-01-01", "nature": "friend", "confirmed": true})
	h.must(201, "police", "POST", "/api/v1/links", map[string]any{"kind": "associates_with", "source_id": aoc, "target_id": c,
		"grade": "2BC", "source_agency": "Police", "first_seen": "2021-02-01", "review_date": "2030-01-01", "nature": "gives lifts"})
	h.link("frequents", c, station, "2021-01-01", "2021-06-01", "2030-01-01")
	h.link("member_of", c, g, "2021-01-01", "2021-06-01", "2030-01-01")
	h.link("congregates_at", g, park3, "2021-01-01", "2021-06-01", "2030-01-01")
	h.eventAt("sighting", "2021-04-10T20:00:00Z", park2, 0, 0, c, k)
	h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "missing_episode", "from": "2021-05-01T22:00:00Z",
		"place_id": station, "found_place_id": house, "found_at": "2021-05-02T03:00:00Z", "rhi_at": "2021-05-03T10:00:00Z",
		"grade": "2BP", "source_agency": "Police", "people": []int64{c}})
	h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "missing_episode", "from": "2021-06-01T21:00:00Z",
		"place_id": park2, "found_place_id": station, "found_at": "2021-06-02T01:00:00Z", "rhi_at": "2021-06-10T10:00:00Z",
		"grade": "2BP", "source_agency": "Police", "people": []int64{c}})
	ip := path("/api/v1/people", c) + "/identifiers"
	phone := h.must(201, "district", "POST", ip, map[string]any{"kind": "phone", "value": "+44 7700 900123", "description": "main phone"})
	h.must(201, "district", "POST", ip, map[string]any{"kind": "social_handle", "platform": "snapchat", "value": "@Cool_Kid", "description": "snapchat"})
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(fmt.Sprint(phone["fingerprint"])) || strings.Contains(fmt.Sprint(phone), "7700") {
		t.Errorf("stored identifier: %s", pretty(phone))
	}
	// The same number written another way is the same identifier.
	if r := h.do("analyst", "POST", ip, map[string]any{"kind": "phone", "value": "07700-900-123", "description": "again"}); r.Status != 409 {
		t.Errorf("the same phone again: %d %s, want 409", r.Status, r.Body)
	}
	for name, b := range map[string]map[string]any{
		"letters in a phone":      {"kind": "phone", "value": "call me", "description": "x"},
		"handle without platform": {"kind": "social_handle", "value": "abc", "description": "x"},
		"platform on a phone":     {"kind": "phone", "platform": "snapchat", "value": "07700900124", "description": "x"},
		"no description":          {"kind": "phone", "value": "07700900124"},
		"unknown kind":            {"kind": "email", "value": "a@b.c", "description": "x"},
	} {
		if r := h.do("analyst", "POST", ip, b); r.Status != 400 {
			t.Errorf("%s: %d, want 400", name, r.Status)
		}
	}
	h.must(200, "district", "PUT", path("/api/v1/people", c)+"/missing-profile", map[string]any{"transport": "X5 bus to Penrith; taxis from the rank"})
	if r := h.do("police", "PUT", path("/api/v1/people", aoc)+"/missing-profile", map[string]any{"transport": "car"}); r.Status != 400 {
		t.Errorf("profile of an adult: %d", r.Status)
	}
	if r := h.do("analyst", "PUT", path("/api/v1/people", c)+"/missing-profile", map[string]any{"transport": strings.Repeat("x", 1001)}); r.Status != 400 {
		t.Errorf("long transport: %d", r.Status)
	}

	prof := path("/api/v1/people", c) + "/missing-profile?as_of=2021-06-30"
	p := h.must(200, "police", "GET", prof, nil)
	assoc := items(p, "associates")
	var names []string
	for _, a := range assoc {
		names = append(names, fmt.Sprintf("%v:%v:%v", a["pseudonym"], a["linked"], a["seen_with"]))
	}
	if strings.Join(names, " ") != "YP-MP-X:true:0 AOC-MP-1:true:0 YP-MP-K:false:1" || cwNum(p["associates_withheld"]) != 0 {
		t.Errorf("associates: %v (withheld %v)", names, p["associates_withheld"])
	}
	if a := assoc[0]; a["nature"] != "friend" || a["grade"] != "1AP" || a["confirmed"] != true {
		t.Errorf("the friend: %s", pretty(a))
	}
	places := map[string]string{}
	for _, pl := range items(p, "places") {
		places[asMap(pl["place"])["name"].(string)] = fmt.Sprint(pl["why"])
	}
	want := map[string]string{
		"Carlisle station":  "[event frequents missing episode]",
		"Bitts park":        "[event missing episode]",
		"Skate park":        "[congregates_at (group)]",
		"Flat 9, Back Lane": "[event missing episode]",
	}
	if fmt.Sprint(places) != fmt.Sprint(want) {
		t.Errorf("places: %v, want %v", places, want)
	}
	if fmt.Sprint(p["transport_place_ids"]) != fmt.Sprint([]any{float64(station)}) || p["transport"] != "X5 bus to Penrith; taxis from the rank" {
		t.Errorf("transport: %v %v", p["transport_place_ids"], p["transport"])
	}
	eps := items(p, "missing_episodes")
	if len(eps) != 2 || cwNum(eps[0]["last_seen_place_id"]) != float64(park2) || eps[0]["rhi_within_72h"] != false ||
		cwNum(eps[1]["found_place_id"]) != float64(house) || eps[1]["rhi_within_72h"] != true {
		t.Errorf("episodes: %s", pretty(eps))
	}
	if gs := items(p, "groups_and_spaces"); len(gs) != 1 || gs[0]["name"] != "Station lot" || gs[0]["link"] != "member_of" {
		t.Errorf("groups: %s", pretty(gs))
	}
	if ids := items(p, "phones_and_handles"); len(ids) != 2 || ids[0]["description"] != "main phone" || ids[1]["platform"] != "snapchat" {
		t.Errorf("identifiers: %s", pretty(ids))
	}
	raw := string(h.do("police", "GET", prof, nil).Body)
	// The phone's digit runs, not "7700" alone: four digits turn up by
	// chance in a timestamp's microseconds (a CI run failed on one).
	for _, secret := range []string{"7700 900", "7700900", "7700-900", "900123", "cool_kid", "Cool_Kid"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the profile holds %q", secret)
		}
	}
	if rs := h.auditOf("GET /api/v1/people/:id/missing-profile"); len(rs) != 2 ||
		fmt.Sprint(rs[0]["person_ids"]) != fmt.Sprint([]any{float64(c), float64(x), float64(k), float64(aoc)}) {
		t.Errorf("audit of the profile: %s", pretty(rs))
	}

	// A Carlisle team: the Kendal child and the adult are withheld, the
	// flat (in Carlisle) is exact.
	d := h.must(200, "district", "GET", prof, nil)
	if a := items(d, "associates"); len(a) != 1 || a[0]["pseudonym"] != "YP-MP-X" || cwNum(d["associates_withheld"]) != 2 {
		t.Errorf("district associates: %s (withheld %v)", pretty(a), d["associates_withheld"])
	}
	if strings.Contains(string(h.do("district", "GET", prof, nil).Body), "AOC-") {
		t.Error("an adult of concern reached a district team")
	}
	h.must(403, "partner", "GET", prof, nil)
	h.must(403, "admin", "GET", prof, nil)
	h.must(400, "police", "GET", path("/api/v1/people", aoc)+"/missing-profile", nil)
	h.must(404, "district", "GET", path("/api/v1/people", k)+"/missing-profile", nil)
	h.must(404, "police", "GET", "/api/v1/people/999999/missing-profile", nil)
	if st := h.withoutPurpose("police", "GET", prof); st != 400 {
		t.Errorf("profile without a purpose: %d", st)
	}
	for _, bad := range []string{"format=pdf", "months=0", "as_of=tomorrow"} {
		if r := h.do("police", "GET", path("/api/v1/people", c)+"/missing-profile?"+bad, nil); r.Status != 400 {
			t.Errorf("profile %s: %d", bad, r.Status)
		}
	}

	// The printable page: its own stylesheet allowed by hash, no scripts,
	// a map with one mark per place.
	r := h.do("police", "GET", prof+"&format=html", nil)
	page := string(r.Body)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	css := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	sum := sha256.Sum256([]byte(css[1]))
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(csp, "default-src 'none'") ||
		strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q does not allow exactly the page's stylesheet", csp)
	}
	for _, must := range []string{"OFFICIAL-SENSITIVE", "YP-MP-C", "<svg", "main phone", "Flat 9, Back Lane", "X5 bus to Penrith"} {
		if !strings.Contains(page, must) {
			t.Errorf("page lacks %q", must)
		}
	}
	for _, mustNot := range []string{"<script", "http://", "https://", " style=", "7700 900", "7700900", "900123", "Cool_Kid", "onload"} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), mustNot) {
			t.Errorf("page holds %q", mustNot)
		}
	}
	if !strings.Contains(page, "1AP, confirmed") || !strings.Contains(page, "2BC, unconfirmed") {
		t.Error("the page does not say which links are confirmed")
	}
	// Found at: the flat and the station (squares); last seen at: the park
	// (red); the skate park in grey.
	if n := strings.Count(page, `fill="#1f5fbf"`); n != 2 {
		t.Errorf("found-at marks: %d, want 2", n)
	}
	if n := strings.Count(page, `fill="#c0392b"`); n != 1 {
		t.Errorf("last-seen marks: %d, want 1", n)
	}
	if n := strings.Count(page, `fill="#666"`); n != 1 {
		t.Errorf("other places: %d, want 1", n)
	}

	// Matching a number or handle someone hands the police.
	mt := h.must(200, "police", "POST", "/api/v1/identifiers/match", map[string]any{"kind": "phone", "value": "0044 7700 900 123"})
	if it := items(mt, "items"); len(it) != 1 || cwNum(it[0]["person_id"]) != float64(c) {
		t.Errorf("match by phone: %s", pretty(mt))
	}
	if it := items(h.must(200, "police", "POST", "/api/v1/identifiers/match", map[string]any{"kind": "social_handle", "platform": "snapchat", "value": "cool_kid"}), "items"); len(it) != 1 {
		t.Errorf("match by handle: %v", it)
	}
	if it := items(h.must(200, "police", "POST", "/api/v1/identifiers/match", map[string]any{"kind": "social_handle", "platform": "instagram", "value": "cool_kid"}), "items"); len(it) != 0 {
		t.Errorf("a handle on another platform matched: %v", it)
	}
	if rs := h.auditOf("POST /api/v1/identifiers/match"); len(rs) != 3 || strings.Contains(fmt.Sprint(rs), "7700") ||
		fmt.Sprint(rs[0]["person_ids"]) != fmt.Sprint([]any{float64(c)}) {
		t.Errorf("audit of matches: %s", pretty(rs))
	}
	// Deleting an identifier.
	h.must(204, "analyst", "DELETE", path(ip, id(phone)), nil)
	h.must(404, "analyst", "DELETE", path(ip, id(phone)), nil)
	if it := items(h.must(200, "police", "POST", "/api/v1/identifiers/match", map[string]any{"kind": "phone", "value": "07700900123"}), "items"); len(it) != 0 {
		t.Errorf("a deleted phone matched: %v", it)
	}
}
