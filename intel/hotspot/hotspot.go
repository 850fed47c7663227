// Package hotspot computes contextmap's hotspot maps, temporal profiles
// and accuracy tests from selected events, with disclosure control for
// callers who may only see aggregates. It is pure computation over events
// given one at a time (no SQL, no HTTP); intel/postgres reads the events,
// intel/httpapi parses requests and streams the answer.
//
// # Selection by whole cells
//
// A map covers the cells of a grid whose centres lie in a metric study
// rectangle (and, for a district, in the district). A selected cell always
// counts every selected event binned into it, even one just outside the
// rectangle, and a cell whose centre lies outside is never shown. So a cell
// is the same unit in every query: subtracting two overlapping maps can
// only ever give whole cells, never part of one.
//
// # Disclosure control
//
// An event is Full when the caller may see its counts (a person-level role
// whose scope holds the event's district). A cell with any other event is
// controlled: if it holds c distinct young people with 0 < c < Threshold it
// is suppressed (returned, flagged, without figures). A map with any
// controlled cell (and every map of an aggregate-only caller) shows no
// z-score, p-value or density, only Gi* bins and density classes, since
// exact statistics with the test's mean and SD would let controlled
// figures be worked back. Totals of such a map count only the events of
// cells not suppressed, are rounded to the rule's multiple, and are
// suppressed below the threshold.
//
// Events at sensitive places the caller may not see exactly are binned at
// the centre of their 1 km square (cm_generalise), so a small cell never
// pinpoints a children's home.
package hotspot

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/contextmap/contextmap/geo"
)

// API vocabulary.
const (
	MethodCount  = "count"
	MethodGiStar = "gistar"
	MethodKDE    = "kde"

	GridHex    = "hex"
	GridSquare = "square"

	MeasureEvents = "events"
	MeasurePeople = "people"
)

// Methods, Grids and Measures list the accepted values.
var (
	Methods  = []string{MethodCount, MethodGiStar, MethodKDE}
	Grids    = []string{GridHex, GridSquare}
	Measures = []string{MeasureEvents, MeasurePeople}
)

// Cell size bounds in metres.
const (
	MinCell = 100
	MaxCell = 5000
)

// GeneraliseSize is the side of the square whose centre stands in for a
// sensitive place (as SQL's cm_generalise).
const GeneraliseSize = 1000

// Spec says how a map is computed.
type Spec struct {
	Method   string
	Grid     geo.Grid
	GridName string
	Cell     float64 // metres: the side of a square, or a hexagon's width across flats
	// Rect is the study rectangle (minx, miny, maxx, maxy) in the metric
	// grid: cells whose centre lies in it (edges included) are selected.
	Rect [4]float64
	// Measure is the cell value Gi* tests and accuracy ranks by: the
	// (weighted) number of events, or the number of distinct young people.
	Measure string
	// HalfLife, if positive, weights each event by 0.5^(age/HalfLife), its
	// age being RefTime minus the end of its window (never negative).
	HalfLife time.Duration
	RefTime  time.Time
	// Severity weights each event by its severity (1–5).
	Severity bool
	// Bandwidth is the KDE bandwidth in metres; 0 means the mean distance
	// to the geo.DefaultKNN-th nearest other event.
	Bandwidth float64
	// MaxBandwidthCells, if positive, refuses a KDE whose bandwidth
	// (given or default) exceeds this many cells, before computing it: its
	// cost grows with the square of the ratio.
	MaxBandwidthCells float64
	// Rule is the disclosure rule for controlled cells and totals.
	Rule geo.Rule
	// AggregatesOnly: the caller sees no event in full (partner), so
	// disclosure control applies even to an empty map.
	AggregatesOnly bool
	// People: count distinct young people (false for the crime layer,
	// whose events involve none).
	People bool
	// KeepTimes keeps each event's window for Profile.
	KeepTimes bool
}

// Weighted reports whether events are weighted.
func (s *Spec) Weighted() bool { return s.HalfLife > 0 || s.Severity }

// weight is an event's weight.
func (s *Spec) weight(end time.Time, severity int16) float64 {
	w := 1.0
	if s.Severity {
		w *= float64(severity)
	}
	if s.HalfLife > 0 {
		age := max(0, s.RefTime.Sub(end))
		w *= math.Exp2(-float64(age) / float64(s.HalfLife))
	}
	return w
}

type cellAgg struct {
	id         geo.CellID
	events     int
	score      float64
	people     int
	controlled bool // holds an event that is not Full
	inArea     bool
}

type point struct {
	x, y, w float64
	cell    int32
}

type window struct {
	cell       int32
	start, end time.Time
}

// Map gathers the selected events of a map, cell by cell. Add every event,
// then call Result (or Profile). Not safe for concurrent use.
type Map struct {
	spec  Spec
	index map[geo.CellID]int32
	cells []cellAgg
	// pairs are (cell index, young person) of every event, to count
	// distinct young people per cell.
	pairs   []pair
	points  []point // for KDE
	windows []window
	events  int
	// area says which cell centres are in the selected area; nil: all.
	area   func(xs, ys []float64) ([]bool, error)
	sorted bool // pairs are sorted
	buf    *buffers
}

type pair struct {
	cell   int32
	person int64
}

// NewMap starts a map.
func NewMap(spec Spec) *Map {
	b := getBuffers()
	return &Map{spec: spec, buf: b, index: b.index, cells: b.cells, pairs: b.pairs, points: b.points, windows: b.windows}
}

// Spec is the map's spec.
func (m *Map) Spec() *Spec { return &m.spec }

// Position is where an event is binned: its own position, or for an event
// at a sensitive place the caller may not see exactly, the centre of its
// 1 km square.
func Position(x, y float64, generalise bool) (float64, float64) {
	if generalise {
		return math.Floor(x/GeneraliseSize)*GeneraliseSize + GeneraliseSize/2,
			math.Floor(y/GeneraliseSize)*GeneraliseSize + GeneraliseSize/2
	}
	return x, y
}

// Select is the cell an event at (x, y) is binned in, and whether that
// cell is selected (its centre lies in the study rectangle).
func (m *Map) Select(x, y float64, generalise bool) (geo.CellID, bool) {
	px, py := Position(x, y, generalise)
	c := m.spec.Grid.Cell(px, py)
	cx, cy := m.spec.Grid.Centre(c)
	r := m.spec.Rect
	return c, cx >= r[0] && cx <= r[2] && cy >= r[1] && cy <= r[3]
}

// Add adds an event: metric position, window, severity, whether it must be
// generalised, whether the caller may see it in full, and the young people
// it involves. Events whose cell is not selected are ignored; Add reports
// whether it was kept.
func (m *Map) Add(x, y float64, start, end time.Time, severity int16, generalise, full bool, people []int64) bool {
	c, ok := m.Select(x, y, generalise)
	if !ok {
		return false
	}
	k, seen := m.index[c]
	if !seen {
		k = int32(len(m.cells))
		m.index[c] = k
		m.cells = append(m.cells, cellAgg{id: c, inArea: true})
	}
	a := &m.cells[k]
	w := m.spec.weight(end, severity)
	a.events++
	a.score += w
	if !full {
		a.controlled = true
	}
	if m.spec.People {
		for _, p := range people {
			m.pairs = append(m.pairs, pair{k, p})
		}
		m.sorted = false
	}
	if m.spec.Method == MethodKDE {
		px, py := Position(x, y, generalise)
		m.points = append(m.points, point{px, py, w, k})
	}
	if m.spec.KeepTimes {
		m.windows = append(m.windows, window{k, start, end})
	}
	m.events++
	return true
}

// Merge adds the events of o (a map with the same spec, filled with other
// events, for example concurrently) to m. o must not be used after.
func (m *Map) Merge(o *Map) {
	remap := make([]int32, len(o.cells))
	for i, a := range o.cells {
		k, seen := m.index[a.id]
		if !seen {
			k = int32(len(m.cells))
			m.index[a.id] = k
			m.cells = append(m.cells, cellAgg{id: a.id, inArea: true})
		}
		remap[i] = k
		c := &m.cells[k]
		c.events += a.events
		c.score += a.score
		c.controlled = c.controlled || a.controlled
	}
	m.pairs = slices.Grow(m.pairs, len(o.pairs))
	for _, p := range o.pairs {
		m.pairs = append(m.pairs, pair{remap[p.cell], p.person})
	}
	m.sorted = false
	for _, p := range o.points {
		p.cell = remap[p.cell]
		m.points = append(m.points, p)
	}
	for _, w := range o.windows {
		w.cell = remap[w.cell]
		m.windows = append(m.windows, w)
	}
	m.events += o.events
}

// RestrictTo keeps only the cells whose centre inArea says is in the
// selected area (a district): it is called with the centres of cells,
// answers one flag each, and is called again by Result for any empty
// cells a method lists.
func (m *Map) RestrictTo(inArea func(xs, ys []float64) ([]bool, error)) error {
	m.area = inArea
	in, err := m.inArea(len(m.cells), func(i int) geo.CellID { return m.cells[i].id })
	for i := range in {
		m.cells[i].inArea = in[i]
	}
	return err
}

// inArea asks the area function about n cells.
func (m *Map) inArea(n int, id func(int) geo.CellID) ([]bool, error) {
	in := make([]bool, n)
	if m.area == nil || n == 0 {
		for i := range in {
			in[i] = true
		}
		return in, nil
	}
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range n {
		xs[i], ys[i] = m.spec.Grid.Centre(id(i))
	}
	return m.area(xs, ys)
}

// dropOutside removes the empty cells (never added to) that are outside
// the area.
func (m *Map) dropOutside(cells []Cell) ([]Cell, error) {
	if m.area == nil {
		return cells, nil
	}
	var empty []int
	for i, c := range cells {
		if _, known := m.index[c.ID]; !known {
			empty = append(empty, i)
		}
	}
	in, err := m.inArea(len(empty), func(i int) geo.CellID { return cells[empty[i]].ID })
	if err != nil {
		return nil, err
	}
	drop := map[int]bool{}
	for k, i := range empty {
		if !in[k] {
			drop[i] = true
		}
	}
	out := cells[:0]
	for i, c := range cells {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return out, nil
}

// sortPairs sorts the (cell, person) pairs, once. Packed into one integer
// (cell index above bit 40, person id below) they are radix sorted; ids
// outside 0..2^40 take the slower general sort.
func (m *Map) sortPairs() {
	if m.sorted {
		return
	}
	m.sorted = true
	packable := len(m.cells) < 1<<23
	for _, p := range m.pairs {
		if p.person < 0 || p.person >= 1<<40 {
			packable = false
			break
		}
	}
	if !packable {
		slices.SortFunc(m.pairs, func(a, b pair) int {
			return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.person, b.person))
		})
		return
	}
	keys := m.buf.keys[:0]
	for _, p := range m.pairs {
		keys = append(keys, uint64(p.cell)<<40|uint64(p.person))
	}
	m.buf.scratch = radixSort(keys, m.buf.scratch)
	for i, k := range keys {
		m.pairs[i] = pair{int32(k >> 40), int64(k & (1<<40 - 1))}
	}
	m.buf.keys = keys
}

// distinct counts the distinct young people of each cell, and returns the
// number of distinct young people across the cells keep says yes to.
func (m *Map) distinct(keep func(k int32) bool) int {
	m.sortPairs()
	for i := range m.cells {
		m.cells[i].people = 0
	}
	kept := m.buf.keys[:0]
	radix := true
	for i, p := range m.pairs {
		if i > 0 && m.pairs[i-1] == p {
			continue
		}
		m.cells[p.cell].people++
		if keep(p.cell) {
			kept = append(kept, uint64(p.person))
			radix = radix && p.person >= 0
		}
	}
	m.buf.keys = kept
	if radix {
		m.buf.scratch = radixSort(kept, m.buf.scratch)
	} else {
		slices.SortFunc(kept, func(a, b uint64) int { return cmp.Compare(int64(a), int64(b)) })
	}
	return len(slices.Compact(kept))
}

// buffers are a map's large slices, kept between maps (Release) so a
// busy server does not allocate and clear them for every request.
type buffers struct {
	index   map[geo.CellID]int32
	cells   []cellAgg
	pairs   []pair
	points  []point
	windows []window
	keys    []uint64
	scratch []uint64
}

// spare holds a few released buffers. A sync.Pool would drop them at every
// garbage collection, which a county map's allocations would bring about
// several times a request; a handful kept for good costs some tens of MB
// at most.
var spare = make(chan *buffers, 4)

func getBuffers() *buffers {
	select {
	case b := <-spare:
		return b
	default:
		return &buffers{index: map[geo.CellID]int32{}}
	}
}

// Release hands the map's buffers back for other maps; the map must not be
// used after. Results already made do not share them.
func (m *Map) Release() {
	b := m.buf
	if b == nil {
		return
	}
	clear(b.index)
	b.cells, b.pairs, b.points, b.windows = m.cells[:0], m.pairs[:0], m.points[:0], m.windows[:0]
	*m = Map{}
	select {
	case spare <- b:
	default:
	}
}

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
