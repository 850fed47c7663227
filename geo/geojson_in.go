package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ReadGeometry reads a GeoJSON geometry from outside (RFC 7946) that must
// be one of types (of "Point", "Polygon", "MultiPolygon") and checks what
// can be checked without a database: the type; that coordinates are there
// and nested as the type needs; that every position is two or three
// numbers (longitude, latitude, optional altitude) with longitude and
// latitude in range (an SRID-less point with swapped axes would otherwise
// pass unnoticed); that rings have four positions or more and are closed.
// Topology (self-intersection) is for PostGIS to check.
//
// It returns the geometry rewritten with "type" and "coordinates" only and
// positions cut to longitude and latitude (the altitude RFC 7946 allows is
// not stored), so that what is stored is exactly what was checked. The
// error says what is wrong in words fit for a client.
func ReadGeometry(raw []byte, types ...string) (json.RawMessage, error) {
	var head struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, errors.New("must be a GeoJSON geometry object")
	}
	if !slices.Contains(types, head.Type) {
		return nil, fmt.Errorf("type %q is not allowed here: want %s", head.Type, strings.Join(types, ", "))
	}
	coords := bytes.TrimSpace(head.Coordinates)
	if len(coords) == 0 || string(coords) == "null" {
		return nil, errors.New("has no coordinates")
	}
	// *float64 so that a null where a number belongs is seen (into a
	// float64, encoding/json would leave it 0 without a word).
	var out any
	switch head.Type {
	case "Point":
		var p []*float64
		if err := json.Unmarshal(coords, &p); err != nil {
			return nil, errors.New("a Point's coordinates must be [longitude, latitude]")
		}
		pos, err := position(p)
		if err != nil {
			return nil, err
		}
		out = pos
	case "Polygon":
		var rings [][][]*float64
		if err := json.Unmarshal(coords, &rings); err != nil {
			return nil, errors.New("a Polygon's coordinates must be an array of rings of [longitude, latitude] positions")
		}
		poly, err := polygon(rings)
		if err != nil {
			return nil, err
		}
		out = poly
	case "MultiPolygon":
		var polys [][][][]*float64
		if err := json.Unmarshal(coords, &polys); err != nil {
			return nil, errors.New("a MultiPolygon's coordinates must be an array of polygons, each an array of rings")
		}
		if len(polys) == 0 {
			return nil, errors.New("multipolygon has no polygons")
		}
		mp := make([][][][2]float64, len(polys))
		for i, rings := range polys {
			poly, err := polygon(rings)
			if err != nil {
				return nil, fmt.Errorf("polygon %d: %w", i, err)
			}
			mp[i] = poly
		}
		out = mp
	default:
		return nil, fmt.Errorf("type %q is not supported", head.Type)
	}
	b, err := json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{head.Type, out})
	if err != nil {
		return nil, fmt.Errorf("encode geometry: %w", err)
	}
	return b, nil
}

func polygon(rings [][][]*float64) ([][][2]float64, error) {
	if len(rings) == 0 {
		return nil, errors.New("polygon has no rings")
	}
	out := make([][][2]float64, len(rings))
	for i, r := range rings {
		if len(r) == 0 {
			return nil, fmt.Errorf("ring %d is empty", i)
		}
		if len(r) < 4 {
			return nil, fmt.Errorf("ring %d has %d positions: a ring needs at least 4", i, len(r))
		}
		out[i] = make([][2]float64, len(r))
		for j, p := range r {
			pos, err := position(p)
			if err != nil {
				return nil, err
			}
			out[i][j] = pos
		}
		if out[i][0] != out[i][len(r)-1] {
			return nil, fmt.Errorf("ring %d is not closed: its first and last positions differ", i)
		}
	}
	return out, nil
}

func position(p []*float64) ([2]float64, error) {
	if len(p) < 2 || len(p) > 3 {
		return [2]float64{}, fmt.Errorf("a position has %d numbers: want [longitude, latitude] (or with altitude)", len(p))
	}
	for _, v := range p {
		if v == nil {
			return [2]float64{}, errors.New("a position holds a null: want numbers")
		}
	}
	// JSON has no NaN or infinity, and encoding/json refuses numbers
	// beyond float64: what is here is finite.
	lon, lat := *p[0], *p[1]
	switch {
	case lon < -180 || lon > 180:
		return [2]float64{}, fmt.Errorf("longitude %g is out of range -180..180 (GeoJSON is [longitude, latitude])", lon)
	case lat < -90 || lat > 90:
		return [2]float64{}, fmt.Errorf("latitude %g is out of range -90..90 (GeoJSON is [longitude, latitude])", lat)
	}
	return [2]float64{lon, lat}, nil
}
