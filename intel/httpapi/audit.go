package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// PurposeHeader carries the stated purpose of a person-level read (also
// accepted as the query parameter "purpose").
const PurposeHeader = "X-Purpose"

const purposeKey ctxKey = 2

// statedPurpose reads the purpose of the request, if any.
func statedPurpose(c *fiber.Ctx) string {
	p := c.Get(PurposeHeader)
	if p == "" {
		p = c.Query("purpose")
	}
	return strings.TrimSpace(strings.Clone(p))
}

// personRead gates a person-level read: a role that may read people, and a
// stated purpose (DPA 2018 s.62 needs the justification of each
// consultation).
func personRead(c *fiber.Ctx) (intel.Principal, error) {
	p, err := needPersonLevel(c)
	if err != nil {
		return p, err
	}
	purpose := statedPurpose(c)
	switch {
	case purpose == "":
		return p, intel.Invalid(PurposeHeader, "person-level reads need a stated purpose: send the X-Purpose header (or ?purpose=)")
	case utf8.RuneCountInString(purpose) > 500 || !utf8.ValidString(purpose):
		return p, intel.Invalid(PurposeHeader, "must be valid text of at most 500 characters")
	}
	c.Locals(purposeKey, purpose)
	return p, nil
}

// redactedParams are never written to the audit: a case reference is a
// direct identifier, and the purpose has its own column.
var redactedParams = []string{"case_ref", "purpose"}

// audit writes the audit record of this request: who, role, when, action,
// route, parameters, the people returned or changed, and the purpose. A
// read whose audit record cannot be written is not answered.
func (s *Server) audit(c *fiber.Ctx, action string, status int, people []int64) error {
	p := principal(c)
	params := map[string]string{}
	for _, k := range c.Route().Params {
		params[":"+k] = c.Params(k)
	}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		key := string(k)
		if slices.Contains(redactedParams, key) {
			params[key] = "[redacted]"
			return
		}
		params[key] = string(v)
	})
	pj, _ := json.Marshal(params)
	purpose, _ := c.Locals(purposeKey).(string)
	if purpose == "" {
		purpose = statedPurpose(c)
	}
	ids := slices.Clone(people)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return s.DB.Audit(c.UserContext(), intel.AuditRecord{
		Actor: p.Subject, ActorLabel: p.Label, Role: p.Role, Action: action,
		Route: c.Method() + " " + routeOf(c), Params: string(pj), PersonIDs: ids, Purpose: purpose, Status: status,
	})
}

// readJSON audits a person-level read and then sends v.
func (s *Server) readJSON(c *fiber.Ctx, v any, people []int64) error {
	if err := s.audit(c, "read", fiber.StatusOK, people); err != nil {
		return err
	}
	return c.JSON(v)
}

// wrote audits a change to person-level data and sends the answer.
func (s *Server) wrote(c *fiber.Ctx, action string, status int, v any, people []int64) error {
	if err := s.audit(c, action, status, people); err != nil {
		return err
	}
	if v == nil {
		return c.SendStatus(status)
	}
	return c.Status(status).JSON(v)
}

func (s *Server) listAudit(c *fiber.Ctx) error {
	if principal(c).Role != intel.RoleAdmin {
		return forbidden
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	var f postgres.AuditFilter
	if f.PersonID, err = optInt64(c, "person_id"); err != nil {
		return err
	}
	if f.From, err = optTime(c, "from", false); err != nil {
		return err
	}
	if f.To, err = optTime(c, "to", true); err != nil {
		return err
	}
	f.Actor = query(c, "actor")
	rs, err := s.DB.ListAudit(c.UserContext(), f, pg)
	if err != nil {
		return err
	}
	return list(c, rs, pg.Limit, func(r intel.AuditRecord) int64 { return r.Seq })
}

func personIDs(people []intel.Person) []int64 {
	ids := make([]int64, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	return ids
}
