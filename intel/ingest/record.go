// Package ingest reads partner data for bulk import: NDJSON (one record a
// line), CSV (one file per record type), GeoJSON FeatureCollections of places
// and police.uk street-level crime CSV. It parses and validates each record
// (with the domain validators the API uses, so both agree), maps legacy
// 5x5x5 grades to 3x5x2, and hands valid records on with their line numbers;
// intel/postgres stages and upserts them. It also writes the same records
// (export, the synthetic generator). docs/IMPORT.md is its user guide.
package ingest

import (
	"encoding/json"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// Record types: the "type" field of an NDJSON record, the ?type= of a CSV.
const (
	TypePerson     = "person"
	TypePlace      = "place"
	TypeGroup      = "group"
	TypeSpace      = "space"
	TypeLink       = "link"
	TypeEvent      = "event"
	TypeAssessment = "assessment"
	TypeStatus     = "status"
)

// Types lists the record types in the order they are written: every record
// refers only to types before it.
var Types = []string{TypePlace, TypeGroup, TypeSpace, TypePerson, TypeStatus, TypeAssessment, TypeLink, TypeEvent}

// PseudonymPrefix marks a person reference that names a pseudonym rather
// than a case reference: "pseudonym:YP-0001".
const PseudonymPrefix = "pseudonym:"

// Person is a young person or adult of concern. Its key is the case
// reference (case_ref, kept only as a keyed hash; or case_ref_hash, that hash
// in hex as export writes it) when given, else the pseudonym. Statuses and
// Categories, when present, replace the person's whole history; absent, the
// history is left as it is.
type Person struct {
	Type        string                  `json:"type"`
	CaseRef     *string                 `json:"case_ref,omitempty"`
	CaseRefHash *string                 `json:"case_ref_hash,omitempty"`
	Pseudonym   string                  `json:"pseudonym"`
	Kind        string                  `json:"kind"`
	AgeBand     *string                 `json:"age_band,omitempty"`
	District    *string                 `json:"district,omitempty"`
	Statuses    *[]intel.StatusPeriod   `json:"statuses,omitempty"`
	Categories  *[]intel.CategoryPeriod `json:"categories,omitempty"`
}

// Place is a point or an area, keyed by ext_ref.
type Place struct {
	Type      string          `json:"type"`
	ExtRef    string          `json:"ext_ref"`
	Name      string          `json:"name"`
	Kind      string          `json:"kind"`
	Sensitive bool            `json:"sensitive,omitempty"`
	URN       *string         `json:"urn,omitempty"`
	Geometry  json.RawMessage `json:"geometry"`
	District  *string         `json:"district,omitempty"`
}

// Group is a peer group, keyed by ext_ref.
type Group struct {
	Type        string  `json:"type"`
	ExtRef      string  `json:"ext_ref"`
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	District    *string `json:"district,omitempty"`
}

// Space is an online space, keyed by ext_ref.
type Space struct {
	Type     string  `json:"type"`
	ExtRef   string  `json:"ext_ref"`
	Name     string  `json:"name"`
	Platform string  `json:"platform"`
	Kind     string  `json:"kind"`
	District *string `json:"district,omitempty"`
}

// Link joins two nodes, each named by its type and reference (a person by
// case reference or "pseudonym:..."; anything else by ext_ref). Grade is
// 3x5x2; a legacy 5x5x5 grade alone is mapped (see LegacyGrade) and kept.
type Link struct {
	Type         string      `json:"type"`
	ExtRef       string      `json:"ext_ref"`
	Kind         string      `json:"kind"`
	SourceType   string      `json:"source_type"`
	SourceRef    string      `json:"source_ref"`
	TargetType   string      `json:"target_type"`
	TargetRef    string      `json:"target_ref"`
	Grade        *string     `json:"grade,omitempty"`
	LegacyGrade  *string     `json:"legacy_grade,omitempty"`
	Confirmed    bool        `json:"confirmed,omitempty"`
	SourceAgency string      `json:"source_agency"`
	FirstSeen    *intel.Date `json:"first_seen,omitempty"`
	LastSeen     *intel.Date `json:"last_seen,omitempty"`
	ReviewDate   *intel.Date `json:"review_date,omitempty"`
	Nature       *string     `json:"nature,omitempty"`
	Strength     *int16      `json:"strength,omitempty"`
	RecordedBy   *string     `json:"recorded_by,omitempty"`
}

// Event is something that happened over a window at a place or point.
// Layer "context" marks context data (police.uk crime) kept apart from
// safeguarding events.
type Event struct {
	Type         string          `json:"type"`
	ExtRef       string          `json:"ext_ref"`
	Kind         string          `json:"kind"`
	From         *time.Time      `json:"from,omitempty"`
	To           *time.Time      `json:"to,omitempty"`
	Place        *string         `json:"place,omitempty"`
	Geometry     json.RawMessage `json:"geometry,omitempty"`
	Category     *string         `json:"category,omitempty"`
	Severity     *int16          `json:"severity,omitempty"`
	Grade        *string         `json:"grade,omitempty"`
	LegacyGrade  *string         `json:"legacy_grade,omitempty"`
	Confirmed    bool            `json:"confirmed,omitempty"`
	SourceAgency string          `json:"source_agency"`
	ReviewDate   *intel.Date     `json:"review_date,omitempty"`
	People       []string        `json:"people,omitempty"`
	Groups       []string        `json:"groups,omitempty"`
	FoundPlace   *string         `json:"found_place,omitempty"`
	FoundAt      *time.Time      `json:"found_at,omitempty"`
	RHIAt        *time.Time      `json:"rhi_at,omitempty"`
	CrimeType    *string         `json:"crime_type,omitempty"`
	Layer        *string         `json:"layer,omitempty"`

	// Point is the geometry read by Check (longitude, latitude).
	Point *[2]float64 `json:"-"`
}

// Assessment is a completed risk assessment of a young person. Its key is
// ext_ref when given, else the person, kind and completion date.
type Assessment struct {
	Type        string      `json:"type"`
	ExtRef      *string     `json:"ext_ref,omitempty"`
	Person      string      `json:"person"`
	Kind        string      `json:"kind,omitempty"`
	CompletedOn *intel.Date `json:"completed_on,omitempty"`
	RiskLevel   *string     `json:"risk_level,omitempty"`
	NextReview  *intel.Date `json:"next_review,omitempty"`
	Agency      string      `json:"agency"`
}

// StatusChange is a change of a young person's case status or exploitation
// category from a date: the period in force then is closed on that date and
// a new one opened. Category "none" only closes.
type StatusChange struct {
	Type     string      `json:"type"`
	Person   string      `json:"person"`
	Status   *string     `json:"status,omitempty"`
	Category *string     `json:"category,omitempty"`
	From     *intel.Date `json:"from,omitempty"`
}

// Layers of events.
const (
	LayerSafeguarding = "safeguarding"
	LayerContext      = "context"
)

// Layers lists the valid layers.
var Layers = []string{LayerSafeguarding, LayerContext}
