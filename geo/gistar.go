package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// GiStarCell is the Getis-Ord Gi* statistic of one cell.
type GiStarCell struct {
	Cell CellID
	// Value is the cell's own value x_i.
	Value float64
	// Sum is Σ_j w_ij x_j over the cell and its neighbours.
	Sum float64
	// Z is Gi*, a z-score.
	Z float64
	// P is the two-sided p-value of Z under the standard normal.
	P float64
	// Q is P adjusted by Benjamini–Hochberg over all N cells of the study
	// area: the smallest false discovery rate at which the cell is
	// significant.
	Q float64
	// Bin is ArcGIS's Gi_Bin with FDR correction: ±3, ±2, ±1 when Q ≤ 0.01,
	// 0.05, 0.10 (99, 95, 90% confidence), signed like Z; 0 otherwise.
	Bin int
}

// GiStarBackground describes the cells of the study area that GiStar does
// not list: every cell whose neighbourhood (itself included) holds only
// zeros. They all share one Z.
type GiStarBackground struct {
	Count int
	Z, P  float64
	Q     float64
	Bin   int
}

// GiStarResult is the output of GiStar.
type GiStarResult struct {
	// N is the number of cells in the study area.
	N int
	// Mean and SD are X̄ = Σx/N and S = √(Σx²/N − X̄²).
	Mean, SD float64
	// Weights is Σ_j w_ij for every cell: 1 + the grid's neighbour count.
	Weights int
	// Cells holds every cell with a non-zero value or a non-zero
	// neighbour, ordered by I, then J.
	Cells []GiStarCell
	// Background summarises the other N − len(Cells) cells.
	Background GiStarBackground
}

// GiStar computes the Getis-Ord Gi* statistic (Ord & Getis 1995, eq. 8–9)
// for every cell of a study area of n cells on grid g, given the non-zero
// cell values; every other study-area cell is zero.
//
// Weights are binary: w_ij = 1 when j is i or a grid neighbour of i (queen
// for squares, the six for hexagons), else 0. Every cell gets the full
// neighbourhood: a neighbour outside the study area counts as a zero that
// is not one of the n. So the study area must contain every non-zero cell
// and all its neighbours (pad the area by one ring of cells), and n must be
// at least the number of such cells. Then, with W = Σ_j w_ij,
//
//	Gi*_i = (Σ_j w_ij x_j − X̄·W) / (S·√((n·W − W²)/(n − 1)))
//
// P is two-sided under the standard normal, Q is the Benjamini–Hochberg
// adjustment of P across all n cells (the background cells included, as
// one block of equal p-values), and Bin follows ArcGIS's Gi_Bin with its
// FDR correction.
func GiStar(values map[CellID]float64, g Grid, n int) (*GiStarResult, error) {
	w := 1 + len(g.Neighbours(CellID{}))
	if n <= w {
		return nil, fmt.Errorf("geo: Gi* needs more than %d study-area cells, got %d: %w", w, n, ErrInvalidInput)
	}
	var sum, sum2 float64
	nonZero := 0
	for c, x := range values {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("geo: Gi* value %v at cell %v: %w", x, c, ErrInvalidInput)
		}
		if x != 0 {
			sum += x
			sum2 += x * x
			nonZero++
		}
	}
	if nonZero > n {
		return nil, fmt.Errorf("geo: Gi* has %d non-zero cells in a study area of %d: %w", nonZero, n, ErrInvalidInput)
	}
	fn := float64(n)
	mean := sum / fn
	variance := sum2/fn - mean*mean
	// All-equal values leave only rounding error in the variance.
	if variance <= 1e-12*(sum2/fn) || nonZero == 0 {
		return nil, fmt.Errorf("geo: Gi* over %d cells: %w", n, ErrNoVariance)
	}
	sd := math.Sqrt(variance)
	fw := float64(w)
	denom := sd * math.Sqrt((fn*fw-fw*fw)/(fn-1))
	z := func(s float64) float64 { return (s - mean*fw) / denom }

	// Each non-zero value contributes to the neighbourhood sums of its cell
	// and of its neighbours: exactly the cells to report. Sorting the
	// contributions by cell and adding up runs needs no hash map and leaves
	// the cells in a fixed order.
	type contrib struct {
		key  uint64 // cellKey, orders by I then J
		x    float64
		self bool
	}
	contribs := make([]contrib, 0, nonZero*w)
	var ns []CellID
	for c, x := range values {
		if x == 0 {
			continue
		}
		contribs = append(contribs, contrib{cellKey(c), x, true})
		ns = appendNeighbours(g, ns[:0], c)
		for _, nb := range ns {
			contribs = append(contribs, contrib{cellKey(nb), x, false})
		}
	}
	slices.SortFunc(contribs, func(a, b contrib) int { return cmp.Compare(a.key, b.key) })
	distinct := 0
	for k := range contribs {
		if k == 0 || contribs[k].key != contribs[k-1].key {
			distinct++
		}
	}
	cells := make([]GiStarCell, 0, distinct)
	for k := 0; k < len(contribs); {
		c := GiStarCell{Cell: keyCell(contribs[k].key)}
		for ; k < len(contribs) && cellKey(c.Cell) == contribs[k].key; k++ {
			c.Sum += contribs[k].x
			if contribs[k].self {
				c.Value = contribs[k].x
			}
		}
		cells = append(cells, c)
	}
	if len(cells) > n {
		return nil, fmt.Errorf("geo: Gi* touches %d cells (non-zero cells and their neighbours) but the study area has %d: %w", len(cells), n, ErrInvalidInput)
	}
	for k := range cells {
		cells[k].Z = z(cells[k].Sum)
		cells[k].P = twoSidedP(cells[k].Z)
	}
	bg := GiStarBackground{Count: n - len(cells), Z: z(0)}
	bg.P = twoSidedP(bg.Z)

	bhAdjust(cells, &bg, n)
	for k := range cells {
		cells[k].Bin = giBin(cells[k].Z, cells[k].Q)
	}
	bg.Bin = giBin(bg.Z, bg.Q)

	return &GiStarResult{N: n, Mean: mean, SD: sd, Weights: w, Cells: cells, Background: bg}, nil
}

// cellKey packs a cell into an integer that sorts by I, then J.
func cellKey(c CellID) uint64 {
	return uint64(uint32(c.I)^0x80000000)<<32 | uint64(uint32(c.J)^0x80000000)
}

func keyCell(k uint64) CellID {
	return CellID{int32(uint32(k>>32) ^ 0x80000000), int32(uint32(k) ^ 0x80000000)}
}

// appendNeighbours avoids an allocation per cell for the grids of this
// package and falls back to Neighbours for others.
func appendNeighbours(g Grid, dst []CellID, c CellID) []CellID {
	var offs []CellID
	switch g.(type) {
	case *SquareGrid:
		offs = queen[:]
	case *HexGrid:
		offs = axial[:]
	default:
		return append(dst, g.Neighbours(c)...)
	}
	for _, d := range offs {
		dst = append(dst, CellID{c.I + d.I, c.J + d.J})
	}
	return dst
}

// twoSidedP is 2·(1 − Φ(|z|)), computed through erfc to keep precision in
// the tail.
func twoSidedP(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }

// bhAdjust sets Q on every cell and on the background block of bg.Count
// equal p-values, as Benjamini–Hochberg adjusted p-values over m tests: with
// ranks k = 1..m in ascending p, q_(k) = min over j ≥ k of min(1, m·p_(j)/j).
// Equal p-values (common: sums of counts repeat) form a block whose members
// all get the value at the block's last rank, the minimum over the block.
func bhAdjust(cells []GiStarCell, bg *GiStarBackground, m int) {
	ps := make([]float64, 0, len(cells)+1)
	for _, c := range cells {
		ps = append(ps, c.P)
	}
	if bg.Count > 0 {
		ps = append(ps, bg.P)
	}
	slices.Sort(ps)
	// Distinct p-values with the last rank of each block.
	type block struct {
		p    float64
		last int
	}
	blocks := make([]block, 0, 64)
	rank := 0
	for k, p := range ps {
		if bg.Count > 0 && p == bg.P && (k == 0 || ps[k-1] != p) {
			rank += bg.Count - 1 // the background's members beyond its one entry
		}
		rank++
		if len(blocks) > 0 && blocks[len(blocks)-1].p == p {
			blocks[len(blocks)-1].last = rank
		} else {
			blocks = append(blocks, block{p, rank})
		}
	}
	qs := make([]float64, len(blocks))
	running := 1.0
	for k := len(blocks) - 1; k >= 0; k-- {
		running = math.Min(running, float64(m)*blocks[k].p/float64(blocks[k].last))
		qs[k] = running
	}
	q := func(p float64) float64 {
		k, _ := slices.BinarySearchFunc(blocks, p, func(b block, p float64) int { return cmp.Compare(b.p, p) })
		return qs[k]
	}
	for k := range cells {
		cells[k].Q = q(cells[k].P)
	}
	if bg.Count > 0 {
		bg.Q = q(bg.P)
	}
}

// giBin maps a z-score and its FDR-adjusted p-value to ArcGIS's Gi_Bin.
func giBin(z, q float64) int {
	var b int
	switch {
	case q <= 0.01:
		b = 3
	case q <= 0.05:
		b = 2
	case q <= 0.10:
		b = 1
	}
	switch {
	case z > 0:
		return b
	case z < 0:
		return -b
	}
	return 0
}
