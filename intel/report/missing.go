package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// Row codes of the missing-episode report.
const (
	RowEpisodes      = "episodes"
	RowChildren      = "children"
	RowRepeat        = "repeat_missing_children"
	RowFound         = "episodes_found"
	RowRHIWithin     = "rhi_within_72h"
	RowRHIPercent    = "rhi_within_72h_percent"
	RowLinksDue      = "links_due_for_review"
	BlockMissing     = "missing"
	BlockLinks       = "links"
	rhiLimit         = 72 * time.Hour
	topFoundAtPlaces = 5
)

// FoundPlace is a place where children were found.
type FoundPlace struct {
	Place    intel.NodeRef `json:"place"`
	Episodes Figure        `json:"episodes"`
	Children Figure        `json:"children"`
}

// MissingReport is the missing-episode report of a period.
type MissingReport struct {
	Report      string         `json:"report"`
	From        intel.Date     `json:"from"`
	To          intel.Date     `json:"to"`
	GeneratedAt time.Time      `json:"generated_at"`
	Area        string         `json:"area"`
	Columns     []Column       `json:"columns"`
	Rows        []Row          `json:"rows"`
	TopFoundAt  [][]FoundPlace `json:"top_found_at"` // per column
	Disclosure  Disclosure     `json:"disclosure"`
	Definitions []string       `json:"definitions"`
}

// missingCounts are the figures of one period by column (districts, no
// district; the area figures of the non-additive rows apart).
type missingCounts struct {
	episodes, children, repeat, within, late []int
	areaChildren, areaRepeat                 int
	// places: per column (area last) place -> episodes, children
	places []map[int64]*placeCount
}

type placeCount struct {
	episodes int
	children map[int64]bool
}

// countMissing counts the episodes of [from, to] by column.
func countMissing(area intel.ReportArea, eps []intel.MissingEpisode, from, to intel.Date) missingCounts {
	nd := len(area.Districts)
	col := map[string]int{}
	for i, d := range area.Districts {
		col[d.Code] = i
	}
	m := missingCounts{episodes: make([]int, nd+1), children: make([]int, nd+1), repeat: make([]int, nd+1),
		within: make([]int, nd+1), late: make([]int, nd+1), places: make([]map[int64]*placeCount, nd+2)}
	for i := range m.places {
		m.places[i] = map[int64]*placeCount{}
	}
	in := func(d intel.Date) bool { return !d.Before(from.Time) && !d.After(to.Time) }
	perChild := make([]map[int64]int, nd+1)
	for i := range perChild {
		perChild[i] = map[int64]int{}
	}
	areaChild := map[int64]int{}
	for _, e := range eps {
		c := nd
		if e.District != nil {
			if i, ok := col[*e.District]; ok {
				c = i
			}
		}
		if in(e.ReportedOn) {
			m.episodes[c]++
			for _, p := range e.Children {
				perChild[c][p]++
				areaChild[p]++
			}
		}
		if e.FoundAt != nil && e.FoundOn != nil && in(*e.FoundOn) {
			if e.RHIAt != nil && e.RHIAt.Sub(*e.FoundAt) <= rhiLimit {
				m.within[c]++
			} else {
				m.late[c]++
			}
			if e.FoundPlaceID != nil {
				for _, k := range []int{c, nd + 1} {
					pc := m.places[k][*e.FoundPlaceID]
					if pc == nil {
						pc = &placeCount{children: map[int64]bool{}}
						m.places[k][*e.FoundPlaceID] = pc
					}
					pc.episodes++
					for _, p := range e.Children {
						pc.children[p] = true
					}
				}
			}
		}
	}
	for c, kids := range perChild {
		m.children[c] = len(kids)
		for _, n := range kids {
			if n > 1 {
				m.repeat[c]++
			}
		}
	}
	m.areaChildren = len(areaChild)
	for _, n := range areaChild {
		if n > 1 {
			m.areaRepeat++
		}
	}
	return m
}

// missingTables are the report's tables: episodes; children; repeat
// children; and return home interviews (within 72 hours, not), whose
// Total is the episodes found. Children are not additive over districts (a
// child can go missing in two), so their area figure is given apart; the
// tables are protected as if it were the sum.
func missingTables(m missingCounts, known []bool) []linkedTable {
	one := func(row []int, area *int) linkedTable {
		t := linkedTable{rows: [][]int{row}, blocks: [][]int{{0}}, omitted: []bool{false}, known: known}
		if area != nil {
			t.area = []int{*area}
		}
		return t
	}
	return []linkedTable{
		one(m.episodes, nil),
		one(m.children, &m.areaChildren),
		one(m.repeat, &m.areaRepeat),
		{rows: [][]int{m.within, m.late}, blocks: [][]int{{0, 1}}, omitted: []bool{false, false}, known: known},
	}
}

func knownColumns(area intel.ReportArea, v View) []bool {
	known := make([]bool, len(area.Districts))
	for i, d := range area.Districts {
		known[i] = v.Controlled && v.exact(d.Code)
	}
	return known
}

func (t linkedTable) disclose(v View) (*disclosed, error) {
	if v.Controlled {
		return t.suppress(v.Rule)
	}
	return t.exact()
}

// missingRows discloses the tables of one period and returns the rows,
// columns in table order (districts, no district, area).
func missingRows(m missingCounts, area intel.ReportArea, v View) ([]Row, error) {
	var ds []*disclosed
	for _, t := range missingTables(m, knownColumns(area, v)) {
		d, err := t.disclose(v)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	nd := len(area.Districts)
	row := func(code string, d *disclosed, r int) Row {
		out := Row{Code: code, Label: RowLabels[code], Block: BlockMissing}
		for c := 0; c < nd+2; c++ {
			out.Values = append(out.Values, Figure{Count: d.value[r][c], Suppressed: d.hidden[r][c]})
		}
		return out
	}
	rhi := ds[3]
	pct := Row{Code: RowRHIPercent, Label: RowLabels[RowRHIPercent], Block: BlockMissing}
	for c := 0; c < nd+2; c++ {
		pct.Values = append(pct.Values, percent(rhi.value[0][c], rhi.value[2][c], rhi.hidden[0][c] || rhi.hidden[2][c]))
	}
	return []Row{row(RowEpisodes, ds[0], 0), row(RowChildren, ds[1], 0), row(RowRepeat, ds[2], 0),
		row(RowFound, rhi, 2), row(RowRHIWithin, rhi, 0), pct}, nil
}

// printedColumns are the report's columns, area first, and their indices
// in table order; only the district asked for when district is not "".
func printedColumns(area intel.ReportArea, v View, district string) ([]Column, []int) {
	nd := len(area.Districts)
	var cols []Column
	var idx []int
	if district == "" {
		label := AreaLabel(area)
		cols = append(cols, Column{Code: AreaCode, Label: label, Name: label, Exact: !v.Controlled})
		idx = append(idx, nd+1)
	}
	for i, d := range area.Districts {
		if district == "" || district == d.Code {
			cols = append(cols, Column{Code: d.Code, Label: DistrictLabel(d), Name: d.Name, Exact: v.exact(d.Code)})
			idx = append(idx, i)
		}
	}
	return cols, idx
}

func pick(rows []Row, idx []int) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = r
		out[i].Values = make([]Figure, len(idx))
		for j, c := range idx {
			out[i].Values[j] = r.Values[c]
		}
	}
	return out
}

// BuildMissing makes the missing-episode report of [from, to], for every
// column or one district. places names the found-at places for the reader.
func BuildMissing(area intel.ReportArea, eps []intel.MissingEpisode, places map[int64]intel.NodeRef, from, to intel.Date,
	district string, v View, now time.Time) (*MissingReport, error) {
	m := countMissing(area, eps, from, to)
	rows, err := missingRows(m, area, v)
	if err != nil {
		return nil, err
	}
	cols, idx := printedColumns(area, v, district)
	r := &MissingReport{Report: "missing", From: from, To: to, GeneratedAt: now.UTC().Truncate(time.Second), Area: AreaLabel(area),
		Columns: cols, Rows: pick(rows, idx), Disclosure: disclosureOf(v, nil), Definitions: MissingDefinitions}
	for j, c := range idx {
		r.TopFoundAt = append(r.TopFoundAt, topPlaces(m.places[c], places, v, cols[j].Exact))
	}
	return r, nil
}

// topPlaces lists the found-at places of a column by episodes. Under
// disclosure control a place is listed only with at least threshold
// episodes (so the list never adds up to a published total with a small
// part left out), and its children are suppressed when few.
func topPlaces(pc map[int64]*placeCount, names map[int64]intel.NodeRef, v View, exact bool) []FoundPlace {
	ids := make([]int64, 0, len(pc))
	for id, c := range pc {
		if exact || !v.Rule.Suppressed(c.episodes) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b int64) int {
		if c := cmp.Compare(pc[b].episodes, pc[a].episodes); c != 0 {
			return c
		}
		if c := cmp.Compare(len(pc[b].children), len(pc[a].children)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := []FoundPlace{}
	for _, id := range ids[:min(len(ids), topFoundAtPlaces)] {
		c := pc[id]
		ref, ok := names[id]
		if !ok {
			ref = intel.NodeRef{Type: intel.NodePlace, ID: id, Label: "Place"}
		}
		out = append(out, FoundPlace{Place: ref, Episodes: Figure{Count: c.episodes},
			Children: Figure{Count: len(c.children), Suppressed: !exact && v.Rule.Suppressed(len(c.children))}})
	}
	return out
}

// FoundPlaceIDs are the places to name for a missing report.
func FoundPlaceIDs(eps []intel.MissingEpisode) []int64 {
	var ids []int64
	for _, e := range eps {
		if e.FoundPlaceID != nil && !slices.Contains(ids, *e.FoundPlaceID) {
			ids = append(ids, *e.FoundPlaceID)
		}
	}
	return ids
}
