package geo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestRule(t *testing.T) {
	// Default threshold 5: 1–4 hidden, 0 and 5 shown.
	var def Rule
	for c, want := range map[int]bool{0: false, 1: true, 4: true, 5: false, 12: false} {
		if def.Suppressed(c) != want {
			t.Errorf("default rule, count %d: suppressed %v", c, !want)
		}
	}
	// DfE's 1–5 is threshold 6; threshold 1 hides nothing.
	if !(Rule{Threshold: 6}).Suppressed(5) || (Rule{Threshold: 1}).Suppressed(1) {
		t.Error("threshold 6 must hide 5; threshold 1 must hide nothing")
	}
	// Round 5, halves up: 22 → 20, 23 → 25, 25 → 25, 2 → 0, 3 → 5.
	r := Rule{Round: 5}
	for in, want := range map[int]int{22: 20, 23: 25, 25: 25, 2: 0, 3: 5, 0: 0} {
		if got := r.RoundTotal(in); got != want {
			t.Errorf("RoundTotal(%d) = %d, want %d", in, got, want)
		}
	}
	if (Rule{}).RoundTotal(23) != 23 {
		t.Error("Round 0 must leave totals alone")
	}
}

func TestSuppressCells(t *testing.T) {
	in := []CellCount{
		{CellID{0, 0}, 0, 0},  // nobody: shown as 0
		{CellID{1, 0}, 1, 7},  // one child, seven events: hidden
		{CellID{2, 0}, 4, 4},  // hidden
		{CellID{3, 0}, 5, 11}, // shown
	}
	out, err := SuppressCells(in, Rule{})
	if err != nil {
		t.Fatal(err)
	}
	want := []DisclosedCell{
		{CellID{0, 0}, false, 0, 0},
		{CellID{1, 0}, true, 0, 0},
		{CellID{2, 0}, true, 0, 0},
		{CellID{3, 0}, false, 5, 11},
	}
	for i := range want {
		if out[i] != want[i] {
			t.Errorf("cell %d: %+v, want %+v", i, out[i], want[i])
		}
	}
	if _, err := SuppressCells([]CellCount{{People: -1}}, Rule{}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("negative count: %v", err)
	}
	if _, err := SuppressCells(nil, Rule{Threshold: -2}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("negative threshold: %v", err)
	}
}

// render shows a disclosed table compactly: numbers, "P" for primary and
// "S" for secondary suppression; the totals column last, the totals row
// last.
func render(d *DisclosedTable) string {
	e := func(x Entry) string {
		switch x.Why {
		case Primary:
			return "P"
		case Secondary:
			return "S"
		}
		return fmt.Sprint(x.Value)
	}
	out := ""
	for i, row := range d.Cells {
		for _, x := range row {
			out += e(x) + " "
		}
		out += "| " + e(d.RowTotals[i]) + "\n"
	}
	for _, x := range d.ColTotals {
		out += e(x) + " "
	}
	return out + "| " + e(d.Total) + "\n"
}

func TestSuppressTableHandWorked(t *testing.T) {
	cases := []struct {
		name  string
		cells [][]int
		rule  Rule
		want  string
	}{
		{
			// Threshold 5. Only (row 0, B) = 3 is small.
			//
			//	     A  B  C | T
			//	r0  12  3  8 | 23
			//	r1   7  9  6 | 22
			//	r2   5 10  0 | 15
			//	T   24 22 14 | 60
			//
			// Row 0 has one hidden entry: hide its cheapest other, C = 8
			// (A = 12 is larger). Column B has one: cheapest other cell is
			// r1 = 9 (r2 = 10). Column C now has one (r0): its cheapest
			// other is r1 = 6 (the 0 in r2 comes last). Every line now has
			// 0 or 2 hidden, and the four form the cycle r0–B–r1–C–r0, so
			// none is a bridge. Totals all shown. Check by hand that 3 is
			// not recoverable: r0 gives B + C = 11, r1 gives B' + C' = 15,
			// column B gives B + B' = 12, column C gives C + C' = 14: the
			// solutions are B = t, C = 11 − t, B' = 12 − t, C' = 3 + t for
			// any t.
			name:  "DfE-style four-cell pattern",
			cells: [][]int{{12, 3, 8}, {7, 9, 6}, {5, 10, 0}},
			want:  "12 P S | 23\n7 S S | 22\n5 10 0 | 15\n24 22 14 | 60\n",
		},
		{
			// The Eden case: a district with 2 children, all in one row.
			//
			//	      All Bar Car Eden | T
			//	CSE1    6   7   9    2 | 24
			//	CSE2    8   6  11    0 | 25
			//	T      14  13  20    2 | 49
			//
			// Primary: CSE1/Eden = 2 and the Eden total = 2.
			// Rows first: CSE1 has one hidden: its cheapest other cell is
			// Allerdale 6. The totals row has one (Eden 2): its cheapest
			// other is a column total, Barrow 13 (before 14, 20 and the
			// grand total). Columns: Allerdale now has one (CSE1): cheapest
			// other cell CSE2 = 8. Barrow has one (its total): cheapest cell
			// CSE2 = 6 (CSE1 = 7). Eden has two. Every line now has 0 or 2.
			// The hidden entries CSE1–Eden, T–Eden, T–Barrow, CSE2–Barrow,
			// CSE2–Allerdale, CSE1–Allerdale make one 6-cycle: no bridge.
			// Solving: a + e = 8, b + c = 14, a + b = 14, 7 + c = B,
			// e = E, B + E = 15 gives a = t, e = 8 − t, b = 14 − t, c = t,
			// B = 7 + t, E = 8 − t: the 2 (t = 6) is not determined.
			name:  "small district column",
			cells: [][]int{{6, 7, 9, 2}, {8, 6, 11, 0}},
			want:  "S 7 9 P | 24\nS S 11 0 | 25\n14 S 20 P | 49\n",
		},
		{
			// Nothing under DfE's threshold 6; totals rounded to 5s:
			// 30, 20; columns 22 → 20, 28 → 30; grand 50. Cells exact.
			name:  "rounded totals",
			cells: [][]int{{10, 20}, {12, 8}},
			rule:  Rule{Threshold: 6, Round: 5},
			want:  "10 20 | 30\n12 8 | 20\n20 30 | 50\n",
		},
		{
			// Everything is small: cells 1, 2, 1, totals 3, 1, 1, 3, 4 are all
			// primary; only the 0 is shown.
			name:  "all small",
			cells: [][]int{{1, 2}, {0, 1}},
			want:  "P P | P\n0 P | P\nP P | P\n",
		},
		{
			// Two separate blocks of four 1s, (r0–r1 × A–B) and (r2–r3 ×
			// C–D): every line holds 0 or 2 hidden entries and each block
			// is a 4-cycle, so nothing else is hidden.
			name: "two independent blocks",
			cells: [][]int{
				{1, 1, 20, 30},
				{1, 1, 40, 50},
				{60, 70, 1, 1},
				{80, 90, 1, 1},
			},
			want: "P P 20 30 | 52\nP P 40 50 | 92\n60 70 P P | 132\n80 90 P P | 172\n142 162 62 82 | 448\n",
		},
		{
			// A bridge that the line rule misses. Threshold 5; the 1s are
			// primary:
			//
			//	     A   B   C   D   E |  T
			//	r0   1   1  20  30  40 |  92
			//	r1   1   1   1  50  60 | 113
			//	r2  70  80   1   1  90 | 242
			//	r3  15  25   1   1  35 |  77
			//	r4  10  12  14  16  18 |  70
			//	T   97 119  37  98 243 | 594
			//
			// Lines: r0 2, r1 3, r2 2, r3 2, A 2, B 2, C 3, D 2, the rest
			// 0, so step 1 adds nothing. But the hidden entries are two
			// 4-cycles, r0–A–r1–B–r0 and r2–C–r3–D–r2, joined by the edge
			// (r1, C), and that bridge is determined: from the published
			// entries, row r0 gives a0 + b0 = 92 − 90 = 2, row r1 gives
			// a1 + b1 + c1 = 113 − 110 = 3, column A a0 + a1 = 97 − 95 = 2,
			// column B b0 + b1 = 119 − 117 = 2, so c1 = 2 + 3 − 2 − 2 = 1.
			// Step 2 finds that bridge: row r1's side holds columns A, B;
			// column C's side holds rows r2, r3. The cheapest of (r2,A) 70, (r2,B) 80,
			// (r3,A) 15, (r3,B) 25 is (r3,A) = 15, which closes the cycle
			// r1–C–r3–A–r1. Then every line holds 0 or ≥ 2 and no edge is
			// a bridge: one secondary suppression.
			name: "bridge between two cycles",
			cells: [][]int{
				{1, 1, 20, 30, 40},
				{1, 1, 1, 50, 60},
				{70, 80, 1, 1, 90},
				{15, 25, 1, 1, 35},
				{10, 12, 14, 16, 18},
			},
			want: "P P 20 30 40 | 92\nP P P 50 60 | 113\n70 80 P P 90 | 242\nS 25 P P 35 | 77\n10 12 14 16 18 | 70\n97 119 37 98 243 | 594\n",
		},
	}
	for _, c := range cases {
		d, err := SuppressTable(c.cells, c.rule)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := render(d); got != c.want {
			t.Errorf("%s:\ngot\n%swant\n%s", c.name, got, c.want)
		}
	}
}

// Six primary entries forming the cycle r0–A–r1–C–r2–B–r0 (each of rows
// r0–r2 and columns A–C holds two) need no secondary suppression: every
// line holds 0 or 2 and no edge is a bridge.
//
//	      A  B  C  D | T
//	r0    1  1 20 30 | 52
//	r1    1 40  1 50 | 92
//	r2   60  1  1 70 | 132
//	r3   80 90 10 11 | 191
//	T   142 132 32 161 | 467
func TestSuppressTableCycleNeedsNothing(t *testing.T) {
	d, err := SuppressTable([][]int{{1, 1, 20, 30}, {1, 40, 1, 50}, {60, 1, 1, 70}, {80, 90, 10, 11}}, Rule{})
	if err != nil {
		t.Fatal(err)
	}
	want := "P P 20 30 | 52\nP 40 P 50 | 92\n60 P P 70 | 132\n80 90 10 11 | 191\n142 132 32 161 | 467\n"
	if got := render(d); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// determined reports, for each hidden entry of the table with margins,
// whether the published entries fix its value: the unknowns are the hidden
// entries, the equations "each row sums to its total" and "each column sums
// to its total" (margins included as members). An unknown is determined
// exactly when deleting its column from the equation matrix lowers the
// rank (it is not a combination of the other unknowns' columns).
func determined(v [][]int, hidden [][]bool) [][2]int {
	nr, nc := len(v), len(v[0])
	var unknowns [][2]int
	for i := range nr {
		for j := range nc {
			if hidden[i][j] {
				unknowns = append(unknowns, [2]int{i, j})
			}
		}
	}
	if len(unknowns) == 0 {
		return nil
	}
	// Rows 0..nr-2 and the totals row; each equation: Σ cells − total = 0.
	eqs := nr + nc
	build := func(skip int) *mat.Dense {
		cols := len(unknowns)
		if skip >= 0 {
			cols--
		}
		if cols == 0 {
			return nil
		}
		a := mat.NewDense(eqs, cols, nil)
		c := 0
		for k, u := range unknowns {
			if k == skip {
				continue
			}
			i, j := u[0], u[1]
			rowSign, colSign := 1.0, 1.0
			if j == nc-1 {
				rowSign = -1 // the row's total
			}
			if i == nr-1 {
				colSign = -1 // the column's total
			}
			a.Set(i, c, rowSign)
			a.Set(nr+j, c, colSign)
			c++
		}
		return a
	}
	rank := func(a *mat.Dense) int {
		if a == nil {
			return 0
		}
		var svd mat.SVD
		if !svd.Factorize(a, mat.SVDNone) {
			panic("SVD failed")
		}
		return svd.Rank(1e-9)
	}
	full := rank(build(-1))
	var out [][2]int
	for k, u := range unknowns {
		if rank(build(k)) < full {
			out = append(out, u)
		}
	}
	return out
}

// The oracle itself, on a 2×2 table with margins
//
//	1 2 | 3
//	4 5 | 9
//	5 7 | 12
//
// (a) hiding (0,0) alone: row 0 gives it back, determined;
// (b) hiding the four cells: a 4-cycle, nothing determined;
// (c) the four cells plus row 0's total (0,2) and the grand total (2,2):
// the totals row then holds one hidden entry, so the grand total is
// 5 + 7 = 12, and then row 0's total is 12 − 9: both determined, while
// the four cells still are not.
func TestDeterminedOracle(t *testing.T) {
	v := [][]int{{1, 2, 3}, {4, 5, 9}, {5, 7, 12}}
	h := func(cells ...[2]int) [][]bool {
		out := make([][]bool, 3)
		for i := range out {
			out[i] = make([]bool, 3)
		}
		for _, c := range cells {
			out[c[0]][c[1]] = true
		}
		return out
	}
	if got := determined(v, h([2]int{0, 0})); len(got) != 1 {
		t.Errorf("single hidden cell: determined %v", got)
	}
	if got := determined(v, h([2]int{0, 0}, [2]int{0, 1}, [2]int{1, 0}, [2]int{1, 1})); len(got) != 0 {
		t.Errorf("2×2 cycle: determined %v", got)
	}
	// Cycle on cells plus the hidden row total of row 0 and grand total:
	// (0,0),(0,1),(1,0),(1,1) and (0,2),(2,2): edges r0–T, rT–T join r0 to
	// the totals row, which has no other hidden entry, so (2,2) is alone in
	// the totals row: determined, and (0,2) with it.
	got := determined(v, h([2]int{0, 0}, [2]int{0, 1}, [2]int{1, 0}, [2]int{1, 1}, [2]int{0, 2}, [2]int{2, 2}))
	if len(got) != 2 {
		t.Errorf("cycle with a pendant path: determined %v, want (0,2) and (2,2)", got)
	}
}

// For random tables, after SuppressTable: every small count is hidden, no
// row or column has exactly one hidden entry, and — a stronger, linear
// algebra check — no hidden entry is determined by the published ones.
func TestSuppressTableProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	secondaries, bridgesBroken := 0, 0
	for trial := range 3000 {
		nr, nc := 1+rng.IntN(6), 1+rng.IntN(7)
		cells := make([][]int, nr)
		for i := range cells {
			cells[i] = make([]int, nc)
			for j := range cells[i] {
				switch rng.IntN(4) {
				case 0:
					cells[i][j] = 0
				case 1:
					cells[i][j] = 1 + rng.IntN(5)
				default:
					cells[i][j] = rng.IntN(40)
				}
			}
		}
		rule := Rule{Threshold: 3 + rng.IntN(5)}
		d, err := SuppressTable(cells, rule)
		if err != nil {
			t.Fatal(err)
		}
		// Rebuild the table with margins and the hidden pattern.
		v := make([][]int, nr+1)
		hidden := make([][]bool, nr+1)
		for i := range v {
			v[i] = make([]int, nc+1)
			hidden[i] = make([]bool, nc+1)
		}
		for i := range nr {
			for j := range nc {
				v[i][j] = cells[i][j]
				v[i][nc] += cells[i][j]
				v[nr][j] += cells[i][j]
				v[nr][nc] += cells[i][j]
				hidden[i][j] = d.Cells[i][j].Suppressed
			}
			hidden[i][nc] = d.RowTotals[i].Suppressed
		}
		for j := range nc {
			hidden[nr][j] = d.ColTotals[j].Suppressed
		}
		hidden[nr][nc] = d.Total.Suppressed

		for i := range v {
			for j := range v[i] {
				if rule.Suppressed(v[i][j]) && !hidden[i][j] {
					t.Fatalf("trial %d: small count %d at (%d,%d) shown\n%s", trial, v[i][j], i, j, render(d))
				}
			}
		}
		for i := 0; i <= nr; i++ {
			n := 0
			for j := 0; j <= nc; j++ {
				if hidden[i][j] {
					n++
				}
			}
			if n == 1 {
				t.Fatalf("trial %d: row %d has one hidden entry\n%s", trial, i, render(d))
			}
		}
		for j := 0; j <= nc; j++ {
			n := 0
			for i := 0; i <= nr; i++ {
				if hidden[i][j] {
					n++
				}
			}
			if n == 1 {
				t.Fatalf("trial %d: column %d has one hidden entry\n%s", trial, j, render(d))
			}
		}
		if det := determined(v, hidden); len(det) > 0 {
			t.Fatalf("trial %d: hidden entries %v are determined\n%s", trial, det, render(d))
		}
		// Also: only the line rule's pattern? Count how often a secondary
		// suppression was needed that the line rule alone would not add.
		for i := range hidden {
			for j := range hidden[i] {
				if hidden[i][j] && !rule.Suppressed(v[i][j]) {
					secondaries++
				}
			}
		}
		if lineRuleOnlyLeavesBridge(v, rule) {
			bridgesBroken++
		}
	}
	t.Logf("%d secondary suppressions; %d tables where the line rule alone would have left a determined entry", secondaries, bridgesBroken)
	if bridgesBroken == 0 {
		t.Error("no random table needed the bridge step: the property test does not exercise it")
	}
}

// lineRuleOnlyLeavesBridge runs primary suppression and the line rule
// only, and reports whether some hidden entry is then determined.
func lineRuleOnlyLeavesBridge(v [][]int, r Rule) bool {
	s := &suppressor{v: v, nr: len(v) - 1, nc: len(v[0]) - 1, why: make([][]Suppression, len(v))}
	for i := range v {
		s.why[i] = make([]Suppression, len(v[0]))
		for j := range v[i] {
			if r.Suppressed(v[i][j]) {
				s.why[i][j] = Primary
			}
		}
	}
	s.closeLines()
	hidden := make([][]bool, len(v))
	for i := range hidden {
		hidden[i] = make([]bool, len(v[0]))
		for j := range hidden[i] {
			hidden[i][j] = s.hidden(i, j)
		}
	}
	return len(determined(v, hidden)) > 0
}

func TestSuppressTableErrors(t *testing.T) {
	for name, cells := range map[string][][]int{
		"empty":    nil,
		"no cols":  {{}},
		"ragged":   {{1, 2}, {3}},
		"negative": {{1, -2}},
	} {
		if _, err := SuppressTable(cells, Rule{}); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
