package intel

import "time"

// ReportArea is what a report needs of the area: its districts and the
// label of the whole-area column.
type ReportArea struct {
	// Name is the settings row area_name, when set.
	Name      *string
	Districts []ReportDistrict // by name
}

// ReportDistrict is a district as reports print it.
type ReportDistrict struct {
	Code      string
	Name      string
	ShortName *string // districts.short_name, when set
}

// PictureCount is the number of children counted on a date with one
// combination of district, category, status and assessment state: the
// store's raw material for the Current Picture.
type PictureCount struct {
	AsOf     Date
	District *string // nil: no district recorded
	Category string
	Status   *string // nil: no status in force on the date
	UpToDate bool
	Children int
}

// MissingEpisode is a missing episode as reports count it.
type MissingEpisode struct {
	ID           int64
	District     *string   // the episode's district (where the child was last seen)
	ReportedAt   time.Time // when the child went missing (the event's start)
	ReportedOn   Date      // its calendar day in the report time zone
	FoundAt      *time.Time
	FoundOn      *Date // the calendar day of FoundAt in the report time zone
	RHIAt        *time.Time
	FoundPlaceID *int64
	Children     []int64 // the young people in the episode
}

// LinkReviewCount is the number of links due for review on a date: in the
// whole area (District nil, Area true) or touching one district.
type LinkReviewCount struct {
	AsOf     Date
	Area     bool
	District *string
	Links    int
}

// NodeRef names a node of the graph as the caller may see it: a person by
// pseudonym, a sensitive place by its kind when the caller may not see it
// exactly.
type NodeRef struct {
	Type        string `json:"type"`
	ID          int64  `json:"id"`
	Label       string `json:"label"`
	Kind        string `json:"kind,omitempty"` // place kind or person kind
	Generalised bool   `json:"generalised,omitempty"`
}

// PlaceActivity is why a place stands out: what happened there and what
// links point at it, with recency and grading.
type PlaceActivity struct {
	Place          NodeRef        `json:"place"`
	Events         int            `json:"events"`
	EventsByKind   map[string]int `json:"events_by_kind"`
	YoungPeople    int            `json:"young_people"`
	LastActivity   *time.Time     `json:"last_activity,omitempty"`
	Links          int            `json:"links"`
	ConfirmedLinks int            `json:"confirmed_links"`
	// Grades counts the events and links by source evaluation and
	// intelligence assessment ("1A", "2B" ...).
	Grades map[string]int `json:"grades"`
}

// MaceNetwork is a connected group of young people and the places, peer groups
// and online spaces they are linked to.
type MaceNetwork struct {
	Key             int64     `json:"-"` // the smallest node id: stable, never shown
	YoungPeople     int       `json:"young_people"`
	Places          int       `json:"places"`
	Groups          int       `json:"groups"`
	Spaces          int       `json:"spaces"`
	Links           int       `json:"links"`
	Districts       []string  `json:"districts"`
	Contexts        []NodeRef `json:"contexts"`
	AdultsOfConcern *int      `json:"adults_of_concern,omitempty"` // for roles that see adults
}

// OverdueChild is a counted child whose risk assessment is overdue.
type OverdueChild struct {
	PersonID     int64   `json:"person_id"`
	Pseudonym    string  `json:"pseudonym"`
	District     *string `json:"district"`
	Category     string  `json:"category"`
	Status       *string `json:"status"`
	LastAssessed *Date   `json:"last_assessed"` // nil: never assessed
	NextReview   *Date   `json:"next_review,omitempty"`
}

// OutstandingRHI is a missing episode whose child was found and has had no
// return home interview yet.
type OutstandingRHI struct {
	EventID    int64     `json:"event_id"`
	District   *string   `json:"district"`
	ReportedAt time.Time `json:"reported_missing_at"`
	FoundAt    time.Time `json:"found_at"`
	FoundPlace *NodeRef  `json:"found_place,omitempty"`
	Children   []NodeRef `json:"children"`
}

// LinkDue is a link whose review date has come.
type LinkDue struct {
	LinkID     int64   `json:"link_id"`
	Kind       string  `json:"kind"`
	Source     NodeRef `json:"source"`
	Target     NodeRef `json:"target"`
	Grade      Grade   `json:"grade"`
	Confirmed  bool    `json:"confirmed"`
	LastSeen   Date    `json:"last_seen"`
	ReviewDate Date    `json:"review_date"`
}
