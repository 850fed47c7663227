package httpapi

import (
	"context"
	"strconv"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// A collection is one layer served under /ogc/collections and by
// /api/v1/exports. Each decides who may read it and applies the caller's
// role in what it returns (district scope, generalised sensitive places,
// disclosure control), so every way out of the service gets the same
// rules.
type collection interface {
	meta() collectionMeta
	// allowed reports whether the caller may read the collection at all;
	// it is listed only for callers who may.
	allowed(pr intel.Principal) bool
	extent(ctx context.Context, pr intel.Principal) (intel.Extent, error)
	// items streams the features q selects in key order; with count, it
	// also returns how many the query matches without After and Limit
	// (else -1).
	items(ctx context.Context, pr intel.Principal, q intel.FeatureQuery, count bool) (intel.FeatureIter, int64, error)
	// item reads one feature by id: intel.ENOTFOUND when absent or out of
	// the caller's scope.
	item(ctx context.Context, pr intel.Principal, id string, f *intel.Feature) error
}

// collectionMeta describes a collection.
type collectionMeta struct {
	ID, Title, Description string
	Fields                 []intel.Field
	// Temporal: datetime selects features by their time window.
	Temporal bool
	// StringIDs: feature ids are strings (else positive integers).
	StringIDs bool
	// Personal: the features describe harm to identifiable children even
	// without naming them (events), so exports of them are audited.
	Personal bool
	// Access says in words who may read it (for the OpenAPI description).
	Access string
}

// collectionIDs are the ids of the collections (for the OpenAPI document;
// TestOpenAPICollections checks them against collections()).
var collectionIDs = []string{"districts", "places", "events", "association_edges", "hotspot_cells"}

// collections lists every collection in the order they are listed.
func (s *Server) collections() []collection {
	return []collection{
		districtsCollection{s.DB},
		placesCollection{s.DB},
		eventsCollection{s.DB},
		s.edgesCollection(),
		s.hotspotCellsCollection(),
	}
}

func (s *Server) collectionByID(id string) collection {
	for _, c := range s.collections() {
		if c.meta().ID == id {
			return c
		}
	}
	return nil
}

func parsePositiveID(id, what string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, intel.NotFound(what)
	}
	return n, nil
}

// --- districts ---

type districtsCollection struct{ db *postgres.DB }

func (districtsCollection) meta() collectionMeta {
	return collectionMeta{ID: "districts", Title: "Districts",
		Description: "The area's districts (in Cumbria, the six districts before 2023), by code.",
		Fields:      postgres.DistrictFields, StringIDs: true, Access: "every role"}
}

func (districtsCollection) allowed(intel.Principal) bool { return true }

func (c districtsCollection) extent(ctx context.Context, _ intel.Principal) (intel.Extent, error) {
	return c.db.DistrictsExtent(ctx)
}

func (c districtsCollection) items(ctx context.Context, _ intel.Principal, q intel.FeatureQuery, count bool) (intel.FeatureIter, int64, error) {
	return c.db.DistrictFeatures(ctx, q, count)
}

func (c districtsCollection) item(ctx context.Context, _ intel.Principal, id string, f *intel.Feature) error {
	return c.db.DistrictFeature(ctx, id, f)
}

// --- places ---

type placesCollection struct{ db *postgres.DB }

func (placesCollection) meta() collectionMeta {
	return collectionMeta{ID: "places", Title: "Places",
		Description: "Places where young people are harmed or gather: parks, takeaways, stations, hotels, schools. " +
			"Sensitive places (children's homes, home addresses) are shown exactly only to person-level roles whose " +
			"districts hold them; everyone else gets the centre of the 1 km grid square holding them, their kind as name, " +
			"and generalised: true.",
		Fields: postgres.PlaceFields, Access: "every role (sensitive places generalised unless person-level and in scope)"}
}

func (placesCollection) allowed(intel.Principal) bool { return true }

func (c placesCollection) extent(ctx context.Context, pr intel.Principal) (intel.Extent, error) {
	return c.db.PlacesExtent(ctx, pr)
}

func (c placesCollection) items(ctx context.Context, pr intel.Principal, q intel.FeatureQuery, count bool) (intel.FeatureIter, int64, error) {
	return c.db.PlaceFeatures(ctx, pr, q, count)
}

func (c placesCollection) item(ctx context.Context, pr intel.Principal, id string, f *intel.Feature) error {
	n, err := parsePositiveID(id, "place")
	if err != nil {
		return err
	}
	return c.db.PlaceFeature(ctx, pr, n, f)
}

// --- events ---

// Events are served without the people or groups they involve: kind, time
// window, place, category, grade. That is not a person-level read, so it
// needs no stated purpose and writes no audit record on /ogc; but an event
// still describes harm to a child, so only person-level roles see them,
// each in its own scope, and exports are audited.
type eventsCollection struct{ db *postgres.DB }

func (eventsCollection) meta() collectionMeta {
	return collectionMeta{ID: "events", Title: "Events",
		Description: "Missing episodes, sightings, incidents, intelligence reports, return home interviews and crimes: " +
			"kind, time window, place, category and grade, without the people or groups involved. datetime selects " +
			"events whose window overlaps it.",
		Fields: postgres.EventFields, Temporal: true, Personal: true,
		Access: "analyst, police, and district teams for their own districts"}
}

func (eventsCollection) allowed(pr intel.Principal) bool { return pr.PersonLevel() }

func (c eventsCollection) extent(ctx context.Context, pr intel.Principal) (intel.Extent, error) {
	return c.db.EventsExtent(ctx, pr)
}

func (c eventsCollection) items(ctx context.Context, pr intel.Principal, q intel.FeatureQuery, count bool) (intel.FeatureIter, int64, error) {
	return c.db.EventFeatures(ctx, pr, q, count)
}

func (c eventsCollection) item(ctx context.Context, pr intel.Principal, id string, f *intel.Feature) error {
	n, err := parsePositiveID(id, "event")
	if err != nil {
		return err
	}
	return c.db.EventFeature(ctx, pr, n, f)
}
