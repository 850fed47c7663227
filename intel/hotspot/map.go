package hotspot

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/contextmap/contextmap/geo"
)

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
	return c, m.inRect(c)
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
