package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Area is one named polygon of an AreaIndex: a district, or a piece of one
// (the index is fastest when large polygons are cut into pieces of a few
// dozen vertices, as PostGIS's ST_Subdivide does).
type Area struct {
	Code    string
	Polygon orb.Polygon
}

// AreaIndex answers which area holds a point, for points by the million
// (an import finds each event's district with it). It answers only where
// the answer is certain: a point closer than Margin to an edge of a
// candidate piece, where floating-point rounding could decide either way,
// is left to the caller's exact rule (Locate reports it as not known).
//
// The rule it follows is PostGIS's ST_Intersects: the boundary belongs to
// the polygon, and among several areas holding the point the smallest code
// wins (ORDER BY code LIMIT 1).
type AreaIndex struct {
	areas  []Area
	bounds []orb.Bound
	// A uniform grid over all the areas: cells[i] lists the areas whose
	// bounds meet cell i, by offset into cellAreas (CSR form).
	box        orb.Bound
	cell       float64
	nx, ny     int
	cellStart  []int32
	cellAreas  []int32
	nearMargin float64
}

// Margin is how close to an edge (in degrees, about a millimetre) a point
// must be for AreaIndex to leave it to the caller.
const Margin = 1e-8

// NewAreaIndex indexes areas; nearMargin is the distance (in the areas'
// units) within which a point outside every area might still be given an
// area by the caller's rule (cm_district_of's "nearest within 100 m",
// prefiltered at 0.003°): Locate says a point farther than that from every
// area is in none, for certain, and leaves nearer ones to the caller.
func NewAreaIndex(areas []Area, nearMargin float64) *AreaIndex {
	ix := &AreaIndex{areas: areas, nearMargin: nearMargin}
	if len(areas) == 0 {
		return ix
	}
	ix.bounds = make([]orb.Bound, len(areas))
	ix.box = areas[0].Polygon.Bound()
	for i, a := range areas {
		ix.bounds[i] = a.Polygon.Bound()
		ix.box = ix.box.Union(ix.bounds[i])
	}
	ix.box = ix.box.Pad(nearMargin + Margin)
	w, h := ix.box.Max[0]-ix.box.Min[0], ix.box.Max[1]-ix.box.Min[1]
	// About four cells an area, none smaller than the near margin (a point
	// then needs at most its 3×3 neighbourhood for the near test).
	ix.cell = math.Max(math.Sqrt(w*h/float64(4*len(areas))), 2*nearMargin+Margin)
	if ix.cell <= 0 {
		ix.cell = 1
	}
	ix.nx, ix.ny = int(w/ix.cell)+1, int(h/ix.cell)+1
	counts := make([]int32, ix.nx*ix.ny+1)
	each := func(i int, fn func(c int)) {
		b := ix.bounds[i]
		i0, j0 := ix.cellOf(b.Min[0], b.Min[1])
		i1, j1 := ix.cellOf(b.Max[0], b.Max[1])
		for j := j0; j <= j1; j++ {
			for i := i0; i <= i1; i++ {
				fn(j*ix.nx + i)
			}
		}
	}
	for i := range areas {
		each(i, func(c int) { counts[c+1]++ })
	}
	for c := 1; c < len(counts); c++ {
		counts[c] += counts[c-1]
	}
	ix.cellStart = counts
	ix.cellAreas = make([]int32, counts[len(counts)-1])
	fill := make([]int32, ix.nx*ix.ny)
	for i := range areas {
		each(i, func(c int) {
			ix.cellAreas[counts[c]+fill[c]] = int32(i)
			fill[c]++
		})
	}
	return ix
}

func (ix *AreaIndex) cellOf(x, y float64) (int, int) {
	i := int((x - ix.box.Min[0]) / ix.cell)
	j := int((y - ix.box.Min[1]) / ix.cell)
	return min(max(i, 0), ix.nx-1), min(max(j, 0), ix.ny-1)
}

// Locate returns the code of the area holding p and known true; "" and
// known true when p is certainly in no area and farther than the near
// margin from all; known false when the caller's exact rule must decide (p
// on or within Margin of an edge, or outside every area but near one).
func (ix *AreaIndex) Locate(p orb.Point) (code string, known bool) {
	if len(ix.areas) == 0 {
		return "", true
	}
	if !ix.box.Contains(p) {
		return "", true
	}
	ci, cj := ix.cellOf(p[0], p[1])
	c := cj*ix.nx + ci
	best := -1
	for _, a := range ix.cellAreas[ix.cellStart[c]:ix.cellStart[c+1]] {
		if !ix.bounds[a].Pad(Margin).Contains(p) {
			continue
		}
		in, sure := polygonHolds(ix.areas[a].Polygon, p)
		if !sure {
			return "", false
		}
		if in && (best < 0 || ix.areas[a].Code < ix.areas[best].Code) {
			best = int(a)
		}
	}
	if best >= 0 {
		return ix.areas[best].Code, true
	}
	// In none: certain only when no area comes within the near margin
	// (the cell is at least twice that, so the 3×3 neighbourhood holds
	// every candidate).
	near := orb.Bound{Min: orb.Point{p[0] - ix.nearMargin, p[1] - ix.nearMargin},
		Max: orb.Point{p[0] + ix.nearMargin, p[1] + ix.nearMargin}}
	for j := max(cj-1, 0); j <= min(cj+1, ix.ny-1); j++ {
		for i := max(ci-1, 0); i <= min(ci+1, ix.nx-1); i++ {
			c := j*ix.nx + i
			for _, a := range ix.cellAreas[ix.cellStart[c]:ix.cellStart[c+1]] {
				if ix.bounds[a].Intersects(near) && polygonDistance(ix.areas[a].Polygon, p) <= ix.nearMargin+Margin {
					return "", false
				}
			}
		}
	}
	return "", true
}

// polygonHolds says whether the polygon (outer ring, then holes) holds p
// by even-odd ray crossing over all its rings, and sure false when p lies
// within Margin of an edge.
func polygonHolds(poly orb.Polygon, p orb.Point) (in, sure bool) {
	x, y := p[0], p[1]
	for _, ring := range poly {
		n := len(ring)
		for k := 0; k < n; k++ {
			a, b := ring[k], ring[(k+1)%n]
			// Near the edge's box: measure the distance to the edge.
			if x >= math.Min(a[0], b[0])-Margin && x <= math.Max(a[0], b[0])+Margin &&
				y >= math.Min(a[1], b[1])-Margin && y <= math.Max(a[1], b[1])+Margin &&
				segmentDistance(p, a, b) <= Margin {
				return false, false
			}
			if (a[1] > y) != (b[1] > y) {
				xc := a[0] + (y-a[1])*(b[0]-a[0])/(b[1]-a[1])
				if x < xc {
					in = !in
				}
			}
		}
	}
	return in, true
}

// polygonDistance is the distance from p to the nearest edge of poly.
func polygonDistance(poly orb.Polygon, p orb.Point) float64 {
	d := math.Inf(1)
	for _, ring := range poly {
		for k := range len(ring) {
			d = math.Min(d, segmentDistance(p, ring[k], ring[(k+1)%len(ring)]))
		}
	}
	return d
}

func segmentDistance(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
	}
	return math.Hypot(p[0]-(a[0]+t*dx), p[1]-(a[1]+t*dy))
}
