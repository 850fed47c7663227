package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// snapshotAll is the harness snapshot with context work's tables too.
func (h *harness) snapshotAll() string {
	h.t.Helper()
	var s string
	err := h.db.Pool.QueryRow(context.Background(), `SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
		SELECT 'cc' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM context_cases p), '') AS t
		UNION ALL SELECT 'cw' || coalesce((SELECT string_agg(p::text, ',' ORDER BY case_id, rank) FROM context_case_weights p), '')
		UNION ALL SELECT 'cf' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM conferences p), '')
		UNION ALL SELECT 'cx' || coalesce((SELECT string_agg(p::text, ',' ORDER BY conference_id, position) FROM conference_contexts p), '')
		UNION ALL SELECT 'ca' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM context_actions p), '')
		UNION ALL SELECT 'dr' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM disruptions p), '')
		UNION ALL SELECT 'sm' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM safety_marks p), '')
		UNION ALL SELECT 'mp' || coalesce((SELECT string_agg(p::text, ',' ORDER BY person_id) FROM missing_profiles p), '')
		UNION ALL SELECT 'pi' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM person_identifiers p), '')
	) x`).Scan(&s)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.snapshot() + s
}

// TestContextWorkHostileInput: hostile values in every query parameter and
// every string field of context work: never a 5xx, never internals in the
// answer, and a refused write writes nothing.
func TestContextWorkHostileInput(t *testing.T) {
	h := newHarness(t)
	fx := fixtures(h, "h")
	caseID := h.mkCase(fx, "h")
	dis := h.mkDisruption(fx)
	leak := func(b string) bool {
		return strings.Contains(b, "SQLSTATE") || strings.Contains(b, "syntax error") || strings.Contains(b, "goroutine")
	}
	params := map[string][]string{
		"/api/v1/context-cases":                                   {"status", "context_type", "context_id", "district", "limit", "after"},
		path("/api/v1/context-cases", caseID) + "/children":       {"from", "to"},
		path("/api/v1/people", fx["people"]) + "/context-cases":   {"from", "to"},
		"/api/v1/conferences":                                     {"district", "from", "to"},
		"/api/v1/conferences/agenda":                              {"district", "as_of", "weeks", "min_events", "ratio", "network_weeks", "kinds"},
		"/api/v1/disruptions":                                     {"kind", "place_id", "person_id", "context_case_id", "district", "from", "to", "bbox"},
		"/api/v1/disruptions/counts":                              {"from", "to"},
		path("/api/v1/disruptions", dis) + "/impact":              {"radius", "months", "kinds"},
		"/api/v1/safety-marks":                                    {"person_id", "rating", "district", "from", "to", "bbox"},
		path("/api/v1/people", fx["people"]) + "/missing-profile": {"format", "as_of", "months"},
		"/api/v1/maps/context-cases":                              {"status", "context_type", "district", "bbox"},
		"/api/v1/maps/disruptions":                                {"kind", "place_id", "person_id", "context_case_id", "district", "from", "to", "bbox"},
		"/api/v1/maps/felt-safety":                                {"grid", "cell", "from", "to", "district", "bbox", "kinds"},
	}
	before := h.snapshotAll()
	for route, names := range params {
		for _, name := range names {
			for _, v := range hostile {
				r := h.do("police", "GET", route+"?"+name+"="+url.QueryEscape(v), nil)
				if r.Status >= 500 || leak(string(r.Body)) {
					t.Errorf("GET %s?%s=%.40q: %d %.200s", route, name, v, r.Status, r.Body)
				}
			}
		}
	}
	// Reads are audited (that is a write, but not to these tables).
	if h.snapshotAll() != before {
		t.Fatal("hostile reads changed the database")
	}

	bodies := map[string]struct {
		path   string
		body   func() map[string]any
		fields []string
	}{
		"case": {"/api/v1/context-cases", func() map[string]any {
			b := caseBody(fx, "x")
			b["status"] = "closed"
			b["closed_on"] = "2021-06-01"
			return b
		}, []string{"title", "status", "lead_agency", "opened_on", "closed_on", "plan"}},
		"case assessment": {"/api/v1/context-cases", func() map[string]any {
			b := caseBody(fx, "x")
			b["status"] = "closed"
			b["closed_on"] = "2021-06-01"
			return b
		}, []string{"assessment.guardianship", "assessment.summary", "outcomes.description", "weighting.reason"}},
		"action":     {path("/api/v1/context-cases", caseID) + "/actions", func() map[string]any { return map[string]any{"description": "d", "owner": "o", "due_on": "2021-01-01"} }, []string{"description", "owner", "due_on", "done_on"}},
		"conference": {"/api/v1/conferences", func() map[string]any { return conferenceBody("x") }, []string{"held_on", "district", "chair", "minutes", "attendees.agency", "decisions.decision"}},
		"disruption": {"/api/v1/disruptions", func() map[string]any { return disruptionBody(fx) }, []string{"kind", "description", "applied_on", "expires_on", "outcome", "outcome_notes", "lead_agency"}},
		"mark":       {"/api/v1/safety-marks", func() map[string]any { return markBody(fx) }, []string{"rating", "recorded_on", "note"}},
		"identifier": {path("/api/v1/people", fx["people"]) + "/identifiers", func() map[string]any {
			return map[string]any{"kind": "social_handle", "platform": "snapchat", "value": "h", "description": "d"}
		}, []string{"kind", "platform", "value", "description"}},
	}
	n := 0
	for name, b := range bodies {
		for _, f := range b.fields {
			for _, v := range hostile {
				n++
				body := b.body()
				if parent, child, nested := strings.Cut(f, "."); nested {
					switch parent {
					case "assessment":
						body[parent] = map[string]any{child: v}
					default:
						item := map[string]any{"context_id": fx["places"], "rank": 1, "reason": "r", "recorded_on": "2021-01-01",
							"rating": "improved", "description": "d", "agency": "a", "decision": "x"}
						switch parent {
						case "outcomes":
							item = map[string]any{"recorded_on": "2021-01-01", "rating": "improved", "description": "d"}
						case "weighting":
							item = map[string]any{"context_id": fx["places"], "rank": 1, "reason": "r"}
						case "attendees":
							item = map[string]any{"agency": "a"}
						case "decisions":
							item = map[string]any{"decision": "x"}
						}
						item[child] = v
						body[parent] = []map[string]any{item}
					}
				} else {
					body[f] = v
				}
				if name == "identifier" && f == "value" {
					body["value"] = fmt.Sprint(v, n) // distinct, so no conflict with the last one stored
				}
				snap := h.snapshotAll()
				r := h.do("police", "POST", b.path, body)
				switch {
				case r.Status >= 500 || leak(string(r.Body)):
					t.Errorf("%s %s=%.40q: %d %.200s", name, f, v, r.Status, r.Body)
				case r.Status >= 400 && h.snapshotAll() != snap:
					t.Errorf("%s %s=%.40q: refused (%d) but the database changed", name, f, v, r.Status)
				}
			}
		}
	}
}
