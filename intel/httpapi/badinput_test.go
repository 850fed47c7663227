package httpapi_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// Each bad input gets a 4xx problem+json naming the field and the reason,
// and the database is unchanged afterwards.
func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	h := newHarness(t)
	yp := id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-1", "E07000028")))
	park := id(h.must(201, "analyst", "POST", "/api/v1/places", map[string]any{"name": "Park", "kind": "park", "geometry": carlisle}))
	link := func(over map[string]any) map[string]any {
		m := map[string]any{"kind": "frequents", "source_id": yp, "target_id": park, "grade": "2BP",
			"source_agency": "Police", "first_seen": "2020-01-01", "review_date": "2021-01-01"}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	poly := func(ring ...[]float64) map[string]any {
		return map[string]any{"name": "Area", "kind": "park", "geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}}}
	}
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field, reason      string
	}{
		{"malformed JSON", "POST", "/api/v1/places", `{"name": "x", `, 400, "body", "not valid JSON"},
		{"not an object", "POST", "/api/v1/places", `[1,2]`, 400, "body", "JSON object"},
		{"empty body", "POST", "/api/v1/places", ``, 400, "body", "empty"},
		{"unknown field", "POST", "/api/v1/places", map[string]any{"name": "x", "kind": "park", "geometry": carlisle, "colour": "red"}, 400, "colour", "not a known field"},
		{"wrong type", "POST", "/api/v1/places", map[string]any{"name": 42, "kind": "park", "geometry": carlisle}, 400, "name", "wrong type"},
		{"unknown kind", "POST", "/api/v1/places", map[string]any{"name": "x", "kind": "castle", "geometry": carlisle}, 400, "kind", "one of"},
		{"latitude 200", "POST", "/api/v1/places", map[string]any{"name": "x", "kind": "park", "geometry": map[string]any{"type": "Point", "coordinates": []float64{-2.9, 200}}}, 400, "geometry", "latitude 200"},
		{"self-intersecting polygon", "POST", "/api/v1/places", poly([]float64{-2.95, 54.89}, []float64{-2.93, 54.91}, []float64{-2.93, 54.89}, []float64{-2.95, 54.91}, []float64{-2.95, 54.89}), 400, "geometry", "Self-intersection"},
		{"empty ring", "POST", "/api/v1/places", map[string]any{"name": "x", "kind": "park", "geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{}}}}, 400, "geometry", "empty"},
		{"unclosed ring", "POST", "/api/v1/places", poly([]float64{-2.95, 54.89}, []float64{-2.93, 54.89}, []float64{-2.93, 54.91}, []float64{-2.95, 54.91}), 400, "geometry", "not closed"},
		{"line as a place", "POST", "/api/v1/places", map[string]any{"name": "x", "kind": "street", "geometry": map[string]any{"type": "LineString", "coordinates": [][]float64{{-2.9, 54.8}, {-2.8, 54.8}}}}, 400, "geometry", "not allowed"},
		{"unknown grading code", "POST", "/api/v1/links", link(map[string]any{"grade": "4FZ"}), 400, "grade", "source evaluation"},
		{"handling code", "POST", "/api/v1/links", link(map[string]any{"grade": "1AX"}), 400, "grade", "handling"},
		{"link to a node that does not exist", "POST", "/api/v1/links", link(map[string]any{"target_id": 999999}), 400, "target_id", "does not exist"},
		{"link without review date", "POST", "/api/v1/links", link(map[string]any{"review_date": nil}), 400, "review_date", "required"},
		{"last seen before first seen", "POST", "/api/v1/links", link(map[string]any{"last_seen": "2019-01-01"}), 400, "last_seen", "before"},
		{"bad date", "POST", "/api/v1/links", link(map[string]any{"first_seen": "31/12/2020"}), 400, "first_seen", "YYYY-MM-DD"},
		{"window ends before it starts", "POST", "/api/v1/events", map[string]any{"kind": "incident", "from": "2020-11-07T02:00:00Z", "to": "2020-11-06T22:00:00Z", "place_id": park, "grade": "2BP", "source_agency": "Police"}, 400, "to", "before"},
		{"event with unknown person", "POST", "/api/v1/events", map[string]any{"kind": "incident", "from": "2020-11-07T02:00:00Z", "place_id": park, "grade": "2BP", "source_agency": "Police", "people": []int64{yp, 987654}}, 400, "people", "does not exist"},
		{"event time not RFC 3339", "POST", "/api/v1/events", map[string]any{"kind": "incident", "from": "yesterday", "place_id": park, "grade": "2BP", "source_agency": "Police"}, 400, "from", "RFC 3339"},
		{"overlapping status periods", "POST", "/api/v1/people", map[string]any{"kind": "young_person", "pseudonym": "YP-9", "statuses": []map[string]any{{"status": "cp", "from": "2020-01-01"}, {"status": "cla", "from": "2020-03-01"}}}, 400, "statuses/1", "overlaps"},
		{"a real name as pseudonym", "POST", "/api/v1/people", map[string]any{"kind": "young_person", "pseudonym": "Jane Smith"}, 400, "pseudonym", "letters"},
		{"duplicate pseudonym", "POST", "/api/v1/people", map[string]any{"kind": "young_person", "pseudonym": "YP-1"}, 409, "pseudonym", "already exists"},
		{"unknown district", "POST", "/api/v1/people", map[string]any{"kind": "young_person", "pseudonym": "YP-10", "district": "E99999999"}, 400, "district", "does not exist"},
		{"very long name", "POST", "/api/v1/groups", map[string]any{"name": strings.Repeat("x", 201)}, 400, "name", "longer than"},
		{"inverted bbox", "GET", "/api/v1/places?bbox=-2,55,-3,54", nil, 400, "bbox", "inverted"},
		{"limit not a number", "GET", "/api/v1/places?limit=lots", nil, 400, "limit", "positive integer"},
		{"unknown id", "GET", "/api/v1/places/123456789", nil, 404, "", ""},
		{"non-numeric id", "GET", "/api/v1/places/abc", nil, 404, "", ""},
	}
	before := h.snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do("analyst", c.method, c.path, c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q, want application/problem+json", ct)
			}
			p := r.json(t)
			if p["status"].(float64) != float64(c.status) || p["type"] == "" || p["title"] == "" {
				t.Fatalf("not a problem document: %s", r.Body)
			}
			if c.field == "" {
				return
			}
			found := false
			errs, _ := p["errors"].([]any)
			for _, e := range errs {
				m := e.(map[string]any)
				if m["field"] == c.field && strings.Contains(fmt.Sprint(m["reason"]), c.reason) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no error for field %q with reason containing %q: %s", c.field, c.reason, r.Body)
			}
			if strings.Contains(string(r.Body), "SQLSTATE") || strings.Contains(string(r.Body), "pgx") {
				t.Fatalf("the database's error leaked: %s", r.Body)
			}
		})
	}
	if after := h.snapshot(); after != before {
		t.Fatal("a refused request changed the database")
	}
}

// A request that fails half way (the second history row is refused by the
// database) writes nothing at all.
func TestFailedWriteIsAtomic(t *testing.T) {
	h := newHarness(t)
	before := h.snapshot()
	// Same period twice passes the Go check only if the periods differ, so
	// use periods that touch; then break the second with an unknown district
	// to fail after the person row was inserted.
	r := h.do("analyst", "POST", "/api/v1/people", map[string]any{"kind": "young_person", "pseudonym": "YP-7", "district": "E00000000",
		"statuses": []map[string]any{{"status": "cp", "from": "2020-01-01"}}})
	if r.Status != 400 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if h.snapshot() != before {
		t.Fatal("half-written person left behind")
	}
}

// An oversized body is refused by the server before any handler runs. The
// in-memory test transport cannot show that, so this uses a real socket.
func TestOversizedBody(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h.srv.App.Listener(ln)
	t.Cleanup(func() { _ = h.srv.App.Shutdown() })
	before := h.snapshot()
	// Raw TCP: the server answers 413 and closes as soon as it sees the
	// Content-Length, possibly before the client has written the body.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name": "` + strings.Repeat("x", 70<<10) + `"}`
	fmt.Fprintf(conn, "POST /api/v1/groups HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		h.tokens["analyst"], len(body))
	go func() { _, _ = io.WriteString(conn, body) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	if h.snapshot() != before {
		t.Fatal("an oversized body changed the database")
	}
}
