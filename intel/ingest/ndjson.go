package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/contextmap/contextmap/intel"
)

// MaxLine is the longest NDJSON line read; a longer one is a bad row.
const MaxLine = 4 << 20

type ndjsonRaw struct {
	first int    // line number of the first line
	buf   []byte // the lines, each ending at an offset in ends
	ends  []int
	rows  int   // lines consumed, blank ones included
	bytes int64 // input read so far
	long  []int // line numbers of lines over MaxLine
}

// NDJSON reads newline-delimited JSON: one record a line, its "type" naming
// person, place, group, space, link, event, assessment or status. Blank
// lines are skipped.
func NDJSON(r io.Reader) Reader {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 1<<20)
	line := 0
	split := func() (any, error) {
		raw := &ndjsonRaw{first: line + 1}
		for len(raw.ends) < chunkRows && len(raw.buf) < 4<<20 {
			b, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				// Read on past a line longer than the buffer, keeping it only
				// while under MaxLine.
				long := append([]byte(nil), b...)
				for errors.Is(err, bufio.ErrBufferFull) {
					b, err = br.ReadSlice('\n')
					if len(long) <= MaxLine {
						long = append(long, b...)
					}
				}
				b = long
			}
			if len(b) > 0 {
				line++
				raw.rows++
				if len(b) > MaxLine {
					raw.long = append(raw.long, line)
					b = nil
				}
				raw.buf = append(raw.buf, b...)
				raw.ends = append(raw.ends, len(raw.buf))
			}
			if err != nil {
				raw.bytes = cr.n - int64(br.Buffered())
				if len(raw.ends) == 0 && len(raw.long) == 0 {
					return nil, err
				}
				return raw, err
			}
		}
		raw.bytes = cr.n - int64(br.Buffered())
		return raw, nil
	}
	return newPipeline(split, convertNDJSON)
}

func convertNDJSON(r any) *Chunk {
	raw := r.(*ndjsonRaw)
	c := &Chunk{Rows: raw.rows, Bytes: raw.bytes, Items: make([]Item, 0, len(raw.ends))}
	start := 0
	for i, end := range raw.ends {
		line := raw.first + i
		b := bytes.TrimSpace(raw.buf[start:end])
		start = end
		if len(b) == 0 {
			for _, l := range raw.long {
				if l == line {
					c.Errors = append(c.Errors, intel.FieldError{Line: line, Field: "line", Reason: fmt.Sprintf("is longer than %d bytes", MaxLine)})
				}
			}
			continue
		}
		rec, errs := DecodeJSON(b)
		c.add(line, rec, errs)
	}
	return c
}

// NewRecord returns an empty record of the type, or nil for an unknown one.
func NewRecord(typ string) any {
	switch typ {
	case TypePerson:
		return &Person{}
	case TypePlace:
		return &Place{}
	case TypeGroup:
		return &Group{}
	case TypeSpace:
		return &Space{}
	case TypeLink:
		return &Link{}
	case TypeEvent:
		return &Event{}
	case TypeAssessment:
		return &Assessment{}
	case TypeStatus:
		return &StatusChange{}
	}
	return nil
}

// Check validates any record.
func Check(rec any) []intel.FieldError {
	return rec.(interface{ Check() []intel.FieldError }).Check()
}

// DecodeJSON reads one JSON record, strictly (an unknown field is an error,
// so a misspelt column is not silently lost), and checks it.
func DecodeJSON(b []byte) (any, []intel.FieldError) {
	// Most lines begin {"type":"...": read the type without a first pass
	// over the whole line.
	if rest, ok := bytes.CutPrefix(b, []byte(`{"type":"`)); ok {
		if i := bytes.IndexByte(rest, '"'); i > 0 && bytes.IndexByte(rest[:i], '\\') < 0 {
			if rec := NewRecord(string(rest[:i])); rec != nil {
				return decodeTyped(b, string(rest[:i]), rec)
			}
		}
	}
	var head struct {
		Type json.RawMessage `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, []intel.FieldError{{Field: "line", Reason: fmt.Sprintf("is not valid JSON (at byte %d)", se.Offset)}}
		}
		return nil, []intel.FieldError{{Field: "line", Reason: "must be a JSON object"}}
	}
	var typ string
	if err := json.Unmarshal(head.Type, &typ); err != nil || typ == "" {
		return nil, []intel.FieldError{{Field: "type", Reason: "is required: one of " + strings.Join(Types, ", ")}}
	}
	rec := NewRecord(typ)
	if rec == nil {
		return nil, []intel.FieldError{{Field: "type", Reason: "must be one of " + strings.Join(Types, ", ")}}
	}
	return decodeTyped(b, typ, rec)
}

// decodeStrict decodes the one JSON value of b into rec, refusing unknown
// fields: with goccy/go-json when fast (about 1.7 times as fast as
// encoding/json on an import's records: 4.9 s against 8.3 s of one core
// for a million events), else with encoding/json. more is true when
// something follows the value.
func decodeStrict(b []byte, rec any, fast bool) (more bool, err error) {
	var dec interface {
		DisallowUnknownFields()
		Decode(any) error
		More() bool
	}
	if fast {
		dec = gojson.NewDecoder(bytes.NewReader(b))
	} else {
		dec = json.NewDecoder(bytes.NewReader(b))
	}
	dec.DisallowUnknownFields()
	if err := dec.Decode(rec); err != nil {
		return false, err
	}
	return dec.More(), nil
}

// decodeTyped decodes and checks a record of type typ. encoding/json's
// answer is the rule: the fast decoder's acceptance is relied on only
// where it agrees (FuzzDecodeAgrees holds it to that), and a line it
// refuses is decoded again by encoding/json before it is called bad.
func decodeTyped(b []byte, typ string, rec any) (any, []intel.FieldError) {
	more, err := decodeStrict(b, rec, true)
	if err != nil {
		rec = NewRecord(typ)
		more, err = decodeStrict(b, rec, false)
	}
	if err != nil {
		// The slow path, only for bad rows: field by field, so every bad
		// field is named, including those whose own parser failed; then
		// the checks, for problems of the fields that did decode.
		rec = NewRecord(typ)
		errs := decodeFields(b, rec)
		named := map[string]bool{}
		for _, e := range errs {
			named[e.Field] = true
		}
		for _, e := range Check(rec) {
			if !named[e.Field] {
				errs = append(errs, e)
			}
		}
		return nil, errs
	}
	if more {
		return nil, []intel.FieldError{{Field: "line", Reason: "holds more than one JSON value"}}
	}
	if errs := Check(rec); len(errs) > 0 {
		return nil, errs
	}
	return rec, nil
}

// decodeFields decodes a JSON object into the struct at dst one field at a
// time and reports every unknown field and every field that does not decode.
func decodeFields(b []byte, dst any) []intel.FieldError {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return []intel.FieldError{{Field: "line", Reason: "must be a JSON object"}}
	}
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []intel.FieldError
	for _, k := range keys {
		i, ok := fields[k]
		if !ok {
			name := k
			if name == "" {
				name = `""`
			}
			out = append(out, intel.FieldError{Field: name, Reason: "is not a field of this record type"})
			continue
		}
		if err := json.Unmarshal(raw[k], v.Field(i).Addr().Interface()); err != nil {
			fe := jsonFieldError(err)
			if fe.Field == "line" {
				fe.Field = k
			} else {
				fe.Field = k + "/" + fe.Field
			}
			out = append(out, fe)
		}
	}
	if len(out) == 0 {
		out = []intel.FieldError{{Field: "line", Reason: "is not a valid record"}}
	}
	return out
}

// jsonFieldError names the field behind a decoding error, where the
// decoder knows it, and says why in words a partner can act on.
func jsonFieldError(err error) intel.FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := strings.ReplaceAll(te.Field, ".", "/")
		if field == "" {
			field = "line"
		}
		return intel.FieldError{Field: field, Reason: "has the wrong type: got a JSON " + te.Value}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if f = strings.Trim(f, `"`); f == "" {
			f = `""`
		}
		return intel.FieldError{Field: f, Reason: "is not a field of this record type"}
	}
	switch {
	case strings.HasPrefix(msg, "parsing time"):
		msg = "is not a time: want RFC 3339, e.g. 2020-12-31T22:00:00Z"
	case strings.Contains(msg, "is not a date"):
		msg = "is not a date: want YYYY-MM-DD"
	case !utf8.ValidString(msg):
		msg = "is not valid"
	}
	return intel.FieldError{Field: "line", Reason: msg}
}
