package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// Two events on a 100 m square grid, bandwidth h = 300 m given:
// p1 at (50, 50) (centre of cell (0,0)) and p2 at (250, 50) (centre of
// (2,0)). In km, h = 0.3 and the kernel's peak 3/(π·h²) = 3/(0.09π) =
// 100/(3π) = U = 10.610330 per km². At distance d the kernel is
// U·(1 − d²/h²)²:
//
//	d = 0:        U
//	d = 100:      U·(1 − 1/9)² = U·64/81
//	d = 200:      U·(1 − 4/9)² = U·25/81
//	d = √50000:   U·(1 − 5/9)² = U·16/81   (offsets 100 and 200)
//	d ≥ 300:      0
//
// Cell (1,0), centre (150,50): both at 100 → U·128/81 = 16.766744.
// Cell (0,0), centre (50,50): 0 and 200 → U·(81+25)/81 = 13.884877.
// Cell (3,0), centre (350,50): 300 (excluded, d < h is strict) and 100 →
// U·64/81 = 8.383372.
// Cell (1,2), centre (150,250): both at √50000 → U·32/81 = 4.191686.
// Cell (−2,0), centre (−150,50): 200 and 400 → U·25/81 = 3.274806.
// Cell (0,3), centre (50,350): 300 and √(200²+300²) → nothing: not listed.
// With p2 weighing 2, cell (1,0) becomes U·(64 + 2·64)/81 = 25.150116.
func TestKDEHandWorked(t *testing.T) {
	g := mustSquare(t, 100)
	pts := [][2]float64{{50, 50}, {250, 50}}
	U := 100 / (3 * math.Pi)
	res, err := KDE(pts, g, KDEOptions{Bandwidth: 300})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bandwidth != 300 || res.K != 0 {
		t.Errorf("bandwidth %v, K %v", res.Bandwidth, res.K)
	}
	got := map[CellID]float64{}
	for _, c := range res.Cells {
		if _, dup := got[c.Cell]; dup {
			t.Fatalf("cell %v twice", c.Cell)
		}
		got[c.Cell] = c.Density
	}
	want := map[CellID]float64{
		{1, 0}: U * 128 / 81, {0, 0}: U * 106 / 81, {3, 0}: U * 64 / 81,
		{1, 2}: U * 32 / 81, {-2, 0}: U * 25 / 81,
	}
	for c, w := range want {
		if math.Abs(got[c]-w) > 1e-9 {
			t.Errorf("cell %v: %.6f per km², want %.6f", c, got[c], w)
		}
	}
	if _, ok := got[CellID{0, 3}]; ok {
		t.Errorf("cell (0,3) listed with %v", got[CellID{0, 3}])
	}
	// Every cell with a centre strictly within 300 m of a point, and no
	// other, is listed.
	n := 0
	for c := range g.CellsInRect(-400, -400, 700, 500) {
		cx, cy := g.Centre(c)
		if math.Hypot(cx-50, cy-50) < 300 || math.Hypot(cx-250, cy-50) < 300 {
			n++
			if got[c] <= 0 {
				t.Errorf("cell %v within h of a point not listed", c)
			}
		}
	}
	if n != len(got) {
		t.Errorf("%d cells listed, %d within h", len(got), n)
	}

	res, err = KDE(pts, g, KDEOptions{Bandwidth: 300, Weights: []float64{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cells {
		if c.Cell == (CellID{1, 0}) && math.Abs(c.Density-U*192/81) > 1e-9 {
			t.Errorf("weighted cell (1,0): %.6f, want %.6f", c.Density, U*192/81)
		}
	}
}

// The kernel integrates to 1, so densities × cell area (in km²) summed over
// a fine grid give back the number of events (or total weight). With 10 m
// cells and h of hundreds of metres the midpoint rule is good to well under
// 0.1%; the test allows 0.5%.
func TestKDEIntegral(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for name, g := range map[string]Grid{"square": mustSquare(t, 10), "hex": mustHex(t, 10, PointyTop)} {
		pts := make([][2]float64, 200)
		w := make([]float64, len(pts))
		total := 0.0
		for i := range pts {
			pts[i] = [2]float64{340000 + rng.NormFloat64()*800, 555000 + rng.NormFloat64()*500}
			w[i] = float64(1 + rng.IntN(3))
			total += w[i]
		}
		for _, opt := range []KDEOptions{{Bandwidth: 250}, {Bandwidth: 600, Weights: w}, {}} {
			res, err := KDE(pts, g, opt)
			if err != nil {
				t.Fatal(err)
			}
			want := float64(len(pts))
			if opt.Weights != nil {
				want = total
			}
			sum := 0.0
			for _, c := range res.Cells {
				sum += c.Density * g.Area() / 1e6
			}
			if math.Abs(sum-want) > 0.005*want {
				t.Errorf("%s h=%.1f: integral %.3f, want %.0f", name, res.Bandwidth, sum, want)
			}
		}
	}
}

// KDE against a direct sum over all points for every cell in a window: the
// bucketing must neither drop nor double any contribution.
func TestKDEAgainstDirectSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for name, g := range allGrids(t) {
		pts := make([][2]float64, 300)
		for i := range pts {
			pts[i] = [2]float64{rng.Float64() * 3000, rng.Float64() * 2000}
		}
		const h = 237.5
		res, err := KDE(pts, g, KDEOptions{Bandwidth: h})
		if err != nil {
			t.Fatal(err)
		}
		got := map[CellID]float64{}
		for _, c := range res.Cells {
			got[c.Cell] = c.Density
		}
		n := 0
		for c := range g.CellsInRect(-300, -300, 3300, 2300) {
			cx, cy := g.Centre(c)
			want := 0.0
			for _, p := range pts {
				if d := math.Hypot(p[0]-cx, p[1]-cy); d < h {
					want += 3 / (math.Pi * h * h) * math.Pow(1-d*d/(h*h), 2) * 1e6
				}
			}
			if want > 0 {
				n++
			}
			if math.Abs(got[c]-want) > 1e-9*math.Max(1, want) {
				t.Fatalf("%s cell %v: %v, direct sum %v", name, c, got[c], want)
			}
		}
		if n != len(got) {
			t.Errorf("%s: %d cells listed, %d with density", name, len(got), n)
		}
	}
}

// Five events 100 m apart on a line, x = 0, 100, 200, 300, 400.
// k = 1: every nearest neighbour is 100 m away, mean 100.
// k = 2: the ends' 2nd nearest are 200 m away, the middle three have two
// neighbours at 100 m; mean (200+100+100+100+200)/5 = 140.
// k = 4: distances to the 4th nearest: 400, 300, 200, 300, 400 → 320.
// Duplicates count at distance 0: adding a copy of x = 0 makes its and the
// copy's nearest 0 (k = 1): (0+0+100+100+100+100)/6 = 66.667.
func TestKNNBandwidth(t *testing.T) {
	line := [][2]float64{{0, 7}, {100, 7}, {200, 7}, {300, 7}, {400, 7}}
	for _, c := range []struct {
		pts  [][2]float64
		k    int
		want float64
	}{
		{line, 1, 100},
		{line, 2, 140},
		{line, 4, 320},
		{append([][2]float64{{0, 7}}, line...), 1, 400.0 / 6},
	} {
		h, err := KNNBandwidth(c.pts, c.k)
		if err != nil || math.Abs(h-c.want) > 1e-9 {
			t.Errorf("k=%d over %d points: %v, %v; want %v", c.k, len(c.pts), h, err, c.want)
		}
	}
	if _, err := KNNBandwidth(line, 5); !errors.Is(err, ErrBandwidth) {
		t.Errorf("k = n: %v", err)
	}
	same := [][2]float64{{1, 1}, {1, 1}, {1, 1}}
	if _, err := KNNBandwidth(same, 2); !errors.Is(err, ErrBandwidth) {
		t.Errorf("all coincident: %v", err)
	}
	// The default bandwidth is k = 5: the sixth point at x = 500 makes
	// 5th-nearest distances 500, 400, 300, 300, 400, 500 → 2400/6 = 400.
	res, err := KDE(append(line, [2]float64{500, 7}), mustSquare(t, 50), KDEOptions{})
	if err != nil || res.K != 5 || math.Abs(res.Bandwidth-400) > 1e-9 {
		t.Errorf("default bandwidth: %+v, %v; want K 5, h 400", res, err)
	}
}

// The k-d tree walk against sorting all distances, on clustered points
// with many exact duplicates (as when several events share an address).
func TestKNNBandwidthBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	pts := make([][2]float64, 400)
	for i := range pts {
		if i > 0 && rng.IntN(4) == 0 {
			pts[i] = pts[rng.IntN(i)]
			continue
		}
		pts[i] = [2]float64{float64(rng.IntN(40)) * 25, rng.NormFloat64() * 300}
	}
	for _, k := range []int{1, 2, 5, 12} {
		want := 0.0
		for _, p := range pts {
			ds := make([]float64, 0, len(pts))
			for _, q := range pts {
				ds = append(ds, math.Hypot(p[0]-q[0], p[1]-q[1]))
			}
			sort.Float64s(ds)
			want += ds[k] // ds[0] is the point itself
		}
		want /= float64(len(pts))
		got, err := KNNBandwidth(pts, k)
		if err != nil || math.Abs(got-want) > 1e-9 {
			t.Errorf("k=%d: %v, %v; brute force %v", k, got, err, want)
		}
	}
}

func TestKDEErrors(t *testing.T) {
	g := mustSquare(t, 10)
	pts := [][2]float64{{0, 0}, {1, 1}}
	for name, opt := range map[string]KDEOptions{
		"weights length":  {Bandwidth: 10, Weights: []float64{1}},
		"negative weight": {Bandwidth: 10, Weights: []float64{1, -1}},
		"negative h":      {Bandwidth: -1},
		"k too large":     {K: 2},
	} {
		if _, err := KDE(pts, g, opt); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := KDE([][2]float64{{math.NaN(), 0}}, g, KDEOptions{Bandwidth: 1}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("NaN point: %v", err)
	}
}
