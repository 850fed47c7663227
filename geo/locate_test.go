package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func TestAreaIndexLocate(t *testing.T) {
	// Two districts side by side sharing the edge x = 1: "B" is the unit
	// square [0,1]², "A" is [1,2]×[0,1] with a hole [1.4,1.6]². "C" overlaps
	// the top of "B" ([0,1]×[0.9,1.5]). The near margin is 0.1.
	areas := []Area{
		{Code: "B", Polygon: orb.Polygon{square(0, 0, 1, 1)}},
		{Code: "A", Polygon: orb.Polygon{square(1, 0, 2, 1), square(1.4, 0.4, 1.6, 0.6)}},
		{Code: "C", Polygon: orb.Polygon{square(0, 0.9, 1, 1.5)}},
	}
	ix := NewAreaIndex(areas, 0.1)
	cases := []struct {
		name  string
		p     orb.Point
		code  string
		known bool
	}{
		{"inside B", orb.Point{0.5, 0.5}, "B", true},
		{"inside A", orb.Point{1.2, 0.2}, "A", true},
		{"in A's hole: in no district, but near A", orb.Point{1.5, 0.5}, "", false},
		{"on the edge B and A share: the exact rule decides", orb.Point{1, 0.5}, "", false},
		{"a hair inside B from the shared edge", orb.Point{1 - Margin/2, 0.5}, "", false},
		{"just inside B, beyond the margin", orb.Point{1 - 4*Margin, 0.5}, "B", true},
		{"in B and C: the smaller code wins", orb.Point{0.5, 0.95}, "B", true},
		{"in C only", orb.Point{0.5, 1.2}, "C", true},
		{"outside, within the near margin of A", orb.Point{2.05, 0.5}, "", false},
		{"outside, beyond the near margin of all", orb.Point{2.5, 0.5}, "", true},
		{"far away", orb.Point{-40, 60}, "", true},
		{"on a vertex", orb.Point{0, 0}, "", false},
	}
	for _, c := range cases {
		code, known := ix.Locate(c.p)
		if code != c.code || known != c.known {
			t.Errorf("%s %v: got %q known %v, want %q known %v", c.name, c.p, code, known, c.code, c.known)
		}
	}
}

// TestAreaIndexAgreesWithPlanar checks Locate against orb's planar
// PolygonContains (an independent point-in-polygon test) on random points
// and a random star-shaped polygon cut into many pieces, wherever Locate
// says it knows.
func TestAreaIndexAgreesWithPlanar(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var areas []Area
	// A 6×6 grid of irregular star polygons, each its own code.
	for gi := range 6 {
		for gj := range 6 {
			cx, cy := float64(gi), float64(gj)
			var ring orb.Ring
			for k := range 40 {
				a := 2 * math.Pi * float64(k) / 40
				r := 0.2 + 0.25*rng.Float64()
				ring = append(ring, orb.Point{cx + r*math.Cos(a), cy + r*math.Sin(a)})
			}
			ring = append(ring, ring[0])
			areas = append(areas, Area{Code: string(rune('a'+gi)) + string(rune('a'+gj)), Polygon: orb.Polygon{ring}})
		}
	}
	ix := NewAreaIndex(areas, 0.003)
	knownIn, knownOut, unsure := 0, 0, 0
	for range 100000 {
		p := orb.Point{-0.6 + 6.2*rng.Float64(), -0.6 + 6.2*rng.Float64()}
		code, known := ix.Locate(p)
		if !known {
			unsure++
			continue
		}
		want := ""
		for _, a := range areas {
			if planar.PolygonContains(a.Polygon, p) && (want == "" || a.Code < want) {
				want = a.Code
			}
		}
		if code != want {
			t.Fatalf("%v: Locate %q, planar %q", p, code, want)
		}
		if code == "" {
			knownOut++
		} else {
			knownIn++
		}
	}
	// Unsure points are those within 0.003 of a polygon but outside it (a
	// thin band) or within Margin of an edge: a few percent.
	if knownIn < 25000 || knownOut < 25000 || unsure > 10000 {
		t.Errorf("in %d, out %d, unsure %d: the index should decide nearly every point", knownIn, knownOut, unsure)
	}
}
