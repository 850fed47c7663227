package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

var contextTypes = []string{intel.NodePlace, intel.NodeGroup, intel.NodeSpace}

func (s *Server) listContextCases(c *fiber.Ctx) error {
	pr, err := needPersonLevel(c)
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.CaseFilter
	if f.Status, err = oneOfParam(c, "status", append([]string{"open"}, intel.CaseStatuses...)); err != nil {
		return err
	}
	if f.ContextType, err = oneOfParam(c, "context_type", contextTypes); err != nil {
		return err
	}
	if f.ContextID, err = optInt64(c, "context_id"); err != nil {
		return err
	}
	if f.District, err = s.districtParam(c); err != nil {
		return err
	}
	cs, err := s.DB.ListContextCases(c.UserContext(), pr, f, pg)
	if err != nil {
		return err
	}
	return list(c, cs, pg.Limit, func(c intel.CaseSummary) int64 { return c.ID })
}

// caseAnswer applies disclosure control to the case's count of children.
func (s *Server) caseAnswer(pr intel.Principal, cc intel.ContextCase, children int) intel.ContextCase {
	cc.Children = s.disclose(children, fullView(pr))
	return cc
}

func (s *Server) getContextCase(c *fiber.Ctx) error {
	pr, err := needPersonLevel(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	cc, n, err := s.DB.GetContextCase(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return c.JSON(s.caseAnswer(pr, cc, n))
}

func (s *Server) createContextCase(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bind[intel.ContextCaseInput](c)
	if err != nil {
		return err
	}
	cc, n, err := s.DB.CreateContextCase(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/context-cases/" + itoa64(cc.ID))
	return s.wrote(c, "create", fiber.StatusCreated, s.caseAnswer(pr, cc, n), nil)
}

func (s *Server) updateContextCase(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	in, err := bind[intel.ContextCaseInput](c)
	if err != nil {
		return err
	}
	cc, n, err := s.DB.UpdateContextCase(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, s.caseAnswer(pr, cc, n), nil)
}

func (s *Server) deleteContextCase(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	if err := s.DB.DeleteContextCase(c.UserContext(), pr, id); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, nil)
}

// childPeriod reads from/to (dates) for a children list, defaulting to
// the case's own period.
func childPeriod(c *fiber.Ctx, defFrom, defTo intel.Date) (intel.Date, intel.Date, error) {
	from, err := dateOr(c, "from", defFrom)
	if err != nil {
		return from, defTo, err
	}
	to, err := dateOr(c, "to", defTo)
	if err != nil {
		return from, to, err
	}
	if to.Before(from.Time) {
		return from, to, intel.Invalid("to", "must not be before from")
	}
	return from, to, nil
}

// caseChildren lists the young people the case's context affects: a
// person-level read, audited with their ids.
func (s *Server) caseChildren(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	cc, _, err := s.DB.GetContextCase(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	defFrom, defTo := postgres.CaseChildPeriod(cc)
	from, to, err := childPeriod(c, defFrom, defTo)
	if err != nil {
		return err
	}
	kids, outside, err := s.DB.AffectedChildren(c.UserContext(), pr, id, from, to)
	if err != nil {
		return err
	}
	ids := make([]int64, len(kids))
	for i, k := range kids {
		ids[i] = k.PersonID
	}
	body := fiber.Map{"case_id": id, "context": cc.Context, "from": from, "to": to, "items": kids,
		"method": "young people with a link to the context (frequents, attends, member of, present in, last seen at, found at) " +
			"seen in the period and not past review, or in an event in the period at the place (or found there) or with the peer group"}
	if pr.Scope() != nil {
		body["outside_your_districts"] = s.disclose(outside, false)
	}
	return s.readJSON(c, body, ids)
}

// personContextCases lists the context cases a young person's own plan can
// refer to: cases on contexts the graph ties them to.
func (s *Server) personContextCases(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	to, err := dateOr(c, "to", today())
	if err != nil {
		return err
	}
	from, to, err := childPeriod(c, to.AddMonths(-12), to)
	if err != nil {
		return err
	}
	cs, err := s.DB.PersonContextCases(c.UserContext(), pr, id, from, to)
	if err != nil {
		return err
	}
	return s.readJSON(c, fiber.Map{"person_id": id, "from": from, "to": to, "items": cs}, []int64{id})
}

func (s *Server) listCaseActions(c *fiber.Ctx) error {
	pr, err := needPersonLevel(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	if _, err := s.DB.CaseContextID(c.UserContext(), id); err != nil {
		return err
	}
	as, err := s.DB.ListActions(c.UserContext(), pr, id, 0)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": as})
}

func (s *Server) createCaseAction(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	in, err := bind[intel.ActionInput](c)
	if err != nil {
		return err
	}
	a, err := s.DB.CreateAction(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/context-cases/" + itoa64(id) + "/actions/" + itoa64(a.ID))
	return s.wrote(c, "create", fiber.StatusCreated, a, nil)
}

func (s *Server) updateCaseAction(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	aid, err := paramID(c, "action", "action")
	if err != nil {
		return err
	}
	in, err := bind[intel.ActionInput](c)
	if err != nil {
		return err
	}
	a, err := s.DB.UpdateAction(c.UserContext(), pr, id, aid, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, a, nil)
}

func (s *Server) deleteCaseAction(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "context case")
	if err != nil {
		return err
	}
	aid, err := paramID(c, "action", "action")
	if err != nil {
		return err
	}
	if err := s.DB.DeleteAction(c.UserContext(), pr, id, aid); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, nil)
}
