package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/spatial/kdtree"
)

// DefaultKNN is the k of the default bandwidth: the mean distance from each
// event to its 5th nearest other event.
const DefaultKNN = 5

// KDEOptions configure KDE. The zero value means a k-nearest-neighbour
// bandwidth with k = DefaultKNN and every event weighing 1.
type KDEOptions struct {
	// Bandwidth h in metres; 0 means KNNBandwidth(points, K).
	Bandwidth float64
	// K for the default bandwidth; 0 means DefaultKNN.
	K int
	// Weights, if not nil, has one non-negative weight per point (for
	// example the number of events at an address); nil means 1 each.
	Weights []float64
}

// DensityCell is the estimated density at a cell's centre, in events (or
// units of weight) per square kilometre.
type DensityCell struct {
	Cell    CellID
	Density float64
}

// KDEResult is the output of KDE.
type KDEResult struct {
	// Bandwidth is the h used, in metres.
	Bandwidth float64
	// K is the k of the k-nearest-neighbour bandwidth, 0 if the bandwidth
	// was given.
	K int
	// Cells are the cells with a positive density, each once.
	Cells []DensityCell
}

// KDE estimates event density with the quartic (biweight) kernel
//
//	K(d) = 3/(π·h²) · (1 − d²/h²)²  for d < h, 0 otherwise
//
// at the centre of every grid cell within h of some point: density(c) =
// Σ_i w_i·K(|c − p_i|), converted from per m² to per km² (×10⁶). Points are
// in the grid's metric coordinates. The kernel integrates to 1, so the
// densities integrate to Σw over the plane (cells × Area() approximates
// this well once h is a few cells wide; with h below half a cell some
// events may reach no cell centre at all).
func KDE(points [][2]float64, g Grid, opt KDEOptions) (*KDEResult, error) {
	if opt.Weights != nil && len(opt.Weights) != len(points) {
		return nil, fmt.Errorf("geo: KDE has %d weights for %d points: %w", len(opt.Weights), len(points), ErrInvalidInput)
	}
	for i, p := range points {
		if !finite(p[0]) || !finite(p[1]) {
			return nil, fmt.Errorf("geo: KDE point %d is %v: %w", i, p, ErrInvalidInput)
		}
		if opt.Weights != nil && (!finite(opt.Weights[i]) || opt.Weights[i] < 0) {
			return nil, fmt.Errorf("geo: KDE weight %d is %v: %w", i, opt.Weights[i], ErrInvalidInput)
		}
	}
	res := &KDEResult{Bandwidth: opt.Bandwidth}
	if res.Bandwidth == 0 {
		res.K = cmp.Or(opt.K, DefaultKNN)
		h, err := KNNBandwidth(points, res.K)
		if err != nil {
			return nil, err
		}
		res.Bandwidth = h
	}
	h := res.Bandwidth
	if !(h > 0) || math.IsInf(h, 0) {
		return nil, fmt.Errorf("geo: KDE bandwidth %v: %w", h, ErrInvalidInput)
	}

	// Bin the points into square buckets of side h. A point within h of a
	// cell centre is in the centre's bucket or one of the eight around it,
	// and a cell with any density has its centre in a bucket next to (or
	// in) an occupied one.
	type pt struct {
		x, y, w float64
	}
	buckets := map[[2]int64][]pt{}
	bucketOf := func(x, y float64) [2]int64 {
		return [2]int64{int64(math.Floor(x / h)), int64(math.Floor(y / h))}
	}
	for i, p := range points {
		w := 1.0
		if opt.Weights != nil {
			w = opt.Weights[i]
		}
		if w == 0 {
			continue
		}
		b := bucketOf(p[0], p[1])
		buckets[b] = append(buckets[b], pt{p[0], p[1], w})
	}
	near := map[[2]int64]bool{}
	for b := range buckets {
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				near[[2]int64{b[0] + dx, b[1] + dy}] = true
			}
		}
	}
	order := make([][2]int64, 0, len(near))
	for b := range near {
		order = append(order, b)
	}
	slices.SortFunc(order, func(a, b [2]int64) int {
		return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0]))
	})

	h2 := h * h
	norm := 3 / (math.Pi * h2) * 1e6 // per m² → per km²
	// About h²/Area() cells have their centre in a bucket; reserving that
	// up front avoids regrowing a large result, which was the main cost.
	res.Cells = make([]DensityCell, 0, int(float64(len(order))*(h2/g.Area()+1)))
	var local []pt
	for _, b := range order {
		local = local[:0]
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				local = append(local, buckets[[2]int64{b[0] + dx, b[1] + dy}]...)
			}
		}
		// A hair wider than the bucket, so that no centre is lost to
		// rounding at its edges; bucketOf then keeps each cell in one bucket.
		x0, y0, eps := float64(b[0])*h, float64(b[1])*h, 1e-9*h
		for c := range g.CellsInRect(x0-eps, y0-eps, x0+h+eps, y0+h+eps) {
			cx, cy := g.Centre(c)
			if bucketOf(cx, cy) != b {
				continue
			}
			sum := 0.0
			for _, p := range local {
				d2 := sq(p.x-cx) + sq(p.y-cy)
				if d2 < h2 {
					u := 1 - d2/h2
					sum += p.w * u * u
				}
			}
			if sum > 0 {
				res.Cells = append(res.Cells, DensityCell{c, sum * norm})
			}
		}
	}
	return res, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// KNNBandwidth is the mean, over all points, of the distance from a point
// to its k-th nearest other point (coincident points count, at distance
// 0). Weights play no part. It needs more than k points and a positive
// result: if more than k events share each location, every k-th neighbour
// is at distance 0 and there is no default bandwidth.
func KNNBandwidth(points [][2]float64, k int) (float64, error) {
	if k < 1 {
		return 0, fmt.Errorf("geo: k = %d for the bandwidth: %w", k, ErrInvalidInput)
	}
	if len(points) <= k {
		return 0, fmt.Errorf("geo: %d points cannot give a %d-th nearest neighbour: %w", len(points), k, ErrBandwidth)
	}
	// Events share locations (every event at a place is at its point), and
	// a k-d tree walk visits every point tied with the query: so the tree
	// holds each location once, with its count, and a location's k-th
	// nearest other event is read off its k+1 nearest locations (itself
	// first), counts added up. The same answer as over every event, in a
	// time that does not grow with the events at one place.
	// Locations in the order first seen, so that the sum below is added
	// up in the same order every time (map order would change its last
	// digits from run to run).
	count := map[[2]float64]int{}
	var locs [][2]float64
	for _, p := range points {
		if count[p] == 0 {
			locs = append(locs, p)
		}
		count[p]++
	}
	pts := make(kdtree.Points, 0, len(locs))
	for _, p := range locs {
		pts = append(pts, kdtree.Point{p[0], p[1]})
	}
	tree := kdtree.New(pts, false)
	total := 0.0
	best := make([]float64, k+1)
	at := make([][2]float64, k+1)
	for _, loc := range locs {
		m := count[loc]
		if m-1 >= k { // k others at the same place: distance 0
			continue
		}
		for i := range best {
			best[i] = math.Inf(1)
		}
		nearestK(tree.Root, loc[0], loc[1], best, at)
		// best[0] is the location itself; the others in distance order.
		need, d := k-(m-1), math.Inf(1)
		for i := 1; i < len(best) && !math.IsInf(best[i], 1); i++ {
			if need -= count[at[i]]; need <= 0 {
				d = best[i]
				break
			}
		}
		total += float64(m) * math.Sqrt(d)
	}
	h := total / float64(len(points))
	if !(h > 0) {
		return 0, fmt.Errorf("geo: every event has %d others at the same place: %w", k, ErrBandwidth)
	}
	return h, nil
}

// nearestK walks gonum's k-d tree keeping in best (ascending) the smallest
// squared distances from (x, y) to the tree's points, and in at the points. gonum's own
// NearestSet does the same through container/heap, boxing every candidate;
// this walk allocates nothing.
func nearestK(n *kdtree.Node, x, y float64, best []float64, at [][2]float64) {
	if n == nil {
		return
	}
	p := n.Point.(kdtree.Point)
	if d := sq(p[0]-x) + sq(p[1]-y); d < best[len(best)-1] {
		i := len(best) - 1
		for ; i > 0 && best[i-1] > d; i-- {
			best[i], at[i] = best[i-1], at[i-1]
		}
		best[i], at[i] = d, [2]float64{p[0], p[1]}
	}
	// Signed distance from the splitting plane: the query's side first,
	// the other only if the plane is nearer than the current k-th best.
	c := x - p[0]
	if n.Plane == 1 {
		c = y - p[1]
	}
	near, far := n.Left, n.Right
	if c > 0 {
		near, far = far, near
	}
	nearestK(near, x, y, best, at)
	if c*c <= best[len(best)-1] {
		nearestK(far, x, y, best, at)
	}
}
