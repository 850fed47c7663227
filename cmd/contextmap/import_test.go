package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

// --mode is checked before anything is opened, and --mode initial remakes
// the events indexes (a remade index is a new relation: its oid changes),
// while --mode normal keeps them.
func TestImportModeFlag(t *testing.T) {
	ctx := context.Background()
	if err := cmdImport(ctx, []string{"--mode", "fast", "x.ndjson"}); err == nil || !strings.Contains(err.Error(), "--mode") {
		t.Fatalf("--mode fast: %v", err)
	}
	db, url := pgtest.FromTemplateURL(t, pgtest.Template(t, "empty", nil))
	file := filepath.Join(t.TempDir(), "events.ndjson")
	if err := os.WriteFile(file, []byte(`{"type":"event","ext_ref":"CLI-1","kind":"sighting","from":"2021-03-01T20:00:00Z","geometry":{"type":"Point","coordinates":[-2.93,54.89]},"grade":"1AP","source_agency":"Police"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	oid := func() (n uint32) {
		if err := db.Pool.QueryRow(ctx, `SELECT 'events_geom_idx'::regclass::oid`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		mode    string
		remakes bool
	}{{"normal", false}, {"initial", true}} {
		before := oid()
		if err := cmdImport(ctx, []string{"--database-url", url, "--progress", "none", "--mode", tc.mode, file}); err != nil {
			t.Fatalf("--mode %s: %v", tc.mode, err)
		}
		if got := oid() != before; got != tc.remakes {
			t.Errorf("--mode %s: index remade %v, want %v", tc.mode, got, tc.remakes)
		}
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE ext_ref = 'CLI-1'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("events: %d %v", n, err)
	}
}
