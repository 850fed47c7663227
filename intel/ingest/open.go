package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/contextmap/contextmap/intel"
)

// Formats lists the formats Open reads.
var Formats = []string{FormatNDJSON, FormatCSV, FormatGeoJSON, FormatPoliceUK}

// Open reads r in format (one of Formats; "" to tell from the content). typ
// names the record type of a CSV file; police.uk files need none.
func Open(r io.Reader, format, typ string) (Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if format == "" {
		format = Sniff(br)
	}
	switch format {
	case FormatNDJSON:
		return NDJSON(br), nil
	case FormatCSV:
		return CSV(br, typ)
	case FormatPoliceUK:
		return CSV(br, FormatPoliceUK)
	case FormatGeoJSON:
		return GeoJSON(br)
	}
	return nil, intel.Invalid("format", "must be one of "+strings.Join(Formats, ", "))
}

// Sniff tells the format from the first bytes: a GeoJSON FeatureCollection,
// NDJSON (a first line that is a whole JSON object, or an empty file), or
// else CSV.
func Sniff(br *bufio.Reader) string {
	head, _ := br.Peek(64 << 10)
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(t) == 0 {
		return FormatNDJSON
	}
	if t[0] != '{' {
		return FormatCSV
	}
	first, _, _ := bytes.Cut(t, []byte("\n"))
	var obj struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(first, &obj) == nil {
		if obj.Type == "FeatureCollection" {
			return FormatGeoJSON
		}
		return FormatNDJSON
	}
	return FormatGeoJSON
}

// FromName guesses format and CSV record type from a file name:
// people.csv, places.geojson, events.ndjson, 2020-11-cumbria-street.csv.
func FromName(name string) (format, typ string) {
	base := strings.ToLower(filepath.Base(name))
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	switch ext {
	case ".ndjson", ".jsonl":
		return FormatNDJSON, ""
	case ".geojson":
		return FormatGeoJSON, ""
	case ".csv":
		if strings.HasSuffix(stem, "-street") {
			return FormatPoliceUK, ""
		}
		for _, t := range Types {
			if stem == t || stem == t+"s" || stem == t+"es" || strings.HasSuffix(stem, "_"+t+"s") || strings.HasSuffix(stem, "-"+t+"s") {
				return FormatCSV, t
			}
		}
		switch stem {
		case "people":
			return FormatCSV, TypePerson
		case "statuses", "status_changes":
			return FormatCSV, TypeStatus
		}
		return FormatCSV, ""
	}
	return "", ""
}
