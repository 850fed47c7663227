package report

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// Row codes of the Current Picture, in the slides' order, and their labels
// as the slides print them.
const (
	RowCategoryTotal   = "category_total"
	RowStatusNone      = "status_not_recorded"
	RowStatusTotal     = "status_total"
	RowUpToDate        = "risk_assessment_up_to_date"
	RowOverdue         = "risk_assessment_overdue"
	RowUpToDatePercent = "risk_assessment_up_to_date_percent"
)

// Blocks of rows.
const (
	BlockCategory   = "category"
	BlockStatus     = "status"
	BlockAssessment = "risk_assessment"
)

// RowLabels are the slides' row labels by row code.
var RowLabels = map[string]string{
	"cse1":             "CSE1 - Category 1 Child Sexual Exploitation",
	"cse2":             "CSE2 - Category 2 Child Sexual Exploitation",
	"cse3":             "CSE3 - Category 3 Child Sexual Exploitation",
	"other":            "CSE - Evidence or Suspicion of other forms of Exploitation",
	RowCategoryTotal:   "Total",
	"early_help":       "Early Help",
	"open_case":        "Open case",
	"cin_plan":         "CiN plan",
	"cp":               "CP",
	"cla":              "CLA",
	"not_open":         "Not open",
	RowStatusNone:      "Status not recorded",
	RowStatusTotal:     "Total",
	RowUpToDate:        "No. with up to date risk assessment (within the last month)",
	RowOverdue:         "No. with overdue risk assessment",
	RowUpToDatePercent: "% with up to date risk assessment",
	RowEpisodes:        "Missing episodes",
	RowChildren:        "Children missing",
	RowRepeat:          "Children missing more than once",
	RowFound:           "Episodes found",
	RowRHIWithin:       "Return home interview within 72 hours",
	RowRHIPercent:      "% return home interview within 72 hours",
	RowLinksDue:        "Links due for review",
}

// AreaCode is the code of the whole-area column.
const AreaCode = "area"

// Column is a column of a report table.
type Column struct {
	Code  string `json:"code"` // AreaCode or the district code
	Label string `json:"label"`
	Name  string `json:"name"`
	// Exact: shown without disclosure control to this reader.
	Exact bool `json:"exact"`
}

// Figure is one published figure: a count, a percentage, suppressed
// ("c"), or nothing to show (a percentage of no children).
type Figure struct {
	Count      int
	Percent    float64
	IsPercent  bool
	Suppressed bool
	None       bool
	// Signed figures are changes: printed with their sign, a percentage
	// as percentage points.
	Signed bool
}

// MarshalJSON writes a count or percentage as a number, a suppressed
// figure as {"suppressed": true} and a percentage of nobody as null.
func (f Figure) MarshalJSON() ([]byte, error) {
	switch {
	case f.Suppressed:
		return []byte(`{"suppressed":true}`), nil
	case f.None:
		return []byte(`null`), nil
	case f.IsPercent:
		return []byte(strconv.FormatFloat(f.Percent, 'f', 1, 64)), nil
	}
	return json.Marshal(f.Count)
}

// UnmarshalJSON reads what MarshalJSON writes (a number sets both Count,
// when whole, and Percent).
func (f *Figure) UnmarshalJSON(b []byte) error {
	*f = Figure{}
	switch s := string(b); {
	case s == "null":
		f.None = true
		return nil
	case len(s) > 0 && s[0] == '{':
		var v struct {
			Suppressed bool `json:"suppressed"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		f.Suppressed = v.Suppressed
		return nil
	}
	if err := json.Unmarshal(b, &f.Percent); err != nil {
		return err
	}
	if f.Percent == math.Trunc(f.Percent) {
		f.Count = int(f.Percent)
	}
	return nil
}

// String is the figure as the slides print it: "26", "33.3%", "c", "-".
func (f Figure) String() string {
	switch {
	case f.Suppressed:
		return "c"
	case f.None:
		return "-"
	case f.IsPercent && f.Signed:
		return signed(f.Percent > 0) + strconv.FormatFloat(f.Percent, 'f', 1, 64) + " pp"
	case f.IsPercent:
		return strconv.FormatFloat(f.Percent, 'f', 1, 64) + "%"
	case f.Signed:
		return signed(f.Count > 0) + strconv.Itoa(f.Count)
	}
	return strconv.Itoa(f.Count)
}

func signed(positive bool) string {
	if positive {
		return "+"
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

// roundTenth rounds to one decimal, never to minus zero.
func roundTenth(x float64) float64 {
	r := math.Round(x*10) / 10
	if r == 0 {
		return 0
	}
	return r
}

// Row is a row of a report table.
type Row struct {
	Code   string   `json:"code"`
	Label  string   `json:"label"`
	Block  string   `json:"block"`
	Values []Figure `json:"values"` // one per column
}

// UnmarshalJSON reads a row, its figures percentages in a percentage row.
func (r *Row) UnmarshalJSON(b []byte) error {
	type plain Row
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	if r.Code == RowUpToDatePercent || r.Code == RowRHIPercent {
		for i := range r.Values {
			r.Values[i].IsPercent, r.Values[i].Count = true, 0
		}
	}
	return nil
}

// Disclosure says whether and how disclosure control was applied.
type Disclosure struct {
	Applied   bool     `json:"applied"`
	Threshold int      `json:"threshold,omitempty"`
	Exact     []string `json:"exact_columns,omitempty"` // shown exactly to this reader
	Note      string   `json:"note,omitempty"`
}

// Picture is the Current Picture on a date.
type Picture struct {
	Report      string     `json:"report"`
	AsOf        intel.Date `json:"as_of"`
	GeneratedAt time.Time  `json:"generated_at"`
	Area        string     `json:"area"`
	Columns     []Column   `json:"columns"`
	Rows        []Row      `json:"rows"`
	Disclosure  Disclosure `json:"disclosure"`
	Definitions []string   `json:"definitions"`
}

// Row returns the row with the given code, or nil.
func (p *Picture) Row(code string) *Row {
	for i := range p.Rows {
		if p.Rows[i].Code == code {
			return &p.Rows[i]
		}
	}
	return nil
}

// Column returns the index of the column with the given code, or -1.
func (p *Picture) Column(code string) int {
	return slices.IndexFunc(p.Columns, func(c Column) bool { return c.Code == code })
}

// View is who reads a report: exact, or under disclosure control except
// for the districts they see exactly.
type View struct {
	Controlled bool
	Rule       geo.Rule
	Exact      []string // district codes seen exactly under control
}

// ViewFor is the view of a principal: analysts and police see exact
// figures; a district team its own districts exactly and the rest under
// control; partners everything under control.
func ViewFor(p intel.Principal, rule geo.Rule) View {
	switch p.Role {
	case intel.RoleAnalyst, intel.RolePolice:
		return View{Rule: rule}
	case intel.RoleDistrict:
		return View{Controlled: true, Rule: rule, Exact: slices.Clone(p.Districts)}
	}
	return View{Controlled: true, Rule: rule}
}

func (v View) exact(code string) bool { return !v.Controlled || slices.Contains(v.Exact, code) }

// Row layout of the picture's linked table: categories, statuses (with
// "not recorded"), risk assessment.
var (
	nCat   = len(intel.Categories)
	nStat  = len(intel.Statuses) + 1
	rowUp  = nCat + nStat
	rowOut = rowUp + 1
	nRows  = rowOut + 1
)

// pictureTable arranges the counts of one date into the linked table.
func pictureTable(area intel.ReportArea, counts []intel.PictureCount, asOf intel.Date, v View) (linkedTable, error) {
	nd := len(area.Districts)
	col := map[string]int{}
	for i, d := range area.Districts {
		col[d.Code] = i
	}
	t := linkedTable{rows: make([][]int, nRows), omitted: make([]bool, nRows), known: make([]bool, nd)}
	for r := range t.rows {
		t.rows[r] = make([]int, nd+1)
	}
	for i, d := range area.Districts {
		t.known[i] = v.Controlled && v.exact(d.Code)
	}
	for _, n := range counts {
		if !n.AsOf.Equal(asOf.Time) {
			continue
		}
		c := nd
		if n.District != nil {
			i, ok := col[*n.District]
			if !ok {
				return t, fmt.Errorf("report: count for unknown district %q", *n.District)
			}
			c = i
		}
		cat := slices.Index(intel.Categories, n.Category)
		if cat < 0 {
			return t, fmt.Errorf("report: unknown category %q", n.Category)
		}
		st := nStat - 1
		if n.Status != nil {
			if st = slices.Index(intel.Statuses, *n.Status); st < 0 {
				return t, fmt.Errorf("report: unknown status %q", *n.Status)
			}
		}
		ra := rowOut
		if n.UpToDate {
			ra = rowUp
		}
		t.rows[cat][c] += n.Children
		t.rows[nCat+st][c] += n.Children
		t.rows[ra][c] += n.Children
	}
	cat, stat := make([]int, nCat), make([]int, nStat)
	for i := range cat {
		cat[i] = i
	}
	for i := range stat {
		stat[i] = nCat + i
	}
	t.blocks = [][]int{cat, stat, {rowUp, rowOut}}
	// "Status not recorded" is printed only when some child has no status.
	t.omitted[nCat+nStat-1] = !slices.ContainsFunc(t.rows[nCat+nStat-1], func(x int) bool { return x != 0 })
	return t, nil
}

// BuildPicture makes the Current Picture of asOf from the store's counts
// for the reader's view. Counts of other dates are ignored.
func BuildPicture(area intel.ReportArea, counts []intel.PictureCount, asOf intel.Date, v View, now time.Time) (*Picture, error) {
	t, err := pictureTable(area, counts, asOf, v)
	if err != nil {
		return nil, err
	}
	var d *disclosed
	if v.Controlled {
		d, err = t.suppress(v.Rule)
	} else {
		d, err = t.exact()
	}
	if err != nil {
		return nil, err
	}
	nd := len(area.Districts)
	p := &Picture{Report: "current_picture", AsOf: asOf, GeneratedAt: now.UTC().Truncate(time.Second),
		Area: AreaLabel(area), Definitions: PictureDefinitions}
	// Printed columns: area first, then districts; table columns:
	// districts, no district, area.
	cols := []int{nd + 1}
	p.Columns = append(p.Columns, Column{Code: AreaCode, Label: p.Area, Name: p.Area, Exact: !v.Controlled})
	for i, dd := range area.Districts {
		cols = append(cols, i)
		p.Columns = append(p.Columns, Column{Code: dd.Code, Label: DistrictLabel(dd), Name: dd.Name, Exact: v.exact(dd.Code)})
	}
	add := func(code, block string, r int) {
		row := Row{Code: code, Label: RowLabels[code], Block: block}
		for _, c := range cols {
			row.Values = append(row.Values, Figure{Count: d.value[r][c], Suppressed: d.hidden[r][c]})
		}
		p.Rows = append(p.Rows, row)
	}
	for i, c := range intel.Categories {
		add(c, BlockCategory, i)
	}
	add(RowCategoryTotal, BlockCategory, nRows)
	for i, s := range intel.Statuses {
		add(s, BlockStatus, nCat+i)
	}
	if !t.omitted[nCat+nStat-1] {
		add(RowStatusNone, BlockStatus, nCat+nStat-1)
	}
	add(RowStatusTotal, BlockStatus, nRows)
	add(RowUpToDate, BlockAssessment, rowUp)
	add(RowOverdue, BlockAssessment, rowOut)
	pct := Row{Code: RowUpToDatePercent, Label: RowLabels[RowUpToDatePercent], Block: BlockAssessment}
	for _, c := range cols {
		pct.Values = append(pct.Values, percent(d.value[rowUp][c], d.value[nRows][c], d.hidden[rowUp][c] || d.hidden[nRows][c]))
	}
	p.Rows = append(p.Rows, pct)
	p.Disclosure = disclosureOf(v, p.Rows)
	return p, nil
}

// percent is num/den as a percentage to one decimal, halves rounded up;
// suppressed when either figure is; nothing when den is zero.
func percent(num, den int, suppressed bool) Figure {
	switch {
	case suppressed:
		return Figure{IsPercent: true, Suppressed: true}
	case den == 0:
		return Figure{IsPercent: true, None: true}
	}
	return Figure{IsPercent: true, Percent: math.Floor(float64(num)*1000/float64(den)+0.5) / 10}
}

// SuppressionNote is printed under every table that went through
// disclosure control.
func SuppressionNote(threshold int) string {
	return fmt.Sprintf("c: suppressed. Counts from 1 to %d are not shown, and further figures are hidden so that none "+
		"can be worked out from the totals; percentages are shown only where both of their figures are.", threshold-1)
}

func disclosureOf(v View, rows []Row) Disclosure {
	if !v.Controlled {
		return Disclosure{}
	}
	th := v.Rule.Threshold
	if th == 0 {
		th = geo.DefaultThreshold
	}
	return Disclosure{Applied: true, Threshold: th, Exact: v.Exact, Note: SuppressionNote(th)}
}
