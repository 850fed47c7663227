package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/contextmap/contextmap/intel"
)

// Column kinds of the CSV formats.
const (
	colText = iota // a JSON string
	colBool        // true/false, yes/no, 1/0, y/n
	colInt         // a JSON number
	colList        // values separated by ';', a JSON array of strings
	colJSON        // JSON as is (a GeoJSON geometry)
	colLon         // with colLat: a Point geometry
	colLat
)

// CSVColumns lists each record type's CSV columns: the NDJSON fields, with
// lists separated by ';' and a point as longitude and latitude columns.
// docs/IMPORT.md documents them.
var CSVColumns = map[string][]CSVColumn{
	TypePerson: {{"case_ref", colText}, {"case_ref_hash", colText}, {"pseudonym", colText}, {"kind", colText},
		{"age_band", colText}, {"district", colText}},
	TypePlace: {{"ext_ref", colText}, {"name", colText}, {"kind", colText}, {"sensitive", colBool}, {"urn", colText},
		{"longitude", colLon}, {"latitude", colLat}, {"geometry", colJSON}, {"district", colText}},
	TypeGroup: {{"ext_ref", colText}, {"name", colText}, {"description", colText}, {"district", colText}},
	TypeSpace: {{"ext_ref", colText}, {"name", colText}, {"platform", colText}, {"kind", colText}, {"district", colText}},
	TypeLink: {{"ext_ref", colText}, {"kind", colText}, {"source_type", colText}, {"source_ref", colText},
		{"target_type", colText}, {"target_ref", colText}, {"grade", colText}, {"legacy_grade", colText},
		{"confirmed", colBool}, {"source_agency", colText}, {"first_seen", colText}, {"last_seen", colText},
		{"review_date", colText}, {"nature", colText}, {"strength", colInt}, {"recorded_by", colText}},
	TypeEvent: {{"ext_ref", colText}, {"kind", colText}, {"from", colText}, {"to", colText}, {"place", colText},
		{"longitude", colLon}, {"latitude", colLat}, {"geometry", colJSON}, {"category", colText}, {"severity", colInt},
		{"grade", colText}, {"legacy_grade", colText}, {"confirmed", colBool}, {"source_agency", colText},
		{"review_date", colText}, {"people", colList}, {"groups", colList}, {"found_place", colText},
		{"found_at", colText}, {"rhi_at", colText}, {"crime_type", colText}, {"layer", colText}},
	TypeAssessment: {{"ext_ref", colText}, {"person", colText}, {"kind", colText}, {"completed_on", colText},
		{"risk_level", colText}, {"next_review", colText}, {"agency", colText}},
	TypeStatus: {{"person", colText}, {"status", colText}, {"category", colText}, {"from", colText}},
}

// CSVColumn is one column of a CSV format.
type CSVColumn struct {
	Name string
	kind int
}

// csvFile is a header read, shared by the splitter and the workers.
type csvFile struct {
	typ  string
	cols []CSVColumn // by position; Name "" for a column already reported
}

type csvRaw struct {
	file  *csvFile
	rows  [][]string
	lines []int
	errs  []intel.FieldError
	bytes int64
	n     int
}

// CSV reads one record type from a CSV file with a header row. A police.uk
// street-level crime file (recognised by its header) needs no type; any
// other needs one (TypePerson ... TypeStatus). Empty cells are absent values.
func CSV(r io.Reader, typ string) (Reader, error) {
	cr := &countingReader{r: r}
	rd := csv.NewReader(cr)
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = false
	header, err := rd.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, intel.Invalid("file", "is empty: a CSV file needs a header row")
		}
		return nil, intel.Invalid("file", "the header row is not valid CSV: "+err.Error())
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
	}
	if IsPoliceUKHeader(header) && (typ == "" || typ == FormatPoliceUK || typ == TypeEvent) {
		return policeUK(cr, rd, header), nil
	}
	if typ == FormatPoliceUK {
		return nil, intel.Invalid("file", "is not a police.uk street-level crime file: its header lacks "+strings.Join(policeUKColumns, ", "))
	}
	spec, ok := CSVColumns[typ]
	if !ok {
		return nil, intel.Invalid("type", "a CSV file holds one record type: give one of "+strings.Join(Types, ", "))
	}
	f := &csvFile{typ: typ}
	var bad intel.Validation
	seen := map[string]bool{}
	for _, h := range header {
		i := slices.IndexFunc(spec, func(c CSVColumn) bool { return c.Name == h })
		switch {
		case i < 0:
			bad.Add(h, "is not a column of a "+typ+" file")
		case seen[h]:
			bad.Add(h, "appears twice in the header")
		default:
			seen[h] = true
			f.cols = append(f.cols, spec[i])
			continue
		}
		f.cols = append(f.cols, CSVColumn{})
	}
	if err := bad.Err(); err != nil {
		e := err.(*intel.Error)
		for i := range e.Fields {
			e.Fields[i].Line = 1
		}
		return nil, e
	}
	lastLine := 0
	split := func() (any, error) {
		raw := &csvRaw{file: f}
		for len(raw.rows) < chunkRows {
			rec, err := rd.Read()
			line := 0
			if len(rec) > 0 {
				line, _ = rd.FieldPos(0)
			}
			if err != nil && !errors.Is(err, io.EOF) {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				if line <= lastLine { // no progress: give up on the file
					raw.bytes = cr.n
					return raw, fmt.Errorf("CSV line %d: %w", line, err)
				}
				lastLine = line
				raw.n++
				raw.errs = append(raw.errs, intel.FieldError{Line: line, Field: "line", Reason: "is not valid CSV: " + csvReason(err)})
				continue
			}
			if errors.Is(err, io.EOF) {
				raw.bytes = cr.n
				if raw.n == 0 {
					return nil, io.EOF
				}
				return raw, io.EOF
			}
			lastLine = line
			raw.n++
			raw.rows = append(raw.rows, rec)
			raw.lines = append(raw.lines, line)
		}
		raw.bytes = cr.n
		return raw, nil
	}
	return newPipeline(split, convertCSV), nil
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func convertCSV(r any) *Chunk {
	raw := r.(*csvRaw)
	c := &Chunk{Rows: raw.n, Bytes: raw.bytes, Errors: raw.errs}
	var buf bytes.Buffer
	for i, row := range raw.rows {
		line := raw.lines[i]
		errs := raw.file.toJSON(&buf, row)
		var rec any
		if len(errs) == 0 {
			rec, errs = DecodeJSON(buf.Bytes())
		}
		c.add(line, rec, errs)
	}
	return c
}

// toJSON writes a CSV row as the JSON record it stands for.
func (f *csvFile) toJSON(buf *bytes.Buffer, row []string) []intel.FieldError {
	buf.Reset()
	buf.WriteString(`{"type":`)
	writeJSONString(buf, f.typ)
	var errs []intel.FieldError
	var lon, lat string
	hasGeometry := false
	if len(row) > len(f.cols) {
		errs = append(errs, intel.FieldError{Field: "line", Reason: fmt.Sprintf("has %d cells, the header %d", len(row), len(f.cols))})
	}
	for i, v := range row {
		if i >= len(f.cols) || f.cols[i].Name == "" {
			continue
		}
		col := f.cols[i]
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		switch col.kind {
		case colLon:
			lon = v
			continue
		case colLat:
			lat = v
			continue
		}
		buf.WriteByte(',')
		writeJSONString(buf, col.Name)
		buf.WriteByte(':')
		switch col.kind {
		case colText:
			writeJSONString(buf, v)
		case colBool:
			switch strings.ToLower(v) {
			case "true", "yes", "y", "1", "t":
				buf.WriteString("true")
			case "false", "no", "n", "0", "f":
				buf.WriteString("false")
			default:
				errs = append(errs, intel.FieldError{Field: col.Name, Reason: "must be true or false"})
				buf.WriteString("false")
			}
		case colInt:
			if _, err := strconv.ParseInt(v, 10, 16); err != nil {
				errs = append(errs, intel.FieldError{Field: col.Name, Reason: "must be a whole number"})
				buf.WriteString("0")
			} else {
				buf.WriteString(v)
			}
		case colList:
			buf.WriteByte('[')
			n := 0
			for _, p := range strings.Split(v, ";") {
				if p = strings.TrimSpace(p); p != "" {
					if n > 0 {
						buf.WriteByte(',')
					}
					writeJSONString(buf, p)
					n++
				}
			}
			buf.WriteByte(']')
		case colJSON:
			hasGeometry = true
			if !json.Valid([]byte(v)) {
				errs = append(errs, intel.FieldError{Field: col.Name, Reason: "must be a GeoJSON geometry object"})
				buf.WriteString("null")
			} else {
				buf.WriteString(v)
			}
		}
	}
	if lon != "" || lat != "" {
		x, errX := strconv.ParseFloat(lon, 64)
		y, errY := strconv.ParseFloat(lat, 64)
		switch {
		case errX != nil:
			errs = append(errs, intel.FieldError{Field: "longitude", Reason: "must be a number (decimal degrees)"})
		case errY != nil:
			errs = append(errs, intel.FieldError{Field: "latitude", Reason: "must be a number (decimal degrees)"})
		case math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0):
			errs = append(errs, intel.FieldError{Field: "longitude", Reason: "coordinates must be finite numbers"})
		case hasGeometry:
			errs = append(errs, intel.FieldError{Field: "geometry", Reason: "give longitude and latitude, or geometry, not both"})
		default:
			fmt.Fprintf(buf, `,"geometry":{"type":"Point","coordinates":[%s,%s]}`,
				strconv.FormatFloat(x, 'g', -1, 64), strconv.FormatFloat(y, 'g', -1, 64))
		}
	}
	buf.WriteByte('}')
	return errs
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	buf.Write(b)
}
