package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestConferences: a conference records contexts, decisions and actions,
// never people; partners read it with group and space names withheld and
// sensitive places generalised; actions keep their ids when the record is
// replaced.
func TestConferences(t *testing.T) {
	h := newHarness(t)
	park := h.placeAt("Park", "park", 340000, 556000)
	flat := id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Flat 3, Back Lane", "kind": "house",
		"geometry": cwPoint(h.lonLat(340300, 556300))}))
	group := id(h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": "The lads", "district": "E07000028"}))
	h.yp("YP-CONF-1", "E07000028")
	body := map[string]any{"held_on": "2021-03-01", "district": "E07000028", "chair": "MACE chair",
		"attendees": []map[string]any{{"agency": "Police", "role": "DS, exploitation team"}, {"agency": "Health"}},
		"contexts":  []map[string]any{{"context_id": park, "notes": "Rising"}, {"context_id": flat}, {"context_id": group, "notes": "Recruiting"}},
		"decisions": []map[string]any{{"context_id": flat, "decision": "Seek a closure order"}, {"decision": "Review in a month"}},
		"minutes":   "The park and the flat were discussed.",
		"actions": []map[string]any{{"context_id": flat, "description": "Closure order", "owner": "Police", "due_on": "2021-03-20"},
			{"description": "Lighting survey", "owner": "Council", "due_on": "2021-03-30"}}}
	cf := h.must(201, "district", "POST", "/api/v1/conferences", body)
	cid := id(cf)
	acts := items(cf, "actions")
	if len(acts) != 2 || asMap(acts[0]["context"])["name"] != "Flat 3, Back Lane" || cwNum(acts[0]["conference_id"]) != float64(cid) {
		t.Fatalf("actions: %s", pretty(acts))
	}
	ctxs := items(cf, "contexts")
	if len(ctxs) != 3 || asMap(ctxs[2]["context"])["name"] != "The lads" || ctxs[0]["notes"] != "Rising" {
		t.Errorf("contexts: %s", pretty(ctxs))
	}
	if strings.Contains(string(h.do("analyst", "GET", path("/api/v1/conferences", cid), nil).Body), "person") {
		t.Error("a conference record mentions a person field")
	}

	// Partners: the group's name withheld, the flat generalised.
	pc := h.must(200, "partner", "GET", path("/api/v1/conferences", cid), nil)
	pctx := items(pc, "contexts")
	if asMap(pctx[2]["context"])["name"] != nil {
		t.Errorf("partner sees the group's name: %s", pretty(pctx[2]))
	}
	fl := asMap(pctx[1]["context"])
	if fl["generalised"] != true || fl["name"] != "Sensitive place (house)" {
		t.Errorf("partner sees the flat: %s", pretty(fl))
	}
	// The generalised point is the centre of the flat's 1 km square.
	want := h.lonLat(340500, 556500)
	got := asMap(fl["geometry"])["coordinates"].([]any)
	if d := cwNum(got[0]) - want[0]; d > 1e-6 || d < -1e-6 {
		t.Errorf("generalised flat at %v, want %v", got, want)
	}
	if strings.Contains(string(h.do("partner", "GET", path("/api/v1/conferences", cid), nil).Body), "Back Lane") {
		t.Error("the flat's name reached a partner")
	}

	// Replacing keeps the actions given with their id and drops the others.
	body["actions"] = []map[string]any{{"id": id(acts[0]), "context_id": flat, "description": "Closure order", "owner": "Police",
		"due_on": "2021-03-20", "done_on": "2021-03-18"}, {"description": "New", "owner": "Council", "due_on": "2021-04-30"}}
	up := h.must(200, "district", "PUT", path("/api/v1/conferences", cid), body)
	ua := items(up, "actions")
	if len(ua) != 2 || cwNum(ua[0]["id"]) != float64(id(acts[0])) || ua[0]["done"] != true || ua[1]["description"] != "New" {
		t.Errorf("actions after replace: %s", pretty(ua))
	}
	other := h.must(201, "analyst", "POST", "/api/v1/conferences", map[string]any{"held_on": "2021-03-02", "chair": "Area MACE",
		"actions": []map[string]any{{"description": "x", "owner": "y", "due_on": "2021-04-01"}}})
	body["actions"] = []map[string]any{{"id": id(items(other, "actions")[0]), "description": "x", "owner": "y", "due_on": "2021-04-01"}}
	if r := h.do("analyst", "PUT", path("/api/v1/conferences", cid), body); r.Status != 400 {
		t.Errorf("taking another conference's action: %d %s, want 400", r.Status, r.Body)
	}

	// Refusals.
	before := h.snapshotAll()
	for name, tc := range map[string]struct {
		role  string
		patch map[string]any
		field string
	}{
		"pseudonym in the minutes": {"analyst", map[string]any{"minutes": "YP-CONF-1 was seen there"}, "minutes"},
		"pseudonym in a decision":  {"analyst", map[string]any{"decisions": []map[string]any{{"decision": "Refer yp-conf-1"}}}, "decisions/0/decision"},
		"person as a context":      {"analyst", map[string]any{"contexts": []map[string]any{{"context_id": 999999}}}, "contexts"},
		"unknown district":         {"analyst", map[string]any{"district": "E99"}, "district"},
		"Kendal by Carlisle team":  {"district", map[string]any{"district": "E07000031"}, "district"},
		"area-wide by a team":      {"district", map[string]any{"district": nil}, "district"},
		"no chair":                 {"analyst", map[string]any{"chair": ""}, "chair"},
		"attendee with a name":     {"analyst", map[string]any{"attendees": []map[string]any{{"agency": "Police", "name": "Bob"}}}, "attendees"},
		"action without due date":  {"analyst", map[string]any{"actions": []map[string]any{{"description": "x", "owner": "y"}}}, "actions/0/due_on"},
	} {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		b["actions"] = []map[string]any{}
		for k, v := range tc.patch {
			b[k] = v
		}
		r := h.do(tc.role, "POST", "/api/v1/conferences", b)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", name, r.Status, r.Body, tc.field)
		}
	}
	if h.snapshotAll() != before {
		t.Error("a refused write changed the database")
	}
	// District teams change their own districts' conferences only.
	if r := h.do("district", "DELETE", path("/api/v1/conferences", id(other)), nil); r.Status != 403 {
		t.Errorf("district team deleting an area-wide conference: %d, want 403", r.Status)
	}
	l := h.must(200, "partner", "GET", "/api/v1/conferences?district=E07000028", nil)
	if it := items(l, "items"); len(it) != 1 || cwNum(it[0]["contexts"]) != 3 || cwNum(it[0]["decisions"]) != 2 || cwNum(it[0]["open_actions"]) != 1 {
		t.Errorf("conference list: %s", pretty(l))
	}
	if it := items(h.must(200, "analyst", "GET", "/api/v1/conferences?from=2021-03-02", nil), "items"); len(it) != 1 {
		t.Errorf("conferences from 2 March: %s", pretty(it))
	}
	h.must(204, "analyst", "DELETE", path("/api/v1/conferences", cid), nil)
	h.must(404, "analyst", "GET", path("/api/v1/conferences", cid), nil)
	// Its actions went with it.
	var n int
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM context_actions WHERE conference_id = $1`, cid).Scan(&n); err != nil || n != 0 {
		t.Errorf("actions left of a deleted conference: %d %v", n, err)
	}
	for _, bad := range []string{"as_of=2021-13-01", "weeks=0", "weeks=27", "ratio=0.5", "min_events=x", "district=nowhere", "kinds=crime,bad"} {
		if r := h.do("analyst", "GET", "/api/v1/conferences/agenda?"+bad, nil); r.Status != 400 {
			t.Errorf("agenda?%s: %d, want 400", bad, r.Status)
		}
	}
	_ = fmt.Sprint
}

// TestDisruptionLog: who may write and read what, subjects kept apart from
// victims, and the counts partners get.
func TestDisruptionLog(t *testing.T) {
	h := newHarness(t)
	park := h.placeAt("Park", "park", 340000, 556000)
	hotel := h.placeAt("Hotel", "hotel", 340500, 556200)
	aoc := h.adult("AOC-D-1", "E07000028")
	yp := h.yp("YP-D-1", "E07000028")

	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"CAWN without a subject":  {map[string]any{"kind": "cawn", "place_id": park}, "person_id"},
		"CAWN on a young person":  {map[string]any{"kind": "cawn", "person_id": yp}, "person_id"},
		"closure without a place": {map[string]any{"kind": "closure_order", "person_id": aoc}, "place_id"},
		"other undescribed":       {map[string]any{"kind": "other", "place_id": park}, "description"},
		"unknown kind":            {map[string]any{"kind": "asbo", "place_id": park}, "kind"},
		"no such place":           {map[string]any{"kind": "closure_order", "place_id": 999999}, "place_id"},
		"expires before applied":  {map[string]any{"kind": "closure_order", "place_id": park, "expires_on": "2020-01-01"}, "expires_on"},
		"bad outcome":             {map[string]any{"kind": "closure_order", "place_id": park, "outcome": "won"}, "outcome"},
		"no such case":            {map[string]any{"kind": "closure_order", "place_id": park, "context_case_id": 999999}, "context_case_id"},
	} {
		b := map[string]any{"applied_on": "2021-03-01", "lead_agency": "Police"}
		for k, v := range tc.body {
			b[k] = v
		}
		r := h.do("police", "POST", "/api/v1/disruptions", b)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", name, r.Status, r.Body, tc.field)
		}
	}
	cawn := h.must(201, "police", "POST", "/api/v1/disruptions", map[string]any{"kind": "cawn", "person_id": aoc,
		"applied_on": "2021-03-01", "outcome": "served", "lead_agency": "Cumbria Police"})
	hotelReq := h.must(201, "analyst", "POST", "/api/v1/disruptions", map[string]any{"kind": "hotel_information_request",
		"place_id": hotel, "person_id": aoc, "applied_on": "2021-03-02", "outcome": "complied", "lead_agency": "Cumbria Police"})
	if cawn["outcome"] != "served" || cwNum(cawn["person_id"]) != float64(aoc) || hotelReq["place"] == nil {
		t.Errorf("created: %s %s", pretty(cawn), pretty(hotelReq))
	}
	h.must(403, "district", "POST", "/api/v1/disruptions", map[string]any{"kind": "closure_order", "place_id": park,
		"applied_on": "2021-03-01", "lead_agency": "Council"})

	// District teams: the adult of concern is withheld; an action whose
	// only subject is an adult is not listed at all.
	dl := items(h.must(200, "district", "GET", "/api/v1/disruptions", nil), "items")
	if len(dl) != 1 || cwNum(dl[0]["id"]) != float64(id(hotelReq)) || dl[0]["person_id"] != nil || dl[0]["person_withheld"] != true {
		t.Errorf("district list: %s", pretty(dl))
	}
	h.must(404, "district", "GET", path("/api/v1/disruptions", id(cawn)), nil)
	if strings.Contains(fmt.Sprint(dl), "AOC-") {
		t.Error("an adult of concern reached a district team")
	}
	pl := items(h.must(200, "police", "GET", "/api/v1/disruptions?person_id="+itoa(aoc), nil), "items")
	if len(pl) != 2 {
		t.Errorf("police list by subject: %s", pretty(pl))
	}
	if rs := h.auditOf("GET /api/v1/disruptions"); len(rs) != 2 || fmt.Sprint(rs[1]["person_ids"]) != fmt.Sprint([]any{float64(aoc)}) ||
		fmt.Sprint(rs[0]["person_ids"]) != "[]" {
		t.Errorf("audit of disruption reads: %s", pretty(rs))
	}
	if st := h.withoutPurpose("police", "GET", "/api/v1/disruptions"); st != 400 {
		t.Errorf("disruption list without a purpose: %d", st)
	}
	h.must(403, "partner", "GET", "/api/v1/disruptions", nil)

	// Counts: exact for the analyst; for partners, the two small counts
	// of Carlisle and their totals are hidden so none can be worked back.
	ac := h.must(200, "analyst", "GET", "/api/v1/disruptions/counts", nil)
	ds := ac["districts"].([]any)
	col := -1
	for j, d := range ds {
		if d == "E07000028" {
			col = j
		}
	}
	cell := func(m map[string]any, kind, j int) map[string]any {
		return asMap(m["counts"].([]any)[kind].([]any)[j])
	}
	if col < 0 || cwNum(cell(ac, 0, col)["count"]) != 1 || cwNum(cell(ac, 3, col)["count"]) != 1 || cwNum(asMap(ac["total"])["count"]) != 2 {
		t.Errorf("analyst counts: %s", pretty(ac))
	}
	pc := h.must(200, "partner", "GET", "/api/v1/disruptions/counts", nil)
	if cell(pc, 0, col)["suppressed"] != true || cell(pc, 3, col)["suppressed"] != true || asMap(pc["total"])["suppressed"] != true ||
		asMap(pc["district_totals"].([]any)[col])["suppressed"] != true || cwNum(pc["threshold"]) != 5 {
		t.Errorf("partner counts: %s", pretty(pc))
	}
	if z := cell(pc, 1, col); z["suppressed"] != false || cwNum(z["count"]) != 0 {
		t.Errorf("a zero is shown as zero: %s", pretty(z))
	}
	if c := h.must(200, "analyst", "GET", "/api/v1/disruptions/counts?from=2021-03-02", nil); cwNum(asMap(c["total"])["count"]) != 1 {
		t.Errorf("counts from 2 March: %s", pretty(c["total"]))
	}
	// A person-only action has no place to measure around.
	if r := h.do("police", "GET", path("/api/v1/disruptions", id(cawn))+"/impact", nil); r.Status != 400 {
		t.Errorf("impact of a CAWN without a place: %d", r.Status)
	}
	// Updates and deletes: police and analysts.
	up := h.must(200, "police", "PUT", path("/api/v1/disruptions", id(cawn)), map[string]any{"kind": "cawn", "person_id": aoc,
		"applied_on": "2021-03-01", "outcome": "breached", "outcome_notes": "Seen with the child on 20 March", "lead_agency": "Cumbria Police"})
	if up["outcome"] != "breached" {
		t.Errorf("updated: %s", pretty(up))
	}
	h.must(403, "district", "DELETE", path("/api/v1/disruptions", id(hotelReq)), nil)
	h.must(204, "analyst", "DELETE", path("/api/v1/disruptions", id(hotelReq)), nil)
	h.must(404, "police", "GET", path("/api/v1/disruptions", id(hotelReq)), nil)
}
