package httpapi

import (
	"context"

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
// circles, so they are for person-level roles only. Both are plain records
// with the same five operations, served by one generic resource.

func contextFilter(c *fiber.Ctx) (postgres.ContextFilter, intel.Page, error) {
	pg, err := page(c)
	if err != nil {
		return postgres.ContextFilter{}, pg, err
	}
	f := postgres.ContextFilter{District: query(c, "district"), ExtRef: query(c, "ext_ref")}
	f.Platform, err = oneOfParam(c, "platform", intel.Platforms)
	return f, pg, err
}

// contextResource is the CRUD of a context record type T made from In.
type contextResource[T any, In any, PIn interface {
	*In
	Validate() error
}] struct {
	what   string // "peer group"
	base   string // "/api/v1/groups/"
	id     func(T) int64
	list   func(ctx context.Context, f postgres.ContextFilter, pg intel.Page) ([]T, error)
	get    func(ctx context.Context, id int64) (T, error)
	create func(ctx context.Context, in In) (T, error)
	update func(ctx context.Context, id int64, in In) (T, error)
	delete func(ctx context.Context, id int64) error
}

func (r contextResource[T, In, PIn]) register(api fiber.Router, path string) {
	api.Get(path, r.listHandler)
	api.Post(path, r.createHandler)
	api.Get(path+"/:id", r.getHandler)
	api.Put(path+"/:id", r.updateHandler)
	api.Delete(path+"/:id", r.deleteHandler)
}

func (r contextResource[T, In, PIn]) listHandler(c *fiber.Ctx) error {
	if _, err := needPersonLevel(c); err != nil {
		return err
	}
	f, pg, err := contextFilter(c)
	if err != nil {
		return err
	}
	items, err := r.list(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	return list(c, items, pg.Limit, r.id)
}

func (r contextResource[T, In, PIn]) getHandler(c *fiber.Ctx) error {
	if _, err := needPersonLevel(c); err != nil {
		return err
	}
	id, err := parseID(c, r.what)
	if err != nil {
		return err
	}
	v, err := r.get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (r contextResource[T, In, PIn]) createHandler(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	in, err := bind[In, PIn](c)
	if err != nil {
		return err
	}
	v, err := r.create(c.UserContext(), in)
	if err != nil {
		return err
	}
	c.Location(r.base + itoa64(r.id(v)))
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (r contextResource[T, In, PIn]) updateHandler(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	id, err := parseID(c, r.what)
	if err != nil {
		return err
	}
	in, err := bind[In, PIn](c)
	if err != nil {
		return err
	}
	v, err := r.update(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (r contextResource[T, In, PIn]) deleteHandler(c *fiber.Ctx) error {
	if _, err := needWriter(c); err != nil {
		return err
	}
	id, err := parseID(c, r.what)
	if err != nil {
		return err
	}
	if err := r.delete(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) contextRoutes(api fiber.Router) {
	contextResource[intel.Group, intel.GroupInput, *intel.GroupInput]{
		what: "peer group", base: "/api/v1/groups/", id: func(g intel.Group) int64 { return g.ID },
		list: s.DB.ListGroups, get: s.DB.GetGroup, create: s.DB.CreateGroup, update: s.DB.UpdateGroup, delete: s.DB.DeleteGroup,
	}.register(api, "/groups")
	contextResource[intel.Space, intel.SpaceInput, *intel.SpaceInput]{
		what: "online space", base: "/api/v1/spaces/", id: func(s intel.Space) int64 { return s.ID },
		list: s.DB.ListSpaces, get: s.DB.GetSpace, create: s.DB.CreateSpace, update: s.DB.UpdateSpace, delete: s.DB.DeleteSpace,
	}.register(api, "/spaces")
}
