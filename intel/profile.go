package intel

import "time"

// PlaceProfile is what a context conference or a disruption plan starts
// from: who and what is linked to a place, when things happen there, how
// good the intelligence is, what is due for review, and the networks the
// place is in. Counts the caller may only see as aggregates pass
// disclosure control (a null count is hidden).
type PlaceProfile struct {
	Place Place `json:"place"`
	// AsOf is the day case status and category are taken on; From and To
	// bound the events (and, when given, the links by their dates seen).
	AsOf Date `json:"as_of"`
	From Date `json:"from"`
	To   Date `json:"to"`
	// Exact is false when counts passed disclosure control.
	Exact           bool            `json:"exact_counts"`
	YoungPeople     ProfileCounts   `json:"young_people"`
	People          []ProfilePerson `json:"people,omitempty"`
	AdultsOfConcern ProfileAdults   `json:"adults_of_concern"`
	Groups          ProfileContexts `json:"groups"`
	Spaces          ProfileContexts `json:"spaces"`
	Events          ProfileEvents   `json:"events"`
	// WeekHours is the aoristic hour-of-day by day-of-week profile of the
	// events (Monday first, Europe/London hours); null when hidden.
	WeekHours *[7][24]float64 `json:"week_hours"`
	Grading   ProfileGrading  `json:"grading"`
	ReviewDue ProfileReview   `json:"review_due"`
	Networks  ProfileNetworks `json:"networks"`
	// Disruptions are the disruption actions at the place, any date.
	Disruptions ProfileDisruptions `json:"disruptions"`
}

// ProfileDisruptions counts the disruption actions at a place by kind; the
// actions themselves are listed for roles with person-level access (the
// disruption map's audience), never the adult an action names.
type ProfileDisruptions struct {
	Total  int                 `json:"total"`
	ByKind map[string]int      `json:"by_kind"`
	Items  []ProfileDisruption `json:"items,omitempty"`
}

// ProfileDisruption is one action at the place.
type ProfileDisruption struct {
	ID            int64  `json:"id"`
	Kind          string `json:"kind"`
	AppliedOn     Date   `json:"applied_on"`
	ExpiresOn     *Date  `json:"expires_on"`
	Outcome       string `json:"outcome"`
	LeadAgency    string `json:"lead_agency"`
	ContextCaseID *int64 `json:"context_case_id"`
}

// ProfileCounts counts distinct young people linked to the place.
type ProfileCounts struct {
	Total      *int            `json:"total"`
	ByCategory map[string]*int `json:"by_category"` // cse1 .. other, and none
	ByStatus   map[string]*int `json:"by_status"`   // early_help .. not_open, and none
	ByLinkKind map[string]*int `json:"by_link_kind"`
	Suppressed bool            `json:"suppressed,omitempty"`
}

// ProfileLink is one link of a listed person to the place.
type ProfileLink struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Grade      Grade  `json:"grade"`
	Confirmed  bool   `json:"confirmed"`
	FirstSeen  Date   `json:"first_seen"`
	LastSeen   Date   `json:"last_seen"`
	ReviewDate Date   `json:"review_date"`
	ReviewDue  bool   `json:"review_due"`
}

// ProfilePerson is a person linked to the place, for callers who may see
// them.
type ProfilePerson struct {
	ID        int64         `json:"id"`
	Kind      string        `json:"kind"`
	Pseudonym string        `json:"pseudonym"`
	District  *string       `json:"district,omitempty"`
	Category  *string       `json:"category,omitempty"`
	Status    *string       `json:"status,omitempty"`
	Links     []ProfileLink `json:"links"`
}

// ProfileAdults counts adults of concern linked to the place and, for
// roles that may see them, lists them.
type ProfileAdults struct {
	Count  *int            `json:"count"`
	People []ProfilePerson `json:"people,omitempty"`
}

// ProfileContext is a peer group or online space tied to the place.
type ProfileContext struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Platform    string `json:"platform,omitempty"`
	Kind        string `json:"kind,omitempty"`
	Congregates bool   `json:"congregates,omitempty"` // a group that congregates at the place
	// PeopleHere is the number of young people linked to the place who
	// are members (group) or present (space).
	PeopleHere int `json:"people_here"`
}

// ProfileContexts counts groups or spaces and, for person-level callers,
// lists them.
type ProfileContexts struct {
	Count int              `json:"count"`
	Items []ProfileContext `json:"items,omitempty"`
}

// ProfileEvents counts events at the place by month and kind.
type ProfileEvents struct {
	Total   int             `json:"total"`
	ByMonth []MonthCount    `json:"by_month"`
	ByKind  map[string]*int `json:"by_kind"`
}

// MonthCount is a month ("2021-03") and a count (null when hidden).
type MonthCount struct {
	Month string `json:"month"`
	Count *int   `json:"count"`
}

// ProfileGrading is the mix of grades of the selected links to the place.
type ProfileGrading struct {
	ByGrade     map[string]int `json:"by_grade"` // "2B": n (source and assessment)
	Confirmed   int            `json:"confirmed"`
	Unconfirmed int            `json:"unconfirmed"`
}

// ProfileReview is the links to the place past their review date.
type ProfileReview struct {
	Count int          `json:"count"`
	Links []ReviewLink `json:"links,omitempty"`
}

// ReviewLink is a link due for review.
type ReviewLink struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	SourceID   int64  `json:"source_id"`
	ReviewDate Date   `json:"review_date"`
}

// ProfileNetworks is the networks the place is in, from the last run.
type ProfileNetworks struct {
	ComputedAt *time.Time `json:"computed_at"`
	Stale      bool       `json:"stale"`
	Items      []Network  `json:"items"`
}
