package httpapi

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// Context work (docs/CONTEXTWORK.md): context cases, conferences, the
// disruption log, safety mapping and missing-person profiles.
//
// Who may do what:
//   - context cases and their actions: read by analyst, police, district
//     (cases are context-level; the children a case affects are a
//     person-level, audited read, district teams seeing their own
//     districts' children); written by analyst, police and district teams
//     for contexts in their districts;
//   - conferences and the generated agenda: read by analyst, police,
//     district and partner (partners see peer group and online space
//     names withheld, sensitive places generalised and small counts of
//     young people suppressed); written by analyst, police and district
//     teams for their own districts' conferences;
//   - disruption log: written by police and analysts; read by them and
//     district teams (who are not shown the adult of concern); partners
//     see counts (suppressed) and before/after figures only;
//   - safety marks: person-level; written by analyst, police and district
//     (own districts), read with a stated purpose and audited; the
//     felt-safety layer is an aggregate anyone may read, suppressed for
//     every role without the whole area in person-level scope;
//   - missing-person profiles: person-level (police, analyst, district in
//     scope), audited.

func (s *Server) contextworkRoutes(api fiber.Router) {
	api.Get("/context-cases", s.listContextCases)
	api.Post("/context-cases", s.createContextCase)
	api.Get("/context-cases/:id", s.getContextCase)
	api.Put("/context-cases/:id", s.updateContextCase)
	api.Delete("/context-cases/:id", s.deleteContextCase)
	api.Get("/context-cases/:id/children", s.caseChildren)
	api.Get("/context-cases/:id/actions", s.listCaseActions)
	api.Post("/context-cases/:id/actions", s.createCaseAction)
	api.Put("/context-cases/:id/actions/:action", s.updateCaseAction)
	api.Delete("/context-cases/:id/actions/:action", s.deleteCaseAction)
	api.Get("/people/:id/context-cases", s.personContextCases)

	api.Get("/conferences", s.listConferences)
	api.Post("/conferences", s.createConference)
	api.Get("/conferences/agenda", s.agenda)
	api.Get("/conferences/:id", s.getConference)
	api.Put("/conferences/:id", s.updateConference)
	api.Delete("/conferences/:id", s.deleteConference)

	api.Get("/disruptions", s.listDisruptions)
	api.Post("/disruptions", s.createDisruption)
	api.Get("/disruptions/counts", s.disruptionCounts)
	api.Get("/disruptions/:id", s.getDisruption)
	api.Put("/disruptions/:id", s.updateDisruption)
	api.Delete("/disruptions/:id", s.deleteDisruption)
	api.Get("/disruptions/:id/impact", s.disruptionImpact)

	api.Get("/safety-marks", s.listSafetyMarks)
	api.Post("/safety-marks", s.createSafetyMark)
	api.Get("/safety-marks/:id", s.getSafetyMark)
	api.Put("/safety-marks/:id", s.updateSafetyMark)
	api.Delete("/safety-marks/:id", s.deleteSafetyMark)

	api.Get("/people/:id/missing-profile", s.missingProfile)
	api.Put("/people/:id/missing-profile", s.putMissingProfile)
	api.Post("/people/:id/identifiers", s.createIdentifier)
	api.Delete("/people/:id/identifiers/:identifier", s.deleteIdentifier)
	api.Post("/identifiers/match", s.matchIdentifier)

	api.Get("/maps/context-cases", s.mapContextCases)
	api.Get("/maps/disruptions", s.mapDisruptions)
	api.Get("/maps/felt-safety", s.mapFeltSafety)
}

// needRole gates a route to the given roles.
func needRole(c *fiber.Ctx, roles ...intel.Role) (intel.Principal, error) {
	p := principal(c)
	if !slices.Contains(roles, p.Role) {
		return p, forbidden
	}
	return p, nil
}

// Role sets of context work (context cases are read by the person-level
// roles: needPersonLevel).
var (
	conferenceReaders = []intel.Role{intel.RoleAnalyst, intel.RolePolice, intel.RoleDistrict, intel.RolePartner}
	disruptionWriters = []intel.Role{intel.RoleAnalyst, intel.RolePolice}
)

// fullView reports whether the caller may see exact counts of young people
// of the given districts: person-level roles whose scope holds every one
// of them. Everyone else gets disclosure control.
func fullView(pr intel.Principal, districts ...*string) bool {
	if !pr.PersonLevel() {
		return false
	}
	if pr.Scope() == nil {
		return true
	}
	if len(districts) == 0 {
		return false
	}
	for _, d := range districts {
		if !pr.InScope(d) {
			return false
		}
	}
	return true
}

// disclose applies the disclosure rule to a count of young people unless
// the caller has the full view.
func (s *Server) disclose(n int, full bool) intel.ChildCount {
	if !full && s.Config.Disclosure.Suppressed(n) {
		return intel.ChildCount{Suppressed: true}
	}
	return intel.ChildCount{Count: &n}
}

// threshold is the disclosure threshold in force.
func (s *Server) threshold() int {
	if s.Config.Disclosure.Threshold > 0 {
		return s.Config.Disclosure.Threshold
	}
	return geo.DefaultThreshold
}

// paramID reads a positive id path parameter; anything else is not found.
func paramID(c *fiber.Ctx, name, what string) (int64, error) {
	n, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, intel.NotFound(what)
	}
	return n, nil
}

// intParam reads an integer parameter within [lo, hi], def when absent.
func intParam(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, intel.Invalid(name, "must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
	}
	return n, nil
}

// floatParam reads a number parameter within [lo, hi], def when absent.
func cwFloatParam(c *fiber.Ctx, name string, def, lo, hi float64) (float64, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= lo && f <= hi) {
		return 0, intel.Invalid(name, "must be a number from "+strconv.FormatFloat(lo, 'f', -1, 64)+" to "+strconv.FormatFloat(hi, 'f', -1, 64))
	}
	return f, nil
}

// districtParam reads an optional district code that must exist.
func (s *Server) districtParam(c *fiber.Ctx) (string, error) {
	d := query(c, "district")
	if d == "" {
		return "", nil
	}
	ok, err := s.DB.DistrictExists(c.UserContext(), d)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", intel.Invalid("district", "is not a known district code")
	}
	return d, nil
}

// kindsParam reads a comma-separated list of event kinds, def when absent.
func kindsParam(c *fiber.Ctx, def []string) ([]string, error) {
	v := query(c, "kinds")
	if v == "" {
		return def, nil
	}
	var out []string
	for _, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(intel.EventKinds, k) {
			return nil, intel.Invalid("kinds", "each must be one of "+strings.Join(intel.EventKinds, ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// ActivityKinds are the event kinds counted as activity at a place by
// default: what young people and those who harm them do there. Return home
// interviews (a meeting, usually at home) and crimes (a separate layer of
// police.uk-style context data) are left out unless asked for.
var ActivityKinds = []string{"missing_episode", "sighting", "incident", "intelligence_report"}

// london is the partnership's clock (zone data is embedded by geo).
var london = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
})

// today is the current date in Europe/London.
func today() intel.Date {
	y, m, d := time.Now().In(london()).Date()
	return intel.NewDate(y, m, d)
}

// dateOr reads a date parameter, def when absent.
func dateOr(c *fiber.Ctx, name string, def intel.Date) (intel.Date, error) {
	d, err := optDate(c, name)
	if err != nil || d == nil {
		return def, err
	}
	return *d, nil
}
