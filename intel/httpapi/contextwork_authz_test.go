package httpapi_test

import "fmt"

// Context work's routes in the authorisation matrix (authz_test.go), with
// the requests that exercise them.
var (
	conferenceReaders = []string{"analyst", "police", "district", "partner"}
	disruptionWriters = []string{"analyst", "police"}
)

func caseBody(fx map[string]int64, tag string) map[string]any {
	return map[string]any{"context_id": fx["places"], "title": "Case " + tag, "status": "assessing",
		"lead_agency": "Youth service", "opened_on": "2021-01-01",
		"assessment": map[string]any{"guardianship": "No caring adults after 9pm"}}
}

func conferenceBody(tag string) map[string]any {
	return map[string]any{"held_on": "2021-02-01", "district": "E07000028", "chair": "Chair " + tag,
		"attendees": []map[string]any{{"agency": "Police"}, {"agency": "Youth service"}}}
}

func disruptionBody(fx map[string]int64) map[string]any {
	return map[string]any{"kind": "closure_order", "place_id": fx["places"], "applied_on": "2021-01-15",
		"outcome": "granted", "lead_agency": "Cumbria Police"}
}

func markBody(fx map[string]int64) map[string]any {
	return map[string]any{"person_id": fx["people"], "rating": "red", "geometry": carlisle, "recorded_on": "2021-01-10"}
}

func (h *harness) mkCase(fx map[string]int64, tag string) int64 {
	return id(h.must(201, "analyst", "POST", "/api/v1/context-cases", caseBody(fx, tag)))
}

func (h *harness) mkAction(caseID int64) int64 {
	return id(h.must(201, "analyst", "POST", fmt.Sprintf("/api/v1/context-cases/%d/actions", caseID),
		map[string]any{"description": "Ask the council to fix the lighting", "owner": "Community safety", "due_on": "2021-03-01"}))
}

func (h *harness) mkConference(tag string) int64 {
	return id(h.must(201, "analyst", "POST", "/api/v1/conferences", conferenceBody(tag)))
}

func (h *harness) mkDisruption(fx map[string]int64) int64 {
	return id(h.must(201, "police", "POST", "/api/v1/disruptions", disruptionBody(fx)))
}

func (h *harness) mkMark(fx map[string]int64) int64 {
	return id(h.must(201, "analyst", "POST", "/api/v1/safety-marks", markBody(fx)))
}

func init() {
	type maker = func(h *harness, fx map[string]int64, tag string) (string, any)
	add := func(route string, roles []string, mk maker) {
		routeAccess[route] = roles
		if mk != nil {
			matrixRequests[route] = mk
		}
	}
	// Context cases.
	add("GET /api/v1/context-cases", personLevel, nil)
	add("POST /api/v1/context-cases", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return "/api/v1/context-cases", caseBody(fx, tag)
	})
	add("GET /api/v1/context-cases/:id", personLevel, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/context-cases", h.mkCase(fx, tag)), nil
	})
	add("PUT /api/v1/context-cases/:id", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/context-cases", h.mkCase(fx, tag)), caseBody(fx, tag+"u")
	})
	add("DELETE /api/v1/context-cases/:id", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/context-cases", h.mkCase(fx, tag)), nil
	})
	add("GET /api/v1/context-cases/:id/children", personLevel, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/context-cases", h.mkCase(fx, tag)) + "/children", nil
	})
	add("GET /api/v1/context-cases/:id/actions", personLevel, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/context-cases", h.mkCase(fx, tag)) + "/actions", nil
	})
	add("POST /api/v1/context-cases/:id/actions", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/context-cases", h.mkCase(fx, tag)) + "/actions",
			map[string]any{"description": "Detached youth work on Fridays", "owner": "Youth service", "due_on": "2021-02-01"}
	})
	add("PUT /api/v1/context-cases/:id/actions/:action", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		c := h.mkCase(fx, tag)
		return fmt.Sprintf("/api/v1/context-cases/%d/actions/%d", c, h.mkAction(c)),
			map[string]any{"description": "Lighting fixed", "owner": "Community safety", "due_on": "2021-03-01", "done_on": "2021-02-20"}
	})
	add("DELETE /api/v1/context-cases/:id/actions/:action", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		c := h.mkCase(fx, tag)
		return fmt.Sprintf("/api/v1/context-cases/%d/actions/%d", c, h.mkAction(c)), nil
	})
	add("GET /api/v1/people/:id/context-cases", personLevel, nil)

	// Conferences.
	add("GET /api/v1/conferences", conferenceReaders, nil)
	add("GET /api/v1/conferences/agenda", conferenceReaders, nil)
	add("POST /api/v1/conferences", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return "/api/v1/conferences", conferenceBody(tag)
	})
	add("GET /api/v1/conferences/:id", conferenceReaders, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/conferences", h.mkConference(tag)), nil
	})
	add("PUT /api/v1/conferences/:id", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/conferences", h.mkConference(tag)), conferenceBody(tag + "u")
	})
	add("DELETE /api/v1/conferences/:id", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/conferences", h.mkConference(tag)), nil
	})

	// Disruption log.
	add("GET /api/v1/disruptions", personLevel, nil)
	add("GET /api/v1/disruptions/counts", conferenceReaders, nil)
	add("POST /api/v1/disruptions", disruptionWriters, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return "/api/v1/disruptions", disruptionBody(fx)
	})
	add("GET /api/v1/disruptions/:id", personLevel, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/disruptions", h.mkDisruption(fx)), nil
	})
	add("PUT /api/v1/disruptions/:id", disruptionWriters, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/disruptions", h.mkDisruption(fx)), disruptionBody(fx)
	})
	add("DELETE /api/v1/disruptions/:id", disruptionWriters, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/disruptions", h.mkDisruption(fx)), nil
	})
	add("GET /api/v1/disruptions/:id/impact", conferenceReaders, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/disruptions", h.mkDisruption(fx)) + "/impact", nil
	})

	// Safety mapping.
	add("GET /api/v1/safety-marks", personLevel, nil)
	add("POST /api/v1/safety-marks", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return "/api/v1/safety-marks", markBody(fx)
	})
	add("GET /api/v1/safety-marks/:id", personLevel, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/safety-marks", h.mkMark(fx)), nil
	})
	add("PUT /api/v1/safety-marks/:id", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/safety-marks", h.mkMark(fx)), markBody(fx)
	})
	add("DELETE /api/v1/safety-marks/:id", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/safety-marks", h.mkMark(fx)), nil
	})

	// Missing-person profiles.
	add("GET /api/v1/people/:id/missing-profile", personLevel, nil)
	add("PUT /api/v1/people/:id/missing-profile", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/people", fx["people"]) + "/missing-profile", map[string]any{"transport": "Buses to Penrith"}
	})
	add("POST /api/v1/people/:id/identifiers", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return path("/api/v1/people", fx["people"]) + "/identifiers",
			map[string]any{"kind": "phone", "value": "07700 900" + fmt.Sprintf("%03d", len(tag)), "description": "main phone"}
	})
	add("DELETE /api/v1/people/:id/identifiers/:identifier", writers, func(h *harness, fx map[string]int64, tag string) (string, any) {
		p := path("/api/v1/people", fx["people"]) + "/identifiers"
		i := id(h.must(201, "analyst", "POST", p, map[string]any{"kind": "social_handle", "platform": "snapchat",
			"value": "@handle" + tag, "description": "snapchat"}))
		return path(p, i), nil
	})
	add("POST /api/v1/identifiers/match", personLevel, func(h *harness, fx map[string]int64, tag string) (string, any) {
		return "/api/v1/identifiers/match", map[string]any{"kind": "phone", "value": "07700 900123"}
	})

	// Map layers.
	add("GET /api/v1/maps/context-cases", personLevel, nil)
	add("GET /api/v1/maps/disruptions", personLevel, nil)
	add("GET /api/v1/maps/felt-safety", everyone, nil)
}
