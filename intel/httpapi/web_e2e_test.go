package httpapi_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/demo/demotest"
	"github.com/contextmap/contextmap/intel/httpapi"
	"github.com/contextmap/contextmap/intel/network"
	"github.com/contextmap/contextmap/intel/oidc"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// TestWebMap runs the web map's browser tests (static/e2e, node's test
// runner driving headless chromium through playwright-core) against the real
// server on a loopback port, on a database holding the demo. It fails, never
// skips, when node, chromium or playwright-core are missing: `make
// deps-test` installs them, and CI must prove the page works.
func TestWebMap(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	e2e := filepath.Join(root, "static", "e2e")
	browser := os.Getenv("CONTEXTMAP_CHROMIUM")
	if browser == "" {
		browser = chromiumPath
	}
	node, tests, err := webMapPrereqs(e2e, browser)
	if err != nil {
		t.Fatal(err)
	}

	db := demotest.New(t)
	// Networks are computed in the background by `contextmap serve`; here
	// once, before the page asks for them.
	if err := network.NewRefresher(db, nil).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := newServer(db)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	t.Cleanup(func() { srv.App.ShutdownWithTimeout(5 * time.Second) })

	token := func(role intel.Role, districts ...string) string {
		secret, _, err := db.CreateToken(context.Background(), "browser test "+string(role), role, districts, nil)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	shots := t.TempDir()
	if os.Getenv("CONTEXTMAP_UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join(root, "docs", "screenshots")
	}
	env := append(os.Environ(),
		"CONTEXTMAP_BASE_URL=http://"+ln.Addr().String(),
		"CONTEXTMAP_CHROMIUM="+browser,
		"CONTEXTMAP_SCREENSHOTS="+shots,
		"CONTEXTMAP_TOKEN_ANALYST="+token(intel.RoleAnalyst),
		"CONTEXTMAP_TOKEN_POLICE="+token(intel.RolePolice),
		"CONTEXTMAP_TOKEN_DISTRICT="+token(intel.RoleDistrict, "E07000028"),
		"CONTEXTMAP_TOKEN_PARTNER="+token(intel.RolePartner),
		"CONTEXTMAP_TOKEN_ADMIN="+token(intel.RoleAdmin),
	)

	// A second server, signing in through a fake OpenID Connect provider on
	// loopback (authorisation code with PKCE, as Entra ID does for a
	// single-page application).
	idp := newFakeIdP(t)
	cfg := httpapi.DefaultConfig
	cfg.RateLimit = 0
	cfg.Web.OIDC = &httpapi.WebOIDC{AuthorizationEndpoint: idp.URL + "/authorize", TokenEndpoint: idp.URL + "/token",
		ClientID: fakeClientID, Scope: "openid api://contextmap/access_as_user", Label: "Test IdP"}
	osrv := httpapi.New(db, srv.Log, cfg)
	if osrv.OIDC, err = oidc.New(context.Background(), oidc.Config{Issuer: idp.URL, Audience: "api://contextmap",
		RoleMap: map[string]intel.Role{"ContextMap.District": intel.RoleDistrict}}); err != nil {
		t.Fatal(err)
	}
	oln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go osrv.App.Listener(oln)
	t.Cleanup(func() { osrv.App.ShutdownWithTimeout(5 * time.Second) })
	idp.redirect = "http://" + oln.Addr().String() + "/"
	env = append(env, "CONTEXTMAP_E2E_OIDC_BASE_URL=http://"+oln.Addr().String(), "CONTEXTMAP_E2E_IDP="+idp.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	args := append([]string{"--test", "--test-reporter=spec", "--test-concurrency=1"}, tests...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = e2e
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var tail []string
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		t.Log(line)
		tail = append(tail, line)
		if len(tail) > 60 {
			tail = tail[1:]
		}
	}
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("browser tests failed (%v); screenshots in %s; last lines:\n%s", err, shots, strings.Join(tail, "\n"))
	}
	t.Logf("web map browser tests passed; screenshots in %s", shots)
}

// webMapPrereqs finds node, the browser, playwright-core and the test files,
// or says what to install.
func webMapPrereqs(e2e, browser string) (node string, tests []string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", nil, fmt.Errorf("node is not installed: the web map's browser tests need Node.js 20 or later (then run `make deps-test`)")
	}
	if _, err := os.Stat(browser); err != nil {
		return "", nil, fmt.Errorf("chromium is not installed at %s: run `make deps-test` (apt-get install chromium)", browser)
	}
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core", "package.json")); err != nil {
		return "", nil, fmt.Errorf("playwright-core is not installed: run `make deps-test` (npm ci --prefix static/e2e)")
	}
	tests, err = filepath.Glob(filepath.Join(e2e, "*.test.mjs"))
	if err != nil || len(tests) == 0 {
		return "", nil, fmt.Errorf("no browser tests found in %s", e2e)
	}
	return node, tests, nil
}

// Without a browser or playwright-core the browser tests fail with what to
// install; they are never skipped.
func TestWebMapPrereqsMissing(t *testing.T) {
	e2e, _ := filepath.Abs("../../static/e2e")
	if _, _, err := webMapPrereqs(e2e, "/nonexistent/chromium"); err == nil || !strings.Contains(err.Error(), "make deps-test") {
		t.Errorf("no browser: %v", err)
	}
	empty := t.TempDir()
	if _, _, err := webMapPrereqs(empty, os.Args[0]); err == nil || !strings.Contains(err.Error(), "playwright-core is not installed") {
		t.Errorf("no playwright-core: %v", err)
	}
}

const fakeClientID = "contextmap-web-test"

// fakeIdP is an OpenID Connect provider for the browser test: discovery,
// keys, an authorisation endpoint that signs the user in at once, and a
// token endpoint that checks the PKCE verifier.
type fakeIdP struct {
	*httptest.Server
	redirect string // the only redirect URI allowed
	mu       sync.Mutex
	codes    map[string]string // code -> S256 challenge
}

func newFakeIdP(t *testing.T) *fakeIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIdP{codes: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": f.URL, "jwks_uri": f.URL + "/jwks",
				"authorization_endpoint": f.URL + "/authorize", "token_endpoint": f.URL + "/token"})
		case "/jwks":
			json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
		case "/authorize":
			q := r.URL.Query()
			if q.Get("client_id") != fakeClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") != f.redirect ||
				q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("state") == "" {
				http.Error(w, "bad authorisation request: "+r.URL.RawQuery, http.StatusBadRequest)
				return
			}
			code := fmt.Sprintf("code-%d", time.Now().UnixNano())
			f.mu.Lock()
			f.codes[code] = q.Get("code_challenge")
			f.mu.Unlock()
			http.Redirect(w, r, f.redirect+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
		case "/token":
			// The browser calls this from the web map's origin (CORS).
			w.Header().Set("Access-Control-Allow-Origin", strings.TrimSuffix(f.redirect, "/"))
			if r.Method != http.MethodPost || r.ParseForm() != nil {
				http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
				return
			}
			f.mu.Lock()
			challenge, ok := f.codes[r.PostForm.Get("code")]
			delete(f.codes, r.PostForm.Get("code")) // single use
			f.mu.Unlock()
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge || r.PostForm.Get("grant_type") != "authorization_code" ||
				r.PostForm.Get("client_id") != fakeClientID || r.PostForm.Get("redirect_uri") != f.redirect {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"error":"invalid_grant","error_description":"code or verifier does not match"}`))
				return
			}
			claims, _ := json.Marshal(map[string]any{"iss": f.URL, "aud": "api://contextmap", "sub": "user-1", "oid": "oid-1",
				"preferred_username": "jo@council.example", "roles": []string{"ContextMap.District"}, "districts": []string{"E07000028"},
				"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()})
			jws, err := signer.Sign(claims)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			tok, _ := jws.CompactSerialize()
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}
