package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// polygon is GeoJSON polygon coordinates: rings of [lon, lat], the first
// ring the exterior, the rest holes.
type polygon [][][2]float64

type bbox struct{ minLon, minLat, maxLon, maxLat float64 }

func (b bbox) has(lon, lat float64) bool {
	return lon >= b.minLon && lon <= b.maxLon && lat >= b.minLat && lat <= b.maxLat
}

func boxOf(ps []polygon) bbox {
	b := bbox{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range ps {
		for _, pt := range p[0] {
			b.minLon, b.maxLon = min(b.minLon, pt[0]), max(b.maxLon, pt[0])
			b.minLat, b.maxLat = min(b.minLat, pt[1]), max(b.maxLat, pt[1])
		}
	}
	return b
}

// contains reports whether the point lies inside the area (even-odd rule
// over every ring, which suits valid polygons with holes).
func (a *area) contains(lon, lat float64) bool {
	if !a.box.has(lon, lat) {
		return false
	}
	for _, p := range a.polys {
		in := false
		for _, ring := range p {
			for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
				xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
				if (yi > lat) != (yj > lat) && lon < (xj-xi)*(lat-yi)/(yj-yi)+xi {
					in = !in
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}

// distance returns roughly how far in metres the point lies from the area's
// boundary (0 inside). Good to a few per cent at Cumbria's latitude, which
// is all a tolerance check needs.
func (a *area) distance(lon, lat float64) float64 {
	if a.contains(lon, lat) {
		return 0
	}
	kx, ky := metresPerDegree(lat)
	best := math.Inf(1)
	for _, p := range a.polys {
		for _, ring := range p {
			for i := 1; i < len(ring); i++ {
				ax, ay := (ring[i-1][0]-lon)*kx, (ring[i-1][1]-lat)*ky
				bx, by := (ring[i][0]-lon)*kx, (ring[i][1]-lat)*ky
				best = min(best, segmentDistance(ax, ay, bx, by))
			}
		}
	}
	return best
}

// segmentDistance is the distance from the origin to the segment a-b.
func segmentDistance(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// metresPerDegree returns metres per degree of longitude and latitude.
func metresPerDegree(lat float64) (kx, ky float64) {
	const ky0 = 111_320
	return ky0 * math.Cos(lat*math.Pi/180), ky0
}

// offset moves a point by dx metres east and dy metres north.
func offset(lon, lat, dx, dy float64) (float64, float64) {
	kx, ky := metresPerDegree(lat)
	return lon + dx/kx, lat + dy/ky
}

// scatter draws a point from a circular Gaussian of sigma metres.
func scatter(r *rand.Rand, lon, lat, sigma float64) (float64, float64) {
	return offset(lon, lat, r.NormFloat64()*sigma, r.NormFloat64()*sigma)
}

// round6 keeps a coordinate to 1e-6 degrees (about 0.1 m): more is noise,
// and fixed decimals keep the data identical wherever it is generated.
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// pointWKT and polygonWKT write WGS84 geometries for ST_GeomFromText.
func pointWKT(lon, lat float64) string {
	return "POINT(" + ftoa(lon) + " " + ftoa(lat) + ")"
}

func polygonWKT(ring [][2]float64) string {
	var b strings.Builder
	b.WriteString("POLYGON((")
	for i, p := range ring {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(ftoa(p[0]) + " " + ftoa(p[1]))
	}
	b.WriteString("))")
	return b.String()
}

// blob returns a closed, simple ring around a centre: vertices at
// increasing angles with jittered radii (a star-shaped outline), the shape
// of a park or a playing field.
func blob(r *rand.Rand, lon, lat, radius float64) [][2]float64 {
	n := 6 + r.IntN(4)
	turn := r.Float64() * 2 * math.Pi
	ring := make([][2]float64, 0, n+1)
	for i := range n {
		a := turn + 2*math.Pi*float64(i)/float64(n)
		d := radius * (0.75 + 0.5*r.Float64())
		x, y := offset(lon, lat, d*math.Cos(a), d*math.Sin(a))
		ring = append(ring, [2]float64{round6(x), round6(y)})
	}
	return append(ring, ring[0])
}

// block returns a closed, rotated rectangle of w by h metres: a building.
func block(r *rand.Rand, lon, lat, w, h float64) [][2]float64 {
	turn := r.Float64() * math.Pi
	c, s := math.Cos(turn), math.Sin(turn)
	ring := make([][2]float64, 0, 5)
	for _, k := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		dx, dy := k[0]*w/2, k[1]*h/2
		x, y := offset(lon, lat, dx*c-dy*s, dx*s+dy*c)
		ring = append(ring, [2]float64{round6(x), round6(y)})
	}
	return append(ring, ring[0])
}
