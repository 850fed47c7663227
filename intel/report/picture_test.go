package report_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/report"
	"github.com/contextmap/contextmap/intel/report/reporttest"
)

// The slides' Current Picture of 31 December 2020, as printed
// (/work/shared/seed/cumbria-contextual-safeguarding-slides.txt): the
// Cumbria column, then Allerdale, Barrow, Carlisle, Copeland, Eden, South
// Lakeland.
var slides = [][]string{
	{"CSE1 - Category 1 Child Sexual Exploitation", "26", "8", "6", "7", "2", "2", "1"},
	{"CSE2 - Category 2 Child Sexual Exploitation", "10", "2", "3", "3", "0", "0", "2"},
	{"CSE3 - Category 3 Child Sexual Exploitation", "2", "0", "1", "1", "0", "0", "0"},
	{"CSE - Evidence or Suspicion of other forms of Exploitation", "22", "4", "10", "2", "2", "0", "3"},
	{"Total", "60", "14", "20", "13", "4", "2", "6"},
	{"Early Help", "10", "3", "2", "4", "0", "1", "0"},
	{"Open case", "4", "1", "1", "1", "0", "0", "1"},
	{"CiN plan", "12", "3", "4", "2", "1", "0", "2"},
	{"CP", "15", "5", "5", "1", "3", "0", "1"},
	{"CLA", "17", "1", "8", "5", "0", "1", "2"},
	{"Not open", "2", "1", "0", "0", "0", "0", "0"},
	{"Total", "60", "14", "20", "13", "4", "2", "6"},
	{"No. with up to date risk assessment (within the last month)", "20", "4", "10", "5", "0", "0", "1"},
	{"No. with overdue risk assessment", "40", "10", "10", "8", "4", "2", "5"},
	{"% with up to date risk assessment", "33.3%", "28.6%", "50.0%", "38.5%", "0.0%", "0.0%", "16.7%"},
}

var slideHeader = []string{"", "Cumbria", "Allerdale", "Barrow", "Carlisle", "Copeland", "Eden", "South Lakeland"}

func str(s string) *string { return &s }

func cumbriaArea() intel.ReportArea {
	names := []string{"Allerdale", "Barrow-in-Furness", "Carlisle", "Copeland", "Eden", "South Lakeland"}
	a := intel.ReportArea{}
	for i, n := range names {
		a.Districts = append(a.Districts, intel.ReportDistrict{Code: fmt.Sprintf("E070000%d", 26+i), Name: n})
	}
	return a
}

var asOf = intel.NewDate(2020, 12, 31)

// deal turns a column of the slides (per category, per status, up to date)
// into children: any pairing gives the same table.
func deal(district *string, cats, stats []int, up int) []intel.PictureCount {
	var cs, ss []string
	for i, n := range cats {
		for range n {
			cs = append(cs, intel.Categories[i])
		}
	}
	for i, n := range stats {
		for range n {
			ss = append(ss, intel.Statuses[i])
		}
	}
	var out []intel.PictureCount
	for i := range cs {
		out = append(out, intel.PictureCount{AsOf: asOf, District: district, Category: cs[i], Status: str(ss[i]), UpToDate: i < up, Children: 1})
	}
	return out
}

// slideCounts are counts that give the slides' table: each district's
// column, and the one child with no district (Cumbria minus the districts).
func slideCounts(t *testing.T) []intel.PictureCount {
	t.Helper()
	num := func(r, c int) int {
		var n int
		if _, err := fmt.Sscan(slides[r][c], &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var out []intel.PictureCount
	for c := 1; c <= 7; c++ {
		var cats, stats []int
		for r := range 4 {
			v := num(r, c)
			if c == 1 {
				for d := 2; d <= 7; d++ {
					v -= num(r, d)
				}
			}
			cats = append(cats, v)
		}
		for r := 5; r <= 10; r++ {
			v := num(r, c)
			if c == 1 {
				for d := 2; d <= 7; d++ {
					v -= num(r, d)
				}
			}
			stats = append(stats, v)
		}
		up := num(12, c)
		var district *string
		if c == 1 {
			for d := 2; d <= 7; d++ {
				up -= num(12, d)
			}
		} else {
			district = str(fmt.Sprintf("E070000%d", 26+c-2))
		}
		out = append(out, deal(district, cats, stats, up)...)
	}
	return out
}

// table is the picture as printed: header, then label and figures.
func table(p *report.Picture) [][]string {
	head := []string{""}
	for _, c := range p.Columns {
		head = append(head, c.Label)
	}
	out := [][]string{head}
	for _, r := range p.Rows {
		row := []string{r.Label}
		for _, v := range r.Values {
			row = append(row, v.String())
		}
		out = append(out, row)
	}
	return out
}

func TestPictureReproducesTheSlides(t *testing.T) {
	p, err := report.BuildPicture(cumbriaArea(), slideCounts(t), asOf, report.View{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := table(p)
	want := append([][]string{slideHeader}, slides...)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d:\n%v", len(got), len(want), got)
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("row %d (%s), column %d (%s): %q, want %q", i, want[i][0], j, want[0][j], got[i][j], want[i][j])
			}
		}
	}
	if p.Disclosure.Applied {
		t.Error("an exact view reports disclosure control")
	}
}

func TestPercentRounding(t *testing.T) {
	// Worked by hand: halves round up, to one decimal.
	for _, c := range []struct {
		num, den int
		want     string
	}{{20, 60, "33.3%"}, {4, 14, "28.6%"}, {1, 6, "16.7%"}, {1, 16, "6.3%"}, {3, 16, "18.8%"}, {0, 2, "0.0%"},
		{7, 7, "100.0%"}, {0, 0, "-"}, {2, 3, "66.7%"}} {
		cnt := []intel.PictureCount{}
		for i := range c.den {
			cnt = append(cnt, intel.PictureCount{AsOf: asOf, District: str("E07000026"), Category: "cse1", Status: str("cp"), UpToDate: i < c.num, Children: 1})
		}
		p, err := report.BuildPicture(cumbriaArea(), cnt, asOf, report.View{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Row(report.RowUpToDatePercent).Values[0].String(); got != c.want {
			t.Errorf("%d of %d: %s, want %s", c.num, c.den, got, c.want)
		}
	}
}

func TestStatusNotRecorded(t *testing.T) {
	cnt := []intel.PictureCount{
		{AsOf: asOf, District: str("E07000026"), Category: "cse1", Status: nil, Children: 2},
		{AsOf: asOf, District: str("E07000026"), Category: "cse2", Status: str("cla"), Children: 3, UpToDate: true},
		// Another date: ignored.
		{AsOf: intel.NewDate(2020, 11, 30), District: str("E07000026"), Category: "cse2", Status: str("cla"), Children: 9},
	}
	p, err := report.BuildPicture(cumbriaArea(), cnt, asOf, report.View{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	none := p.Row(report.RowStatusNone)
	if none == nil || none.Values[0].Count != 2 || none.Label != "Status not recorded" {
		t.Fatalf("status not recorded row: %+v", none)
	}
	if a, b := p.Row(report.RowCategoryTotal).Values[1].Count, p.Row(report.RowStatusTotal).Values[1].Count; a != 5 || b != 5 {
		t.Errorf("totals %d and %d, want 5 and 5", a, b)
	}
	if got := p.Row(report.RowUpToDatePercent).Values[1].String(); got != "60.0%" {
		t.Errorf("percent %s, want 60.0%%", got)
	}
	// Without such children the row is not printed.
	p, _ = report.BuildPicture(cumbriaArea(), cnt[1:], asOf, report.View{}, time.Now())
	if p.Row(report.RowStatusNone) != nil {
		t.Error("status not recorded row printed with no such child")
	}
}

func TestLabels(t *testing.T) {
	a := cumbriaArea()
	if got := report.AreaLabel(a); got != "Cumbria" {
		t.Errorf("area label %q", got)
	}
	if got := report.DistrictLabel(a.Districts[1]); got != "Barrow" {
		t.Errorf("Barrow-in-Furness label %q", got)
	}
	a.Districts[1].ShortName = str("Furness")
	if got := report.DistrictLabel(a.Districts[1]); got != "Furness" {
		t.Errorf("short_name not used: %q", got)
	}
	other := intel.ReportArea{Districts: []intel.ReportDistrict{{Code: "W06000001", Name: "Isle of Anglesey"}}}
	if got := report.AreaLabel(other); got != report.DefaultAreaName {
		t.Errorf("other area label %q", got)
	}
	other.Name = str("Ynys Môn")
	if got := report.AreaLabel(other); got != "Ynys Môn" {
		t.Errorf("area_name not used: %q", got)
	}
	// Five of Cumbria's six districts are not Cumbria.
	five := intel.ReportArea{Districts: cumbriaArea().Districts[:5]}
	if got := report.AreaLabel(five); got != report.DefaultAreaName {
		t.Errorf("partial Cumbria label %q", got)
	}
}

func unassignedOf(counts []intel.PictureCount) map[string]int {
	u := map[string]int{}
	for _, n := range counts {
		if n.District != nil || !n.AsOf.Equal(asOf.Time) {
			continue
		}
		u[n.Category] += n.Children
		s := report.RowStatusNone
		if n.Status != nil {
			s = *n.Status
		}
		u[s] += n.Children
		if n.UpToDate {
			u[report.RowUpToDate] += n.Children
		} else {
			u[report.RowOverdue] += n.Children
		}
		u["total"] += n.Children
	}
	return u
}

// checkControlled checks a controlled picture: no printed small count, no
// suppressed figure derivable, percentages only beside shown figures.
func checkControlled(t *testing.T, p *report.Picture, counts []intel.PictureCount, exact []string) {
	t.Helper()
	for _, r := range p.Rows {
		for j, v := range r.Values {
			c := p.Columns[j]
			if slices.Contains(exact, c.Code) {
				if v.Suppressed {
					t.Errorf("%s/%s suppressed in the reader's own district", r.Code, c.Code)
				}
				continue
			}
			if !v.Suppressed && !v.IsPercent && v.Count > 0 && v.Count < 5 {
				t.Errorf("%s/%s: small count %d published", r.Code, c.Code, v.Count)
			}
		}
	}
	pct, up, tot := p.Row(report.RowUpToDatePercent), p.Row(report.RowUpToDate), p.Row(report.RowCategoryTotal)
	for j := range p.Columns {
		if !pct.Values[j].Suppressed && (up.Values[j].Suppressed || tot.Values[j].Suppressed) {
			t.Errorf("column %s: percentage shown beside a suppressed figure", p.Columns[j].Code)
		}
	}
	// The attacker knows the reader's own columns exactly: they are printed.
	if d := reporttest.Derivable(t, p, unassignedOf(counts), 5); len(d) > 0 {
		t.Errorf("suppressed figures can be worked out from the published ones: %v", d)
	}
}

func TestPartnerPictureOfTheSlides(t *testing.T) {
	counts := slideCounts(t)
	p, err := report.BuildPicture(cumbriaArea(), counts, asOf, report.ViewFor(intel.Principal{Role: intel.RolePartner}, geo.Rule{}), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	checkControlled(t, p, counts, nil)
	if !p.Disclosure.Applied || p.Disclosure.Threshold != 5 || !strings.Contains(p.Disclosure.Note, "1 to 4") {
		t.Errorf("disclosure: %+v", p.Disclosure)
	}
	// Eden (2 children): every non-zero figure is hidden, and so is its
	// percentage.
	eden := p.Column("E07000030")
	for _, r := range p.Rows {
		v := r.Values[eden]
		if !v.Suppressed && (v.Count != 0 || r.Code == report.RowUpToDatePercent) {
			t.Errorf("Eden %s published: %s", r.Code, v)
		}
	}
	for _, row := range table(p) {
		t.Log(strings.Join(row, "\t"))
	}
}

func TestDistrictPictureOfTheSlides(t *testing.T) {
	counts := slideCounts(t)
	for _, own := range []string{"E07000028", "E07000030"} {
		pr := intel.Principal{Role: intel.RoleDistrict, Districts: []string{own}}
		p, err := report.BuildPicture(cumbriaArea(), counts, asOf, report.ViewFor(pr, geo.Rule{}), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		checkControlled(t, p, counts, []string{own})
		exact, _ := report.BuildPicture(cumbriaArea(), counts, asOf, report.View{}, time.Now())
		c := p.Column(own)
		for i, r := range p.Rows {
			if r.Values[c] != exact.Rows[i].Values[c] {
				t.Errorf("own district %s %s: %s, want %s", own, r.Code, r.Values[c], exact.Rows[i].Values[c])
			}
		}
		if own == "E07000028" {
			// Eden stays controlled for Carlisle's team.
			if v := p.Row("cse1").Values[p.Column("E07000030")]; !v.Suppressed {
				t.Errorf("Eden cse1 published to Carlisle's team: %s", v)
			}
		}
	}
}

// TestRandomTablesCannotBeWorkedOut runs the suppressor over many random
// small tables (seeded, so repeatable) for partners and district teams and
// lets the attacker loose on each.
func TestRandomTablesCannotBeWorkedOut(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	area := cumbriaArea()
	for n := range 300 {
		var counts []intel.PictureCount
		children := 5 + r.IntN(60)
		for range children {
			var d *string
			if k := r.IntN(14); k < 6 {
				d = &area.Districts[k].Code
			} else if k < 13 {
				d = &area.Districts[r.IntN(2)].Code
			}
			var st *string
			if r.IntN(25) > 0 {
				st = str(intel.Statuses[r.IntN(len(intel.Statuses))])
			}
			counts = append(counts, intel.PictureCount{AsOf: asOf, District: d, Category: intel.Categories[r.IntN(4)],
				Status: st, UpToDate: r.IntN(3) == 0, Children: 1})
		}
		views := []intel.Principal{{Role: intel.RolePartner}, {Role: intel.RoleDistrict, Districts: []string{area.Districts[r.IntN(6)].Code}}}
		for _, pr := range views {
			p, err := report.BuildPicture(area, counts, asOf, report.ViewFor(pr, geo.Rule{}), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if t.Run(fmt.Sprintf("table%d/%s", n, pr.Role), func(t *testing.T) { checkControlled(t, p, counts, pr.Districts) }) {
				continue
			}
			for _, row := range table(p) {
				t.Log(strings.Join(row, "\t"))
			}
		}
	}
}

func TestFigureJSON(t *testing.T) {
	b, err := json.Marshal([]report.Figure{{Count: 3}, {Suppressed: true}, {IsPercent: true, Percent: 33.3}, {IsPercent: true, None: true}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[3,{"suppressed":true},33.3,null]` {
		t.Errorf("figures as JSON: %s", b)
	}
}
