package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

func (s *Server) listSafetyMarks(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.SafetyFilter
	if f.PersonID, err = optInt64(c, "person_id"); err != nil {
		return err
	}
	if f.Rating, err = oneOfParam(c, "rating", intel.SafetyRatings); err != nil {
		return err
	}
	if f.District, err = s.districtParam(c); err != nil {
		return err
	}
	if f.From, err = optDate(c, "from"); err != nil {
		return err
	}
	if f.To, err = optDate(c, "to"); err != nil {
		return err
	}
	if f.BBox, err = parseBBox(c.Query("bbox")); err != nil {
		return err
	}
	ms, err := s.DB.ListSafetyMarks(c.UserContext(), pr, f, pg)
	if err != nil {
		return err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.PersonID
	}
	return s.readJSON(c, listBody(c, ms, pg.Limit, func(m intel.SafetyMark) int64 { return m.ID }), ids)
}

func (s *Server) getSafetyMark(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "safety mark")
	if err != nil {
		return err
	}
	m, err := s.DB.GetSafetyMark(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return s.readJSON(c, m, []int64{m.PersonID})
}

func bindMark(c *fiber.Ctx) (intel.SafetyMarkInput, error) {
	in, err := bind[intel.SafetyMarkInput](c)
	if err != nil {
		return in, err
	}
	in.Geometry, err = normGeometry("geometry", in.Geometry, "Point", "Polygon")
	return in, err
}

func (s *Server) createSafetyMark(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	in, err := bindMark(c)
	if err != nil {
		return err
	}
	m, err := s.DB.CreateSafetyMark(c.UserContext(), pr, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/safety-marks/" + itoa64(m.ID))
	return s.wrote(c, "create", fiber.StatusCreated, m, []int64{m.PersonID})
}

func (s *Server) updateSafetyMark(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "safety mark")
	if err != nil {
		return err
	}
	in, err := bindMark(c)
	if err != nil {
		return err
	}
	m, err := s.DB.UpdateSafetyMark(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, m, []int64{m.PersonID})
}

func (s *Server) deleteSafetyMark(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "safety mark")
	if err != nil {
		return err
	}
	m, err := s.DB.DeleteSafetyMark(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, []int64{m.PersonID})
}
