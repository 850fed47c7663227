package httpapi_test

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/demo/demotest"
)

// BenchmarkReports times each report on the demo, as a partner (the
// slowest reader: every table goes through disclosure control) and as an
// analyst:
//
//	go test ./intel/httpapi/ -run '^$' -bench Reports -benchtime 20x
func BenchmarkReports(b *testing.B) {
	db := demotest.New(b)
	srv := newServer(db)
	tokens := map[string]string{}
	for _, r := range []intel.Role{intel.RoleAnalyst, intel.RolePartner} {
		secret, _, err := db.CreateToken(context.Background(), "bench", r, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		tokens[string(r)] = secret
	}
	for _, c := range []struct{ name, path string }{
		{"current-picture", "/api/v1/reports/current-picture?as_of=2020-12-31"},
		{"current-picture-html", "/api/v1/reports/current-picture?as_of=2020-12-31&format=html"},
		{"trend-60-months", "/api/v1/reports/trend?from=2017-01&to=2021-12"},
		{"missing-12-months", "/api/v1/reports/missing?from=2020-01-01&to=2020-12-31"},
		{"mace-carlisle", "/api/v1/reports/mace?district=E07000028&as_of=2020-12-31"},
		{"mace-area", "/api/v1/reports/mace?as_of=2020-12-31"},
	} {
		for _, role := range []string{"partner", "analyst"} {
			b.Run(c.name+"/"+role, func(b *testing.B) {
				for b.Loop() {
					req := httptest.NewRequest("GET", c.path, nil)
					req.Header.Set("Authorization", "Bearer "+tokens[role])
					req.Header.Set("X-Purpose", "benchmark")
					resp, err := srv.App.Test(req, 120_000)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("%s: %d", c.path, resp.StatusCode)
					}
				}
			})
		}
	}
}
