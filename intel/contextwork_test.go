package intel_test

import (
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel"
)

func TestNormaliseIdentifier(t *testing.T) {
	for _, c := range []struct{ kind, in, want, bad string }{
		{"phone", "07700 900123", "07700900123", ""},
		{"phone", "+44 (0)7700-900-123", "07700900123", ""},
		{"phone", "+44 7700 900123", "07700900123", ""},
		{"phone", "0044 7700 900123", "07700900123", ""},
		{"phone", "+33 6 12 34 56 78", "+33612345678", ""},
		{"phone", "12345", "", "6 to 15"},
		{"phone", "0770O900123", "", "digits"},
		{"phone", "  ", "", "required"},
		{"social_handle", "@Cool_Kid", "cool_kid", ""},
		{"social_handle", "cool kid", "", "spaces"},
		{"social_handle", "@", "", "required"},
	} {
		got, reason := intel.NormaliseIdentifier(c.kind, c.in)
		switch {
		case c.bad == "" && (got != c.want || reason != ""):
			t.Errorf("%s %q: %q (%s), want %q", c.kind, c.in, got, reason, c.want)
		case c.bad != "" && (reason == "" || !strings.Contains(reason, c.bad)):
			t.Errorf("%s %q: %q (%s), want refused (%s)", c.kind, c.in, got, reason, c.bad)
		}
	}
}

func TestDisruptionInputRules(t *testing.T) {
	id := int64(1)
	d := intel.NewDate(2021, 3, 1)
	other := "Dispersal order"
	for _, c := range []struct {
		name  string
		in    intel.DisruptionInput
		field string // "" valid
	}{
		{"closure order", intel.DisruptionInput{Kind: "closure_order", PlaceID: &id, AppliedOn: &d, LeadAgency: "Council"}, ""},
		{"closure order without place", intel.DisruptionInput{Kind: "closure_order", PersonID: &id, AppliedOn: &d, LeadAgency: "Council"}, "place_id"},
		{"SRO without person", intel.DisruptionInput{Kind: "sexual_risk_order", PlaceID: &id, AppliedOn: &d, LeadAgency: "Police"}, "person_id"},
		{"other with description", intel.DisruptionInput{Kind: "other", Description: &other, PlaceID: &id, AppliedOn: &d, LeadAgency: "Police"}, ""},
		{"other with nothing", intel.DisruptionInput{Kind: "other", Description: &other, AppliedOn: &d, LeadAgency: "Police"}, "place_id"},
		{"no date", intel.DisruptionInput{Kind: "closure_order", PlaceID: &id, LeadAgency: "Council"}, "applied_on"},
	} {
		err := c.in.Validate()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (err == nil || err.(*intel.Error).Fields[0].Field != c.field):
			t.Errorf("%s: %v, want %s refused", c.name, err, c.field)
		}
		if c.field == "" && c.in.Outcome != "pending" {
			t.Errorf("%s: outcome %q, want pending by default", c.name, c.in.Outcome)
		}
	}
}
