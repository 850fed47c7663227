package postgres

import (
	"context"

	"github.com/contextmap/contextmap/geo"
)

// SetInitialLoadMin lowers the batch size ImportAuto needs for the
// initial-load path, for tests; the returned func restores it.
func SetInitialLoadMin(n int) func() {
	was := initialLoadMin
	initialLoadMin = n
	return func() { initialLoadMin = was }
}

// DistrictIndex is the index an import finds events' districts with, as
// of now.
func (db *DB) DistrictIndex(ctx context.Context) (*geo.AreaIndex, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return (&batch{db: db, tx: tx}).districts(ctx)
}
