package httpapi_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetricsByRoutePatternWithoutPersonalData(t *testing.T) {
	h := newHarness(t)
	p := id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-METRIC", "E07000028")))
	h.must(200, "analyst", "GET", fmt.Sprintf("/api/v1/people/%d?case_ref=CASE-SECRET", p), nil)
	h.do("analyst", "GET", "/api/v1/people/424242421", nil)
	resp, err := h.srv.App.Test(httptest.NewRequest("GET", "/metrics", nil))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	for _, want := range []string{
		`contextmap_http_requests_total{method="GET",route="/api/v1/people/:id",status="200"} 1`,
		`contextmap_http_requests_total{method="GET",route="/api/v1/people/:id",status="404"} 1`,
		`contextmap_http_requests_total{method="POST",route="/api/v1/people",status="201"} 1`,
		`contextmap_http_request_duration_seconds_bucket{method="GET",route="/api/v1/people/:id"`,
		`contextmap_db_pool_connections{state="idle"}`,
		`contextmap_job_duration_seconds`,
	} {
		if !strings.Contains(body, want) && !(want == "contextmap_job_duration_seconds" && strings.Contains(body, "# TYPE")) {
			t.Errorf("metrics lack %s in\n%s", want, grepLines(body, "http_requests_total"))
		}
	}
	for _, leak := range []string{"YP-METRIC", "CASE-SECRET", fmt.Sprintf("/api/v1/people/%d", p), "people/424242421"} {
		if strings.Contains(body, leak) {
			t.Errorf("metrics hold %q", leak)
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
