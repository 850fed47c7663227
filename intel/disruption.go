package intel

import (
	"slices"
	"time"
)

// Disruption kinds: Child Abduction Warning Notice, Sexual Risk Order,
// closure order (premises), hotel guest information request, licensing
// review (taxis, takeaways, pubs), other.
var (
	DisruptionKinds    = []string{"cawn", "sexual_risk_order", "closure_order", "hotel_information_request", "licensing_review", "other"}
	DisruptionOutcomes = []string{"pending", "granted", "refused", "served", "complied", "breached", "withdrawn", "expired"}
	// PersonDisruptions have an adult of concern as their subject;
	// PlaceDisruptions a place.
	PersonDisruptions = []string{"cawn", "sexual_risk_order"}
	PlaceDisruptions  = []string{"closure_order", "hotel_information_request", "licensing_review"}
)

// Disruption is an action against a place or an adult of concern.
type Disruption struct {
	ID          int64   `json:"id"`
	Kind        string  `json:"kind"`
	Description *string `json:"description,omitempty"`
	Place       *Place  `json:"place"`
	// PersonID is the adult of concern, shown only to roles that see
	// adults of concern (Withheld says one is recorded but not shown).
	PersonID      *int64    `json:"person_id"`
	PersonHidden  bool      `json:"person_withheld,omitempty"`
	AppliedOn     Date      `json:"applied_on"`
	ExpiresOn     *Date     `json:"expires_on"`
	Outcome       string    `json:"outcome"`
	OutcomeNotes  *string   `json:"outcome_notes"`
	LeadAgency    string    `json:"lead_agency"`
	ContextCaseID *int64    `json:"context_case_id"`
	RecordedBy    string    `json:"recorded_by"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// DisruptionInput creates or replaces a disruption action.
type DisruptionInput struct {
	Kind          string  `json:"kind"`
	Description   *string `json:"description"`
	PlaceID       *int64  `json:"place_id"`
	PersonID      *int64  `json:"person_id"`
	AppliedOn     *Date   `json:"applied_on"`
	ExpiresOn     *Date   `json:"expires_on"`
	Outcome       string  `json:"outcome"`
	OutcomeNotes  *string `json:"outcome_notes"`
	LeadAgency    string  `json:"lead_agency"`
	ContextCaseID *int64  `json:"context_case_id"`
}

// Validate checks a disruption for everything but the rows it refers to.
func (in *DisruptionInput) Validate() error {
	var v Validation
	oneOf(&v, "kind", in.Kind, DisruptionKinds)
	optText(&v, "description", in.Description, 200)
	if in.Kind == "other" && in.Description == nil {
		v.Add("description", "is required for kind other: say what the action was")
	}
	if slices.Contains(PersonDisruptions, in.Kind) && in.PersonID == nil {
		v.Add("person_id", "is required: a "+in.Kind+" is served on an adult of concern")
	}
	if slices.Contains(PlaceDisruptions, in.Kind) && in.PlaceID == nil {
		v.Add("place_id", "is required: a "+in.Kind+" is about a place")
	}
	if in.Kind == "other" && in.PlaceID == nil && in.PersonID == nil {
		v.Add("place_id", "give a place_id, a person_id or both")
	}
	if in.AppliedOn == nil {
		v.Add("applied_on", "is required")
	}
	if in.ExpiresOn != nil && in.AppliedOn != nil && in.ExpiresOn.Before(in.AppliedOn.Time) {
		v.Add("expires_on", "must not be before applied_on")
	}
	if in.Outcome == "" {
		in.Outcome = "pending"
	}
	oneOf(&v, "outcome", in.Outcome, DisruptionOutcomes)
	optText(&v, "outcome_notes", in.OutcomeNotes, 2000)
	text(&v, "lead_agency", in.LeadAgency, true, 100)
	return v.Err()
}

// ImpactSpan is the activity around a place over one span of dates.
type ImpactSpan struct {
	From Date `json:"from"` // first day
	To   Date `json:"to"`   // last day
	Days int  `json:"days"`
	// ObservedDays is the part of the span up to today (less than Days
	// while the span is still running).
	ObservedDays int  `json:"observed_days"`
	Events       *int `json:"events"` // null when suppressed
	// PerMonth is Events per 30.4375 days (an average month) observed.
	PerMonth    *float64   `json:"per_month"`
	YoungPeople ChildCount `json:"young_people"`
}

// Impact compares activity around a disrupted place before and after the
// action.
type Impact struct {
	DisruptionID int64      `json:"disruption_id"`
	Kind         string     `json:"kind"`
	Place        Place      `json:"place"`
	ActionOn     Date       `json:"action_on"`
	RadiusM      int        `json:"radius_m"`
	Months       int        `json:"months"`
	EventKinds   []string   `json:"event_kinds"`
	Before       ImpactSpan `json:"before"`
	After        ImpactSpan `json:"after"`
	// ChangePct is (after per month − before per month) ÷ before per month
	// × 100, one decimal; null when there was nothing before.
	ChangePct *float64 `json:"change_pct"`
	Complete  bool     `json:"complete"` // the after span has ended
	Method    string   `json:"method"`
}
