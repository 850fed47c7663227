package httpapi

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"

	"github.com/contextmap/contextmap/intel"
)

// Features are framed by hand, one at a time, into a buffer written
// through every flushAt bytes: the geometry comes ready-encoded from
// PostGIS (ST_AsGeoJSON(geom, 6)), and properties are appended by type
// without reflection. Measured in STYLE.md as the fastest way that
// streams; geo.FeatureWriter does the same for geometries built in Go.

const flushAt = 32 << 10

// featureWriter writes a stream of features in one format.
type featureWriter interface {
	// begin starts the document with members known before the features.
	begin(head []member) error
	feature(f *intel.Feature) error
	// end closes the document with members known only at the end.
	end(tail []member) error
}

// member is a top-level JSON member written as is (value already JSON).
type member struct {
	name  string
	value []byte
}

// geojsonWriter writes a GeoJSON FeatureCollection.
type geojsonWriter struct {
	w     io.Writer
	buf   []byte
	names [][]byte // `"name":` per field
	n     int
}

func newGeoJSONWriter(w io.Writer, fields []intel.Field) *geojsonWriter {
	gw := &geojsonWriter{w: w, buf: make([]byte, 0, flushAt+flushAt/2)}
	for _, f := range fields {
		gw.names = append(gw.names, append(appendJSONString(nil, f.Name), ':'))
	}
	return gw
}

func (gw *geojsonWriter) flush() error {
	if len(gw.buf) == 0 {
		return nil
	}
	_, err := gw.w.Write(gw.buf)
	gw.buf = gw.buf[:0]
	return err
}

func appendMembers(b []byte, ms []member) []byte {
	for _, m := range ms {
		b = append(b, ',')
		b = appendJSONString(b, m.name)
		b = append(b, ':')
		b = append(b, m.value...)
	}
	return b
}

func (gw *geojsonWriter) begin(head []member) error {
	gw.buf = append(gw.buf, `{"type":"FeatureCollection"`...)
	gw.buf = appendMembers(gw.buf, head)
	gw.buf = append(gw.buf, `,"features":[`...)
	return nil
}

func (gw *geojsonWriter) feature(f *intel.Feature) error {
	if gw.n > 0 {
		gw.buf = append(gw.buf, ',')
	}
	gw.n++
	gw.buf = appendFeature(gw.buf, f, gw.names)
	if len(gw.buf) >= flushAt {
		return gw.flush()
	}
	return nil
}

func (gw *geojsonWriter) end(tail []member) error {
	gw.buf = append(gw.buf, ']')
	gw.buf = appendMembers(gw.buf, tail)
	gw.buf = append(gw.buf, '}')
	return gw.flush()
}

// appendFeature appends one GeoJSON Feature with the given property names.
func appendFeature(b []byte, f *intel.Feature, names [][]byte) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	if f.Key != "" {
		b = appendJSONString(b, f.Key)
	} else {
		b = strconv.AppendInt(b, f.ID, 10)
	}
	b = append(b, `,"geometry":`...)
	if len(f.Geometry) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, f.Geometry...)
	}
	b = append(b, `,"properties":{`...)
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, name...)
		var v any
		if i < len(f.Values) {
			v = f.Values[i]
		}
		b = appendJSONValue(b, v)
	}
	return append(b, "}}"...)
}

// appendJSONValue appends a property value: nil, string, int64, int,
// float64, bool or time.Time (RFC 3339 in UTC).
func appendJSONValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(b, v)
	case time.Time:
		b = append(b, '"')
		b = v.UTC().AppendFormat(b, time.RFC3339)
		return append(b, '"')
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD, and
// U+2028/U+2029 escaped so the output is also valid JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// csvWriter writes features as CSV: id, the properties, and the geometry
// as WKT (WGS84 longitude/latitude) in a column named wkt, which GDAL and
// QGIS pick up as the geometry.
type csvWriter struct {
	w      *csv.Writer
	fields []intel.Field
	row    []string
}

func newCSVWriter(w io.Writer, fields []intel.Field) *csvWriter {
	return &csvWriter{w: csv.NewWriter(w), fields: fields, row: make([]string, len(fields)+2)}
}

func (cw *csvWriter) begin([]member) error {
	cw.row[0] = "id"
	for i, f := range cw.fields {
		cw.row[i+1] = f.Name
	}
	cw.row[len(cw.row)-1] = "wkt"
	return cw.w.Write(cw.row)
}

func (cw *csvWriter) feature(f *intel.Feature) error {
	if f.Key != "" {
		cw.row[0] = f.Key
	} else {
		cw.row[0] = strconv.FormatInt(f.ID, 10)
	}
	for i := range cw.fields {
		var v any
		if i < len(f.Values) {
			v = f.Values[i]
		}
		cw.row[i+1] = csvValue(v)
	}
	cw.row[len(cw.row)-1] = ""
	if len(f.Geometry) > 0 {
		g, err := geojson.UnmarshalGeometry(f.Geometry)
		if err != nil {
			return err
		}
		cw.row[len(cw.row)-1] = wkt.MarshalString(g.Geometry())
	}
	return cw.w.Write(cw.row)
}

func (cw *csvWriter) end([]member) error {
	cw.w.Flush()
	return cw.w.Error()
}

func csvValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return csvSafe(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	}
	return ""
}

// csvSafe keeps a spreadsheet from reading a text cell as a formula
// (CSV injection): a leading =, +, -, @, tab or carriage return gets a
// leading apostrophe.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
