package intel

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
)

// Context case statuses, in the order a case moves through them.
var CaseStatuses = []string{"referred", "assessing", "planning", "reviewing", "closed"}

// OutcomeRatings say how a context changed.
var OutcomeRatings = []string{"improved", "unchanged", "worse"}

// ContextRef names a context (place, peer group or online space) as a
// caller may see it: a sensitive place is generalised for a caller without
// person-level access to it, and a peer group's or online space's name is
// withheld from aggregate-only callers (it can describe young people's
// circles).
type ContextRef struct {
	ID          int64           `json:"id"`
	Type        string          `json:"type"` // place, group, space
	Name        *string         `json:"name"` // null when withheld
	Kind        *string         `json:"kind,omitempty"`
	District    *string         `json:"district"`
	Generalised bool            `json:"generalised,omitempty"`
	Geometry    json.RawMessage `json:"geometry,omitempty"` // places only: a point (the representative point)
}

// ContextAssessment is a context's assessment. Neighbourhoods (places,
// schools) and online spaces are assessed on young people's strengths and
// needs, guardianship (caring adults present), the physical (or platform)
// environment and services; peer groups on relationships, influence,
// leaders and followers, and the places they use.
type ContextAssessment struct {
	AssessedOn *Date   `json:"assessed_on,omitempty"`
	Summary    *string `json:"summary,omitempty"`
	// Neighbourhood, school, online space.
	StrengthsNeeds *string `json:"strengths_needs,omitempty"`
	Guardianship   *string `json:"guardianship,omitempty"`
	Environment    *string `json:"environment,omitempty"`
	Services       *string `json:"services,omitempty"`
	// Peer group.
	Relationships    *string `json:"relationships,omitempty"`
	Influence        *string `json:"influence,omitempty"`
	LeadersFollowers *string `json:"leaders_followers,omitempty"`
	PlacesUsed       *string `json:"places_used,omitempty"`
}

// Weight is one line of a case's context weighting: which context must
// change first (rank 1), with the reason.
type Weight struct {
	Context ContextRef `json:"context"`
	Rank    int        `json:"rank"`
	Reason  string     `json:"reason"`
}

// WeightInput is a line of the weighting as written.
type WeightInput struct {
	ContextID int64  `json:"context_id"`
	Rank      int    `json:"rank"`
	Reason    string `json:"reason"`
}

// CaseOutcome is an outcome recorded at a review.
type CaseOutcome struct {
	RecordedOn  Date   `json:"recorded_on"`
	Rating      string `json:"rating"`
	Description string `json:"description"`
}

// ChildCount is a count of distinct young people, hidden (Count null,
// Suppressed true) when disclosure control says so.
type ChildCount struct {
	Count      *int `json:"count"`
	Suppressed bool `json:"suppressed"`
}

// ContextCase is a case opened on a context.
type ContextCase struct {
	ID         int64             `json:"id"`
	Context    ContextRef        `json:"context"`
	Title      string            `json:"title"`
	Status     string            `json:"status"`
	LeadAgency string            `json:"lead_agency"`
	OpenedOn   Date              `json:"opened_on"`
	ClosedOn   *Date             `json:"closed_on"`
	Assessment ContextAssessment `json:"assessment"`
	Weighting  []Weight          `json:"weighting"`
	Plan       *string           `json:"plan"`
	Actions    []Action          `json:"actions"`
	Outcomes   []CaseOutcome     `json:"outcomes"`
	// Children is how many young people the context affects (see
	// docs/CONTEXTWORK.md for the rule); the list is a person-level read.
	Children   ChildCount `json:"children"`
	RecordedBy string     `json:"recorded_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// ContextCaseInput creates or replaces a context case (its actions have
// their own routes).
type ContextCaseInput struct {
	ContextID  int64             `json:"context_id"`
	Title      string            `json:"title"`
	Status     string            `json:"status"`
	LeadAgency string            `json:"lead_agency"`
	OpenedOn   *Date             `json:"opened_on"`
	ClosedOn   *Date             `json:"closed_on"`
	Assessment ContextAssessment `json:"assessment"`
	Weighting  []WeightInput     `json:"weighting"`
	Plan       *string           `json:"plan"`
	Outcomes   []CaseOutcome     `json:"outcomes"`
}

// Action is a step of a context case's plan, or one agreed at a
// conference (then possibly about one context).
type Action struct {
	ID           int64       `json:"id"`
	CaseID       *int64      `json:"case_id,omitempty"`
	ConferenceID *int64      `json:"conference_id,omitempty"`
	Context      *ContextRef `json:"context,omitempty"` // the case's context, or the one a conference action is about
	Description  string      `json:"description"`
	Owner        string      `json:"owner"`
	DueOn        Date        `json:"due_on"`
	DoneOn       *Date       `json:"done_on"`
	Done         bool        `json:"done"`
	Overdue      bool        `json:"overdue"` // not done and due before today
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// ActionInput creates or replaces an action.
type ActionInput struct {
	// ID keeps a conference action when its conference is replaced; case
	// actions take their id from the path.
	ID          *int64 `json:"id"`
	ContextID   *int64 `json:"context_id"` // conference actions only
	Description string `json:"description"`
	Owner       string `json:"owner"`
	DueOn       *Date  `json:"due_on"`
	DoneOn      *Date  `json:"done_on"`
}

// AffectedChild is a young person a context affects, and how the graph
// ties them to it.
type AffectedChild struct {
	PersonID  int64    `json:"person_id"`
	Pseudonym string   `json:"pseudonym"`
	AgeBand   *string  `json:"age_band,omitempty"`
	District  *string  `json:"district"`
	Ties      []string `json:"ties"`   // link kinds, and "event" for events at the context
	Events    int      `json:"events"` // events at the context in the period
	LastSeen  *Date    `json:"last_seen"`
}

// validate checks an assessment against the context type it belongs to.
func (a *ContextAssessment) validate(v *Validation, contextType string) {
	for _, f := range []struct {
		name string
		val  *string
	}{{"summary", a.Summary}, {"strengths_needs", a.StrengthsNeeds}, {"guardianship", a.Guardianship},
		{"environment", a.Environment}, {"services", a.Services}, {"relationships", a.Relationships},
		{"influence", a.Influence}, {"leaders_followers", a.LeadersFollowers}, {"places_used", a.PlacesUsed}} {
		optText(v, "assessment/"+f.name, f.val, 4000)
	}
	group := a.Relationships != nil || a.Influence != nil || a.LeadersFollowers != nil || a.PlacesUsed != nil
	place := a.StrengthsNeeds != nil || a.Guardianship != nil || a.Environment != nil || a.Services != nil
	switch {
	case contextType == NodeGroup && place:
		v.Add("assessment", "a peer group is assessed on relationships, influence, leaders_followers and places_used")
	case contextType != NodeGroup && contextType != "" && group:
		v.Add("assessment", "a place or online space is assessed on strengths_needs, guardianship, environment and services")
	}
}

// Validate checks a context case for everything but the rows it refers to
// and the context's type (ValidateFor, once the type is known).
func (in *ContextCaseInput) Validate() error { return in.ValidateFor("") }

// ValidateFor checks a context case whose context has the given type ("" if
// not yet known).
func (in *ContextCaseInput) ValidateFor(contextType string) error {
	var v Validation
	if in.ContextID <= 0 {
		v.Add("context_id", "is required: the place, peer group or online space the case is about")
	}
	text(&v, "title", in.Title, true, 200)
	oneOf(&v, "status", in.Status, CaseStatuses)
	text(&v, "lead_agency", in.LeadAgency, true, 100)
	if in.OpenedOn == nil {
		v.Add("opened_on", "is required")
	}
	switch {
	case in.Status == "closed" && in.ClosedOn == nil:
		v.Add("closed_on", "is required when the status is closed")
	case in.Status != "closed" && in.ClosedOn != nil:
		v.Add("closed_on", "is only set when the status is closed")
	case in.ClosedOn != nil && in.OpenedOn != nil && in.ClosedOn.Before(in.OpenedOn.Time):
		v.Add("closed_on", "must not be before opened_on")
	}
	in.Assessment.validate(&v, contextType)
	optText(&v, "plan", in.Plan, 4000)
	if len(in.Weighting) > 100 {
		v.Add("weighting", "at most 100 contexts")
	}
	ranks, ids := map[int]bool{}, map[int64]bool{}
	for i, w := range in.Weighting {
		f := "weighting/" + itoa(i)
		if w.ContextID <= 0 {
			v.Add(f+"/context_id", "is required")
		} else if ids[w.ContextID] {
			v.Add(f+"/context_id", "appears twice in the weighting")
		}
		if w.Rank < 1 || w.Rank > 100 {
			v.Add(f+"/rank", "must be 1 (change first) to 100")
		} else if ranks[w.Rank] {
			v.Add(f+"/rank", "is given to two contexts: ranks are distinct")
		}
		ranks[w.Rank], ids[w.ContextID] = true, true
		text(&v, f+"/reason", w.Reason, true, 2000)
	}
	if len(in.Outcomes) > 200 {
		v.Add("outcomes", "at most 200 outcomes")
	}
	for i, o := range in.Outcomes {
		f := "outcomes/" + itoa(i)
		if o.RecordedOn.IsZero() {
			v.Add(f+"/recorded_on", "is required")
		}
		oneOf(&v, f+"/rating", o.Rating, OutcomeRatings)
		text(&v, f+"/description", o.Description, true, 2000)
	}
	return v.Err()
}

// Validate checks an action.
func (in *ActionInput) Validate() error {
	var v Validation
	text(&v, "description", in.Description, true, 2000)
	text(&v, "owner", in.Owner, true, 200)
	if in.DueOn == nil {
		v.Add("due_on", "is required")
	}
	if in.ContextID != nil && *in.ContextID <= 0 {
		v.Add("context_id", "must be a positive id")
	}
	return v.Err()
}

// FieldText is a free-text field and its value.
type FieldText struct{ Field, Text string }

// ContextText is every free text of a case, for the check that it names
// no person.
func (in *ContextCaseInput) ContextText() []FieldText {
	out := []FieldText{{"title", in.Title}}
	add := func(field string, s *string) {
		if s != nil {
			out = append(out, FieldText{field, *s})
		}
	}
	a := in.Assessment
	add("plan", in.Plan)
	add("assessment/summary", a.Summary)
	add("assessment/strengths_needs", a.StrengthsNeeds)
	add("assessment/guardianship", a.Guardianship)
	add("assessment/environment", a.Environment)
	add("assessment/services", a.Services)
	add("assessment/relationships", a.Relationships)
	add("assessment/influence", a.Influence)
	add("assessment/leaders_followers", a.LeadersFollowers)
	add("assessment/places_used", a.PlacesUsed)
	for i, w := range in.Weighting {
		out = append(out, FieldText{"weighting/" + itoa(i) + "/reason", w.Reason})
	}
	for i, o := range in.Outcomes {
		out = append(out, FieldText{"outcomes/" + itoa(i) + "/description", o.Description})
	}
	return out
}

// ContextText is the action's free text.
func (in *ActionInput) ContextText(prefix string) []FieldText {
	return []FieldText{{prefix + "description", in.Description}, {prefix + "owner", in.Owner}}
}

// strictJSON decodes b into v refusing unknown fields, so a misspelt field
// inside a nested object is reported rather than dropped.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("has data after the JSON value")
	}
	return nil
}

// UnmarshalJSON refuses unknown fields.
func (a *ContextAssessment) UnmarshalJSON(b []byte) error {
	type plain ContextAssessment
	return strictJSON(b, (*plain)(a))
}

// UnmarshalJSON refuses unknown fields.
func (w *WeightInput) UnmarshalJSON(b []byte) error {
	type plain WeightInput
	return strictJSON(b, (*plain)(w))
}

// UnmarshalJSON refuses unknown fields.
func (o *CaseOutcome) UnmarshalJSON(b []byte) error {
	type plain CaseOutcome
	return strictJSON(b, (*plain)(o))
}

// UnmarshalJSON refuses unknown fields.
func (a *ActionInput) UnmarshalJSON(b []byte) error {
	type plain ActionInput
	return strictJSON(b, (*plain)(a))
}
