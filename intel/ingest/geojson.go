package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/contextmap/contextmap/intel"
)

// placeProps are the feature properties read as place fields; others are
// ignored (GIS tools add their own).
var placeProps = []string{"ext_ref", "name", "kind", "sensitive", "urn", "district"}

// lineTracker counts newlines in what passes through it, so a decoder's
// byte offset can be turned into a line number. Offsets are asked for in
// increasing order, so only the newlines read ahead are kept.
type lineTracker struct {
	r     io.Reader
	off   int64
	nl    []int64 // offsets of newlines not yet passed
	lines int     // newlines passed
}

func (t *lineTracker) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	for i, c := range b[:n] {
		if c == '\n' {
			t.nl = append(t.nl, t.off+int64(i))
		}
	}
	t.off += int64(n)
	return n, err
}

// line is the line number of the byte at off.
func (t *lineTracker) line(off int64) int {
	i := 0
	for i < len(t.nl) && t.nl[i] < off {
		i++
	}
	t.lines += i
	t.nl = t.nl[i:]
	return t.lines + 1
}

type geoRaw struct {
	feats []json.RawMessage
	lines []int
	bytes int64
}

// GeoJSON reads a FeatureCollection of places: each feature's geometry
// (Point, Polygon or MultiPolygon) and its properties ext_ref (or the
// feature's id), name, kind, sensitive, urn and district. A bad feature is
// reported at the line where it starts.
func GeoJSON(r io.Reader) (Reader, error) {
	lt := &lineTracker{r: r}
	dec := json.NewDecoder(lt)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, intel.Invalid("file", "is not a GeoJSON FeatureCollection: "+err.Error())
	}
	sawType := false
	// Walk the top-level keys until "features", then stream its array.
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, intel.Invalid("file", "is not valid JSON: "+err.Error())
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return nil, intel.Invalid("features", "is missing: a FeatureCollection has a features array")
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			var t string
			if err := dec.Decode(&t); err != nil || t != "FeatureCollection" {
				return nil, intel.Invalid("type", "must be FeatureCollection")
			}
			sawType = true
			continue
		case "features":
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, intel.Invalid("file", "is not valid JSON: "+err.Error())
			}
			continue
		}
		if err := expectDelim(dec, '['); err != nil {
			return nil, intel.Invalid("features", "must be an array")
		}
		break
	}
	ended := false
	split := func() (any, error) {
		if ended {
			return nil, io.EOF
		}
		raw := &geoRaw{}
		for len(raw.feats) < chunkRows && dec.More() {
			var f json.RawMessage
			if err := dec.Decode(&f); err != nil {
				return raw, fmt.Errorf("GeoJSON line %d: %w", lt.line(dec.InputOffset()), err)
			}
			// The raw value is exactly the feature's bytes: it starts
			// len(f) before where the decoder now stands.
			raw.lines = append(raw.lines, lt.line(dec.InputOffset()-int64(len(f))))
			raw.feats = append(raw.feats, f)
		}
		raw.bytes = lt.off
		if !dec.More() {
			ended = true
			if err := expectDelim(dec, ']'); err != nil {
				return raw, fmt.Errorf("GeoJSON: the features array does not end: %w", err)
			}
			if !sawType {
				// "type" may follow "features"; read on to find it.
				for dec.More() {
					tok, err := dec.Token()
					if err != nil {
						return raw, err
					}
					if tok == "type" {
						var t string
						if err := dec.Decode(&t); err != nil || t != "FeatureCollection" {
							return raw, intel.Invalid("type", "must be FeatureCollection")
						}
						sawType = true
					} else {
						var skip json.RawMessage
						if err := dec.Decode(&skip); err != nil {
							return raw, err
						}
					}
				}
			}
			return raw, io.EOF
		}
		return raw, nil
	}
	return newPipeline(split, convertGeo), nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return errors.New("want " + string(want))
	}
	return nil
}

func convertGeo(r any) *Chunk {
	raw := r.(*geoRaw)
	c := &Chunk{Rows: len(raw.feats), Bytes: raw.bytes}
	for i, f := range raw.feats {
		line := raw.lines[i]
		rec, errs := featurePlace(f)
		c.add(line, rec, errs)
	}
	return c
}

func featurePlace(b []byte) (any, []intel.FieldError) {
	var f struct {
		Type       string                     `json:"type"`
		ID         json.RawMessage            `json:"id"`
		Properties map[string]json.RawMessage `json:"properties"`
		Geometry   json.RawMessage            `json:"geometry"`
	}
	if err := json.Unmarshal(b, &f); err != nil || f.Type != "Feature" {
		return nil, []intel.FieldError{{Field: "feature", Reason: "must be a GeoJSON Feature object"}}
	}
	rec := map[string]json.RawMessage{"type": json.RawMessage(`"place"`), "geometry": f.Geometry}
	for _, k := range placeProps {
		if v, ok := f.Properties[k]; ok && string(v) != "null" {
			rec[k] = v
		}
	}
	if _, ok := rec["ext_ref"]; !ok && len(f.ID) > 0 && string(f.ID) != "null" {
		id := f.ID
		if id[0] != '"' { // a numeric id
			id = []byte(strconv.Quote(string(id)))
		}
		rec["ext_ref"] = id
	}
	enc, _ := json.Marshal(rec)
	place, errs := DecodeJSON(enc)
	for i := range errs {
		if errs[i].Field != "geometry" && errs[i].Field != "line" {
			errs[i].Field = "properties/" + errs[i].Field
		}
	}
	return place, errs
}
