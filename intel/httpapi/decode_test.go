package httpapi

import (
	"errors"
	"testing"

	"github.com/contextmap/contextmap/intel"
)

// TestDecodeStrictReasons: the reason given for a field of the wrong type
// names the JSON type a client must send (worked out from the field's Go
// type by hand: a grade and a date are written as strings).
func TestDecodeStrictReasons(t *testing.T) {
	tests := []struct {
		body, field, reason string
	}{
		{`{"grade":5}`, "grade", "has the wrong type: want a string, got number"},
		{`{"from":5}`, "from", "is not a time: want RFC 3339, e.g. 2020-12-31T22:00:00Z"},
		{`{"from":"yesterday"}`, "from", "is not a time: want RFC 3339, e.g. 2020-12-31T22:00:00Z"},
		{`{"review_date":5}`, "review_date", `is not a date: want "YYYY-MM-DD"`},
		{`{"people":["a"]}`, "people", "has the wrong type: want an integer, got string"},
		{`{"confirmed":"yes"}`, "confirmed", "has the wrong type: want true or false, got string"},
		{`{"":1}`, "body", "has a member with an empty name"},
		{`{"Kind":"sighting"}`, "Kind", "is not a known field"},
	}
	for _, tc := range tests {
		var in intel.EventInput
		err := decodeStrict([]byte(tc.body), &in)
		var e *intel.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 {
			t.Errorf("%s: %v, want one field error", tc.body, err)
			continue
		}
		if f := e.Fields[0]; f.Field != tc.field || f.Reason != tc.reason {
			t.Errorf("%s: %s %q, want %s %q", tc.body, f.Field, f.Reason, tc.field, tc.reason)
		}
	}
}
