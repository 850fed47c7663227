// Package synthtest gives tests and benchmarks a database holding the
// national synthetic data set, loaded once into a template database and
// copied for each use.
package synthtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/intel/synth"
	"github.com/contextmap/contextmap/migrations"
)

// EnvNational turns on the national-scale tests and benchmarks (they load
// 2,000,000 events once, in a few minutes, and keep the template until
// `contextmap db drop-test-databases`, which `make test` runs).
const EnvNational = "CONTEXTMAP_BENCH_NATIONAL"

// National is the national benchmark data set: 100,000 young people
// (plus 5,000 adults of concern) and 2,000,000 events, seed 1.
var National = synth.Options{Seed: 1, People: 100_000, Events: 2_000_000}

// Skip skips t unless EnvNational is set to 1.
func Skip(t testing.TB) {
	if os.Getenv(EnvNational) != "1" {
		t.Skipf("set %s=1 to run national-scale tests and benchmarks", EnvNational)
	}
}

// loadTimeout bounds making a template: pgtest's own ten minutes are too
// short for a national load on a busy machine.
const loadTimeout = 45 * time.Minute

// schemaHash names templates by the migrations they hold (as pgtest does),
// so a changed schema never reuses a stale data set.
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

func withDB(u, db string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	p.Path = "/" + db
	return p.String()
}

// Template makes (once, under an advisory lock shared by every test
// process) and names the template database of opt. Its name starts with
// cmtpl_, so `contextmap db drop-test-databases` removes it.
func Template(t testing.TB, opt synth.Options) string {
	t.Helper()
	name := fmt.Sprintf("cmtpl_%s_synth_s%d_p%d_e%d", schemaHash(), opt.Seed, opt.People, opt.Events)
	admin := pgtest.AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(4243)`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(4243)`)
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
	err = func() error {
		db, err := postgres.Open(ctx, withDB(admin, build))
		if err != nil {
			return err
		}
		defer db.Close()
		db.RefKey, db.AuditKey = pgtest.RefKey, pgtest.AuditKey
		if err := db.Migrate(ctx, nil); err != nil {
			return err
		}
		st, err := synth.Load(ctx, db, opt)
		if err == nil {
			t.Logf("loaded %s in %s: %+v", name, st.Took.Round(time.Second), st)
		}
		return err
	}()
	if err != nil {
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

// DB returns a fresh copy of the data set of opt.
func DB(t testing.TB, opt synth.Options) *postgres.DB {
	t.Helper()
	return pgtest.FromTemplate(t, Template(t, opt))
}
