package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

func (s *Server) listConferences(c *fiber.Ctx) error {
	if _, err := needRole(c, conferenceReaders...); err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.ConferenceFilter
	if f.District, err = s.districtParam(c); err != nil {
		return err
	}
	if f.From, err = optDate(c, "from"); err != nil {
		return err
	}
	if f.To, err = optDate(c, "to"); err != nil {
		return err
	}
	cs, err := s.DB.ListConferences(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	return list(c, cs, pg.Limit, func(c intel.ConferenceSummary) int64 { return c.ID })
}

func (s *Server) getConference(c *fiber.Ctx) error {
	pr, err := needRole(c, conferenceReaders...)
	if err != nil {
		return err
	}
	id, err := parseID(c, "conference")
	if err != nil {
		return err
	}
	cf, err := s.DB.GetConference(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return c.JSON(cf)
}

func (s *Server) createConference(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bind[intel.ConferenceInput](c)
	if err != nil {
		return err
	}
	cf, err := s.DB.CreateConference(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/conferences/" + itoa64(cf.ID))
	return s.wrote(c, "create", fiber.StatusCreated, cf, nil)
}

func (s *Server) updateConference(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "conference")
	if err != nil {
		return err
	}
	in, err := bind[intel.ConferenceInput](c)
	if err != nil {
		return err
	}
	cf, err := s.DB.UpdateConference(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, cf, nil)
}

func (s *Server) deleteConference(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "conference")
	if err != nil {
		return err
	}
	if err := s.DB.DeleteConference(c.UserContext(), pr, id); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, nil)
}

// Agenda defaults (docs/CONTEXTWORK.md).
const (
	AgendaWeeks        = 4
	AgendaMinEvents    = 3
	AgendaRatio        = 1.5
	AgendaNetworkWeeks = 12
)

// agenda generates a conference agenda from the graph. Counts of young
// people are shown exactly only to callers with the whole item's
// districts in person-level scope; a suppressed item keeps its place on
// the agenda without figures.
func (s *Server) agenda(c *fiber.Ctx) error {
	pr, err := needRole(c, conferenceReaders...)
	if err != nil {
		return err
	}
	district, err := s.districtParam(c)
	if err != nil {
		return err
	}
	asOf, err := dateOr(c, "as_of", today())
	if err != nil {
		return err
	}
	rules := intel.AgendaRules{}
	if rules.Weeks, err = intParam(c, "weeks", AgendaWeeks, 1, 26); err != nil {
		return err
	}
	if rules.MinEvents, err = intParam(c, "min_events", AgendaMinEvents, 1, 1000); err != nil {
		return err
	}
	if rules.Ratio, err = cwFloatParam(c, "ratio", AgendaRatio, 1, 100); err != nil {
		return err
	}
	if rules.NetworkWeeks, err = intParam(c, "network_weeks", AgendaNetworkWeeks, 1, 104); err != nil {
		return err
	}
	if rules.EventKinds, err = kindsParam(c, ActivityKinds); err != nil {
		return err
	}
	a, err := s.DB.Agenda(c.UserContext(), pr, district, asOf, rules)
	if err != nil {
		return err
	}
	for i := range a.Rising {
		r := &a.Rising[i]
		full := fullView(pr, r.Context.District)
		r.YoungPeople = s.disclose(*r.YoungPeople.Count, full)
		if r.YoungPeople.Suppressed {
			// As on the map: a cell with few children shows no figures.
			r.Recent, r.Previous, r.Ratio = nil, nil, nil
		}
	}
	for i := range a.CrossDistrict {
		x := &a.CrossDistrict[i]
		ds := make([]*string, len(x.Districts))
		for j := range x.Districts {
			ds[j] = &x.Districts[j]
		}
		x.YoungPeople = s.disclose(*x.YoungPeople.Count, fullView(pr, ds...))
	}
	return c.JSON(a)
}
