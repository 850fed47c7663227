package httpapi

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// routes registers every /api/v1 route. Each handler checks the caller's
// role first; the store applies district scope in SQL.
func (s *Server) routes(api fiber.Router) {
	api.Get("/me", s.me)
	api.Get("/districts", s.listDistricts)
	api.Get("/audit", s.listAudit)

	api.Get("/people", s.listPeople)
	api.Post("/people", s.createPerson)
	api.Get("/people/:id", s.getPerson)
	api.Put("/people/:id", s.updatePerson)
	api.Delete("/people/:id", s.deletePerson)
	api.Post("/people/:id/status", s.changeStatus)
	api.Post("/people/:id/category", s.changeCategory)

	api.Get("/assessments", s.listAssessments)
	api.Post("/assessments", s.createAssessment)
	api.Get("/assessments/:id", s.getAssessment)
	api.Put("/assessments/:id", s.updateAssessment)
	api.Delete("/assessments/:id", s.deleteAssessment)

	api.Get("/places", s.listPlaces)
	api.Post("/places", s.createPlace)
	api.Get("/places/:id", s.getPlace)
	api.Put("/places/:id", s.updatePlace)
	api.Delete("/places/:id", s.deletePlace)

	s.contextRoutes(api)

	api.Get("/links", s.listLinks)
	api.Post("/links", s.createLink)
	api.Get("/links/:id", s.getLink)
	api.Put("/links/:id", s.updateLink)
	api.Delete("/links/:id", s.deleteLink)

	api.Get("/events", s.listEvents)
	api.Post("/events", s.createEvent)
	api.Get("/events/:id", s.getEvent)
	api.Put("/events/:id", s.updateEvent)
	api.Delete("/events/:id", s.deleteEvent)
	s.networkRoutes(api)
	s.reportRoutes(api)
	s.importRoutes(api)
	s.hotspotRoutes(api)
	s.exportRoutes(api)
	s.contextworkRoutes(api)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
