package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

func (s *Server) listLinks(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.LinkFilter
	if f.Kind, err = oneOfParam(c, "kind", intel.LinkKinds); err != nil {
		return err
	}
	if f.Node, err = optInt64(c, "node"); err != nil {
		return err
	}
	if g := c.Query("min_grade"); g != "" {
		mg, err := intel.ParseGrade(g + "P")
		if len(g) == 3 {
			mg, err = intel.ParseGrade(g)
		}
		if err != nil {
			return intel.Invalid("min_grade", "must be a source evaluation and assessment such as 2B")
		}
		f.MinGrade = &mg
	}
	if f.Confirmed, err = optBool(c, "confirmed"); err != nil {
		return err
	}
	if f.ReviewDue, err = optBool(c, "review_due"); err != nil {
		return err
	}
	f.ExtRef = query(c, "ext_ref")
	ls, err := s.DB.ListLinks(c.UserContext(), pr, f, pg)
	if err != nil {
		return err
	}
	return s.readJSON(c, listBody(c, ls, pg.Limit, func(l intel.Link) int64 { return l.ID }), linkPeople(ls...))
}

func (s *Server) getLink(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "link")
	if err != nil {
		return err
	}
	l, err := s.DB.GetLink(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return s.readJSON(c, l, linkPeople(l))
}

func (s *Server) createLink(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bind[intel.LinkInput](c)
	if err != nil {
		return err
	}
	l, err := s.DB.CreateLink(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/links/" + itoa64(l.ID))
	return s.wrote(c, "create", fiber.StatusCreated, l, linkPeople(l))
}

func (s *Server) updateLink(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "link")
	if err != nil {
		return err
	}
	in, err := bind[intel.LinkInput](c)
	if err != nil {
		return err
	}
	l, err := s.DB.UpdateLink(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, l, linkPeople(l))
}

func (s *Server) deleteLink(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "link")
	if err != nil {
		return err
	}
	l, err := s.DB.GetLink(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	if err := s.DB.DeleteLink(c.UserContext(), pr, id); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, linkPeople(l))
}

// linkPeople lists the people at the ends of links.
func linkPeople(ls ...intel.Link) []int64 {
	var ids []int64
	for _, l := range ls {
		if l.SourceType == intel.NodePerson {
			ids = append(ids, l.SourceID)
		}
		if l.TargetType == intel.NodePerson {
			ids = append(ids, l.TargetID)
		}
	}
	return ids
}
