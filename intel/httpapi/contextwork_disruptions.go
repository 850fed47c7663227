package httpapi

import (
	"math"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

func disruptionFilter(c *fiber.Ctx) (postgres.DisruptionFilter, error) {
	var f postgres.DisruptionFilter
	var err error
	if f.Kind, err = oneOfParam(c, "kind", intel.DisruptionKinds); err != nil {
		return f, err
	}
	if f.PlaceID, err = optInt64(c, "place_id"); err != nil {
		return f, err
	}
	if f.PersonID, err = optInt64(c, "person_id"); err != nil {
		return f, err
	}
	if f.CaseID, err = optInt64(c, "context_case_id"); err != nil {
		return f, err
	}
	if f.From, err = optDate(c, "from"); err != nil {
		return f, err
	}
	if f.To, err = optDate(c, "to"); err != nil {
		return f, err
	}
	if f.From != nil && f.To != nil && f.To.Before(f.From.Time) {
		return f, intel.Invalid("to", "must not be before from")
	}
	f.BBox, err = parseBBox(c.Query("bbox"))
	return f, err
}

func disruptionPeople(ds ...intel.Disruption) []int64 {
	var ids []int64
	for _, d := range ds {
		if d.PersonID != nil {
			ids = append(ids, *d.PersonID)
		}
	}
	return ids
}

// listDisruptions is a person-level read (actions name adults of concern
// for the roles that see them), audited with their ids. It also serves
// place profiles: ?place_id=.
func (s *Server) listDisruptions(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	f, err := disruptionFilter(c)
	if err != nil {
		return err
	}
	if f.District, err = s.districtParam(c); err != nil {
		return err
	}
	ds, err := s.DB.ListDisruptions(c.UserContext(), pr, f, pg)
	if err != nil {
		return err
	}
	return s.readJSON(c, listBody(c, ds, pg.Limit, func(d intel.Disruption) int64 { return d.ID }), disruptionPeople(ds...))
}

func (s *Server) getDisruption(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "disruption")
	if err != nil {
		return err
	}
	d, err := s.DB.GetDisruption(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return s.readJSON(c, d, disruptionPeople(d))
}

func (s *Server) createDisruption(c *fiber.Ctx) error {
	pr, err := needRole(c, disruptionWriters...)
	if err != nil {
		return err
	}
	in, err := bind[intel.DisruptionInput](c)
	if err != nil {
		return err
	}
	d, err := s.DB.CreateDisruption(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/disruptions/" + itoa64(d.ID))
	return s.wrote(c, "create", fiber.StatusCreated, d, disruptionPeople(d))
}

func (s *Server) updateDisruption(c *fiber.Ctx) error {
	pr, err := needRole(c, disruptionWriters...)
	if err != nil {
		return err
	}
	id, err := parseID(c, "disruption")
	if err != nil {
		return err
	}
	in, err := bind[intel.DisruptionInput](c)
	if err != nil {
		return err
	}
	d, err := s.DB.UpdateDisruption(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, d, disruptionPeople(d))
}

func (s *Server) deleteDisruption(c *fiber.Ctx) error {
	pr, err := needRole(c, disruptionWriters...)
	if err != nil {
		return err
	}
	id, err := parseID(c, "disruption")
	if err != nil {
		return err
	}
	d, err := s.DB.GetDisruption(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	if err := s.DB.DeleteDisruption(c.UserContext(), pr, id); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, disruptionPeople(d))
}

// countEntry is one published number of the counts table.
type countEntry struct {
	Count      *int `json:"count"`
	Suppressed bool `json:"suppressed"`
}

func entryOf(e geo.Entry) countEntry {
	if e.Suppressed {
		return countEntry{Suppressed: true}
	}
	v := e.Value
	return countEntry{Count: &v}
}

// disruptionCounts is the disruption log as counts: kinds by district
// (the place's, else the adult's; "none" when neither has one). For
// partners the table goes through disclosure control with secondary
// suppression (geo.SuppressTable), so no hidden count can be worked back
// from the totals.
func (s *Server) disruptionCounts(c *fiber.Ctx) error {
	pr, err := needRole(c, conferenceReaders...)
	if err != nil {
		return err
	}
	from, err := optDate(c, "from")
	if err != nil {
		return err
	}
	to, err := optDate(c, "to")
	if err != nil {
		return err
	}
	counts, err := s.DB.DisruptionCounts(c.UserContext(), from, to)
	if err != nil {
		return err
	}
	ds, err := s.DB.ListDistricts(c.UserContext(), false)
	if err != nil {
		return err
	}
	var cols []string
	for _, d := range ds {
		cols = append(cols, d.Code)
	}
	for k := range counts {
		if k[1] == "" {
			cols = append(cols, "")
			break
		}
	}
	table := make([][]int, len(intel.DisruptionKinds))
	for i, kind := range intel.DisruptionKinds {
		table[i] = make([]int, len(cols))
		for j, d := range cols {
			table[i][j] = counts[[2]string{kind, d}]
		}
	}
	rule := geo.Rule{Threshold: 1} // nothing hidden
	if pr.AggregatesOnly() {
		rule = s.Config.Disclosure
	}
	dt, err := geo.SuppressTable(table, rule)
	if err != nil {
		return err
	}
	out := fiber.Map{"from": from, "to": to, "kinds": intel.DisruptionKinds, "threshold": rule.Threshold}
	names := make([]string, len(cols))
	for j, d := range cols {
		names[j] = d
		if d == "" {
			names[j] = "none"
		}
	}
	cells := make([][]countEntry, len(dt.Cells))
	for i, row := range dt.Cells {
		cells[i] = make([]countEntry, len(row))
		for j, e := range row {
			cells[i][j] = entryOf(e)
		}
	}
	kt := make([]countEntry, len(dt.RowTotals))
	for i, e := range dt.RowTotals {
		kt[i] = entryOf(e)
	}
	dtot := make([]countEntry, len(dt.ColTotals))
	for j, e := range dt.ColTotals {
		dtot[j] = entryOf(e)
	}
	out["districts"], out["counts"], out["kind_totals"], out["district_totals"], out["total"] = names, cells, kt, dtot, entryOf(dt.Total)
	if pr.AggregatesOnly() {
		out["threshold"] = s.threshold()
	}
	return c.JSON(out)
}

// ImpactMethod describes the before/after comparison.
const ImpactMethod = "events of the given kinds whose position (metric x/y) lies within radius_m of the place's geometry, " +
	"counted by the Europe/London date of their start: before = the months calendar months up to the day before the action, " +
	"after = as many months from the day after it (the action day is in neither); per_month = events × 30.4375 ÷ days observed; " +
	"change_pct = (after per_month − before per_month) ÷ before per_month × 100"

// disruptionImpact compares activity around a disrupted place before and
// after the action.
func (s *Server) disruptionImpact(c *fiber.Ctx) error {
	pr, err := needRole(c, conferenceReaders...)
	if err != nil {
		return err
	}
	id, err := parseID(c, "disruption")
	if err != nil {
		return err
	}
	radius, err := intParam(c, "radius", 500, 10, 5000)
	if err != nil {
		return err
	}
	months, err := intParam(c, "months", 3, 1, 24)
	if err != nil {
		return err
	}
	kinds, err := kindsParam(c, ActivityKinds)
	if err != nil {
		return err
	}
	d, err := s.DB.GetDisruption(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	if d.Place == nil {
		return intel.Invalid("id", "this action has no place: before/after activity is measured around a place")
	}
	bf, bt, af, at := postgres.ImpactSpans(d.AppliedOn, months)
	before, after, err := s.DB.DisruptionImpact(c.UserContext(), d.Place.ID, float64(radius), kinds, bf, bt, af, at)
	if err != nil {
		return err
	}
	now := today()
	full := fullView(pr, d.Place.District)
	span := func(from, to intel.Date, n postgres.ImpactCounts) (intel.ImpactSpan, float64) {
		sp := intel.ImpactSpan{From: from, To: to, Days: days(from, to), Events: &n.Events}
		last := to
		if !now.After(to.Time) {
			last = intel.Date{Time: now.AddDate(0, 0, -1)} // today is not over
		}
		sp.ObservedDays = max(0, min(sp.Days, days(from, last)))
		rate := math.NaN()
		if sp.ObservedDays > 0 {
			rate = float64(n.Events) * 30.4375 / float64(sp.ObservedDays)
			pm := math.Round(rate*100) / 100
			sp.PerMonth = &pm
		}
		sp.YoungPeople = s.disclose(n.YoungPeople, full)
		if sp.YoungPeople.Suppressed {
			sp.Events, sp.PerMonth, rate = nil, nil, math.NaN()
		}
		return sp, rate
	}
	imp := intel.Impact{DisruptionID: d.ID, Kind: d.Kind, Place: *d.Place, ActionOn: d.AppliedOn, RadiusM: radius,
		Months: months, EventKinds: kinds, Complete: now.After(at.Time), Method: ImpactMethod}
	var rb, ra float64
	imp.Before, rb = span(bf, bt, before)
	imp.After, ra = span(af, at, after)
	if rb > 0 && !math.IsNaN(ra) {
		pct := math.Round((ra-rb)/rb*1000) / 10
		imp.ChangePct = &pct
	}
	return c.JSON(imp)
}

// days is the number of days from one date to another, both included.
func days(from, to intel.Date) int {
	return int(to.Sub(from.Time).Round(time.Hour).Hours()/24) + 1
}
