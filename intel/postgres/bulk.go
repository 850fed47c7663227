package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxgeom "github.com/twpayne/pgx-geom"
)

// BulkTable is a table a bulk load fills by COPY, with the columns each row
// gives, in order. Triggers still run (derived columns, node ids), so rows
// are stored exactly as an INSERT would store them.
type BulkTable struct {
	name    string
	columns []string
}

// Columns are the columns a row of the table gives, in order.
func (t BulkTable) Columns() []string { return t.columns }

// The tables a bulk load may fill. Geometries are *geom.Point values of
// github.com/twpayne/go-geom with SRID 4326; dates and times are time.Time.
// An event's young_people (the young people among its event_people, sorted)
// may be given to spare the database recomputing it: the trigger on
// event_people checks it either way and corrects any difference.
var (
	BulkPlaces     = BulkTable{"places", []string{"id", "name", "kind", "sensitive", "geom", "district", "ext_ref"}}
	BulkPeople     = BulkTable{"people", []string{"id", "kind", "pseudonym", "age_band", "district"}}
	BulkStatuses   = BulkTable{"person_statuses", []string{"person_id", "status", "valid_from"}}
	BulkCategories = BulkTable{"person_categories", []string{"person_id", "category", "valid_from"}}
	BulkGroups     = BulkTable{"peer_groups", []string{"id", "name", "district", "ext_ref"}}
	BulkLinks      = BulkTable{"links", []string{"kind", "source_id", "target_id", "source_eval", "intel_assessment",
		"handling", "confirmed", "source_agency", "first_seen", "last_seen", "review_date", "recorded_by", "ext_ref"}}
	BulkEvents = BulkTable{"events", []string{"id", "kind", "starts_at", "ends_at", "place_id", "geom", "district",
		"category", "severity", "source_eval", "intel_assessment", "handling", "confirmed", "source_agency",
		"review_date", "found_place_id", "found_at", "rhi_at", "crime_type", "ext_ref", "young_people"}}
	BulkEventPeople = BulkTable{"event_people", []string{"event_id", "person_id"}}
)

// Bulk is one bulk load: a single connection and transaction, so a load
// that fails leaves nothing behind. Use it from one goroutine.
type Bulk struct {
	conn *pgxpool.Conn
	tx   pgx.Tx
	// remake holds the statements that put back what Defer dropped.
	remake []deferPair
}

// BeginBulk starts a bulk load. Commit or Rollback it.
func (db *DB) BeginBulk(ctx context.Context) (*Bulk, error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return nil, wrap(err, "bulk load")
	}
	if err := pgxgeom.Register(ctx, conn.Conn()); err != nil {
		conn.Release()
		return nil, wrap(err, "bulk load: register geometry types")
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Release()
		return nil, wrap(err, "bulk load")
	}
	// A national-scale COPY runs for minutes: the pool's statement timeout
	// is for requests.
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		_ = tx.Rollback(ctx)
		conn.Release()
		return nil, wrap(err, "bulk load")
	}
	return &Bulk{conn: conn, tx: tx}, nil
}

// ReserveIDs takes n consecutive ids from the sequence behind nodes
// (places, people, groups, spaces; node = true) or behind events, and
// returns the first. The sequence is moved past them in this transaction's
// snapshot of it (sequences are not transactional: a rolled-back load
// leaves a gap, as failed inserts do). It assumes no other writer takes
// ids from the sequence during the load.
func (b *Bulk) ReserveIDs(ctx context.Context, node bool, n int) (int64, error) {
	seq := "events_id_seq"
	if node {
		seq = "node_id_seq"
	}
	var first int64
	err := b.tx.QueryRow(ctx, `SELECT nextval($1::regclass)`, seq).Scan(&first)
	if err == nil && n > 1 {
		_, err = b.tx.Exec(ctx, `SELECT setval($1::regclass, $2)`, seq, first+int64(n)-1)
	}
	return first, wrap(err, "bulk load: reserve ids")
}

// Copy writes rows into the table by COPY and returns how many.
func (b *Bulk) Copy(ctx context.Context, t BulkTable, rows pgx.CopyFromSource) (int64, error) {
	n, err := b.tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, rows)
	if err != nil {
		return n, wrap(fmt.Errorf("copy into %s: %w", t.name, err), "bulk load")
	}
	return n, nil
}

// Defer readies an empty table for a fast load, as pg_restore does: its
// foreign keys and its indexes other than the primary key and unique
// constraints are dropped here and remade by Commit, which is several times
// faster than keeping them up to date row by row; remade foreign keys
// check every row at once. A table that already holds rows is left as it
// is. The definitions are read from the catalogue, so they follow the
// migrations. It takes an exclusive lock on the table until Commit.
func (b *Bulk) Defer(ctx context.Context, t BulkTable) error {
	var empty bool
	if err := b.tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+pgx.Identifier{t.name}.Sanitize()+`)`).Scan(&empty); err != nil {
		return wrap(err, "bulk load: defer")
	}
	if !empty {
		return nil
	}
	pairs, err := deferrable(ctx, b.tx, t.name, false)
	if err != nil {
		return wrap(err, "bulk load: defer")
	}
	for _, p := range pairs {
		if _, err := b.tx.Exec(ctx, p.drop); err != nil {
			return wrap(err, "bulk load: defer")
		}
		b.remake = append(b.remake, p)
	}
	return nil
}

// Remake puts back, in the load's transaction, what Defer dropped: indexes
// first, then foreign keys, each checked over the whole table at once.
// Commit calls it if the caller has not.
func (b *Bulk) Remake(ctx context.Context) error {
	if err := remake(ctx, b.tx, b.remake, nil); err != nil {
		return wrap(err, "bulk load: remake indexes and foreign keys")
	}
	b.remake = nil
	return nil
}

// deferPair drops a foreign key, an index or a key constraint, and makes
// it again. Keys (primary and unique) are made before the foreign keys that
// may refer to them, indexes before foreign keys so a check can use them.
type deferPair struct {
	drop, make string
	fk         bool
}

// deferrable lists a table's foreign keys and its indexes other than the
// primary key and unique constraints (and those too when keys is set),
// read from the catalogue so they follow the migrations. Foreign keys come
// first: they are dropped before the keys they may refer to.
func deferrable(ctx context.Context, tx pgx.Tx, table string, keys bool) ([]deferPair, error) {
	rows, err := tx.Query(ctx, `
		SELECT 'ALTER TABLE ' || conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(conname),
		       'ALTER TABLE ' || conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid),
		       contype = 'f', CASE contype WHEN 'f' THEN 0 ELSE 2 END AS o
		  FROM pg_constraint WHERE conrelid = $1::regclass AND (contype = 'f' OR ($2 AND contype IN ('p', 'u')))
		UNION ALL
		SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid), false, 1
		  FROM pg_index i WHERE i.indrelid = $1::regclass AND NOT i.indisprimary AND NOT i.indisunique
		   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY 4, 1`, table, keys)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (deferPair, error) {
		var p deferPair
		var o int32
		return p, r.Scan(&p.drop, &p.make, &p.fk, &o)
	})
}

// remake makes again what deferrable pairs dropped: keys and indexes
// first, then foreign keys, each checked over the whole table at once.
// trace, when not nil, hears each statement and how long it took.
func remake(ctx context.Context, tx pgx.Tx, pairs []deferPair, trace func(string, time.Time)) error {
	pairs = slices.Clone(pairs)
	slices.SortStableFunc(pairs, func(x, y deferPair) int {
		return cmp.Compare(b2i(x.fk), b2i(y.fk))
	})
	for _, p := range pairs {
		t0 := time.Now()
		if _, err := tx.Exec(ctx, p.make); err != nil {
			return err
		}
		if trace != nil {
			trace(p.make, t0)
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Commit remakes what Defer dropped, ends the load and releases the
// connection.
func (b *Bulk) Commit(ctx context.Context) error {
	if b.conn == nil {
		return pgx.ErrTxClosed
	}
	if err := b.Remake(ctx); err != nil {
		b.Rollback(ctx)
		return err
	}
	err := b.tx.Commit(ctx)
	b.conn.Release()
	b.conn = nil
	return wrap(err, "bulk load: commit")
}

// Rollback abandons the load and releases the connection. It does nothing
// after Commit.
func (b *Bulk) Rollback(ctx context.Context) {
	if b.conn == nil {
		return
	}
	_ = b.tx.Rollback(ctx)
	b.conn.Release()
	b.conn = nil
}

// Vacuum updates planner statistics and the visibility map of the tables a
// bulk load fills, so that queries after a load can use index-only scans.
func (db *DB) Vacuum(ctx context.Context) error {
	_, err := db.Pool.Exec(ctx, `VACUUM (ANALYZE) places, people, person_statuses, person_categories, peer_groups,
		links, events, event_people, nodes, hotspot_blocks`)
	return wrap(err, "vacuum")
}
