package httpapi_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

var hostile = []string{
	`' OR '1'='1`, `'; DROP TABLE people; --`, `" OR ""="`, `\'; SELECT pg_sleep(5); --`, `%' AND 1=1 --`,
	"\x00", "日本語", `<script>alert(1)</script>`, `{"$gt": ""}`, strings.Repeat("A", 5000), "-1", "1e309", "NaN",
}

// Every string query parameter of every list route, with hostile values:
// never a 5xx, never a database error in the body, never a row written.
func TestHostileQueryParameters(t *testing.T) {
	h := newHarness(t)
	fixtures(h, "a")
	before := h.snapshot()
	params := map[string][]string{
		"/api/v1/people":      {"kind", "district", "category", "status", "as_of", "case_ref", "limit", "after"},
		"/api/v1/places":      {"kind", "district", "bbox", "sensitive", "ext_ref", "limit"},
		"/api/v1/groups":      {"district", "ext_ref"},
		"/api/v1/spaces":      {"district", "platform", "ext_ref"},
		"/api/v1/links":       {"kind", "node", "min_grade", "confirmed", "review_due", "ext_ref"},
		"/api/v1/events":      {"kind", "from", "to", "district", "bbox", "place_id", "person_id", "category", "ext_ref"},
		"/api/v1/assessments": {"person_id"},
		"/api/v1/audit":       {"person_id", "actor", "from", "to"},
	}
	for route, names := range params {
		for _, name := range names {
			for _, v := range hostile {
				role := "analyst"
				if route == "/api/v1/audit" {
					role = "admin"
				}
				r := h.do(role, "GET", route+"?"+name+"="+url.QueryEscape(v), nil)
				if r.Status >= 500 {
					t.Errorf("GET %s?%s=%.40q: %d %s", route, name, v, r.Status, r.Body)
				}
				if b := string(r.Body); strings.Contains(b, "SQLSTATE") || strings.Contains(b, "syntax error") || strings.Contains(b, "goroutine") {
					t.Errorf("GET %s?%s: internals leaked: %.200s", route, name, b)
				}
			}
		}
	}
	if h.snapshot() != before {
		t.Fatal("hostile reads changed the database")
	}
}

// Every string field of every body, with hostile values: refused with a 4xx
// naming the field, or stored exactly as sent (parameters, never SQL text).
func TestHostileBodyFields(t *testing.T) {
	h := newHarness(t)
	fx := fixtures(h, "b")
	fields := map[string][]string{
		"people":      {"kind", "pseudonym", "case_ref", "age_band", "district"},
		"places":      {"name", "kind", "urn", "district", "ext_ref"},
		"groups":      {"name", "description", "district", "ext_ref"},
		"spaces":      {"name", "platform", "kind", "district", "ext_ref"},
		"links":       {"kind", "grade", "source_agency", "first_seen", "review_date", "nature", "ext_ref"},
		"events":      {"kind", "from", "category", "grade", "source_agency", "crime_type", "ext_ref"},
		"assessments": {"kind", "completed_on", "risk_level", "agency"},
	}
	n := 0
	for res, names := range fields {
		for _, f := range names {
			for _, v := range hostile {
				n++
				b := body(res, fx, fmt.Sprint(n)).(map[string]any)
				b[f] = v
				before := h.snapshot()
				r := h.do("analyst", "POST", "/api/v1/"+res, b)
				switch {
				case r.Status >= 500:
					t.Errorf("POST %s with %s=%.40q: %d %s", res, f, v, r.Status, r.Body)
				case r.Status >= 400:
					if h.snapshot() != before {
						t.Errorf("POST %s with %s=%.40q refused but wrote", res, f, v)
					}
					if strings.Contains(string(r.Body), "SQLSTATE") {
						t.Errorf("internals leaked: %s", r.Body)
					}
				default:
					got := r.json(t)
					if s, ok := got[f].(string); ok && f != "case_ref" && s != v {
						t.Errorf("POST %s: %s stored as %.40q, sent %.40q", res, f, s, v)
					}
				}
			}
		}
	}
}

// Malformed credentials are refused with 401 and never crash the server.
func TestMalformedTokens(t *testing.T) {
	h := newHarness(t)
	for _, auth := range []string{"Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer cm_x", "Bearer " + strings.Repeat("x", 9000),
		"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "Bearer cm_' OR 1=1 --", "Bearer \x7f\x01", "Token abc"} {
		req, _ := http.NewRequest("GET", "/api/v1/people", nil)
		req.Header["Authorization"] = []string{auth}
		resp, err := h.srv.App.Test(req)
		if err != nil {
			continue // the client library refused to send it: fine
		}
		if resp.StatusCode != 401 && resp.StatusCode != 400 && resp.StatusCode != 431 {
			t.Errorf("Authorization %.30q: %d, want 401", auth, resp.StatusCode)
		}
	}
}

// A flood of headers is refused by the server, which keeps serving.
func TestHeaderFlood(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h.srv.App.Listener(ln)
	t.Cleanup(func() { _ = h.srv.App.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("GET /api/v1/me HTTP/1.1\r\nHost: x\r\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&sb, "X-Flood-%d: %s\r\n", i, strings.Repeat("y", 20))
	}
	sb.WriteString("\r\n")
	go func() { _, _ = conn.Write([]byte(sb.String())) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("header flood: status %d, want a 4xx", resp.StatusCode)
		}
		resp.Body.Close()
	}
	conn.Close()
	// Still serving.
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/healthz", nil)
	r2, err := http.DefaultClient.Do(req)
	if err != nil || r2.StatusCode != 200 {
		t.Fatalf("after the flood: %v %v", err, r2)
	}
	r2.Body.Close()
}
