package report

import (
	"cmp"
	"math"
	"slices"

	"github.com/contextmap/contextmap/geo"
)

// Disclosure control of linked tables.
//
// geo.SuppressTable protects one table with its margins. A report table is
// several tables that share margins: the Current Picture's category block,
// status block and risk-assessment block each add up to the same Total row,
// and each row's whole-area figure is the sum of the districts plus the
// children with no district, who are counted in the area column but have no
// column of their own. And some readers already know part of the table: a
// district team sees its own districts exactly. geo.SuppressTable cannot
// express any of that, so the protection is checked here on the whole
// linear system at once:
//
//  1. Primary suppression by the rule (geo.Rule: 0 < count < threshold) of
//     every entry the reader does not already know, including the area
//     figures and the unpublished no-district figures.
//  2. A first secondary pattern from geo.SuppressTable run on each block
//     with its margins; the hidden margins of every block are hidden in all
//     of them (the union), since they are the same figures.
//  3. Then, exactly: an entry is derivable by a reader when what they know
//     fixes its value through the tables' sums. With H the entries unknown
//     to the reader and A the matrix of the sums restricted to them, entry
//     k is fixed exactly when the unit vector e_k lies in the row space of
//     A, i.e. when k's row of the reduced row echelon form of A has no other
//     non-zero. Two readers are checked: one who also knows every
//     no-district figure (they are never printed, but a reader may guess
//     them all zero), for whom no suppressed printed figure may be fixed;
//     and one who knows only what is printed, for whom no small no-district
//     figure may be fixed. While some such figure is fixed, hide the
//     cheapest printed entry sharing a sum with it whose hiding frees it
//     (else the cheapest such entry, and look again).
//
// "Cheapest" is geo's order: a non-zero cell before a non-zero margin,
// before the grand total, before a zero; then the smaller count; then the
// first. The protection is against exact derivation through the sums (as
// DfE's and geo's), not against bounds from counts being non-negative.

// entry is one figure of a linked table.
type entry struct {
	value     int
	tier      int  // cost tier: 0 cell, 1 margin, 2 grand total (zeros get 3)
	known     bool // the reader knows it already: never hidden, never a variable
	published bool // printed when not hidden
	why       geo.Suppression
}

func (e entry) hidden() bool { return e.why != geo.Shown }

// term is one member of a sum: coefficient times entry.
type term struct {
	e int
	c float64
}

// system is a set of entries and sums over them, each sum equal to zero.
type system struct {
	entries []entry
	sums    [][]term
	// exempt marks hidden entries fixed by what the reader already knows:
	// hiding more published figures cannot help them.
	exempt []bool
}

func (s *system) cost(i int) [3]int {
	e := s.entries[i]
	t := e.tier
	if e.value == 0 {
		t = 3
	}
	return [3]int{t, e.value, i}
}

// Two readers are considered. The first knows every figure of the
// no-district column (it is never printed, but a reader may guess it is
// all zero): no suppressed printed figure may be fixed for them, so those
// figures never shelter behind the unprinted ones. The second knows only
// what is printed: no small no-district figure may be fixed for them.
const (
	knowsUnprinted = iota
	knowsPrinted
)

// variable reports whether entry i is unknown to the reader.
func (s *system) variable(i, reader int) bool {
	e := s.entries[i]
	if reader == knowsPrinted && !e.published {
		return true
	}
	return e.hidden() && e.published
}

// target reports whether entry i must not be fixed for the reader.
func (s *system) target(i, reader int) bool {
	e := s.entries[i]
	if reader == knowsPrinted {
		return !e.published && e.why == geo.Primary
	}
	return e.published && e.hidden()
}

// fixed reports, for every entry, whether it is unknown to the reader and
// yet fixed by the sums and the entries the reader knows.
func (s *system) fixed(reader int) []bool {
	col := make([]int, len(s.entries))
	n := 0
	for i := range s.entries {
		col[i] = -1
		if s.variable(i, reader) {
			col[i] = n
			n++
		}
	}
	out := make([]bool, len(s.entries))
	if n == 0 {
		return out
	}
	m := make([][]float64, 0, len(s.sums))
	for _, sum := range s.sums {
		row := make([]float64, n)
		any := false
		for _, t := range sum {
			if c := col[t.e]; c >= 0 {
				row[c] += t.c
				any = true
			}
		}
		if any {
			m = append(m, row)
		}
	}
	rref(m)
	var which []int
	for i, c := range col {
		if c >= 0 {
			which = append(which, i)
		}
	}
	for _, row := range m {
		nz, count := -1, 0
		for j, x := range row {
			if math.Abs(x) > eps {
				nz, count = j, count+1
			}
		}
		if count == 1 {
			out[which[nz]] = true
		}
	}
	return out
}

const eps = 1e-9

// rref brings m to reduced row echelon form in place, with partial
// pivoting. The coefficients are small integers (sums of ±1), so float64
// with a tolerance is exact enough; the tests check the result against an
// exact rational solver.
func rref(m [][]float64) {
	if len(m) == 0 {
		return
	}
	r := 0
	for c := 0; c < len(m[0]) && r < len(m); c++ {
		p := r
		for i := r + 1; i < len(m); i++ {
			if math.Abs(m[i][c]) > math.Abs(m[p][c]) {
				p = i
			}
		}
		if math.Abs(m[p][c]) <= eps {
			continue
		}
		m[r], m[p] = m[p], m[r]
		piv := m[r][c]
		for j := range m[r] {
			m[r][j] /= piv
		}
		for i := range m {
			if i == r || math.Abs(m[i][c]) <= eps {
				continue
			}
			f := m[i][c]
			for j := range m[i] {
				m[i][j] -= f * m[r][j]
				if math.Abs(m[i][j]) <= eps {
					m[i][j] = 0
				}
			}
		}
		r++
	}
}

// neighbours lists the entries sharing a sum with k that could still be
// hidden (published, not known, not hidden), cheapest first.
func (s *system) neighbours(k int) []int {
	seen := map[int]bool{}
	var out []int
	for _, sum := range s.sums {
		if !slices.ContainsFunc(sum, func(t term) bool { return t.e == k }) {
			continue
		}
		for _, t := range sum {
			if s.candidate(t.e) && !seen[t.e] {
				seen[t.e] = true
				out = append(out, t.e)
			}
		}
	}
	s.byCost(out)
	return out
}

func (s *system) candidate(i int) bool {
	e := s.entries[i]
	return !e.hidden() && !e.known && e.published
}

func (s *system) byCost(ids []int) {
	slices.SortFunc(ids, func(a, b int) int {
		ca, cb := s.cost(a), s.cost(b)
		for k := range ca {
			if c := cmp.Compare(ca[k], cb[k]); c != 0 {
				return c
			}
		}
		return 0
	})
}

// exposed finds the first target fixed for some reader and not exempt.
func (s *system) exposed() (k, reader int) {
	for _, reader := range []int{knowsUnprinted, knowsPrinted} {
		for i, f := range s.fixed(reader) {
			if f && s.target(i, reader) && !s.exempt[i] {
				return i, reader
			}
		}
	}
	return -1, 0
}

// protect adds secondary suppressions until no target is fixed.
func (s *system) protect() {
	s.exempt = make([]bool, len(s.entries))
	for {
		k, reader := s.exposed()
		if k < 0 {
			return
		}
		cands := s.neighbours(k)
		if len(cands) == 0 {
			// Nothing beside it can be hidden: try every published entry.
			for i := range s.entries {
				if s.candidate(i) {
					cands = append(cands, i)
				}
			}
			s.byCost(cands)
		}
		freed := false
		for _, c := range cands {
			s.entries[c].why = geo.Secondary
			if !s.fixed(reader)[k] {
				freed = true
				break
			}
			s.entries[c].why = geo.Shown
		}
		switch {
		case freed:
		case len(cands) > 0 && len(s.neighbours(k)) > 0:
			// No single entry frees it: hide the cheapest neighbour and
			// look again (the hidden set only grows, so this ends).
			s.entries[cands[0]].why = geo.Secondary
		default:
			// Fixed by what the reader already knows (their own districts):
			// it stays hidden, and nothing more can be done for it.
			s.exempt[k] = true
		}
	}
}
