package httpapi_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/oidc"
)

// An OIDC access token from an issuer on loopback signs a caller in through
// the HTTP layer, with role and districts from its claims; the package's own
// tests cover every refusal.
func TestOIDCBearerTokenThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
		case "/jwks":
			_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	v, err := oidc.New(context.Background(), oidc.Config{Issuer: srv.URL, Audience: "api://contextmap",
		RoleMap: map[string]intel.Role{"ContextMap.District": intel.RoleDistrict}})
	if err != nil {
		t.Fatal(err)
	}
	h.srv.OIDC = v
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	token := func(aud string, exp time.Time) string {
		claims, _ := json.Marshal(map[string]any{"iss": srv.URL, "aud": aud, "sub": "user-1", "oid": "oid-1",
			"preferred_username": "jo@council.example", "roles": []string{"ContextMap.District"}, "districts": []string{"E07000028"},
			"iat": time.Now().Add(-time.Minute).Unix(), "exp": exp.Unix()})
		jws, err := signer.Sign(claims)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := jws.CompactSerialize()
		return s
	}
	me := h.must(200, token("api://contextmap", time.Now().Add(time.Hour)), "GET", "/api/v1/me", nil)
	if me["role"] != "district" || me["label"] != "jo@council.example" || me["districts"].([]any)[0] != "E07000028" {
		t.Fatalf("me: %v", me)
	}
	for name, tok := range map[string]string{
		"expired":        token("api://contextmap", time.Now().Add(-time.Hour)),
		"wrong audience": token("api://other", time.Now().Add(time.Hour)),
	} {
		if r := h.do(tok, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("%s: %d, want 401", name, r.Status)
		}
	}
}
