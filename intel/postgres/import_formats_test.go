package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
)

var csvFiles = []struct{ file, typ string }{
	{"places.csv", ingest.TypePlace}, {"people.csv", ingest.TypePerson}, {"status.csv", ingest.TypeStatus},
	{"links.csv", ingest.TypeLink}, {"events.csv", ingest.TypeEvent},
}

func TestImportCSV(t *testing.T) {
	db := newImportDB(t)
	want := map[string]postgres.ImportCount{
		"places.csv": {Inserted: 4}, "people.csv": {Inserted: 3}, "status.csv": {Inserted: 4},
		"links.csv": {Inserted: 3}, "events.csv": {Inserted: 3},
	}
	for _, f := range csvFiles {
		res := mustImport(t, db, readFixture(t, f.file), ingest.FormatCSV, f.typ)
		if got := *res.Counts[f.typ]; got != want[f.file] {
			t.Errorf("%s: %+v, want %+v", f.file, got, want[f.file])
		}
	}
	// Quoted commas, yes/no, polygons as GeoJSON in a cell, ';' lists,
	// legacy grades (C34: C sometimes reliable -> 2, 3 corroborated -> B,
	// 4 within the agency only -> C).
	for q, want := range map[string]string{
		`SELECT name FROM places WHERE ext_ref = 'CSV-PL-2'`:                                                                                                                                                        "Riverside park, north",
		`SELECT sensitive::text FROM places WHERE ext_ref = 'CSV-PL-3'`:                                                                                                                                             "true",
		`SELECT GeometryType(geom) FROM places WHERE ext_ref = 'CSV-PL-4'`:                                                                                                                                          "POLYGON",
		`SELECT source_eval || intel_assessment || handling || legacy_grade FROM links WHERE ext_ref = 'CSV-LK-2'`:                                                                                                  "2BCC34",
		`SELECT count(*)::text FROM event_people ep JOIN events e ON e.id = ep.event_id WHERE e.ext_ref = 'CSV-EV-2'`:                                                                                               "2",
		`SELECT source_eval || intel_assessment || handling FROM events WHERE ext_ref = 'CSV-EV-2'`:                                                                                                                 "1AP",
		`SELECT string_agg(c.category || c.valid_from, ',') FROM person_categories c JOIN people p ON p.id = c.person_id WHERE p.pseudonym = 'YP-C100'`:                                                             "cse22020-08-15",
		`SELECT string_agg(status || ' ' || valid_from || ' ' || coalesce(valid_to::text, '-'), '; ' ORDER BY valid_from) FROM person_statuses s JOIN people p ON p.id = s.person_id WHERE p.pseudonym = 'YP-C100'`: "open_case 2020-03-01 2020-08-15; cp 2020-08-15 -",
	} {
		if got := q1[string](t, db, q); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	// Again: nothing changes.
	before := snapshot(t, db)
	for _, f := range csvFiles {
		res := mustImport(t, db, readFixture(t, f.file), ingest.FormatCSV, f.typ)
		if c := res.Counts[f.typ]; c.Inserted+c.Updated != 0 {
			t.Errorf("%s again: %+v", f.file, *c)
		}
	}
	if snapshot(t, db) != before {
		t.Error("re-importing the CSV files wrote something")
	}
	// An update in place.
	changed := strings.Replace(readFixture(t, "places.csv"), "Market cross", "Market cross (east side)", 1)
	res := mustImport(t, db, changed, ingest.FormatCSV, ingest.TypePlace)
	if c := *res.Counts["place"]; c != (postgres.ImportCount{Updated: 1, Unchanged: 3}) {
		t.Errorf("update: %+v", c)
	}
	if n := q1[string](t, db, `SELECT name FROM places WHERE ext_ref = 'CSV-PL-1'`); n != "Market cross (east side)" {
		t.Errorf("name %q", n)
	}
}

func TestImportCSVBadRows(t *testing.T) {
	db := newImportDB(t)
	before := snapshot(t, db)
	bad := `ext_ref,name,kind,sensitive,urn,longitude,latitude,geometry,district
OK-1,Fine place,park,,,-2.93,54.89,,
BAD-1,No kind,,,,-2.93,54.89,,
BAD-2,Bad lon,park,,,west,54.89,,
,No ref,park,,,-2.93,54.89,,
BAD-4,Both,park,,,-2.93,54.89,"{""type"":""Point"",""coordinates"":[-2.93,54.89]}",
BAD-5,Bad flag,park,maybe,,-2.93,54.89,,
"BAD-6,Unclosed quote,park,,,-2.93,54.89,,
`
	res, err := importText(t, db, importer, bad, ingest.FormatCSV, ingest.TypePlace, postgres.ImportOptions{})
	wantErrors(t, res, err, "3 kind", "4 longitude", "5 ext_ref", "6 geometry", "7 sensitive", "8 line")
	if snapshot(t, db) != before {
		t.Error("a CSV file with bad rows wrote something")
	}
	// A header naming an unknown column is refused before any row.
	_, err = importText(t, db, importer, "ext_ref,name,kind,colour\nX,Y,park,red\n", ingest.FormatCSV, ingest.TypePlace, postgres.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown column: %v", err)
	}
	// A CSV file needs its record type.
	if _, err := ingest.Open(strings.NewReader("ext_ref\nX\n"), ingest.FormatCSV, ""); err == nil {
		t.Error("a CSV file without a type was accepted")
	}
	// References across files: a link to a place not imported yet.
	res, err = importText(t, db, importer, readFixture(t, "links.csv"), ingest.FormatCSV, ingest.TypeLink, postgres.ImportOptions{})
	wantErrors(t, res, err, "2 source_ref", "3 source_ref", "4 source_ref")
}

func TestImportGeoJSON(t *testing.T) {
	db := newImportDB(t)
	gj := readFixture(t, "places.geojson")
	res := mustImport(t, db, gj, "", "")
	if c := *res.Counts["place"]; c != (postgres.ImportCount{Inserted: 3}) {
		t.Errorf("counts %+v", c)
	}
	// The feature id stands in for ext_ref; a children's home is sensitive.
	if got := q1[string](t, db, `SELECT string_agg(ext_ref || ':' || kind || ':' || sensitive, ',' ORDER BY ext_ref) FROM places`); got != "3:childrens_home:true,GJ-1:car_park:false,GJ-2:park:false" {
		t.Errorf("places %s", got)
	}
	before := snapshot(t, db)
	mustImport(t, db, gj, "", "")
	if snapshot(t, db) != before {
		t.Error("re-importing the GeoJSON wrote something")
	}
	res = mustImport(t, db, strings.Replace(gj, "Rickerby park", "Rickerby Park", 1), "", "")
	if c := *res.Counts["place"]; c != (postgres.ImportCount{Updated: 1, Unchanged: 2}) {
		t.Errorf("update %+v", c)
	}

	// Bad features are reported at the line where each starts.
	bad := `{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"ext_ref": "B-1", "name": "Fine", "kind": "park"}, "geometry": {"type": "Point", "coordinates": [-2.93, 54.89]}},
{"type": "Feature", "properties": {"ext_ref": "B-2", "name": "Volcano", "kind": "volcano"}, "geometry": {"type": "Point", "coordinates": [-2.93, 54.89]}},
{"type": "Feature", "properties": {"ext_ref": "B-3", "name": "Nowhere", "kind": "park"}, "geometry": null},
{"type": "Feature", "properties": {"ext_ref": "B-4", "name": "Bow tie", "kind": "park"},
 "geometry": {"type": "Polygon", "coordinates": [[[-2.93, 54.89], [-2.92, 54.90], [-2.92, 54.89], [-2.93, 54.90], [-2.93, 54.89]]]}},
{"type": "Feature", "properties": {"name": "No key", "kind": "park"}, "geometry": {"type": "Point", "coordinates": [-2.93, 54.89]}}
]}`
	before = snapshot(t, db)
	res, err := importText(t, db, importer, bad, "", "", postgres.ImportOptions{})
	wantErrors(t, res, err, "3 properties/kind", "4 geometry", "5 geometry", "7 properties/ext_ref")
	if snapshot(t, db) != before {
		t.Error("a GeoJSON file with bad features wrote something")
	}
}

func TestImportPoliceUK(t *testing.T) {
	db := newImportDB(t)
	street := readFixture(t, "2020-11-cumbria-street.csv")
	res := mustImport(t, db, street, "", "")
	// 10 rows: 8 placed (three anti-social behaviour without a Crime ID,
	// two of them identical and both kept), 2 without coordinates.
	if c := *res.Counts["event"]; c != (postgres.ImportCount{Inserted: 8}) {
		t.Errorf("counts %+v", c)
	}
	if res.SkippedTotal != 2 || len(res.Skipped) != 2 || res.Skipped[0].Line != 8 || res.Skipped[1].Line != 10 {
		t.Errorf("skipped %d: %+v", res.SkippedTotal, res.Skipped)
	}
	if got := q1[string](t, db, `SELECT string_agg(DISTINCT kind || '/' || layer || '/' || source_eval || intel_assessment || handling, ',') FROM events`); got != "crime/context/1CP" {
		t.Errorf("kinds %s", got)
	}
	if n := q1[int](t, db, `SELECT count(*) FROM events WHERE crime_type = 'Anti-social behaviour' AND ext_ref LIKE 'police.uk:asb-%'`); n != 3 {
		t.Errorf("anti-social behaviour rows %d", n)
	}
	// November is GMT: the window is the month in UTC.
	var from, to time.Time
	if err := db.Pool.QueryRow(t.Context(), `SELECT min(starts_at), max(ends_at) FROM events`).Scan(&from, &to); err != nil {
		t.Fatal(err)
	}
	if !from.Equal(time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2020, 11, 30, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("window %s .. %s", from, to)
	}
	if d := q1[string](t, db, `SELECT district FROM events WHERE crime_type = 'Public order'`); d != "E07000031" {
		t.Errorf("Kendal district %s", d)
	}
	// No people: context data is never counted with young people.
	if n := q1[int](t, db, `SELECT count(*) FROM event_people`); n != 0 {
		t.Errorf("event people %d", n)
	}
	before := snapshot(t, db)
	res = mustImport(t, db, street, "", "")
	if c := *res.Counts["event"]; c != (postgres.ImportCount{Unchanged: 8}) {
		t.Errorf("again %+v", c)
	}
	if snapshot(t, db) != before {
		t.Error("re-importing the police.uk file wrote something")
	}
	res = mustImport(t, db, strings.Replace(street, "Criminal damage and arson", "Arson", 1), "", "")
	if c := *res.Counts["event"]; c != (postgres.ImportCount{Updated: 1, Unchanged: 7}) {
		t.Errorf("update %+v", c)
	}

	bad := strings.Join([]string{
		"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context",
		"x1,Nov 2020,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E0,L,Drugs,,",
		"x2,2020-11,Cumbria Constabulary,Cumbria Constabulary,west,54.89,On or near X,E0,L,Drugs,,",
		"x3,2020-11,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E0,L,,,",
		"x4,2020-11,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E0,L,Drugs,,",
	}, "\n")
	before = snapshot(t, db)
	res, err := importText(t, db, importer, bad, "", "", postgres.ImportOptions{})
	wantErrors(t, res, err, "2 Month", "3 Longitude", "4 Crime type")
	if snapshot(t, db) != before {
		t.Error("a police.uk file with bad rows wrote something")
	}
}
