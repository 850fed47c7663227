package geo

import (
	"fmt"
	"iter"
	"math"
)

// CellID names one cell of a Grid. Its meaning depends on the grid: column
// and row for squares, axial coordinates (q, r) for hexagons.
type CellID struct{ I, J int32 }

// Grid is a regular tessellation of the plane of a metric coordinate system
// (metres), anchored at the system's origin.
type Grid interface {
	// Cell is the cell containing the point. A point on a boundary goes to
	// the cell whose centre is highest (largest y), then rightmost (largest
	// x), so every point belongs to exactly one cell.
	Cell(x, y float64) CellID
	// Centre is the cell's centre.
	Centre(c CellID) (x, y float64)
	// Polygon is the cell's boundary as a closed ring (first vertex
	// repeated last), counter-clockwise.
	Polygon(c CellID) [][2]float64
	// Neighbours are the cells sharing an edge or a corner with c (8 for
	// squares, 6 for hexagons), c excluded.
	Neighbours(c CellID) []CellID
	// Area is the area of every cell, in square metres.
	Area() float64
	// CellsInRect yields each cell whose centre lies in the closed rectangle
	// [minx, maxx] × [miny, maxy], once, in a fixed order. An empty,
	// infinite or NaN rectangle yields nothing.
	CellsInRect(minx, miny, maxx, maxy float64) iter.Seq[CellID]
	// CountInRect is the number of cells CellsInRect yields, computed
	// without visiting them.
	CountInRect(minx, miny, maxx, maxy float64) int
}

// SquareGrid is a grid of axis-aligned squares of side Size metres. Cell
// (I, J) covers [I·Size, (I+1)·Size) × [J·Size, (J+1)·Size), so Cell is
// (floor(x/Size), floor(y/Size)), the same binning as SQL's
// floor(x/size), floor(y/size).
type SquareGrid struct{ size float64 }

// NewSquareGrid returns a square grid of side size metres.
func NewSquareGrid(size float64) (*SquareGrid, error) {
	if !(size > 0) || math.IsInf(size, 0) {
		return nil, fmt.Errorf("geo: square grid size %v: %w", size, ErrInvalidInput)
	}
	return &SquareGrid{size: size}, nil
}

// Size is the side of a cell in metres.
func (g *SquareGrid) Size() float64 { return g.size }

// Cell implements Grid.
func (g *SquareGrid) Cell(x, y float64) CellID {
	return CellID{int32(math.Floor(x / g.size)), int32(math.Floor(y / g.size))}
}

// Centre implements Grid.
func (g *SquareGrid) Centre(c CellID) (x, y float64) {
	return (float64(c.I) + 0.5) * g.size, (float64(c.J) + 0.5) * g.size
}

// Polygon implements Grid: lower-left, lower-right, upper-right, upper-left.
func (g *SquareGrid) Polygon(c CellID) [][2]float64 {
	x0, y0 := float64(c.I)*g.size, float64(c.J)*g.size
	x1, y1 := float64(c.I+1)*g.size, float64(c.J+1)*g.size
	return [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

var queen = [8]CellID{{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}}

// Neighbours implements Grid (queen contiguity).
func (g *SquareGrid) Neighbours(c CellID) []CellID {
	out := make([]CellID, len(queen))
	for k, d := range queen {
		out[k] = CellID{c.I + d.I, c.J + d.J}
	}
	return out
}

// Area implements Grid.
func (g *SquareGrid) Area() float64 { return g.size * g.size }

// CellsInRect implements Grid: rows bottom to top, each left to right.
func (g *SquareGrid) CellsInRect(minx, miny, maxx, maxy float64) iter.Seq[CellID] {
	return func(yield func(CellID) bool) {
		i0, i1 := g.centreRange(minx, maxx)
		j0, j1 := g.centreRange(miny, maxy)
		for j := j0; j <= j1; j++ {
			for i := i0; i <= i1; i++ {
				if !yield(CellID{int32(i), int32(j)}) {
					return
				}
			}
		}
	}
}

// CountInRect implements Grid.
func (g *SquareGrid) CountInRect(minx, miny, maxx, maxy float64) int {
	i0, i1 := g.centreRange(minx, maxx)
	j0, j1 := g.centreRange(miny, maxy)
	if i1 < i0 || j1 < j0 {
		return 0
	}
	return (i1 - i0 + 1) * (j1 - j0 + 1)
}

// centreRange is the range of k with lo ≤ (k+0.5)·size ≤ hi.
func (g *SquareGrid) centreRange(lo, hi float64) (int, int) {
	return intRange(lo, hi, func(k int) float64 { return (float64(k) + 0.5) * g.size }, g.size)
}

// intRange returns the smallest k0 and largest k1 with lo ≤ f(k) ≤ hi, for
// f increasing by step per unit of k. It estimates both ends by division
// and then corrects them against f itself, so membership agrees exactly with
// the floating-point centres the grid reports. k1 < k0 means none.
func intRange(lo, hi float64, f func(int) float64, step float64) (int, int) {
	if !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return 0, -1
	}
	k0 := int(math.Ceil((lo - f(0)) / step))
	for f(k0) < lo {
		k0++
	}
	for f(k0-1) >= lo {
		k0--
	}
	k1 := int(math.Floor((hi - f(0)) / step))
	for f(k1) > hi {
		k1--
	}
	for f(k1+1) <= hi {
		k1++
	}
	return k0, k1
}

// HexOrientation says which way up hexagons sit.
type HexOrientation int

const (
	// PointyTop hexagons have a vertex at the top; rows of cells are
	// horizontal, with neighbouring centres Size apart along x.
	PointyTop HexOrientation = iota
	// FlatTop hexagons have an edge at the top; columns of cells are
	// vertical, with neighbouring centres Size apart along y.
	FlatTop
)

// HexGrid is a grid of regular hexagons whose width across flats (the
// distance between opposite edges) is Size metres. Equivalently, the
// centres of neighbouring cells are Size apart, the circumradius (edge
// length) is Size/√3, and a cell's area is (√3/2)·Size².
//
// Note that PostGIS's ST_HexagonGrid(size, …) takes the edge length: our
// Size s is its size s/√3 (and it is flat-topped).
//
// Cells are named by axial coordinates (q, r) = (I, J), with cell (0, 0)
// centred on the origin. Centres are
//
//	PointyTop: x = Size·(q + r/2),   y = Size·(√3/2)·r
//	FlatTop:   x = Size·(√3/2)·q,    y = Size·(r + q/2)
//
// and Cell assigns a point to the hexagon with the nearest centre, by cube
// rounding of the fractional axial coordinates, with boundary points
// (within 1e-9·Size² in squared distance) going to the highest, then
// rightmost, of the tied centres.
type HexGrid struct {
	size   float64
	orient HexOrientation
	// corner offsets from the centre, counter-clockwise.
	corners [6][2]float64
}

// NewHexGrid returns a hexagon grid of width across flats size metres.
func NewHexGrid(size float64, o HexOrientation) (*HexGrid, error) {
	if !(size > 0) || math.IsInf(size, 0) {
		return nil, fmt.Errorf("geo: hex grid size %v: %w", size, ErrInvalidInput)
	}
	if o != PointyTop && o != FlatTop {
		return nil, fmt.Errorf("geo: hex orientation %d: %w", o, ErrInvalidInput)
	}
	g := &HexGrid{size: size, orient: o}
	r := size / math.Sqrt(3) // circumradius
	// Pointy: corners at 30°+60°k; flat: at 60°k. Written with exact
	// half-size and half-radius values rather than through sin and cos.
	pointy := [6][2]float64{
		{size / 2, r / 2}, {0, r}, {-size / 2, r / 2},
		{-size / 2, -r / 2}, {0, -r}, {size / 2, -r / 2},
	}
	flat := [6][2]float64{
		{r, 0}, {r / 2, size / 2}, {-r / 2, size / 2},
		{-r, 0}, {-r / 2, -size / 2}, {r / 2, -size / 2},
	}
	if o == PointyTop {
		g.corners = pointy
	} else {
		g.corners = flat
	}
	return g, nil
}

// Size is the width across flats in metres (= distance between
// neighbouring centres).
func (g *HexGrid) Size() float64 { return g.size }

// Orientation is the grid's orientation.
func (g *HexGrid) Orientation() HexOrientation { return g.orient }

const sqrt3over2 = 0.8660254037844386 // √3/2

// Centre implements Grid.
func (g *HexGrid) Centre(c CellID) (x, y float64) {
	q, r := float64(c.I), float64(c.J)
	if g.orient == PointyTop {
		return g.size * (q + r/2), g.size * sqrt3over2 * r
	}
	return g.size * sqrt3over2 * q, g.size * (r + q/2)
}

// Cell implements Grid.
func (g *HexGrid) Cell(x, y float64) CellID {
	best := cubeRound(g.axialFrac(x, y))

	// Cube rounding finds the nearest centre; checking the six around it
	// settles boundary points by the documented rule and guards against
	// rounding error in the fractional coordinates.
	bx, by := g.Centre(best)
	bd := sq(x-bx) + sq(y-by)
	eps := 1e-9 * g.size * g.size
	for _, d := range axial {
		c := CellID{best.I + d.I, best.J + d.J}
		cx, cy := g.Centre(c)
		dd := sq(x-cx) + sq(y-cy)
		if dd < bd-eps || (dd <= bd+eps && (cy > by || (cy == by && cx > bx))) {
			best, bx, by, bd = c, cx, cy, dd
		}
	}
	return best
}

// axialFrac inverts Centre: the fractional axial coordinates of a point.
func (g *HexGrid) axialFrac(x, y float64) (qf, rf float64) {
	if g.orient == PointyTop {
		rf = y / (g.size * sqrt3over2)
		return x/g.size - rf/2, rf
	}
	qf = x / (g.size * sqrt3over2)
	return qf, y/g.size - qf/2
}

// cubeRound rounds fractional axial coordinates to the hexagon containing
// them: round all three cube coordinates (q, r, s = −q−r) and recompute the
// one that moved most from the other two.
func cubeRound(qf, rf float64) CellID {
	sf := -qf - rf
	q, r, s := math.Round(qf), math.Round(rf), math.Round(sf)
	dq, dr, ds := math.Abs(q-qf), math.Abs(r-rf), math.Abs(s-sf)
	switch {
	case dq > dr && dq > ds:
		q = -r - s
	case dr > ds:
		r = -q - s
	}
	return CellID{int32(q), int32(r)}
}

func sq(v float64) float64 { return v * v }

// axial are the six neighbour offsets, counter-clockwise for pointy-top
// cells starting east (and starting north-east for flat-top cells).
var axial = [6]CellID{{1, 0}, {0, 1}, {-1, 1}, {-1, 0}, {0, -1}, {1, -1}}

// Polygon implements Grid.
func (g *HexGrid) Polygon(c CellID) [][2]float64 {
	cx, cy := g.Centre(c)
	ring := make([][2]float64, 7)
	for k, d := range g.corners {
		ring[k] = [2]float64{cx + d[0], cy + d[1]}
	}
	ring[6] = ring[0]
	return ring
}

// Neighbours implements Grid.
func (g *HexGrid) Neighbours(c CellID) []CellID {
	out := make([]CellID, len(axial))
	for k, d := range axial {
		out[k] = CellID{c.I + d.I, c.J + d.J}
	}
	return out
}

// Area implements Grid.
func (g *HexGrid) Area() float64 { return sqrt3over2 * g.size * g.size }

// lines returns the range of "lines" (rows of a pointy grid, columns of a
// flat one) with centres in the rectangle, and for a given line the range
// of cells along it.
func (g *HexGrid) lines(minx, miny, maxx, maxy float64) (l0, l1 int, along func(l int) (int, int)) {
	pitch := g.size * sqrt3over2
	if g.orient == PointyTop {
		l0, l1 = intRange(miny, maxy, func(r int) float64 { _, y := g.Centre(CellID{0, int32(r)}); return y }, pitch)
		return l0, l1, func(r int) (int, int) {
			return intRange(minx, maxx, func(q int) float64 { x, _ := g.Centre(CellID{int32(q), int32(r)}); return x }, g.size)
		}
	}
	l0, l1 = intRange(minx, maxx, func(q int) float64 { x, _ := g.Centre(CellID{int32(q), 0}); return x }, pitch)
	return l0, l1, func(q int) (int, int) {
		return intRange(miny, maxy, func(r int) float64 { _, y := g.Centre(CellID{int32(q), int32(r)}); return y }, g.size)
	}
}

// CellsInRect implements Grid: pointy grids row by row bottom to top, each
// left to right; flat grids column by column left to right, each bottom to
// top.
func (g *HexGrid) CellsInRect(minx, miny, maxx, maxy float64) iter.Seq[CellID] {
	return func(yield func(CellID) bool) {
		l0, l1, along := g.lines(minx, miny, maxx, maxy)
		for l := l0; l <= l1; l++ {
			k0, k1 := along(l)
			for k := k0; k <= k1; k++ {
				c := CellID{int32(k), int32(l)}
				if g.orient == FlatTop {
					c = CellID{int32(l), int32(k)}
				}
				if !yield(c) {
					return
				}
			}
		}
	}
}

// CountInRect implements Grid.
func (g *HexGrid) CountInRect(minx, miny, maxx, maxy float64) int {
	n := 0
	l0, l1, along := g.lines(minx, miny, maxx, maxy)
	for l := l0; l <= l1; l++ {
		if k0, k1 := along(l); k1 >= k0 {
			n += k1 - k0 + 1
		}
	}
	return n
}
