package loadtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/synth"
)

// kind is one kind of request in the mix.
type kind struct {
	route       string // the route and what is asked, for the results table
	weight      int    // share of the mix
	personLevel bool   // only roles with person-level access ask it
	build       func(rng *rand.Rand, district string) (method, path string, body []byte)
}

type kinds struct {
	ks    []kind
	total int
}

func (k kinds) pick(rng *rand.Rand) kind {
	n := rng.IntN(k.total)
	for _, x := range k.ks {
		if n < x.weight {
			return x
		}
		n -= x.weight
	}
	return k.ks[len(k.ks)-1]
}

type mix []kind

// forRole is the mix a role asks: partners see aggregates only, so they
// leave out link charts, event features and writes.
func (m mix) forRole(r intel.Role) kinds {
	var k kinds
	for _, x := range m {
		if x.personLevel && !(intel.Principal{Role: r}).PersonLevel() {
			continue
		}
		k.ks = append(k.ks, x)
		k.total += x.weight
	}
	return k
}

// requestMix is what a partnership's users ask on a working morning:
// hotspot maps most (analysts and police planning patrols and outreach),
// association maps and place profiles (context conferences, disruption
// planning), networks, reports, GIS clients paging OGC features, and a
// few records written. Boxes are about 100 × 100 km around a town (a
// county); periods are twelve months of the data (2023 to 2025) or a
// month for feature pages. Reports are asked for less often than maps:
// the Current Picture and missing-episode report for meetings, the
// year's trend and the MACE pack once a month per district.
func requestMix(districts []string, points map[string][2]float64, places []int64, networks []string, towns []synth.Town) mix {
	anyDistrict := func(rng *rand.Rand, own string) string {
		if own != "" && rng.IntN(2) == 0 {
			return own // district teams and analysts look at their own area most
		}
		return districts[rng.IntN(len(districts))]
	}
	year := func(rng *rand.Rand) (from, to string) {
		start := time.Date(2024, time.Month(1+rng.IntN(13)), 1, 0, 0, 0, 0, time.UTC)
		return start.Format(time.DateOnly), start.AddDate(1, 0, -1).Format(time.DateOnly)
	}
	box := func(rng *rand.Rand) string {
		t := towns[rng.IntN(len(towns))]
		return fmt.Sprintf("%.2f,%.2f,%.2f,%.2f", t.Lon-0.75, t.Lat-0.45, t.Lon+0.75, t.Lat+0.45)
	}
	get := func(path string, args ...any) (string, string, []byte) { return "GET", fmt.Sprintf(path, args...), nil }
	return mix{
		{route: "GET /maps/hotspots gistar, 250 m hex, county box, 12 months", weight: 14,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				f, t := year(rng)
				return get("/api/v1/maps/hotspots?method=gistar&grid=hex&cell=250&bbox=%s&from=%s&to=%s", box(rng), f, t)
			}},
		{route: "GET /maps/hotspots count, 500 m square, district, 12 months", weight: 8,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				f, t := year(rng)
				return get("/api/v1/maps/hotspots?method=count&grid=square&cell=500&district=%s&from=%s&to=%s", anyDistrict(rng, d), f, t)
			}},
		{route: "GET /maps/hotspots kde, 1000 m hex, county box, 12 months", weight: 4,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				f, t := year(rng)
				return get("/api/v1/maps/hotspots?method=kde&cell=1000&bbox=%s&from=%s&to=%s", box(rng), f, t)
			}},
		{route: "GET /maps/hotspots/profile district, 12 months", weight: 4,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				f, t := year(rng)
				return get("/api/v1/maps/hotspots/profile?district=%s&from=%s&to=%s", anyDistrict(rng, d), f, t)
			}},
		{route: "GET /maps/associations district, 12 months", weight: 12,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				f, t := year(rng)
				return get("/api/v1/maps/associations?district=%s&from=%s&to=%s", anyDistrict(rng, d), f, t)
			}},
		{route: "GET /places/{id}/profile", weight: 12,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				return get("/api/v1/places/%d/profile", places[rng.IntN(len(places))])
			}},
		{route: "GET /networks district", weight: 5,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				return get("/api/v1/networks?district=%s", anyDistrict(rng, d))
			}},
		{route: "GET /networks/{id}/graph", weight: 3, personLevel: true,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				return get("/api/v1/networks/%s/graph", networks[rng.IntN(len(networks))])
			}},
		{route: "GET /reports/current-picture", weight: 2,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				return get("/api/v1/reports/current-picture?as_of=2025-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
			}},
		{route: "GET /reports/trend 12 months", weight: 1,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				return get("/api/v1/reports/trend?from=2025-01&to=2025-12&district=%s", anyDistrict(rng, d))
			}},
		{route: "GET /reports/missing a quarter", weight: 2,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				q := time.Date(2025, time.Month(1+3*rng.IntN(4)), 1, 0, 0, 0, 0, time.UTC)
				return get("/api/v1/reports/missing?from=%s&to=%s", q.Format(time.DateOnly), q.AddDate(0, 3, -1).Format(time.DateOnly))
			}},
		{route: "GET /reports/mace district", weight: 1,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				return get("/api/v1/reports/mace?district=%s&as_of=2025-%02d-28", anyDistrict(rng, d), 1+rng.IntN(12))
			}},
		{route: "GET /ogc/.../events/items county box, a month, 100", weight: 8, personLevel: true,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				m := time.Date(2024+rng.IntN(2), time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
				return get("/ogc/collections/events/items?bbox=%s&datetime=%s/%s&limit=100", box(rng),
					m.Format(time.RFC3339), m.AddDate(0, 1, 0).Add(-time.Second).Format(time.RFC3339))
			}},
		{route: "GET /ogc/.../places/items county box, 100", weight: 4,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				return get("/ogc/collections/places/items?bbox=%s&limit=100", box(rng))
			}},
		{route: "POST /events", weight: 4, personLevel: true,
			build: func(rng *rand.Rand, d string) (string, string, []byte) {
				// In the writer's own district (district practitioners may
				// write nowhere else).
				pt := points[d]
				start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(30*24*60)) * time.Minute)
				b, _ := json.Marshal(map[string]any{
					"kind": "sighting", "from": start, "to": start.Add(2 * time.Hour),
					"geometry":      map[string]any{"type": "Point", "coordinates": []float64{pt[0] + (rng.Float64()-0.5)*0.01, pt[1] + (rng.Float64()-0.5)*0.01}},
					"grade":         "2BP",
					"source_agency": "Load test",
				})
				return "POST", "/api/v1/events", b
			}},
	}
}
