package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

var importer = intel.Principal{Subject: "test:import", Label: "import test", Role: intel.RoleAnalyst}

func districtsTemplate(t testing.TB) string {
	return pgtest.Template(t, "districts", func(ctx context.Context, db *postgres.DB) error {
		b, err := os.ReadFile("../demo/data/cumbria_districts.geojson")
		if err != nil {
			return err
		}
		_, err = db.LoadDistricts(ctx, b, "lad_code", "lad_name")
		return err
	})
}

func newImportDB(t testing.TB) *postgres.DB {
	t.Helper()
	return pgtest.FromTemplate(t, districtsTemplate(t))
}

// importText imports text in format (typ for CSV) as pr.
func importText(t testing.TB, db *postgres.DB, pr intel.Principal, text, format, typ string, opt postgres.ImportOptions) (postgres.ImportResult, error) {
	t.Helper()
	rd, err := ingest.Open(strings.NewReader(text), format, typ)
	if err != nil {
		return postgres.ImportResult{}, err
	}
	return db.Import(context.Background(), pr, rd, opt)
}

func mustImport(t testing.TB, db *postgres.DB, text, format, typ string) postgres.ImportResult {
	t.Helper()
	res, err := importText(t, db, importer, text, format, typ, postgres.ImportOptions{})
	if err != nil {
		t.Fatalf("import: %v\n%+v", err, res.Errors)
	}
	return res
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot is a checksum of every table's rows and of the transaction that
// last wrote each (xmin): equal snapshots mean nothing was written, not
// even an update to the same values.
func snapshot(t testing.TB, db *postgres.DB) string {
	t.Helper()
	var s string
	tables := []string{"people", "places", "peer_groups", "online_spaces", "links", "events", "event_people",
		"event_groups", "person_statuses", "person_categories", "assessments", "nodes"}
	var parts []string
	for _, tb := range tables {
		parts = append(parts, fmt.Sprintf(`SELECT '%[1]s' || coalesce((SELECT string_agg(x::text || x.xmin::text, ',' ORDER BY x::text) FROM %[1]s x), '')`, tb))
	}
	q := `SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (` + strings.Join(parts, " UNION ALL ") + `) AS s(t)`
	if err := db.Pool.QueryRow(context.Background(), q).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func counts(res postgres.ImportResult) map[string]postgres.ImportCount {
	out := map[string]postgres.ImportCount{}
	for k, v := range res.Counts {
		out[k] = *v
	}
	return out
}

func wantCounts(t *testing.T, res postgres.ImportResult, want map[string]postgres.ImportCount) {
	t.Helper()
	got := counts(res)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %+v, want %+v", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g != (postgres.ImportCount{}) {
			t.Errorf("%s: unexpected %+v", k, g)
		}
	}
}

func q1[T any](t testing.TB, db *postgres.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Pool.QueryRow(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// wantErrors checks the import failed listing exactly these bad rows
// ("line field" each).
func wantErrors(t *testing.T, res postgres.ImportResult, err error, want ...string) {
	t.Helper()
	var ie *intel.Error
	if !errors.As(err, &ie) || ie.Code != intel.EINVALID {
		t.Fatalf("want an EINVALID error, got %v", err)
	}
	var got []string
	for _, f := range ie.Fields {
		got = append(got, fmt.Sprintf("%d %s", f.Line, f.Field))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("bad rows:\n got %q\nwant %q\n%+v", got, want, ie.Fields)
	}
	if res.ErrorTotal != len(want) {
		t.Errorf("error_total %d, want %d", res.ErrorTotal, len(want))
	}
}

var richCounts = map[string]postgres.ImportCount{
	"place": {Inserted: 5}, "group": {Inserted: 1}, "space": {Inserted: 1}, "person": {Inserted: 3},
	"status": {Inserted: 3}, "assessment": {Inserted: 2}, "link": {Inserted: 5}, "event": {Inserted: 4},
}

func TestImportNDJSON(t *testing.T) {
	db := newImportDB(t)
	rich := readFixture(t, "rich.ndjson")
	res := mustImport(t, db, rich, "", "")
	wantCounts(t, res, richCounts)
	if res.Rows != 24 || res.Committed != 1 {
		t.Errorf("rows %d, committed %d", res.Rows, res.Committed)
	}

	// What the file says, read back. Districts by containment: Bitts Park
	// is in Carlisle (E07000028), the Kendal points in South Lakeland
	// (E07000031).
	if d := q1[string](t, db, `SELECT district FROM places WHERE ext_ref = 'PL-1'`); d != "E07000028" {
		t.Errorf("PL-1 district %s", d)
	}
	if d := q1[string](t, db, `SELECT district FROM events WHERE ext_ref = 'EV-3'`); d != "E07000031" {
		t.Errorf("EV-3 district %s", d)
	}
	if !q1[bool](t, db, `SELECT sensitive FROM places WHERE ext_ref = 'PL-3'`) {
		t.Error("a house must be sensitive")
	}
	// Legacy B23: B mostly reliable -> 1; 2 known personally to the source
	// -> A; 3 may go to non-prosecuting parties -> P. A11 -> 1, A, P.
	if g := q1[string](t, db, `SELECT source_eval || intel_assessment || handling || ' ' || legacy_grade FROM links WHERE ext_ref = 'LK-2'`); g != "1AP B23" {
		t.Errorf("LK-2 grade %s", g)
	}
	if g := q1[string](t, db, `SELECT source_eval || intel_assessment || handling || ' ' || legacy_grade FROM events WHERE ext_ref = 'EV-2'`); g != "1AP A11" {
		t.Errorf("EV-2 grade %s", g)
	}
	// LK-2 has no last_seen: it is first_seen, as in the API.
	if d := q1[string](t, db, `SELECT last_seen::text FROM links WHERE ext_ref = 'LK-2'`); d != "2019-01-01" {
		t.Errorf("LK-2 last_seen %s", d)
	}
	if r := q1[string](t, db, `SELECT recorded_by FROM links WHERE ext_ref = 'LK-1'`); r != importer.Label {
		t.Errorf("recorded_by %q", r)
	}
	// An event at a place without a point takes the place's point.
	if !q1[bool](t, db, `SELECT e.geom = p.pt FROM events e JOIN places p ON p.id = e.place_id WHERE e.ext_ref = 'EV-1'`) {
		t.Error("EV-1 should be at its place")
	}
	if l := q1[string](t, db, `SELECT layer FROM events WHERE ext_ref = 'EV-4'`); l != "context" {
		t.Errorf("EV-4 layer %s", l)
	}
	// Status changes in date order close the open period.
	if h := q1[string](t, db, `SELECT string_agg(status || ' ' || valid_from || ' ' || coalesce(valid_to::text, '-'), '; ' ORDER BY valid_from)
		FROM person_statuses s JOIN people p ON p.id = s.person_id WHERE p.pseudonym = 'YP-0002'`); h != "open_case 2020-02-01 2020-09-01; cla 2020-09-01 -" {
		t.Errorf("YP-0002 statuses %s", h)
	}
	if h := q1[string](t, db, `SELECT string_agg(status || ' ' || valid_from || ' ' || coalesce(valid_to::text, '-'), '; ' ORDER BY valid_from)
		FROM person_statuses s JOIN people p ON p.id = s.person_id WHERE p.pseudonym = 'YP-0001'`); h != "early_help 2020-01-01 2020-06-01; cp 2020-06-01 -" {
		t.Errorf("YP-0001 statuses %s", h)
	}
	// The case reference matches by its keyed hash, and only that.
	ps, err := db.ListPeople(context.Background(), importer, postgres.PersonFilter{CaseRef: "LL-0001"}, intel.Page{Limit: 10})
	if err != nil || len(ps) != 1 || ps[0].Pseudonym != "YP-0001" {
		t.Errorf("case ref LL-0001: %v %+v", err, ps)
	}
	if n := q1[int](t, db, `SELECT count(*) FROM event_people ep JOIN events e ON e.id = ep.event_id WHERE e.ext_ref = 'EV-2'`); n != 2 {
		t.Errorf("EV-2 people %d", n)
	}
	if n := q1[int](t, db, `SELECT count(*) FROM event_groups`); n != 1 {
		t.Errorf("event groups %d", n)
	}
	// Every person is named for the audit.
	if len(res.PersonIDs) != 3 {
		t.Errorf("person ids %v", res.PersonIDs)
	}

	// The same file again changes nothing at all.
	before := snapshot(t, db)
	res = mustImport(t, db, rich, "", "")
	unchanged := map[string]postgres.ImportCount{}
	for k, v := range richCounts {
		unchanged[k] = postgres.ImportCount{Unchanged: v.Inserted}
	}
	wantCounts(t, res, unchanged)
	if snapshot(t, db) != before {
		t.Error("re-importing the same file wrote something")
	}
	if len(res.PersonIDs) != 0 {
		t.Errorf("a re-import that wrote nothing names people %v", res.PersonIDs)
	}
}

func TestImportNDJSONUpdate(t *testing.T) {
	db := newImportDB(t)
	rich := readFixture(t, "rich.ndjson")
	mustImport(t, db, rich, "", "")
	yp1 := q1[int64](t, db, `SELECT id FROM people WHERE pseudonym = 'YP-0001'`)
	ev1 := q1[int64](t, db, `SELECT id FROM events WHERE ext_ref = 'EV-1'`)
	changed := strings.NewReplacer(
		`"name":"Bitts Park"`, `"name":"Bitts Park (north)"`,
		// YP-0001's history gains a period.
		`{"status":"cp","from":"2020-06-01"}]`, `{"status":"cp","from":"2020-06-01","to":"2020-12-01"},{"status":"cla","from":"2020-12-01"}]`,
		`"ext_ref":"LK-1","kind":"frequents","source_type":"person","source_ref":"LL-0001","target_type":"place","target_ref":"PL-1","grade":"2BP"`,
		`"ext_ref":"LK-1","kind":"frequents","source_type":"person","source_ref":"LL-0001","target_type":"place","target_ref":"PL-1","grade":"1BP"`,
		`"category":"cse1","severity":3}`, `"category":"cse1","severity":4}`,
		// EV-2 loses the adult of concern.
		`"people":["LL-0001","pseudonym:AOC-0001"]`, `"people":["LL-0001"]`,
	).Replace(rich)
	changed += `{"type":"status","person":"LL-0002","status":"not_open","from":"2021-01-15"}` + "\n"
	res := mustImport(t, db, changed, "", "")
	wantCounts(t, res, map[string]postgres.ImportCount{
		"place": {Updated: 1, Unchanged: 4}, "group": {Unchanged: 1}, "space": {Unchanged: 1},
		"person": {Updated: 1, Unchanged: 2}, "status": {Inserted: 1, Unchanged: 3}, "assessment": {Unchanged: 2},
		"link": {Updated: 1, Unchanged: 4}, "event": {Updated: 2, Unchanged: 2},
	})
	// Updated in place: same ids.
	if id := q1[int64](t, db, `SELECT id FROM events WHERE ext_ref = 'EV-1'`); id != ev1 {
		t.Errorf("EV-1 id %d, was %d", id, ev1)
	}
	if s := q1[int16](t, db, `SELECT severity FROM events WHERE id = $1`, ev1); s != 4 {
		t.Errorf("severity %d", s)
	}
	if h := q1[string](t, db, `SELECT string_agg(status || ' ' || valid_from || ' ' || coalesce(valid_to::text, '-'), '; ' ORDER BY valid_from)
		FROM person_statuses WHERE person_id = $1`, yp1); h != "early_help 2020-01-01 2020-06-01; cp 2020-06-01 2020-12-01; cla 2020-12-01 -" {
		t.Errorf("YP-0001 history %s", h)
	}
	if h := q1[string](t, db, `SELECT string_agg(status || ' ' || valid_from || ' ' || coalesce(valid_to::text, '-'), '; ' ORDER BY valid_from)
		FROM person_statuses s JOIN people p ON p.id = s.person_id WHERE p.pseudonym = 'YP-0002'`); h != "open_case 2020-02-01 2020-09-01; cla 2020-09-01 2021-01-15; not_open 2021-01-15 -" {
		t.Errorf("YP-0002 history %s", h)
	}
	if n := q1[int](t, db, `SELECT count(*) FROM event_people ep JOIN events e ON e.id = ep.event_id WHERE e.ext_ref = 'EV-2'`); n != 1 {
		t.Errorf("EV-2 people %d", n)
	}
	if g := q1[string](t, db, `SELECT source_eval || intel_assessment || handling FROM links WHERE ext_ref = 'LK-1'`); g != "1BP" {
		t.Errorf("LK-1 grade %s", g)
	}
	// The changed file again: nothing.
	before := snapshot(t, db)
	mustImport(t, db, changed, "", "")
	if snapshot(t, db) != before {
		t.Error("re-importing the changed file wrote something")
	}
}

func TestImportNDJSONBadRows(t *testing.T) {
	db := newImportDB(t)
	mustImport(t, db, readFixture(t, "rich.ndjson"), "", "")
	before := snapshot(t, db)
	// Good rows mixed with bad ones, bad in the parser and against the
	// database alike: every bad row is listed and nothing is written.
	bad := strings.Join([]string{
		`{"type":"place","ext_ref":"PL-9","name":"New park","kind":"park","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`, // 1 good
		`{"type":"place","ext_ref":"PL-10","name":"Swapped","kind":"park","geometry":{"type":"Point","coordinates":[54.89,-92.93]}}`,
		`{"type":"place","ext_ref":"PL-11","name":"","kind":"castle","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
		`not json`,
		`{"type":"planet","ext_ref":"X"}`,
		`{"type":"link","ext_ref":"LK-9","kind":"frequents","source_type":"person","source_ref":"LL-9999","target_type":"place","target_ref":"PL-1","grade":"2BP","source_agency":"Police","first_seen":"2020-01-01","review_date":"2021-01-01"}`,
		`{"type":"link","ext_ref":"LK-10","kind":"frequents","source_type":"person","source_ref":"pseudonym:AOC-0001","target_type":"place","target_ref":"PL-1","grade":"2BP","source_agency":"Police","first_seen":"2020-01-01","review_date":"2021-01-01"}`,
		`{"type":"event","ext_ref":"EV-9","kind":"sighting","from":"2020-11-10T19:00:00Z","place":"PL-404","grade":"2BP","source_agency":"Police"}`,
		`{"type":"event","ext_ref":"EV-10","kind":"sighting","from":"yesterday","grade":"9ZZ","source_agency":"Police","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
		`{"type":"person","pseudonym":"YP-0003","kind":"young_person","district":"E99999999"}`,
		`{"type":"person","pseudonym":"YP-0003","kind":"young_person","colour":"blue"}`,
		`{"type":"place","ext_ref":"PL-9","name":"Again","kind":"park","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
		`{"type":"status","person":"LL-0002","status":"cp","from":"2019-01-01"}`,
		`{"type":"link","ext_ref":"LK-11","kind":"member_of","source_type":"person","source_ref":"LL-0001","target_type":"group","target_ref":"GR-1","legacy_grade":"F99","source_agency":"Police","first_seen":"2020-01-01","review_date":"2021-01-01"}`,
	}, "\n")
	res, err := importText(t, db, importer, bad, "", "", postgres.ImportOptions{})
	wantErrors(t, res, err,
		"2 geometry",       // latitude out of range
		"3 name", "3 kind", // empty name, unknown kind
		"4 line",            // not JSON
		"5 type",            // unknown type
		"6 source_ref",      // no such case reference
		"7 source_ref",      // frequents must start at a young person
		"8 place",           // no such place
		"9 from", "9 grade", // not a time; not a grade
		"10 district",     // no such district
		"11 colour",       // unknown field
		"12 ext_ref",      // PL-9 twice
		"13 from",         // a later status is recorded
		"14 legacy_grade", // not a 5x5x5 grade
	)
	if res.Committed != 0 {
		t.Errorf("committed %d batches", res.Committed)
	}
	if snapshot(t, db) != before {
		t.Error("a file with bad rows wrote something")
	}
}

func TestImportDryRun(t *testing.T) {
	db := newImportDB(t)
	before := snapshot(t, db)
	res, err := importText(t, db, importer, readFixture(t, "rich.ndjson"), "", "", postgres.ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, richCounts)
	if !res.DryRun || snapshot(t, db) != before {
		t.Error("a dry run wrote something")
	}
}

func TestImportBatches(t *testing.T) {
	db := newImportDB(t)
	// Three places, one batch each of two lines; the second batch holds a
	// bad row, so only it is refused.
	text := strings.Join([]string{
		`{"type":"place","ext_ref":"A","name":"A","kind":"park","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
		`{"type":"place","ext_ref":"B","name":"B","kind":"park","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
		`{"type":"place","ext_ref":"C","name":"C","kind":"park","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
		`{"type":"place","ext_ref":"D","name":"D","kind":"volcano","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
		`{"type":"place","ext_ref":"E","name":"E","kind":"park","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}`,
	}, "\n")
	rd := ingest.NDJSON(strings.NewReader(text))
	res, err := db.Import(context.Background(), importer, rd, postgres.ImportOptions{BatchRows: 2})
	wantErrors(t, res, err, "4 kind")
	if res.Batches != 3 || res.Committed != 2 {
		t.Errorf("batches %d committed %d", res.Batches, res.Committed)
	}
	if got := q1[string](t, db, `SELECT string_agg(ext_ref, ',' ORDER BY ext_ref) FROM places`); got != "A,B,E" {
		t.Errorf("places %s", got)
	}
}

// A district team imports only within its districts, and never adults of
// concern, as through the API.
func TestImportDistrictScope(t *testing.T) {
	db := newImportDB(t)
	carlisle := intel.Principal{Subject: "test:district", Label: "Carlisle team", Role: intel.RoleDistrict, Districts: []string{"E07000028"}}
	text := strings.Join([]string{
		`{"type":"person","case_ref":"C-1","pseudonym":"YP-C1","kind":"young_person","district":"E07000028"}`,
		`{"type":"person","case_ref":"K-1","pseudonym":"YP-K1","kind":"young_person","district":"E07000031"}`,
		`{"type":"person","pseudonym":"AOC-C1","kind":"adult_of_concern","district":"E07000028"}`,
		`{"type":"event","ext_ref":"E-C","kind":"sighting","from":"2020-11-10T19:00:00Z","geometry":{"type":"Point","coordinates":[-2.9441,54.8962]},"grade":"2BP","source_agency":"Police","people":["C-1"]}`,
		`{"type":"event","ext_ref":"E-K","kind":"sighting","from":"2020-11-10T19:00:00Z","geometry":{"type":"Point","coordinates":[-2.7461,54.3281]},"grade":"2BP","source_agency":"Police"}`,
	}, "\n")
	res, err := importText(t, db, carlisle, text, "", "", postgres.ImportOptions{})
	wantErrors(t, res, err, "2 district", "3 kind", "5 geometry")
	// Without the bad rows it goes in.
	lines := strings.Split(text, "\n")
	mustImportAs(t, db, carlisle, lines[0]+"\n"+lines[3])
	// An analyst's Kendal person is out of the team's reach by reference.
	mustImport(t, db, lines[1], "", "")
	res, err = importText(t, db, carlisle, `{"type":"link","ext_ref":"L","kind":"associates_with","source_type":"person","source_ref":"C-1","target_type":"person","target_ref":"K-1","grade":"2BP","source_agency":"Police","first_seen":"2020-01-01","review_date":"2021-01-01"}`, "", "", postgres.ImportOptions{})
	wantErrors(t, res, err, "1 target_ref")
}

func mustImportAs(t *testing.T, db *postgres.DB, pr intel.Principal, text string) postgres.ImportResult {
	t.Helper()
	res, err := importText(t, db, pr, text, "", "", postgres.ImportOptions{})
	if err != nil {
		t.Fatalf("import: %v %+v", err, res.Errors)
	}
	return res
}

// TestImportsTakeTurns: an import waits for the one under way before it
// opens a connection, and gives up when its context ends while waiting,
// writing nothing; the first then finishes as if alone.
func TestImportsTakeTurns(t *testing.T) {
	db := newImportDB(t)
	pr, pw := io.Pipe()
	first := make(chan error, 1)
	go func() {
		_, err := db.Import(context.Background(), importer, ingest.NDJSON(pr), postgres.ImportOptions{})
		first <- err
	}()
	// The first import is reading its input, holding its turn.
	if _, err := io.WriteString(pw, `{"type":"group","ext_ref":"G-1","name":"First"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := db.Import(ctx, importer, ingest.NDJSON(strings.NewReader(`{"type":"group","ext_ref":"G-2","name":"Second"}`)), postgres.ImportOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second import while the first runs: %v, want it to wait until its context ends", err)
	}
	pw.Close()
	if err := <-first; err != nil {
		t.Fatalf("first import: %v", err)
	}
	rows, _ := db.Pool.Query(context.Background(), `SELECT name FROM peer_groups ORDER BY name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(names) != 1 || names[0] != "First" {
		t.Errorf("groups %v (%v), want only the first import's", names, err)
	}
}

// A file's list of an event's participants replaces the stored one, but a
// participant the importer may not see (an adult of concern, for a
// district team) stays; one added is added; a re-import changes nothing.
func TestImportParticipantsReplaced(t *testing.T) {
	db := newImportDB(t)
	carlisle := intel.Principal{Subject: "test:district", Label: "Carlisle team", Role: intel.RoleDistrict, Districts: []string{"E07000028"}}
	people := strings.Join([]string{
		`{"type":"person","case_ref":"C-1","pseudonym":"YP-C1","kind":"young_person","district":"E07000028"}`,
		`{"type":"person","case_ref":"C-2","pseudonym":"YP-C2","kind":"young_person","district":"E07000028"}`,
		`{"type":"person","case_ref":"A-1","pseudonym":"AOC-A1","kind":"adult_of_concern","district":"E07000028"}`,
	}, "\n")
	event := func(refs string) string {
		return `{"type":"event","ext_ref":"E-1","kind":"sighting","from":"2020-11-10T19:00:00Z","geometry":{"type":"Point","coordinates":[-2.9441,54.8962]},"grade":"2BP","source_agency":"Police","people":[` + refs + `]}`
	}
	who := func() string {
		return q1[string](t, db, `SELECT coalesce(string_agg(p.pseudonym, ',' ORDER BY p.pseudonym), '') FROM event_people ep JOIN people p ON p.id = ep.person_id`)
	}
	mustImport(t, db, people+"\n"+event(`"C-1","A-1"`), "", "")
	if got := who(); got != "AOC-A1,YP-C1" {
		t.Fatalf("after the analyst's import: %s", got)
	}
	// The team sends C-2 instead of C-1; it cannot, who stays.
	res := mustImportAs(t, db, carlisle, event(`"C-2"`))
	if got := who(); got != "AOC-A1,YP-C2" {
		t.Errorf("after the team's import: %s, want AOC-A1,YP-C2", got)
	}
	if c := res.Counts["event"]; c.Updated != 1 {
		t.Errorf("event counts %+v, want one updated", *c)
	}
	if got := q1[string](t, db, `SELECT young_people::text FROM events`); got != q1[string](t, db, `SELECT ARRAY[id]::text FROM people WHERE pseudonym = 'YP-C2'`) {
		t.Errorf("young_people %s, want only YP-C2's id", got)
	}
	// The same file again: nothing changes.
	res = mustImportAs(t, db, carlisle, event(`"C-2"`))
	if c := res.Counts["event"]; c.Updated != 0 || c.Unchanged != 1 {
		t.Errorf("re-import: %+v", *c)
	}
	// No one the team may see: only A-1 is left.
	mustImportAs(t, db, carlisle, event(``))
	if got := who(); got != "AOC-A1" {
		t.Errorf("after an empty list: %s, want AOC-A1", got)
	}
}
