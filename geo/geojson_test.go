package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestAppendCoord(t *testing.T) {
	for in, want := range map[float64]string{
		-2.9330:          "-2.933",
		54.8925:          "54.8925",
		54.89250049:      "54.8925",   // below half a unit of the 6th decimal
		54.8925006:       "54.892501", // above it
		180:              "180",
		-90:              "-90",
		0:                "0",
		1e-7:             "0",
		-1e-7:            "0", // not "-0"
		-0.0000004:       "0",
		0.1:              "0.1",
		-3.2275:          "-3.2275",
		12.3456789012345: "12.345679",
	} {
		if got := string(AppendCoord(nil, in)); got != want {
			t.Errorf("AppendCoord(%v) = %q, want %q", in, got, want)
		}
	}
}

// A square 0.01° on a side drawn clockwise, with a counter-clockwise,
// unclosed hole: both rings the wrong way round for RFC 7946.
var (
	cwSquare = [][2]float64{{-2.94, 54.89}, {-2.94, 54.90}, {-2.93, 54.90}, {-2.93, 54.89}, {-2.94, 54.89}}
	ccwHole  = [][2]float64{{-2.938, 54.892}, {-2.932, 54.892}, {-2.932, 54.898}, {-2.938, 54.898}} // unclosed
)

func TestFeatureWriterOutput(t *testing.T) {
	var out bytes.Buffer
	fw, err := NewFeatureWriter(&out, map[string]any{"bandwidth_m": 412.5, "method": "kde"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Carlisle, with more decimals than allowed.
	must(fw.WriteFeature(1, Point{-2.93300049, 54.8925001}, map[string]any{"people": 7}))
	must(fw.WriteFeature("sq", Polygon{cwSquare, ccwHole}, nil))
	must(fw.WriteFeature(nil, nil, map[string]any{"suppressed": true}))
	must(fw.WriteFeature(4, RawGeometry(`{"type":"Point","coordinates":[-3.2275,54.1108]}`), struct{}{}))
	must(fw.WriteFeature(5, orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}, nil))
	must(fw.WriteFeature(6, MultiPolygon{{cwSquare}, {ccwHole}}, nil))
	if fw.Count() != 6 {
		t.Errorf("Count = %d", fw.Count())
	}
	must(fw.CloseWith(map[string]any{"numberReturned": 6}))
	raw := out.Bytes()

	// Precision: no number in the document has more than 6 decimals.
	if m := regexp.MustCompile(`\d\.\d{7,}`).Find(raw); m != nil {
		t.Errorf("number with more than 6 decimals: %s", m)
	}

	// Decoded with encoding/json into plain values.
	var doc struct {
		Type           string  `json:"type"`
		Method         string  `json:"method"`
		Bandwidth      float64 `json:"bandwidth_m"`
		NumberReturned int     `json:"numberReturned"`
		Features       []struct {
			Type       string          `json:"type"`
			ID         any             `json:"id"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, raw)
	}
	if doc.Type != "FeatureCollection" || doc.Method != "kde" || doc.Bandwidth != 412.5 || doc.NumberReturned != 6 || len(doc.Features) != 6 {
		t.Fatalf("collection: %+v", doc)
	}
	if string(doc.Features[0].Geometry) != `{"type":"Point","coordinates":[-2.933,54.8925]}` {
		t.Errorf("point (lon first, 6 decimals): %s", doc.Features[0].Geometry)
	}
	if string(doc.Features[2].Geometry) != "null" || doc.Features[2].ID != nil {
		t.Errorf("null geometry / no id: %s %v", doc.Features[2].Geometry, doc.Features[2].ID)
	}
	if string(doc.Features[1].Properties) != "null" || doc.Features[1].ID != "sq" || doc.Features[0].ID != 1.0 {
		t.Errorf("properties/id: %s %v %v", doc.Features[1].Properties, doc.Features[1].ID, doc.Features[0].ID)
	}
	if string(doc.Features[3].Geometry) != `{"type":"Point","coordinates":[-3.2275,54.1108]}` {
		t.Errorf("raw geometry not passed through: %s", doc.Features[3].Geometry)
	}

	// Decoded with orb's geojson: winding and closure.
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	if fc.ExtraMembers["method"] != "kde" {
		t.Errorf("orb lost the foreign member: %v", fc.ExtraMembers)
	}
	checkPolygon := func(name string, p orb.Polygon, rings int) {
		t.Helper()
		if len(p) != rings {
			t.Fatalf("%s: %d rings, want %d", name, len(p), rings)
		}
		for k, r := range p {
			if !r.Closed() {
				t.Errorf("%s ring %d not closed", name, k)
			}
			want := orb.CW
			if k == 0 {
				want = orb.CCW
			}
			if r.Orientation() != want {
				t.Errorf("%s ring %d orientation %v, want %v", name, k, r.Orientation(), want)
			}
		}
	}
	sq := fc.Features[1].Geometry.(orb.Polygon)
	checkPolygon("square with hole", sq, 2)
	// The clockwise input's vertices, reversed: same corners, first kept.
	want := orb.Ring{{-2.94, 54.89}, {-2.93, 54.89}, {-2.93, 54.9}, {-2.94, 54.9}, {-2.94, 54.89}}
	if !sq[0].Equal(want) {
		t.Errorf("exterior %v, want %v", sq[0], want)
	}
	if len(sq[1]) != 5 {
		t.Errorf("hole not closed to 5 positions: %v", sq[1])
	}
	checkPolygon("orb ring", fc.Features[4].Geometry.(orb.Polygon), 1)
	mp := fc.Features[5].Geometry.(orb.MultiPolygon)
	if len(mp) != 2 {
		t.Fatalf("multipolygon: %v", mp)
	}
	// Each member polygon has one ring, an exterior: both CCW.
	checkPolygon("multi 0", mp[0], 1)
	checkPolygon("multi 1", mp[1], 1)

	// The caller's rings were not modified.
	if cwSquare[1] != [2]float64{-2.94, 54.90} || len(ccwHole) != 4 {
		t.Error("WriteFeature changed the caller's rings")
	}
}

// A collection with no features is still valid GeoJSON.
func TestFeatureWriterEmpty(t *testing.T) {
	var out bytes.Buffer
	fw, _ := NewFeatureWriter(&out, nil)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("got %s", out.String())
	}
	if err := fw.WriteFeature(nil, nil, nil); !errors.Is(err, ErrWriterClosed) {
		t.Errorf("write after close: %v", err)
	}
}

// Bad features are refused and leave the collection valid.
func TestFeatureWriterRejects(t *testing.T) {
	var out bytes.Buffer
	if _, err := NewFeatureWriter(&out, map[string]any{"features": 1}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("reserved foreign member: %v", err)
	}
	fw, _ := NewFeatureWriter(&out, nil)
	bad := map[string]struct {
		id, geom any
	}{
		"metric coordinates": {1, Point{340255, 555705}},
		// Sydney as (lat, lon): latitude 151.2 is out of range. (A swap
		// that stays in range, like Carlisle's, cannot be caught here.)
		"swapped axes":   {1, Point{-33.87, 151.21}},
		"NaN":            {1, Point{math.NaN(), 0}},
		"two-point ring": {1, Polygon{{{0, 0}, {1, 1}, {0, 0}}}},
		"no rings":       {1, Polygon{}},
		"object id":      {map[string]int{"a": 1}, nil},
		"bool id":        {true, nil},
		"raw not JSON":   {1, RawGeometry(`{"type":`)},
		"unknown type":   {1, 42},
	}
	for name, c := range bad {
		if err := fw.WriteFeature(c.id, c.geom, nil); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := fw.WriteFeature(7, Point{-2.9, 54.9}, nil); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("invalid after rejected features: %v\n%s", err, out.Bytes())
	}
	if n := len(doc["features"].([]any)); n != 1 {
		t.Errorf("%d features, want 1", n)
	}
}

// countingWriter records how much arrived before Close.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

// Streaming: output reaches the writer long before Close, and the buffer
// stays bounded; a write error sticks.
func TestFeatureWriterStreams(t *testing.T) {
	var cw countingWriter
	fw, _ := NewFeatureWriter(&cw, nil)
	ring := Polygon{{{-2.94, 54.89}, {-2.93, 54.89}, {-2.93, 54.90}, {-2.94, 54.90}}}
	for i := range 5000 {
		if err := fw.WriteFeature(i, ring, map[string]int{"people": i}); err != nil {
			t.Fatal(err)
		}
		if cap(fw.buf) > 2*flushAt {
			t.Fatalf("buffer grew to %d", cap(fw.buf))
		}
	}
	if cw.n < 200_000 {
		t.Errorf("only %d bytes written before Close", cw.n)
	}
	fw.Close()

	ff, _ := NewFeatureWriter(failingWriter{}, nil)
	var err error
	for i := 0; err == nil && i < 10000; i++ {
		err = ff.WriteFeature(i, ring, nil)
	}
	if err == nil || ff.Close() == nil || ff.WriteFeature(1, nil, nil) == nil {
		t.Error("write error not reported or not sticky")
	}
}

func TestEnsureCCW(t *testing.T) {
	// Unit square clockwise: signed area −1; fixed: +1 and closed.
	cw := [][2]float64{{0, 0}, {0, 1}, {1, 1}, {1, 0}}
	if a := SignedArea(cw); a != -1 {
		t.Errorf("SignedArea = %v, want −1", a)
	}
	got := EnsureCCW(cw)
	if SignedArea(got) != 1 || len(got) != 5 || got[0] != got[4] {
		t.Errorf("EnsureCCW = %v", got)
	}
	if cw[1] != [2]float64{0, 1} {
		t.Error("EnsureCCW modified its input")
	}
}

// A BNG grid cell as a longitude/latitude ring: closed, counter-clockwise,
// and in the right place. Cell (3402, 5557) of a 100 m grid has its
// south-west corner at E 340200, N 555700: 55.03 m west and 5.66 m south
// of E 340255.03, N 555705.66, which PostGIS gives for (−2.9330, 54.8925)
// (see TestForwardMatchesPostGIS).
func TestCellLonLat(t *testing.T) {
	g := mustSquare(t, 100)
	ring := CellLonLat(g, BNG(), CellID{3402, 5557})
	if SignedArea(ring) <= 0 || ring[0] != ring[len(ring)-1] {
		t.Errorf("ring not CCW/closed: %v", ring)
	}
	// A degree of longitude at 54.89°N is about 64.2 km, so 55.03 m is
	// 0.00086°; a degree of latitude is about 111.2 km, so 5.66 m is
	// 0.00005°. Grid convergence (under 1°) and scale moves this by well
	// under the 0.00002° (about 1.3 m) allowed.
	if math.Abs(ring[0][0]-(-2.9330-0.00086)) > 0.00002 || math.Abs(ring[0][1]-(54.8925-0.00005)) > 0.00002 {
		t.Errorf("south-west corner %v", ring[0])
	}
}
