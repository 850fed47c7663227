package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/intel/report"
)

// reportDB is an empty database with districts D1 to D30 (one square
// around Carlisle, whatever the code), for the definitions' edge cases.
func reportDB(t *testing.T) (*postgres.DB, func(q string, args ...any)) {
	t.Helper()
	db := pgtest.New(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO districts (code, name, geom, geom_m) SELECT 'D' || i, 'Dee ' || i, g, ST_Transform(g, 27700)
		FROM (SELECT ST_Multi(ST_MakeEnvelope(-3.1, 54.8, -2.8, 55.0, 4326)) AS g) x, generate_series(1, 30) i`)
	return db, exec
}

// child inserts young person id in district D<id> with a category period
// and a status period, and assessments on the given dates.
func child(exec func(string, ...any), id int, catFrom, catTo, statusFrom string, assessed ...string) {
	exec(`INSERT INTO people (id, kind, pseudonym, district) VALUES ($1, 'young_person', $2, $3)`, id, fmt.Sprintf("YP-%d", id), fmt.Sprintf("D%d", id))
	var to any
	if catTo != "" {
		to = catTo
	}
	exec(`INSERT INTO person_categories (person_id, category, valid_from, valid_to) VALUES ($1, 'cse2', $2, $3)`, id, catFrom, to)
	if statusFrom != "" {
		exec(`INSERT INTO person_statuses (person_id, status, valid_from) VALUES ($1, 'cp', $2)`, id, statusFrom)
	}
	for _, a := range assessed {
		exec(`INSERT INTO assessments (person_id, completed_on, agency) VALUES ($1, $2, 'CSC')`, id, a)
	}
}

// picture is the exact Current Picture of asOf, as row code -> figure, for
// the district.
func picture(t *testing.T, db *postgres.DB, asOf intel.Date, district string) map[string]string {
	t.Helper()
	ctx := context.Background()
	area, err := db.ReportArea(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := db.PictureCounts(ctx, []intel.Date{asOf})
	if err != nil {
		t.Fatal(err)
	}
	p, err := report.BuildPicture(area, counts, asOf, report.View{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range p.Rows {
		out[r.Code] = r.Values[p.Column(district)].String()
	}
	return out
}

// TestPictureDefinitionEdges checks each boundary of the definitions on
// one child, worked by hand from the definitions in docs/REPORTS.md.
func TestPictureDefinitionEdges(t *testing.T) {
	d := func(s string) intel.Date { v, _ := intel.ParseDate(s); return v }
	type edge struct {
		name     string
		asOf     string
		setup    func(exec func(string, ...any), id int)
		counted  bool
		upToDate bool
		status   string // row code the child is counted under
	}
	cases := []edge{
		{"assessed exactly one month before as_of: overdue", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01", "2020-11-30") }, true, false, "cp"},
		{"assessed the day after that: up to date", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01", "2020-12-01") }, true, true, "cp"},
		{"assessed on as_of: up to date", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01", "2020-12-31") }, true, true, "cp"},
		{"assessed only after as_of: overdue", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01", "2021-01-01") }, true, false, "cp"},
		{"an older and a recent assessment: the latest counts", "2020-12-31",
			func(e func(string, ...any), id int) {
				child(e, id, "2020-01-01", "", "2020-01-01", "2020-06-01", "2020-12-15")
			}, true, true, "cp"},
		{"never assessed: overdue", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01") }, true, false, "cp"},
		{"31 March: one month before is 28 February, which is overdue", "2021-03-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01", "2021-02-28") }, true, false, "cp"},
		{"31 March: 1 March is up to date", "2021-03-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01", "2021-03-01") }, true, true, "cp"},
		{"leap year: 29 February 2020 is one month before 31 March, overdue", "2020-03-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2020-01-01", "2020-02-29") }, true, false, "cp"},
		{"category ended the day before (last day in force 30 Dec): not counted", "2020-12-31",
			func(e func(string, ...any), id int) {
				child(e, id, "2020-01-01", "2020-12-31", "2020-01-01", "2020-12-20")
			}, false, false, ""},
		{"category ending the day after (last day in force 31 Dec): counted", "2020-12-31",
			func(e func(string, ...any), id int) {
				child(e, id, "2020-01-01", "2021-01-01", "2020-01-01", "2020-12-20")
			}, true, true, "cp"},
		{"category starting on as_of: counted", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-12-31", "", "2020-01-01") }, true, false, "cp"},
		{"category starting the day after: not counted", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2021-01-01", "", "2020-01-01") }, false, false, ""},
		{"status changing on as_of: the new status counts", "2020-12-31",
			func(e func(string, ...any), id int) {
				child(e, id, "2020-01-01", "", "")
				e(`INSERT INTO person_statuses (person_id, status, valid_from, valid_to) VALUES ($1, 'cp', '2020-01-01', '2020-12-31'),
					($1, 'cla', '2020-12-31', NULL)`, id)
			}, true, false, "cla"},
		{"status changing the day after: the old status counts", "2020-12-31",
			func(e func(string, ...any), id int) {
				child(e, id, "2020-01-01", "", "")
				e(`INSERT INTO person_statuses (person_id, status, valid_from, valid_to) VALUES ($1, 'cp', '2020-01-01', '2021-01-01'),
					($1, 'cla', '2021-01-01', NULL)`, id)
			}, true, false, "cp"},
		{"no status in force: status not recorded", "2020-12-31",
			func(e func(string, ...any), id int) { child(e, id, "2020-01-01", "", "2021-01-01") }, true, false, report.RowStatusNone},
		{"an adult of concern with a category is not a child", "2020-12-31",
			func(e func(string, ...any), id int) {
				e(`INSERT INTO people (id, kind, pseudonym, district) VALUES ($1, 'adult_of_concern', 'AOC-1', $2)`, id, fmt.Sprintf("D%d", id))
				e(`INSERT INTO person_categories (person_id, category, valid_from) VALUES ($1, 'cse1', '2020-01-01')`, id)
			}, false, false, ""},
	}
	// One database, each case's child alone in its own district.
	db, exec := reportDB(t)
	for i, c := range cases {
		c.setup(exec, i+1)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := picture(t, db, d(c.asOf), fmt.Sprintf("D%d", i+1))
			want := map[string]string{"cse2": "0", report.RowCategoryTotal: "0", report.RowUpToDate: "0", report.RowOverdue: "0",
				report.RowUpToDatePercent: "-"}
			if c.counted {
				want["cse2"], want[report.RowCategoryTotal], want[c.status] = "1", "1", "1"
				if c.upToDate {
					want[report.RowUpToDate], want[report.RowUpToDatePercent] = "1", "100.0%"
				} else {
					want[report.RowOverdue], want[report.RowUpToDatePercent] = "1", "0.0%"
				}
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %s, want %s (picture %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func TestPictureCountsManyDates(t *testing.T) {
	db, exec := reportDB(t)
	child(exec, 1, "2020-01-15", "2020-03-01", "2020-01-01", "2020-01-20")
	exec(`UPDATE people SET district = NULL`)
	dates := []intel.Date{intel.NewDate(2020, 1, 31), intel.NewDate(2020, 2, 29), intel.NewDate(2020, 3, 31)}
	counts, err := db.PictureCounts(context.Background(), dates)
	if err != nil {
		t.Fatal(err)
	}
	// January: counted, assessed 20 January (up to date); February: counted,
	// 20 January is not after 29 January (overdue); March: category ended.
	want := []string{"2020-01-31 true", "2020-02-29 false"}
	if len(counts) != len(want) {
		t.Fatalf("counts %+v", counts)
	}
	for i, n := range counts {
		if got := fmt.Sprintf("%s %v", n.AsOf, n.UpToDate); got != want[i] || n.Children != 1 {
			t.Errorf("count %d: %s (%d children), want %s", i, got, n.Children, want[i])
		}
	}
}

func TestReportLabels(t *testing.T) {
	db, _ := reportDB(t)
	ctx := context.Background()
	if err := db.SetAreaName(ctx, "Deeside"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetDistrictShortName(ctx, "D1", "D"); err != nil {
		t.Fatal(err)
	}
	a, err := db.ReportArea(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if report.AreaLabel(a) != "Deeside" || report.DistrictLabel(a.Districts[0]) != "D" {
		t.Errorf("labels %q %q", report.AreaLabel(a), report.DistrictLabel(a.Districts[0]))
	}
	if err := db.SetDistrictShortName(ctx, "NOPE", "x"); intel.ErrorCode(err) != intel.ENOTFOUND {
		t.Errorf("unknown district: %v", err)
	}
	if err := db.SetAreaName(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if a, _ = db.ReportArea(ctx); report.AreaLabel(a) != report.DefaultAreaName {
		t.Errorf("area label after removal: %q", report.AreaLabel(a))
	}
}

// TestPictureCountsKept checks that the Current Picture's counts of a date
// are kept and reused while the children's histories are unchanged, and
// read again as soon as they change: a change made with the version
// trigger switched off (as superuser, behind the service's back) is not
// seen, which shows the counts were kept; an ordinary change is seen at
// once.
func TestPictureCountsKept(t *testing.T) {
	db, exec := reportDB(t)
	ctx := context.Background()
	child(exec, 1, "2020-01-01", "", "2020-01-01")
	child(exec, 2, "2020-01-01", "", "2020-01-01")
	d := func(s string) intel.Date { v, _ := intel.ParseDate(s); return v }
	total := func(dates ...string) map[string]int {
		t.Helper()
		var ds []intel.Date
		for _, s := range dates {
			ds = append(ds, d(s))
		}
		counts, err := db.PictureCounts(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, n := range counts {
			out[n.AsOf.Format(time.DateOnly)] += n.Children
		}
		return out
	}
	if got := total("2021-06-30"); got["2021-06-30"] != 2 {
		t.Fatalf("two children counted: %v", got)
	}
	exec(`ALTER TABLE person_categories DISABLE TRIGGER person_categories_version`)
	exec(`UPDATE person_categories SET valid_to = '2021-01-01' WHERE person_id = 1`)
	exec(`ALTER TABLE person_categories ENABLE TRIGGER person_categories_version`)
	// Kept for 30 June; read for 31 March (the change applies to both).
	if got := total("2021-06-30", "2021-03-31"); got["2021-06-30"] != 2 || got["2021-03-31"] != 1 {
		t.Fatalf("kept 30 June (2, the change unseen), read 31 March (1): %v", got)
	}
	// An ordinary change: every date is read again.
	exec(`UPDATE person_statuses SET status = 'cin_plan' WHERE person_id = 2`)
	if got := total("2021-06-30", "2021-03-31"); got["2021-06-30"] != 1 || got["2021-03-31"] != 1 {
		t.Fatalf("after a status change, both dates read again (1 each): %v", got)
	}
	exec(`DELETE FROM assessments`)
	exec(`DELETE FROM person_categories WHERE person_id = 2`)
	if got := total("2021-06-30"); got["2021-06-30"] != 0 {
		t.Fatalf("no child left with a category: %v", got)
	}
}

// TestMissingEpisodesKept checks that a period's missing episodes are kept
// while no missing episode changes (an episode added with the version
// trigger switched off, behind the service's back, is not seen; nor does a
// sighting throw the kept episodes away), and read again when one does.
func TestMissingEpisodesKept(t *testing.T) {
	db, exec := reportDB(t)
	ctx := context.Background()
	child(exec, 1, "2020-01-01", "", "2020-01-01")
	event := func(id int, kind string) {
		exec(`INSERT INTO events (id, kind, starts_at, ends_at, geom, source_eval, intel_assessment, handling, source_agency)
			VALUES ($1, $2, '2021-03-10 20:00Z', '2021-03-10 22:00Z', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326), '2', 'B', 'P', 'Police')`, id, kind)
	}
	from, _ := intel.ParseDate("2021-03-01")
	to, _ := intel.ParseDate("2021-03-31")
	episodes := func() (n, children int) {
		t.Helper()
		eps, err := db.MissingEpisodes(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range eps {
			children += len(e.Children)
		}
		return len(eps), children
	}
	event(1, "missing_episode")
	if n, _ := episodes(); n != 1 {
		t.Fatalf("one episode: %d", n)
	}
	exec(`ALTER TABLE events DISABLE TRIGGER events_missing_ins`)
	event(2, "missing_episode")
	exec(`ALTER TABLE events ENABLE TRIGGER events_missing_ins`)
	event(3, "sighting")
	if n, _ := episodes(); n != 1 {
		t.Fatalf("kept (the hidden episode unseen, the sighting no change): %d episodes, want 1", n)
	}
	event(4, "missing_episode")
	if n, _ := episodes(); n != 3 {
		t.Fatalf("an episode added: read again, %d episodes, want 3", n)
	}
	exec(`INSERT INTO event_people (event_id, person_id) VALUES (4, 1)`)
	if _, c := episodes(); c != 1 {
		t.Fatalf("a child added to an episode: %d children, want 1", c)
	}
	exec(`DELETE FROM events WHERE id IN (1, 2)`)
	if n, c := episodes(); n != 1 || c != 1 {
		t.Fatalf("two episodes deleted: %d episodes (%d children), want 1 (1)", n, c)
	}
	exec(`UPDATE people SET kind = 'adult_of_concern' WHERE id = 1`)
	if _, c := episodes(); c != 0 {
		t.Fatalf("the child now an adult (children's histories changed): %d children, want 0", c)
	}
}
