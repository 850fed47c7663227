package httpapi

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/contextmap/contextmap/intel"
)

// checkGeometry parses a GeoJSON geometry and checks what can be checked
// without the database: the type, longitude/latitude ranges (an SRID-less
// point with swapped axes would otherwise pass unnoticed), empty and
// unclosed rings. PostGIS checks topology (self-intersection) on write.
func checkGeometry(field string, raw json.RawMessage, types ...string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return intel.Invalid(field, "must be a GeoJSON geometry object")
	}
	if !slices.Contains(types, head.Type) {
		return intel.Invalid(field, fmt.Sprintf("type %q is not allowed here: want %v", head.Type, types))
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return intel.Invalid(field, "is not a valid GeoJSON "+head.Type+": "+err.Error())
	}
	if reason := geomReason(g.Geometry()); reason != "" {
		return intel.Invalid(field, reason)
	}
	return nil
}

func geomReason(g orb.Geometry) string {
	switch g := g.(type) {
	case orb.Point:
		return pointReason(g)
	case orb.Polygon:
		if len(g) == 0 {
			return "polygon has no rings"
		}
		for i, r := range g {
			if len(r) == 0 {
				return fmt.Sprintf("ring %d is empty", i)
			}
			if len(r) < 4 {
				return fmt.Sprintf("ring %d has %d positions: a ring needs at least 4", i, len(r))
			}
			if !r.Closed() {
				return fmt.Sprintf("ring %d is not closed: its first and last positions differ", i)
			}
			for _, p := range r {
				if s := pointReason(p); s != "" {
					return s
				}
			}
		}
	case orb.MultiPolygon:
		if len(g) == 0 {
			return "multipolygon has no polygons"
		}
		for _, p := range g {
			if s := geomReason(p); s != "" {
				return s
			}
		}
	default:
		return "unsupported geometry"
	}
	return ""
}

func pointReason(p orb.Point) string {
	lon, lat := p[0], p[1]
	switch {
	case math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0):
		return "coordinates must be finite numbers"
	case lon < -180 || lon > 180:
		return fmt.Sprintf("longitude %g is out of range -180..180 (GeoJSON is [longitude, latitude])", lon)
	case lat < -90 || lat > 90:
		return fmt.Sprintf("latitude %g is out of range -90..90 (GeoJSON is [longitude, latitude])", lat)
	}
	return ""
}
