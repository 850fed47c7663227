package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

type shape int

const (
	asPoint shape = iota
	asBlob        // a park's outline
	asBlock       // a building's footprint
)

// placeKind says how many places of a kind a town of each size gets, how far
// from the centre they lie (times the town's spread) and how much tends to
// happen at them.
type placeKind struct {
	kind      string
	label     string
	townFirst bool   // "Kendal bus station", not "Takeaway 2, Kendal"
	counts    [6]int // by town size 0..5
	spread    float64
	heat      float64
	shape     shape
}

var placeKinds = []placeKind{
	{"street", "town centre street", true, [6]int{0, 1, 1, 2, 3, 4}, 0.7, 3.0, asPoint},
	{"bus_station", "bus station", true, [6]int{0, 0, 0, 1, 1, 1}, 0.5, 3.5, asPoint},
	{"takeaway", "Takeaway", false, [6]int{0, 1, 2, 3, 4, 5}, 0.9, 2.5, asPoint},
	{"shop", "Shop", false, [6]int{0, 1, 2, 2, 3, 4}, 1.0, 1.5, asPoint},
	{"shopping_centre", "shopping centre", true, [6]int{0, 0, 0, 1, 1, 2}, 0.5, 2.5, asBlock},
	{"taxi_rank", "Taxi rank", false, [6]int{0, 0, 1, 1, 1, 2}, 0.6, 1.2, asPoint},
	{"car_park", "Car park", false, [6]int{0, 1, 1, 2, 2, 3}, 1.2, 1.5, asPoint},
	{"hotel", "Hotel", false, [6]int{0, 0, 1, 1, 2, 2}, 1.4, 1.0, asPoint},
	{"leisure_centre", "leisure centre", true, [6]int{0, 0, 1, 1, 1, 1}, 1.8, 1.0, asBlock},
	{"park", "Park", false, [6]int{0, 1, 1, 2, 3, 4}, 2.0, 2.0, asBlob},
	{"playground", "Playground", false, [6]int{0, 1, 1, 2, 2, 3}, 2.2, 1.2, asPoint},
	{"house", "Flat", false, [6]int{0, 0, 0, 1, 2, 2}, 3.0, 1.5, asPoint},
	{"childrens_home", "Children's home", false, [6]int{0, 0, 0, 1, 1, 2}, 3.0, 1.5, asPoint},
}

// genPlaces builds the places: every rail station and school from the data,
// then synthetic places around each town. Names of synthetic places are
// labels ("Takeaway 2, Kendal"), never a real business or address.
func (w *world) genPlaces() error {
	r := w.rng(streamPlaces)
	reference := day(2018, 11, 1)
	for _, s := range w.stations {
		p := &place{name: s.name + " station", kind: "rail_station", lon: s.lon, lat: s.lat, district: s.district,
			town: nearestTown(s.lon, s.lat, s.district, 6000), heat: 2.5 * lognormal(r, 0.5)}
		for i, t := range towns {
			if t.station == s.crs {
				p.town = i
			}
		}
		p.created = officeTime(r, reference)
		w.places = append(w.places, p)
	}
	for _, s := range w.schools {
		p := &place{name: s.name, kind: "school", urn: s.urn, lon: s.lon, lat: s.lat, district: s.district,
			town: nearestTown(s.lon, s.lat, s.district, 10000), heat: 0.8 * lognormal(r, 0.5)}
		p.created = officeTime(r, reference)
		w.places = append(w.places, p)
	}
	netTowns := map[string]bool{}
	for _, n := range networkSpecs {
		for _, t := range n.towns {
			netTowns[t] = true
		}
	}
	houses, homes := 0, 0
	for ti, t := range towns {
		d := w.district(t.district)
		if d == nil {
			return fmt.Errorf("town %s: no district %s", t.name, t.district)
		}
		for _, k := range placeKinds {
			n := k.counts[t.size]
			if k.kind == "house" && t.size == 2 && netTowns[t.name] {
				n = 1
			}
			for i := range n {
				p := &place{kind: k.kind, district: t.district, town: ti, heat: k.heat * lognormal(r, 0.9)}
				switch {
				case k.kind == "house":
					houses++
					p.name, p.sensitive = fmt.Sprintf("Flat F-%02d (fictional address), %s", houses, t.name), true
				case k.kind == "childrens_home":
					homes++
					p.name, p.sensitive = fmt.Sprintf("Children's home CH-%02d (fictional), %s", homes, t.name), true
				case n == 1 && k.townFirst:
					p.name = t.name + " " + k.label
				case k.townFirst:
					p.name = fmt.Sprintf("%s %s %d", t.name, k.label, i+1)
				default:
					p.name = fmt.Sprintf("%s %d, %s", k.label, i+1, t.name)
				}
				w.locate(r, p, t, d, k)
				p.created = officeTime(r, between(r, reference, day(2018, 12, 20)))
				w.places = append(w.places, p)
			}
		}
	}
	for i, p := range w.places {
		p.extRef = fmt.Sprintf("demo-place-%d", i+1)
	}
	return nil
}

// locate draws a place's position around its town, keeping it (and an
// area's whole outline) on land in the town's district: district polygons
// are clipped to the coast, so this also keeps places out of the sea.
func (w *world) locate(r *rand.Rand, p *place, t town, d *area, k placeKind) {
	sigma := t.spread * k.spread
	for try := 0; ; try++ {
		if try == 200 {
			// Never reached with the towns as listed (a test checks their
			// centres); a safe answer all the same.
			p.lon, p.lat, p.ring = t.lon, t.lat, nil
			return
		}
		lon, lat := scatter(r, t.lon, t.lat, sigma)
		p.lon, p.lat = round6(lon), round6(lat)
		switch k.shape {
		case asBlob:
			p.ring = blob(r, p.lon, p.lat, 50+r.Float64()*110)
		case asBlock:
			p.ring = block(r, p.lon, p.lat, 50+r.Float64()*90, 35+r.Float64()*50)
		}
		if !d.contains(p.lon, p.lat) {
			continue
		}
		ok := true
		for _, v := range p.ring {
			ok = ok && d.contains(v[0], v[1])
		}
		if ok {
			return
		}
	}
}

// nearestTown returns the index of the nearest town centre of the district
// within maxM metres, or -1.
func nearestTown(lon, lat float64, district string, maxM float64) int {
	best, bestD := -1, maxM
	for i, t := range towns {
		if t.district != district {
			continue
		}
		kx, ky := metresPerDegree(lat)
		if d := math.Hypot((t.lon-lon)*kx, (t.lat-lat)*ky); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// placesIn returns the places of a town with one of the kinds, in order.
func (w *world) placesIn(town int, kinds ...string) []*place {
	var out []*place
	for _, p := range w.places {
		if p.town == town && slices.Contains(kinds, p.kind) {
			out = append(out, p)
		}
	}
	return out
}

func (w *world) stationByCRS(crs string) *place {
	for i, s := range w.stations {
		if s.crs == crs {
			return w.places[i] // stations come first, in file order
		}
	}
	return nil
}

// wkt returns the place's geometry as WKT.
func (p *place) wkt() string {
	if p.ring != nil {
		return polygonWKT(p.ring)
	}
	return pointWKT(p.lon, p.lat)
}
