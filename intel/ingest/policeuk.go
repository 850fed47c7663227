package ingest

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // police.uk months are months of UK local time

	"github.com/contextmap/contextmap/intel"
)

// Formats a file may be in.
const (
	FormatNDJSON   = "ndjson"
	FormatCSV      = "csv"
	FormatGeoJSON  = "geojson"
	FormatPoliceUK = "police.uk"
)

// policeUKColumns is the header of data.police.uk's street-level crime CSV.
var policeUKColumns = []string{"crime id", "month", "reported by", "falls within", "longitude", "latitude",
	"location", "lsoa code", "lsoa name", "crime type", "last outcome category", "context"}

// PoliceUKGrade is the grade given to police.uk rows: a reliable source (a
// force's recorded crime), known to it indirectly (reported to it), lawful
// sharing permitted (published as open data).
const PoliceUKGrade = "1CP"

// PoliceUKRefPrefix begins the ext_ref of every police.uk row.
const PoliceUKRefPrefix = "police.uk:"

// IsPoliceUKHeader reports whether a (lower-cased) header is police.uk's.
func IsPoliceUKHeader(h []string) bool {
	for _, c := range []string{"crime id", "month", "falls within", "longitude", "latitude", "crime type"} {
		if !slices.Contains(h, c) {
			return false
		}
	}
	return true
}

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // embedded by time/tzdata
	}
	return l
}()

// policeUK reads street-level crime rows as context events: kind crime,
// crime_type the police.uk crime type, layer context, the month as the
// window (UK local time), no people. A row without coordinates is counted
// and reported as skipped. A row without a Crime ID (anti-social behaviour)
// is keyed by a hash of its content and its occurrence among identical rows,
// so importing the file again finds the same keys.
func policeUK(cr *countingReader, rd *csv.Reader, header []string) Reader {
	col := map[string]int{}
	for i, h := range header {
		if _, ok := col[h]; !ok {
			col[h] = i
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	seen := map[[32]byte]int{}
	lastLine := 0
	split := func() (any, error) {
		c := &Chunk{}
		for c.Rows < chunkRows {
			row, err := rd.Read()
			line := 0
			if len(row) > 0 {
				line, _ = rd.FieldPos(0)
			}
			if errors.Is(err, io.EOF) {
				c.Bytes = cr.n
				if c.Rows == 0 {
					return nil, io.EOF
				}
				return c, io.EOF
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				if line <= lastLine {
					c.Bytes = cr.n
					return c, fmt.Errorf("CSV line %d: %w", line, err)
				}
				lastLine = line
				c.Rows++
				c.Errors = append(c.Errors, intel.FieldError{Line: line, Field: "line", Reason: "is not valid CSV: " + csvReason(err)})
				continue
			}
			lastLine = line
			c.Rows++
			e, skip, errs := policeUKRow(row, get, seen)
			switch {
			case len(errs) > 0:
				for i := range errs {
					errs[i].Line = line
				}
				c.Errors = append(c.Errors, errs...)
			case skip != "":
				c.Skipped = append(c.Skipped, intel.FieldError{Line: line, Field: "longitude", Reason: skip})
			default:
				c.Items = append(c.Items, Item{Line: line, Record: e})
			}
		}
		c.Bytes = cr.n
		return c, nil
	}
	return newPipeline(split, func(raw any) *Chunk { return raw.(*Chunk) })
}

func policeUKRow(row []string, get func([]string, string) string, seen map[[32]byte]int) (*Event, string, []intel.FieldError) {
	var errs []intel.FieldError
	month, err := time.ParseInLocation("2006-01", get(row, "month"), london)
	if err != nil {
		errs = append(errs, intel.FieldError{Field: "Month", Reason: "must be a month written YYYY-MM"})
	}
	crimeType := get(row, "crime type")
	if crimeType == "" {
		errs = append(errs, intel.FieldError{Field: "Crime type", Reason: "is required"})
	}
	lonS, latS := get(row, "longitude"), get(row, "latitude")
	if lonS == "" || latS == "" {
		if len(errs) > 0 {
			return nil, "", errs
		}
		return nil, "has no coordinates (police.uk could not place it on the map): counted, not imported", nil
	}
	lon, errX := strconv.ParseFloat(lonS, 64)
	lat, errY := strconv.ParseFloat(latS, 64)
	switch {
	case errX != nil || math.IsNaN(lon) || lon < -180 || lon > 180:
		errs = append(errs, intel.FieldError{Field: "Longitude", Reason: "must be a longitude in decimal degrees, -180 to 180"})
	case errY != nil || math.IsNaN(lat) || lat < -90 || lat > 90:
		errs = append(errs, intel.FieldError{Field: "Latitude", Reason: "must be a latitude in decimal degrees, -90 to 90"})
	}
	if len(errs) > 0 {
		return nil, "", errs
	}
	id := get(row, "crime id")
	var ref string
	if id != "" {
		ref = PoliceUKRefPrefix + id
	} else {
		// Length-prefixed fields: no two different rows hash alike.
		h := sha256.New()
		for _, f := range []string{"month", "reported by", "falls within", "longitude", "latitude", "location",
			"lsoa code", "lsoa name", "crime type", "last outcome category", "context"} {
			v := get(row, f)
			fmt.Fprintf(h, "%d:%s|", len(v), v)
		}
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		seen[sum]++
		ref = fmt.Sprintf("%sasb-%s-%d", PoliceUKRefPrefix, hex.EncodeToString(sum[:10]), seen[sum])
	}
	from := month
	to := month.AddDate(0, 1, 0).Add(-time.Second)
	agency := get(row, "reported by")
	if agency == "" {
		agency = "police.uk"
	}
	if len([]rune(agency)) > 100 {
		agency = string([]rune(agency)[:100])
	}
	if len([]rune(crimeType)) > 100 {
		crimeType = string([]rune(crimeType)[:100])
	}
	g, layer, kind := PoliceUKGrade, LayerContext, "crime"
	e := &Event{Type: TypeEvent, ExtRef: ref, Kind: kind, From: &from, To: &to, Grade: &g, Confirmed: true,
		SourceAgency: agency, CrimeType: &crimeType, Layer: &layer,
		Geometry: []byte(fmt.Sprintf(`{"type":"Point","coordinates":[%s,%s]}`,
			strconv.FormatFloat(lon, 'g', -1, 64), strconv.FormatFloat(lat, 'g', -1, 64)))}
	if errs := e.Check(); len(errs) > 0 {
		return nil, "", errs
	}
	return e, "", nil
}
