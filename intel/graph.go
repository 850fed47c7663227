package intel

import (
	"encoding/json"
	"time"
)

// Node types of the graph.
const (
	NodePerson = "person"
	NodePlace  = "place"
	NodeGroup  = "group"
	NodeSpace  = "space"
)

// Person kinds. Victims and adults of concern are never the same node type
// in outputs and never counted together.
const (
	YoungPerson    = "young_person"
	AdultOfConcern = "adult_of_concern"
)

// PersonKinds, AgeBands, Statuses and Categories list the valid codes.
var (
	PersonKinds = []string{YoungPerson, AdultOfConcern}
	AgeBands    = []string{"under_10", "10-12", "13-15", "16-17", "18-24", "25+"}
	// Statuses in the Current Picture's order.
	Statuses = []string{"early_help", "open_case", "cin_plan", "cp", "cla", "not_open"}
	// Categories in the Current Picture's order.
	Categories = []string{"cse1", "cse2", "cse3", "other"}
	PlaceKinds = []string{"park", "playground", "takeaway", "shop", "shopping_centre", "bus_station",
		"rail_station", "taxi_rank", "hotel", "car_park", "school", "college", "leisure_centre", "street",
		"house", "childrens_home", "other"}
	// SensitiveKinds are always sensitive: their exact place is never shown
	// to roles without person-level access.
	SensitiveKinds = []string{"house", "childrens_home"}
	Platforms      = []string{"snapchat", "whatsapp", "discord", "instagram", "tiktok", "telegram", "facebook",
		"xbox_live", "playstation_network", "roblox", "other"}
	SpaceKinds = []string{"group_chat", "server", "channel", "gaming_lobby", "profile", "other"}
	EventKinds = []string{"missing_episode", "sighting", "incident", "intelligence_report",
		"return_home_interview", "crime"}
	RiskLevels = []string{"low", "medium", "high"}
)

// Period is a span of dates, From inclusive, To exclusive (nil: open).
type Period struct {
	From Date  `json:"from"`
	To   *Date `json:"to,omitempty"`
}

// StatusPeriod is a case status in force over a period.
type StatusPeriod struct {
	Status string `json:"status"`
	Period
}

// CategoryPeriod is an exploitation category in force over a period.
type CategoryPeriod struct {
	Category string `json:"category"`
	Period
}

// Person is a young person or an adult of concern, pseudonymous.
type Person struct {
	ID         int64            `json:"id"`
	Kind       string           `json:"kind"`
	Pseudonym  string           `json:"pseudonym"`
	AgeBand    *string          `json:"age_band,omitempty"`
	District   *string          `json:"district,omitempty"`
	Status     *string          `json:"status,omitempty"`   // in force on the requested date
	Category   *string          `json:"category,omitempty"` // in force on the requested date
	Statuses   []StatusPeriod   `json:"statuses"`
	Categories []CategoryPeriod `json:"categories"`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// PersonInput creates or replaces a person. CaseRef is write-only: it is
// stored as a keyed hash and never returned.
type PersonInput struct {
	Kind       string           `json:"kind"`
	Pseudonym  string           `json:"pseudonym"`
	CaseRef    *string          `json:"case_ref"`
	AgeBand    *string          `json:"age_band"`
	District   *string          `json:"district"`
	Statuses   []StatusPeriod   `json:"statuses"`
	Categories []CategoryPeriod `json:"categories"`
}

// Assessment is a completed risk assessment.
type Assessment struct {
	ID          int64     `json:"id"`
	PersonID    int64     `json:"person_id"`
	Kind        string    `json:"kind"`
	CompletedOn Date      `json:"completed_on"`
	RiskLevel   *string   `json:"risk_level,omitempty"`
	NextReview  *Date     `json:"next_review,omitempty"`
	Agency      string    `json:"agency"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// AssessmentInput creates or replaces an assessment.
type AssessmentInput struct {
	PersonID    int64   `json:"person_id"`
	Kind        string  `json:"kind"`
	CompletedOn *Date   `json:"completed_on"`
	RiskLevel   *string `json:"risk_level"`
	NextReview  *Date   `json:"next_review"`
	Agency      string  `json:"agency"`
}

// Place is a point or an area. Geometry is GeoJSON (RFC 7946, lon/lat).
type Place struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Sensitive   bool            `json:"sensitive"`
	Generalised bool            `json:"generalised,omitempty"` // position coarsened for this caller
	URN         *string         `json:"urn,omitempty"`
	Geometry    json.RawMessage `json:"geometry"`
	District    *string         `json:"district"`
	ExtRef      *string         `json:"ext_ref,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// PlaceInput creates or replaces a place.
type PlaceInput struct {
	Name      string          `json:"name"`
	Kind      string          `json:"kind"`
	Sensitive bool            `json:"sensitive"`
	URN       *string         `json:"urn"`
	Geometry  json.RawMessage `json:"geometry"`
	District  *string         `json:"district"` // optional: assigned by containment when absent
	ExtRef    *string         `json:"ext_ref"`
}

// Group is a peer group.
type Group struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description *string   `json:"description,omitempty"`
	District    *string   `json:"district,omitempty"`
	ExtRef      *string   `json:"ext_ref,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// GroupInput creates or replaces a peer group.
type GroupInput struct {
	Name        string  `json:"name"`
	Description *string `json:"description"`
	District    *string `json:"district"`
	ExtRef      *string `json:"ext_ref"`
}

// Space is an online space: platform and kind, never content.
type Space struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Platform  string    `json:"platform"`
	Kind      string    `json:"kind"`
	District  *string   `json:"district,omitempty"`
	ExtRef    *string   `json:"ext_ref,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SpaceInput creates or replaces an online space.
type SpaceInput struct {
	Name     string  `json:"name"`
	Platform string  `json:"platform"`
	Kind     string  `json:"kind"`
	District *string `json:"district"`
	ExtRef   *string `json:"ext_ref"`
}

// Link is a graded, sourced relation between two nodes.
type Link struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	SourceID     int64     `json:"source_id"`
	SourceType   string    `json:"source_type"`
	TargetID     int64     `json:"target_id"`
	TargetType   string    `json:"target_type"`
	Grade        Grade     `json:"grade"`
	LegacyGrade  *string   `json:"legacy_grade,omitempty"`
	Confirmed    bool      `json:"confirmed"`
	SourceAgency string    `json:"source_agency"`
	FirstSeen    Date      `json:"first_seen"`
	LastSeen     Date      `json:"last_seen"`
	ReviewDate   Date      `json:"review_date"`
	ReviewDue    bool      `json:"review_due"`
	Nature       *string   `json:"nature,omitempty"`
	Strength     *int16    `json:"strength,omitempty"`
	RecordedBy   string    `json:"recorded_by"`
	ExtRef       *string   `json:"ext_ref,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// LinkInput creates or replaces a link.
type LinkInput struct {
	Kind         string  `json:"kind"`
	SourceID     int64   `json:"source_id"`
	TargetID     int64   `json:"target_id"`
	Grade        *Grade  `json:"grade"`
	Confirmed    bool    `json:"confirmed"`
	SourceAgency string  `json:"source_agency"`
	FirstSeen    *Date   `json:"first_seen"`
	LastSeen     *Date   `json:"last_seen"`
	ReviewDate   *Date   `json:"review_date"`
	Nature       *string `json:"nature"`
	Strength     *int16  `json:"strength"`
	ExtRef       *string `json:"ext_ref"`
}

// Event is something that happened somewhere over a time window.
type Event struct {
	ID           int64           `json:"id"`
	Kind         string          `json:"kind"`
	From         time.Time       `json:"from"`
	To           time.Time       `json:"to"`
	PlaceID      *int64          `json:"place_id,omitempty"`
	Geometry     json.RawMessage `json:"geometry"`
	District     *string         `json:"district"`
	Category     *string         `json:"category,omitempty"`
	Severity     int16           `json:"severity"`
	Grade        Grade           `json:"grade"`
	Confirmed    bool            `json:"confirmed"`
	SourceAgency string          `json:"source_agency"`
	ReviewDate   *Date           `json:"review_date,omitempty"`
	People       []int64         `json:"people"`
	Groups       []int64         `json:"groups"`
	FoundPlaceID *int64          `json:"found_place_id,omitempty"`
	FoundAt      *time.Time      `json:"found_at,omitempty"`
	RHIAt        *time.Time      `json:"rhi_at,omitempty"`
	CrimeType    *string         `json:"crime_type,omitempty"`
	ExtRef       *string         `json:"ext_ref,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// EventInput creates or replaces an event. Give a place, a point, or both
// (the point then says where at the place).
type EventInput struct {
	Kind         string          `json:"kind"`
	From         *time.Time      `json:"from"`
	To           *time.Time      `json:"to"`
	PlaceID      *int64          `json:"place_id"`
	Geometry     json.RawMessage `json:"geometry"`
	Category     *string         `json:"category"`
	Severity     *int16          `json:"severity"`
	Grade        *Grade          `json:"grade"`
	Confirmed    bool            `json:"confirmed"`
	SourceAgency string          `json:"source_agency"`
	ReviewDate   *Date           `json:"review_date"`
	People       []int64         `json:"people"`
	Groups       []int64         `json:"groups"`
	FoundPlaceID *int64          `json:"found_place_id"`
	FoundAt      *time.Time      `json:"found_at"`
	RHIAt        *time.Time      `json:"rhi_at"`
	CrimeType    *string         `json:"crime_type"`
	ExtRef       *string         `json:"ext_ref"`
}

// District is one area of the partnership.
type District struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	Geometry json.RawMessage `json:"geometry,omitempty"`
}

// Page asks for a page of a list: ids after After, at most Limit of them.
type Page struct {
	After int64
	Limit int
}
