package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/contextmap/contextmap/intel"
)

const audience = "api://contextmap-test"

// t0 is the verifier's clock in these tests; tokens are dated around it.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var roleMap = map[string]intel.Role{
	"ContextMap.Admin":    intel.RoleAdmin,
	"ContextMap.Analyst":  intel.RoleAnalyst,
	"ContextMap.Police":   intel.RolePolice,
	"ContextMap.District": intel.RoleDistrict,
	"ContextMap.Partner":  intel.RolePartner,
}

// keys are generated once: RSA generation is slow.
var keys = sync.OnceValue(func() (k struct {
	rsa1, rsa2, foreign *rsa.PrivateKey
	ec1                 *ecdsa.PrivateKey
}) {
	var err error
	for _, p := range []**rsa.PrivateKey{&k.rsa1, &k.rsa2, &k.foreign} {
		if *p, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	}
	if k.ec1, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	return k
})

// issuer is a loopback OIDC issuer serving discovery and a JWKS that a test
// may change, counting JWKS fetches.
type issuer struct {
	srv        *httptest.Server
	mu         sync.Mutex
	jwks       []byte
	docIssuer  string // "" means the server's own URL
	jwksStatus int
	fetches    atomic.Int64
}

func newIssuer(t testing.TB, pubs ...jose.JSONWebKey) *issuer {
	t.Helper()
	is := &issuer{jwksStatus: http.StatusOK}
	is.setKeys(t, pubs...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		iss := is.docIssuer
		is.mu.Unlock()
		if iss == "" {
			iss = is.srv.URL
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": is.srv.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		is.mu.Lock()
		body, status := is.jwks, is.jwksStatus
		is.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	})
	is.srv = httptest.NewTLSServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) setKeys(t testing.TB, pubs ...jose.JSONWebKey) {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: pubs})
	if err != nil {
		t.Fatal(err)
	}
	is.setRaw(b)
}

func (is *issuer) setRaw(b []byte) {
	is.mu.Lock()
	is.jwks = b
	is.mu.Unlock()
}

func pub(key any, kid, alg string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: "sig"}
}

func defaultKeys() []jose.JSONWebKey {
	k := keys()
	return []jose.JSONWebKey{
		pub(&k.rsa1.PublicKey, "rsa1", "RS256"),
		pub(&k.ec1.PublicKey, "ec1", ""), // no alg: the key type decides
	}
}

func newVerifier(t *testing.T, is *issuer) *Verifier {
	t.Helper()
	v, err := New(context.Background(), Config{
		Issuer:     is.srv.URL,
		Audience:   audience,
		RoleMap:    roleMap,
		HTTPClient: is.srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	v.now = func() time.Time { return t0 }
	return v
}

// claimsFor returns valid claims for is with the given roles; edit decides
// the rest.
func claimsFor(is *issuer, roles ...string) map[string]any {
	return map[string]any{
		"iss":                is.srv.URL,
		"aud":                audience,
		"exp":                t0.Add(time.Hour).Unix(),
		"nbf":                t0.Add(-time.Minute).Unix(),
		"iat":                t0.Add(-time.Minute).Unix(),
		"oid":                "0a1b2c3d-0000-4000-8000-000000000001",
		"sub":                "pairwise-sub",
		"preferred_username": "a.analyst@example.org",
		"roles":              roles,
	}
}

func sign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims any, opts ...func(*jose.SignerOptions)) string {
	t.Helper()
	o := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		o = o.WithHeader("kid", kid)
	}
	for _, f := range opts {
		f(o)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, o)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func rsaPublicPEM(k *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// wantRefusal checks that err is an EUNAUTHORIZED *intel.Error whose message
// contains want and whose text nowhere echoes the token. It may be called
// from any goroutine.
func wantRefusal(t *testing.T, err error, want, token string) {
	t.Helper()
	var e *intel.Error
	if !errors.As(err, &e) {
		t.Errorf("err = %v (%T), want *intel.Error", err, err)
		return
	}
	if e.Code != intel.EUNAUTHORIZED {
		t.Errorf("code = %q, want %q", e.Code, intel.EUNAUTHORIZED)
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("message = %q, want it to contain %q (cause: %v)", e.Message, want, e.Err)
	}
	if e.Err == nil {
		t.Errorf("no cause kept for the log")
	}
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 16 && strings.Contains(e.Error(), part) {
			t.Errorf("error text echoes part of the token: %q", e.Error())
		}
	}
}

func TestVerify(t *testing.T) {
	k := keys()
	is := newIssuer(t, defaultKeys()...)
	// The verifier is shared: the first case fetches the keys and the rest
	// run inside the rate limit, so unknown kids below cost no fetch.
	v := newVerifier(t, is)

	with := func(roles []string, edit func(map[string]any)) map[string]any {
		c := claimsFor(is, roles...)
		if edit != nil {
			edit(c)
		}
		return c
	}
	analyst := []string{"ContextMap.Analyst"}
	rs := func(c map[string]any) string { return sign(t, jose.RS256, k.rsa1, "rsa1", c) }
	valid := rs(with(analyst, nil))
	parts := strings.Split(valid, ".")

	tests := []struct {
		name  string
		token string
		want  intel.Principal // when wantErr is ""
		// wantErr is part of the expected message.
		wantErr string
	}{
		{
			name:  "valid RS256, analyst",
			token: valid,
			want:  intel.Principal{Subject: "oidc:0a1b2c3d-0000-4000-8000-000000000001", Label: "a.analyst@example.org", Role: intel.RoleAnalyst},
		},
		{
			name: "valid ES256, district with array of districts, other app roles ignored",
			token: sign(t, jose.ES256, k.ec1, "ec1", with([]string{"Other.Role", "ContextMap.District"}, func(c map[string]any) {
				c["districts"] = []string{"north", "south", "north"}
			})),
			want: intel.Principal{Subject: "oidc:0a1b2c3d-0000-4000-8000-000000000001", Label: "a.analyst@example.org", Role: intel.RoleDistrict, Districts: []string{"north", "south"}},
		},
		{
			name: "district codes in one space- and comma-separated string",
			token: rs(with([]string{"ContextMap.District"}, func(c map[string]any) {
				c["districts"] = "north, south east"
			})),
			want: intel.Principal{Subject: "oidc:0a1b2c3d-0000-4000-8000-000000000001", Label: "a.analyst@example.org", Role: intel.RoleDistrict, Districts: []string{"north", "south", "east"}},
		},
		{
			name: "role claim as a single string; sub and name fallbacks",
			token: rs(with(nil, func(c map[string]any) {
				c["roles"] = "ContextMap.Partner"
				delete(c, "oid")
				delete(c, "preferred_username")
				c["name"] = "Partner\nAgency\u202e"
			})),
			want: intel.Principal{Subject: "oidc:pairwise-sub", Label: "PartnerAgency", Role: intel.RolePartner},
		},
		{
			name: "label falls back to the subject; aud as an array; exp within leeway",
			token: rs(with([]string{"ContextMap.Police"}, func(c map[string]any) {
				delete(c, "preferred_username")
				c["aud"] = []string{"other", audience}
				c["exp"] = t0.Add(-30 * time.Second).Unix()
			})),
			want: intel.Principal{Subject: "oidc:0a1b2c3d-0000-4000-8000-000000000001", Label: "0a1b2c3d-0000-4000-8000-000000000001", Role: intel.RolePolice},
		},
		{
			name:    "expired",
			token:   rs(with(analyst, func(c map[string]any) { c["exp"] = t0.Add(-2 * time.Minute).Unix() })),
			wantErr: "expired",
		},
		{
			name:    "no exp",
			token:   rs(with(analyst, func(c map[string]any) { delete(c, "exp") })),
			wantErr: "no expiry",
		},
		{
			name:    "exp as a string",
			token:   rs(with(analyst, func(c map[string]any) { c["exp"] = fmt.Sprint(t0.Add(time.Hour).Unix()) })),
			wantErr: "claims are malformed",
		},
		{
			name:    "not yet valid (nbf)",
			token:   rs(with(analyst, func(c map[string]any) { c["nbf"] = t0.Add(5 * time.Minute).Unix() })),
			wantErr: "not yet valid",
		},
		{
			name:    "issued in the future (iat)",
			token:   rs(with(analyst, func(c map[string]any) { c["iat"] = t0.Add(5 * time.Minute).Unix() })),
			wantErr: "not yet valid",
		},
		{
			name:    "wrong audience",
			token:   rs(with(analyst, func(c map[string]any) { c["aud"] = "api://someone-else" })),
			wantErr: "another audience",
		},
		{
			name:    "no audience",
			token:   rs(with(analyst, func(c map[string]any) { delete(c, "aud") })),
			wantErr: "another audience",
		},
		{
			name:    "wrong issuer",
			token:   rs(with(analyst, func(c map[string]any) { c["iss"] = "https://login.example.com/evil/v2.0" })),
			wantErr: "another issuer",
		},
		{
			name:    "issuer with a trailing slash is another issuer",
			token:   rs(with(analyst, func(c map[string]any) { c["iss"] = is.srv.URL + "/" })),
			wantErr: "another issuer",
		},
		{
			name:    "signed by a key not in the JWKS, under a known kid",
			token:   sign(t, jose.RS256, k.foreign, "rsa1", with(analyst, nil)),
			wantErr: "signature is not valid",
		},
		{
			name:    "signed by a key not in the JWKS, under an unknown kid",
			token:   sign(t, jose.RS256, k.foreign, "attacker", with(analyst, nil)),
			wantErr: "signing key is unknown",
		},
		{
			name: "signed by a foreign key embedded in the header (jwk)",
			token: sign(t, jose.RS256, k.foreign, "rsa1", with(analyst, nil), func(o *jose.SignerOptions) {
				o.EmbedJWK = true
			}),
			wantErr: "signature is not valid",
		},
		{
			name: "tampered payload (role raised)",
			token: parts[0] + "." + b64(func() string {
				b, _ := json.Marshal(with([]string{"ContextMap.Admin"}, nil))
				return string(b)
			}()) + "." + parts[2],
			wantErr: "signature is not valid",
		},
		{
			name:    "tampered signature",
			token:   parts[0] + "." + parts[1] + "." + b64("not the signature at all, but long enough"),
			wantErr: "signature is not valid",
		},
		{
			name:    "alg none, empty signature",
			token:   b64(`{"alg":"none","kid":"rsa1"}`) + "." + parts[1] + ".",
			wantErr: "malformed",
		},
		{
			name:    "alg none, some signature",
			token:   b64(`{"alg":"none","kid":"rsa1"}`) + "." + parts[1] + "." + parts[2],
			wantErr: "refused algorithm",
		},
		{
			name:    "alg None (case games)",
			token:   b64(`{"alg":"None","kid":"rsa1"}`) + "." + parts[1] + "." + parts[2],
			wantErr: "refused algorithm",
		},
		{
			name:    "HS256 with the RSA public key PEM as HMAC secret (alg confusion)",
			token:   sign(t, jose.HS256, rsaPublicPEM(&k.rsa1.PublicKey), "rsa1", with(analyst, nil)),
			wantErr: "refused algorithm",
		},
		{
			name: "HS256 with the RSA public key DER as HMAC secret",
			token: sign(t, jose.HS256, func() []byte {
				b, _ := x509.MarshalPKIXPublicKey(&k.rsa1.PublicKey)
				return b
			}(), "rsa1", with(analyst, nil)),
			wantErr: "refused algorithm",
		},
		{
			name:    "ES256 header naming the RSA key",
			token:   sign(t, jose.ES256, k.ec1, "rsa1", with(analyst, nil)),
			wantErr: "does not match its signing key",
		},
		{
			name:    "RS256 header naming the EC key",
			token:   sign(t, jose.RS256, k.rsa1, "ec1", with(analyst, nil)),
			wantErr: "does not match its signing key",
		},
		{
			name:    "PS256 with an RSA key whose JWK pins RS256",
			token:   sign(t, jose.PS256, k.rsa1, "rsa1", with(analyst, nil)),
			wantErr: "does not match its signing key",
		},
		{
			name:    "no kid",
			token:   sign(t, jose.RS256, k.rsa1, "", with(analyst, nil)),
			wantErr: "names no signing key",
		},
		{
			name:    "no role claim",
			token:   rs(with(nil, func(c map[string]any) { delete(c, "roles") })),
			wantErr: "no contextmap role in token",
		},
		{
			name:    "only unmapped roles",
			token:   rs(with([]string{"ContextMap.Superuser", "contextmap.analyst"}, nil)),
			wantErr: "no contextmap role in token",
		},
		{
			name:    "role claim of the wrong type",
			token:   rs(with(nil, func(c map[string]any) { c["roles"] = map[string]any{"ContextMap.Admin": true} })),
			wantErr: "role claim is malformed",
		},
		{
			name:    "two different contextmap roles",
			token:   rs(with([]string{"ContextMap.Admin", "ContextMap.Analyst"}, nil)),
			wantErr: "more than one contextmap role",
		},
		{
			name:    "district role without districts",
			token:   rs(with([]string{"ContextMap.District"}, nil)),
			wantErr: "no districts",
		},
		{
			name:    "district role with an empty districts string",
			token:   rs(with([]string{"ContextMap.District"}, func(c map[string]any) { c["districts"] = " , " })),
			wantErr: "no districts",
		},
		{
			name:    "district role with a malformed code",
			token:   rs(with([]string{"ContextMap.District"}, func(c map[string]any) { c["districts"] = []string{"north", "x'; DROP TABLE people; --"} })),
			wantErr: "district claim is malformed",
		},
		{
			name:    "no subject",
			token:   rs(with(analyst, func(c map[string]any) { delete(c, "oid"); delete(c, "sub") })),
			wantErr: "no subject",
		},
		{
			name:    "subject with control characters",
			token:   rs(with(analyst, func(c map[string]any) { c["oid"] = "abc\ndef" })),
			wantErr: "subject is malformed",
		},
		{
			name:    "payload is not an object",
			token:   sign(t, jose.RS256, k.rsa1, "rsa1", []string{"iss", "aud"}),
			wantErr: "claims are malformed",
		},
		{
			name:    "oversized token",
			token:   rs(with(analyst, func(c map[string]any) { c["pad"] = strings.Repeat("x", MaxTokenBytes) })),
			wantErr: "too large",
		},
		{
			name: "same signature spelt with stray base64 bits",
			token: func() string {
				// 256 signature bytes take 342 characters, 4 bits to spare:
				// flipping the lowest changes the text, not the bytes.
				const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
				sig := parts[2]
				i := strings.IndexByte(alphabet, sig[len(sig)-1])
				return parts[0] + "." + parts[1] + "." + sig[:len(sig)-1] + string(alphabet[i^1])
			}(),
			wantErr: "malformed",
		},
		{name: "empty", token: "", wantErr: "Bearer"},
		{name: "garbage", token: "hello", wantErr: "malformed"},
		{name: "API token shape", token: "cm_" + b64("0123456789abcdef0123456789abcdef"), wantErr: "malformed"},
		{name: "two parts", token: parts[0] + "." + parts[1], wantErr: "malformed"},
		{name: "four parts", token: valid + "." + parts[2], wantErr: "malformed"},
		{name: "dots only", token: "..", wantErr: "malformed"},
		{name: "standard base64 with padding", token: parts[0] + "==." + parts[1] + "." + parts[2], wantErr: "malformed"},
		{name: "JSON serialization", token: `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, wantErr: "malformed"},
		{name: "header is not JSON", token: b64("not json") + "." + parts[1] + "." + parts[2], wantErr: "malformed"},
		{name: "bearer prefix left in", token: "Bearer " + valid, wantErr: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), tt.token)
			if tt.wantErr != "" {
				wantRefusal(t, err, tt.wantErr, tt.token)
				if p.Role != "" || p.Subject != "" {
					t.Errorf("refused token still gave principal %+v", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if p.Subject != tt.want.Subject || p.Label != tt.want.Label || p.Role != tt.want.Role || !slices.Equal(p.Districts, tt.want.Districts) {
				t.Errorf("principal = %+v, want %+v", p, tt.want)
			}
		})
	}
	if n := is.fetches.Load(); n > 1 {
		t.Errorf("JWKS fetched %d times over the table, want at most 1", n)
	}
}

func TestKeyRotationAndRefreshLimit(t *testing.T) {
	k := keys()
	is := newIssuer(t, pub(&k.rsa1.PublicKey, "rsa1", "RS256"))
	v := newVerifier(t, is)
	var mu sync.Mutex
	now := t0
	v.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	claims := func() map[string]any {
		c := claimsFor(is, "ContextMap.Analyst")
		c["exp"] = now.Add(2 * time.Hour).Unix()
		return c
	}
	ctx := context.Background()

	if _, err := v.Verify(ctx, sign(t, jose.RS256, k.rsa1, "rsa1", claims())); err != nil {
		t.Fatalf("first token: %v", err)
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("fetches after first token = %d, want 1 (lazy discovery)", n)
	}

	// The issuer rotates in rsa2. A token under it, once the rate limit has
	// passed, causes exactly one refresh and is accepted.
	is.setKeys(t, pub(&k.rsa1.PublicKey, "rsa1", "RS256"), pub(&k.rsa2.PublicKey, "rsa2", "RS256"))
	advance(minRefresh + time.Second)
	rotated := sign(t, jose.RS256, k.rsa2, "rsa2", claims())
	if _, err := v.Verify(ctx, rotated); err != nil {
		t.Fatalf("token under the rotated key: %v", err)
	}
	if _, err := v.Verify(ctx, rotated); err != nil {
		t.Fatalf("token under the rotated key, again: %v", err)
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("fetches after rotation = %d, want 2", n)
	}

	// A burst of unknown kids, concurrent, after the limit has passed: at
	// most one refresh between them.
	burst := func() {
		toks := make([]string, 200)
		for i := range toks {
			toks[i] = sign(t, jose.RS256, k.foreign, fmt.Sprintf("bogus-%d", i), claims())
		}
		var wg sync.WaitGroup
		for _, tok := range toks {
			wg.Go(func() {
				_, err := v.Verify(ctx, tok)
				wantRefusal(t, err, "signing key is unknown", tok)
			})
		}
		wg.Wait()
	}
	advance(minRefresh + time.Second)
	burst()
	if n := is.fetches.Load(); n != 3 {
		t.Fatalf("fetches after a burst of unknown kids = %d, want 3 (one refresh)", n)
	}
	burst()
	if n := is.fetches.Load(); n != 3 {
		t.Fatalf("fetches after a second burst inside the limit = %d, want 3 (none)", n)
	}
	// Known keys keep working during the limit.
	if _, err := v.Verify(ctx, sign(t, jose.RS256, k.rsa1, "rsa1", claims())); err != nil {
		t.Fatalf("known key inside the limit: %v", err)
	}

	// The issuer drops rsa1. Once the cached set is older than maxKeyAge,
	// the next token under rsa1 refreshes the set and is refused.
	is.setKeys(t, pub(&k.rsa2.PublicKey, "rsa2", "RS256"))
	advance(maxKeyAge)
	tok := sign(t, jose.RS256, k.rsa1, "rsa1", claims())
	_, err := v.Verify(ctx, tok)
	wantRefusal(t, err, "signing key is unknown", tok)
	if n := is.fetches.Load(); n != 4 {
		t.Fatalf("fetches after the stale set = %d, want 4", n)
	}

	// The issuer goes down. Stale keys still verify (one failed refresh).
	is.mu.Lock()
	is.jwksStatus = http.StatusServiceUnavailable
	is.mu.Unlock()
	advance(maxKeyAge)
	if _, err := v.Verify(ctx, sign(t, jose.RS256, k.rsa2, "rsa2", claims())); err != nil {
		t.Fatalf("stale key while the issuer is down: %v", err)
	}
	if n := is.fetches.Load(); n != 5 {
		t.Fatalf("fetches while down = %d, want 5", n)
	}
}

func TestIssuerFailures(t *testing.T) {
	k := keys()
	ctx := context.Background()

	t.Run("issuer down at start: New succeeds, tokens are refused", func(t *testing.T) {
		is := newIssuer(t, defaultKeys()...)
		v := newVerifier(t, is)
		is.srv.Close()
		tok := sign(t, jose.RS256, k.rsa1, "rsa1", claimsFor(is, "ContextMap.Analyst"))
		_, err := v.Verify(ctx, tok)
		wantRefusal(t, err, "signing keys are not available", tok)
	})

	tests := []struct {
		name  string
		setup func(is *issuer)
	}{
		{"discovery names another issuer", func(is *issuer) { is.docIssuer = "https://evil.example.com" }},
		{"JWKS over the size limit", func(is *issuer) {
			is.jwks = []byte(`{"keys":[],"pad":"` + strings.Repeat("x", maxDocBytes) + `"}`)
		}},
		{"JWKS not JSON", func(is *issuer) { is.jwks = []byte("<html>") }},
		{"JWKS error status", func(is *issuer) { is.jwksStatus = http.StatusInternalServerError }},
		{"JWKS holds only a symmetric key", func(is *issuer) {
			b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: rsaPublicPEM(&k.rsa1.PublicKey), KeyID: "rsa1"}}})
			is.jwks = b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := newIssuer(t, defaultKeys()...)
			is.mu.Lock()
			tt.setup(is)
			is.mu.Unlock()
			v := newVerifier(t, is)
			tok := sign(t, jose.RS256, k.rsa1, "rsa1", claimsFor(is, "ContextMap.Analyst"))
			_, err := v.Verify(ctx, tok)
			wantRefusal(t, err, "signing keys are not available", tok)
		})
	}

	t.Run("JWKS with a symmetric key beside the RSA key: HS256 still refused", func(t *testing.T) {
		is := newIssuer(t)
		secret := []byte("0123456789abcdef0123456789abcdef")
		b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			pub(&k.rsa1.PublicKey, "rsa1", "RS256"),
			{Key: secret, KeyID: "oct1"},
		}})
		is.setRaw(b)
		v := newVerifier(t, is)
		tok := sign(t, jose.HS256, secret, "oct1", claimsFor(is, "ContextMap.Admin"))
		_, err := v.Verify(ctx, tok)
		wantRefusal(t, err, "refused algorithm", tok)
		if _, err := v.Verify(ctx, sign(t, jose.RS256, k.rsa1, "rsa1", claimsFor(is, "ContextMap.Admin"))); err != nil {
			t.Fatalf("RSA key beside the symmetric one: %v", err)
		}
	})

	t.Run("JWKS with a key of an unknown type beside the RSA key", func(t *testing.T) {
		is := newIssuer(t)
		rsaJSON, _ := json.Marshal(pub(&k.rsa1.PublicKey, "rsa1", "RS256"))
		is.setRaw([]byte(`{"keys":[{"kty":"XYZ","kid":"odd"},` + string(rsaJSON) + `]}`))
		v := newVerifier(t, is)
		if _, err := v.Verify(ctx, sign(t, jose.RS256, k.rsa1, "rsa1", claimsFor(is, "ContextMap.Analyst"))); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	t.Run("JWKS key marked for encryption is not used", func(t *testing.T) {
		is := newIssuer(t, jose.JSONWebKey{Key: &k.rsa1.PublicKey, KeyID: "rsa1", Use: "enc"}, pub(&k.ec1.PublicKey, "ec1", "ES256"))
		v := newVerifier(t, is)
		tok := sign(t, jose.RS256, k.rsa1, "rsa1", claimsFor(is, "ContextMap.Analyst"))
		_, err := v.Verify(ctx, tok)
		wantRefusal(t, err, "signing key is unknown", tok)
	})

	t.Run("cancelled request while waiting for keys", func(t *testing.T) {
		is := newIssuer(t, defaultKeys()...)
		v := newVerifier(t, is)
		v.keys.sem <- struct{}{} // a refresh is under way
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		tok := sign(t, jose.RS256, k.rsa1, "rsa1", claimsFor(is, "ContextMap.Analyst"))
		_, err := v.Verify(cctx, tok)
		wantRefusal(t, err, "signing keys are not available", tok)
		<-v.keys.sem
	})
}

func TestNew(t *testing.T) {
	ok := Config{Issuer: "https://login.microsoftonline.com/tenant/v2.0", Audience: "api://x", RoleMap: roleMap}
	tests := []struct {
		name string
		edit func(*Config)
		err  string
	}{
		{"valid", func(*Config) {}, ""},
		{"loopback http issuer", func(c *Config) { c.Issuer = "http://127.0.0.1:8080/realms/x" }, ""},
		{"localhost http issuer", func(c *Config) { c.Issuer = "http://localhost:8080" }, ""},
		{"no issuer", func(c *Config) { c.Issuer = "" }, "issuer"},
		{"http issuer off loopback", func(c *Config) { c.Issuer = "http://login.example.com/t" }, "https"},
		{"relative issuer", func(c *Config) { c.Issuer = "login.example.com" }, "absolute"},
		{"issuer with query", func(c *Config) { c.Issuer = "https://login.example.com/?x=1" }, "absolute"},
		{"issuer with user", func(c *Config) { c.Issuer = "https://u:p@login.example.com/" }, "absolute"},
		{"no audience", func(c *Config) { c.Audience = " " }, "audience"},
		{"no role map", func(c *Config) { c.RoleMap = nil }, "role map"},
		{"unknown role", func(c *Config) { c.RoleMap = map[string]intel.Role{"X": "root"} }, "unknown role"},
		{"empty claim value", func(c *Config) { c.RoleMap = map[string]intel.Role{"": "admin"} }, "empty claim"},
		{"negative leeway", func(c *Config) { c.Leeway = -time.Second }, "leeway"},
		{"huge leeway", func(c *Config) { c.Leeway = time.Hour }, "leeway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			v, err := New(context.Background(), c)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if v.cfg.RoleClaim != "roles" || v.cfg.DistrictClaim != "districts" || v.cfg.Leeway != 60*time.Second || v.cfg.HTTPClient == nil {
					t.Errorf("defaults not applied: %+v", v.cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("New: err = %v, want one containing %q", err, tt.err)
			}
		})
	}

	t.Run("role map is copied", func(t *testing.T) {
		c := ok
		c.RoleMap = map[string]intel.Role{"A": intel.RolePartner}
		v, err := New(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		c.RoleMap["A"] = intel.RoleAdmin
		if v.cfg.RoleMap["A"] != intel.RolePartner {
			t.Error("changing the caller's map changed the verifier's")
		}
	})
}

func TestParseRoleMap(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]intel.Role
		err  bool
	}{
		{in: "ContextMap.Analyst=analyst,ContextMap.Police=police", want: map[string]intel.Role{"ContextMap.Analyst": "analyst", "ContextMap.Police": "police"}},
		{in: " A = admin , B=district, ", want: map[string]intel.Role{"A": "admin", "B": "district"}},
		{in: "A=partner,B=partner", want: map[string]intel.Role{"A": "partner", "B": "partner"}},
		{in: "", err: true},
		{in: " , ", err: true},
		{in: "A", err: true},
		{in: "=admin", err: true},
		{in: "A=root", err: true},
		{in: "A=Admin", err: true},
		{in: "A=admin,A=analyst", err: true},
		{in: "A=admin=analyst", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRoleMap(tt.in)
			if tt.err {
				if err == nil {
					t.Fatalf("ParseRoleMap(%q) = %v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRoleMap(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, r := range tt.want {
				if got[k] != r {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	full := map[string]string{
		EnvIssuer:        "https://login.microsoftonline.com/tid/v2.0",
		EnvAudience:      "11111111-2222-3333-4444-555555555555",
		EnvRoleClaim:     "roles",
		EnvRoleMap:       "ContextMap.Analyst=analyst,ContextMap.District=district",
		EnvDistrictClaim: "extn.districts",
	}
	env := func(m map[string]string, drop ...string) func(string) string {
		return func(k string) string {
			if slices.Contains(drop, k) {
				return ""
			}
			return m[k]
		}
	}

	c, err := ConfigFromEnv(env(full))
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != full[EnvIssuer] || c.Audience != full[EnvAudience] || c.DistrictClaim != "extn.districts" || c.RoleMap["ContextMap.District"] != intel.RoleDistrict {
		t.Errorf("config = %+v", c)
	}
	if _, err := New(context.Background(), *c); err != nil {
		t.Errorf("New on the env config: %v", err)
	}

	c, err = ConfigFromEnv(env(full, EnvIssuer))
	if c != nil || err != nil {
		t.Errorf("no issuer: got %v, %v; want nil, nil", c, err)
	}
	for _, drop := range []string{EnvAudience, EnvRoleMap} {
		if _, err := ConfigFromEnv(env(full, drop)); err == nil || !strings.Contains(err.Error(), drop) {
			t.Errorf("without %s: err = %v, want one naming it", drop, err)
		}
	}
	bad := map[string]string{EnvIssuer: "http://idp.example.com", EnvAudience: "a", EnvRoleMap: "A=admin"}
	if _, err := ConfigFromEnv(env(bad)); err == nil {
		t.Error("plain http issuer accepted")
	}
	bad = map[string]string{EnvIssuer: full[EnvIssuer], EnvAudience: "a", EnvRoleMap: "A=god"}
	if _, err := ConfigFromEnv(env(bad)); err == nil || !strings.Contains(err.Error(), EnvRoleMap) {
		t.Errorf("bad role map: err = %v", err)
	}
}

func TestLooksLikeJWT(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", true},
		{"a.b.c", true},
		{"a-_.b.c", true},
		{"", false},
		{"..", false},
		{"a.b.", false},
		{"a.b", false},
		{"a.b.c.d", false},
		{"a+/.b.c", false},
		{"a=.b.c", false},
		{"a. b.c", false},
		{"cm_abcdef", false},
	}
	for _, tt := range tests {
		if got := LooksLikeJWT(tt.in); got != tt.want {
			t.Errorf("LooksLikeJWT(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzVerify checks that no input panics and none but the valid seeds gets
// through: every other token is refused with an EUNAUTHORIZED *intel.Error.
// The fuzzer mutates the valid seeds.
func FuzzVerify(f *testing.F) {
	k := keys()
	is := newIssuer(f, defaultKeys()...)
	v, err := New(context.Background(), Config{Issuer: is.srv.URL, Audience: audience, RoleMap: roleMap, HTTPClient: is.srv.Client()})
	if err != nil {
		f.Fatal(err)
	}
	v.now = func() time.Time { return t0 }
	district := claimsFor(is, "ContextMap.District")
	district["districts"] = "north south"
	valid := []string{
		sign(f, jose.RS256, k.rsa1, "rsa1", claimsFor(is, "ContextMap.Analyst")),
		sign(f, jose.ES256, k.ec1, "ec1", district),
	}
	for _, tok := range valid {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			f.Fatalf("seed token refused: %v", err)
		}
		f.Add(tok)
	}
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := v.Verify(context.Background(), tok)
		if err == nil {
			if !slices.Contains(valid, tok) {
				t.Fatalf("accepted a token other than the seed: %q -> %+v", tok, p)
			}
			return
		}
		if intel.ErrorCode(err) != intel.EUNAUTHORIZED {
			t.Fatalf("err = %v, want EUNAUTHORIZED", err)
		}
	})
}
