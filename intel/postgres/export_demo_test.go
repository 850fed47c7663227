package postgres_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel/demo/demotest"
	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
)

// The demo, exported, imported into an empty database (with the same
// district boundaries) and exported again, gives the same bytes.
func TestDemoRoundTrip(t *testing.T) {
	demoDB := demotest.New(t)
	first := export(t, demoDB)
	if n := bytes.Count(first, []byte("\n")); n < 1000 {
		t.Fatalf("the demo exported only %d records", n)
	}
	empty := newImportDB(t)
	res, err := empty.Import(context.Background(), importer, ingest.NDJSON(bytes.NewReader(first)), postgres.ImportOptions{})
	if err != nil {
		t.Fatalf("import the demo's export: %v %+v", err, res.Errors)
	}
	second := export(t, empty)
	if !bytes.Equal(first, second) {
		a, b := strings.Split(string(first), "\n"), strings.Split(string(second), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("exports differ at line %d:\n%s\n%s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("exports differ in length: %d and %d lines", len(a), len(b))
	}
	t.Logf("demo round trip: %d records, %d bytes, counts %v", res.Rows, len(first), counts(res))
}
