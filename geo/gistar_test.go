package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// A 5×5 square grid (cells I, J = 0..4, n = 25) with four non-zero cells:
//
//	x(1,1) = 9, x(2,1) = 6, x(1,2) = 6, x(2,2) = 4
//
// Σx = 25, so X̄ = 25/25 = 1. Σx² = 81 + 36 + 36 + 16 = 169, so
// S² = 169/25 − 1² = 144/25 and S = 12/5 = 2.4.
// Queen weights with the cell itself: W = Σw = Σw² = 9, so the denominator
// is S·√((n·W − W²)/(n − 1)) = 2.4·√((225 − 81)/24) = 2.4·√6 = 5.878775.
//
// A cell at column i sees value columns {1} if i = 0, {1,2} if i = 1 or 2,
// {2} if i = 3, none if i = 4; the same for rows. So the neighbourhood sums
// L are:
//
//	i,j ∈ {1,2}²             L = 9+6+6+4 = 25   (4 cells)
//	i = 0, j ∈ {1,2} and the
//	  transposed pair          L = 9+6 = 15       (4 cells)
//	i = 3, j ∈ {1,2} and the
//	  transposed pair          L = 6+4 = 10       (4 cells)
//	(0,0) L = 9; (3,0), (0,3) L = 6; (3,3) L = 4  (4 cells)
//	i = 4 or j = 4             L = 0              (9 cells: background)
//
// Cell (1,1): numerator 25 − 1·9 = 16, z = 16/(2.4√6) = 10√6/9 = 2.721655.
// Cell (0,1): numerator 15 − 9 = 6, z = 6/(2.4√6) = 1.020621.
// Cell (3,3): numerator 4 − 9 = −5, z = −0.850517.
// Background: numerator 0 − 9 = −9, z = −1.530931.
//
// Two-sided p = erfc(|z|/√2) (from a normal table, Φ(2.7217) = 0.996752):
// z 2.721655 → p 0.006496; 1.020621 → 0.307434; −1.530931 → 0.125786;
// −0.850517 → 0.395038.
//
// Benjamini–Hochberg over all m = 25: sorted p-values are 0.0065 (ranks
// 1–4), 0.1258 (background, ranks 5–13), 0.3074 (ranks 14–17), 0.3950 (18),
// 0.6098 (L = 6, ranks 19–20), 0.8649 (L = 10, ranks 21–24), 1 (L = 9,
// rank 25). Adjusted q at a block's last rank: L = 25 block
// 25·0.006496/4 = 0.040597; background 25·0.125786/13 = 0.241897; L = 15
// block 25·0.307434/17 = 0.452109; and each is already below every later
// block's value, so those are the q-values. Only the four central cells
// pass, at 95% (0.01 < 0.0406 ≤ 0.05): Bin +2. Everything else is Bin 0.
func TestGiStarHandWorked(t *testing.T) {
	g := mustSquare(t, 100)
	values := map[CellID]float64{{1, 1}: 9, {2, 1}: 6, {1, 2}: 6, {2, 2}: 4}
	res, err := GiStar(values, g, 25)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mean != 1 || math.Abs(res.SD-2.4) > 1e-12 || res.Weights != 9 || res.N != 25 {
		t.Errorf("mean %v, SD %v, W %v, N %v; want 1, 2.4, 9, 25", res.Mean, res.SD, res.Weights, res.N)
	}
	if len(res.Cells) != 16 || res.Background.Count != 9 {
		t.Fatalf("%d cells listed, background %d; want 16 and 9", len(res.Cells), res.Background.Count)
	}
	byCell := map[CellID]GiStarCell{}
	for _, c := range res.Cells {
		byCell[c.Cell] = c
	}
	want := []struct {
		c       CellID
		sum, z  float64
		p, q    float64
		bin     int
		checkPQ bool
	}{
		{CellID{1, 1}, 25, 10 * math.Sqrt(6) / 9, 0.006496, 0.040597, 2, true},
		{CellID{2, 2}, 25, 10 * math.Sqrt(6) / 9, 0.006496, 0.040597, 2, true},
		{CellID{0, 1}, 15, 6 / (2.4 * math.Sqrt(6)), 0.307434, 0.452109, 0, true},
		{CellID{3, 3}, 4, -5 / (2.4 * math.Sqrt(6)), 0.395038, 0, 0, false},
		{CellID{0, 0}, 9, 0, 1, 1, 0, true},
		{CellID{3, 0}, 6, -3 / (2.4 * math.Sqrt(6)), 0, 0, 0, false},
	}
	for _, w := range want {
		got, ok := byCell[w.c]
		if !ok {
			t.Errorf("cell %v not listed", w.c)
			continue
		}
		if got.Sum != w.sum || math.Abs(got.Z-w.z) > 1e-9 || got.Bin != w.bin {
			t.Errorf("cell %v: sum %v z %.6f bin %d; want %v %.6f %d", w.c, got.Sum, got.Z, got.Bin, w.sum, w.z, w.bin)
		}
		if w.checkPQ && (math.Abs(got.P-w.p) > 1e-6 || math.Abs(got.Q-w.q) > 1e-6) {
			t.Errorf("cell %v: p %.6f q %.6f; want %.6f %.6f", w.c, got.P, got.Q, w.p, w.q)
		}
	}
	if byCell[CellID{1, 1}].Value != 9 || byCell[CellID{3, 3}].Value != 0 {
		t.Errorf("Value not carried: %v, %v", byCell[CellID{1, 1}], byCell[CellID{3, 3}])
	}
	bg := res.Background
	if math.Abs(bg.Z+9/(2.4*math.Sqrt(6))) > 1e-9 || math.Abs(bg.P-0.125786) > 1e-6 ||
		math.Abs(bg.Q-0.241897) > 1e-6 || bg.Bin != 0 {
		t.Errorf("background %+v; want z −1.530931, p 0.125786, q 0.241897, bin 0", bg)
	}
	for _, c := range []CellID{{4, 0}, {4, 4}, {0, 4}} {
		if _, ok := byCell[c]; ok {
			t.Errorf("background cell %v listed", c)
		}
	}
}

// bruteGiStar materialises every study-area cell and applies the textbook
// formulas cell by cell: the sums by looking at each cell's neighbours,
// Benjamini–Hochberg by sorting all n p-values and taking running minima.
// It shares nothing with GiStar but the Grid.
func bruteGiStar(g Grid, area []CellID, values map[CellID]float64) map[CellID]GiStarCell {
	n := float64(len(area))
	var sum, sum2 float64
	for _, c := range area {
		sum += values[c]
		sum2 += values[c] * values[c]
	}
	mean := sum / n
	s := math.Sqrt(sum2/n - mean*mean)
	out := map[CellID]GiStarCell{}
	type pc struct {
		p float64
		c CellID
	}
	var ps []pc
	for _, c := range area {
		nb := append(g.Neighbours(c), c)
		w := float64(len(nb))
		l := 0.0
		for _, j := range nb {
			l += values[j]
		}
		z := (l - mean*w) / (s * math.Sqrt((n*w-w*w)/(n-1)))
		p := 2 * (1 - 0.5*(1+math.Erf(math.Abs(z)/math.Sqrt2)))
		out[c] = GiStarCell{Cell: c, Value: values[c], Sum: l, Z: z, P: p}
		ps = append(ps, pc{p, c})
	}
	sort.Slice(ps, func(a, b int) bool { return ps[a].p < ps[b].p })
	q := 1.0
	for k := len(ps) - 1; k >= 0; k-- {
		q = math.Min(q, math.Min(1, n*ps[k].p/float64(k+1)))
		c := out[ps[k].c]
		c.Q = q
		conf := 0
		for _, lv := range []struct {
			a float64
			b int
		}{{0.10, 1}, {0.05, 2}, {0.01, 3}} {
			if q <= lv.a {
				conf = lv.b
			}
		}
		if c.Z < 0 {
			conf = -conf
		} else if c.Z == 0 {
			conf = 0
		}
		c.Bin = conf
		out[ps[k].c] = c
	}
	return out
}

// Random sparse and dense value sets on square and hexagon grids: every
// cell GiStar lists must match the brute force, and every unlisted study
// cell must match the background.
func TestGiStarAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for name, g := range allGrids(t) {
		for trial, density := range []float64{0.01, 0.05, 0.3, 0.8} {
			var area []CellID
			for c := range g.CellsInRect(0, 0, 4000, 3000) {
				area = append(area, c)
			}
			inArea := map[CellID]bool{}
			for _, c := range area {
				inArea[c] = true
			}
			values := map[CellID]float64{}
			for _, c := range area {
				interior := true
				for _, nb := range g.Neighbours(c) {
					interior = interior && inArea[nb]
				}
				if interior && rng.Float64() < density {
					// Counts, so that equal neighbourhood sums (ties) occur.
					values[c] = float64(1 + rng.IntN(6))
				}
			}
			got, err := GiStar(values, g, len(area))
			if err != nil {
				t.Fatal(err)
			}
			want := bruteGiStar(g, area, values)
			listed := map[CellID]bool{}
			bins := map[int]int{}
			for _, c := range got.Cells {
				listed[c.Cell] = true
				w := want[c.Cell]
				if c.Sum != w.Sum || c.Value != w.Value || math.Abs(c.Z-w.Z) > 1e-9 ||
					math.Abs(c.P-w.P) > 1e-9 || math.Abs(c.Q-w.Q) > 1e-9 || c.Bin != w.Bin {
					t.Fatalf("%s/%d: cell %v got %+v want %+v", name, trial, c.Cell, c, w)
				}
				bins[c.Bin]++
			}
			bgSeen := 0
			for _, c := range area {
				if listed[c] {
					continue
				}
				bgSeen++
				w := want[c]
				bg := got.Background
				if w.Sum != 0 || math.Abs(bg.Z-w.Z) > 1e-9 || math.Abs(bg.Q-w.Q) > 1e-9 || bg.Bin != w.Bin {
					t.Fatalf("%s/%d: background cell %v want %+v, background %+v", name, trial, c, w, bg)
				}
			}
			if bgSeen != got.Background.Count || len(got.Cells)+bgSeen != len(area) {
				t.Fatalf("%s/%d: background count %d, unlisted cells %d", name, trial, got.Background.Count, bgSeen)
			}
			t.Logf("%s density %.2f: n=%d listed=%d bins=%v background bin %d", name, density, len(area), len(got.Cells), bins, got.Background.Bin)
		}
	}
}

func TestGiStarErrors(t *testing.T) {
	g := mustSquare(t, 100)
	if _, err := GiStar(map[CellID]float64{{0, 0}: 1}, g, 9); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("n = W: %v", err)
	}
	if _, err := GiStar(map[CellID]float64{}, g, 100); !errors.Is(err, ErrNoVariance) {
		t.Errorf("all zero: %v", err)
	}
	// Every one of 10 cells equal to 3: S = 0.
	all := map[CellID]float64{}
	for i := range int32(10) {
		all[CellID{i, 0}] = 3
	}
	if _, err := GiStar(all, g, 10); !errors.Is(err, ErrNoVariance) {
		t.Errorf("constant: %v", err)
	}
	// Three cells far apart touch 27 cells: more than n = 20.
	if _, err := GiStar(map[CellID]float64{{0, 0}: 1, {10, 0}: 1, {20, 0}: 1}, g, 20); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("n too small for the touched cells: %v", err)
	}
	if _, err := GiStar(map[CellID]float64{{0, 0}: math.NaN()}, g, 100); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("NaN: %v", err)
	}
}
