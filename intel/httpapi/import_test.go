package httpapi_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func init() {
	routeAccess["POST /api/v1/import"] = writers
}

// send posts body with a content type as role.
func (h *harness) send(role, path, contentType string, body []byte) response {
	h.t.Helper()
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+h.tokens[role])
	resp, err := h.srv.App.Test(req, 60_000)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

const importNDJSON = `{"type":"place","ext_ref":"H-PL-1","name":"Bitts Park","kind":"park","geometry":{"type":"Point","coordinates":[-2.9447,54.8964]}}
{"type":"person","case_ref":"H-1","pseudonym":"YP-H1","kind":"young_person","district":"E07000028"}
{"type":"link","ext_ref":"H-LK-1","kind":"frequents","source_type":"person","source_ref":"H-1","target_type":"place","target_ref":"H-PL-1","grade":"2BP","source_agency":"Police","first_seen":"2020-05-01","review_date":"2021-05-01"}
{"type":"event","ext_ref":"H-EV-1","kind":"sighting","from":"2020-11-10T19:00:00Z","place":"H-PL-1","grade":"2BP","source_agency":"Police","people":["H-1"]}
`

func TestImportRoute(t *testing.T) {
	h := newHarness(t)
	// A dry run answers the counts and writes nothing.
	before := h.snapshot()
	r := h.send("analyst", "/api/v1/import?dry_run=true", "application/x-ndjson", []byte(importNDJSON))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"dry_run":true`) {
		t.Fatalf("dry run: %d %s", r.Status, r.Body)
	}
	if h.snapshot() != before {
		t.Fatal("a dry run wrote something")
	}
	r = h.send("analyst", "/api/v1/import", "application/x-ndjson", []byte(importNDJSON))
	if r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	counts := r.json(t)["counts"].(map[string]any)
	for _, typ := range []string{"place", "person", "link", "event"} {
		if c := counts[typ].(map[string]any); c["inserted"] != 1.0 {
			t.Errorf("%s: %v", typ, c)
		}
	}
	// Audited as an import naming the person written, never the case ref.
	yp := int64(h.must(200, "analyst", "GET", "/api/v1/people?case_ref=H-1", nil)["items"].([]any)[0].(map[string]any)["id"].(float64))
	items := h.must(200, "admin", "GET", "/api/v1/audit?person_id="+itoa(yp), nil)["items"].([]any)
	if len(items) == 0 || items[0].(map[string]any)["action"] != "import" || items[0].(map[string]any)["route"] != "POST /api/v1/import" {
		t.Fatalf("audit: %v", items)
	}
	if strings.Contains(string(h.must(200, "admin", "GET", "/api/v1/audit", nil)["items"].([]any)[0].(map[string]any)["params"].(string)), "H-1") {
		t.Error("the audit holds a case reference")
	}

	// Bad rows: 400 problem+json listing each with its line; nothing written.
	before = h.snapshot()
	bad := strings.Replace(importNDJSON, `"kind":"park"`, `"kind":"volcano"`, 1) + `{"type":"event","ext_ref":"H-EV-2","kind":"sighting","from":"2020-11-10T19:00:00Z","place":"NOPE","grade":"2BP","source_agency":"Police"}` + "\n"
	r = h.send("analyst", "/api/v1/import", "application/x-ndjson", []byte(bad))
	if r.Status != 400 || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("bad rows: %d %s", r.Status, r.Body)
	}
	errs := r.json(t)["errors"].([]any)
	var got []string
	for _, e := range errs {
		m := e.(map[string]any)
		got = append(got, itoa(int64(m["line"].(float64)))+" "+m["field"].(string))
	}
	if strings.Join(got, ",") != "1 kind,5 place" {
		t.Errorf("errors %v", got)
	}
	if h.snapshot() != before {
		t.Error("a refused import wrote something")
	}

	// CSV with its type; GeoJSON; a multipart upload named by its file.
	r = h.send("police", "/api/v1/import?type=group", "text/csv", []byte("ext_ref,name,district\nH-GR-1,Park lads,E07000028\n"))
	if r.Status != 200 {
		t.Fatalf("csv: %d %s", r.Status, r.Body)
	}
	r = h.send("police", "/api/v1/import", "text/csv", []byte("ext_ref,name\nX,Y\n"))
	if r.Status != 400 || !strings.Contains(string(r.Body), `"type"`) {
		t.Errorf("csv without type: %d %s", r.Status, r.Body)
	}
	gj, err := os.ReadFile("../postgres/testdata/import/places.geojson")
	if err != nil {
		t.Fatal(err)
	}
	r = h.send("district", "/api/v1/import", "application/geo+json", gj)
	if r.Status != 200 {
		t.Fatalf("geojson: %d %s", r.Status, r.Body)
	}
	street, err := os.ReadFile("../postgres/testdata/import/2020-11-cumbria-street.csv")
	if err != nil {
		t.Fatal(err)
	}
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("file", "2020-11-cumbria-street.csv")
	fw.Write(street)
	w.Close()
	r = h.send("analyst", "/api/v1/import", w.FormDataContentType(), mp.Bytes())
	if r.Status != 200 || !strings.Contains(string(r.Body), `"skipped_total":2`) {
		t.Fatalf("police.uk upload: %d %s", r.Status, r.Body)
	}
	r = h.send("analyst", "/api/v1/import", "image/png", []byte("x"))
	if r.Status != 400 {
		t.Errorf("unknown media type: %d", r.Status)
	}
}

// A district team's import is held to its districts, as its API writes are.
func TestImportRouteDistrictScope(t *testing.T) {
	h := newHarness(t)
	kendal := `{"type":"person","case_ref":"K-1","pseudonym":"YP-K1","kind":"young_person","district":"E07000031"}` + "\n"
	r := h.send("district", "/api/v1/import", "application/x-ndjson", []byte(kendal))
	if r.Status != 400 || !strings.Contains(string(r.Body), "outside the districts") {
		t.Fatalf("out of scope: %d %s", r.Status, r.Body)
	}
	r = h.send("partner", "/api/v1/import", "application/x-ndjson", []byte(kendal))
	if r.Status != 403 {
		t.Fatalf("partner: %d", r.Status)
	}
}
