package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/httpapi"
)

func TestRevokedAndExpiredTokens(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	past := time.Now().Add(-time.Minute)
	expired, _, err := h.db.CreateToken(ctx, "expired", intel.RoleAnalyst, nil, &past)
	if err != nil {
		t.Fatal(err)
	}
	revoked, tok, err := h.db.CreateToken(ctx, "revoked", intel.RoleAnalyst, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.must(200, revoked, "GET", "/api/v1/me", nil)
	if err := h.db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{"expired": expired, "revoked": revoked} {
		r := h.do(secret, "GET", "/api/v1/me", nil)
		if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s token: status %d, WWW-Authenticate %q", name, r.Status, r.Header.Get("WWW-Authenticate"))
		}
	}
	// last_used_at is kept.
	ts, err := h.db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.ID == tok.ID && x.LastUsedAt == nil {
			t.Error("last_used_at not recorded")
		}
	}
	// Tokens are stored only as hashes.
	var n int
	if err := h.db.Pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, revoked[3:12]).Scan(&n); err != nil || n != 0 {
		t.Fatalf("token found in clear: n=%d err=%v", n, err)
	}
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	h := newHarness(t)
	cfg := httpapi.DefaultConfig
	cfg.RateLimit = 3
	h.srv = httpapi.New(h.db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	var last response
	for i := 0; i < 4; i++ {
		last = h.do("analyst", "GET", "/api/v1/me", nil)
	}
	if last.Status != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request: status %d Retry-After %q", last.Status, last.Header.Get("Retry-After"))
	}
	// Another token has its own allowance.
	if r := h.do("police", "GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("another token: %d", r.Status)
	}
}

func TestCORSAndSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	cfg := httpapi.DefaultConfig
	cfg.CORSOrigins = []string{"https://maps.example.gov.uk"}
	h.srv = httpapi.New(h.db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	for origin, want := range map[string]string{"https://maps.example.gov.uk": "https://maps.example.gov.uk", "https://evil.example": ""} {
		req := httptest.NewRequest("OPTIONS", "/api/v1/places", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		resp, err := h.srv.App.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q, want %q", origin, got, want)
		}
	}
	r := h.do("analyst", "GET", "/api/v1/places", nil)
	for _, hdr := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"} {
		if r.Header.Get(hdr) == "" {
			t.Errorf("missing %s", hdr)
		}
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("API answers must not be cached: Cache-Control %q", r.Header.Get("Cache-Control"))
	}
}
