package geo

import (
	"cmp"
	"fmt"
)

// DefaultThreshold is the product's disclosure threshold: a count of
// distinct young people from 1 to 4 is never shown.
const DefaultThreshold = 5

// Rule is a statistical disclosure control rule for counts of distinct
// young people.
type Rule struct {
	// Threshold: a count c with 0 < c < Threshold is suppressed (primary
	// suppression). 0 means DefaultThreshold (5: counts 1–4 suppressed).
	// DfE's "1 to 5 replaced by c" is Threshold 6; the ONS secure service's
	// "under 10" is 10; 1 suppresses nothing. Zero is never suppressed as
	// a primary: "none" is shown.
	Threshold int
	// Round, if above 1, rounds every total that is shown (row, column
	// and grand totals of a table) to the nearest multiple of Round, halves
	// up. Cells are never rounded. Suppression does not rely on rounding:
	// it treats totals as exact.
	Round int
}

func (r Rule) validate() error {
	if r.Threshold < 0 || r.Round < 0 {
		return fmt.Errorf("geo: disclosure rule %+v: %w", r, ErrInvalidInput)
	}
	return nil
}

func (r Rule) threshold() int { return cmp.Or(r.Threshold, DefaultThreshold) }

// Suppressed reports whether a count is primarily suppressed.
func (r Rule) Suppressed(count int) bool { return count > 0 && count < r.threshold() }

// RoundTotal rounds a total for display as the rule says.
func (r Rule) RoundTotal(v int) int {
	if r.Round <= 1 {
		return v
	}
	return (v + r.Round/2) / r.Round * r.Round
}

// CellCount is what a map cell holds before disclosure control.
type CellCount struct {
	Cell CellID
	// People is the number of distinct young people: the count the rule
	// is applied to.
	People int
	// Events is the number of events (which may exceed People).
	Events int
}

// DisclosedCell is a map cell after disclosure control. A suppressed cell
// keeps its place on the map but shows no counts (People and Events 0).
type DisclosedCell struct {
	Cell       CellID
	Suppressed bool
	People     int
	Events     int
}

// SuppressCells applies primary suppression to map cells: a cell with
// 0 < People < Threshold shows no counts and is flagged Suppressed. Map
// cells have no totals, so there is no secondary suppression; a total
// shown beside the map would let one suppressed cell be recovered by
// subtraction: publish such a total through SuppressTable as a one-row
// table instead.
func SuppressCells(cells []CellCount, r Rule) ([]DisclosedCell, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	out := make([]DisclosedCell, len(cells))
	for i, c := range cells {
		if c.People < 0 || c.Events < 0 {
			return nil, fmt.Errorf("geo: negative count in cell %v: %w", c.Cell, ErrInvalidInput)
		}
		out[i] = DisclosedCell{Cell: c.Cell}
		if r.Suppressed(c.People) {
			out[i].Suppressed = true
		} else {
			out[i].People, out[i].Events = c.People, c.Events
		}
	}
	return out, nil
}

// Suppression says why an entry is hidden.
type Suppression uint8

const (
	// Shown: the entry is published.
	Shown Suppression = iota
	// Primary: the entry itself is a small count.
	Primary
	// Secondary: the entry is hidden so that a primary one cannot be
	// worked out from the totals.
	Secondary
)

// Entry is one published number of a table.
type Entry struct {
	// Value is the count to show: 0 when suppressed, rounded by the rule
	// when the entry is a total.
	Value int
	// Suppressed is Why != Shown.
	Suppressed bool
	Why        Suppression
}

// DisclosedTable is a table after disclosure control.
type DisclosedTable struct {
	Cells     [][]Entry // [row][column]
	RowTotals []Entry   // one per row: the sum across the row
	ColTotals []Entry   // one per column: the sum down the column
	Total     Entry     // the grand total
}

// SuppressTable applies disclosure control to a table of counts with row,
// column and grand totals (computed here as sums, so the table is
// additive), such as the Current Picture: categories by districts.
//
// Primary suppression hides every entry, cells and totals alike, with
// 0 < count < Threshold. Secondary suppression then makes sure no hidden
// entry can be worked out exactly from the published ones by linear
// algebra, in two steps repeated until nothing changes:
//
//  1. A row or column (totals included as members) with exactly one
//     hidden entry would give it away by subtraction: hide its cheapest
//     other entry. Rows are visited top to bottom, then columns left to
//     right, the totals row and column last.
//  2. That alone is not enough: the hidden entries form a bipartite graph
//     (rows, columns, each entry an edge), and an entry is determined by
//     the others exactly when its edge is a bridge (lies on no cycle). For
//     the first bridge found, hide the cheapest entry that joins the two
//     sides the bridge separates, putting it on a cycle.
//
// "Cheapest" means: a non-zero cell before a non-zero row or column total,
// before the grand total, before a zero; then the smallest count; then the
// first in row-major order. Shown totals are rounded as the rule says.
func SuppressTable(cells [][]int, r Rule) (*DisclosedTable, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	if len(cells) == 0 || len(cells[0]) == 0 {
		return nil, fmt.Errorf("geo: empty table: %w", ErrInvalidInput)
	}
	nr, nc := len(cells), len(cells[0])
	// v is the table with margins: row nr holds the column totals, column
	// nc the row totals, (nr, nc) the grand total.
	v := make([][]int, nr+1)
	for i := range v {
		v[i] = make([]int, nc+1)
	}
	for i, row := range cells {
		if len(row) != nc {
			return nil, fmt.Errorf("geo: table row %d has %d columns, row 0 has %d: %w", i, len(row), nc, ErrInvalidInput)
		}
		for j, x := range row {
			if x < 0 {
				return nil, fmt.Errorf("geo: negative count at (%d, %d): %w", i, j, ErrInvalidInput)
			}
			v[i][j] = x
			v[i][nc] += x
			v[nr][j] += x
			v[nr][nc] += x
		}
	}
	s := &suppressor{v: v, nr: nr, nc: nc, why: make([][]Suppression, nr+1)}
	for i := range s.why {
		s.why[i] = make([]Suppression, nc+1)
		for j := range s.why[i] {
			if r.Suppressed(v[i][j]) {
				s.why[i][j] = Primary
			}
		}
	}
	for {
		s.closeLines()
		if !s.breakBridge() {
			break
		}
	}

	out := &DisclosedTable{Cells: make([][]Entry, nr), RowTotals: make([]Entry, nr), ColTotals: make([]Entry, nc)}
	entry := func(i, j int) Entry {
		if w := s.why[i][j]; w != Shown {
			return Entry{Suppressed: true, Why: w}
		}
		if i == nr || j == nc {
			return Entry{Value: r.RoundTotal(v[i][j])}
		}
		return Entry{Value: v[i][j]}
	}
	for i := range nr {
		out.Cells[i] = make([]Entry, nc)
		for j := range nc {
			out.Cells[i][j] = entry(i, j)
		}
		out.RowTotals[i] = entry(i, nc)
	}
	for j := range nc {
		out.ColTotals[j] = entry(nr, j)
	}
	out.Total = entry(nr, nc)
	return out, nil
}

// suppressor holds a table with margins, (nr+1) × (nc+1), and why each
// entry is hidden. Row i's line is entries (i, 0..nc); column j's line is
// entries (0..nr, j); every line sums to its last member.
type suppressor struct {
	v      [][]int
	why    [][]Suppression
	nr, nc int
}

func (s *suppressor) hidden(i, j int) bool { return s.why[i][j] != Shown }

// cost orders candidate entries for secondary suppression (lower first).
func (s *suppressor) cost(i, j int) [4]int {
	tier := 0
	switch {
	case s.v[i][j] == 0:
		tier = 3
	case i == s.nr && j == s.nc:
		tier = 2
	case i == s.nr || j == s.nc:
		tier = 1
	}
	return [4]int{tier, s.v[i][j], i, j}
}

func costLess(a, b [4]int) bool {
	for k := range a {
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return false
}

// line lists the entries of row i (col = false) or column i (col = true).
func (s *suppressor) line(i int, col bool) [][2]int {
	var out [][2]int
	if col {
		for k := 0; k <= s.nr; k++ {
			out = append(out, [2]int{k, i})
		}
		return out
	}
	for k := 0; k <= s.nc; k++ {
		out = append(out, [2]int{i, k})
	}
	return out
}

// closeLines repeats step 1 until no line has exactly one hidden entry.
func (s *suppressor) closeLines() {
	for changed := true; changed; {
		changed = false
		for _, col := range []bool{false, true} {
			n := s.nr
			if col {
				n = s.nc
			}
			for i := 0; i <= n; i++ {
				entries := s.line(i, col)
				count := 0
				for _, e := range entries {
					if s.hidden(e[0], e[1]) {
						count++
					}
				}
				if count != 1 {
					continue
				}
				best, found := [2]int{}, false
				for _, e := range entries {
					if !s.hidden(e[0], e[1]) && (!found || costLess(s.cost(e[0], e[1]), s.cost(best[0], best[1]))) {
						best, found = e, true
					}
				}
				// A line has at least two members, so one is always left.
				s.why[best[0]][best[1]] = Secondary
				changed = true
			}
		}
	}
}

// breakBridge finds the first hidden entry (row-major) whose edge is a
// bridge and hides the cheapest entry joining the two sides. It reports
// whether it hid anything.
func (s *suppressor) breakBridge() bool {
	for i := 0; i <= s.nr; i++ {
		for j := 0; j <= s.nc; j++ {
			if !s.hidden(i, j) {
				continue
			}
			_, colsA := s.reach([]int{i}, nil, i, j)
			if colsA[j] {
				continue // j is still reachable from i: not a bridge
			}
			// colsA are the columns on row i's side. Join a row on column
			// j's side to one of them.
			rowsB, _ := s.reach(nil, []int{j}, i, j)
			best, found := [2]int{}, false
			for r := 0; r <= s.nr; r++ {
				if !rowsB[r] {
					continue
				}
				for c := 0; c <= s.nc; c++ {
					if colsA[c] && !s.hidden(r, c) && (!found || costLess(s.cost(r, c), s.cost(best[0], best[1]))) {
						best, found = [2]int{r, c}, true
					}
				}
			}
			if !found {
				// Cannot happen once closeLines has run (both ends of a
				// bridge then have another hidden entry, so both sides
				// hold a row and a column). Fail closed all the same.
				s.hideAll()
				return false
			}
			s.why[best[0]][best[1]] = Secondary
			return true
		}
	}
	return false
}

func (s *suppressor) hideAll() {
	for i := range s.why {
		for j := range s.why[i] {
			if s.why[i][j] == Shown {
				s.why[i][j] = Secondary
			}
		}
	}
}

// reach is a breadth-first search over the hidden-entry graph from the
// given rows and columns, skipping the edge (si, sj).
func (s *suppressor) reach(startRows, startCols []int, si, sj int) (rows, cols []bool) {
	rows, cols = make([]bool, s.nr+1), make([]bool, s.nc+1)
	type node struct {
		idx int
		col bool
	}
	var queue []node
	for _, r := range startRows {
		rows[r] = true
		queue = append(queue, node{r, false})
	}
	for _, c := range startCols {
		cols[c] = true
		queue = append(queue, node{c, true})
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n.col {
			for r := 0; r <= s.nr; r++ {
				if !rows[r] && s.hidden(r, n.idx) && (r != si || n.idx != sj) {
					rows[r] = true
					queue = append(queue, node{r, false})
				}
			}
			continue
		}
		for c := 0; c <= s.nc; c++ {
			if !cols[c] && s.hidden(n.idx, c) && (n.idx != si || c != sj) {
				cols[c] = true
				queue = append(queue, node{c, true})
			}
		}
	}
	return rows, cols
}
