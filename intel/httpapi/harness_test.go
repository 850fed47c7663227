package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/demo/demotest"
	"github.com/contextmap/contextmap/intel/httpapi"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

// harness is a server on a fresh database with Cumbria's districts and one
// token per role.
type harness struct {
	t      *testing.T
	db     *postgres.DB
	srv    *httpapi.Server
	tokens map[string]string // role name (or "district:CODE") -> secret
}

func districtsTemplate(t *testing.T) string {
	return pgtest.Template(t, "districts", func(ctx context.Context, db *postgres.DB) error {
		b, err := os.ReadFile("../demo/data/cumbria_districts.geojson")
		if err != nil {
			return err
		}
		_, err = db.LoadDistricts(ctx, b, "lad_code", "lad_name")
		return err
	})
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	db := pgtest.FromTemplate(t, districtsTemplate(t))
	h := &harness{t: t, db: db, tokens: map[string]string{}}
	h.srv = newServer(db)
	for _, r := range []intel.Role{intel.RoleAdmin, intel.RoleAnalyst, intel.RolePolice, intel.RolePartner} {
		h.tokens[string(r)] = h.token(r)
	}
	h.tokens["district"] = h.token(intel.RoleDistrict, "E07000028") // Carlisle
	return h
}

func newServer(db *postgres.DB) *httpapi.Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cfg := httpapi.DefaultConfig
	cfg.BodyLimit = 64 << 10
	cfg.RateLimit = 0 // TestRateLimit turns it on
	return httpapi.New(db, log, cfg)
}

func (h *harness) token(role intel.Role, districts ...string) string {
	h.t.Helper()
	secret, _, err := h.db.CreateToken(context.Background(), "test "+string(role), role, districts, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return secret
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// do sends a request as role ("" for no token) with a JSON body (a string
// is sent as is).
func (h *harness) do(role, method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		tok, ok := h.tokens[role]
		if !ok {
			tok = role // a raw token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("X-Purpose", "automated test")
	resp, err := h.srv.App.Test(req, 30_000)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// must sends a request and fails the test unless the status is want.
func (h *harness) must(want int, role, method, path string, body any) map[string]any {
	h.t.Helper()
	r := h.do(role, method, path, body)
	if r.Status != want {
		h.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, role, r.Status, want, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.json(h.t)
}

// snapshot is a checksum of every table's content, to prove a failed
// request wrote nothing.
func (h *harness) snapshot() string {
	h.t.Helper()
	var s string
	err := h.db.Pool.QueryRow(context.Background(), `SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
		SELECT 'people' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM people p), '') AS t
		UNION ALL SELECT 'places' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM places p), '')
		UNION ALL SELECT 'groups' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM peer_groups p), '')
		UNION ALL SELECT 'spaces' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM online_spaces p), '')
		UNION ALL SELECT 'links' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM links p), '')
		UNION ALL SELECT 'events' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM events p), '')
		UNION ALL SELECT 'ep' || coalesce((SELECT string_agg(p::text, ',' ORDER BY event_id, person_id) FROM event_people p), '')
		UNION ALL SELECT 'st' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM person_statuses p), '')
		UNION ALL SELECT 'ca' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM person_categories p), '')
		UNION ALL SELECT 'as' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM assessments p), '')
		UNION ALL SELECT 'nodes' || coalesce((SELECT string_agg(p::text, ',' ORDER BY id) FROM nodes p), '')
	) x`).Scan(&s)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func id(m map[string]any) int64 { return int64(m["id"].(float64)) }

func path(base string, id int64) string { return base + "/" + itoa(id) }

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// doNoPurpose sends a GET without X-Purpose.
func (h *harness) doNoPurpose(role, path string) response {
	h.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens[role])
	resp, err := h.srv.App.Test(req, 30_000)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// newDemoHarness is a server on a fresh copy of the demo, one token per
// role (the district token is Carlisle's).
func newDemoHarness(t *testing.T) *harness {
	t.Helper()
	db := demotest.New(t)
	h := &harness{t: t, db: db, tokens: map[string]string{}}
	h.srv = newServer(db)
	for _, r := range []intel.Role{intel.RoleAdmin, intel.RoleAnalyst, intel.RolePolice, intel.RolePartner} {
		h.tokens[string(r)] = h.token(r)
	}
	h.tokens["district"] = h.token(intel.RoleDistrict, "E07000028")
	h.tokens["eden"] = h.token(intel.RoleDistrict, "E07000030")
	return h
}
