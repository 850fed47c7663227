package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func mustSquare(t testing.TB, size float64) *SquareGrid {
	t.Helper()
	g, err := NewSquareGrid(size)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustHex(t testing.TB, size float64, o HexOrientation) *HexGrid {
	t.Helper()
	g, err := NewHexGrid(size, o)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// allGrids is one grid of each kind at size 100 m.
func allGrids(t testing.TB) map[string]Grid {
	return map[string]Grid{
		"square":     mustSquare(t, 100),
		"hex-pointy": mustHex(t, 100, PointyTop),
		"hex-flat":   mustHex(t, 100, FlatTop),
	}
}

// Square cells are half-open [I·s, (I+1)·s): a point on a vertical edge
// belongs to the cell on its right, on a horizontal edge to the cell above,
// on a corner to the cell up and to the right.
func TestSquareEdgesAndCorners(t *testing.T) {
	g := mustSquare(t, 100)
	cases := []struct {
		x, y float64
		want CellID
	}{
		{0, 0, CellID{0, 0}},
		{50, 50, CellID{0, 0}},
		{99.999, 99.999, CellID{0, 0}},
		{100, 50, CellID{1, 0}},    // vertical edge → right
		{50, 100, CellID{0, 1}},    // horizontal edge → above
		{100, 100, CellID{1, 1}},   // corner → up-right
		{-0.001, 0, CellID{-1, 0}}, // just left of the origin
		{-100, -100, CellID{-1, -1}},
		{-100.001, -250, CellID{-2, -3}},
		{340255.03, 555705.66, CellID{3402, 5557}}, // Carlisle in BNG
	}
	for _, c := range cases {
		if got := g.Cell(c.x, c.y); got != c.want {
			t.Errorf("Cell(%v, %v) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	if x, y := g.Centre(CellID{-2, 3}); x != -150 || y != 350 {
		t.Errorf("Centre(-2, 3) = (%v, %v), want (-150, 350)", x, y)
	}
}

// Hexagons of width across flats 100 m. Pointy-top centres: (0,0)→(0,0),
// (1,0)→(100,0), (0,1)→(50, 86.603), (-1,1)→(-50, 86.603),
// (0,-1)→(-50,-86.603), (1,-1)→(50,-86.603). Circumradius R = 100/√3 =
// 57.735. Ties go to the highest centre, then the rightmost.
func TestHexEdgesAndCorners(t *testing.T) {
	h := 100 * math.Sqrt(3) / 2 // 86.603, row pitch
	R := 100 / math.Sqrt(3)     // 57.735
	pointy := mustHex(t, 100, PointyTop)
	flat := mustHex(t, 100, FlatTop)
	cases := []struct {
		name string
		g    *HexGrid
		x, y float64
		want CellID
	}{
		{"pointy centre", pointy, 0, 0, CellID{0, 0}},
		{"pointy centre (0,1)", pointy, 50, h, CellID{0, 1}},
		// Midpoint of (0,0)–(1,0), on their shared vertical edge: same
		// height, so the rightmost, (1,0).
		{"pointy vertical edge", pointy, 50, 0, CellID{1, 0}},
		// Midpoint of (0,0)–(0,1) (centre (50, h)): higher wins, (0,1).
		{"pointy sloping edge", pointy, 25, h / 2, CellID{0, 1}},
		// Top vertex of (0,0), shared with (0,1) and (-1,1) at equal height:
		// rightmost of those, (0,1).
		{"pointy top vertex", pointy, 0, R, CellID{0, 1}},
		// Bottom vertex of (0,0), shared with (0,-1), (1,-1) below: (0,0).
		{"pointy bottom vertex", pointy, 0, -R, CellID{0, 0}},
		// Just inside (0,0) beside its top vertex.
		{"pointy below top vertex", pointy, 0, R - 1e-6, CellID{0, 0}},
		// Flat-top: (0,1)→(0,100) straight above, (1,0)→(h, 50).
		{"flat horizontal edge", flat, 0, 50, CellID{0, 1}},
		{"flat sloping edge", flat, h / 2, 25, CellID{1, 0}},
		// Right vertex of (0,0) at (R, 0): shared with (1,0) at (h, 50) and
		// (1,-1) at (h, -50): highest is (1,0).
		{"flat right vertex", flat, R, 0, CellID{1, 0}},
		{"flat negative", flat, -h, -50, CellID{-1, 0}},
	}
	for _, c := range cases {
		if got := c.g.Cell(c.x, c.y); got != c.want {
			t.Errorf("%s: Cell(%v, %v) = %v, want %v", c.name, c.x, c.y, got, c.want)
		}
	}
}

// For thousands of random points, Cell must return a cell whose centre is
// as near as any centre in a wide window around the point. The window is
// found from the grid's extent alone, not from Cell, so the check is
// independent of cube rounding.
func TestNearestCentreBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for name, g := range allGrids(t) {
		for _, origin := range [][2]float64{{0, 0}, {340000, 555000}} {
			// Every cell with |I|, |J| ≤ 30 around the origin's cell covers
			// far more than the ±1000 m square the points are drawn from.
			oc := CellID{}
			if origin != [2]float64{} {
				// Find the cell near the origin by brute force over a coarse
				// scan of indices whose centre is within 200 m.
				oc = bruteNearest(g, origin[0], origin[1], scanAround(g, origin[0], origin[1]))
			}
			var cands []CellID
			for i := oc.I - 30; i <= oc.I+30; i++ {
				for j := oc.J - 30; j <= oc.J+30; j++ {
					cands = append(cands, CellID{i, j})
				}
			}
			for range 3000 {
				x := origin[0] + (rng.Float64()*2-1)*1000
				y := origin[1] + (rng.Float64()*2-1)*1000
				got := g.Cell(x, y)
				want := bruteNearest(g, x, y, cands)
				gx, gy := g.Centre(got)
				wx, wy := g.Centre(want)
				dg, dw := math.Hypot(x-gx, y-gy), math.Hypot(x-wx, y-wy)
				if dg > dw+1e-9 {
					t.Fatalf("%s: Cell(%v, %v) = %v at %.6f m, but %v is at %.6f m", name, x, y, got, dg, want, dw)
				}
			}
		}
	}
}

// Cube rounding on its own, without the tie-breaking check Cell adds,
// already finds the nearest centre for points off the boundaries.
func TestCubeRoundAlone(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, o := range []HexOrientation{PointyTop, FlatTop} {
		g := mustHex(t, 100, o)
		var cands []CellID
		for i := int32(-20); i <= 20; i++ {
			for j := int32(-20); j <= 20; j++ {
				cands = append(cands, CellID{i, j})
			}
		}
		for range 5000 {
			x, y := (rng.Float64()*2-1)*800, (rng.Float64()*2-1)*800
			got, want := cubeRound(g.axialFrac(x, y)), bruteNearest(g, x, y, cands)
			if got != want {
				t.Fatalf("orientation %d: cubeRound at (%v, %v) = %v, nearest %v", o, x, y, got, want)
			}
		}
	}
}

// scanAround lists cell ids whose centre could be near (x, y), found by
// solving the centre formulas for the indices rather than by calling Cell.
func scanAround(g Grid, x, y float64) []CellID {
	var i0, j0 int32
	switch g := g.(type) {
	case *SquareGrid:
		i0, j0 = int32(x/g.size), int32(y/g.size)
	case *HexGrid:
		if g.orient == PointyTop {
			j0 = int32(y / (g.size * math.Sqrt(3) / 2))
			i0 = int32(x/g.size - float64(j0)/2)
		} else {
			i0 = int32(x / (g.size * math.Sqrt(3) / 2))
			j0 = int32(y/g.size - float64(i0)/2)
		}
	}
	var out []CellID
	for i := i0 - 5; i <= i0+5; i++ {
		for j := j0 - 5; j <= j0+5; j++ {
			out = append(out, CellID{i, j})
		}
	}
	return out
}

func bruteNearest(g Grid, x, y float64, cands []CellID) CellID {
	best, bd := cands[0], math.Inf(1)
	for _, c := range cands {
		cx, cy := g.Centre(c)
		if d := math.Hypot(x-cx, y-cy); d < bd {
			best, bd = c, d
		}
	}
	return best
}

// signedArea is the shoelace formula: positive for counter-clockwise rings.
func signedArea(ring [][2]float64) float64 {
	a := 0.0
	for k := 0; k+1 < len(ring); k++ {
		a += ring[k][0]*ring[k+1][1] - ring[k+1][0]*ring[k][1]
	}
	return a / 2
}

// Polygons are closed, counter-clockwise (positive signed area), have the
// area Area() reports, and agree with Cell: a point slightly inside each
// vertex (pulled 0.1% towards the centre) and the centre itself belong to
// the cell. Areas worked by hand: a 100 m square is 10,000 m²; a hexagon
// 100 m across flats is six triangles of base R = 100/√3 and height 50, i.e.
// 6·(1/2)·(100/√3)·50 = 15000/√3 = 8660.254 m².
func TestPolygons(t *testing.T) {
	wantArea := map[string]float64{"square": 10000, "hex-pointy": 15000 / math.Sqrt(3), "hex-flat": 15000 / math.Sqrt(3)}
	wantVerts := map[string]int{"square": 5, "hex-pointy": 7, "hex-flat": 7}
	for name, g := range allGrids(t) {
		if math.Abs(g.Area()-wantArea[name]) > 1e-9 {
			t.Errorf("%s: Area() = %v, want %v", name, g.Area(), wantArea[name])
		}
		for _, c := range []CellID{{0, 0}, {3, -7}, {-12, 5}, {3402, 5557}} {
			ring := g.Polygon(c)
			if len(ring) != wantVerts[name] || ring[0] != ring[len(ring)-1] {
				t.Errorf("%s %v: ring not closed or wrong length: %v", name, c, ring)
			}
			a := signedArea(ring)
			if a <= 0 {
				t.Errorf("%s %v: signed area %v, want counter-clockwise (> 0)", name, c, a)
			}
			if math.Abs(a-g.Area()) > 1e-6*g.Area() {
				t.Errorf("%s %v: polygon area %v, Area() %v", name, c, a, g.Area())
			}
			cx, cy := g.Centre(c)
			if got := g.Cell(cx, cy); got != c {
				t.Errorf("%s: Cell(Centre(%v)) = %v", name, c, got)
			}
			for _, v := range ring[:len(ring)-1] {
				px, py := cx+(v[0]-cx)*0.999, cy+(v[1]-cy)*0.999
				if got := g.Cell(px, py); got != c {
					t.Errorf("%s: point inside vertex %v of %v went to %v", name, v, c, got)
				}
			}
		}
	}
}

// Neighbours: 8 for squares (centres at s or s√2), 6 for hexagons (all at
// exactly s = 100 m, the width across flats), never the cell itself, no
// repeats, and symmetric.
func TestNeighbours(t *testing.T) {
	want := map[string]int{"square": 8, "hex-pointy": 6, "hex-flat": 6}
	for name, g := range allGrids(t) {
		for _, c := range []CellID{{0, 0}, {5, -3}, {-1, -1}} {
			ns := g.Neighbours(c)
			if len(ns) != want[name] {
				t.Fatalf("%s: %d neighbours, want %d", name, len(ns), want[name])
			}
			seen := map[CellID]bool{}
			cx, cy := g.Centre(c)
			for _, n := range ns {
				if n == c || seen[n] {
					t.Errorf("%s: neighbours of %v include itself or repeat: %v", name, c, ns)
				}
				seen[n] = true
				nx, ny := g.Centre(n)
				d := math.Hypot(nx-cx, ny-cy)
				ok := math.Abs(d-100) < 1e-9 || (name == "square" && math.Abs(d-100*math.Sqrt2) < 1e-9)
				if !ok {
					t.Errorf("%s: neighbour %v of %v is %v m away", name, n, c, d)
				}
				back := false
				for _, m := range g.Neighbours(n) {
					back = back || m == c
				}
				if !back {
					t.Errorf("%s: %v neighbours %v but not the reverse", name, c, n)
				}
			}
		}
	}
}

// Counts worked by hand, then random rectangles checked against a brute
// force over a window of cells.
func TestCellsInRect(t *testing.T) {
	// Square, s = 100, [0,1000]×[0,500]: centres 50..950 (10) by 50..450 (5).
	// Hex pointy, s = 100, [0,1000]²: rows r with 0 ≤ 86.603·r ≤ 1000 are
	// r = 0..11 (12 rows; r = 12 would be at 1039). Along a row x = 100·(q +
	// r/2) ∈ [0, 1000]: even rows q + r/2 ∈ {0..10}, 11 cells; odd rows
	// {0.5..9.5}, 10 cells. 6·11 + 6·10 = 126.
	// Hex flat, same square: the same count by symmetry (swap x and y).
	// Closed edges: [50, 950] still holds the centres at 50 and 950.
	hand := []struct {
		g                      Grid
		minx, miny, maxx, maxy float64
		want                   int
	}{
		{mustSquare(t, 100), 0, 0, 1000, 500, 50},
		{mustSquare(t, 100), 50, 50, 950, 450, 50},
		{mustSquare(t, 100), 50.001, 50, 950, 450, 45},
		{mustSquare(t, 100), -100, -100, -1, -1, 1},
		{mustHex(t, 100, PointyTop), 0, 0, 1000, 1000, 126},
		{mustHex(t, 100, FlatTop), 0, 0, 1000, 1000, 126},
		{mustSquare(t, 100), 10, 10, 0, 0, 0},
		{mustSquare(t, 100), math.Inf(-1), 0, 0, 0, 0},
	}
	for k, c := range hand {
		n := 0
		for range c.g.CellsInRect(c.minx, c.miny, c.maxx, c.maxy) {
			n++
		}
		if n != c.want || c.g.CountInRect(c.minx, c.miny, c.maxx, c.maxy) != c.want {
			t.Errorf("case %d: iterated %d, counted %d, want %d", k, n, c.g.CountInRect(c.minx, c.miny, c.maxx, c.maxy), c.want)
		}
	}

	rng := rand.New(rand.NewPCG(5, 6))
	for name, g := range allGrids(t) {
		for range 300 {
			x0, y0 := (rng.Float64()*2-1)*1500, (rng.Float64()*2-1)*1500
			x1, y1 := x0+rng.Float64()*800, y0+rng.Float64()*800
			want := map[CellID]bool{}
			for i := int32(-30); i <= 30; i++ {
				for j := int32(-30); j <= 30; j++ {
					cx, cy := g.Centre(CellID{i, j})
					if cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1 {
						want[CellID{i, j}] = true
					}
				}
			}
			got := map[CellID]bool{}
			for c := range g.CellsInRect(x0, y0, x1, y1) {
				if got[c] {
					t.Fatalf("%s: %v yielded twice", name, c)
				}
				got[c] = true
				if !want[c] {
					t.Fatalf("%s: %v yielded but centre outside rect", name, c)
				}
			}
			if len(got) != len(want) || g.CountInRect(x0, y0, x1, y1) != len(want) {
				t.Fatalf("%s: rect (%v,%v)-(%v,%v): yielded %d, counted %d, brute force %d",
					name, x0, y0, x1, y1, len(got), g.CountInRect(x0, y0, x1, y1), len(want))
			}
		}
	}
}

func TestNewGridRejectsBadSize(t *testing.T) {
	for _, s := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := NewSquareGrid(s); err == nil {
			t.Errorf("NewSquareGrid(%v) accepted", s)
		}
		if _, err := NewHexGrid(s, PointyTop); err == nil {
			t.Errorf("NewHexGrid(%v) accepted", s)
		}
	}
	if _, err := NewHexGrid(100, HexOrientation(7)); err == nil {
		t.Error("NewHexGrid accepted orientation 7")
	}
}
