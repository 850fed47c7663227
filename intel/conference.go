package intel

import "time"

// Attendee is an agency at a conference (and, optionally, the attendee's
// role there, e.g. "DS, exploitation team"; never a child).
type Attendee struct {
	Agency string  `json:"agency"`
	Role   *string `json:"role,omitempty"`
}

// Decision is one decision of a conference, possibly about one context.
type Decision struct {
	ContextID *int64 `json:"context_id,omitempty"`
	Decision  string `json:"decision"`
}

// DiscussedContext is a context discussed at a conference.
type DiscussedContext struct {
	Context ContextRef `json:"context"`
	CaseID  *int64     `json:"case_id"` // the context's case not closed on the day, if any
	Notes   *string    `json:"notes"`
}

// DiscussedInput is a context discussed, as written.
type DiscussedInput struct {
	ContextID int64   `json:"context_id"`
	Notes     *string `json:"notes"`
}

// Conference is a context conference's record. It refers to contexts,
// never to people.
type Conference struct {
	ID         int64              `json:"id"`
	HeldOn     Date               `json:"held_on"`
	District   *string            `json:"district"` // nil: partnership-wide
	Chair      string             `json:"chair"`
	Attendees  []Attendee         `json:"attendees"`
	Contexts   []DiscussedContext `json:"contexts"`
	Decisions  []Decision         `json:"decisions"`
	Minutes    *string            `json:"minutes"`
	Actions    []Action           `json:"actions"`
	RecordedBy string             `json:"recorded_by"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

// ConferenceInput creates or replaces a conference, with its actions.
type ConferenceInput struct {
	HeldOn    *Date            `json:"held_on"`
	District  *string          `json:"district"`
	Chair     string           `json:"chair"`
	Attendees []Attendee       `json:"attendees"`
	Contexts  []DiscussedInput `json:"contexts"`
	Decisions []Decision       `json:"decisions"`
	Minutes   *string          `json:"minutes"`
	Actions   []ActionInput    `json:"actions"`
}

// Validate checks a conference for everything but the rows it refers to.
func (in *ConferenceInput) Validate() error {
	var v Validation
	if in.HeldOn == nil {
		v.Add("held_on", "is required")
	}
	optText(&v, "district", in.District, 32)
	text(&v, "chair", in.Chair, true, 200)
	if len(in.Attendees) > 100 {
		v.Add("attendees", "at most 100 attendees")
	}
	for i, a := range in.Attendees {
		text(&v, "attendees/"+itoa(i)+"/agency", a.Agency, true, 100)
		optText(&v, "attendees/"+itoa(i)+"/role", a.Role, 100)
	}
	if len(in.Contexts) > 200 {
		v.Add("contexts", "at most 200 contexts")
	}
	seen := map[int64]bool{}
	for i, c := range in.Contexts {
		f := "contexts/" + itoa(i)
		if c.ContextID <= 0 {
			v.Add(f+"/context_id", "is required")
		} else if seen[c.ContextID] {
			v.Add(f+"/context_id", "is listed twice")
		}
		seen[c.ContextID] = true
		optText(&v, f+"/notes", c.Notes, 4000)
	}
	if len(in.Decisions) > 200 {
		v.Add("decisions", "at most 200 decisions")
	}
	for i, d := range in.Decisions {
		text(&v, "decisions/"+itoa(i)+"/decision", d.Decision, true, 2000)
		if d.ContextID != nil && *d.ContextID <= 0 {
			v.Add("decisions/"+itoa(i)+"/context_id", "must be a positive id")
		}
	}
	optText(&v, "minutes", in.Minutes, 20000)
	if len(in.Actions) > 200 {
		v.Add("actions", "at most 200 actions")
	}
	for i := range in.Actions {
		if err := in.Actions[i].Validate(); err != nil {
			for _, fe := range err.(*Error).Fields {
				v.Add("actions/"+itoa(i)+"/"+fe.Field, fe.Reason)
			}
		}
	}
	return v.Err()
}

// ContextText is every free text of a conference, for the check that it
// names no person.
func (in *ConferenceInput) ContextText() []FieldText {
	out := []FieldText{{"chair", in.Chair}}
	if in.Minutes != nil {
		out = append(out, FieldText{"minutes", *in.Minutes})
	}
	for i, a := range in.Attendees {
		if a.Role != nil {
			out = append(out, FieldText{"attendees/" + itoa(i) + "/role", *a.Role})
		}
	}
	for i, c := range in.Contexts {
		if c.Notes != nil {
			out = append(out, FieldText{"contexts/" + itoa(i) + "/notes", *c.Notes})
		}
	}
	for i, d := range in.Decisions {
		out = append(out, FieldText{"decisions/" + itoa(i) + "/decision", d.Decision})
	}
	for i := range in.Actions {
		out = append(out, in.Actions[i].ContextText("actions/"+itoa(i)+"/")...)
	}
	return out
}

// UnmarshalJSON refuses unknown fields.
func (a *Attendee) UnmarshalJSON(b []byte) error {
	type plain Attendee
	return strictJSON(b, (*plain)(a))
}

// UnmarshalJSON refuses unknown fields.
func (d *Decision) UnmarshalJSON(b []byte) error {
	type plain Decision
	return strictJSON(b, (*plain)(d))
}

// UnmarshalJSON refuses unknown fields.
func (d *DiscussedInput) UnmarshalJSON(b []byte) error {
	type plain DiscussedInput
	return strictJSON(b, (*plain)(d))
}

// AgendaRules are the parameters of a generated agenda.
type AgendaRules struct {
	// Rising activity: a place is rising when it had at least MinEvents
	// events in the Weeks×7 days ending on the agenda date, and at least
	// Ratio times as many as in the Weeks×7 days before those.
	Weeks     int     `json:"weeks"`
	MinEvents int     `json:"min_events"`
	Ratio     float64 `json:"ratio"`
	// Cross-district groupings look back NetworkWeeks×7 days.
	NetworkWeeks int `json:"network_weeks"`
	// EventKinds counted as activity.
	EventKinds []string `json:"event_kinds"`
}

// RisingContext is a place whose activity is rising.
type RisingContext struct {
	Context     ContextRef `json:"context"`
	Recent      *int       `json:"recent_events"`   // null when suppressed
	Previous    *int       `json:"previous_events"` // null when suppressed
	Ratio       *float64   `json:"ratio"`           // recent / previous; null when previous is 0 or suppressed
	YoungPeople ChildCount `json:"young_people"`    // distinct young people in the recent events
	CaseID      *int64     `json:"case_id"`         // the place's case not closed, if any
	CaseStatus  *string    `json:"case_status,omitempty"`
}

// CrossDistrictContext is a context shared by young people of two or more
// districts in the period: a stand-in for networks spanning districts.
type CrossDistrictContext struct {
	Context     ContextRef `json:"context"`
	Districts   []string   `json:"districts"` // the young people's districts
	YoungPeople ChildCount `json:"young_people"`
	CaseID      *int64     `json:"case_id"`
}

// Agenda is a conference agenda generated from the graph. It names
// contexts, never people.
type Agenda struct {
	AsOf            Date                   `json:"as_of"`
	District        *string                `json:"district"`
	Rules           AgendaRules            `json:"rules"`
	Rising          []RisingContext        `json:"rising"`
	CrossDistrict   []CrossDistrictContext `json:"cross_district"`
	CrossDistrictBy string                 `json:"cross_district_method"`
	OverdueActions  []Action               `json:"overdue_actions"`
	OpenCases       []CaseSummary          `json:"open_cases"`
}

// CaseSummary is a context case in a list or on an agenda.
type CaseSummary struct {
	ID             int64      `json:"id"`
	Context        ContextRef `json:"context"`
	Title          string     `json:"title"`
	Status         string     `json:"status"`
	LeadAgency     string     `json:"lead_agency"`
	OpenedOn       Date       `json:"opened_on"`
	OpenActions    int        `json:"open_actions"`
	OverdueActions int        `json:"overdue_actions"`
}

// ConferenceSummary is a conference in a list.
type ConferenceSummary struct {
	ID          int64   `json:"id"`
	HeldOn      Date    `json:"held_on"`
	District    *string `json:"district"`
	Chair       string  `json:"chair"`
	Contexts    int     `json:"contexts"`
	Decisions   int     `json:"decisions"`
	OpenActions int     `json:"open_actions"`
}
