// Package pgtest gives tests a real, throwaway PostGIS database: each call
// makes a fresh database from a migrated template on the project's local
// cluster (started, and installed if need be, on first use) or on the
// server named by CONTEXTMAP_TEST_ADMIN_URL, and drops it when the test ends.
package pgtest

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel/localdb"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/migrations"
)

// RefKey and AuditKey are the keys test databases use.
var (
	RefKey   = []byte("pgtest-ref-key")
	AuditKey = []byte("pgtest-audit-key")
)

var (
	adminOnce sync.Once
	adminURL  string
	adminErr  error
)

// AdminURL is a superuser URL of the test server.
func AdminURL(t testing.TB) string {
	t.Helper()
	adminOnce.Do(func() {
		if u := os.Getenv("CONTEXTMAP_TEST_ADMIN_URL"); u != "" {
			adminURL = u
			return
		}
		wd, _ := os.Getwd()
		root, err := localdb.RepoRoot(wd)
		if err != nil {
			adminErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cl, err := localdb.Ensure(ctx, localdb.Options{Dir: root + "/.localdb", Install: true,
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			adminErr = err
			return
		}
		adminURL = cl.AdminURL
	})
	if adminErr != nil {
		t.Fatalf("no test database server: %v (set CONTEXTMAP_TEST_ADMIN_URL or let the local cluster start)", adminErr)
	}
	return adminURL
}

// schemaHash names templates by the migrations they hold, so a changed
// schema never reuses a stale template.
func schemaHash() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// withDB replaces the database of a URL.
func withDB(u, db string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	p.Path = "/" + db
	return p.String()
}

// Template makes (once, under an advisory lock shared by every test process)
// a template database named name, filled by fill after migrating.
func Template(t testing.TB, name string, fill func(ctx context.Context, db *postgres.DB) error) string {
	t.Helper()
	return TemplateWith(t, name, TemplateOptions{}, fill)
}

// TemplateOptions tune TemplateWith.
type TemplateOptions struct {
	// Timeout bounds making the template (default 10 minutes).
	Timeout time.Duration
	// Lock is the advisory lock key makers of the template take turns on
	// (default one shared by all templates): a template that takes minutes
	// to fill takes its own, so others are not kept waiting for it.
	Lock int64
}

// TemplateWith is Template with a time limit and lock of its own.
func TemplateWith(t testing.TB, name string, opt TemplateOptions, fill func(ctx context.Context, db *postgres.DB) error) string {
	t.Helper()
	name = "cmtpl_" + schemaHash() + "_" + name
	admin := AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), cmp.Or(opt.Timeout, 10*time.Minute))
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer conn.Close(ctx)
	lock := cmp.Or(opt.Lock, 4242)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lock); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, lock)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		return name
	}
	build := name + "_build"
	_, _ = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+build+` WITH (FORCE)`)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+build); err != nil {
		t.Fatalf("create template: %v", err)
	}
	dbURL := withDB(admin, build)
	if err := func() error {
		db, err := postgres.Open(ctx, dbURL)
		if err != nil {
			return err
		}
		defer db.Close()
		db.RefKey = RefKey
		db.AuditKey = AuditKey
		if err := db.Migrate(ctx, nil); err != nil {
			return err
		}
		if fill != nil {
			return fill(ctx, db)
		}
		return nil
	}(); err != nil {
		_, _ = conn.Exec(context.Background(), `DROP DATABASE IF EXISTS `+build+` WITH (FORCE)`)
		t.Fatalf("fill template %s: %v", name, err)
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+build+` RENAME TO `+name); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+name+` WITH is_template true`); err != nil {
		t.Fatal(err)
	}
	return name
}

// New returns an empty, migrated database for this test.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	return FromTemplate(t, Template(t, "empty", nil))
}

// FromTemplate returns a fresh copy of a template made by Template.
func FromTemplate(t testing.TB, template string) *postgres.DB {
	t.Helper()
	db, _ := FromTemplateURL(t, template)
	return db
}

// FromTemplateURL is FromTemplate that also returns the superuser URL of
// the copy (for tests that must act behind the application's back).
func FromTemplateURL(t testing.TB, template string) (*postgres.DB, string) {
	t.Helper()
	admin := AdminURL(t)
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "cmtest_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	dbURL := withDB(admin, name)
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	db.RefKey = RefKey
	db.AuditKey = AuditKey
	t.Cleanup(func() {
		db.Close()
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	return db, dbURL
}
