// Package oidc verifies OpenID Connect bearer tokens (access tokens from
// Microsoft Entra ID or another issuer that publishes a JWKS) and turns them
// into an intel.Principal. Signatures are checked by go-jose; this package
// decides which algorithms and keys are acceptable and checks the claims.
package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/contextmap/contextmap/intel"
)

// Limits. A token is verified only when it is at most MaxTokenBytes long; the
// discovery document and the JWKS are read up to maxDocBytes.
const (
	MaxTokenBytes   = 16 << 10
	maxDocBytes     = 256 << 10
	maxKeys         = 100
	maxDistricts    = 200
	maxLabelRunes   = 200
	maxSubjectBytes = 256
	maxLeeway       = 5 * time.Minute

	// minRefresh bounds how often the issuer is asked for keys, whatever
	// tokens arrive: a flood of made-up kids costs one fetch per interval.
	minRefresh = 30 * time.Second
	// maxKeyAge makes a key removed by the issuer (rotated out, revoked)
	// stop verifying within this time even if no unknown kid comes along.
	maxKeyAge = time.Hour
	// fetchTimeout bounds a refresh when the caller's HTTPClient has none.
	fetchTimeout = 15 * time.Second
)

// algorithms are the only JWS algorithms accepted: asymmetric signatures
// whose key must come from the issuer's JWKS. "none" and HS* are absent, so
// they fail at parsing, before any key is looked at.
var algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
}

// Config says which issuer to trust and how to read its tokens.
type Config struct {
	// Issuer is the exact "iss" of accepted tokens; its discovery document at
	// Issuer + "/.well-known/openid-configuration" names the JWKS. For Entra
	// ID: https://login.microsoftonline.com/<tenant id>/v2.0
	Issuer string
	// Audience must be one of the token's "aud" values.
	Audience string
	// RoleClaim holds the caller's roles: an array of strings or one string.
	// Default "roles".
	RoleClaim string
	// RoleMap maps a role claim value to a contextmap role. Values not in the
	// map are ignored; a token with none of them is refused.
	RoleMap map[string]intel.Role
	// DistrictClaim holds district codes: an array of strings or one string
	// separated by spaces or commas. Default "districts".
	DistrictClaim string
	// SubjectClaim identifies the caller. Default "oid", then "sub".
	SubjectClaim string
	// NameClaim labels the caller in logs and the audit. Default
	// "preferred_username", then "name"; the subject when both are absent.
	NameClaim string
	// Leeway allows for clock skew on exp, nbf and iat. Default 60 s.
	Leeway time.Duration
	// HTTPClient fetches discovery and the JWKS. Default: 10 s timeout,
	// redirects only to https.
	HTTPClient *http.Client
}

// Verifier checks bearer tokens against one issuer. It is safe for
// concurrent use.
type Verifier struct {
	cfg     Config
	subject []string // claims tried in order
	name    []string
	now     func() time.Time
	keys    *keyCache
}

// New checks cfg and returns a Verifier. It does not contact the issuer (and
// so does not use ctx): keys are fetched when the first token arrives, so the
// service starts even when the issuer is briefly unreachable.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := checkIssuer(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("oidc: issuer: %w", err)
	}
	if strings.TrimSpace(cfg.Audience) == "" {
		return nil, errors.New("oidc: audience is required")
	}
	if len(cfg.RoleMap) == 0 {
		return nil, errors.New("oidc: role map is empty: no token could carry a contextmap role")
	}
	for k, r := range cfg.RoleMap {
		if k == "" {
			return nil, errors.New("oidc: role map has an empty claim value")
		}
		if !r.Valid() {
			return nil, fmt.Errorf("oidc: role map: %q maps to unknown role %q", k, r)
		}
	}
	cfg.RoleMap = maps.Clone(cfg.RoleMap)
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = "roles"
	}
	if cfg.DistrictClaim == "" {
		cfg.DistrictClaim = "districts"
	}
	switch {
	case cfg.Leeway == 0:
		cfg.Leeway = 60 * time.Second
	case cfg.Leeway < 0 || cfg.Leeway > maxLeeway:
		return nil, fmt.Errorf("oidc: leeway %v is outside 0..%v", cfg.Leeway, maxLeeway)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultClient()
	}
	v := &Verifier{
		cfg:     cfg,
		subject: []string{"oid", "sub"},
		name:    []string{"preferred_username", "name"},
		now:     time.Now,
	}
	if cfg.SubjectClaim != "" {
		v.subject = []string{cfg.SubjectClaim}
	}
	if cfg.NameClaim != "" {
		v.name = []string{cfg.NameClaim}
	}
	v.keys = newKeyCache(cfg.Issuer, cfg.HTTPClient, func() time.Time { return v.now() })
	return v, nil
}

// checkIssuer accepts https URLs, and http only on a loopback host (a local
// test issuer): keys fetched over plain http could be swapped in transit.
func checkIssuer(s string) error {
	if s == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be an absolute URL without user, query or fragment", s)
	}
	return checkFetchURL(u)
}

func checkFetchURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q must use https (http only on loopback)", u.Redacted())
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func defaultClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return checkFetchURL(req.URL)
		},
	}
}

// LooksLikeJWT reports whether raw has the shape of a compact JWS: three
// non-empty base64url parts. It says nothing about validity; it lets a caller
// tell JWTs from contextmap's own API tokens, which contain no dots.
func LooksLikeJWT(raw string) bool {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// fail is the one way Verify reports a refusal: a short message safe to show
// the caller, the cause for the log. Neither ever contains the token.
func fail(msg string, cause error) *intel.Error {
	return &intel.Error{Code: intel.EUNAUTHORIZED, Message: msg, Err: cause}
}

// Verify checks raw (the bearer token, without "Bearer ") and returns the
// principal it names. Every refusal is an *intel.Error with code
// EUNAUTHORIZED.
func (v *Verifier) Verify(ctx context.Context, raw string) (intel.Principal, error) {
	if raw == "" {
		return intel.Principal{}, fail("send Authorization: Bearer <token>", errors.New("empty token"))
	}
	if len(raw) > MaxTokenBytes {
		return intel.Principal{}, fail("the token is too large", fmt.Errorf("token of %d bytes, limit %d", len(raw), MaxTokenBytes))
	}
	if !LooksLikeJWT(raw) {
		return intel.Principal{}, fail("the token is malformed", errors.New("not a compact JWS"))
	}
	// go-jose tolerates stray bits at the end of a base64 part; refusing
	// them gives each signed token one spelling.
	for part := range strings.SplitSeq(raw, ".") {
		if _, err := base64.RawURLEncoding.Strict().DecodeString(part); err != nil {
			return intel.Principal{}, fail("the token is malformed", fmt.Errorf("base64url: %w", err))
		}
	}
	jws, err := jose.ParseSignedCompact(raw, algorithms)
	if err != nil {
		return intel.Principal{}, fail("the token is malformed or uses a refused algorithm", err)
	}
	if len(jws.Signatures) != 1 {
		return intel.Principal{}, fail("the token is malformed", fmt.Errorf("%d signatures", len(jws.Signatures)))
	}
	h := jws.Signatures[0].Header
	alg := jose.SignatureAlgorithm(h.Algorithm)
	if h.KeyID == "" {
		return intel.Principal{}, fail("the token names no signing key", errors.New("no kid in header"))
	}
	payload, err := v.verifySignature(ctx, jws, alg, h.KeyID)
	if err != nil {
		return intel.Principal{}, err
	}
	c, err := parseClaims(payload)
	if err != nil {
		return intel.Principal{}, fail("the token's claims are malformed", err)
	}
	if err := v.checkTimes(c); err != nil {
		return intel.Principal{}, err
	}
	if err := v.checkIssuerAudience(c); err != nil {
		return intel.Principal{}, err
	}
	return v.principal(c)
}

// verifySignature finds the JWKS key named kid that suits alg and checks the
// signature with it. The key never comes from the token (jwk, jku, x5u and
// x5c headers are ignored).
func (v *Verifier) verifySignature(ctx context.Context, jws *jose.JSONWebSignature, alg jose.SignatureAlgorithm, kid string) ([]byte, error) {
	keys, err := v.keys.lookup(ctx, kid)
	if err != nil {
		if v.keys.snapshot() == nil {
			return nil, fail("the issuer's signing keys are not available yet", err)
		}
		return nil, fail("the token's signing key is unknown", err)
	}
	tried := 0
	for _, k := range keys {
		if !suits(alg, k) {
			continue
		}
		tried++
		payload, err := jws.Verify(k.Key)
		if err == nil {
			return payload, nil
		}
	}
	if tried == 0 {
		return nil, fail("the token's algorithm does not match its signing key", fmt.Errorf("alg %s with kid %.80q: no key of a matching type", alg, kid))
	}
	return nil, fail("the token's signature is not valid", fmt.Errorf("alg %s, kid %.80q: signature check failed", alg, kid))
}

// suits reports whether key k may verify a signature made with alg: the key
// type and curve follow from alg, never the other way round, and a key that
// declares its own alg must declare this one.
func suits(alg jose.SignatureAlgorithm, k jose.JSONWebKey) bool {
	if k.Algorithm != "" && k.Algorithm != string(alg) {
		return false
	}
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		switch alg {
		case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			return pub.N.BitLen() >= 2048
		}
	case *ecdsa.PublicKey:
		switch alg {
		case jose.ES256:
			return pub.Curve == elliptic.P256()
		case jose.ES384:
			return pub.Curve == elliptic.P384()
		case jose.ES512:
			return pub.Curve == elliptic.P521()
		}
	}
	return false
}

func (v *Verifier) checkTimes(c claims) error {
	now := v.now()
	leeway := v.cfg.Leeway
	exp, ok, err := c.time("exp")
	switch {
	case err != nil:
		return fail("the token's claims are malformed", err)
	case !ok:
		return fail("the token has no expiry", errors.New("no exp claim"))
	case !now.Before(exp.Add(leeway)):
		return fail("the token has expired", fmt.Errorf("exp %s, now %s", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	for _, name := range []string{"nbf", "iat"} {
		t, ok, err := c.time(name)
		if err != nil {
			return fail("the token's claims are malformed", err)
		}
		if ok && t.After(now.Add(leeway)) {
			return fail("the token is not yet valid", fmt.Errorf("%s %s, now %s", name, t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
	}
	return nil
}

func (v *Verifier) checkIssuerAudience(c claims) error {
	iss, ok := c.str("iss")
	if !ok || iss != v.cfg.Issuer {
		return fail("the token is from another issuer", fmt.Errorf("iss %.200q, want %q", iss, v.cfg.Issuer))
	}
	aud, err := c.strings("aud")
	if err != nil {
		return fail("the token's claims are malformed", err)
	}
	for _, a := range aud {
		if a == v.cfg.Audience {
			return nil
		}
	}
	return fail("the token is for another audience", fmt.Errorf("aud %.200q, want %q", aud, v.cfg.Audience))
}
