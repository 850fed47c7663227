package httpapi

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
)

func asError(err error, e **intel.Error) bool { return errors.As(err, e) }

// Role gates, checked by every route before it reads anything.
var (
	forbidden = intel.Errorf(intel.EFORBIDDEN, "your role may not do this")
)

func needPersonLevel(c *fiber.Ctx) (intel.Principal, error) {
	p := principal(c)
	if !p.PersonLevel() {
		return p, forbidden
	}
	return p, nil
}

func needWriter(c *fiber.Ctx) (intel.Principal, error) {
	p := principal(c)
	if !p.CanWrite() {
		return p, forbidden
	}
	return p, nil
}

// bind decodes and validates a request body.
func bind[T any, PT interface {
	*T
	Validate() error
}](c *fiber.Ctx) (T, error) {
	var v T
	if err := decodeStrict(c.Body(), &v); err != nil {
		return v, err
	}
	return v, PT(&v).Validate()
}

// list writes a page of items with the cursor for the next page.
func list[T any](c *fiber.Ctx, items []T, limit int, id func(T) int64) error {
	return c.JSON(listBody(c, items, limit, id))
}

// listBody is a page of items with the cursor and link of the next page.
func listBody[T any](c *fiber.Ctx, items []T, limit int, id func(T) int64) fiber.Map {
	resp := fiber.Map{"items": items}
	if len(items) == limit && limit > 0 {
		next := id(items[len(items)-1])
		resp["next_after"] = next
		q := c.Request().URI().QueryArgs()
		args := fiber.AcquireArgs()
		defer fiber.ReleaseArgs(args)
		q.CopyTo(args)
		args.Set("after", itoa64(next))
		resp["next"] = c.BaseURL() + c.Path() + "?" + args.String()
	}
	return resp
}
