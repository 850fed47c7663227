package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The legacy map, code by code, from the table in docs/IMPORT.md (worked
// by hand from the 5x5x5 and 3x5x2 definitions).
func TestMapLegacy(t *testing.T) {
	for in, want := range map[string]string{
		"A11": "1AP", "B23": "1AP", "C34": "2BC", "D45": "3DC", "E55": "2EC", "E12": "2AC", "C31": "2BP",
		"b/2/3": "1AP", " D 4 4 ": "3DC",
	} {
		g, err := MapLegacy(in)
		if err != nil || g.String() != want {
			t.Errorf("MapLegacy(%q) = %v, %v; want %s", in, g, err, want)
		}
	}
	for _, bad := range []string{"F11", "A61", "A16", "A1", "1AP", ""} {
		if _, err := MapLegacy(bad); err == nil {
			t.Errorf("MapLegacy(%q) accepted", bad)
		}
	}
}

func readAll(t testing.TB, rd Reader) (items []Item, errs, skipped []string) {
	t.Helper()
	defer rd.Close()
	for {
		c, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, c.Items...)
		for _, e := range c.Errors {
			errs = append(errs, itoa(e.Line)+" "+e.Field)
		}
		for _, e := range c.Skipped {
			skipped = append(skipped, itoa(e.Line))
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A police.uk summer month is a month of British Summer Time: it starts at
// 23:00 UTC the day before.
func TestPoliceUKMonthIsUKLocal(t *testing.T) {
	csv := "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n" +
		"abc,2020-07,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E0,L,Drugs,,\n"
	rd, err := CSV(strings.NewReader(csv), "")
	if err != nil {
		t.Fatal(err)
	}
	items, errs, _ := readAll(t, rd)
	if len(errs) > 0 || len(items) != 1 {
		t.Fatalf("%v %v", items, errs)
	}
	e := items[0].Record.(*Event)
	if !e.From.Equal(time.Date(2020, 6, 30, 23, 0, 0, 0, time.UTC)) || !e.To.Equal(time.Date(2020, 7, 31, 22, 59, 59, 0, time.UTC)) {
		t.Errorf("window %s .. %s", e.From.UTC(), e.To.UTC())
	}
	if e.ExtRef != "police.uk:abc" || *e.Layer != LayerContext || *e.Grade != PoliceUKGrade {
		t.Errorf("event %+v", e)
	}
}

func TestSniffAndNames(t *testing.T) {
	for in, want := range map[string]string{
		"":                                      FormatNDJSON,
		`{"type":"place","ext_ref":"x"}` + "\n": FormatNDJSON,
		`{"type":"FeatureCollection","features":[]}`:                   FormatGeoJSON,
		"{\n  \"type\": \"FeatureCollection\",\n  \"features\": []\n}": FormatGeoJSON,
		"ext_ref,name\nx,y\n":                                          FormatCSV,
		"\ufeffCrime ID,Month\n":                                       FormatCSV,
	} {
		if got := Sniff(bufioReader(in)); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string][2]string{
		"people.csv": {FormatCSV, TypePerson}, "places.csv": {FormatCSV, TypePlace}, "mosaic_links.csv": {FormatCSV, TypeLink},
		"2020-11-cumbria-street.csv": {FormatPoliceUK, ""}, "x.ndjson": {FormatNDJSON, ""}, "a.geojson": {FormatGeoJSON, ""},
		"status.csv": {FormatCSV, TypeStatus}, "assessments.csv": {FormatCSV, TypeAssessment},
	} {
		f, ty := FromName(in)
		if f != want[0] || ty != want[1] {
			t.Errorf("FromName(%q) = %s %s, want %v", in, f, ty, want)
		}
	}
}

// Chunks cut at a batch boundary keep every row on exactly one side.
func TestChunkSplit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10; i++ {
		if i == 4 {
			b.WriteString("not json\n")
			continue
		}
		b.WriteString(`{"type":"group","ext_ref":"G` + string(rune('0'+i)) + `","name":"n"}` + "\n")
	}
	rd := NDJSON(strings.NewReader(b.String()))
	c, err := rd.Next()
	rd.Close()
	if err != nil || c.Records() != 10 {
		t.Fatalf("%v %d", err, c.Records())
	}
	head, tail := c.Split(5)
	if head.Records() != 5 || tail.Records() != 5 || len(head.Errors) != 1 || len(tail.Errors) != 0 {
		t.Errorf("head %d (%d errors), tail %d", head.Records(), len(head.Errors), tail.Records())
	}
	if tail.Items[0].Line != 6 {
		t.Errorf("tail starts at line %d", tail.Items[0].Line)
	}
}

// Lines over the limit are bad rows, and reading goes on after them.
func TestNDJSONLongLine(t *testing.T) {
	long := `{"type":"group","ext_ref":"G","name":"` + strings.Repeat("x", MaxLine) + `"}`
	text := `{"type":"group","ext_ref":"A","name":"a"}` + "\n" + long + "\n" + `{"type":"group","ext_ref":"B","name":"b"}` + "\n"
	items, errs, _ := readAll(t, NDJSON(strings.NewReader(text)))
	if len(items) != 2 || len(errs) != 1 || errs[0] != "2 line" {
		t.Errorf("items %d errs %v", len(items), errs)
	}
}

func FuzzNDJSON(f *testing.F) {
	f.Add([]byte(`{"type":"place","ext_ref":"P","name":"n","kind":"park","geometry":{"type":"Point","coordinates":[-2.9,54.8]}}`))
	f.Add([]byte(`{"type":"event","ext_ref":"E","kind":"sighting","from":"2020-01-01T00:00:00Z","place":"P","grade":"2BP","source_agency":"x","people":["a","pseudonym:b"]}` + "\n\n{"))
	f.Add([]byte(`{"type":"link","legacy_grade":"B23","first_seen":"2020-13-01"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NDJSON(bytes.NewReader(data))
		defer rd.Close()
		for {
			c, err := rd.Next()
			if err != nil {
				return
			}
			for _, e := range c.Errors {
				if e.Line < 1 || e.Field == "" || e.Reason == "" {
					t.Fatalf("error without line, field or reason: %+v", e)
				}
			}
			for _, it := range c.Items {
				// A record that passed keeps passing: Check is stable.
				if errs := Check(it.Record); len(errs) > 0 {
					t.Fatalf("line %d passed, then failed: %v", it.Line, errs)
				}
			}
		}
	})
}

func FuzzCSV(f *testing.F) {
	f.Add("ext_ref,name,kind,longitude,latitude\nP,n,park,-2.9,54.8\n", 1)
	f.Add("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n,2020-11,a,b,,,c,d,e,Drugs,,\n", 0)
	f.Add("ext_ref,kind,from,people\nE,sighting,2020-01-01T00:00:00Z,a;b;;c\n\"x", 7)
	f.Fuzz(func(t *testing.T, data string, ti int) {
		typ := ""
		if ti >= 0 {
			typ = Types[ti%len(Types)]
		}
		rd, err := CSV(strings.NewReader(data), typ)
		if err != nil {
			return
		}
		defer rd.Close()
		for {
			c, err := rd.Next()
			if err != nil {
				return
			}
			for _, e := range c.Errors {
				if e.Line < 1 || e.Field == "" || e.Reason == "" {
					t.Fatalf("error without line, field or reason: %+v", e)
				}
			}
		}
	})
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
