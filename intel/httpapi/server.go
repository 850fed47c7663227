// Package httpapi serves contextmap over HTTP with Fiber: the JSON API under
// /api/v1, health checks, and the web map. Handlers return errors; one error
// handler turns them into RFC 9457 problem+json.
package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/oidc"
	"github.com/contextmap/contextmap/intel/postgres"
)

// Config holds the HTTP layer's settings.
type Config struct {
	BodyLimit      int           // bytes; larger bodies get 413
	RequestTimeout time.Duration // per request, passed to the database
	// ReportTimeout is RequestTimeout for the reports, which read every
	// child's history on several dates and are asked for a few times a
	// month, not every minute.
	ReportTimeout time.Duration
	ReadTimeout   time.Duration
	WriteTimeout  time.Duration
	// RateLimit is the number of requests one token (or, without one, one
	// client address) may make per RateWindow; 0 turns limiting off.
	RateLimit  int
	RateWindow time.Duration
	// CORSOrigins are the only origins a browser may call the API from;
	// empty means same-origin only (no CORS headers at all).
	CORSOrigins []string
	// Web configures the web map (tile layer, browser sign-in).
	Web WebConfig
	// Disclosure is the disclosure control applied to counts of young
	// people shown to callers without person-level access to them; the
	// zero value is geo.DefaultThreshold (counts 1-4 hidden).
	Disclosure geo.Rule
}

// DefaultConfig is what the service runs with unless told otherwise.
var DefaultConfig = Config{
	BodyLimit:      4 << 20,
	RequestTimeout: 30 * time.Second,
	ReportTimeout:  2 * time.Minute,
	ReadTimeout:    30 * time.Second,
	WriteTimeout:   120 * time.Second,
	RateLimit:      1200,
	RateWindow:     time.Minute,
}

// Server wires the store to HTTP.
type Server struct {
	DB *postgres.DB
	// Metrics are served at /metrics.
	Metrics *Metrics
	// OIDC verifies OpenID Connect bearer tokens when configured; API
	// tokens (cm_...) are checked against the database either way.
	OIDC   *oidc.Verifier
	Log    *slog.Logger
	Config Config
	App    *fiber.App
	csp    string
}

// New builds the Fiber app with every route.
func New(db *postgres.DB, log *slog.Logger, cfg Config) *Server {
	s := &Server{DB: db, Log: log, Config: cfg, Metrics: NewMetrics(db.Pool), csp: contentSecurityPolicy(cfg.Web)}
	s.App = fiber.New(fiber.Config{
		AppName:               "contextmap",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           2 * time.Minute,
		ErrorHandler:          errorHandler(log),
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10,
	})
	s.App.Use(recover.New(), s.Metrics.middleware, s.securityHeaders, s.timeout, s.accessLog)
	if len(cfg.CORSOrigins) > 0 {
		s.App.Use(cors.New(cors.Config{
			AllowOrigins:  strings.Join(cfg.CORSOrigins, ","),
			AllowMethods:  "GET,POST,PUT,DELETE",
			AllowHeaders:  "Authorization,Content-Type," + PurposeHeader,
			ExposeHeaders: "Location,Retry-After",
			MaxAge:        600,
		}))
	}
	if cfg.RateLimit > 0 {
		// Per client address too, so a flood of made-up tokens (each its own
		// bucket) is still held back.
		s.App.Use(limiter.New(limiter.Config{
			Max:          cfg.RateLimit * 4,
			Expiration:   cfg.RateWindow,
			KeyGenerator: func(c *fiber.Ctx) string { return "ip:" + c.IP() },
			LimitReached: func(c *fiber.Ctx) error {
				return intel.Errorf(intel.ERATELIMIT, "too many requests from this address: retry after the time in Retry-After")
			},
		}))
		s.App.Use(limiter.New(limiter.Config{
			Max:          cfg.RateLimit,
			Expiration:   cfg.RateWindow,
			KeyGenerator: rateKey,
			LimitReached: func(c *fiber.Ctx) error {
				return intel.Errorf(intel.ERATELIMIT, "too many requests for this token: slow down and retry after the time in Retry-After")
			},
		}))
	}
	s.App.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	s.App.Get("/readyz", s.ready)
	s.App.Get("/metrics", s.Metrics.handler())
	api := s.App.Group("/api/v1", checkQuery, s.authenticate)
	s.routes(api)
	s.ogcRoutes()
	s.webRoutes()
	s.App.Use(func(c *fiber.Ctx) error { return intel.Errorf(intel.ENOTFOUND, "no such route") })
	return s
}

func (s *Server) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := s.DB.Pool.Ping(ctx); err != nil {
		return &intel.Error{Code: intel.EUNAVAILABLE, Message: "the database is unavailable", Err: err}
	}
	if err := s.DB.Ready(ctx); err != nil {
		return err
	}
	body := fiber.Map{"status": "ready"}
	if s.DB.ReadPool != nil {
		// A replica out of use does not make the service unready: reads
		// go to the primary meanwhile.
		inUse, lag := s.DB.ReaderHealthy()
		body["read_replica"] = fiber.Map{"in_use": inUse, "lag_seconds": lag.Seconds()}
	}
	return c.JSON(body)
}

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Content-Security-Policy", s.csp)
	if strings.HasPrefix(c.Path(), "/api/") {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.Next()
}

// timeout bounds each request; the context reaches every database call.
func (s *Server) timeout(c *fiber.Ctx) error {
	return withTimeout(c, s.Config.RequestTimeout)
}

// longTimeout gives the request ReportTimeout instead of RequestTimeout.
func (s *Server) longTimeout(c *fiber.Ctx) error {
	return withTimeout(c, max(s.Config.ReportTimeout, s.Config.RequestTimeout))
}

// withTimeout runs the rest of the request under a context that ends after d.
func withTimeout(c *fiber.Ctx, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// accessLog logs the route pattern, never the path (ids) or query (which may
// hold case references).
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = statusFor(err)
	}
	s.Log.Debug("request", "method", c.Method(), "route", routeOf(c), "status", status, "took", time.Since(start))
	return err
}

// authenticate resolves the bearer token to a principal.
func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return intel.Errorf(intel.EUNAUTHORIZED, "send Authorization: Bearer <token>")
	}
	secret = strings.TrimSpace(secret)
	if len(secret) > oidc.MaxTokenBytes {
		return intel.Errorf(intel.EUNAUTHORIZED, "the token is not valid (unknown, expired or revoked)")
	}
	var p intel.Principal
	var err error
	if s.OIDC != nil && oidc.LooksLikeJWT(secret) {
		p, err = s.OIDC.Verify(c.UserContext(), strings.Clone(secret))
	} else {
		p, err = s.DB.Authenticate(c.UserContext(), strings.Clone(secret))
	}
	if err != nil {
		return err
	}
	c.Locals(principalKey, p)
	return c.Next()
}

type ctxKey int

const principalKey ctxKey = 1

func principal(c *fiber.Ctx) intel.Principal {
	p, _ := c.Locals(principalKey).(intel.Principal)
	return p
}

// rateKey counts requests per token (its hash, never the secret), or per
// client address without one.
func rateKey(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		sum := sha256.Sum256([]byte(h))
		return "t:" + hex.EncodeToString(sum[:16])
	}
	return "ip:" + c.IP()
}

// checkQuery refuses query parameters no parameter can need: invalid UTF-8,
// control characters, or more than 2,000 characters.
func checkQuery(c *fiber.Ctx) error {
	var bad *intel.Error
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		if bad != nil {
			return
		}
		name := string(k)
		switch {
		case !utf8.Valid(k) || !utf8.Valid(v):
			bad = intel.Invalid(name, "must be valid UTF-8")
		case len(v) > 2000:
			bad = intel.Invalid(name, "is longer than 2000 characters")
		case bytes.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			bad = intel.Invalid(name, "must not contain control characters")
		}
	})
	if bad != nil {
		return bad
	}
	return c.Next()
}
