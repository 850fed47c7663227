package intel

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var (
	pseudonymRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)
	urnRe       = regexp.MustCompile(`^[0-9]{5,7}$`)
	codeRe      = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
)

func oneOf(v *Validation, field, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		v.Add(field, "must be one of "+strings.Join(allowed, ", "))
	}
}

func text(v *Validation, field, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		v.Add(field, "is required")
	case !utf8.ValidString(value):
		v.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(value) > max:
		v.Add(field, "is longer than the limit of "+itoa(max)+" characters")
	case strings.ContainsRune(value, 0):
		v.Add(field, "must not contain NUL characters")
	}
}

func optText(v *Validation, field string, value *string, max int) {
	if value != nil {
		text(v, field, *value, true, max)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func periods[T any](v *Validation, field string, ps []T, get func(T) (string, Period), allowed []string) {
	for i, p := range ps {
		code, per := get(p)
		f := field + "/" + itoa(i)
		if per.From.IsZero() {
			v.Add(f+"/from", "is required")
		}
		if per.To != nil && !per.To.After(per.From.Time) {
			v.Add(f+"/to", "must be after from")
		}
		if !slices.Contains(allowed, code) {
			v.Add(f, "code must be one of "+strings.Join(allowed, ", "))
		}
		for j := 0; j < i; j++ {
			_, q := get(ps[j])
			if overlaps(per, q) {
				v.Add(f, "overlaps the period at "+field+"/"+itoa(j))
			}
		}
	}
}

func overlaps(a, b Period) bool {
	aEndsAfterBStarts := a.To == nil || a.To.After(b.From.Time)
	bEndsAfterAStarts := b.To == nil || b.To.After(a.From.Time)
	return aEndsAfterBStarts && bEndsAfterAStarts
}

// Validate checks a person for everything but references to other rows.
func (in *PersonInput) Validate() error {
	var v Validation
	oneOf(&v, "kind", in.Kind, PersonKinds)
	if !pseudonymRe.MatchString(in.Pseudonym) {
		v.Add("pseudonym", "must be 1-40 letters, digits, '-' or '_' (never a real name)")
	}
	optText(&v, "case_ref", in.CaseRef, 100)
	optText(&v, "district", in.District, 32)
	if in.AgeBand != nil {
		oneOf(&v, "age_band", *in.AgeBand, AgeBands)
	}
	if in.Kind == AdultOfConcern && (len(in.Statuses) > 0 || len(in.Categories) > 0) {
		v.Add("statuses", "case status and exploitation category apply only to young people")
	}
	periods(&v, "statuses", in.Statuses, func(s StatusPeriod) (string, Period) { return s.Status, s.Period }, Statuses)
	periods(&v, "categories", in.Categories, func(s CategoryPeriod) (string, Period) { return s.Category, s.Period }, Categories)
	return v.Err()
}

// Validate checks an assessment.
func (in *AssessmentInput) Validate() error {
	var v Validation
	if in.PersonID <= 0 {
		v.Add("person_id", "is required")
	}
	if in.Kind == "" {
		in.Kind = "cerar"
	}
	if !codeRe.MatchString(in.Kind) {
		v.Add("kind", "must be 1-40 lower-case letters, digits or '_'")
	}
	if in.CompletedOn == nil {
		v.Add("completed_on", "is required")
	}
	if in.RiskLevel != nil {
		oneOf(&v, "risk_level", *in.RiskLevel, RiskLevels)
	}
	if in.NextReview != nil && in.CompletedOn != nil && in.NextReview.Before(in.CompletedOn.Time) {
		v.Add("next_review", "must not be before completed_on")
	}
	text(&v, "agency", in.Agency, true, 100)
	return v.Err()
}

// Validate checks a place; the geometry is checked by the caller.
func (in *PlaceInput) Validate() error {
	var v Validation
	text(&v, "name", in.Name, true, 200)
	oneOf(&v, "kind", in.Kind, PlaceKinds)
	if slices.Contains(SensitiveKinds, in.Kind) {
		in.Sensitive = true
	}
	if in.URN != nil && !urnRe.MatchString(*in.URN) {
		v.Add("urn", "must be a school URN of 5-7 digits")
	}
	if len(in.Geometry) == 0 || string(in.Geometry) == "null" {
		v.Add("geometry", "is required")
	}
	optText(&v, "district", in.District, 32)
	optText(&v, "ext_ref", in.ExtRef, 200)
	return v.Err()
}

// Validate checks a peer group.
func (in *GroupInput) Validate() error {
	var v Validation
	text(&v, "name", in.Name, true, 200)
	optText(&v, "description", in.Description, 2000)
	optText(&v, "district", in.District, 32)
	optText(&v, "ext_ref", in.ExtRef, 200)
	return v.Err()
}

// Validate checks an online space.
func (in *SpaceInput) Validate() error {
	var v Validation
	text(&v, "name", in.Name, true, 200)
	oneOf(&v, "platform", in.Platform, Platforms)
	oneOf(&v, "kind", in.Kind, SpaceKinds)
	optText(&v, "district", in.District, 32)
	optText(&v, "ext_ref", in.ExtRef, 200)
	return v.Err()
}

// Validate checks a link for everything but the nodes at its ends.
func (in *LinkInput) Validate() error {
	var v Validation
	if _, ok := LinkRules[in.Kind]; !ok {
		v.Add("kind", "must be one of "+strings.Join(LinkKinds, ", "))
	}
	if in.SourceID <= 0 {
		v.Add("source_id", "is required")
	}
	if in.TargetID <= 0 {
		v.Add("target_id", "is required")
	}
	if in.SourceID == in.TargetID && in.SourceID > 0 {
		v.Add("target_id", "a link cannot join a node to itself")
	}
	if in.Grade == nil {
		v.Add("grade", "is required (3x5x2, e.g. 1AP)")
	}
	text(&v, "source_agency", in.SourceAgency, true, 100)
	if in.FirstSeen == nil {
		v.Add("first_seen", "is required")
	}
	if in.LastSeen == nil {
		in.LastSeen = in.FirstSeen
	}
	if in.FirstSeen != nil && in.LastSeen != nil && in.LastSeen.Before(in.FirstSeen.Time) {
		v.Add("last_seen", "must not be before first_seen")
	}
	if in.ReviewDate == nil {
		v.Add("review_date", "is required: every link is reviewed (no indefinite retention)")
	}
	optText(&v, "nature", in.Nature, 200)
	if in.Strength != nil && (*in.Strength < 1 || *in.Strength > 5) {
		v.Add("strength", "must be 1 to 5")
	}
	optText(&v, "ext_ref", in.ExtRef, 200)
	return v.Err()
}

// Validate checks an event for everything but the rows it refers to and its
// geometry.
func (in *EventInput) Validate() error {
	var v Validation
	oneOf(&v, "kind", in.Kind, EventKinds)
	if in.From == nil {
		v.Add("from", "is required")
	}
	if in.To == nil {
		in.To = in.From
	}
	if in.From != nil && in.To != nil && in.To.Before(*in.From) {
		v.Add("to", "must not be before from")
	}
	if in.PlaceID == nil && (len(in.Geometry) == 0 || string(in.Geometry) == "null") {
		v.Add("geometry", "give a place_id or a Point geometry")
	}
	if in.Category != nil {
		oneOf(&v, "category", *in.Category, Categories)
	}
	if in.Severity != nil && (*in.Severity < 1 || *in.Severity > 5) {
		v.Add("severity", "must be 1 to 5")
	}
	if in.Grade == nil {
		v.Add("grade", "is required (3x5x2, e.g. 1AP)")
	}
	text(&v, "source_agency", in.SourceAgency, true, 100)
	if in.Kind != "missing_episode" && (in.FoundPlaceID != nil || in.FoundAt != nil || in.RHIAt != nil) {
		v.Add("found_at", "found_place_id, found_at and rhi_at belong to missing episodes only")
	}
	if in.FoundAt != nil && in.From != nil && in.FoundAt.Before(*in.From) {
		v.Add("found_at", "must not be before from")
	}
	if in.RHIAt != nil && in.FoundAt != nil && in.RHIAt.Before(*in.FoundAt) {
		v.Add("rhi_at", "must not be before found_at")
	}
	if len(in.People) > 1000 {
		v.Add("people", "at most 1000 people per event")
	}
	if len(in.Groups) > 1000 {
		v.Add("groups", "at most 1000 groups per event")
	}
	optText(&v, "crime_type", in.CrimeType, 100)
	optText(&v, "ext_ref", in.ExtRef, 200)
	return v.Err()
}
