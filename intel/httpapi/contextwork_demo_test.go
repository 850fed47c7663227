package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel/demo/demotest"
)

// TestContextWorkOnDemo runs the agenda and a missing-person profile on
// the Cumbria demo of 31 December 2020.
func TestContextWorkOnDemo(t *testing.T) {
	h := harnessOn(t, demotest.New(t))
	ctx := context.Background()
	a := h.must(200, "analyst", "GET", "/api/v1/conferences/agenda?as_of=2020-12-31", nil)

	// Rising places obey the rule, and the first one's recent count agrees
	// with a count written independently of the service's query (events
	// whose place or found-at place it is, by London date, 4 weeks to 31
	// December inclusive: 4 December on).
	rising := items(a, "rising")
	if len(rising) == 0 {
		t.Fatal("no rising places in the demo's December 2020")
	}
	for _, r := range rising {
		rc, pc := cwNum(r["recent_events"]), cwNum(r["previous_events"])
		if rc < 3 || rc < 1.5*pc {
			t.Errorf("not rising by the rule: %s", pretty(r))
		}
	}
	first := int64(cwNum(asMap(rising[0]["context"])["id"]))
	var n int
	err := h.db.Pool.QueryRow(ctx, `SELECT count(*) FROM events
		WHERE (place_id = $1 OR found_place_id = $1)
		  AND kind IN ('missing_episode', 'sighting', 'incident', 'intelligence_report')
		  AND timezone('Europe/London', starts_at)::date BETWEEN '2020-12-04' AND '2020-12-31'`, first).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if float64(n) != cwNum(rising[0]["recent_events"]) {
		t.Errorf("place %d: %v recent events, an independent count gives %d", first, rising[0]["recent_events"], n)
	}

	// The stand-in for networks spanning districts finds the demo's three
	// networks built across two districts along a railway.
	cross := items(a, "cross_district")
	for _, pair := range [][2]string{{"E07000028", "E07000030"}, {"E07000026", "E07000029"}, {"E07000027", "E07000031"}} {
		found := false
		for _, x := range cross {
			var ds []string
			for _, d := range x["districts"].([]any) {
				ds = append(ds, d.(string))
			}
			if len(ds) < 2 || !slices.IsSorted(ds) {
				t.Errorf("cross-district item: %s", pretty(x))
			}
			found = found || (slices.Contains(ds, pair[0]) && slices.Contains(ds, pair[1]))
		}
		if !found {
			t.Errorf("no context shared by young people of %v", pair)
		}
	}
	// Partners: the same agenda with no group or space names.
	pa := h.must(200, "partner", "GET", "/api/v1/conferences/agenda?as_of=2020-12-31", nil)
	for _, x := range items(pa, "cross_district") {
		if c := asMap(x["context"]); c["type"] != "place" && c["name"] != nil {
			t.Errorf("partner sees a %s's name: %s", c["type"], pretty(c))
		}
	}

	// The profile of the child with the most missing episodes in 2020.
	var child int64
	err = h.db.Pool.QueryRow(ctx, `SELECT ep.person_id FROM events e JOIN event_people ep ON ep.event_id = e.id
		JOIN people p ON p.id = ep.person_id AND p.kind = 'young_person'
		WHERE e.kind = 'missing_episode' AND e.starts_at >= '2020-01-01' AND e.starts_at < '2021-01-01'
		GROUP BY ep.person_id ORDER BY count(*) DESC, ep.person_id LIMIT 1`).Scan(&child)
	if err != nil {
		t.Fatal(err)
	}
	prof := fmt.Sprintf("/api/v1/people/%d/missing-profile?as_of=2020-12-31", child)
	p := h.must(200, "police", "GET", prof, nil)
	if len(items(p, "missing_episodes")) == 0 || len(items(p, "places")) == 0 || len(items(p, "associates")) == 0 {
		t.Errorf("demo profile: %d episodes, %d places, %d associates", len(items(p, "missing_episodes")),
			len(items(p, "places")), len(items(p, "associates")))
	}
	page := h.do("police", "GET", prof+"&format=html", nil)
	if page.Status != 200 || !strings.Contains(string(page.Body), "<svg") {
		t.Errorf("demo profile page: %d", page.Status)
	}
	// No safety marks in the demo: an empty, valid layer.
	fs := h.must(200, "partner", "GET", "/api/v1/maps/felt-safety", nil)
	if fs["type"] != "FeatureCollection" || len(fs["features"].([]any)) != 0 {
		t.Errorf("felt-safety on the demo: %s", pretty(fs))
	}
}
