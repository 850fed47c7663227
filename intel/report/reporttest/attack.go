// Package reporttest holds test helpers for reports: an attacker that
// tries to work out suppressed figures from a published Current Picture.
package reporttest

import (
	"math/big"
	"slices"
	"testing"

	"github.com/contextmap/contextmap/intel/report"
)

// The attacker: an independent check of disclosure control. From a
// published Current Picture alone (the reader's own exact columns are
// printed in it), it solves the tables' sums exactly, in rational
// arithmetic, and lists every suppressed figure whose value is fixed. It
// shares no code with the suppressor.

// blockRows are the picture's blocks by row code; each adds up to Total.
func blockRows(p *report.Picture) [][]string {
	var cat, stat []string
	for _, r := range p.Rows {
		switch {
		case r.Code == report.RowCategoryTotal || r.Code == report.RowStatusTotal || r.Code == report.RowUpToDatePercent:
		case r.Block == report.BlockCategory:
			cat = append(cat, r.Code)
		case r.Block == report.BlockStatus:
			stat = append(stat, r.Code)
		}
	}
	return [][]string{cat, stat, {report.RowUpToDate, report.RowOverdue}}
}

// Derivable returns "row/column" for each suppressed figure of p fixed by
// the published ones. unassigned holds the true no-district figures by row
// code ("total" for the Total row); small ones are unknown to the reader.
//
// Two readers are tried: one who knows every no-district figure (no
// suppressed printed figure may be fixed for them), and one who knows only
// what is printed (no small no-district figure may be fixed for them).
func Derivable(t testing.TB, p *report.Picture, unassigned map[string]int, threshold int) []string {
	t.Helper()
	return append(attack(t, p, unassigned, threshold, true), attack(t, p, unassigned, threshold, false)...)
}

func attack(t testing.TB, p *report.Picture, unassigned map[string]int, threshold int, knowsU bool) []string {
	t.Helper()
	cols := []string{}
	for _, c := range p.Columns {
		cols = append(cols, c.Code)
	}
	cols = append(cols, "U")
	rows := append(slices.Concat(blockRows(p)...), "total")
	type cell struct{ r, c string }
	val := map[cell]*big.Rat{} // known values
	idx := map[cell]int{}      // unknowns
	var unknown []cell
	for _, r := range rows {
		for _, c := range cols {
			k := cell{r, c}
			if c == "U" {
				if knowsU {
					val[k] = big.NewRat(int64(unassigned[r]), 1)
					continue
				}
				idx[k] = len(unknown)
				unknown = append(unknown, k)
				continue
			}
			code := r
			if r == "total" {
				code = report.RowCategoryTotal
			}
			f := p.Row(code).Values[p.Column(c)]
			if f.Suppressed {
				idx[k] = len(unknown)
				unknown = append(unknown, k)
			} else {
				val[k] = big.NewRat(int64(f.Count), 1)
			}
		}
	}
	// Each equation: sum of coef * cell = 0.
	type eq map[cell]int64
	var eqs []eq
	for _, r := range rows {
		e := eq{{r, report.AreaCode}: -1}
		for _, c := range cols {
			if c != report.AreaCode {
				e[cell{r, c}] += 1
			}
		}
		eqs = append(eqs, e)
	}
	for _, b := range blockRows(p) {
		for _, c := range cols {
			e := eq{{"total", c}: -1}
			for _, r := range b {
				e[cell{r, c}] += 1
			}
			eqs = append(eqs, e)
		}
	}
	// Augmented matrix over the unknowns.
	n := len(unknown)
	var m [][]*big.Rat
	for _, e := range eqs {
		row := make([]*big.Rat, n+1)
		for i := range row {
			row[i] = new(big.Rat)
		}
		for k, coef := range e {
			if i, ok := idx[k]; ok {
				row[i].Add(row[i], big.NewRat(coef, 1))
			} else {
				row[n].Sub(row[n], new(big.Rat).Mul(big.NewRat(coef, 1), val[k]))
			}
		}
		m = append(m, row)
	}
	// Exact Gauss-Jordan elimination.
	r := 0
	for c := 0; c < n && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if m[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		inv := new(big.Rat).Inv(m[r][c])
		for j := range m[r] {
			m[r][j].Mul(m[r][j], inv)
		}
		for i := range m {
			if i != r && m[i][c].Sign() != 0 {
				f := new(big.Rat).Set(m[i][c])
				for j := range m[i] {
					m[i][j].Sub(m[i][j], new(big.Rat).Mul(f, m[r][j]))
				}
			}
		}
		r++
	}
	var out []string
	for _, row := range m {
		nz := -1
		count := 0
		for j := 0; j < n; j++ {
			if row[j].Sign() != 0 {
				nz, count = j, count+1
			}
		}
		if count == 0 && row[n].Sign() != 0 {
			t.Fatalf("the published figures are inconsistent")
		}
		if count != 1 {
			continue
		}
		u := unknown[nz]
		switch v := unassigned[u.r]; {
		case u.c != "U" && knowsU:
			out = append(out, u.r+"/"+u.c+"="+row[n].RatString())
		case u.c == "U" && !knowsU && v > 0 && v < threshold:
			out = append(out, "no-district "+u.r+"="+row[n].RatString())
		}
	}
	slices.Sort(out)
	return out
}
