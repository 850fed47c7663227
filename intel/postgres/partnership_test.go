package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/migrations"
)

// partnershipTables are the tables migration 00060 gives a partnership.
var partnershipTables = []string{"districts", "nodes", "people", "person_statuses", "person_categories", "assessments",
	"places", "peer_groups", "online_spaces", "links", "events", "event_people", "event_groups", "api_tokens"}

// TestPartnershipMigration: migration 00060 arrives after a later one is
// applied (branches merge in any order) and is applied, not refused; it
// adds the column without rewriting any table (PostgreSQL keeps a constant
// default in the catalogue: the table's file, relfilenode, stays the same),
// existing rows read the default, and a node's row follows its person's
// partnership.
func TestPartnershipMigration(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO people (kind, pseudonym) VALUES ('young_person', 'YP-BEFORE')`)

	// Take 00060 back out, leaving the later migrations applied.
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 60, false); err != nil {
		t.Fatalf("migrate 00060 down: %v", err)
	}
	files := map[string]uint32{}
	for _, tbl := range partnershipTables {
		var has bool
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_name = $1 AND column_name = 'partnership')`, tbl).Scan(&has); err != nil || has {
			t.Fatalf("%s has partnership after 00060 down: %v, %v", tbl, has, err)
		}
		var f uint32
		if err := db.Pool.QueryRow(ctx, `SELECT relfilenode FROM pg_class WHERE oid = $1::regclass`, tbl).Scan(&f); err != nil {
			t.Fatal(err)
		}
		files[tbl] = f
	}
	if err := db.Ready(ctx); err == nil {
		t.Error("Ready with 00060 pending: no error, want one saying the schema is not migrated")
	}

	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("Migrate with 00060 older than the newest applied migration: %v", err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Errorf("Ready after Migrate: %v", err)
	}
	for _, tbl := range partnershipTables {
		var def string
		var f uint32
		if err := db.Pool.QueryRow(ctx, `SELECT c.column_default, t.relfilenode FROM information_schema.columns c, pg_class t
			WHERE c.table_name = $1 AND c.column_name = 'partnership' AND c.is_nullable = 'NO' AND t.oid = $1::regclass`, tbl).
			Scan(&def, &f); err != nil {
			t.Fatalf("%s: no NOT NULL partnership column: %v", tbl, err)
		}
		if def != "'local'::text" {
			t.Errorf("%s.partnership defaults to %s, want 'local'", tbl, def)
		}
		if f != files[tbl] {
			t.Errorf("%s was rewritten by 00060 (relfilenode %d, was %d)", tbl, f, files[tbl])
		}
	}
	var before, node string
	if err := db.Pool.QueryRow(ctx, `SELECT p.partnership, n.partnership FROM people p JOIN nodes n ON n.id = p.id
		WHERE p.pseudonym = 'YP-BEFORE'`).Scan(&before, &node); err != nil || before != "local" || node != "local" {
		t.Errorf("a person from before 00060: partnership %q, node %q, %v; want local, local", before, node, err)
	}
	exec(`INSERT INTO people (kind, pseudonym, partnership) VALUES ('young_person', 'YP-ELSEWHERE', 'lancashire')`)
	if err := db.Pool.QueryRow(ctx, `SELECT n.partnership FROM people p JOIN nodes n ON n.id = p.id
		WHERE p.pseudonym = 'YP-ELSEWHERE'`).Scan(&node); err != nil || node != "lancashire" {
		t.Errorf("node of a Lancashire person: %q, %v; want lancashire", node, err)
	}
}
