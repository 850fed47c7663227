package intel

import (
	"strconv"
	"time"
)

// Feature collections are what GIS clients (QGIS, ArcGIS, GDAL) read: rows
// of one kind, each a geometry with flat properties, filtered by area and
// time and paged by a key. The store streams them; the HTTP layer frames
// them as GeoJSON, CSV or GeoPackage.

// Field types of feature properties, as JSON Schema names them (date-time
// and date are formats of string).
const (
	FieldString   = "string"
	FieldInteger  = "integer"
	FieldNumber   = "number"
	FieldBoolean  = "boolean"
	FieldDateTime = "date-time"
	FieldDate     = "date"
)

// Field describes one property of a collection's features.
type Field struct {
	Name        string
	Type        string // one of the Field* constants
	Description string
	// Enum lists the values a string field can take, if closed.
	Enum []string
	// Filter: the property can be used as a query parameter (equality).
	Filter bool
}

// Feature is one row of a feature collection. A store reuses it (and its
// slices) for the next row: copy what you keep.
type Feature struct {
	// ID is the numeric id; Key is the string id of features without one
	// (districts by code). Exactly one is set.
	ID  int64
	Key string
	// Geometry is a GeoJSON geometry in WGS84 longitude/latitude, or nil.
	Geometry []byte
	// Values holds the properties in the order of the collection's
	// Fields: nil, string, int64, float64, bool or time.Time (a date field
	// holds a time.Time at midnight UTC).
	Values []any
}

// Cursor is the key a page ends on, resumed from by the next page.
func (f *Feature) Cursor() string {
	if f.Key != "" {
		return f.Key
	}
	return strconv.FormatInt(f.ID, 10)
}

// FeatureQuery selects features.
type FeatureQuery struct {
	// After is the cursor of the last feature already read ("" from the
	// start); features come in key order.
	After string
	// Limit is the most features to read; 0 reads them all.
	Limit int
	// BBoxes are WGS84 boxes (minLon, minLat, maxLon, maxLat) a feature
	// must intersect one of; two when a box crosses the antimeridian.
	BBoxes [][4]float64
	// From and To bound a time interval (either may be open) the
	// feature's time must overlap; collections without time ignore them.
	From, To *time.Time
	// Props are equality filters on fields marked Filter, validated by
	// the caller.
	Props map[string]string
}

// FeatureIter reads features one at a time. Next fills f and reports
// whether there was one; Err is the error that stopped it; Close frees
// the connection and must always be called.
type FeatureIter interface {
	Next(f *Feature) bool
	Err() error
	Close()
}

// Extent is the spatial (WGS84) and temporal extent of a collection.
type Extent struct {
	BBox *[4]float64 // nil when the collection is empty
	// From and To bound the features' times; nil when open or timeless.
	From, To *time.Time
}
