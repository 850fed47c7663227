// Package synthtest gives tests and benchmarks a database holding the
// national synthetic data set, loaded once into a template database and
// copied for each use.
package synthtest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/intel/synth"
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

// templateLock is the advisory lock national loads take turns on, apart
// from pgtest's, so the other templates are not kept waiting minutes.
const templateLock = 4243

// Template makes (once, under an advisory lock shared by every test
// process) and names the template database of opt. Its name starts with
// cmtpl_, so `contextmap db drop-test-databases` removes it.
func Template(t testing.TB, opt synth.Options) string {
	t.Helper()
	name := fmt.Sprintf("synth_s%d_p%d_e%d", opt.Seed, opt.People, opt.Events)
	return pgtest.TemplateWith(t, name, pgtest.TemplateOptions{Timeout: loadTimeout, Lock: templateLock},
		func(ctx context.Context, db *postgres.DB) error {
			st, err := synth.Load(ctx, db, opt)
			if err == nil {
				t.Logf("loaded %s in %s: %+v", name, st.Took.Round(time.Second), st)
			}
			return err
		})
}

// DB returns a fresh copy of the data set of opt.
func DB(t testing.TB, opt synth.Options) *postgres.DB {
	t.Helper()
	return pgtest.FromTemplate(t, Template(t, opt))
}
