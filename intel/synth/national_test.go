package synth_test

import (
	"context"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/intel/synth"
	"github.com/contextmap/contextmap/intel/synth/synthtest"
)

// TestNationalLoad times the load of the national data set into an empty
// database (CONTEXTMAP_BENCH_NATIONAL=1; about two minutes).
func TestNationalLoad(t *testing.T) {
	synthtest.Skip(t)
	db := pgtest.New(t)
	start := time.Now()
	st, err := synth.Load(context.Background(), db, synthtest.National)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded in %s: %+v", time.Since(start), st)
}
