package httpapi

// Fuzz tests for every parser of outside input in this package. Each checks
// that no input panics, that every refusal is a 400-class *intel.Error
// naming the field, and that what is accepted meets a property checked
// independently of the parser. Seeds are in testdata/fuzz/<Fuzz...>/ (and
// f.Add below); `make fuzz` runs each for a bounded time.

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/contextmap/contextmap/intel"
)

// refusal fails unless err is an EINVALID *intel.Error naming only fields
// in allowed (any field when allowed is nil).
func refusal(t *testing.T, err error, allowed func(field string) bool) {
	t.Helper()
	var e *intel.Error
	if !errors.As(err, &e) || e.Code != intel.EINVALID {
		t.Fatalf("refusal is %T %v, want an EINVALID *intel.Error", err, err)
	}
	if len(e.Fields) == 0 {
		t.Fatalf("refusal %q names no field", e.Message)
	}
	for _, f := range e.Fields {
		if f.Field == "" || f.Reason == "" {
			t.Fatalf("refusal with an empty field or reason: %+v", f)
		}
		if allowed != nil && !allowed(f.Field) {
			t.Fatalf("refusal names field %q, not one of the input", f.Field)
		}
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"-3.6,54.0,-2.1,55.2", "-180,-90,180,90", "1,2,3", "1,1,1,1", "nan,0,1,1",
		"1e400,0,1,1", " -3.5 , 54 , -3 , 55 ", "0x1p-2,0,1,1", "-3,54,-4,55", ",,,", "1,2,3,4,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBBox(s)
		if err != nil {
			refusal(t, err, func(f string) bool { return f == "bbox" })
			return
		}
		if s == "" {
			if b != nil {
				t.Fatalf("empty bbox gave %v", b)
			}
			return
		}
		for _, v := range b {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q accepted with a non-finite %v", s, b)
			}
		}
		if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] >= b[2] || b[1] >= b[3] {
			t.Fatalf("%q accepted as %v: out of range or inverted", s, b)
		}
		// Written back out, it reads back the same.
		parts := make([]string, 4)
		for i, v := range b {
			parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		again, err := parseBBox(strings.Join(parts, ","))
		if err != nil || *again != *b {
			t.Fatalf("%v written as %q reads back as %v, %v", b, strings.Join(parts, ","), again, err)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2020-12-31", "2020-12-31T22:00:00Z", "2020-12-31T22:00:00+01:00", "2020-02-30",
		"2020-12-31T22:00:00.123456789Z", "0000-01-01", "9999-12-31T23:59:59Z", "2020-1-1", "2020-12-31T24:00:00Z",
		"2020-12-31 22:00:00Z", "2020-12-31T22:00:00+24:00", "+2020-01-01", "0000-01-01T00:00:00+01:00",
		"9999-12-31T23:00:00-01:00"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, endOfDay bool) {
		tm, err := parseTime("from", s, endOfDay)
		if err != nil {
			refusal(t, err, func(f string) bool { return f == "from" })
			return
		}
		if s == "" {
			if tm != nil {
				t.Fatalf("empty time gave %v", tm)
			}
			return
		}
		if y := tm.UTC().Year(); y < 0 || y > 10000 {
			t.Fatalf("%q accepted as year %d", s, y)
		}
		if d, err := intel.ParseDate(s); err == nil {
			// A date is that day in UTC: its first instant, or its last.
			want := d.Time
			if endOfDay {
				want = want.Add(24*time.Hour - time.Nanosecond)
			}
			if !tm.Equal(want) {
				t.Fatalf("date %q (end of day %v) read as %v, want %v", s, endOfDay, tm, want)
			}
			return
		}
		// An RFC 3339 time: written back out, it reads back the same instant.
		again, err := time.Parse(time.RFC3339Nano, tm.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(*tm) {
			t.Fatalf("%q read as %v, which does not round-trip: %v, %v", s, tm, again, err)
		}
	})
}

// geometryTypes are what the API accepts somewhere (places take all three,
// events points only).
var geometryTypes = []string{"Point", "Polygon", "MultiPolygon"}

// FuzzCheckGeometry fuzzes the check of GeoJSON geometries in requests
// (normGeometry, over geo.ReadGeometry).
func FuzzCheckGeometry(f *testing.F) {
	for _, s := range []string{
		`{"type":"Point","coordinates":[-2.93,54.89]}`,
		`{"type":"Point","coordinates":[-2.93,54.89,120]}`,
		`{"type":"Point","coordinates":[54.89,-200]}`,
		`{"type":"Point"}`,
		`{"type":"Point","coordinates":null}`,
		`{"type":"Point","coordinates":[1]}`,
		`{"type":"Point","coordinates":[]}`,
		`{"type":"Point","coordinates":[1,null]}`,
		`{"type":"Point","coordinates":[1,2,3,4]}`,
		`{"type":"Point","coordinates":["1","2"]}`,
		`{"type":"Polygon","coordinates":[[[-3,54],[-2.9,54],[-2.9,54.1],[-3,54]]]}`,
		`{"type":"Polygon","coordinates":[[[-3,54,5],[-2.9,54,5],[-2.9,54.1,5],[-3,54,6]]]}`,
		`{"type":"Polygon","coordinates":[[[-3,54],[-2.9,54],[-2.9,54.1],[-3,54.1]]]}`,
		`{"type":"Polygon","coordinates":[[[-3,54],[-2.9,54],[-3,54]]]}`,
		`{"type":"Polygon","coordinates":[]}`,
		`{"type":"Polygon","coordinates":[[]]}`,
		`{"type":"Polygon","coordinates":[null]}`,
		`{"type":"MultiPolygon","coordinates":[[[[-3,54],[-2.9,54],[-2.9,54.1],[-3,54]]]]}`,
		`{"type":"MultiPolygon","coordinates":[[]]}`,
		`{"type":"LineString","coordinates":[[0,0],[1,1]]}`,
		`{"type":"GeometryCollection","geometries":[]}`,
		`{"type":"Point","type":"Polygon","coordinates":[0,0]}`,
		`{"type":"Point","coordinates":[0,0],"crs":{"type":"name","properties":{"name":"EPSG:27700"}}}`,
		`[1,2]`, `"Point"`, `null`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := normGeometry("geometry", raw, geometryTypes...)
		if err != nil {
			refusal(t, err, func(f string) bool { return f == "geometry" })
			return
		}
		if len(raw) == 0 || string(raw) == "null" {
			if !bytes.Equal(out, raw) {
				t.Fatalf("no geometry %q came back as %s", raw, out)
			}
			return
		}
		in, reason := readGeoJSON(raw)
		if reason != "" {
			t.Fatalf("accepted %s, which is not a valid geometry: %s", raw, reason)
		}
		// What comes back is valid too, in two dimensions, with the same
		// longitudes and latitudes.
		got, reason := readGeoJSON(out)
		if reason != "" {
			t.Fatalf("%s came back as %s, which is not a valid geometry: %s", raw, out, reason)
		}
		if got.typ != in.typ || len(got.positions) != len(in.positions) {
			t.Fatalf("%s came back as %s", raw, out)
		}
		for i, p := range got.positions {
			if len(p) != 2 || p[0] != in.positions[i][0] || p[1] != in.positions[i][1] {
				t.Fatalf("%s came back as %s: position %d is %v, want %v in 2D", raw, out, i, p, in.positions[i])
			}
		}
	})
}

// geoJSON is a geometry as readGeoJSON sees it: its type and every
// position in order.
type geoJSON struct {
	typ       string
	positions [][]float64
}

// readGeoJSON is an independent reading of RFC 7946 for the geometry types
// the API takes; the reason says what is wrong, or is "".
func readGeoJSON(raw []byte) (geoJSON, string) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return geoJSON{}, "not an object: " + err.Error()
	}
	var c any
	d := json.NewDecoder(bytes.NewReader(g.Coordinates))
	d.UseNumber()
	if len(g.Coordinates) == 0 || d.Decode(&c) != nil {
		return geoJSON{}, "no coordinates"
	}
	out := geoJSON{typ: g.Type}
	var reason string
	switch g.Type {
	case "Point":
		reason = out.position(c)
	case "Polygon":
		reason = out.polygon(c)
	case "MultiPolygon":
		polys, ok := c.([]any)
		if !ok || len(polys) == 0 {
			return out, "a multipolygon needs an array of polygons"
		}
		for _, p := range polys {
			if reason = out.polygon(p); reason != "" {
				break
			}
		}
	default:
		reason = "type " + g.Type
	}
	return out, reason
}

func (g *geoJSON) polygon(c any) string {
	rings, ok := c.([]any)
	if !ok || len(rings) == 0 {
		return "a polygon needs an array of rings"
	}
	for _, r := range rings {
		ps, ok := r.([]any)
		if !ok || len(ps) < 4 {
			return "a ring needs at least 4 positions"
		}
		start := len(g.positions)
		for _, p := range ps {
			if reason := g.position(p); reason != "" {
				return reason
			}
		}
		first, last := g.positions[start], g.positions[len(g.positions)-1]
		if first[0] != last[0] || first[1] != last[1] {
			return "a ring must be closed"
		}
	}
	return ""
}

// position: 2 or 3 numbers (RFC 7946 3.1.1: longitude, latitude, and
// optionally altitude; "implementations SHOULD NOT extend positions beyond
// three elements"), longitude and latitude in range.
func (g *geoJSON) position(c any) string {
	p, ok := c.([]any)
	if !ok || len(p) < 2 || len(p) > 3 {
		return "a position is an array of 2 or 3 numbers"
	}
	pos := make([]float64, len(p))
	for i, v := range p {
		n, ok := v.(json.Number)
		if !ok {
			return "a position holds numbers only"
		}
		f, err := n.Float64()
		if err != nil {
			return "a coordinate is not a float64"
		}
		pos[i] = f
	}
	if pos[0] < -180 || pos[0] > 180 || pos[1] < -90 || pos[1] > 90 {
		return "longitude or latitude out of range"
	}
	g.positions = append(g.positions, pos)
	return ""
}

// inputs are the request bodies the API decodes, each with the
// validation bind runs after decoding.
var inputs = []func() (any, func() error){
	func() (any, func() error) { v := &intel.PersonInput{}; return v, v.Validate },
	func() (any, func() error) { v := &intel.AssessmentInput{}; return v, v.Validate },
	func() (any, func() error) { v := &intel.PlaceInput{}; return v, v.Validate },
	func() (any, func() error) { v := &intel.GroupInput{}; return v, v.Validate },
	func() (any, func() error) { v := &intel.SpaceInput{}; return v, v.Validate },
	func() (any, func() error) { v := &intel.LinkInput{}; return v, v.Validate },
	func() (any, func() error) { v := &intel.EventInput{}; return v, v.Validate },
}

func FuzzDecodeStrict(f *testing.F) {
	for i, s := range []string{
		`{"kind":"young_person","pseudonym":"YP-1","district":"E07000028","age_band":"13-15","case_ref":"C-1",
		  "statuses":[{"status":"cp","from":"2020-06-01"}],"categories":[{"category":"cse1","from":"2020-02-01"}]}`,
		`{"person_id":1,"kind":"cerar","completed_on":"2020-01-31","risk_level":"high","agency":"Police"}`,
		`{"name":"Park","kind":"park","geometry":{"type":"Point","coordinates":[-2.9,54.9]}}`,
		`{"name":"Group","description":"d","district":"E07000028"}`,
		`{"name":"Chat","platform":"snapchat","kind":"group_chat"}`,
		`{"kind":"frequents","source_id":1,"target_id":2,"grade":"1AP","source_agency":"Police","first_seen":"2020-01-01","review_date":"2021-01-01"}`,
		`{"kind":"sighting","from":"2020-11-06T22:00:00Z","to":"2020-11-07T02:00:00Z","grade":5,"source_agency":"Police",
		  "geometry":{"type":"Point","coordinates":[-2.9,54.9]},"people":[1,2],"severity":70000}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	for _, s := range []string{``, `null`, `[]`, `{}`, `{"kind":1}`, `{"Kind":"park"}`, `{"kind":"a","kind":2}`,
		`{"from":"yesterday"}`, `{"grade":"9ZZ"}`, `{"people":[1.5]}`, `{"x":1} {}`, "{\"name\":\"\xff\"}"} {
		f.Add(uint8(6), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		dst, validate := inputs[int(which)%len(inputs)]()
		keys, dup := topLevelKeys(body)
		known := func(f string) bool { return f == "body" || keys[f] || keys[strings.SplitN(f, "/", 2)[0]] }
		err := decodeStrict(body, dst)
		if err != nil {
			refusal(t, err, known)
			return
		}
		if keys == nil {
			t.Fatalf("accepted %q, which is not a JSON object", body)
		}
		// Accepted: every key is a field, exactly, so the standard decoder
		// reads the same value (unless a key repeats: then it reads every
		// copy, where decodeStrict keeps the last).
		if !dup {
			std := reflect.New(reflect.TypeOf(dst).Elem()).Interface()
			if err := json.Unmarshal(body, std); err != nil {
				t.Fatalf("decodeStrict accepted %q; encoding/json refuses it: %v", body, err)
			}
			if !reflect.DeepEqual(std, dst) {
				t.Fatalf("decodeStrict read %q as %+v; encoding/json as %+v", body, dst, std)
			}
		}
		if err := validate(); err != nil {
			refusal(t, err, nil)
		}
	})
}

// topLevelKeys returns the keys of a JSON object (nil if body is not one)
// and whether any repeats.
func topLevelKeys(body []byte) (map[string]bool, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	keys, dup := map[string]bool{}, false
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		k := tok.(string)
		dup = dup || keys[k]
		keys[k] = true
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil, false
		}
	}
	return keys, dup
}

func FuzzParseOGCBBox(f *testing.F) {
	for _, s := range []string{"-3.6,54.0,-2.1,55.2", "-3.6,54.0,0,-2.1,55.2,100", "170,-10,-170,10", "180,0,-180,1",
		"1,2,3", "0,91,1,92", "0,1,1,0", "nan,0,1,1", " 1 ,2, 3,4", "-180,-90,180,90", "1,1,1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		boxes, err := parseOGCBBox(s)
		if err != nil {
			refusal(t, err, func(f string) bool { return f == ParamBBox })
			return
		}
		if s == "" {
			if boxes != nil {
				t.Fatalf("empty bbox gave %v", boxes)
			}
			return
		}
		if len(boxes) != 1 && len(boxes) != 2 {
			t.Fatalf("%q gave %d boxes", s, len(boxes))
		}
		for _, b := range boxes {
			for _, v := range b {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%q gave a non-finite box %v", s, b)
				}
			}
			if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
				t.Fatalf("%q gave box %v: out of range or inverted", s, b)
			}
		}
		// Two boxes only for one that crosses the antimeridian: they meet
		// there and together span the same latitudes.
		if len(boxes) == 2 && (boxes[0][2] != 180 || boxes[1][0] != -180 || boxes[0][1] != boxes[1][1] || boxes[0][3] != boxes[1][3]) {
			t.Fatalf("%q split into %v", s, boxes)
		}
	})
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2020-12-31", "2020-12-31T22:00:00Z", "2020-01-01/2020-12-31", "../2020-12-31",
		"2020-01-01/..", "/", "../..", "2020-12-31/2020-01-01", "2020-01-01T00:00:00+14:00/2020-01-01T00:00:00-12:00",
		"2020-01-01/2020-02-01/2020-03-01", "2020-02-30", "now"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		from, to, err := parseDatetime(s)
		if err != nil {
			refusal(t, err, func(f string) bool { return f == ParamDatetime })
			return
		}
		if from != nil && to != nil && to.Before(*from) {
			t.Fatalf("%q accepted as an interval from %v to the earlier %v", s, from, to)
		}
		for _, tm := range []*time.Time{from, to} {
			if tm != nil {
				if y := tm.UTC().Year(); y < 0 || y > 10000 {
					t.Fatalf("%q accepted with year %d", s, y)
				}
			}
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{encodeCursor("42"), encodeCursor("2020-12-31T22:00:00Z|17"), "c1.", "c1.====", "42",
		"c1." + strings.Repeat("QUFB", 100), encodeCursor("\xff")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := decodeCursor(s)
		if err != nil {
			refusal(t, err, func(f string) bool { return f == ParamCursor })
		} else if key == "" || len(key) > 200 || !utf8.ValidString(key) {
			t.Fatalf("%q accepted as the key %q", s, key)
		}
		// Every key the service can issue reads back as itself.
		if len(s) > 0 && len(s) <= 200 && utf8.ValidString(s) {
			back, err := decodeCursor(encodeCursor(s))
			if err != nil || back != s {
				t.Fatalf("the cursor of %q reads back as %q, %v", s, back, err)
			}
		}
	})
}
