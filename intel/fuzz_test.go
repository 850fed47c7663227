package intel

// Fuzz tests for the domain's parsers of outside input; see also
// intel/httpapi/fuzz_test.go. Seeds are in testdata/fuzz/<Fuzz...>/ and
// f.Add below; `make fuzz` runs each for a bounded time.

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

func FuzzParseGrade(f *testing.F) {
	for _, s := range []string{"1AP", "3ec", "1/A/P", "1-A-P", "1 A P", " 2.b.c ", "4AP", "1FP", "1AX", "1A", "1APP",
		"", "ıAP", "1\u0130P", "１AP", "1\tA\tP", "A1P", "1aſ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGrade(s)
		if err != nil {
			if g != (Grade{}) {
				t.Fatalf("%q refused (%v) but gave %v", s, err, g)
			}
			return
		}
		if g.Source < '1' || g.Source > '3' || g.Assessment < 'A' || g.Assessment > 'E' || (g.Handling != 'P' && g.Handling != 'C') {
			t.Fatalf("%q accepted as %q, which is not a 3x5x2 grade", s, g)
		}
		// What was accepted is the grade's three characters, in either
		// case, with nothing but separators and spaces around them.
		var kept strings.Builder
		for _, r := range s {
			if unicode.IsSpace(r) || strings.ContainsRune("/-.", r) {
				continue
			}
			if r > unicode.MaxASCII {
				t.Fatalf("%q accepted as %q although it holds %q", s, g, r)
			}
			kept.WriteRune(unicode.ToUpper(r))
		}
		if kept.String() != g.String() {
			t.Fatalf("%q accepted as %q", s, g)
		}
		again, err := ParseGrade(g.String())
		if err != nil || again != g {
			t.Fatalf("%q does not read back: %v, %v", g, again, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2020-12-31", "2020-02-29", "2021-02-29", "2020-13-01", "2020-00-10", "0000-01-01",
		"9999-12-31", "2020-1-1", "20201231", "2020-12-31T00:00:00Z", " 2020-12-31", "+2020-12-31", "２０２０-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		// A date is written one way only: what was accepted is what it
		// writes back, a midnight in UTC.
		if d.String() != s {
			t.Fatalf("%q accepted as %s", s, d)
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("%q accepted as %v, not a UTC midnight", s, d.Time)
		}
		var j Date
		b, _ := d.MarshalJSON()
		if err := j.UnmarshalJSON(b); err != nil || !j.Equal(d.Time) {
			t.Fatalf("%s does not round-trip through JSON: %s, %v, %v", d, b, j, err)
		}
	})
}
