package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
)

var (
	carlisle = map[string]any{"type": "Point", "coordinates": []float64{-2.9350, 54.8920}}
	kendal   = map[string]any{"type": "Point", "coordinates": []float64{-2.7450, 54.3280}}
)

func youngPerson(pseudonym, district string) map[string]any {
	return map[string]any{"kind": "young_person", "pseudonym": pseudonym, "district": district, "age_band": "13-15",
		"case_ref":   "CASE-" + pseudonym,
		"statuses":   []map[string]any{{"status": "early_help", "from": "2020-01-01", "to": "2020-06-01"}, {"status": "cp", "from": "2020-06-01"}},
		"categories": []map[string]any{{"category": "cse1", "from": "2020-02-01"}}}
}

func TestPeopleCRUDAndHistory(t *testing.T) {
	h := newHarness(t)
	p := h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-1", "E07000028"))
	pid := id(p)
	if _, leaked := p["case_ref"]; leaked {
		t.Fatal("case_ref must never be returned")
	}
	// History: status as of a past date, and today.
	got := h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/people/%d?as_of=2020-03-15", pid), nil)
	if got["status"] != "early_help" || got["category"] != "cse1" {
		t.Fatalf("as of 2020-03-15: status %v category %v, want early_help cse1", got["status"], got["category"])
	}
	got = h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/people/%d?as_of=2020-06-01", pid), nil)
	if got["status"] != "cp" {
		t.Fatalf("as of 2020-06-01 (the day of the change) status %v, want cp", got["status"])
	}
	got = h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/people/%d?as_of=2020-01-15", pid), nil)
	if got["category"] != nil {
		t.Fatalf("as of 2020-01-15 category %v, want none (it starts 2020-02-01)", got["category"])
	}
	// A status change closes the open period.
	got = h.must(200, "analyst", "POST", fmt.Sprintf("/api/v1/people/%d/status", pid), map[string]any{"value": "cla", "from": "2021-03-01"})
	if got["status"] != "cla" || len(got["statuses"].([]any)) != 3 {
		t.Fatalf("after change: %v", got)
	}
	got = h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/people/%d?as_of=2021-02-28", pid), nil)
	if got["status"] != "cp" {
		t.Fatalf("the day before the change status %v, want cp", got["status"])
	}
	// Update and list, with a filter on the category in force on a date.
	in := youngPerson("YP-1b", "E07000028")
	in["age_band"] = "16-17"
	got = h.must(200, "analyst", "PUT", fmt.Sprintf("/api/v1/people/%d", pid), in)
	if got["pseudonym"] != "YP-1b" || got["age_band"] != "16-17" {
		t.Fatalf("update: %v", got)
	}
	h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-2", "E07000031"))
	l := h.must(200, "analyst", "GET", "/api/v1/people?district=E07000028&category=cse1&as_of=2020-12-31", nil)
	if items := l["items"].([]any); len(items) != 1 || items[0].(map[string]any)["pseudonym"] != "YP-1b" {
		t.Fatalf("filtered list: %v", l)
	}
	// Lookup by case reference goes through its keyed hash.
	l = h.must(200, "analyst", "GET", "/api/v1/people?case_ref=CASE-YP-2", nil)
	if items := l["items"].([]any); len(items) != 1 || items[0].(map[string]any)["pseudonym"] != "YP-2" {
		t.Fatalf("case_ref lookup: %v", l)
	}
	h.must(204, "analyst", "DELETE", fmt.Sprintf("/api/v1/people/%d", pid), nil)
	h.must(404, "analyst", "GET", fmt.Sprintf("/api/v1/people/%d", pid), nil)
}

func TestPaginationIsStable(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 7; i++ {
		h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": fmt.Sprintf("Group %d", i)})
	}
	seen := map[float64]bool{}
	next := "/api/v1/groups?limit=3"
	pages := 0
	for next != "" {
		r := h.must(200, "analyst", "GET", next, nil)
		for _, it := range r["items"].([]any) {
			idv := it.(map[string]any)["id"].(float64)
			if seen[idv] {
				t.Fatalf("group %v returned twice", idv)
			}
			seen[idv] = true
		}
		next = ""
		if a, ok := r["next_after"]; ok {
			next = fmt.Sprintf("/api/v1/groups?limit=3&after=%v", a)
		}
		pages++
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("saw %d groups over %d pages, want 7 over 3", len(seen), pages)
	}
}

func TestContextsLinksEventsCRUD(t *testing.T) {
	h := newHarness(t)
	yp := id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-1", "E07000028")))
	aoc := id(h.must(201, "police", "POST", "/api/v1/people", map[string]any{"kind": "adult_of_concern", "pseudonym": "AOC-1", "district": "E07000028"}))
	park := h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Bitts Park", "kind": "park",
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{-2.945, 54.895}, {-2.940, 54.895}, {-2.940, 54.898}, {-2.945, 54.898}, {-2.945, 54.895}}}}})
	if park["district"] != "E07000028" {
		t.Fatalf("park district %v, want Carlisle E07000028", park["district"])
	}
	parkID := id(park)
	grp := id(h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": "Castle Street lot", "district": "E07000028"}))
	spc := id(h.must(201, "analyst", "POST", "/api/v1/spaces", map[string]any{"name": "A Snapchat group", "platform": "snapchat", "kind": "group_chat"}))

	link := h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": "frequents", "source_id": yp, "target_id": parkID,
		"grade": "2B-P", "confirmed": true, "source_agency": "Youth Service", "first_seen": "2020-05-01", "review_date": "2021-05-01"})
	if link["grade"] != "2BP" || link["recorded_by"] != "test analyst" || link["target_type"] != "place" {
		t.Fatalf("link: %v", link)
	}
	h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": "member_of", "source_id": yp, "target_id": grp,
		"grade": "1AP", "source_agency": "Police", "first_seen": "2020-05-01", "review_date": "2021-05-01"})
	h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": "present_in", "source_id": yp, "target_id": spc,
		"grade": "2CP", "source_agency": "School", "first_seen": "2020-05-01", "review_date": "2021-05-01"})
	h.must(201, "police", "POST", "/api/v1/links", map[string]any{"kind": "linked_to", "source_id": aoc, "target_id": parkID,
		"grade": "2CC", "source_agency": "Police", "first_seen": "2020-05-01", "review_date": "2021-05-01"})
	// Victims and adults are kept apart: an adult cannot "frequent" as a young person does.
	r := h.do("analyst", "POST", "/api/v1/links", map[string]any{"kind": "frequents", "source_id": aoc, "target_id": parkID,
		"grade": "2CP", "source_agency": "Police", "first_seen": "2020-05-01", "review_date": "2021-05-01"})
	if r.Status != 400 {
		t.Fatalf("adult frequents: %d %s", r.Status, r.Body)
	}
	ls := h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/links?node=%d", parkID), nil)
	if n := len(ls["items"].([]any)); n != 2 {
		t.Fatalf("links at the park: %d, want 2", n)
	}
	ls = h.must(200, "analyst", "GET", "/api/v1/links?min_grade=1A", nil)
	if n := len(ls["items"].([]any)); n != 1 {
		t.Fatalf("links graded 1A or better: %d, want 1", n)
	}
	lid := id(link)
	upd := h.must(200, "analyst", "PUT", path("/api/v1/links", lid), map[string]any{"kind": "frequents", "source_id": yp, "target_id": parkID,
		"grade": "1AP", "confirmed": true, "source_agency": "Youth Service", "first_seen": "2020-05-01", "last_seen": "2020-09-01", "review_date": "2021-05-01"})
	if upd["grade"] != "1AP" || upd["last_seen"] != "2020-09-01" {
		t.Fatalf("updated link: %v", upd)
	}

	ev := h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "missing_episode", "from": "2020-11-06T22:00:00Z",
		"to": "2020-11-07T02:00:00Z", "place_id": parkID, "category": "cse1", "severity": 3, "grade": "2BP",
		"source_agency": "Police", "people": []int64{yp}, "groups": []int64{grp}, "found_place_id": parkID,
		"found_at": "2020-11-07T09:00:00Z", "rhi_at": "2020-11-08T10:00:00Z"})
	if ev["district"] != "E07000028" || len(ev["people"].([]any)) != 1 {
		t.Fatalf("event: %v", ev)
	}
	eid := id(ev)
	es := h.must(200, "analyst", "GET", "/api/v1/events?from=2020-11-07&to=2020-11-07", nil)
	if n := len(es["items"].([]any)); n != 1 {
		t.Fatalf("events overlapping 2020-11-07: %d, want 1 (the window crosses midnight)", n)
	}
	es = h.must(200, "analyst", "GET", "/api/v1/events?from=2020-11-08", nil)
	if n := len(es["items"].([]any)); n != 0 {
		t.Fatalf("events from 2020-11-08: %d, want 0", n)
	}
	moved := h.must(200, "analyst", "PUT", path("/api/v1/events", eid), map[string]any{"kind": "sighting", "from": "2020-11-06T22:00:00Z",
		"geometry": kendal, "grade": "2BP", "source_agency": "Police", "people": []int64{yp}})
	if moved["district"] != "E07000031" {
		t.Fatalf("moved event district %v, want South Lakeland", moved["district"])
	}
	as := h.must(201, "analyst", "POST", "/api/v1/assessments", map[string]any{"person_id": yp, "completed_on": "2020-12-10", "risk_level": "medium", "agency": "Children's Social Care"})
	h.must(200, "analyst", "PUT", path("/api/v1/assessments", id(as)), map[string]any{"person_id": yp, "completed_on": "2020-12-11", "agency": "Children's Social Care"})
	al := h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/assessments?person_id=%d", yp), nil)
	if n := len(al["items"].([]any)); n != 1 || al["items"].([]any)[0].(map[string]any)["completed_on"] != "2020-12-11" {
		t.Fatalf("assessments: %v", al)
	}
	h.must(200, "analyst", "PUT", path("/api/v1/groups", grp), map[string]any{"name": "Castle Street group"})
	h.must(200, "analyst", "PUT", path("/api/v1/spaces", spc), map[string]any{"name": "A Discord", "platform": "discord", "kind": "server"})
	h.must(200, "analyst", "GET", path("/api/v1/spaces", spc), nil)
	h.must(200, "analyst", "GET", path("/api/v1/groups", grp), nil)

	h.must(204, "analyst", "DELETE", path("/api/v1/assessments", id(as)), nil)
	// Erasing the young person takes their links and event participation
	// with them, in one go.
	h.must(204, "analyst", "DELETE", path("/api/v1/people", yp), nil)
	ev2 := h.must(200, "analyst", "GET", path("/api/v1/events", eid), nil)
	if len(ev2["people"].([]any)) != 0 {
		t.Fatalf("event still lists the erased person: %v", ev2["people"])
	}
	ls = h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/links?node=%d", parkID), nil)
	if n := len(ls["items"].([]any)); n != 1 {
		t.Fatalf("links at the park after erasure: %d, want 1 (the adult's)", n)
	}
	h.must(204, "analyst", "DELETE", path("/api/v1/events", eid), nil)
	h.must(204, "analyst", "DELETE", path("/api/v1/groups", grp), nil)
	h.must(204, "analyst", "DELETE", path("/api/v1/spaces", spc), nil)
	h.must(204, "analyst", "DELETE", path("/api/v1/places", parkID), nil)
	h.must(404, "analyst", "GET", path("/api/v1/places", parkID), nil)
	h.must(404, "analyst", "GET", path("/api/v1/links", lid), nil)
}

func TestDistrictAssignment(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name     string
		lon, lat float64
		want     any
	}{
		{"Carlisle centre", -2.9350, 54.8920, "E07000028"},
		{"Kendal", -2.7450, 54.3280, "E07000031"},
		// Braystones station lies 19 m outside the coast-clipped polygons.
		{"Braystones station, 19 m off the coast", -3.543406, 54.43956, "E07000029"},
		// Grange-over-Sands station lies 16 m outside.
		{"Grange-over-Sands station, 16 m off", -2.902752, 54.195282, "E07000031"},
		// A point well out in the Irish Sea belongs to no district.
		{"Irish Sea", -3.9, 54.5, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": c.name, "kind": "other",
				"geometry": map[string]any{"type": "Point", "coordinates": []float64{c.lon, c.lat}}})
			if p["district"] != c.want {
				t.Fatalf("district %v, want %v", p["district"], c.want)
			}
		})
	}
}

func TestSensitivePlacesAreGeneralised(t *testing.T) {
	h := newHarness(t)
	home := h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "12 Example Road", "kind": "childrens_home", "geometry": carlisle})
	if home["sensitive"] != true || home["name"] != "12 Example Road" {
		t.Fatalf("analyst sees: %v", home)
	}
	hid := id(home)
	for _, role := range []string{"partner", "admin"} {
		p := h.must(200, role, "GET", path("/api/v1/places", hid), nil)
		if p["generalised"] != true || p["name"] == "12 Example Road" {
			t.Fatalf("%s sees the sensitive place exactly: %v", role, p)
		}
		c := p["geometry"].(map[string]any)["coordinates"].([]any)
		if c[0].(float64) == -2.935 && c[1].(float64) == 54.892 {
			t.Fatalf("%s sees exact coordinates", role)
		}
	}
	// A district team outside Carlisle does not see it exactly either.
	h.tokens["district-kendal"] = h.token("district", "E07000031")
	p := h.must(200, "district-kendal", "GET", path("/api/v1/places", hid), nil)
	if p["generalised"] != true {
		t.Fatalf("out-of-district team sees the home exactly: %v", p)
	}
	p = h.must(200, "district", "GET", path("/api/v1/places", hid), nil)
	if p["generalised"] == true {
		t.Fatalf("the Carlisle team should see its own district's home exactly: %v", p)
	}
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		name, role string
		want       int
	}{
		{"no token", "", 401},
		{"unknown token", "cm_nottherealtoken", 401},
		{"partner on people", "partner", 403},
		{"admin on people", "admin", 403},
		{"analyst", "analyst", 200},
	} {
		r := h.do(c.role, "GET", "/api/v1/people", nil)
		if r.Status != c.want {
			t.Errorf("%s: status %d, want %d", c.name, r.Status, c.want)
		}
		if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: content type %q", c.name, r.Header.Get("Content-Type"))
		}
	}
	r := h.do("", "GET", "/healthz", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("healthz %d", r.Status)
	}
	r = h.do("", "GET", "/readyz", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("readyz %d %s", r.Status, r.Body)
	}
}
