package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel/report"
)

// missingWorld records, through the API, three young people, places, a
// peer group, links and missing episodes in January 2021 (winter: London
// time is UTC), as worked out by hand in the comments.
type missingWorld struct {
	a, b, k, adult, bus, flat, park, group int64
}

func newMissingWorld(h *harness) missingWorld {
	var w missingWorld
	w.a = id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-A", "E07000028")))
	w.b = id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-B", "E07000028")))
	w.k = id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-K", "E07000031")))
	w.adult = id(h.must(201, "police", "POST", "/api/v1/people", map[string]any{"kind": "adult_of_concern", "pseudonym": "AOC-1", "district": "E07000028"}))
	w.bus = id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Carlisle bus station", "kind": "bus_station", "geometry": carlisle}))
	w.flat = id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Flat 9, Botchergate", "kind": "house",
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{-2.9300, 54.8900}}}))
	w.park = id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Kendal park", "kind": "park", "geometry": kendal}))
	w.group = id(h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": "Botchergate lads", "district": "E07000028"}))
	episode := func(child, lastSeen int64, from, foundAt string, foundPlace int64, rhi string) {
		body := map[string]any{"kind": "missing_episode", "from": from, "place_id": lastSeen, "grade": "2BP",
			"source_agency": "Cumbria Constabulary", "people": []int64{child}}
		if foundAt != "" {
			body["found_at"], body["found_place_id"] = foundAt, foundPlace
		}
		if rhi != "" {
			body["rhi_at"] = rhi
		}
		e := h.must(201, "analyst", "POST", "/api/v1/events", body)
		// The recording flow keeps what a missing episode needs.
		if foundAt != "" && (e["found_at"] == nil || int64(e["found_place_id"].(float64)) != foundPlace) {
			h.t.Fatalf("episode recorded without where and when found: %v", e)
		}
		if rhi != "" && e["rhi_at"] == nil {
			h.t.Fatalf("episode recorded without its interview: %v", e)
		}
	}
	// 1: A, found at the flat 6 h later, interviewed 69 h after: within.
	episode(w.a, w.bus, "2021-01-05T20:00:00Z", "2021-01-06T02:00:00Z", w.flat, "2021-01-08T23:00:00Z")
	// 2: A, interviewed exactly 72 h after being found: within.
	episode(w.a, w.bus, "2021-01-10T21:00:00Z", "2021-01-11T01:00:00Z", w.flat, "2021-01-14T01:00:00Z")
	// 3: B, interviewed 72 h 1 min after: not within.
	episode(w.b, w.bus, "2021-01-20T22:00:00Z", "2021-01-21T03:00:00Z", w.bus, "2021-01-24T03:01:00Z")
	// 4: B, found late on 31 January, no interview yet: not within;
	// outstanding on 31 January.
	episode(w.b, w.bus, "2021-01-30T22:00:00Z", "2021-01-31T23:30:00Z", w.bus, "")
	// 5: A, missing on 31 January and not found yet.
	episode(w.a, w.bus, "2021-01-31T23:00:00Z", "", 0, "")
	// 6: K in Kendal: within.
	episode(w.k, w.park, "2021-01-15T20:00:00Z", "2021-01-16T01:00:00Z", w.park, "2021-01-17T10:00:00Z")
	// 7: A, reported on 31 December (not in January's episodes), found on
	// 1 January at the flat (in January's interviews), interviewed the next
	// day: within.
	episode(w.a, w.bus, "2020-12-31T23:30:00Z", "2021-01-01T01:00:00Z", w.flat, "2021-01-02T09:00:00Z")

	link := func(role, kind string, src, dst int64, lastSeen, review string) {
		h.must(201, role, "POST", "/api/v1/links", map[string]any{"kind": kind, "source_id": src, "target_id": dst, "grade": "2BP",
			"source_agency": "Police", "first_seen": "2020-06-01", "last_seen": lastSeen, "review_date": review})
	}
	// A and B share the bus station and the group (two contexts: a
	// network); K frequents the park and, long ago (last seen 2019, outside
	// the twelve months), the bus station: not in it.
	link("analyst", "frequents", w.a, w.bus, "2021-01-15", "2021-01-20") // due for review on 31 January
	link("analyst", "frequents", w.b, w.bus, "2021-01-15", "2030-01-01")
	link("analyst", "member_of", w.b, w.group, "2021-01-15", "2030-01-01")
	link("analyst", "member_of", w.a, w.group, "2021-01-15", "2030-01-01")
	// C (no category) shares the bus station only with them: one context
	// in common does not make C one of the network.
	c := id(h.must(201, "analyst", "POST", "/api/v1/people", map[string]any{"kind": "young_person", "pseudonym": "YP-C", "district": "E07000028"}))
	link("analyst", "frequents", c, w.bus, "2021-01-15", "2030-01-01")
	link("analyst", "frequents", w.k, w.park, "2021-01-15", "2030-01-01")
	h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": "frequents", "source_id": w.k, "target_id": w.bus, "grade": "2BP",
		"source_agency": "Police", "first_seen": "2018-06-01", "last_seen": "2019-01-01", "review_date": "2030-01-01"})
	link("police", "linked_to", w.adult, w.bus, "2021-01-15", "2021-01-01") // an adult, due for review
	return w
}

type missingJSON struct {
	Columns    []report.Column       `json:"columns"`
	Rows       []report.Row          `json:"rows"`
	TopFoundAt [][]report.FoundPlace `json:"top_found_at"`
	Disclosure report.Disclosure     `json:"disclosure"`
}

func (m missingJSON) figure(row, col string) report.Figure {
	j := slices.IndexFunc(m.Columns, func(c report.Column) bool { return c.Code == col })
	for _, r := range m.Rows {
		if r.Code == row && j >= 0 {
			return r.Values[j]
		}
	}
	return report.Figure{Count: -999}
}

func TestMissingEpisodesReport(t *testing.T) {
	h := newHarness(t)
	w := newMissingWorld(h)
	const jan = "/api/v1/reports/missing?from=2021-01-01&to=2021-01-31"
	var m missingJSON
	if err := json.Unmarshal(h.must2(200, "analyst", jan).Body, &m); err != nil {
		t.Fatal(err)
	}
	// Worked by hand from the episodes above.
	want := map[string]map[string]string{
		"E07000028": {"episodes": "5", "children": "2", "repeat_missing_children": "2", "episodes_found": "5", "rhi_within_72h": "3",
			"rhi_within_72h_percent": "60.0%"},
		"E07000031": {"episodes": "1", "children": "1", "repeat_missing_children": "0", "episodes_found": "1", "rhi_within_72h": "1",
			"rhi_within_72h_percent": "100.0%"},
		"E07000026": {"episodes": "0", "children": "0", "episodes_found": "0", "rhi_within_72h_percent": "-"},
		report.AreaCode: {"episodes": "6", "children": "3", "repeat_missing_children": "2", "episodes_found": "6", "rhi_within_72h": "4",
			"rhi_within_72h_percent": "66.7%"},
	}
	for col, rows := range want {
		for row, v := range rows {
			if got := m.figure(row, col).String(); got != v {
				t.Errorf("%s %s: %s, want %s", col, row, got, v)
			}
		}
	}
	car := slices.IndexFunc(m.Columns, func(c report.Column) bool { return c.Code == "E07000028" })
	top := m.TopFoundAt[car]
	if len(top) != 2 || top[0].Place.ID != w.flat || top[0].Place.Label != "Flat 9, Botchergate" || top[0].Episodes.Count != 3 ||
		top[0].Children.Count != 1 || top[1].Place.ID != w.bus || top[1].Episodes.Count != 2 {
		t.Errorf("Carlisle's found-at places: %+v", top)
	}
	// One district only.
	var one missingJSON
	_ = json.Unmarshal(h.must2(200, "district", jan+"&district=E07000031").Body, &one)
	if len(one.Columns) != 1 || one.figure("episodes", "E07000031").String() != "c" {
		t.Errorf("South Lakeland alone for Carlisle's team: %+v", one.Rows)
	}
	// A partner sees no small count, and no sensitive place by name.
	r := h.must2(200, "partner", jan)
	if strings.Contains(string(r.Body), "Botchergate") {
		t.Errorf("a partner sees the flat's name: %s", r.Body)
	}
	var p missingJSON
	_ = json.Unmarshal(r.Body, &p)
	for _, row := range p.Rows {
		for j, v := range row.Values {
			if !v.Suppressed && !v.IsPercent && v.Count > 0 && v.Count < 5 {
				t.Errorf("partner sees %s/%s = %d", row.Code, p.Columns[j].Code, v.Count)
			}
		}
	}
	if got := p.figure("episodes", "E07000031"); !got.Suppressed {
		t.Errorf("partner: South Lakeland episodes %s", got)
	}
	// The South Lakeland episode cannot be worked out from the row: some
	// other figure of it is hidden too.
	hidden := 0
	for j := range p.Columns {
		if p.figure("episodes", p.Columns[j].Code).Suppressed {
			hidden++
		}
	}
	if hidden < 2 {
		t.Errorf("partner episodes row has %d hidden figure(s): %+v", hidden, p.Rows[0])
	}
	// CSV and HTML.
	rows := csvTable(t, h.must2(200, "analyst", jan+"&format=csv"))
	if rows[0][1] != "Cumbria" || rows[1][0] != "Missing episodes" || rows[1][1] != "6" {
		t.Errorf("CSV: %q", rows[:2])
	}
	tables := htmlTables(t, h.must2(200, "analyst", jan+"&format=html"))
	if len(tables) < 2 || tables[0][1][1] != "6" {
		t.Errorf("HTML tables: %q", tables)
	}
}

type maceJSON struct {
	District       report.Column       `json:"district"`
	Picture        []report.MACEFigure `json:"current_picture"`
	TopPlaces      []report.MACEPlace  `json:"top_places"`
	Networks       []report.MACENetwork
	NetworksSource string `json:"networks_source"`
	Overdue        struct {
		Count  report.Figure `json:"count"`
		Listed bool          `json:"listed"`
		Items  []struct {
			PersonID  int64  `json:"person_id"`
			Pseudonym string `json:"pseudonym"`
		} `json:"items"`
	} `json:"overdue_risk_assessments"`
	RHI struct {
		Count  report.Figure `json:"count"`
		Listed bool          `json:"listed"`
		Items  []struct {
			EventID  int64 `json:"event_id"`
			Children []struct {
				ID    int64  `json:"id"`
				Label string `json:"label"`
			} `json:"children"`
		} `json:"items"`
	} `json:"outstanding_return_home_interviews"`
	Links struct {
		Count  report.Figure `json:"count"`
		Listed bool          `json:"listed"`
		Items  []struct {
			LinkID int64 `json:"link_id"`
		} `json:"items"`
	} `json:"links_due_for_review"`
}

func TestMACEPack(t *testing.T) {
	h := newHarness(t)
	w := newMissingWorld(h)
	const path = "/api/v1/reports/mace?district=E07000028&as_of=2021-01-31"
	get := func(role string) maceJSON {
		t.Helper()
		var m maceJSON
		if err := json.Unmarshal(h.must2(200, role, path).Body, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := get("analyst")
	if m.District.Code != "E07000028" || m.District.Label != "Carlisle" {
		t.Errorf("district %+v", m.District)
	}
	// Carlisle's column: A and B, cse1 since February 2020, CP, never
	// assessed; a month before, the same.
	fig := map[string]report.MACEFigure{}
	for _, f := range m.Picture {
		fig[f.Code] = f
	}
	if f := fig["cse1"]; f.Value.String() != "2" || f.Previous.String() != "2" || f.Change.String() != "0" {
		t.Errorf("cse1 %s %s %s", f.Value, f.Previous, f.Change)
	}
	if f := fig[report.RowUpToDatePercent]; f.Value.String() != "0.0%" || f.Change.String() != "0.0 pp" {
		t.Errorf("percent %s change %s", f.Value, f.Change)
	}
	// Top places: the bus station (events 1-5 and 7 there: 6, two young
	// people), then the flat (found there: 1, 2, 7).
	if len(m.TopPlaces) < 2 || m.TopPlaces[0].Place.ID != w.bus || m.TopPlaces[0].Events != 6 || m.TopPlaces[0].YoungPeople.Count != 2 ||
		m.TopPlaces[0].Links != 4 || m.TopPlaces[1].Place.ID != w.flat || m.TopPlaces[1].Events != 3 {
		t.Errorf("top places %+v", m.TopPlaces)
	}
	if m.TopPlaces[0].EventsByKind["missing_episode"] != 6 || m.TopPlaces[0].Grades["2B"] != 10 {
		t.Errorf("why the bus station: %+v %+v", m.TopPlaces[0].EventsByKind, m.TopPlaces[0].Grades)
	}
	// One network: A and B through the bus station and the group; K alone
	// is not a network, and K's 2019 link does not count; nor is C. The bus
	// station has four links (A, B, C, the adult) and ten events and links
	// graded 2B (six episodes, four links).
	if len(m.Networks) != 1 {
		t.Fatalf("networks %+v", m.Networks)
	}
	n := m.Networks[0]
	if n.YoungPeople.Count != 2 || n.Places != 1 || n.Groups != 1 || n.Links != 4 || !slices.Equal(n.Districts, []string{"E07000028"}) ||
		n.AdultsOfConcern == nil || *n.AdultsOfConcern != 1 || !strings.Contains(m.NetworksSource, "stand-in") {
		t.Errorf("network %+v (%s)", n, m.NetworksSource)
	}
	// Both children never assessed: overdue, listed.
	if m.Overdue.Count.String() != "2" || len(m.Overdue.Items) != 2 {
		t.Errorf("overdue %+v", m.Overdue)
	}
	// Episode 4 only is outstanding.
	if m.RHI.Count.Count != 1 || len(m.RHI.Items) != 1 || m.RHI.Items[0].Children[0].ID != w.b {
		t.Errorf("outstanding interviews %+v", m.RHI)
	}
	// A's link to the bus station and the adult's.
	if m.Links.Count.Count != 2 || len(m.Links.Items) != 2 {
		t.Errorf("links due %+v", m.Links)
	}
	// The read is audited with everyone listed.
	var ids []int64
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT person_ids FROM audit_log WHERE route = 'GET /api/v1/reports/mace'
		AND role = 'analyst' ORDER BY seq DESC LIMIT 1`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	if want := []int64{w.a, w.b, w.adult}; !slices.Equal(ids, want) {
		t.Errorf("audited people %v, want %v", ids, want)
	}

	// Carlisle's team: no adults of concern anywhere.
	d := get("district")
	if d.Networks[0].AdultsOfConcern != nil || d.Links.Count.Count != 1 || len(d.Links.Items) != 1 || d.TopPlaces[0].Links != 3 {
		t.Errorf("district pack shows adults: %+v %+v %+v", d.Networks[0], d.Links, d.TopPlaces[0])
	}
	if strings.Contains(string(h.must2(200, "district", path).Body), "AOC-") {
		t.Error("district pack names an adult of concern")
	}

	// A partner: aggregates only; small counts suppressed; no one named.
	r := h.must2(200, "partner", path)
	for _, banned := range []string{"YP-", "AOC-", "Botchergate", "pseudonym"} {
		if strings.Contains(string(r.Body), banned) {
			t.Errorf("partner pack holds %q", banned)
		}
	}
	var p maceJSON
	_ = json.Unmarshal(r.Body, &p)
	if p.Overdue.Listed || p.RHI.Listed || p.Links.Listed || !p.Overdue.Count.Suppressed || !p.RHI.Count.Suppressed ||
		!p.TopPlaces[0].YoungPeople.Suppressed || !p.Networks[0].YoungPeople.Suppressed {
		t.Errorf("partner pack: %+v", p)
	}
	for _, c := range p.Networks[0].Contexts {
		if c.Type != "place" {
			t.Errorf("partner sees a %s in a network: %+v", c.Type, c)
		}
	}
	var n2 int
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE role = 'partner'`).Scan(&n2)
	if n2 != 0 {
		t.Errorf("partner's aggregate pack audited %d times", n2)
	}

	// The printable agenda.
	hr := h.must2(200, "analyst", path+"&format=html")
	tables := htmlTables(t, hr)
	if len(tables) != 6 {
		t.Errorf("%d tables in the pack, want 6", len(tables))
	}
	for _, s := range []string{"OFFICIAL-SENSITIVE", "YP-A", "Carlisle bus station", "Network 1", fmt.Sprint(w.b)} {
		if !strings.Contains(string(hr.Body), s) {
			t.Errorf("pack HTML lacks %q", s)
		}
	}
	var action string
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&action)
	if action != "export" {
		t.Errorf("HTML pack audited as %q, want export", action)
	}
	// The whole area, as the central MACE would read it.
	h.must2(200, "police", "/api/v1/reports/mace?as_of=2021-01-31")
}
