package intel

import (
	"encoding/json"
	"time"
)

// SafetyRatings are a safety map's marks: red (unsafe), amber, green (safe).
var SafetyRatings = []string{"red", "amber", "green"}

// SafetyMark is one mark of a young person's safety map: a point or an
// area, recorded by a practitioner. The young person is referred to by id
// (pseudonymous); Note says something about the place, never about people.
type SafetyMark struct {
	ID         int64           `json:"id"`
	PersonID   int64           `json:"person_id"`
	Rating     string          `json:"rating"`
	Geometry   json.RawMessage `json:"geometry"`
	District   *string         `json:"district"` // where the mark is
	RecordedOn Date            `json:"recorded_on"`
	Note       *string         `json:"note,omitempty"`
	RecordedBy string          `json:"recorded_by"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// SafetyMarkInput creates or replaces a mark.
type SafetyMarkInput struct {
	PersonID   int64           `json:"person_id"`
	Rating     string          `json:"rating"`
	Geometry   json.RawMessage `json:"geometry"`
	RecordedOn *Date           `json:"recorded_on"`
	Note       *string         `json:"note"`
}

// MaxMarkAreaKm2 bounds an area mark: a safety map marks places and
// neighbourhoods, not whole towns.
const MaxMarkAreaKm2 = 10

// Validate checks a mark; the geometry's shape is checked by the caller.
func (in *SafetyMarkInput) Validate() error {
	var v Validation
	if in.PersonID <= 0 {
		v.Add("person_id", "is required: the young person whose map this is")
	}
	oneOf(&v, "rating", in.Rating, SafetyRatings)
	if len(in.Geometry) == 0 || string(in.Geometry) == "null" {
		v.Add("geometry", "is required: a Point or a Polygon")
	}
	if in.RecordedOn == nil {
		v.Add("recorded_on", "is required")
	}
	optText(&v, "note", in.Note, 280)
	return v.Err()
}
