package httpapi_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestContextWorkEndToEnd: a place with rising events gets a context case,
// appears on a generated conference agenda (with a cross-district group
// and overdue actions), gets a disruption action, and its before/after
// activity is computed as worked out by hand below. All positions are in
// Carlisle; all times are UTC in the test and counted by Europe/London
// date by the service (GMT in winter, BST from 28 March 2021).
func TestContextWorkEndToEnd(t *testing.T) {
	h := newHarness(t)
	const carlisle, eden, allerdale = "E07000028", "E07000030", "E07000026"
	yp1, yp2 := h.yp("YP-E2E-1", carlisle), h.yp("YP-E2E-2", carlisle)
	yp3, yp4 := h.yp("YP-E2E-3", eden), h.yp("YP-E2E-4", allerdale)

	// P is the park whose activity rises; Q, R, S are 2 to 3 km away.
	P := h.placeAt("Riverside park", "park", 340000, 556000)
	Q := h.placeAt("Shop on the square", "shop", 342000, 556000)
	R := h.placeAt("Car park", "car_park", 338000, 554000)
	S := h.placeAt("Bus shelter field", "park", 340000, 558500)
	px, py := h.placeXY(P)
	if math.Abs(px-340000) > 0.01 || math.Abs(py-556000) > 0.01 {
		t.Fatalf("P is at (%v, %v): the round trip through lon/lat moved it", px, py)
	}
	ev := func(kind, at string, place int64, people ...int64) int64 {
		return h.eventAt(kind, at, place, 0, 0, people...)
	}
	off := func(kind, at string, dx, dy float64, people ...int64) int64 {
		return h.eventAt(kind, at, 0, px+dx, py+dy, people...)
	}

	// The agenda of 1 March 2021, 4 weeks: recent = 2 Feb .. 1 Mar,
	// previous = 5 Jan .. 1 Feb (London dates).
	ev("sighting", "2021-01-04T12:00:00Z", P, yp1)            // before both windows
	ev("incident", "2021-01-20T20:00:00Z", P, yp1)            // previous
	ev("sighting", "2021-02-01T23:30:00Z", P, yp2)            // previous (its last day)
	ev("sighting", "2021-02-02T00:30:00Z", P, yp1)            // recent (its first day)
	ev("incident", "2021-02-10T21:00:00Z", P, yp2)            // recent
	ev("missing_episode", "2021-02-15T21:00:00Z", P, yp1)     // recent: last seen at P
	ev("intelligence_report", "2021-02-20T19:00:00Z", P, yp2) // recent
	ev("sighting", "2021-03-01T23:30:00Z", P, yp1)            // recent (its last day)
	ev("sighting", "2021-03-02T00:30:00Z", P)                 // after the agenda date
	ev("return_home_interview", "2021-02-12T10:00:00Z", P, yp1)
	// A missing episode from Q, found at P: activity at both places.
	h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "missing_episode", "from": "2021-02-25T18:00:00Z",
		"place_id": Q, "found_place_id": P, "found_at": "2021-02-26T02:00:00Z", "grade": "2BP", "source_agency": "Police",
		"people": []int64{yp2}})
	// Q: 3 previous, 3 + the episode recent: ratio 4/3 < 1.5, not rising.
	for _, at := range []string{"2021-01-10T20:00:00Z", "2021-01-15T20:00:00Z", "2021-01-25T20:00:00Z",
		"2021-02-05T20:00:00Z", "2021-02-06T20:00:00Z", "2021-02-07T20:00:00Z"} {
		ev("sighting", at, Q, yp2)
	}
	// R: 2 recent, under the minimum of 3.
	ev("sighting", "2021-02-10T20:00:00Z", R, yp4)
	ev("sighting", "2021-02-11T20:00:00Z", R, yp4)
	// S: 3 recent, none before: rising, no ratio.
	for _, at := range []string{"2021-02-03T20:00:00Z", "2021-02-04T20:00:00Z", "2021-02-05T20:00:00Z"} {
		ev("incident", at, S, yp3)
	}

	// A peer group with two members from Carlisle and two from Eden, and
	// two from Allerdale whose links were past review on the agenda date.
	yp5, yp6 := h.yp("YP-E2E-5", eden), h.yp("YP-E2E-6", allerdale)
	G := id(h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": "Riverside lot", "district": carlisle}))
	for _, m := range []int64{yp1, yp2, yp3, yp5} {
		h.link("member_of", m, G, "2021-01-01", "2021-02-01", "2030-01-01")
	}
	h.link("member_of", yp4, G, "2021-01-01", "2021-02-01", "2021-02-01")
	h.link("member_of", yp6, G, "2021-01-01", "2021-02-01", "2021-02-01")
	// One child from each of two districts is not a network.
	T := h.placeAt("Chip shop", "takeaway", 341500, 557500)
	h.link("frequents", yp1, T, "2021-01-01", "2021-02-01", "2030-01-01")
	h.link("frequents", yp3, T, "2021-01-01", "2021-02-01", "2030-01-01")

	agendaPath := "/api/v1/conferences/agenda?as_of=2021-03-01"
	a := h.must(200, "analyst", "GET", agendaPath, nil)
	rising := items(a, "rising")
	if len(rising) != 2 {
		t.Fatalf("rising places: %d, want 2 (P, S): %s", len(rising), pretty(rising))
	}
	p, s := rising[0], rising[1]
	if cwNum(asMap(p["context"])["id"]) != float64(P) || cwNum(asMap(s["context"])["id"]) != float64(S) {
		t.Fatalf("rising order: %s, want P then S", pretty(rising))
	}
	// P: recent = 2 Feb 00:30, 10 Feb, 15 Feb, 20 Feb, 1 Mar 23:30 and the
	// episode found there on 25 Feb = 6; previous = 20 Jan, 1 Feb 23:30 = 2.
	if cwNum(p["recent_events"]) != 6 || cwNum(p["previous_events"]) != 2 || cwNum(p["ratio"]) != 3 {
		t.Errorf("P: %s, want recent 6, previous 2, ratio 3", pretty(p))
	}
	if cwNum(asMap(p["young_people"])["count"]) != 2 || p["case_id"] != nil {
		t.Errorf("P: %s, want 2 young people and no case yet", pretty(p))
	}
	if cwNum(s["recent_events"]) != 3 || cwNum(s["previous_events"]) != 0 || s["ratio"] != nil {
		t.Errorf("S: %s, want recent 3, previous 0, no ratio", pretty(s))
	}
	cross := items(a, "cross_district")
	if len(cross) != 1 || cwNum(asMap(cross[0]["context"])["id"]) != float64(G) ||
		fmt.Sprint(cross[0]["districts"]) != "["+carlisle+" "+eden+"]" || cwNum(asMap(cross[0]["young_people"])["count"]) != 4 {
		t.Errorf("cross-district: %s, want the group with Carlisle and Eden, 4 young people", pretty(cross))
	}

	// The park gets a context case, with actions.
	cs := h.must(201, "analyst", "POST", "/api/v1/context-cases", map[string]any{"context_id": P,
		"title": "Riverside park after dark", "status": "assessing", "lead_agency": "Carlisle youth service",
		"opened_on": "2021-02-25", "assessment": map[string]any{"guardianship": "No caring adults after 9pm",
			"environment": "Unlit path by the river"},
		"weighting": []map[string]any{{"context_id": P, "rank": 1, "reason": "Where the harm happens"},
			{"context_id": G, "rank": 2, "reason": "Who brings the children there"}}})
	caseID := id(cs)
	actions := fmt.Sprintf("/api/v1/context-cases/%d/actions", caseID)
	overdue := id(h.must(201, "analyst", "POST", actions, map[string]any{"description": "Ask for lighting", "owner": "Council", "due_on": "2021-02-26"}))
	h.must(201, "analyst", "POST", actions, map[string]any{"description": "Detached youth work", "owner": "Youth service", "due_on": "2021-02-27", "done_on": "2021-02-28"})
	h.must(201, "analyst", "POST", actions, map[string]any{"description": "Review", "owner": "Youth service", "due_on": "2021-03-10"})
	conf := h.must(201, "analyst", "POST", "/api/v1/conferences", map[string]any{"held_on": "2021-02-26", "district": carlisle,
		"chair": "Chair of the MACE", "attendees": []map[string]any{{"agency": "Police"}, {"agency": "Youth service"}},
		"contexts":  []map[string]any{{"context_id": P, "notes": "Activity doubled in February"}},
		"decisions": []map[string]any{{"context_id": P, "decision": "Seek a closure order on the unlicensed premises by the park"}},
		"actions":   []map[string]any{{"context_id": P, "description": "Apply for a closure order", "owner": "Cumbria Police", "due_on": "2021-02-20"}}})
	confAction := id(conf["actions"].([]any)[0].(map[string]any))
	if c := asMap(conf["contexts"].([]any)[0]); cwNum(c["case_id"]) != float64(caseID) {
		t.Errorf("conference context: %s, want the park's case %d", pretty(c), caseID)
	}

	a = h.must(200, "analyst", "GET", agendaPath, nil)
	p = items(a, "rising")[0]
	if cwNum(p["case_id"]) != float64(caseID) || p["case_status"] != "assessing" {
		t.Errorf("P on the agenda after the case: %s, want case %d", pretty(p), caseID)
	}
	var gotOverdue []int64
	for _, it := range items(a, "overdue_actions") {
		gotOverdue = append(gotOverdue, int64(cwNum(it["id"])))
	}
	if fmt.Sprint(gotOverdue) != fmt.Sprint([]int64{confAction, overdue}) {
		t.Errorf("overdue actions: %v, want %v (conference action due 20 Feb, case action due 26 Feb)", gotOverdue, []int64{confAction, overdue})
	}
	if oc := items(a, "open_cases"); len(oc) != 1 || cwNum(oc[0]["id"]) != float64(caseID) || cwNum(oc[0]["overdue_actions"]) != 1 {
		t.Errorf("open cases: %s, want the park's case with 1 action overdue on the agenda date", pretty(oc))
	}

	// What other roles see of the same agenda.
	pa := h.must(200, "partner", "GET", agendaPath, nil)
	pp := items(pa, "rising")[0]
	if !asMap(pp["young_people"])["suppressed"].(bool) || pp["recent_events"] != nil || pp["ratio"] != nil {
		t.Errorf("partner sees P's figures: %s, want them suppressed (2 young people < 5)", pretty(pp))
	}
	if pc := items(pa, "cross_district")[0]; asMap(pc["context"])["name"] != nil || !asMap(pc["young_people"])["suppressed"].(bool) {
		t.Errorf("partner sees the group: %s, want its name withheld and its count suppressed", pretty(pc))
	}
	da := h.must(200, "district", "GET", agendaPath, nil)
	if dp := items(da, "rising")[0]; cwNum(asMap(dp["young_people"])["count"]) != 2 {
		t.Errorf("Carlisle team on a Carlisle place: %s, want the exact count", pretty(dp))
	}
	if dc := items(da, "cross_district")[0]; !asMap(dc["young_people"])["suppressed"].(bool) {
		t.Errorf("Carlisle team on a Carlisle-Eden group: %s, want the count suppressed (Eden is not theirs; 4 < 5)", pretty(dc))
	}

	// The disruption: a closure order at P on 15 March 2021.
	d := h.must(201, "police", "POST", "/api/v1/disruptions", map[string]any{"kind": "closure_order", "place_id": P,
		"applied_on": "2021-03-15", "expires_on": "2021-06-15", "outcome": "granted", "lead_agency": "Cumbria Police",
		"context_case_id": caseID})
	dID := id(d)
	// Before: 15 Dec 2020 .. 14 Mar 2021 (90 days); after: 16 Mar .. 15 Jun
	// 2021 (92 days). Within 500 m of P, besides P's own events above
	// (4 Jan, 20 Jan, 1 Feb, 2 Feb, 10 Feb, 15 Feb, 20 Feb, 1 Mar, 2 Mar
	// = 9; the interview is not activity; the episode from Q is at Q):
	off("sighting", "2021-03-14T23:30:00Z", 490, 0, yp3) // before: 14 Mar, 490 m
	off("sighting", "2021-02-01T12:00:00Z", 510, 0, yp3) // 510 m: outside
	ev("sighting", "2021-03-15T10:00:00Z", P, yp1)       // the action day: neither
	ev("sighting", "2020-12-14T12:00:00Z", P, yp1)       // the day before the before span
	ev("sighting", "2020-12-15T00:00:00Z", P)            // before: its first day
	ev("sighting", "2021-03-16T00:30:00Z", P, yp1)       // after: its first day
	ev("incident", "2021-05-01T20:00:00Z", P, yp1)       // after
	off("sighting", "2021-06-15T12:00:00Z", 0, 490)      // after: its last day, 490 m
	ev("sighting", "2021-06-15T23:30:00Z", P, yp2)       // 16 Jun 00:30 BST: after the span
	off("sighting", "2021-04-01T12:00:00Z", 0, 510)      // 510 m: outside
	ev("crime", "2021-04-10T12:00:00Z", P)               // a crime: not counted unless asked
	// Before: 9 + 14 Mar + 15 Dec = 11 events; young people 1, 2, 3.
	// After: 16 Mar, 1 May, 15 Jun = 3 events; young person 1.
	// Per month: 11 × 30.4375 / 90 = 3.7201...; 3 × 30.4375 / 92 = 0.9925...
	// Change: (3/92 ÷ 11/90 − 1) × 100 = (270/1012 − 1) × 100 = −73.32 %.
	impactPath := fmt.Sprintf("/api/v1/disruptions/%d/impact?radius=500&months=3", dID)
	im := h.must(200, "analyst", "GET", impactPath, nil)
	before, after := asMap(im["before"]), asMap(im["after"])
	check := func(name string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("impact %s = %v, want %v", name, got, want)
		}
	}
	check("before.from", before["from"], "2020-12-15")
	check("before.to", before["to"], "2021-03-14")
	check("before.days", before["days"], 90)
	check("before.events", before["events"], 11)
	check("before.per_month", before["per_month"], 3.72)
	check("before.young_people", asMap(before["young_people"])["count"], 3)
	check("after.from", after["from"], "2021-03-16")
	check("after.to", after["to"], "2021-06-15")
	check("after.days", after["days"], 92)
	check("after.observed_days", after["observed_days"], 92)
	check("after.events", after["events"], 3)
	check("after.per_month", after["per_month"], 0.99)
	check("after.young_people", asMap(after["young_people"])["count"], 1)
	check("change_pct", im["change_pct"], -73.3)
	check("complete", im["complete"], true)
	// Crimes only, when asked: none before, the one on 10 April after.
	cr := h.must(200, "analyst", "GET", impactPath+"&kinds=crime", nil)
	check("crime before", asMap(cr["before"])["events"], 0)
	check("crime after", asMap(cr["after"])["events"], 1)
	check("crime change", cr["change_pct"], nil)
	// A wider radius takes in the 510 m events (1 Feb before, 1 Apr after).
	wide := h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/disruptions/%d/impact?radius=600&months=3", dID), nil)
	check("600 m before", asMap(wide["before"])["events"], 12)
	check("600 m after", asMap(wide["after"])["events"], 4)
	// Partners get the comparison without small counts.
	pim := h.must(200, "partner", "GET", impactPath, nil)
	if pb := asMap(pim["before"]); pb["events"] != nil || pb["per_month"] != nil || !asMap(pb["young_people"])["suppressed"].(bool) || pim["change_pct"] != nil {
		t.Errorf("partner impact: %s, want events, rates and change hidden (3 and 1 young people < 5)", pretty(pim))
	}
	for _, bad := range []string{"radius=5", "radius=abc", "months=0", "months=25", "kinds=party"} {
		r := h.do("analyst", "GET", fmt.Sprintf("/api/v1/disruptions/%d/impact?%s", dID, bad), nil)
		if r.Status != 400 {
			t.Errorf("impact?%s: %d, want 400", bad, r.Status)
		}
	}
	h.must(404, "analyst", "GET", "/api/v1/disruptions/999999/impact", nil)

	// The map layers show the case and the action at the park.
	ppt := asMap(h.must(200, "analyst", "GET", path("/api/v1/places", P), nil)["geometry"])
	cm := h.must(200, "analyst", "GET", "/api/v1/maps/context-cases?status=open", nil)
	cf := find(items(cm, "features"), caseID, "properties", "case_id")
	if cf == nil || asMap(cf["properties"])["status"] != "assessing" || fmt.Sprint(asMap(cf["geometry"])["coordinates"]) != fmt.Sprint(ppt["coordinates"]) {
		t.Errorf("context case on the map: %s, want the case at the park's point with its status", pretty(cf))
	}
	dm := h.must(200, "district", "GET", "/api/v1/maps/disruptions", nil)
	df := find(items(dm, "features"), dID, "properties", "disruption_id")
	if df == nil || asMap(df["properties"])["kind"] != "closure_order" || asMap(df["properties"])["applied_on"] != "2021-03-15" ||
		fmt.Sprint(asMap(df["geometry"])["coordinates"]) != fmt.Sprint(ppt["coordinates"]) {
		t.Errorf("disruption on the map: %s, want a closure order of 15 March at the park", pretty(df))
	}
	// The layer filtered by place and by case: the action is on the map of
	// the park and of its case, not of another place.
	for q, want := range map[string]bool{
		fmt.Sprintf("place_id=%d", P): true, fmt.Sprintf("context_case_id=%d", caseID): true,
		fmt.Sprintf("place_id=%d", P+1): false, fmt.Sprintf("context_case_id=%d", caseID+1000): false,
	} {
		fm := h.must(200, "district", "GET", "/api/v1/maps/disruptions?"+q, nil)
		if got := find(items(fm, "features"), dID, "properties", "disruption_id") != nil; got != want {
			t.Errorf("maps/disruptions?%s holds the park's action: %v, want %v", q, got, want)
		}
		for _, f := range items(fm, "features") {
			if strings.HasPrefix(q, "place_id") && cwNum(asMap(f["properties"])["place_id"]) != float64(P) && want {
				t.Errorf("maps/disruptions?%s: an action at place %v", q, asMap(f["properties"])["place_id"])
			}
		}
	}
	// In the place's context profile: the action for person-level roles,
	// its count by kind for partners.
	prof := asMap(h.must(200, "district", "GET", fmt.Sprintf("/api/v1/places/%d/profile", P), nil)["disruptions"])
	if pit := items(prof, "items"); cwNum(prof["total"]) != 1 || len(pit) != 1 || cwNum(pit[0]["id"]) != float64(dID) ||
		pit[0]["kind"] != "closure_order" || pit[0]["applied_on"] != "2021-03-15" || cwNum(pit[0]["context_case_id"]) != float64(caseID) {
		t.Errorf("place profile disruptions: %s, want the closure order of its case", pretty(prof))
	}
	pprof := asMap(h.must(200, "partner", "GET", fmt.Sprintf("/api/v1/places/%d/profile", P), nil)["disruptions"])
	if cwNum(pprof["total"]) != 1 || cwNum(asMap(pprof["by_kind"])["closure_order"]) != 1 || pprof["items"] != nil {
		t.Errorf("place profile disruptions for a partner: %s, want the count by kind only", pretty(pprof))
	}
	// And in the disruption log by place.
	pl := h.must(200, "district", "GET", fmt.Sprintf("/api/v1/disruptions?place_id=%d", P), nil)
	if it := items(pl, "items"); len(it) != 1 || cwNum(it[0]["context_case_id"]) != float64(caseID) {
		t.Errorf("disruptions at the park: %s", pretty(pl))
	}
}
