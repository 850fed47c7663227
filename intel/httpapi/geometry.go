package httpapi

import (
	"encoding/json"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// normGeometry reads a GeoJSON geometry from a request (geo.ReadGeometry):
// nil or "null" is passed through for the caller to require or not; a
// geometry that fails the checks is EINVALID naming field; a good one comes
// back rewritten in two dimensions, which is what should be stored.
func normGeometry(field string, raw json.RawMessage, types ...string) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return raw, nil
	}
	g, err := geo.ReadGeometry(raw, types...)
	if err != nil {
		return nil, intel.Invalid(field, err.Error())
	}
	return g, nil
}
