package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// Places are contexts, not people: every role may list them, but sensitive
// places are generalised for callers without person-level access to them.

func (s *Server) listPlaces(c *fiber.Ctx) error {
	pr := principal(c)
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.PlaceFilter
	if f.Kind, err = oneOfParam(c, "kind", intel.PlaceKinds); err != nil {
		return err
	}
	if f.BBox, err = parseBBox(c.Query("bbox")); err != nil {
		return err
	}
	if f.Sensitive, err = optBool(c, "sensitive"); err != nil {
		return err
	}
	f.District = query(c, "district")
	f.ExtRef = query(c, "ext_ref")
	ps, err := s.DB.ListPlaces(c.UserContext(), pr, f, pg)
	if err != nil {
		return err
	}
	return list(c, ps, pg.Limit, func(p intel.Place) int64 { return p.ID })
}

func (s *Server) getPlace(c *fiber.Ctx) error {
	id, err := parseID(c, "place")
	if err != nil {
		return err
	}
	p, err := s.DB.GetPlace(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func bindPlace(c *fiber.Ctx) (intel.PlaceInput, error) {
	in, err := bind[intel.PlaceInput](c)
	if err != nil {
		return in, err
	}
	in.Geometry, err = normGeometry("geometry", in.Geometry, "Point", "Polygon", "MultiPolygon")
	return in, err
}

func (s *Server) createPlace(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bindPlace(c)
	if err != nil {
		return err
	}
	p, err := s.DB.CreatePlace(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/places/" + itoa64(p.ID))
	return c.Status(fiber.StatusCreated).JSON(p)
}

func (s *Server) updatePlace(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "place")
	if err != nil {
		return err
	}
	in, err := bindPlace(c)
	if err != nil {
		return err
	}
	p, err := s.DB.UpdatePlace(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) deletePlace(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "place")
	if err != nil {
		return err
	}
	if err := s.DB.DeletePlace(c.UserContext(), pr, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// Peer groups and online spaces can name or describe young people's
// circles, so they are for person-level roles only.

func contextFilter(c *fiber.Ctx) (postgres.ContextFilter, intel.Page, error) {
	pg, err := page(c)
	if err != nil {
		return postgres.ContextFilter{}, pg, err
	}
	f := postgres.ContextFilter{District: query(c, "district"), ExtRef: query(c, "ext_ref")}
	f.Platform, err = oneOfParam(c, "platform", intel.Platforms)
	return f, pg, err
}

func (s *Server) listGroups(c *fiber.Ctx) error {
	if _, err := needPersonLevel(c); err != nil {
		return err
	}
	f, pg, err := contextFilter(c)
	if err != nil {
		return err
	}
	gs, err := s.DB.ListGroups(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	return list(c, gs, pg.Limit, func(g intel.Group) int64 { return g.ID })
}

func (s *Server) getGroup(c *fiber.Ctx) error {
	if _, err := needPersonLevel(c); err != nil {
		return err
	}
	id, err := parseID(c, "peer group")
	if err != nil {
		return err
	}
	g, err := s.DB.GetGroup(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(g)
}

func (s *Server) createGroup(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	in, err := bind[intel.GroupInput](c)
	if err != nil {
		return err
	}
	g, err := s.DB.CreateGroup(c.UserContext(), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/groups/" + itoa64(g.ID))
	return c.Status(fiber.StatusCreated).JSON(g)
}

func (s *Server) updateGroup(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	id, err := parseID(c, "peer group")
	if err != nil {
		return err
	}
	in, err := bind[intel.GroupInput](c)
	if err != nil {
		return err
	}
	g, err := s.DB.UpdateGroup(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(g)
}

func (s *Server) deleteGroup(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	id, err := parseID(c, "peer group")
	if err != nil {
		return err
	}
	if err := s.DB.DeleteGroup(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listSpaces(c *fiber.Ctx) error {
	if _, err := needPersonLevel(c); err != nil {
		return err
	}
	f, pg, err := contextFilter(c)
	if err != nil {
		return err
	}
	ss, err := s.DB.ListSpaces(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	return list(c, ss, pg.Limit, func(s intel.Space) int64 { return s.ID })
}

func (s *Server) getSpace(c *fiber.Ctx) error {
	if _, err := needPersonLevel(c); err != nil {
		return err
	}
	id, err := parseID(c, "online space")
	if err != nil {
		return err
	}
	sp, err := s.DB.GetSpace(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(sp)
}

func (s *Server) createSpace(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	in, err := bind[intel.SpaceInput](c)
	if err != nil {
		return err
	}
	sp, err := s.DB.CreateSpace(c.UserContext(), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/spaces/" + itoa64(sp.ID))
	return c.Status(fiber.StatusCreated).JSON(sp)
}

func (s *Server) updateSpace(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	id, err := parseID(c, "online space")
	if err != nil {
		return err
	}
	in, err := bind[intel.SpaceInput](c)
	if err != nil {
		return err
	}
	sp, err := s.DB.UpdateSpace(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(sp)
}

func (s *Server) deleteSpace(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	id, err := parseID(c, "online space")
	if err != nil {
		return err
	}
	if err := s.DB.DeleteSpace(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
