package httpapi_test

// Hotspot maps, profiles and accuracy tests are aggregates: every role but
// admin (which holds no data role) reads them.
func init() {
	for _, r := range []string{"GET /api/v1/maps/hotspots", "GET /api/v1/maps/hotspots/profile", "GET /api/v1/maps/hotspots/accuracy"} {
		routeAccess[r] = []string{"analyst", "police", "district", "partner"}
	}
}
