package report

import (
	"time"

	"github.com/contextmap/contextmap/intel"
)

// MaxTrendMonths bounds a trend's length.
const MaxTrendMonths = 60

// Trend is the monthly series of one column (the area or a district).
type Trend struct {
	Report      string       `json:"report"`
	From        intel.Date   `json:"from"` // the first month's first day
	To          intel.Date   `json:"to"`   // the last month's last day
	Interval    string       `json:"interval"`
	GeneratedAt time.Time    `json:"generated_at"`
	Column      Column       `json:"column"`
	Months      []intel.Date `json:"months"` // each month's last day, the day it is measured on
	Series      []Row        `json:"series"` // one value per month
	Disclosure  Disclosure   `json:"disclosure"`
	Definitions []string     `json:"definitions"`
}

// MonthEnds returns the last day of every month from from's month to to's.
func MonthEnds(from, to intel.Date) []intel.Date {
	var out []intel.Date
	y, m, _ := from.Date()
	for first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC); !first.After(to.Time); first = first.AddDate(0, 1, 0) {
		out = append(out, intel.Date{Time: first.AddDate(0, 1, -1)})
	}
	return out
}

// TrendInput is what a trend is built from: the counts of every month end,
// the missing episodes of the whole span and the link review counts.
type TrendInput struct {
	Area     intel.ReportArea
	Counts   []intel.PictureCount
	Episodes []intel.MissingEpisode
	Links    []intel.LinkReviewCount
}

// BuildTrend makes the monthly series of one column ("" the area) from
// the month of from to the month of to. Each month is disclosed as its own
// Current Picture and missing-episode report would be, and the column
// taken from them, so a trend never shows what those reports hide.
func BuildTrend(in TrendInput, from, to intel.Date, district string, v View, now time.Time) (*Trend, error) {
	months := MonthEnds(from, to)
	cols, idx := printedColumns(in.Area, v, district)
	col := cols[0]
	t := &Trend{Report: "trend", Interval: "month", GeneratedAt: now.UTC().Truncate(time.Second), Column: col,
		Months: months, Disclosure: disclosureOf(v, nil), Definitions: append(append([]string{}, TrendDefinitions...),
			append(append([]string{}, PictureDefinitions...), MissingDefinitions...)...)}
	if len(months) > 0 {
		t.From = intel.NewDate(months[0].Year(), months[0].Month(), 1)
		t.To = months[len(months)-1]
	}
	series := map[string]*Row{}
	var order []string
	add := func(r Row, value Figure) {
		s := series[r.Code]
		if s == nil {
			s = &Row{Code: r.Code, Label: r.Label, Block: r.Block}
			series[r.Code] = s
			order = append(order, r.Code)
		}
		s.Values = append(s.Values, value)
	}
	links := map[string]int{}
	for _, l := range in.Links {
		key := l.AsOf.String() + "|"
		if !l.Area && l.District != nil {
			key += *l.District
		}
		links[key] = l.Links
	}
	for _, end := range months {
		p, err := BuildPicture(in.Area, in.Counts, end, v, now)
		if err != nil {
			return nil, err
		}
		pc := p.Column(col.Code)
		for _, code := range pictureRowCodes() {
			r := p.Row(code)
			if r == nil {
				// "Status not recorded" is left out of months without such
				// children: zero.
				add(Row{Code: code, Label: RowLabels[code], Block: BlockStatus}, Figure{})
				continue
			}
			add(*r, r.Values[pc])
		}
		first := intel.NewDate(end.Year(), end.Month(), 1)
		rows, err := missingRows(countMissing(in.Area, in.Episodes, first, end), in.Area, v)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			add(r, r.Values[idx[0]])
		}
		key := end.String() + "|"
		if district != "" {
			key += district
		}
		add(Row{Code: RowLinksDue, Label: RowLabels[RowLinksDue], Block: BlockLinks}, Figure{Count: links[key]})
	}
	for _, code := range order {
		t.Series = append(t.Series, *series[code])
	}
	return t, nil
}

// pictureRowCodes are the Current Picture's row codes in order, with
// "Status not recorded".
func pictureRowCodes() []string {
	out := append([]string{}, intel.Categories...)
	out = append(out, RowCategoryTotal)
	out = append(out, intel.Statuses...)
	return append(out, RowStatusNone, RowStatusTotal, RowUpToDate, RowOverdue, RowUpToDatePercent)
}
