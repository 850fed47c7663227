// Package demotest gives tests a throwaway database holding the Cumbria demo
// (copied from a template loaded once per test run).
package demotest

import (
	"context"
	"testing"

	"github.com/contextmap/contextmap/intel/demo"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

// Template is the name of the template database holding the demo.
func Template(t testing.TB) string {
	t.Helper()
	return pgtest.Template(t, "demo", func(ctx context.Context, db *postgres.DB) error {
		_, err := demo.Load(ctx, db, demo.DefaultSeed, nil)
		return err
	})
}

// New returns a fresh database holding the demo.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	return pgtest.FromTemplate(t, Template(t))
}
