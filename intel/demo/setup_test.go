package demo

import (
	"testing"

	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

// openTestDB is a throwaway, migrated PostGIS database (pgtest: the local
// cluster, or CONTEXTMAP_TEST_ADMIN_URL), dropped when the test ends.
func openTestDB(t *testing.T) *postgres.DB {
	t.Helper()
	return pgtest.New(t)
}
