package resilience

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
)

// importData is a synthetic NDJSON file for the bulk import, and how many
// records of each table it holds.
var importData = sync.OnceValues(func() ([]byte, map[string]int) {
	var buf bytes.Buffer
	counts := map[string]int{}
	write := ingest.WriteNDJSON(&buf)
	err := ingest.Generate(ingest.GenOptions{People: 1000, Events: 8000, Links: 2000, Seed: 7}, func(rec any) error {
		switch rec.(type) {
		case *ingest.Place:
			counts["places"]++
		case *ingest.Person:
			counts["people"]++
		case *ingest.Link:
			counts["links"]++
		case *ingest.Event:
			counts["events"]++
		}
		return write(rec)
	})
	if err != nil {
		panic(err)
	}
	return buf.Bytes(), counts
})

// bulkDB is a database of the private cluster, migrated and holding
// Cumbria's districts, for the bulk import.
func bulkDB(t *testing.T) (db *postgres.DB, adminURL string) {
	t.Helper()
	ctx := context.Background()
	appURL, adminURL := newDatabase(t, privateCluster(t))
	db, err := postgres.Open(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.RefKey, db.AuditKey = []byte("resilience-ref"), []byte("resilience-audit")
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	districts, err := os.ReadFile("../demo/data/cumbria_districts.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDistricts(ctx, districts, "lad_code", "lad_name"); err != nil {
		t.Fatal(err)
	}
	return db, adminURL
}

// bulkImport imports the synthetic file as `contextmap import` does: the
// whole file one all-or-nothing batch.
func bulkImport(ctx context.Context, db *postgres.DB) (postgres.ImportResult, error) {
	data, _ := importData()
	rd, err := ingest.Open(bytes.NewReader(data), ingest.FormatNDJSON, "")
	if err != nil {
		return postgres.ImportResult{}, err
	}
	pr := intel.Principal{Subject: "test:import", Label: "resilience test", Role: intel.RoleAnalyst}
	return db.Import(ctx, pr, rd, postgres.ImportOptions{})
}

// imported reports whether the bulk import is all there (true) or not at
// all (false), and fails the test if it is partly there.
func imported(t *testing.T, adminURL string) bool {
	t.Helper()
	_, want := importData()
	all, none := true, true
	got := map[string]int{}
	for _, table := range []string{"places", "people", "links", "events"} {
		n := count(t, adminURL, `SELECT count(*) FROM `+table)
		got[table] = n
		all = all && n == want[table]
		none = none && n == 0
	}
	switch {
	case all:
		return true
	case none:
		return false
	}
	t.Fatalf("the bulk import is half-written: %v of %v", got, want)
	return false
}
