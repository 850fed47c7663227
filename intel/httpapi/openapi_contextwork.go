package httpapi

// Hotspot maps and context work (cases, conferences, disruption, safety
// mapping, missing-person profiles).
func init() {
	pSel := []apiParam{pBBox, pDistrict, pFrom, pTo,
		qp("kinds", "string", "comma-separated event kinds (crime, the police.uk context layer, only on its own)"),
		qp("categories", "string", "comma-separated exploitation categories"),
		qp("min_grade", "string", "at least this grade, e.g. 2B"), qp("confirmed", "boolean", "confirmed events only"),
		qp("include_review_due", "boolean", "bring back events past their review date (analyst, police); marked")}
	grid := []apiParam{qp("grid", "string", "", "hex", "square"), qp("cell", "number", "cell size in metres (100-5000; hexagons: width across flats)")}
	sel := func(extra ...apiParam) []apiParam { return append(append([]apiParam{}, pSel...), extra...) }
	aggregate := "every role but admin; aggregate-only roles get cells of fewer young people than the disclosure threshold marked suppressed, without counts"
	pAction := apiParam{Name: "action", In: "path", Type: "integer", Required: true, Description: "the action's id"}
	pIdentifier := apiParam{Name: "identifier", In: "path", Type: "integer", Required: true, Description: "the identifier's id"}
	ctxRead := "analyst, police, district (children listed only in its own districts, with X-Purpose, audited); partner: counts"
	crud := func(base, tag, what string, read, write string, purpose bool) []apiOp {
		return []apiOp{
			{Method: "GET", Path: "/api/v1/" + base, Tag: tag, Summary: "List " + what + "s", Access: read, Purpose: purpose, Params: []apiParam{pLimit, pAfter, pDistrict}, Schema: "Object"},
			{Method: "POST", Path: "/api/v1/" + base, Tag: tag, Summary: "Record a " + what, Access: write, OK: 201, Schema: "Object"},
			{Method: "GET", Path: "/api/v1/" + base + "/:id", Tag: tag, Summary: "Read a " + what, Access: read, Purpose: purpose, Params: []apiParam{pID}, Schema: "Object"},
			{Method: "PUT", Path: "/api/v1/" + base + "/:id", Tag: tag, Summary: "Replace a " + what, Access: write, Params: []apiParam{pID}, Schema: "Object"},
			{Method: "DELETE", Path: "/api/v1/" + base + "/:id", Tag: tag, Summary: "Delete a " + what, Access: write, Params: []apiParam{pID}, OK: 204},
		}
	}
	apiOps = append(apiOps,
		apiOp{Method: "GET", Path: "/api/v1/maps/hotspots", Tag: "maps", Summary: "Hotspot map: grid cells over the selected events (GeoJSON), by count, Getis-Ord Gi* or quartic KDE",
			Description: "The collection states the method, grid, cell size, bandwidth, numbers of events and people, the suppression rule and when it was computed. See docs/HOTSPOTS.md.",
			Access:      aggregate, Params: sel(append(grid, qp("method", "string", "", "count", "gistar", "kde"), qp("bandwidth", "number", "KDE bandwidth in metres (default: mean distance to the 5th nearest event)"),
				qp("weight", "string", "count: comma-separated recency, severity"), qp("half_life", "number", "recency weighting half-life in days"),
				qp("measure", "string", "what Gi* and KDE measure"))...), Media: MediaGeoJSON, Schema: "FeatureCollection"},
		apiOp{Method: "GET", Path: "/api/v1/maps/hotspots/profile", Tag: "maps", Summary: "Hour of day by day of week of the selection, events with a time window spread over it (aoristic)",
			Access: aggregate, Params: sel(), Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/maps/hotspots/accuracy", Tag: "maps", Summary: "Predictive Accuracy Index of a method: hit rate, area share and PAI of the top cells of a training period against a test period",
			Access: aggregate, Params: sel(append(grid, qp("method", "string", "", "count", "gistar", "kde"), qp("top", "number", "share of cells flagged, e.g. 0.05"),
				apiParam{Name: "test_from", In: "query", Type: "string", Format: "date-time", Description: "test period start"},
				apiParam{Name: "test_to", In: "query", Type: "string", Format: "date-time", Description: "test period end"})...), Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/maps/context-cases", Tag: "context work", Summary: "Context cases as map points (GeoJSON)", Access: "every role but admin", Media: MediaGeoJSON, Schema: "FeatureCollection"},
		apiOp{Method: "GET", Path: "/api/v1/maps/disruptions", Tag: "context work", Summary: "Disruption actions as map points (GeoJSON)", Access: "analyst, police, district; partner: counts", Media: MediaGeoJSON, Schema: "FeatureCollection"},
		apiOp{Method: "GET", Path: "/api/v1/maps/felt-safety", Tag: "context work", Summary: "Felt safety: young people's red/amber/green marks aggregated on a grid (GeoJSON)",
			Access: aggregate, Params: append([]apiParam{pBBox, pDistrict, pFrom, pTo}, grid...), Media: MediaGeoJSON, Schema: "FeatureCollection"},
		apiOp{Method: "GET", Path: "/api/v1/context-cases/:id/children", Tag: "context work", Summary: "The young people a context affects, from the graph", Access: ctxRead, Purpose: true, Params: []apiParam{pID}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/context-cases/:id/actions", Tag: "context work", Summary: "A context case's plan actions", Access: ctxRead, Params: []apiParam{pID}, Schema: "Object"},
		apiOp{Method: "POST", Path: "/api/v1/context-cases/:id/actions", Tag: "context work", Summary: "Add a plan action (owner, due date)", Access: accessWriters, Params: []apiParam{pID}, OK: 201, Schema: "Object"},
		apiOp{Method: "PUT", Path: "/api/v1/context-cases/:id/actions/:action", Tag: "context work", Summary: "Replace a plan action (e.g. mark it done)", Access: accessWriters, Params: []apiParam{pID, pAction}, Schema: "Object"},
		apiOp{Method: "DELETE", Path: "/api/v1/context-cases/:id/actions/:action", Tag: "context work", Summary: "Delete a plan action", Access: accessWriters, Params: []apiParam{pID, pAction}, OK: 204},
		apiOp{Method: "GET", Path: "/api/v1/people/:id/context-cases", Tag: "context work", Summary: "The context cases that affect a young person", Access: accessPersonLevel, Purpose: true, Params: []apiParam{pID}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/conferences/agenda", Tag: "context work", Summary: "A context conference agenda generated from the graph: rising activity, networks spanning districts, overdue actions",
			Access: ctxRead, Params: []apiParam{pDistrict, pAsOf}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/disruptions/counts", Tag: "context work", Summary: "Disruption actions counted by type and outcome", Access: "every role but admin", Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/disruptions/:id/impact", Tag: "context work", Summary: "Before and after: events within a radius in the months before and after a disruption action",
			Access: "analyst, police, district; partner: counts with disclosure control", Params: []apiParam{pID, qp("radius", "number", "metres"), qp("months", "integer", "months before and after")}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/people/:id/missing-profile", Tag: "context work", Summary: "The Philomena protocol profile of a young person, assembled from the graph (JSON or printable HTML)",
			Access: "police, analyst, district (its own districts); X-Purpose required; audited", Purpose: true, Params: []apiParam{pID, qp("format", "string", "", formatJSON, formatHTML)}, Schema: "Object"},
		apiOp{Method: "PUT", Path: "/api/v1/people/:id/missing-profile", Tag: "context work", Summary: "Record the parts of the Philomena profile the graph cannot hold (description, transport)", Access: accessWriters, Params: []apiParam{pID}, Schema: "Object"},
		apiOp{Method: "POST", Path: "/api/v1/people/:id/identifiers", Tag: "context work", Summary: "Record a phone number or social media handle (stored only as a keyed hash)", Access: accessWriters, Params: []apiParam{pID}, OK: 201, Schema: "Object"},
		apiOp{Method: "DELETE", Path: "/api/v1/people/:id/identifiers/:identifier", Tag: "context work", Summary: "Delete a recorded identifier", Access: accessWriters, Params: []apiParam{pID, pIdentifier}, OK: 204},
		apiOp{Method: "POST", Path: "/api/v1/identifiers/match", Tag: "context work", Summary: "Which young people an identifier (phone, handle) is recorded for, matched by keyed hash", Access: accessPersonLevel, Purpose: true, Schema: "Object"},
	)
	apiOps = append(apiOps, crud("context-cases", "context work", "context case", ctxRead, accessWriters, false)...)
	apiOps = append(apiOps, crud("conferences", "context work", "context conference", ctxRead, accessWriters, false)...)
	apiOps = append(apiOps, crud("disruptions", "context work", "disruption action", "analyst, police, district; partner: counts", "analyst, police", false)...)
	apiOps = append(apiOps, crud("safety-marks", "context work", "safety mark", accessPersonLevel, accessWriters, true)...)
}
