package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/report"
	"github.com/contextmap/contextmap/intel/report/reporttest"
)

var reportReaders = []string{"analyst", "police", "district", "partner"}

func init() {
	for _, r := range []string{"current-picture", "trend", "missing", "mace"} {
		routeAccess["GET /api/v1/reports/"+r] = reportReaders
	}
}

// The slides' Current Picture of 31 December 2020, as printed
// (/work/shared/seed/cumbria-contextual-safeguarding-slides.txt), header
// first.
var slidesTable = [][]string{
	{"", "Cumbria", "Allerdale", "Barrow", "Carlisle", "Copeland", "Eden", "South Lakeland"},
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

func sameTable(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines, want %d:\n%q", what, len(got), len(want), got)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Errorf("%s line %d: %q, want %q", what, i, got[i], want[i])
			continue
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("%s line %d (%s), column %d (%s): %q, want %q", what, i, want[i][0], j, want[0][j], got[i][j], want[i][j])
			}
		}
	}
}

// htmlTables reads an HTML report as a browser would (non-strict, HTML
// entities and auto-closing), fails on any script, event handler or
// external resource, and returns each table's cells (th and td text).
func htmlTables(t *testing.T, r response) [][][]string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q", ct)
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	d := xml.NewDecoder(bytes.NewReader(r.Body))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var tables [][][]string
	var cell *strings.Builder
	var style strings.Builder
	inStyle := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("HTML does not parse: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			switch strings.ToLower(v.Name.Local) {
			case "script", "iframe", "object", "embed", "img", "link":
				t.Errorf("HTML holds a <%s>", v.Name.Local)
			case "table":
				tables = append(tables, nil)
			case "tr":
				tables[len(tables)-1] = append(tables[len(tables)-1], nil)
			case "th", "td":
				cell = &strings.Builder{}
			case "style":
				inStyle = true
			}
			for _, a := range v.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || strings.Contains(strings.ToLower(a.Value), "javascript:") {
					t.Errorf("HTML holds a script attribute %s=%q", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			switch strings.ToLower(v.Name.Local) {
			case "th", "td":
				tb := tables[len(tables)-1]
				tb[len(tb)-1] = append(tb[len(tb)-1], strings.TrimSpace(cell.String()))
				cell = nil
			case "style":
				inStyle = false
			}
		case xml.CharData:
			if cell != nil {
				cell.Write(v)
			}
			if inStyle {
				style.Write(v)
			}
		}
	}
	// The inline stylesheet is the one the policy allows.
	sum := sha256.Sum256([]byte(style.String()))
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the page's stylesheet is not the one its CSP allows")
	}
	return tables
}

func csvTable(t *testing.T, r response) [][]string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
		t.Errorf("content disposition %q", cd)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, r.Body)
	}
	return rows
}

func picture(t *testing.T, r response) *report.Picture {
	t.Helper()
	var p report.Picture
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("picture: %v: %s", err, r.Body)
	}
	return &p
}

// TestCurrentPictureReproducesTheSlides loads the demo and compares the
// Current Picture of 31 December 2020 with the slides, cell by cell, in
// CSV, HTML and JSON.
func TestCurrentPictureReproducesTheSlides(t *testing.T) {
	h := newDemoHarness(t)
	const base = "/api/v1/reports/current-picture?as_of=2020-12-31"
	for _, role := range []string{"analyst", "police"} {
		r := h.do(role, "GET", base+"&format=csv", nil)
		if r.Status != 200 {
			t.Fatalf("%s CSV: %d %s", role, r.Status, r.Body)
		}
		sameTable(t, role+" CSV", csvTable(t, r), slidesTable)
	}
	r := h.do("analyst", "GET", base+"&format=html", nil)
	if r.Status != 200 {
		t.Fatalf("HTML: %d %s", r.Status, r.Body)
	}
	tables := htmlTables(t, r)
	if len(tables) != 1 {
		t.Fatalf("%d tables in the HTML", len(tables))
	}
	sameTable(t, "HTML", tables[0], slidesTable)
	for _, s := range []string{"31 December 2020", "Definitions", "calendar month", "Generated by contextmap"} {
		if !bytes.Contains(r.Body, []byte(s)) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	if bytes.Contains(r.Body, []byte("Disclosure control.")) {
		t.Error("an exact report carries the suppression note")
	}

	p := picture(t, h.do("analyst", "GET", base, nil))
	if p.AsOf.String() != "2020-12-31" || p.Area != "Cumbria" || len(p.Columns) != 7 || p.Columns[2].Code != "E07000027" ||
		p.Columns[2].Name != "Barrow-in-Furness" || p.Columns[2].Label != "Barrow" {
		t.Errorf("picture head: %+v", p.Columns)
	}
	var pct []string
	for _, v := range p.Row(report.RowUpToDatePercent).Values {
		pct = append(pct, v.String())
	}
	if want := []string{"33.3%", "28.6%", "50.0%", "38.5%", "0.0%", "0.0%", "16.7%"}; !slices.Equal(pct, want) {
		t.Errorf("percentages %v, want %v", pct, want)
	}
	if len(p.Definitions) == 0 {
		t.Error("no definitions in the JSON")
	}
	// JSON numbers are numbers, percentages one decimal.
	var raw struct {
		Rows []struct {
			Code   string            `json:"code"`
			Values []json.RawMessage `json:"values"`
		} `json:"rows"`
	}
	_ = json.Unmarshal(h.do("analyst", "GET", base, nil).Body, &raw)
	if got := string(raw.Rows[len(raw.Rows)-1].Values[0]); got != "33.3" {
		t.Errorf("percent as JSON: %s", got)
	}
	if got := string(raw.Rows[0].Values[0]); got != "26" {
		t.Errorf("count as JSON: %s", got)
	}
}

// trueUnassigned is the no-district column of the exact picture: the area
// minus the districts.
func trueUnassigned(p *report.Picture) map[string]int {
	u := map[string]int{}
	for _, r := range p.Rows {
		if r.Code == report.RowUpToDatePercent || r.Code == report.RowStatusTotal {
			continue
		}
		n := r.Values[0].Count
		for _, v := range r.Values[1:] {
			n -= v.Count
		}
		code := r.Code
		if code == report.RowCategoryTotal {
			code = "total"
		}
		u[code] = n
	}
	return u
}

// TestCurrentPictureDisclosure: partners and other districts' teams see
// the demo's Eden column (2 children) under disclosure control, nothing
// of it can be worked out from all the published figures together, and the
// suppressed cells print as "c".
func TestCurrentPictureDisclosure(t *testing.T) {
	h := newDemoHarness(t)
	const base = "/api/v1/reports/current-picture?as_of=2020-12-31"
	exact := picture(t, h.must2(200, "analyst", base))
	u := trueUnassigned(exact)
	if u["total"] != 1 || u["other"] != 1 || u["not_open"] != 1 || u[report.RowOverdue] != 1 {
		t.Fatalf("the demo's no-district child: %v", u)
	}
	for _, role := range []string{"partner", "district", "eden"} {
		p := picture(t, h.must2(200, role, base))
		if !p.Disclosure.Applied || p.Disclosure.Threshold != 5 {
			t.Errorf("%s: disclosure %+v", role, p.Disclosure)
		}
		if d := reporttest.Derivable(t, p, u, 5); len(d) > 0 {
			t.Errorf("%s: suppressed figures can be worked out: %v", role, d)
		}
		eden := p.Column("E07000030")
		for i, r := range p.Rows {
			v, want := r.Values[eden], exact.Rows[i].Values[eden]
			switch {
			case role == "eden":
				if v != want {
					t.Errorf("Eden's own team: %s %s, want %s", r.Code, v, want)
				}
			case !v.Suppressed && (v.Count != 0 || v.IsPercent):
				t.Errorf("%s sees Eden's %s: %s", role, r.Code, v)
			}
		}
		// Every published figure is the true one.
		for i, r := range p.Rows {
			for j, v := range r.Values {
				if !v.Suppressed && v != exact.Rows[i].Values[j] {
					t.Errorf("%s: %s/%s published as %s, truly %s", role, r.Code, p.Columns[j].Code, v, exact.Rows[i].Values[j])
				}
			}
		}
	}
	// Carlisle's own column is exact for Carlisle's team.
	p := picture(t, h.must2(200, "district", base))
	car := p.Column("E07000028")
	for i, r := range p.Rows {
		if r.Values[car] != exact.Rows[i].Values[car] {
			t.Errorf("Carlisle's team: %s %s", r.Code, r.Values[car])
		}
	}
	// CSV and HTML print "c" with the suppression note.
	r := h.do("partner", "GET", base+"&format=csv", nil)
	rows := csvTable(t, r)
	if rows[0][6] != "Eden" || rows[1][6] != "c" {
		t.Errorf("partner CSV Eden: %q %q", rows[0][6], rows[1][6])
	}
	r = h.do("partner", "GET", base+"&format=html", nil)
	tables := htmlTables(t, r)
	if tables[0][1][6] != "c" || !bytes.Contains(r.Body, []byte("Disclosure control.")) {
		t.Errorf("partner HTML: Eden CSE1 %q; note present %v", tables[0][1][6], bytes.Contains(r.Body, []byte("Disclosure control.")))
	}
	// Disclosure control is not person-level: no audit record.
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE route LIKE '%current-picture%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("current picture audited: %d %v", n, err)
	}
}

// must2 is must for a GET returning the raw response.
func (h *harness) must2(want int, role, path string) response {
	h.t.Helper()
	r := h.do(role, "GET", path, nil)
	if r.Status != want {
		h.t.Fatalf("GET %s as %s: %d, want %d: %s", path, role, r.Status, want, r.Body)
	}
	return r
}

func problem(t *testing.T, r response, status int, field string) {
	t.Helper()
	if r.Status != status || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("status %d (%s), want %d problem+json: %s", r.Status, r.Header.Get("Content-Type"), status, r.Body)
		return
	}
	if field == "" {
		return
	}
	var p struct {
		Errors []intel.FieldError `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &p)
	if len(p.Errors) == 0 || p.Errors[0].Field != field {
		t.Errorf("problem names %+v, want field %s: %s", p.Errors, field, r.Body)
	}
}

func TestReportsBadInput(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		role, path, field string
		status            int
	}{
		{"analyst", "/api/v1/reports/current-picture?as_of=2020-13-01", "as_of", 400},
		{"analyst", "/api/v1/reports/current-picture?as_of=2020-02-30", "as_of", 400},
		{"analyst", "/api/v1/reports/current-picture?as_of=31/12/2020", "as_of", 400},
		{"analyst", "/api/v1/reports/current-picture?as_of=0001-01-01", "as_of", 400},
		{"partner", "/api/v1/reports/current-picture?format=xlsx", "format", 400},
		{"analyst", "/api/v1/reports/trend?from=2020-12&to=2020-01", "from", 400},
		{"analyst", "/api/v1/reports/trend?from=2015-01&to=2020-12", "to", 400},
		{"analyst", "/api/v1/reports/trend?from=2020-1", "from", 400},
		{"analyst", "/api/v1/reports/trend?interval=week", "interval", 400},
		{"analyst", "/api/v1/reports/trend?district=E99999999", "district", 400},
		{"analyst", "/api/v1/reports/trend?format=html", "format", 400},
		{"analyst", "/api/v1/reports/missing?from=2021-01-01&to=2020-01-01", "from", 400},
		{"analyst", "/api/v1/reports/missing?from=2010-01-01&to=2020-01-01", "to", 400},
		{"partner", "/api/v1/reports/missing?district=" + url.QueryEscape("Eden"), "district", 400},
		{"analyst", "/api/v1/reports/mace?district=E99999999", "district", 400},
		{"police", "/api/v1/reports/mace?as_of=yesterday", "as_of", 400},
		{"partner", "/api/v1/reports/mace?format=csv", "format", 400},
		// A district team's pack of another district is not found, as an
		// out-of-scope row is; an unknown district is still a bad request.
		{"district", "/api/v1/reports/mace?district=E07000030", "", 404},
		{"district", "/api/v1/reports/mace?district=NOPE", "district", 400},
		{"admin", "/api/v1/reports/current-picture", "", 403},
	} {
		problem(t, h.do(c.role, "GET", c.path, nil), c.status, c.field)
	}
	// A person-level pack needs a stated purpose; a partner's does not.
	for role, want := range map[string]int{"analyst": 400, "partner": 200} {
		r := h.doNoPurpose(role, "/api/v1/reports/mace?district=E07000028")
		if r.Status != want {
			t.Errorf("%s MACE without a purpose: %d, want %d: %s", role, r.Status, want, r.Body)
		}
	}
}

type trendJSON struct {
	From       string            `json:"from"`
	To         string            `json:"to"`
	Interval   string            `json:"interval"`
	Column     report.Column     `json:"column"`
	Months     []string          `json:"months"`
	Series     []report.Row      `json:"series"`
	Disclosure report.Disclosure `json:"disclosure"`
}

func (tr trendJSON) series(code string) []report.Figure {
	for _, s := range tr.Series {
		if s.Code == code {
			return s.Values
		}
	}
	return nil
}

// TestTrend: each month of the series is that month's end's Current
// Picture column, disclosed as the Current Picture itself is.
func TestTrend(t *testing.T) {
	h := newDemoHarness(t)
	var tr trendJSON
	if err := json.Unmarshal(h.must2(200, "analyst", "/api/v1/reports/trend?from=2020-10&to=2020-12&interval=month").Body, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.From != "2020-10-01" || tr.To != "2020-12-31" || !slices.Equal(tr.Months, []string{"2020-10-31", "2020-11-30", "2020-12-31"}) ||
		tr.Column.Code != report.AreaCode || tr.Column.Label != "Cumbria" {
		t.Fatalf("trend head: %+v", tr)
	}
	// December is the slides' Cumbria column.
	for i, code := range []string{"cse1", "cse2", "cse3", "other", report.RowCategoryTotal, "early_help", "open_case", "cin_plan", "cp", "cla",
		"not_open"} {
		if got, want := tr.series(code)[2].String(), slidesTable[i+1][1]; got != want {
			t.Errorf("December %s: %s, want %s", code, got, want)
		}
	}
	if got := tr.series(report.RowUpToDatePercent)[2].String(); got != "33.3%" {
		t.Errorf("December up to date: %s", got)
	}
	for _, code := range []string{report.RowEpisodes, report.RowChildren, report.RowRepeat, report.RowFound, report.RowRHIWithin,
		report.RowRHIPercent, report.RowLinksDue, report.RowStatusNone} {
		if s := tr.series(code); len(s) != 3 {
			t.Errorf("series %s: %v", code, s)
		}
	}
	// The missing measures of a month are the missing report's for it.
	var m missingJSON
	_ = json.Unmarshal(h.must2(200, "analyst", "/api/v1/reports/missing?from=2020-11-01&to=2020-11-30").Body, &m)
	for _, code := range []string{report.RowEpisodes, report.RowChildren, report.RowFound, report.RowRHIPercent} {
		if got, want := tr.series(code)[1], m.figure(code, report.AreaCode); got != want {
			t.Errorf("November %s: trend %s, missing report %s", code, got, want)
		}
	}
	if tr.series(report.RowEpisodes)[1].Count == 0 {
		t.Error("no missing episodes in November 2020 in the demo")
	}
	// A partner's trend for Eden shows what the partner's Current Picture
	// of each month end shows, no more.
	var pt trendJSON
	_ = json.Unmarshal(h.must2(200, "partner", "/api/v1/reports/trend?from=2020-11&to=2020-12&district=E07000030").Body, &pt)
	for i, end := range []string{"2020-11-30", "2020-12-31"} {
		p := picture(t, h.must2(200, "partner", "/api/v1/reports/current-picture?as_of="+end))
		eden := p.Column("E07000030")
		for _, r := range p.Rows {
			if r.Code == report.RowStatusNone {
				continue
			}
			if got := pt.series(r.Code)[i]; got != r.Values[eden] {
				t.Errorf("%s %s: trend %s, picture %s", end, r.Code, got, r.Values[eden])
			}
		}
	}
	// CSV: months as columns.
	rows := csvTable(t, h.must2(200, "analyst", "/api/v1/reports/trend?from=2020-10&to=2020-12&format=csv"))
	if !slices.Equal(rows[0], []string{"", "2020-10", "2020-11", "2020-12"}) || rows[1][0] != slidesTable[1][0] || rows[1][3] != "26" {
		t.Errorf("trend CSV: %q", rows[:2])
	}
	// Five years is the most.
	h.must2(200, "police", "/api/v1/reports/trend?from=2017-01&to=2021-12")
}
