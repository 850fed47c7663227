package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

func (s *Server) me(c *fiber.Ctx) error {
	p := principal(c)
	return c.JSON(fiber.Map{
		"role": p.Role, "label": p.Label, "districts": p.Districts,
		"person_level": p.PersonLevel(), "aggregates_only": p.AggregatesOnly(), "sees_adults_of_concern": p.SeesAdults(),
	})
}

func (s *Server) listDistricts(c *fiber.Ctx) error {
	geom, err := optBool(c, "geometry")
	if err != nil {
		return err
	}
	ds, err := s.DB.ListDistricts(c.UserContext(), geom != nil && *geom)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": ds})
}

func (s *Server) listPeople(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.PersonFilter
	if f.Kind, err = oneOfParam(c, "kind", intel.PersonKinds); err != nil {
		return err
	}
	if f.Category, err = oneOfParam(c, "category", intel.Categories); err != nil {
		return err
	}
	if f.Status, err = oneOfParam(c, "status", intel.Statuses); err != nil {
		return err
	}
	if f.AsOf, err = optDate(c, "as_of"); err != nil {
		return err
	}
	f.District = query(c, "district")
	f.CaseRef = query(c, "case_ref")
	people, err := s.DB.ListPeople(c.UserContext(), pr, f, pg)
	if err != nil {
		return err
	}
	return s.readJSON(c, listBody(c, people, pg.Limit, func(p intel.Person) int64 { return p.ID }), personIDs(people))
}

func (s *Server) getPerson(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	asOf, err := optDate(c, "as_of")
	if err != nil {
		return err
	}
	p, err := s.DB.GetPerson(c.UserContext(), pr, id, asOf)
	if err != nil {
		return err
	}
	return s.readJSON(c, p, []int64{p.ID})
}

func (s *Server) createPerson(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bind[intel.PersonInput](c)
	if err != nil {
		return err
	}
	p, err := s.DB.CreatePerson(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/people/" + itoa64(p.ID))
	return s.wrote(c, "create", fiber.StatusCreated, p, []int64{p.ID})
}

func (s *Server) updatePerson(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	in, err := bind[intel.PersonInput](c)
	if err != nil {
		return err
	}
	p, err := s.DB.UpdatePerson(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, p, []int64{p.ID})
}

func (s *Server) deletePerson(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	if err := s.DB.DeletePerson(c.UserContext(), pr, id); err != nil {
		return err
	}
	// The audit keeps that the erasure happened, not what was held.
	return s.wrote(c, "erase", fiber.StatusNoContent, nil, []int64{id})
}

// HistoryChange records a new status or category from a date.
type HistoryChange struct {
	Value *string     `json:"value"`
	From  *intel.Date `json:"from"`
}

func (s *Server) changeStatus(c *fiber.Ctx) error {
	return s.changeHistory(c, "status", intel.Statuses)
}
func (s *Server) changeCategory(c *fiber.Ctx) error {
	return s.changeHistory(c, "category", intel.Categories)
}

func (s *Server) changeHistory(c *fiber.Ctx, which string, allowed []string) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	var in HistoryChange
	if err := decodeStrict(c.Body(), &in); err != nil {
		return err
	}
	var v intel.Validation
	if in.From == nil {
		v.Add("from", "is required")
	}
	value := ""
	if in.Value != nil {
		value = *in.Value
		found := false
		for _, a := range allowed {
			found = found || a == value
		}
		if !found {
			v.Add("value", "must be one of the "+which+" codes, or null to end the current one")
		}
	} else if which == "status" {
		v.Add("value", "is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	p, err := s.DB.ChangeHistory(c.UserContext(), pr, id, which, value, *in.From)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, p, []int64{p.ID})
}

func (s *Server) listAssessments(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	person, err := optInt64(c, "person_id")
	if err != nil {
		return err
	}
	as, err := s.DB.ListAssessments(c.UserContext(), pr, person, pg)
	if err != nil {
		return err
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.PersonID
	}
	return s.readJSON(c, listBody(c, as, pg.Limit, func(a intel.Assessment) int64 { return a.ID }), ids)
}

func (s *Server) getAssessment(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "assessment")
	if err != nil {
		return err
	}
	a, err := s.DB.GetAssessment(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return s.readJSON(c, a, []int64{a.PersonID})
}

func (s *Server) createAssessment(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bind[intel.AssessmentInput](c)
	if err != nil {
		return err
	}
	a, err := s.DB.CreateAssessment(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/assessments/" + itoa64(a.ID))
	return s.wrote(c, "create", fiber.StatusCreated, a, []int64{a.PersonID})
}

func (s *Server) updateAssessment(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "assessment")
	if err != nil {
		return err
	}
	in, err := bind[intel.AssessmentInput](c)
	if err != nil {
		return err
	}
	a, err := s.DB.UpdateAssessment(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, a, []int64{a.PersonID})
}

func (s *Server) deleteAssessment(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "assessment")
	if err != nil {
		return err
	}
	a, err := s.DB.GetAssessment(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	if err := s.DB.DeleteAssessment(c.UserContext(), pr, id); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, []int64{a.PersonID})
}
