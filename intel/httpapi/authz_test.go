package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// access says who may use a route: the roles that get a success; every
// other role gets 403. No token, an unknown, a revoked and an expired token
// get 401 everywhere.
var (
	everyone     = []string{"admin", "analyst", "police", "district", "partner"}
	personLevel  = []string{"analyst", "police", "district"}
	writers      = []string{"analyst", "police", "district"}
	adminOnly    = []string{"admin"}
	routeAccess  = map[string][]string{}
	routeAllowed = func(method, route string) []string { return routeAccess[method+" "+route] }
	// fixtureID gives the :id of a resource that fixtures does not create
	// (such as a network, whose id is a string); set it in your own file.
	fixtureID = map[string]func(h *harness, fx map[string]int64) string{}
	// matrixRequests says how to call a route whose path or body the
	// generic fixtures cannot make: a test file's init() adds its routes'
	// ("GET /api/v1/things/:id") request makers, which may create records
	// of their own (as an analyst or police) beside the fixtures.
	matrixRequests = map[string]func(h *harness, fx map[string]int64, tag string) (path string, body any){}
)

func init() {
	set := func(roles []string, routes ...string) {
		for _, r := range routes {
			routeAccess[r] = roles
		}
	}
	set(everyone, "GET /api/v1/me", "GET /api/v1/districts", "GET /api/v1/places", "GET /api/v1/places/:id")
	set(adminOnly, "GET /api/v1/audit")
	set(personLevel, "GET /api/v1/people", "GET /api/v1/people/:id", "GET /api/v1/assessments", "GET /api/v1/assessments/:id",
		"GET /api/v1/links", "GET /api/v1/links/:id", "GET /api/v1/events", "GET /api/v1/events/:id",
		"GET /api/v1/groups", "GET /api/v1/groups/:id", "GET /api/v1/spaces", "GET /api/v1/spaces/:id")
	for _, res := range []string{"people", "assessments", "places", "groups", "spaces", "links", "events"} {
		set(writers, "POST /api/v1/"+res, "PUT /api/v1/"+res+"/:id", "DELETE /api/v1/"+res+"/:id")
	}
	set(writers, "POST /api/v1/people/:id/status", "POST /api/v1/people/:id/category")
}

// fixtures creates, as an analyst, one of everything in Carlisle (the
// district token's own district), and returns the ids by resource.
func fixtures(h *harness, tag string) map[string]int64 {
	yp := id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-"+tag, "E07000028")))
	place := id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Place " + tag, "kind": "park", "geometry": carlisle}))
	return map[string]int64{
		"people": yp, "places": place,
		"groups":      id(h.must(201, "analyst", "POST", "/api/v1/groups", map[string]any{"name": "Group " + tag})),
		"spaces":      id(h.must(201, "analyst", "POST", "/api/v1/spaces", map[string]any{"name": "Space " + tag, "platform": "discord", "kind": "server"})),
		"assessments": id(h.must(201, "analyst", "POST", "/api/v1/assessments", map[string]any{"person_id": yp, "completed_on": "2020-12-01", "agency": "CSC"})),
		"links": id(h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": "frequents", "source_id": yp, "target_id": place,
			"grade": "2BP", "source_agency": "Police", "first_seen": "2020-01-01", "review_date": "2030-01-01"})),
		"events": id(h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "incident", "from": "2020-11-07T02:00:00Z",
			"place_id": place, "grade": "2BP", "source_agency": "Police", "people": []int64{yp}})),
	}
}

// body is a valid body for a write to the resource.
func body(res string, fx map[string]int64, tag string) any {
	switch res {
	case "people":
		return youngPerson("YP-w"+tag, "E07000028")
	case "places":
		return map[string]any{"name": "Place w" + tag, "kind": "shop", "geometry": carlisle}
	case "groups":
		return map[string]any{"name": "Group w" + tag}
	case "spaces":
		return map[string]any{"name": "Space w" + tag, "platform": "snapchat", "kind": "group_chat"}
	case "assessments":
		return map[string]any{"person_id": fx["people"], "completed_on": "2020-12-02", "agency": "CSC"}
	case "links":
		return map[string]any{"kind": "frequents", "source_id": fx["people"], "target_id": fx["places"],
			"grade": "1AP", "source_agency": "Police", "first_seen": "2020-01-01", "review_date": "2030-01-01"}
	case "events":
		return map[string]any{"kind": "sighting", "from": "2020-11-07T02:00:00Z", "place_id": fx["places"], "grade": "2BP",
			"source_agency": "Police", "people": []int64{fx["people"]}}
	}
	return nil
}

// TestAuthorisationMatrix sends every /api/v1 route as every role (and with
// no, unknown, revoked and expired tokens) and checks the status. A route
// missing from routeAccess fails the test, so new routes are born covered.
func TestAuthorisationMatrix(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	past := time.Now().Add(-time.Hour)
	h.tokens["expired"], _, _ = h.db.CreateToken(ctx, "expired", intel.RoleAnalyst, nil, &past)
	secret, rec, err := h.db.CreateToken(ctx, "revoked", intel.RoleAnalyst, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.db.RevokeToken(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	h.tokens["revoked"] = secret
	h.tokens["unknown"] = "cm_" + strings.Repeat("A", 43)

	n := 0
	for _, r := range h.srv.App.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" {
			continue
		}
		route := r.Method + " " + r.Path
		allowed, ok := routeAccess[route]
		if !ok {
			t.Errorf("route %s is not in the authorisation matrix: add it", route)
			continue
		}
		for _, role := range append(slices.Clone(everyone), "", "unknown", "revoked", "expired") {
			n++
			tag := fmt.Sprintf("%d", n)
			fx := fixtures(h, tag)
			res := strings.Split(strings.TrimPrefix(r.Path, "/api/v1/"), "/")[0]
			pid := fmt.Sprint(fx[res])
			if f, ok := fixtureID[res]; ok && strings.Contains(r.Path, ":id") {
				pid = f(h, fx)
			}
			p := strings.Replace(r.Path, ":id", pid, 1)
			var b any
			switch {
			case strings.HasSuffix(r.Path, "/status"):
				b = map[string]any{"value": "cla", "from": "2021-01-01"}
			case strings.HasSuffix(r.Path, "/category"):
				b = map[string]any{"value": "cse2", "from": "2021-01-01"}
			case r.Method == "POST" || r.Method == "PUT":
				b = body(res, fx, tag)
			}
			if rq := matrixRequests[route]; rq != nil {
				p, b = rq(h, fx, tag)
			}
			got := h.do(role, r.Method, p, b)
			want := "403"
			switch {
			case role == "" || role == "unknown" || role == "revoked" || role == "expired":
				want = "401"
			case slices.Contains(allowed, role):
				want = "2xx"
			}
			okStatus := (want == "2xx" && got.Status >= 200 && got.Status < 300) || fmt.Sprint(got.Status) == want
			if !okStatus {
				t.Errorf("%s as %q: status %d, want %s: %s", route, role, got.Status, want, got.Body)
			}
			if got.Status >= 400 && strings.Contains(string(got.Body), "YP-") {
				t.Errorf("%s as %q: a refusal carries data: %s", route, role, got.Body)
			}
		}
	}
	if n == 0 {
		t.Fatal("no routes checked")
	}
}

// TestDistrictScope: a district team reads person-level rows of its own
// districts only; other districts' rows answer 404 by id (no existence
// leak) and are absent from lists.
func TestDistrictScope(t *testing.T) {
	h := newHarness(t)
	mine := id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-CAR", "E07000028")))
	other := id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-KEN", "E07000031")))
	park := id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Kendal park", "kind": "park", "geometry": kendal}))
	otherEvent := id(h.must(201, "analyst", "POST", "/api/v1/events", map[string]any{"kind": "incident", "from": "2020-11-07T02:00:00Z",
		"place_id": park, "grade": "2BP", "source_agency": "Police", "people": []int64{other}}))
	otherLink := id(h.must(201, "analyst", "POST", "/api/v1/links", map[string]any{"kind": "frequents", "source_id": other, "target_id": park,
		"grade": "2BP", "source_agency": "Police", "first_seen": "2020-01-01", "review_date": "2030-01-01"}))
	aoc := id(h.must(201, "police", "POST", "/api/v1/people", map[string]any{"kind": "adult_of_concern", "pseudonym": "AOC-1", "district": "E07000028"}))

	h.must(200, "district", "GET", path("/api/v1/people", mine), nil)
	for _, p := range []string{path("/api/v1/people", other), path("/api/v1/events", otherEvent), path("/api/v1/links", otherLink),
		path("/api/v1/people", aoc)} {
		r := h.do("district", "GET", p, nil)
		if r.Status != 404 {
			t.Errorf("district team GET %s: %d, want 404", p, r.Status)
		}
		if strings.Contains(string(r.Body), "YP-KEN") || strings.Contains(string(r.Body), "AOC-") {
			t.Errorf("out-of-scope data in the body: %s", r.Body)
		}
	}
	for p, banned := range map[string]float64{"/api/v1/people": float64(other), "/api/v1/people?kind=adult_of_concern": float64(aoc),
		"/api/v1/events": float64(otherEvent), "/api/v1/links": float64(otherLink)} {
		r := h.must(200, "district", "GET", p, nil)
		for _, it := range r["items"].([]any) {
			if m := it.(map[string]any); m["id"] == banned {
				t.Errorf("district list %s holds out-of-scope row %v", p, m)
			}
		}
	}
	// Writes out of scope are refused as if the row were absent.
	r := h.do("district", "PUT", path("/api/v1/people", other), youngPerson("YP-KEN", "E07000031"))
	if r.Status != 404 {
		t.Errorf("district PUT out-of-scope person: %d", r.Status)
	}
	r = h.do("district", "DELETE", path("/api/v1/events", otherEvent), nil)
	if r.Status != 404 {
		t.Errorf("district DELETE out-of-scope event: %d", r.Status)
	}
	// Police see adults of concern; analysts too.
	h.must(200, "police", "GET", path("/api/v1/people", aoc), nil)
}
