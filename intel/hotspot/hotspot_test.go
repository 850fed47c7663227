package hotspot

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/contextmap/contextmap/geo"
)

// TestLatticeAccuracy: interpolated corners are within 4 cm of the exact
// inverse projection across Great Britain (the figure latticeStep's
// comment gives), and a corner shared by two cells gets one position.
func TestLatticeAccuracy(t *testing.T) {
	p := geo.BNG()
	l := newLattice(p)
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	for range 20000 {
		x, y := rng.Float64()*700000, rng.Float64()*1200000
		lon, lat := l.inverse(x, y)
		elon, elat := p.Inverse(x, y)
		d := math.Hypot((lon-elon)*111320*math.Cos(elat*math.Pi/180), (lat-elat)*111320)
		worst = max(worst, d)
	}
	if worst > 0.04 {
		t.Errorf("worst error %.4f m, want at most 0.04 m", worst)
	}
	t.Logf("worst interpolation error over 20,000 points: %.4f m", worst)
	g, _ := geo.NewHexGrid(250, geo.PointyTop)
	a := l.ring(g, geo.CellID{I: 1400, J: 2600}, nil)
	b := l.ring(g, geo.CellID{I: 1401, J: 2600}, nil)
	// Pointy-top: corner 0 (east-north-east) of a cell is corner 2
	// (west-north-west) of its east neighbour.
	if a[0] != b[2] || a[5] != b[3] {
		t.Errorf("shared corners differ: %v %v / %v %v", a[0], b[2], a[5], b[3])
	}
}

func square(t *testing.T, size float64) geo.Grid {
	g, err := geo.NewSquareGrid(size)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// TestWeights: severity multiplies; recency halves every half-life of age
// (reference minus the end of the window), never above 1.
func TestWeights(t *testing.T) {
	s := Spec{Severity: true, HalfLife: 30 * 24 * time.Hour, RefTime: t0}
	for _, c := range []struct {
		end  time.Time
		sev  int16
		want float64
	}{
		{t0, 3, 3},
		{t0.Add(-30 * 24 * time.Hour), 1, 0.5},
		{t0.Add(-60 * 24 * time.Hour), 4, 1},
		{t0.Add(24 * time.Hour), 2, 2}, // after the reference: age 0
	} {
		if got := s.weight(c.end, c.sev); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("weight(%s, %d) = %v, want %v", c.end, c.sev, got, c.want)
		}
	}
	if (&Spec{}).weight(t0, 5) != 1 {
		t.Error("unweighted event does not weigh 1")
	}
}

// TestPosition: generalised events go to the centre of their 1 km square,
// like SQL's cm_generalise.
func TestPosition(t *testing.T) {
	x, y := Position(337234, 557789, true)
	if x != 337500 || y != 557500 {
		t.Errorf("generalised to (%v, %v)", x, y)
	}
	if x, y := Position(-1234, 5, true); x != -1500 || y != 500 {
		t.Errorf("negative coordinates generalised to (%v, %v)", x, y)
	}
	if x, y := Position(337234, 557789, false); x != 337234 || y != 557789 {
		t.Error("exact position moved")
	}
}

// TestSelectionByCentre: an event is counted in its cell when the cell's
// centre is in the rectangle, even if the event itself is outside it.
func TestSelectionByCentre(t *testing.T) {
	m := NewMap(Spec{Method: MethodCount, Grid: square(t, 1000), Cell: 1000, Rect: [4]float64{1000, 1000, 2000, 2000}, People: true})
	if !m.Add(1010, 1990, t0, t0, 1, false, true, []int64{1}) { // cell (1,1), centre inside
		t.Error("event inside not kept")
	}
	if !m.Add(1999, 1001, t0, t0, 1, false, true, []int64{2}) {
		t.Error("event inside not kept")
	}
	if m.Add(2100, 1500, t0, t0, 1, false, true, []int64{3}) { // cell (2,1), centre 2500 outside
		t.Error("event in a cell centred outside kept")
	}
	if !m.Add(1500, 1500, t0, t0, 1, true, true, []int64{4}) { // generalised to (1500, 1500)
		t.Error("generalised event not kept")
	}
	r, err := m.Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cells) != 1 || r.Cells[0].Events != 3 || r.Cells[0].People != 3 || r.N != 1 {
		t.Errorf("cells %+v, n %d", r.Cells, r.N)
	}
}

// TestDisclosure: suppression, figures and totals under control.
func TestDisclosure(t *testing.T) {
	spec := Spec{Method: MethodCount, Grid: square(t, 100), Cell: 100, Rect: [4]float64{0, 0, 1000, 1000},
		People: true, Rule: geo.Rule{Threshold: 5, Round: 5}}
	add := func(m *Map, cx, cy float64, full bool, people ...int64) {
		m.Add(cx, cy, t0, t0, 1, false, full, people)
	}
	m := NewMap(spec)
	add(m, 50, 50, false, 1, 2)            // 2 people: suppressed
	add(m, 150, 50, false, 3, 4, 5, 6)     // 4 people: suppressed
	add(m, 250, 50, false, 1, 7, 8, 9, 10) // 5 people: shown
	add(m, 250, 50, false, 11)
	add(m, 350, 50, true, 12) // full (in scope): shown whatever the count
	r, err := m.Result()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		suppressed bool
		people     int
	}{{true, 2}, {true, 4}, {false, 6}, {false, 1}}
	for i, w := range want {
		c := r.Cells[i]
		if c.Suppressed != w.suppressed || c.People != w.people {
			t.Errorf("cell %d: suppressed %v people %d, want %+v", i, c.Suppressed, c.People, w)
		}
	}
	if !r.Controlled {
		t.Error("map not controlled")
	}
	// Totals: shown cells only: events 2 + 1 = 3 → 5; people {1,7..11,12}
	// = 7 → 5.
	if tt := r.Totals; tt.Events != 5 || tt.People != 5 || tt.RoundedTo != 5 || tt.Suppressed {
		t.Errorf("totals %+v", tt)
	}
	// An aggregate-only caller's empty map is still controlled, and its
	// totals are 0 (nothing hidden), not suppressed.
	spec.AggregatesOnly = true
	e, _ := NewMap(spec).Result()
	if !e.Controlled || e.Totals.Suppressed || e.Totals.Events != 0 {
		t.Errorf("empty aggregate-only map: %+v", e)
	}
}

// TestMerge: a map filled in two parts and merged equals one filled whole.
func TestMerge(t *testing.T) {
	g, _ := geo.NewHexGrid(250, geo.PointyTop)
	spec := Spec{Method: MethodGiStar, Grid: g, GridName: GridHex, Cell: 250, Rect: [4]float64{0, 0, 5000, 5000},
		Measure: MeasurePeople, People: true, Rule: geo.Rule{Threshold: 5}}
	whole, a, b := NewMap(spec), NewMap(spec), NewMap(spec)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		x, y := 2500+rng.NormFloat64()*800, 2500+rng.NormFloat64()*800
		people := []int64{int64(rng.IntN(400)), int64(1 << 41)} // one id too large to pack
		whole.Add(x, y, t0, t0, 1, false, true, people)
		if i%2 == 0 {
			a.Add(x, y, t0, t0, 1, false, true, people)
		} else {
			b.Add(x, y, t0, t0, 1, false, true, people)
		}
	}
	a.Merge(b)
	rw, err := whole.Result()
	if err != nil {
		t.Fatal(err)
	}
	ra, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(rw.Cells) != len(ra.Cells) || rw.Totals != ra.Totals {
		t.Fatalf("whole %d cells %+v, merged %d cells %+v", len(rw.Cells), rw.Totals, len(ra.Cells), ra.Totals)
	}
	for i := range rw.Cells {
		w, m := rw.Cells[i], ra.Cells[i]
		if w.ID != m.ID || w.People != m.People || w.Events != m.Events || math.Abs(w.Z-m.Z) > 1e-12 || w.Bin != m.Bin {
			t.Fatalf("cell %d: whole %+v merged %+v", i, w, m)
		}
	}
}

// TestKDEClasses: classes are quintiles of the positive densities.
func TestKDEClasses(t *testing.T) {
	cells := make([]Cell, 10)
	for i := range cells {
		cells[i].Density = float64(10 - i)
	}
	classify(cells)
	for i, c := range cells {
		if want := 5 - i/2; c.Class != want {
			t.Errorf("density %v: class %d, want %d", c.Density, c.Class, want)
		}
	}
}

// TestAppendCoord: the integer formatting of coordinates gives what
// geo.AppendCoord gives (which formats with strconv), but for values
// within a hair of a half-millionth, where either rounding is right.
func TestAppendCoord(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	vals := []float64{0, -0.0000001, 0.0000004, -2.933, 54.5, -180, 180, 90, -90, 1.000001, -0.5, 12.3456789}
	for range 200000 {
		vals = append(vals, (rng.Float64()*2-1)*180)
	}
	for _, v := range vals {
		got, want := string(appendCoord(nil, v)), string(geo.AppendCoord(nil, v))
		if got != want {
			if frac := math.Abs(v*1e6 - math.Trunc(v*1e6)); math.Abs(frac-0.5) < 1e-6 {
				continue
			}
			t.Errorf("%v: %s, want %s", v, got, want)
		}
	}
}

// TestRadixSort against slices.Sort.
func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 2, 100, 5000} {
		for _, mask := range []uint64{0, 0xff, 1<<40 - 1, ^uint64(0)} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = rng.Uint64() & mask
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			radixSort(keys, nil)
			if !slices.Equal(keys, want) {
				t.Fatalf("n %d mask %x: not sorted", n, mask)
			}
		}
	}
}
