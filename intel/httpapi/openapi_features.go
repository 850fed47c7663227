package httpapi

import "github.com/contextmap/contextmap/intel/ingest"

// The feature routes: maps, networks, profiles, reports, import.
func init() {
	pSelFrom := apiParam{Name: "from", In: "query", Type: "string", Format: "date", Description: "links seen or events on or after this date"}
	pSelTo := apiParam{Name: "to", In: "query", Type: "string", Format: "date", Description: "links seen or events on or before this date"}
	linkSel := []apiParam{qp("kinds", "string", "comma-separated link kinds"), pSelFrom, pSelTo,
		qp("min_grade", "string", "at least this grade, e.g. 2B (source 1-2 and assessment A-B)"),
		qp("exclude_e", "boolean", "leave out links assessed E (suspected false or malicious)"),
		qp("confirmed", "boolean", "confirmed links only"),
		qp("include_review_due", "boolean", "bring back links past their review date (analyst, police); marked")}
	aggregate := "every role but admin; aggregate-only roles get counts under the disclosure threshold suppressed"
	apiOps = append(apiOps,
		apiOp{Method: "GET", Path: "/api/v1/maps/associations", Tag: "maps", Summary: "Association map: places linked by the young people and peer groups they share (GeoJSON)",
			Description: "Place nodes (sensitive places generalised for roles without exact access), edges between places weighted by distinct young people and groups with the strongest and weakest grade behind them, and peer groups and online spaces placed at the weighted centre of their places (marked derived). See docs/NETWORKS.md.",
			Access:      aggregate, Params: append([]apiParam{pBBox, pDistrict, qp("min_weight", "integer", "smallest edge weight shown")}, linkSel...),
			Media: MediaGeoJSON, Schema: "FeatureCollection"},
		apiOp{Method: "GET", Path: "/api/v1/networks", Tag: "networks", Summary: "Networks: connected components and Louvain communities of the graph, precomputed, with freshness",
			Access: aggregate, Params: []apiParam{pDistrict, qp("kind", "string", "", "component", "community"),
				qp("min_size", "integer", "at least this many nodes"), qp("max_size", "integer", "at most this many nodes"),
				pSelFrom, pSelTo, qp("cross_border", "boolean", "spanning more than one district"), pLimit, qp("after", "string", "the previous page's last network id")},
			Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/networks/:id", Tag: "networks", Summary: "One network: sizes by node type, districts, places, groups, spaces, key nodes",
			Access: aggregate, Params: []apiParam{{Name: "id", In: "path", Type: "string", Required: true, Description: "the network's stable id"}}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/networks/:id/graph", Tag: "networks", Summary: "One network as Cytoscape.js JSON for a link chart",
			Access: accessPersonLevel, Purpose: true, Params: []apiParam{{Name: "id", In: "path", Type: "string", Required: true, Description: "the network's stable id"}}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/places/:id/profile", Tag: "places", Summary: "A place's context profile: people linked (counts; pseudonyms for roles allowed), adults of concern, groups, spaces, events over time, hour x weekday, grading mix, links due for review, networks",
			Access: "every role but admin; pseudonyms need a person-level role, X-Purpose, and are audited", Params: []apiParam{pID, pAsOf}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/reports/current-picture", Tag: "reports", Summary: "The Current Picture table as of a date",
			Description: "Columns: the whole area, then each district. Rows: categories, statuses, risk assessments up to date / overdue / %. Definitions in the README.",
			Access:      aggregate + " (primary and secondary suppression)", Params: []apiParam{pAsOf, qp("format", "string", "", formatJSON, formatCSV, formatHTML)}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/reports/trend", Tag: "reports", Summary: "The Current Picture's measures month by month, with missing episodes, return interviews within 72 hours and reviews overdue",
			Access: aggregate, Params: []apiParam{pSelFrom, pSelTo, qp("interval", "string", "", intervalMonth), pDistrict, qp("format", "string", "", formatJSON, formatCSV)}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/reports/missing", Tag: "reports", Summary: "Missing episodes per district: episodes, children, repeat missing, return interviews within 72 hours, top found-at places",
			Access: aggregate, Params: []apiParam{pSelFrom, pSelTo, pDistrict, qp("format", "string", "", formatJSON, formatCSV)}, Schema: "Object"},
		apiOp{Method: "GET", Path: "/api/v1/reports/mace", Tag: "reports", Summary: "The MACE pack of a district: its Current Picture column and change, top places, networks, overdue assessments, outstanding return interviews, links due for review",
			Access: "analyst, police, district (its own); partner gets the aggregate parts; pseudonyms need X-Purpose and are audited", Purpose: true,
			Params: []apiParam{pDistrict, pAsOf, qp("format", "string", "", formatJSON, formatHTML)}, Schema: "Object"},
		apiOp{Method: "POST", Path: "/api/v1/import", Tag: "import", Summary: "Import NDJSON, CSV (with ?type=) or GeoJSON: all or nothing per file or batch, every bad row reported",
			Access: accessWriters, Params: []apiParam{qp("type", "string", "the record type of a CSV file, or police-uk", append(append([]string{}, ingest.Types...), ingest.FormatPoliceUK)...),
				qp("dry_run", "boolean", "validate and report without writing"), qp("batch", "integer", "rows per all-or-nothing batch (default: the whole file)")},
			Schema: "Object"},
	)
}
