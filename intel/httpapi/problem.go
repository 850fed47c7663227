package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
)

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail,omitempty"`
	Instance string             `json:"instance,omitempty"`
	Errors   []intel.FieldError `json:"errors,omitempty"`
}

// ProblemType is the base of the problem type URIs, one per error code.
const ProblemType = "https://contextmap.invalid/problems/"

// statusOf is the one place an error code becomes an HTTP status.
func statusOf(code string) int {
	switch code {
	case intel.EINVALID:
		return http.StatusBadRequest
	case intel.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case intel.EFORBIDDEN:
		return http.StatusForbidden
	case intel.ENOTFOUND:
		return http.StatusNotFound
	case intel.ECONFLICT:
		return http.StatusConflict
	case intel.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case intel.ERATELIMIT:
		return http.StatusTooManyRequests
	case intel.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorHandler turns every error a handler returns into problem+json. Only
// the domain error's safe message reaches the caller; causes go to the log
// (which never holds request bodies or identifiers).
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var e *intel.Error
		var fe *fiber.Error
		switch {
		case errors.As(err, &e):
		case errors.As(err, &fe):
			e = fiberError(fe)
		default:
			e = &intel.Error{Code: intel.EINTERNAL, Message: "internal error", Err: err}
		}
		status := statusOf(e.Code)
		p := Problem{Type: ProblemType + e.Code, Title: http.StatusText(status), Status: status,
			Detail: e.Message, Instance: c.Path(), Errors: e.Fields}
		if status >= 500 {
			if e.Code == intel.EINTERNAL {
				p.Detail = "internal error; the service log has the details"
			}
			log.Error("request failed", "route", routeOf(c), "method", c.Method(), "status", status, "err", err)
		}
		switch status {
		case http.StatusServiceUnavailable:
			c.Set(fiber.HeaderRetryAfter, "5")
		case http.StatusUnauthorized:
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="contextmap"`)
		case http.StatusTooManyRequests:
			if c.GetRespHeader(fiber.HeaderRetryAfter) == "" {
				c.Set(fiber.HeaderRetryAfter, "1")
			}
		}
		c.Status(status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(p, "application/problem+json")
	}
}

func fiberError(fe *fiber.Error) *intel.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return intel.Errorf(intel.ENOTFOUND, "no such route")
	case fiber.StatusMethodNotAllowed:
		return &intel.Error{Code: intel.EINVALID, Message: "method not allowed on this route"}
	case fiber.StatusRequestEntityTooLarge:
		return intel.Errorf(intel.ETOOLARGE, "the request body is larger than the limit")
	case fiber.StatusRequestTimeout:
		return intel.Errorf(intel.EUNAVAILABLE, "the request took too long")
	case fiber.StatusTooManyRequests:
		return intel.Errorf(intel.ERATELIMIT, "too many requests")
	case fiber.StatusBadRequest:
		return intel.Errorf(intel.EINVALID, "bad request")
	}
	if fe.Code >= 400 && fe.Code < 500 {
		return intel.Errorf(intel.EINVALID, "%s", fe.Message)
	}
	return &intel.Error{Code: intel.EINTERNAL, Message: "internal error", Err: errors.New(strconv.Itoa(fe.Code) + " " + fe.Message)}
}

// routeOf names the matched route pattern (never the raw path with ids).
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" {
		return r.Path
	}
	return "unmatched"
}

// statusFor is the status an error will be answered with.
func statusFor(err error) int {
	var e *intel.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &e):
		return statusOf(e.Code)
	case errors.As(err, &fe):
		return statusOf(fiberError(fe).Code)
	}
	return http.StatusInternalServerError
}
