package intel

import (
	"strings"
	"time"
	"unicode"
)

// IdentifierKinds are the identifiers a missing-person profile may hold,
// only ever as keyed hashes.
var IdentifierKinds = []string{"phone", "social_handle"}

// Identifier is a phone or social media handle as stored: a description
// entered by the practitioner and a fingerprint of the keyed hash, never
// the value itself.
type Identifier struct {
	ID          int64     `json:"id"`
	PersonID    int64     `json:"person_id"`
	Kind        string    `json:"kind"`
	Platform    *string   `json:"platform,omitempty"`
	Description string    `json:"description"`
	Fingerprint string    `json:"fingerprint"` // the first 8 hex digits of the keyed hash
	RecordedOn  Date      `json:"recorded_on"`
	RecordedBy  string    `json:"recorded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// IdentifierInput records an identifier. Value is write-only: it is
// normalised, hashed under the reference key and dropped.
type IdentifierInput struct {
	Kind        string  `json:"kind"`
	Platform    *string `json:"platform"`
	Value       string  `json:"value"`
	Description string  `json:"description"`
}

// IdentifierQuery looks an identifier up by value (POST body, so the value
// is never in a URL or a log).
type IdentifierQuery struct {
	Kind     string  `json:"kind"`
	Platform *string `json:"platform"`
	Value    string  `json:"value"`
}

func validateIdentifier(v *Validation, kind string, platform *string, value string) string {
	oneOf(v, "kind", kind, IdentifierKinds)
	switch {
	case kind == "social_handle" && platform == nil:
		v.Add("platform", "is required for a social media handle")
	case kind == "social_handle":
		oneOf(v, "platform", *platform, Platforms)
	case platform != nil:
		v.Add("platform", "applies to social media handles only")
	}
	norm, reason := NormaliseIdentifier(kind, value)
	if reason != "" {
		v.Add("value", reason)
	}
	return norm
}

// Validate checks an identifier.
func (in *IdentifierInput) Validate() error {
	var v Validation
	validateIdentifier(&v, in.Kind, in.Platform, in.Value)
	text(&v, "description", in.Description, true, 100)
	return v.Err()
}

// Validate checks a look-up.
func (in *IdentifierQuery) Validate() error {
	var v Validation
	validateIdentifier(&v, in.Kind, in.Platform, in.Value)
	return v.Err()
}

// NormaliseIdentifier puts an identifier in the one form that is hashed,
// so the same phone written two ways matches: a phone keeps its digits
// (with +44 or 0044, and "+44 (0)", written as a leading 0); a handle is lower-cased
// without a leading @ or spaces. It returns why the value is not one, or
// "".
func NormaliseIdentifier(kind, value string) (string, string) {
	s := strings.TrimSpace(value)
	if s == "" {
		return "", "is required"
	}
	if len(s) > 200 {
		return "", "is longer than 200 characters"
	}
	switch kind {
	case "phone":
		var b strings.Builder
		for i, r := range s {
			switch {
			case r >= '0' && r <= '9':
				b.WriteRune(r)
			case r == '+' && i == 0:
				b.WriteRune(r)
			case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
			default:
				return "", "a phone number holds digits, spaces, dashes, brackets and a leading +"
			}
		}
		d := b.String()
		// +44 and 0044 become the trunk 0, "+44 (0)7700" included.
		switch {
		case strings.HasPrefix(d, "+44"):
			d = "0" + strings.TrimPrefix(d[3:], "0")
		case strings.HasPrefix(d, "0044"):
			d = "0" + strings.TrimPrefix(d[4:], "0")
		}
		if n := len(strings.TrimPrefix(d, "+")); n < 6 || n > 15 {
			return "", "a phone number has 6 to 15 digits"
		}
		return d, ""
	case "social_handle":
		h := strings.ToLower(strings.TrimPrefix(s, "@"))
		for _, r := range h {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				return "", "a handle holds no spaces or control characters"
			}
		}
		if h == "" {
			return "", "is required"
		}
		return h, ""
	}
	return "", ""
}

// MissingProfileInput is what a missing-person profile holds beyond the
// graph.
type MissingProfileInput struct {
	Transport *string `json:"transport"`
}

// Validate checks a profile.
func (in *MissingProfileInput) Validate() error {
	var v Validation
	optText(&v, "transport", in.Transport, 1000)
	return v.Err()
}

// ProfilePlace is a place in a missing-person profile, with why it is
// there.
type ProfilePlace struct {
	Place    Place    `json:"place"`
	Why      []string `json:"why"` // link kinds, "event", "congregates (group)", "last_seen", "found_at"
	Events   int      `json:"events"`
	LastSeen *Date    `json:"last_seen"`
	// X and Y are the (possibly generalised) metric position, for the
	// printable map; not part of the JSON answer.
	X float64 `json:"-"`
	Y float64 `json:"-"`
}

// ProfileAssociate is a person tied to the child.
type ProfileAssociate struct {
	PersonID  int64   `json:"person_id"`
	Pseudonym string  `json:"pseudonym"`
	Kind      string  `json:"kind"`
	AgeBand   *string `json:"age_band,omitempty"`
	District  *string `json:"district"`
	Nature    *string `json:"nature,omitempty"`
	Strength  *int16  `json:"strength,omitempty"`
	Grade     *Grade  `json:"grade,omitempty"`
	Confirmed *bool   `json:"confirmed,omitempty"`
	Linked    bool    `json:"linked"`    // an associates_with link
	SeenWith  int     `json:"seen_with"` // events together in the period
	LastSeen  *Date   `json:"last_seen"`
}

// MissingContext is a peer group or online space the child belongs to.
type MissingContext struct {
	ID       int64   `json:"id"`
	Type     string  `json:"type"`
	Name     string  `json:"name"`
	Platform *string `json:"platform,omitempty"`
	Kind     *string `json:"kind,omitempty"`
	District *string `json:"district"`
	Link     string  `json:"link"`
	Grade    Grade   `json:"grade"`
	LastSeen Date    `json:"last_seen"`
}

// ProfileEpisode is a recent missing episode.
type ProfileEpisode struct {
	EventID    int64      `json:"event_id"`
	From       time.Time  `json:"from"`
	LastSeenAt *int64     `json:"last_seen_place_id"`
	FoundAt    *time.Time `json:"found_at"`
	FoundPlace *int64     `json:"found_place_id"`
	RHIAt      *time.Time `json:"rhi_at"`
	// RHIWithin72h: a return home interview within 72 hours of being found.
	RHIWithin72h *bool `json:"rhi_within_72h"`
}

// MissingProfile is the Philomena-protocol profile of a child, assembled
// from the graph for police when the child goes missing.
type MissingProfile struct {
	Person       Person             `json:"person"`
	GeneratedAt  time.Time          `json:"generated_at"`
	PeriodFrom   Date               `json:"period_from"`
	Transport    *string            `json:"transport"`
	TransportHub []int64            `json:"transport_place_ids"` // stations, taxi ranks among the places
	Associates   []ProfileAssociate `json:"associates"`
	// AssociatesWithheld counts associates outside the caller's view
	// (other districts, adults of concern for roles that do not see them).
	AssociatesWithheld int              `json:"associates_withheld"`
	Places             []ProfilePlace   `json:"places"`
	Contexts           []MissingContext `json:"groups_and_spaces"`
	Identifiers        []Identifier     `json:"phones_and_handles"`
	Episodes           []ProfileEpisode `json:"missing_episodes"`
	Notes              []string         `json:"notes"`
}
