package report

import (
	"fmt"

	"github.com/contextmap/contextmap/geo"
)

// linkedTable is a report table before disclosure control: rows of counts
// over the districts and a last column for the children with no district
// recorded (counted in the area, never printed on its own). Its rows fall
// in blocks that each add up to the same Total row, and the area column is
// the sum of every other column.
type linkedTable struct {
	rows   [][]int // [row][district..., no district]
	blocks [][]int // row indices; each block adds up to the Total row
	// omitted rows are not printed because they are zero throughout: the
	// reader knows them.
	omitted []bool
	// known columns are districts the reader sees exactly (a district
	// team's own).
	known []bool
	// area, when set, holds the area figure of each row where it is not
	// the sum of the columns (children missing in two districts count once
	// in the area). The table is still protected as if it were the sum.
	area []int
}

// disclosed is a linked table after disclosure control, with the Total row
// (index len(rows)) and the area column (index districts+1).
type disclosed struct {
	value  [][]int  // [row][column], Total row and area column included
	hidden [][]bool // printed as "c"
}

func (t linkedTable) dims() (nr, nd int) { return len(t.rows), len(t.known) }

// values returns the table with its Total row and area column.
func (t linkedTable) values() ([][]int, error) {
	nr, nd := t.dims()
	v := make([][]int, nr+1)
	for r := range v {
		v[r] = make([]int, nd+2)
	}
	for r, row := range t.rows {
		if len(row) != nd+1 {
			return nil, fmt.Errorf("report: row %d has %d columns, want %d", r, len(row), nd+1)
		}
		for c, x := range row {
			if x < 0 {
				return nil, fmt.Errorf("report: negative count in row %d", r)
			}
			v[r][c] = x
			v[r][nd+1] += x
		}
		if t.area != nil {
			v[r][nd+1] = t.area[r]
		}
	}
	for b, block := range t.blocks {
		total := make([]int, nd+2)
		for _, r := range block {
			for c := range total {
				total[c] += v[r][c]
			}
		}
		if b == 0 {
			v[nr] = total
			continue
		}
		for c := range total {
			if total[c] != v[nr][c] {
				return nil, fmt.Errorf("report: block %d adds up to %d in column %d, block 0 to %d", b, total[c], c, v[nr][c])
			}
		}
	}
	return v, nil
}

// exact is the table without disclosure control.
func (t linkedTable) exact() (*disclosed, error) {
	v, err := t.values()
	if err != nil {
		return nil, err
	}
	d := &disclosed{value: v, hidden: make([][]bool, len(v))}
	for r := range v {
		d.hidden[r] = make([]bool, len(v[r]))
	}
	return d, nil
}

// suppress applies disclosure control under rule (see disclosure.go).
func (t linkedTable) suppress(rule geo.Rule) (*disclosed, error) {
	v, err := t.values()
	if err != nil {
		return nil, err
	}
	s, err := t.system(v, rule)
	if err != nil {
		return nil, err
	}
	s.protect()
	nr, nd := t.dims()
	d := &disclosed{value: v, hidden: make([][]bool, nr+1)}
	for r := range d.hidden {
		d.hidden[r] = make([]bool, nd+2)
		for c := range d.hidden[r] {
			d.hidden[r][c] = s.entries[r*(nd+2)+c].hidden()
		}
	}
	return d, nil
}

// system builds the linear system of the table: one entry per figure,
// row-major with the Total row last and columns districts, no district,
// area; one sum per row (across the columns) and per block and column
// (down the block to the Total row). Primary suppression and the first
// secondary pattern from geo.SuppressTable are applied.
func (t linkedTable) system(v [][]int, rule geo.Rule) (*system, error) {
	nr, nd := t.dims()
	nc := nd + 2
	unassigned, area := nd, nd+1
	at := func(r, c int) int { return r*nc + c }
	s := &system{entries: make([]entry, (nr+1)*nc)}
	for r := 0; r <= nr; r++ {
		for c := 0; c < nc; c++ {
			e := entry{value: v[r][c], published: c != unassigned}
			switch {
			case r == nr && c == area:
				e.tier = 2
			case r == nr || c == area:
				e.tier = 1
			}
			switch {
			case r < nr && t.omitted[r]:
				e.known = true
			case c < nd && t.known[c]:
				e.known = true
			case rule.Suppressed(e.value):
				// Small no-district figures are never printed and must not
				// be worked out either.
				e.why = geo.Primary
			}
			s.entries[at(r, c)] = e
		}
	}
	for r := 0; r <= nr; r++ {
		sum := []term{{at(r, area), -1}}
		for c := 0; c < area; c++ {
			sum = append(sum, term{at(r, c), 1})
		}
		s.sums = append(s.sums, sum)
	}
	for _, block := range t.blocks {
		for c := 0; c < nc; c++ {
			sum := []term{{at(nr, c), -1}}
			for _, r := range block {
				sum = append(sum, term{at(r, c), 1})
			}
			s.sums = append(s.sums, sum)
		}
	}
	if err := t.seed(s, v, rule); err != nil {
		return nil, err
	}
	return s, nil
}

// seed hides what geo.SuppressTable hides in each block (without the
// columns the reader knows and the omitted rows), margins of all blocks
// together.
func (t linkedTable) seed(s *system, v [][]int, rule geo.Rule) error {
	nr, nd := t.dims()
	nc := nd + 2
	var cols []int
	for c := 0; c <= nd; c++ {
		if c == nd || !t.known[c] {
			cols = append(cols, c)
		}
	}
	hide := func(r, c int) {
		if e := &s.entries[r*nc+c]; !e.known && e.why == geo.Shown {
			e.why = geo.Secondary
		}
	}
	for _, block := range t.blocks {
		var rows []int
		for _, r := range block {
			if !t.omitted[r] {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		cells := make([][]int, len(rows))
		for i, r := range rows {
			cells[i] = make([]int, len(cols))
			for j, c := range cols {
				cells[i][j] = v[r][c]
			}
		}
		dt, err := geo.SuppressTable(cells, rule)
		if err != nil {
			return err
		}
		for i, r := range rows {
			for j, c := range cols {
				if dt.Cells[i][j].Suppressed {
					hide(r, c)
				}
			}
			if dt.RowTotals[i].Suppressed {
				hide(r, nd+1)
			}
		}
		for j, c := range cols {
			if dt.ColTotals[j].Suppressed {
				hide(nr, c)
			}
		}
		if dt.Total.Suppressed {
			hide(nr, nd+1)
		}
	}
	return nil
}
