package demo

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The real, openly licensed layers the demo is built on; licences and
// attribution are in data/README.md.
var (
	//go:embed data/cumbria_districts.geojson
	districtsGeoJSON []byte
	//go:embed data/cumbria_lsoa2011.geojson
	lsoaGeoJSON []byte
	//go:embed data/cumbria_lsoa2011_census_population.csv
	lsoaPopulationCSV []byte
	//go:embed data/cumbria_rail_stations.csv
	stationsCSV []byte
	//go:embed data/cumbria_schools_edubase2017_partial.csv
	schoolsCSV []byte
)

// area is a named (multi)polygon: a district or an LSOA.
type area struct {
	code, name, district string
	polys                []polygon
	box                  bbox
	population           int     // LSOAs: 2011 usual residents
	density              float64 // LSOAs: people per hectare
}

// station is a rail station from the OpenStreetMap-derived list.
type station struct {
	name, crs, district string
	lon, lat            float64
}

// school is a school from EduBase 2017.
type school struct {
	urn, name, phase, town, district string
	lowAge, highAge                  int
	lon, lat                         float64
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// readAreas parses a FeatureCollection of Polygons and MultiPolygons.
func readAreas(b []byte, codeProp, nameProp, districtProp string) ([]area, error) {
	var fc featureCollection
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("parse GeoJSON: %w", err)
	}
	out := make([]area, 0, len(fc.Features))
	for i, f := range fc.Features {
		a := area{}
		a.code, _ = f.Properties[codeProp].(string)
		a.name, _ = f.Properties[nameProp].(string)
		a.district, _ = f.Properties[districtProp].(string)
		if a.code == "" {
			return nil, fmt.Errorf("feature %d: no %s", i, codeProp)
		}
		switch f.Geometry.Type {
		case "Polygon":
			var p polygon
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return nil, fmt.Errorf("feature %s: %w", a.code, err)
			}
			a.polys = []polygon{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &a.polys); err != nil {
				return nil, fmt.Errorf("feature %s: %w", a.code, err)
			}
		default:
			return nil, fmt.Errorf("feature %s: geometry %s is not a polygon", a.code, f.Geometry.Type)
		}
		a.box = boxOf(a.polys)
		out = append(out, a)
	}
	return out, nil
}

// readCSV returns the rows of a CSV file as maps from its header.
func readCSV(b []byte) ([]map[string]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read CSV header: %w", err)
	}
	var rows []map[string]string
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("CSV line %d: %w", line, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			m[h] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, m)
	}
}

func readLSOAs() ([]area, error) {
	lsoas, err := readAreas(lsoaGeoJSON, "lsoa_code", "lsoa_name", "lad_code")
	if err != nil {
		return nil, fmt.Errorf("LSOA boundaries: %w", err)
	}
	rows, err := readCSV(lsoaPopulationCSV)
	if err != nil {
		return nil, fmt.Errorf("LSOA population: %w", err)
	}
	byCode := make(map[string]map[string]string, len(rows))
	for _, r := range rows {
		byCode[r["lsoacode"]] = r
	}
	for i := range lsoas {
		r, ok := byCode[lsoas[i].code]
		if !ok {
			return nil, fmt.Errorf("LSOA %s has no population row", lsoas[i].code)
		}
		if lsoas[i].population, err = strconv.Atoi(r["usualresidents"]); err != nil {
			return nil, fmt.Errorf("LSOA %s population: %w", lsoas[i].code, err)
		}
		if lsoas[i].density, err = strconv.ParseFloat(r["popdensity"], 64); err != nil {
			return nil, fmt.Errorf("LSOA %s density: %w", lsoas[i].code, err)
		}
	}
	return lsoas, nil
}

func readStations() ([]station, error) {
	rows, err := readCSV(stationsCSV)
	if err != nil {
		return nil, fmt.Errorf("rail stations: %w", err)
	}
	out := make([]station, 0, len(rows))
	for i, r := range rows {
		s := station{name: r["stationName"], crs: r["crsCode"], district: r["lad_code"]}
		if s.lat, err = strconv.ParseFloat(r["lat"], 64); err == nil {
			s.lon, err = strconv.ParseFloat(r["long"], 64)
		}
		if err != nil || s.name == "" {
			return nil, fmt.Errorf("rail stations line %d: bad name or coordinates", i+2)
		}
		out = append(out, s)
	}
	return out, nil
}

// readSchools reads the schools, leaving out rows the file flags as lying
// outside the area by more than the 100 m the database tolerates (one row is
// geocoded to Harmondsworth, 330 km away) and rows without usable
// coordinates. skipped names the URNs left out.
func readSchools() (out []school, skipped []string, err error) {
	rows, err := readCSV(schoolsCSV)
	if err != nil {
		return nil, nil, fmt.Errorf("schools: %w", err)
	}
	for _, r := range rows {
		s := school{urn: r["URN"], name: r["name"], phase: r["phase"], town: r["town"], district: r["lad_code"]}
		var e1, e2 error
		s.lon, e1 = strconv.ParseFloat(r["lon"], 64)
		s.lat, e2 = strconv.ParseFloat(r["lat"], 64)
		s.lowAge, _ = strconv.Atoi(r["low_age"])
		s.highAge, _ = strconv.Atoi(r["high_age"])
		outside := false
		if strings.EqualFold(r["inside_clipped_boundary"], "false") {
			d, err := strconv.ParseFloat(r["dist_outside_m"], 64)
			outside = err != nil || d > 100
		}
		if e1 != nil || e2 != nil || outside || s.name == "" || !urnOK(s.urn) {
			skipped = append(skipped, s.urn)
			continue
		}
		out = append(out, s)
	}
	return out, skipped, nil
}

func urnOK(s string) bool {
	if len(s) < 5 || len(s) > 7 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
