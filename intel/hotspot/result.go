package hotspot

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/contextmap/contextmap/geo"
)

// Cell is one cell of a finished map.
type Cell struct {
	ID geo.CellID
	// Events, People (distinct young people) and Score (the weighted
	// number of events) are the cell's own figures.
	Events, People int
	Score          float64
	// Value is what Gi* tested (Score or People).
	Value float64
	// Full: no event of the cell is under disclosure control.
	Full bool
	// Suppressed: a controlled cell with 0 < People < threshold; nothing
	// but its place may be shown.
	Suppressed bool
	// Gi*: z-score, two-sided p, FDR-adjusted q, ArcGIS-style bin.
	Z, P, Q float64
	Bin     int
	// KDE: density per km² and its class 1–5 (quintiles of the map's
	// positive densities, 5 the densest).
	Density float64
	Class   int
}

// Totals are the map's totals as the caller may see them.
type Totals struct {
	Events, People int
	Score          float64
	// Rounded to this multiple (1: exact).
	RoundedTo int
	// Suppressed: too few young people to show any total.
	Suppressed bool
}

// Result is a finished map.
type Result struct {
	Spec *Spec
	// Cells in the order of their ids (I, then J).
	Cells []Cell
	// N is the number of cells of the study area: the selected rectangle
	// padded by one ring for Gi* (empty cells count as zeros), the
	// selected rectangle for KDE and counts.
	N int
	// Controlled: some of the map is under disclosure control. Then no
	// cell shows a z-score, p-value or density, only its Gi* bin or density
	// class (their exact values, with the test's mean and SD, would let
	// controlled cells' figures be worked back); cells the caller sees in
	// full show their own counts.
	Controlled bool
	Totals     Totals
	// GiStar holds the test's mean, SD, weights and background (cells of
	// the study area not listed); nil for other methods, or when the test
	// is undefined (Note says why).
	GiStar *geo.GiStarResult
	// Bandwidth (metres) and K of the KDE.
	Bandwidth float64
	K         int
	Note      string
}

// BandwidthError is a KDE bandwidth too large for the cell size.
type BandwidthError struct{ Bandwidth, Max float64 }

func (e *BandwidthError) Error() string {
	return fmt.Sprintf("hotspot: bandwidth %.0f m is more than %.0f m", e.Bandwidth, e.Max)
}

// controlled reports whether disclosure control applies: to every map of
// an aggregate-only caller, and to any map with a cell in the area holding
// an event the caller may not see in full.
func (m *Map) controlled() bool {
	if m.spec.AggregatesOnly {
		return true
	}
	for _, a := range m.cells {
		if a.inArea && a.controlled {
			return true
		}
	}
	return false
}

// Result computes the map.
func (m *Map) Result() (*Result, error) {
	s := &m.spec
	spec := m.spec // the result outlives the map (Release)
	res := &Result{Spec: &spec, Controlled: m.controlled()}
	if s.People {
		m.distinct(func(int32) bool { return false })
	}
	// Keep the cells in the area, in id order.
	cells := make([]Cell, 0, len(m.cells))
	for _, a := range m.cells {
		if !a.inArea {
			continue
		}
		c := Cell{ID: a.id, Events: a.events, People: a.people, Score: a.score, Full: !a.controlled}
		c.Suppressed = a.controlled && s.People && s.Rule.Suppressed(a.people)
		cells = append(cells, c)
	}
	slices.SortFunc(cells, func(a, b Cell) int { return cmp.Or(cmp.Compare(a.ID.I, b.ID.I), cmp.Compare(a.ID.J, b.ID.J)) })
	r := s.Rect
	var err error
	switch s.Method {
	case MethodCount:
		res.N = s.Grid.CountInRect(r[0], r[1], r[2], r[3])
		res.Cells = cells
	case MethodGiStar:
		res.Cells, err = m.giStar(res, cells)
	case MethodKDE:
		res.N = s.Grid.CountInRect(r[0], r[1], r[2], r[3])
		res.Cells, err = m.kde(res, cells)
	default:
		return nil, fmt.Errorf("hotspot: unknown method %q", s.Method)
	}
	if err != nil {
		return nil, err
	}
	if res.Cells, err = m.dropOutside(res.Cells); err != nil {
		return nil, err
	}
	if s.Method == MethodKDE {
		classify(res.Cells)
	}
	res.Totals = m.totals(res)
	return res, nil
}

// find returns the index of a cell in cells (sorted by id), or -1.
func find(cells []Cell, id geo.CellID) int {
	k, ok := slices.BinarySearchFunc(cells, id, func(c Cell, id geo.CellID) int {
		return cmp.Or(cmp.Compare(c.ID.I, id.I), cmp.Compare(c.ID.J, id.J))
	})
	if !ok {
		return -1
	}
	return k
}

func (m *Map) inRect(c geo.CellID) bool {
	x, y := m.spec.Grid.Centre(c)
	r := m.spec.Rect
	return x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3]
}

func (m *Map) giStar(res *Result, cells []Cell) ([]Cell, error) {
	s := &m.spec
	g := s.Grid
	// One ring of padding: every neighbour of a selected cell has its
	// centre within one cell spacing of the rectangle.
	pad := s.Cell
	r := s.Rect
	res.N = g.CountInRect(r[0]-pad, r[1]-pad, r[2]+pad, r[3]+pad)
	values := make(map[geo.CellID]float64, len(cells))
	for i := range cells {
		c := &cells[i]
		c.Value = c.Score
		if s.Measure == MeasurePeople {
			c.Value = float64(c.People)
		}
		if c.Value != 0 {
			values[c.ID] = c.Value
		}
	}
	gs, err := geo.GiStar(values, g, res.N)
	switch {
	case errors.Is(err, geo.ErrNoVariance):
		res.Note = "Gi* is undefined: every cell of the study area has the same value (for example, no events)"
		return cells, nil
	case err != nil:
		return nil, fmt.Errorf("hotspot: %w", err)
	}
	res.GiStar = gs
	// Both lists are in id order: merge them.
	out := make([]Cell, 0, len(gs.Cells))
	k := 0
	for _, gc := range gs.Cells {
		for k < len(cells) && idLess(cells[k].ID, gc.Cell) {
			k++
		}
		if !m.inRect(gc.Cell) {
			continue
		}
		var c Cell
		switch {
		case k < len(cells) && cells[k].ID == gc.Cell:
			c = cells[k]
		case m.area != nil && m.known(gc.Cell):
			continue // a non-empty cell outside the selected area
		default:
			c = Cell{ID: gc.Cell, Full: true}
		}
		c.Z, c.P, c.Q, c.Bin = gc.Z, gc.P, gc.Q, gc.Bin
		out = append(out, c)
	}
	return out, nil
}

func idLess(a, b geo.CellID) bool { return a.I < b.I || (a.I == b.I && a.J < b.J) }

// known reports whether any event was added in the cell.
func (m *Map) known(c geo.CellID) bool {
	_, ok := m.index[c]
	return ok
}

func (m *Map) kde(res *Result, cells []Cell) ([]Cell, error) {
	s := &m.spec
	// Events at one position (a place) become one weighted point.
	merged := map[[2]float64]int{}
	var pts [][2]float64
	var ws []float64
	for _, p := range m.points {
		if !m.cells[p.cell].inArea {
			continue
		}
		k, ok := merged[[2]float64{p.x, p.y}]
		if !ok {
			k = len(pts)
			merged[[2]float64{p.x, p.y}] = k
			pts = append(pts, [2]float64{p.x, p.y})
			ws = append(ws, 0)
		}
		ws[k] += p.w
	}
	h := s.Bandwidth
	if h == 0 {
		raw := make([][2]float64, 0, len(m.points))
		for _, p := range m.points {
			if m.cells[p.cell].inArea {
				raw = append(raw, [2]float64{p.x, p.y})
			}
		}
		kh, err := geo.KNNBandwidth(raw, geo.DefaultKNN)
		if errors.Is(err, geo.ErrBandwidth) {
			res.Note = fmt.Sprintf("no default bandwidth: it needs more than %d events at more than one place; give bandwidth", geo.DefaultKNN)
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("hotspot: %w", err)
		}
		h, res.K = kh, geo.DefaultKNN
	}
	res.Bandwidth = h
	if s.MaxBandwidthCells > 0 && h > s.MaxBandwidthCells*s.Cell {
		return nil, &BandwidthError{Bandwidth: h, Max: s.MaxBandwidthCells * s.Cell}
	}
	if len(pts) == 0 {
		return nil, nil
	}
	kr, err := geo.KDE(pts, s.Grid, geo.KDEOptions{Bandwidth: h, Weights: ws})
	if err != nil {
		return nil, fmt.Errorf("hotspot: %w", err)
	}
	out := make([]Cell, 0, len(kr.Cells))
	for _, dc := range kr.Cells {
		if !m.inRect(dc.Cell) {
			continue
		}
		var c Cell
		if k := find(cells, dc.Cell); k >= 0 {
			c = cells[k]
		} else if m.area != nil && m.known(dc.Cell) {
			continue // a non-empty cell outside the selected area
		} else {
			c = Cell{ID: dc.Cell, Full: true}
		}
		c.Density = dc.Density
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Cell) int { return cmp.Or(cmp.Compare(a.ID.I, b.ID.I), cmp.Compare(a.ID.J, b.ID.J)) })
	return out, nil
}

// classify sets each cell's density class: the quintile of its density
// among the map's cells (ties share a class), 5 the densest.
func classify(cells []Cell) {
	ds := make([]float64, len(cells))
	for i, c := range cells {
		ds[i] = c.Density
	}
	slices.Sort(ds)
	for i := range cells {
		k, _ := slices.BinarySearch(ds, cells[i].Density)
		cells[i].Class = 1 + 5*k/len(ds)
	}
}

// totals counts what the caller may see: everything when nothing is under
// control; otherwise only the events of cells not suppressed, rounded, and
// nothing at all below the threshold.
func (m *Map) totals(res *Result) Totals {
	s := &m.spec
	shown := make([]bool, len(m.cells))
	for k, a := range m.cells {
		shown[k] = a.inArea && !(a.controlled && s.People && s.Rule.Suppressed(a.people))
	}
	var t Totals
	hidden := false
	for k, a := range m.cells {
		if shown[k] {
			t.Events += a.events
			t.Score += a.score
		} else if a.inArea {
			hidden = true
		}
	}
	if s.People {
		t.People = m.distinct(func(k int32) bool { return shown[k] })
	}
	t.RoundedTo = 1
	if res.Controlled {
		t.RoundedTo = max(1, s.Rule.Round)
		// Below the threshold, or nothing shown beside suppressed cells
		// (a total of 0 there would read as "none").
		if s.People && (s.Rule.Suppressed(t.People) || (t.People == 0 && hidden)) {
			return Totals{Suppressed: true, RoundedTo: t.RoundedTo}
		}
		t.Events, t.People = s.Rule.RoundTotal(t.Events), s.Rule.RoundTotal(t.People)
		t.Score = math.Round(t.Score/float64(t.RoundedTo)) * float64(t.RoundedTo)
	}
	return t
}
