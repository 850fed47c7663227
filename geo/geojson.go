package geo

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
)

// GeoJSON geometry values accepted by FeatureWriter.WriteFeature, all in
// WGS84 longitude/latitude degrees ([lon, lat] order, RFC 7946).
type (
	// Point is [longitude, latitude].
	Point [2]float64
	// Polygon is an exterior ring followed by any holes.
	Polygon [][][2]float64
	// MultiPolygon is a list of polygons.
	MultiPolygon [][][][2]float64
	// RawGeometry is an already encoded GeoJSON geometry object (such as
	// PostGIS's ST_AsGeoJSON(geom, 6)), written as it is: the caller
	// answers for its precision and winding (ST_ForcePolygonCCW).
	RawGeometry []byte
)

// coordDecimals is the precision of written coordinates: 1e-6° is about
// 0.1 m, finer than any position this product holds.
const coordDecimals = 6

// flushAt is how much a FeatureWriter buffers before writing through.
const flushAt = 32 << 10

// FeatureWriter streams a GeoJSON FeatureCollection (RFC 7946) to an
// io.Writer one feature at a time, holding at most about 32 KiB: nothing
// of a feature is kept once it is written. Polygon rings it encodes are
// closed and wound by the right-hand rule (exteriors counter-clockwise,
// holes clockwise), coordinates have at most 6 decimals, and positions
// outside longitude [−180, 180] or latitude [−90, 90] are refused, which
// catches swapped axes and metric coordinates written by mistake. It is
// not safe for concurrent use. After the first error every call returns
// that error.
type FeatureWriter struct {
	w      io.Writer
	buf    []byte
	n      int
	err    error
	closed bool
}

// NewFeatureWriter starts a FeatureCollection on w, with the given foreign
// members (such as the method, bandwidth or cell size) written before the
// features in key order. They may not be "type" or "features".
func NewFeatureWriter(w io.Writer, foreign map[string]any) (*FeatureWriter, error) {
	fw := &FeatureWriter{w: w, buf: make([]byte, 0, flushAt+flushAt/4)}
	fw.buf = append(fw.buf, `{"type":"FeatureCollection"`...)
	var err error
	if fw.buf, err = AppendMembers(fw.buf, foreign); err != nil {
		return nil, err
	}
	fw.buf = append(fw.buf, `,"features":[`...)
	return fw, nil
}

// AppendMembers appends a FeatureCollection's own members to dst, each as
// `,"key":value` in key order; "type" and "features" are refused. Writers
// of a collection by hand (intel/hotspot) call it too.
func AppendMembers(dst []byte, members map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(members))
	for k := range members {
		if k == "type" || k == "features" {
			return nil, fmt.Errorf("geo: %q cannot be a foreign member of a FeatureCollection: %w", k, ErrInvalidInput)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(members[k])
		if err != nil {
			return nil, fmt.Errorf("geo: foreign member %q: %w", k, err)
		}
		dst = append(dst, ',')
		dst = append(dst, kb...)
		dst = append(dst, ':')
		dst = append(dst, vb...)
	}
	return dst, nil
}

// Count is the number of features written so far.
func (fw *FeatureWriter) Count() int { return fw.n }

// WriteFeature writes one Feature. id is nil (no "id" member), a string or
// a number. geometry is nil (a null geometry, as for a place whose position
// may not be shown), a Point, Polygon, MultiPolygon, RawGeometry, or an
// orb.Point, orb.Ring (as a polygon), orb.Polygon or orb.MultiPolygon.
// properties is anything encoding/json can marshal; nil gives null.
func (fw *FeatureWriter) WriteFeature(id any, geometry any, properties any) error {
	if fw.err != nil {
		return fw.err
	}
	if fw.closed {
		return ErrWriterClosed
	}
	// appendFeature only stores into fw.buf when the feature is complete,
	// so a bad feature leaves no trace and the collection stays valid.
	if err := fw.appendFeature(id, geometry, properties); err != nil {
		return err
	}
	fw.n++
	if len(fw.buf) >= flushAt {
		return fw.Flush()
	}
	return nil
}

func (fw *FeatureWriter) appendFeature(id, geometry, properties any) error {
	b := fw.buf
	if fw.n > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"type":"Feature"`...)
	if id != nil {
		ib, err := json.Marshal(id)
		if err != nil {
			return fmt.Errorf("geo: feature id: %w", err)
		}
		if c := ib[0]; c != '"' && c != '-' && (c < '0' || c > '9') {
			return fmt.Errorf("geo: feature id %s is neither a string nor a number: %w", ib, ErrInvalidInput)
		}
		b = append(b, `,"id":`...)
		b = append(b, ib...)
	}
	b = append(b, `,"geometry":`...)
	b, err := appendGeometry(b, geometry)
	if err != nil {
		return err
	}
	pb, err := json.Marshal(properties)
	if err != nil {
		return fmt.Errorf("geo: feature properties: %w", err)
	}
	b = append(b, `,"properties":`...)
	b = append(b, pb...)
	fw.buf = append(b, '}')
	return nil
}

// Flush writes what is buffered to the underlying writer.
func (fw *FeatureWriter) Flush() error {
	if fw.err != nil {
		return fw.err
	}
	if len(fw.buf) == 0 {
		return nil
	}
	if _, err := fw.w.Write(fw.buf); err != nil {
		fw.err = fmt.Errorf("geo: writing GeoJSON: %w", err)
		return fw.err
	}
	fw.buf = fw.buf[:0]
	return nil
}

// Close ends the collection and flushes it.
func (fw *FeatureWriter) Close() error { return fw.CloseWith(nil) }

// CloseWith ends the collection with foreign members known only at the
// end (such as "numberReturned") and flushes it.
func (fw *FeatureWriter) CloseWith(trailer map[string]any) error {
	if fw.err != nil {
		return fw.err
	}
	if fw.closed {
		return ErrWriterClosed
	}
	fw.buf = append(fw.buf, ']')
	b, err := AppendMembers(fw.buf, trailer)
	if err != nil {
		fw.buf = fw.buf[:len(fw.buf)-1]
		return err
	}
	fw.buf = append(b, '}')
	fw.closed = true
	return fw.Flush()
}

func appendGeometry(b []byte, g any) ([]byte, error) {
	switch g := g.(type) {
	case nil:
		return append(b, "null"...), nil
	case RawGeometry:
		if !json.Valid(g) {
			return nil, fmt.Errorf("geo: raw geometry is not valid JSON: %w", ErrInvalidInput)
		}
		return append(b, g...), nil
	case Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b, err := appendPosition(b, g)
		return append(b, '}'), err
	case orb.Point:
		return appendGeometry(b, Point(g))
	case Polygon:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b, err := appendPolygon(b, g)
		return append(b, '}'), err
	case orb.Ring:
		return appendGeometry(b, Polygon{orbRing(g)})
	case orb.Polygon:
		return appendGeometry(b, orbPolygon(g))
	case MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for k, p := range g {
			if k > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendPolygon(b, p); err != nil {
				return nil, err
			}
		}
		return append(b, "]}"...), nil
	case orb.MultiPolygon:
		mp := make(MultiPolygon, len(g))
		for k, p := range g {
			mp[k] = orbPolygon(p)
		}
		return appendGeometry(b, mp)
	}
	return nil, fmt.Errorf("geo: cannot write a %T as a GeoJSON geometry: %w", g, ErrInvalidInput)
}

func orbRing(r orb.Ring) [][2]float64 {
	out := make([][2]float64, len(r))
	for k, p := range r {
		out[k] = p
	}
	return out
}

func orbPolygon(p orb.Polygon) Polygon {
	out := make(Polygon, len(p))
	for k, r := range p {
		out[k] = orbRing(r)
	}
	return out
}

// appendPolygon writes the rings closed, the first counter-clockwise and
// the others clockwise, without changing the caller's slices.
func appendPolygon(b []byte, rings Polygon) ([]byte, error) {
	if len(rings) == 0 {
		return nil, fmt.Errorf("geo: polygon without rings: %w", ErrInvalidInput)
	}
	b = append(b, '[')
	for k, ring := range rings {
		n := len(ring)
		if n > 0 && ring[0] == ring[n-1] {
			n-- // distinct positions; the first is repeated at the end below
		}
		if n < 3 {
			return nil, fmt.Errorf("geo: polygon ring %d has %d distinct positions, need 3: %w", k, n, ErrInvalidInput)
		}
		area := SignedArea(ring)
		reverse := (k == 0) != (area > 0) // exterior CCW (area > 0), holes CW
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for i := 0; i <= n; i++ {
			j := i % n // i == n closes the ring with the first position
			if reverse {
				j = (n - i%n) % n
			}
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendPosition(b, ring[j]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

func appendPosition(b []byte, p [2]float64) ([]byte, error) {
	lon, lat := p[0], p[1]
	if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
		return nil, fmt.Errorf("geo: position (%v, %v) is not a longitude/latitude pair: %w", lon, lat, ErrInvalidInput)
	}
	b = append(b, '[')
	b = AppendCoord(b, lon)
	b = append(b, ',')
	b = AppendCoord(b, lat)
	return append(b, ']'), nil
}

// AppendCoord appends v with at most 6 decimals and no trailing zeros
// (−2.933000 → "-2.933", 1e-7 → "0").
func AppendCoord(b []byte, v float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', coordDecimals, 64)
	end := len(b)
	for b[end-1] == '0' {
		end--
	}
	if b[end-1] == '.' {
		end--
	}
	b = b[:end]
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

// SignedArea is the shoelace area of a ring in its own units: positive
// when the ring runs counter-clockwise (x east, y north). The ring may be
// closed or not.
func SignedArea(ring [][2]float64) float64 {
	n := len(ring)
	if n < 3 {
		return 0
	}
	a := 0.0
	for i := range n {
		p, q := ring[i], ring[(i+1)%n]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a / 2
}

// EnsureCCW returns the ring closed and counter-clockwise, as a new slice.
func EnsureCCW(ring [][2]float64) [][2]float64 {
	out := slices.Clone(ring)
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	if SignedArea(out) < 0 {
		slices.Reverse(out)
	}
	return out
}

// CellLonLat is the boundary of grid cell c as a closed counter-clockwise
// ring of WGS84 longitude/latitude, for grids laid on projection p. Only
// the corners are projected back, so edges are straight in longitude and
// latitude rather than in metres: they differ by about L²/8R (R the
// Earth's radius), some 2 cm for a 1 km edge.
func CellLonLat(g Grid, p Projection, c CellID) [][2]float64 {
	ring := g.Polygon(c)
	out := make([][2]float64, len(ring))
	for k, v := range ring {
		lon, lat := p.Inverse(v[0], v[1])
		out[k] = [2]float64{lon, lat}
	}
	return out
}
