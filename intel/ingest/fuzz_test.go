package ingest

// FuzzOpen feeds arbitrary files to every import format. Seeds are in
// testdata/fuzz/FuzzOpen/ and f.Add below; `make fuzz` runs it for a
// bounded time.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// fuzzFormats are the (format, CSV type) pairs the fuzzer picks from.
var fuzzFormats = [][2]string{
	{"", ""}, {FormatNDJSON, ""}, {FormatGeoJSON, ""}, {FormatPoliceUK, ""},
	{FormatCSV, TypePerson}, {FormatCSV, TypePlace}, {FormatCSV, TypeGroup}, {FormatCSV, TypeSpace},
	{FormatCSV, TypeLink}, {FormatCSV, TypeEvent}, {FormatCSV, TypeAssessment}, {FormatCSV, TypeStatus},
}

func FuzzOpen(f *testing.F) {
	seeds := []struct {
		format int
		data   string
	}{
		{1, `{"type":"place","ext_ref":"PL-1","name":"Park","kind":"park","geometry":{"type":"Point","coordinates":[-2.93,54.89]}}
{"type":"person","pseudonym":"YP-1","kind":"young_person","case_ref":"C-1","district":"E07000028"}
{"type":"event","ext_ref":"EV-1","kind":"sighting","from":"2020-11-06T22:00:00Z","to":"2020-11-07T02:00:00Z","grade":"2BP","source_agency":"Police","geometry":{"type":"Point","coordinates":[-2.93,54.89]},"people":["C-1"]}
{"type":"link","kind":"frequents","source_type":"person","source_ref":"C-1","target_type":"place","target_ref":"PL-1","legacy_grade":"B24","source_agency":"Police","first_seen":"2020-01-01","review_date":"2021-01-01"}
`},
		{1, `{"type":"event","ext_ref":"EV-2","kind":"sighting","from":"2020-11-06T22:00:00Z","to":"2020-11-07T02:00:00Z","grade":"2BP","source_agency":"Police","geometry":{"type":"Point","coordinates":[null,54.89]}}`},
		{1, `{"type":"place","ext_ref":"PL-2","name":"Park","kind":"park","geometry":{"type":"Point","coordinates":[]}}`},
		{1, "{\"type\":\"place\"}\n\n{bad\n\xff\n"},
		{2, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ext_ref":"B-1","name":"Fine","kind":"park"},"geometry":{"type":"Point","coordinates":[-2.93,54.89]}},
{"type":"Feature","properties":{"ext_ref":"B-2","name":"Area","kind":"park"},"geometry":{"type":"Polygon","coordinates":[[[-2.93,54.89],[-2.92,54.89],[-2.92,54.90],[-2.93,54.89]]]}}]}`},
		{2, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":null}]}`},
		{3, "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n" +
			"abc,2020-11,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near Park,E01019000,Carlisle 001A,Violence and sexual offences,Under investigation,\n" +
			",2020-11,Cumbria Constabulary,Cumbria Constabulary,,,No location,,,Anti-social behaviour,,\n"},
		{4, "case_ref,pseudonym,kind,age_band,district\nC-1,YP-1,young_person,13-15,E07000028\nC-2,,adult_of_concern,,\n"},
		{5, "ext_ref,name,kind,longitude,latitude\nPL-1,Park,park,-2.93,54.89\nPL-2,Swapped,park,54.89,-2.93\nPL-3,Nowhere,park,,\n"},
		{5, "ext_ref,name,kind,geometry\nPL-4,Area,park,\"{\"\"type\"\":\"\"Polygon\"\",\"\"coordinates\"\":[[[-3,54],[-2.9,54],[-2.9,54.1],[-3,54]]]}\"\n"},
		{9, "ext_ref,kind,from,to,longitude,latitude,grade,source_agency,people\nEV-1,sighting,2020-11-06T22:00:00Z,2020-11-07T02:00:00Z,-2.93,54.89,2BP,Police,C-1;C-2\n"},
		{11, "person,status,from\nC-1,cp,2020-06-01\nC-1,,2020-07-01\n"},
		{4, "\ufeffcase_ref,\"unterminated\n"},
		{0, ""},
	}
	for _, s := range seeds {
		f.Add(uint8(s.format), []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		ft := fuzzFormats[int(which)%len(fuzzFormats)]
		rd, err := Open(bytes.NewReader(data), ft[0], ft[1])
		if err != nil {
			var e *intel.Error
			if !errors.As(err, &e) || e.Code != intel.EINVALID {
				t.Fatalf("Open refused with %T %v, want an EINVALID *intel.Error", err, err)
			}
			return
		}
		defer rd.Close()
		lastLine, rows := 0, 0
		for range 10_000 {
			c, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				return // the importer reports it as a 400 on "file"
			}
			rows += c.Rows
			for _, fe := range append(append([]intel.FieldError{}, c.Errors...), c.Skipped...) {
				if fe.Line < 1 || fe.Field == "" || fe.Reason == "" {
					t.Fatalf("row problem without line, field or reason: %+v", fe)
				}
			}
			for _, it := range c.Items {
				if it.Line < lastLine || it.Line < 1 {
					t.Fatalf("item on line %d after line %d", it.Line, lastLine)
				}
				lastLine = it.Line
				checkRecord(t, it.Record)
			}
			if c.Records() > rows {
				t.Fatalf("%d records from %d rows", c.Records(), rows)
			}
		}
		t.Fatal("over 10,000 chunks from a small input")
	})
}

// checkRecord holds an accepted record to what the API would accept of the
// same thing: a place's geometry passes geo.ReadGeometry (the API's check),
// an event's point is in range.
func checkRecord(t *testing.T, rec any) {
	t.Helper()
	switch r := rec.(type) {
	case *Place:
		if len(r.Geometry) > 0 && string(r.Geometry) != "null" {
			if _, err := geo.ReadGeometry(r.Geometry, "Point", "Polygon", "MultiPolygon"); err != nil {
				t.Fatalf("place %q accepted with geometry %s, which the API refuses: %v", r.ExtRef, r.Geometry, err)
			}
		}
	case *Event:
		if len(r.Geometry) > 0 && string(r.Geometry) != "null" {
			if _, err := geo.ReadGeometry(r.Geometry, "Point"); err != nil {
				t.Fatalf("event %q accepted with geometry %s, which the API refuses: %v", r.ExtRef, r.Geometry, err)
			}
		}
		if p := r.Point; p != nil && (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) {
			t.Fatalf("event %q accepted at %v", r.ExtRef, *p)
		}
	case *Person, *Group, *Space, *Link, *Assessment, *StatusChange:
	default:
		b, _ := json.Marshal(rec)
		t.Fatalf("unknown record %T: %s", rec, b)
	}
}

// FuzzDecodeAgrees holds the fast JSON decoder (goccy/go-json) to
// encoding/json, the rule: whatever line of whichever record type the fast
// one accepts, encoding/json accepts too, with the same record and the
// same answer about anything after it. (A line the fast one refuses is
// decoded again by encoding/json, so the other way round needs no check.)
func FuzzDecodeAgrees(f *testing.F) {
	for _, s := range []struct {
		typ  uint8
		line string
	}{
		{7, `{"type":"event","ext_ref":"EV-1","kind":"sighting","from":"2020-11-06T22:00:00Z","to":"2020-11-07T02:00:00Z","grade":"2BP","source_agency":"Police","geometry":{"type":"Point","coordinates":[-2.93,54.89]},"people":["C-1","pseudonym:YP-2"],"groups":["G-1"],"severity":3,"confirmed":true}`},
		{7, `{"type":"event","EXT_REF":"a","Kind":"crime","ext_ref":"b","from":"2020-11-06","severity":1e0,"confirmed":null}`},
		{7, "{\"type\":\"event\",\"ext_ref\":\"\xff\xfe\",\"source_agency\":\"\\ud800x\",\"layer\":\"context\"} {}"},
		{3, `{"type":"person","pseudonym":"YP-1","kind":"young_person","case_ref":"C-1","district":"E07000028","statuses":[{"status":"cp","from":"2020-01-01","to":null}]}`},
		{0, `{"type":"place","ext_ref":"PL-1","name":"Park \u00e9","kind":"park","sensitive":false,"geometry":{"type":"Polygon","coordinates":[[[-3,54],[-2.9,54],[-2.9,54.1],[-3,54]]]}}`},
		{6, `{"type":"link","kind":"frequents","source_type":"person","source_ref":"C-1","target_type":"place","target_ref":"PL-1","legacy_grade":"B24","strength":99999999999,"first_seen":"2020-01-01"}`},
		{5, `{"type":"assessment","ext_ref":"A-1","person":"C-1","kind":"cse","completed_on":"2020-02-30","risk_level":"high"}`},
		{4, `{"type":"status","person":"C-1","status":"cp","from":"2020-06-01","status":"lac"}`},
		{1, `{"type":"group","ext_ref":"G-1","name":"n","description":"d\n\t","district":null,"extra":1}`},
		{2, `{"type":"space","ext_ref":"S-1","name":"n","platform":"snap","kind":"chat"`},
	} {
		// typ indexes Types: place, group, space, person, status,
		// assessment, link, event.
		f.Add(s.typ, []byte(s.line))
	}
	f.Fuzz(func(t *testing.T, ti uint8, line []byte) {
		typ := Types[int(ti)%len(Types)]
		fast := NewRecord(typ)
		moreFast, err := decodeStrict(line, fast, true)
		if err != nil {
			return
		}
		std := NewRecord(typ)
		moreStd, err := decodeStrict(line, std, false)
		if err != nil {
			t.Fatalf("%s %q: the fast decoder accepts, encoding/json refuses: %v", typ, line, err)
		}
		if moreFast != moreStd {
			t.Fatalf("%s %q: more after the value: fast %v, encoding/json %v", typ, line, moreFast, moreStd)
		}
		if !reflect.DeepEqual(fast, std) {
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(std)
			t.Fatalf("%s %q:\nfast           %s\nencoding/json  %s", typ, line, a, b)
		}
	})
}
