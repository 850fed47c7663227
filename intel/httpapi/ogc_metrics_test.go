package httpapi_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOGCMetrics: /ogc and export requests are counted under their route
// patterns, never with collection or feature ids or parameters.
func TestOGCMetrics(t *testing.T) {
	h := newHarness(t)
	h.getJSON("analyst", "/ogc/collections/districts/items?limit=2&bbox=-3.5,54,-2,55", 200, nil)
	h.getJSON("analyst", "/ogc/collections/districts/items/E07000028", 200, nil)
	h.getJSON("analyst", "/ogc/collections/places/items/123456789", 404, nil)
	h.getJSON("partner", "/api/v1/exports?collection=districts&format=csv", 200, nil)
	resp, err := h.srv.App.Test(httptest.NewRequest("GET", "/metrics", nil))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	for _, want := range []string{
		`contextmap_http_requests_total{method="GET",route="/ogc/collections/:collectionId/items",status="200"} 1`,
		`contextmap_http_requests_total{method="GET",route="/ogc/collections/:collectionId/items/:featureId",status="200"} 1`,
		`contextmap_http_requests_total{method="GET",route="/ogc/collections/:collectionId/items/:featureId",status="404"} 1`,
		`contextmap_http_requests_total{method="GET",route="/api/v1/exports",status="200"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s in\n%s", want, grepLines(body, "http_requests_total"))
		}
	}
	for _, leak := range []string{"E07000028", "123456789", "bbox", "-3.5", "districts/items"} {
		if strings.Contains(body, leak) {
			t.Errorf("metrics hold %q", leak)
		}
	}
}
