package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestContextCases: create, read, replace and delete a case on a place and
// on a peer group; the refusals name their field; one open case per
// context; district teams write only their own districts' cases.
func TestContextCases(t *testing.T) {
	h := newHarness(t)
	park := h.placeAt("Park", "park", 340000, 556000)
	kendalPark := id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Kendal park", "kind": "park", "geometry": kendal}))
	group := id(h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": "The lads", "district": "E07000028"}))
	space := id(h.must(201, "analyst", "POST", "/api/v1/spaces", map[string]any{"name": "Chat", "platform": "snapchat", "kind": "group_chat"}))
	yp := h.yp("YP-CASE-1", "E07000028")

	body := map[string]any{"context_id": park, "title": "Park at night", "status": "assessing", "lead_agency": "Youth service",
		"opened_on": "2021-01-05", "plan": "Lighting and detached work",
		"assessment": map[string]any{"assessed_on": "2021-01-20", "strengths_needs": "Young people use the skate area",
			"guardianship": "Park warden until 6pm only", "environment": "Unlit paths", "services": "Youth club closed"},
		"weighting": []map[string]any{{"context_id": park, "rank": 1, "reason": "Most incidents"},
			{"context_id": group, "rank": 2, "reason": "Brings others"}, {"context_id": space, "rank": 3, "reason": "Arranges meetings"}},
		"outcomes": []map[string]any{{"recorded_on": "2021-03-01", "rating": "improved", "description": "Fewer callouts"}}}
	c := h.must(201, "district", "POST", "/api/v1/context-cases", body)
	cid := id(c)
	got := h.must(200, "police", "GET", path("/api/v1/context-cases", cid), nil)
	ctx := asMap(got["context"])
	if ctx["type"] != "place" || ctx["name"] != "Park" || ctx["district"] != "E07000028" || ctx["geometry"] == nil {
		t.Errorf("context: %s", pretty(ctx))
	}
	w := items(got, "weighting")
	if len(w) != 3 || asMap(w[1]["context"])["name"] != "The lads" || cwNum(w[2]["rank"]) != 3 || asMap(w[2]["context"])["type"] != "space" {
		t.Errorf("weighting: %s", pretty(w))
	}
	if asMap(got["assessment"])["guardianship"] != "Park warden until 6pm only" || got["recorded_by"] != "test district" ||
		items(got, "outcomes")[0]["rating"] != "improved" {
		t.Errorf("case: %s", pretty(got))
	}

	// One case per context that is not closed.
	r := h.do("analyst", "POST", "/api/v1/context-cases", body)
	if r.Status != 409 || !strings.Contains(string(r.Body), "context_id") {
		t.Errorf("a second open case on the park: %d %s, want 409 naming context_id", r.Status, r.Body)
	}
	closed := map[string]any{"context_id": park, "title": "Old case", "status": "closed", "lead_agency": "Police",
		"opened_on": "2019-01-01", "closed_on": "2019-06-01"}
	h.must(201, "analyst", "POST", "/api/v1/context-cases", closed)

	// Bad input names the field and writes nothing.
	before := h.snapshotAll()
	for name, tc := range map[string]struct {
		patch map[string]any
		field string
	}{
		"person as context":         {map[string]any{"context_id": yp}, "context_id"},
		"no such context":           {map[string]any{"context_id": 999999}, "context_id"},
		"bad status":                {map[string]any{"status": "open"}, "status"},
		"closed without date":       {map[string]any{"status": "closed"}, "closed_on"},
		"closed before opened":      {map[string]any{"status": "closed", "closed_on": "2020-01-01"}, "closed_on"},
		"group fields on a place":   {map[string]any{"assessment": map[string]any{"influence": "x"}}, "assessment"},
		"misspelt assessment field": {map[string]any{"assessment": map[string]any{"guardianshp": "x"}}, "assessment"},
		"duplicate rank":            {map[string]any{"weighting": []map[string]any{{"context_id": park, "rank": 1, "reason": "a"}, {"context_id": group, "rank": 1, "reason": "b"}}}, "weighting/1/rank"},
		"person in weighting":       {map[string]any{"weighting": []map[string]any{{"context_id": yp, "rank": 1, "reason": "a"}}}, "weighting"},
		"pseudonym in the plan":     {map[string]any{"plan": "Work with yp-case-1 on Fridays"}, "plan"},
		"pseudonym in a reason":     {map[string]any{"weighting": []map[string]any{{"context_id": park, "rank": 1, "reason": "YP-CASE-1 goes there"}}}, "weighting/0/reason"},
		"bad outcome rating":        {map[string]any{"outcomes": []map[string]any{{"recorded_on": "2021-03-01", "rating": "great", "description": "x"}}}, "outcomes/0/rating"},
		"unknown field":             {map[string]any{"children": []int{1}}, "children"},
	} {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		for k, v := range tc.patch {
			b[k] = v
		}
		r := h.do("analyst", "PUT", path("/api/v1/context-cases", cid), b)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", name, r.Status, r.Body, tc.field)
		}
	}
	if h.snapshotAll() != before {
		t.Error("a refused write changed the database")
	}
	// A pseudonym inside a longer word is not a pseudonym.
	b := map[string]any{}
	for k, v := range body {
		b[k] = v
	}
	b["plan"] = "Work with XYP-CASE-10 groups"
	h.must(200, "analyst", "PUT", path("/api/v1/context-cases", cid), b)

	// A peer group is assessed on its own terms.
	gc := h.must(201, "police", "POST", "/api/v1/context-cases", map[string]any{"context_id": group, "title": "The lads",
		"status": "referred", "lead_agency": "Police", "opened_on": "2021-02-01",
		"assessment": map[string]any{"relationships": "Close, older leader", "leaders_followers": "One leader, four followers",
			"places_used": "The park, the station"}})
	if asMap(gc["context"])["type"] != "group" || asMap(gc["assessment"])["leaders_followers"] != "One leader, four followers" {
		t.Errorf("group case: %s", pretty(gc))
	}
	r = h.do("police", "POST", "/api/v1/context-cases", map[string]any{"context_id": space, "title": "Chat", "status": "referred",
		"lead_agency": "Police", "opened_on": "2021-02-01", "assessment": map[string]any{"influence": "x"}})
	if r.Status != 400 {
		t.Errorf("peer-group assessment on an online space: %d", r.Status)
	}

	// Lists filter by status, type and district.
	l := h.must(200, "district", "GET", "/api/v1/context-cases?status=open", nil)
	var open []int64
	for _, it := range items(l, "items") {
		open = append(open, int64(cwNum(it["id"])))
	}
	if !slices.Equal(open, []int64{cid, id(gc)}) {
		t.Errorf("open cases: %v, want %v", open, []int64{cid, id(gc)})
	}
	if l := h.must(200, "analyst", "GET", "/api/v1/context-cases?context_type=group", nil); len(items(l, "items")) != 1 {
		t.Errorf("group cases: %s", pretty(l))
	}
	if l := h.must(200, "analyst", "GET", "/api/v1/context-cases?status=closed", nil); len(items(l, "items")) != 1 {
		t.Errorf("closed cases: %s", pretty(l))
	}
	for _, bad := range []string{"status=nope", "context_type=person", "district=E99", "context_id=-1"} {
		if r := h.do("analyst", "GET", "/api/v1/context-cases?"+bad, nil); r.Status != 400 {
			t.Errorf("?%s: %d, want 400", bad, r.Status)
		}
	}

	// District teams: readable everywhere, written only in their districts.
	kc := id(h.must(201, "analyst", "POST", "/api/v1/context-cases", map[string]any{"context_id": kendalPark, "title": "Kendal",
		"status": "referred", "lead_agency": "Youth service", "opened_on": "2021-01-01"}))
	h.must(200, "district", "GET", path("/api/v1/context-cases", kc), nil)
	if r := h.do("district", "POST", "/api/v1/context-cases", map[string]any{"context_id": kendalPark, "title": "Kendal 2",
		"status": "closed", "closed_on": "2021-01-02", "lead_agency": "Youth service", "opened_on": "2021-01-01"}); r.Status != 400 {
		t.Errorf("district team opening a Kendal case: %d, want 400", r.Status)
	}
	if r := h.do("district", "PUT", path("/api/v1/context-cases", kc), map[string]any{"context_id": kendalPark, "title": "Mine now",
		"status": "referred", "lead_agency": "Youth service", "opened_on": "2021-01-01"}); r.Status != 403 {
		t.Errorf("district team changing a Kendal case: %d, want 403", r.Status)
	}
	if r := h.do("district", "DELETE", path("/api/v1/context-cases", kc), nil); r.Status != 403 {
		t.Errorf("district team deleting a Kendal case: %d, want 403", r.Status)
	}

	// Actions: overdue when not done and due before today.
	ap := fmt.Sprintf("/api/v1/context-cases/%d/actions", cid)
	a1 := h.must(201, "district", "POST", ap, map[string]any{"description": "Lighting", "owner": "Council", "due_on": "2021-02-01"})
	a2 := h.must(201, "district", "POST", ap, map[string]any{"description": "Youth work", "owner": "Youth service", "due_on": "2099-01-01"})
	if a1["overdue"] != true || a1["done"] != false || a2["overdue"] != false {
		t.Errorf("actions: %s %s", pretty(a1), pretty(a2))
	}
	a1 = h.must(200, "district", "PUT", path(ap, id(a1)), map[string]any{"description": "Lighting", "owner": "Council", "due_on": "2021-02-01", "done_on": "2021-01-30"})
	if a1["overdue"] != false || a1["done"] != true || a1["done_on"] != "2021-01-30" {
		t.Errorf("done action: %s", pretty(a1))
	}
	for _, bad := range []map[string]any{{"owner": "x", "due_on": "2021-01-01"}, {"description": "x", "owner": "x"},
		{"description": "x", "owner": "x", "due_on": "2021-01-01", "context_id": park},
		{"description": "Ring YP-CASE-1", "owner": "x", "due_on": "2021-01-01"}} {
		if r := h.do("district", "POST", ap, bad); r.Status != 400 {
			t.Errorf("action %v: %d, want 400", bad, r.Status)
		}
	}
	h.must(404, "district", "PUT", path(ap, 999999), map[string]any{"description": "x", "owner": "x", "due_on": "2021-01-01"})
	h.must(404, "district", "PUT", path(fmt.Sprintf("/api/v1/context-cases/%d/actions", id(gc)), id(a2)),
		map[string]any{"description": "x", "owner": "x", "due_on": "2021-01-01"})
	if as := items(h.must(200, "police", "GET", ap, nil), "items"); len(as) != 2 {
		t.Errorf("actions list: %s", pretty(as))
	}
	h.must(204, "district", "DELETE", path(ap, id(a2)), nil)
	if got := h.must(200, "analyst", "GET", path("/api/v1/context-cases", cid), nil); len(items(got, "actions")) != 1 {
		t.Errorf("case actions after delete: %s", pretty(got["actions"]))
	}

	// Writes are audited (context-level: no people).
	if rs := h.auditOf("POST /api/v1/context-cases"); len(rs) < 3 || rs[0]["action"] != "create" {
		t.Errorf("audit of case creation: %s", pretty(rs))
	}
	h.must(404, "analyst", "GET", "/api/v1/context-cases/999999", nil)
	h.must(404, "analyst", "GET", "/api/v1/context-cases/abc", nil)
	h.must(204, "analyst", "DELETE", path("/api/v1/context-cases", cid), nil)
	h.must(404, "analyst", "GET", path("/api/v1/context-cases", cid), nil)
	h.must(404, "analyst", "GET", ap, nil)
}

// TestCaseChildren: the young people a context affects come from the
// graph (links seen in the period and not past review, events at the
// place); the list is person-level and audited; counts are suppressed for
// roles without the full view.
func TestCaseChildren(t *testing.T) {
	h := newHarness(t)
	park := h.placeAt("Park", "park", 340000, 556000)
	a, b := h.yp("YP-CH-A", "E07000028"), h.yp("YP-CH-B", "E07000031")
	c, d, e := h.yp("YP-CH-C", "E07000028"), h.yp("YP-CH-D", "E07000028"), h.yp("YP-CH-E", "E07000028")
	aoc := h.adult("AOC-CH-1", "E07000028")
	h.link("frequents", a, park, "2021-01-01", "2021-02-01", "2030-01-01") // in
	h.eventAt("sighting", "2021-02-10T20:00:00Z", park, 0, 0, b)           // in (Kendal child, event at the park)
	h.link("frequents", c, park, "2021-01-01", "2021-02-01", "2021-01-31") // past review before the period ends: out
	h.eventAt("return_home_interview", "2021-02-10T12:00:00Z", park, 0, 0, d)
	h.link("frequents", e, park, "2018-01-01", "2018-06-01", "2030-01-01") // last seen before the period: out
	h.link("linked_to", aoc, park, "2021-01-01", "2021-02-01", "2030-01-01")
	cs := h.must(201, "analyst", "POST", "/api/v1/context-cases", map[string]any{"context_id": park, "title": "Park",
		"status": "closed", "lead_agency": "Police", "opened_on": "2021-01-15", "closed_on": "2021-03-31"})
	cid := id(cs)
	// The case's period: 15 Jan 2020 .. 31 Mar 2021.
	if n := asMap(cs["children"]); cwNum(n["count"]) != 2 {
		t.Errorf("analyst's count: %s, want 2 (A by link, B by event)", pretty(n))
	}
	if n := asMap(h.must(200, "district", "GET", path("/api/v1/context-cases", cid), nil)["children"]); n["suppressed"] != true || n["count"] != nil {
		t.Errorf("district team's count: %s, want suppressed", pretty(n))
	}
	kids := h.must(200, "analyst", "GET", path("/api/v1/context-cases", cid)+"/children", nil)
	list := items(kids, "items")
	if len(list) != 2 || cwNum(list[0]["person_id"]) != float64(a) || cwNum(list[1]["person_id"]) != float64(b) ||
		fmt.Sprint(list[0]["ties"]) != "[frequents]" || fmt.Sprint(list[1]["ties"]) != "[event]" || cwNum(list[1]["events"]) != 1 {
		t.Errorf("children: %s", pretty(list))
	}
	if rs := h.auditOf("GET /api/v1/context-cases/:id/children"); len(rs) != 1 || fmt.Sprint(rs[0]["person_ids"]) != fmt.Sprint([]any{float64(a), float64(b)}) ||
		rs[0]["purpose"] != "automated test" {
		t.Errorf("audit of the children read: %s", pretty(rs))
	}
	dk := h.must(200, "district", "GET", path("/api/v1/context-cases", cid)+"/children", nil)
	if l := items(dk, "items"); len(l) != 1 || cwNum(l[0]["person_id"]) != float64(a) || asMap(dk["outside_your_districts"])["suppressed"] != true {
		t.Errorf("district children: %s, want A only and the other suppressed", pretty(dk))
	}
	if strings.Contains(fmt.Sprint(dk), "YP-CH-B") {
		t.Error("the Kendal child's pseudonym reached a Carlisle team")
	}
	// A narrower period: before the link and the event.
	if l := items(h.must(200, "analyst", "GET", path("/api/v1/context-cases", cid)+"/children?from=2020-01-01&to=2020-12-31", nil), "items"); len(l) != 0 {
		t.Errorf("children in 2020: %s", pretty(l))
	}
	h.must(403, "partner", "GET", path("/api/v1/context-cases", cid)+"/children", nil)
	h.must(400, "analyst", "GET", path("/api/v1/context-cases", cid)+"/children?to=2020-01-01&from=2021-01-01", nil)
	if st := h.withoutPurpose("analyst", "GET", path("/api/v1/context-cases", cid)+"/children"); st != 400 {
		t.Errorf("children without a purpose: %d, want 400", st)
	}
	// The child's side: the cases their own plan can refer to.
	pc := h.must(200, "police", "GET", path("/api/v1/people", a)+"/context-cases?from=2021-01-01&to=2021-12-31", nil)
	if l := items(pc, "items"); len(l) != 1 || cwNum(l[0]["id"]) != float64(cid) {
		t.Errorf("cases of A: %s", pretty(pc))
	}
	if rs := h.auditOf("GET /api/v1/people/:id/context-cases"); len(rs) != 1 || fmt.Sprint(rs[0]["person_ids"]) != fmt.Sprint([]any{float64(a)}) {
		t.Errorf("audit of the person's cases: %s", pretty(rs))
	}
	h.must(404, "district", "GET", path("/api/v1/people", b)+"/context-cases", nil)
}
