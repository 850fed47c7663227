package httpapi

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
)

// Pagination bounds: a limit over the maximum is clamped, not refused.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// query reads a query parameter as an owned string (Fiber's point into
// buffers reused after the handler returns).
func query(c *fiber.Ctx, name string) string {
	return strings.Clone(c.Query(name))
}

func page(c *fiber.Ctx) (intel.Page, error) {
	p := intel.Page{Limit: DefaultLimit}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return p, intel.Invalid("limit", "must be a positive integer")
		}
		p.Limit = min(n, MaxLimit)
	}
	if s := c.Query("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return p, intel.Invalid("after", "must be a non-negative id")
		}
		p.After = n
	}
	return p, nil
}

// parseBBox reads minLon,minLat,maxLon,maxLat (RFC 7946 order).
func parseBBox(s string) (*[4]float64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, intel.Invalid("bbox", "must be minLon,minLat,maxLon,maxLat")
	}
	var b [4]float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, intel.Invalid("bbox", "must be four numbers: minLon,minLat,maxLon,maxLat")
		}
		b[i] = v
	}
	switch {
	case b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90:
		return nil, intel.Invalid("bbox", "is out of range: longitudes -180..180, latitudes -90..90")
	case b[0] >= b[2] || b[1] >= b[3]:
		return nil, intel.Invalid("bbox", "is inverted or empty: min must be less than max")
	}
	return &b, nil
}

func parseID(c *fiber.Ctx, what string) (int64, error) {
	n, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, intel.NotFound(what)
	}
	return n, nil
}

func optDate(c *fiber.Ctx, name string) (*intel.Date, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	d, err := intel.ParseDate(s)
	if err != nil {
		return nil, intel.Invalid(name, err.Error())
	}
	return &d, nil
}

// optTime reads an RFC 3339 time or a date (midnight UTC; for "to" the end
// of that day).
func optTime(c *fiber.Ctx, name string, endOfDay bool) (*time.Time, error) {
	return parseTime(name, c.Query(name), endOfDay)
}

// parseTime is optTime's parser: nil for "", else an RFC 3339 time or a
// date.
func parseTime(name, s string, endOfDay bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	inRange := func(t time.Time) (*time.Time, error) {
		if !inTimeRange(t) {
			return nil, intel.Invalid(name, "must fall in the years 1 to 9999 (UTC)")
		}
		return &t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return inRange(t)
	}
	d, err := intel.ParseDate(s)
	if err != nil {
		return nil, intel.Invalid(name, "must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	t := d.Time
	if endOfDay {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return inRange(t)
}

func optBool(c *fiber.Ctx, name string) (*bool, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, intel.Invalid(name, "must be true or false")
	}
	return &b, nil
}

func optInt64(c *fiber.Ctx, name string) (int64, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, intel.Invalid(name, "must be a positive id")
	}
	return n, nil
}

// oneOfParam reads a parameter that must be one of allowed (or empty).
func oneOfParam(c *fiber.Ctx, name string, allowed []string) (string, error) {
	s := query(c, name)
	if s == "" {
		return "", nil
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", intel.Invalid(name, "must be one of "+strings.Join(allowed, ", "))
}

// inTimeRange: a time in the years 1 to 9999 in UTC, where PostgreSQL and
// every client agree (0000-01-01T00:00:00+01:00 is year -1 in UTC; found
// by FuzzParseTime and FuzzParseDatetime).
func inTimeRange(t time.Time) bool { y := t.UTC().Year(); return y >= 1 && y <= 9999 }
