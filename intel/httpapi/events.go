package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

func (s *Server) listEvents(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.EventFilter
	if f.Kind, err = oneOfParam(c, "kind", intel.EventKinds); err != nil {
		return err
	}
	if f.Category, err = oneOfParam(c, "category", intel.Categories); err != nil {
		return err
	}
	if f.From, err = optTime(c, "from", false); err != nil {
		return err
	}
	if f.To, err = optTime(c, "to", true); err != nil {
		return err
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return intel.Invalid("to", "must not be before from")
	}
	if f.BBox, err = parseBBox(c.Query("bbox")); err != nil {
		return err
	}
	if f.PlaceID, err = optInt64(c, "place_id"); err != nil {
		return err
	}
	if f.PersonID, err = optInt64(c, "person_id"); err != nil {
		return err
	}
	f.District = query(c, "district")
	f.ExtRef = query(c, "ext_ref")
	es, err := s.DB.ListEvents(c.UserContext(), pr, f, pg)
	if err != nil {
		return err
	}
	return s.readJSON(c, listBody(c, es, pg.Limit, func(e intel.Event) int64 { return e.ID }), eventPeople(es...))
}

func (s *Server) getEvent(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "event")
	if err != nil {
		return err
	}
	e, err := s.DB.GetEvent(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return s.readJSON(c, e, e.People)
}

func bindEvent(c *fiber.Ctx) (intel.EventInput, error) {
	in, err := bind[intel.EventInput](c)
	if err != nil {
		return in, err
	}
	in.Geometry, err = normGeometry("geometry", in.Geometry, "Point")
	return in, err
}

func (s *Server) createEvent(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bindEvent(c)
	if err != nil {
		return err
	}
	e, err := s.DB.CreateEvent(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/events/" + itoa64(e.ID))
	return s.wrote(c, "create", fiber.StatusCreated, e, e.People)
}

func (s *Server) updateEvent(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "event")
	if err != nil {
		return err
	}
	in, err := bindEvent(c)
	if err != nil {
		return err
	}
	e, err := s.DB.UpdateEvent(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, e, e.People)
}

func (s *Server) deleteEvent(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "event")
	if err != nil {
		return err
	}
	e, err := s.DB.GetEvent(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	if err := s.DB.DeleteEvent(c.UserContext(), pr, id); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, e.People)
}

// eventPeople lists the people events involve.
func eventPeople(es ...intel.Event) []int64 {
	var ids []int64
	for _, e := range es {
		ids = append(ids, e.People...)
	}
	return ids
}
