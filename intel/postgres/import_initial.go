package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// ImportMode chooses how an import writes events.
type ImportMode string

const (
	// ImportAuto takes the initial-load path for a batch of at least
	// InitialLoadMin events written (not dry run) while the events table is
	// empty, and the normal path otherwise.
	ImportAuto ImportMode = "auto"
	// ImportNormal keeps every index, foreign key and trigger of the events
	// tables in place while writing: readers are never blocked.
	ImportNormal ImportMode = "normal"
	// ImportInitial always takes the initial-load path (docs/IMPORT.md).
	ImportInitial ImportMode = "initial"
)

// InitialLoadMin is the number of events a batch needs for ImportAuto to
// take the initial-load path into an empty events table. Below it the
// saving is too small to be worth blocking readers for.
const InitialLoadMin = 10_000

var initialLoadMin = InitialLoadMin // tests lower it

// ParseImportMode reads a mode by name; "" is ImportAuto.
func ParseImportMode(s string) (ImportMode, error) {
	switch ImportMode(s) {
	case "", ImportAuto:
		return ImportAuto, nil
	case ImportNormal, ImportInitial:
		return ImportMode(s), nil
	}
	return "", intel.Invalid("mode", "must be auto, normal or initial")
}

// The initial-load path writes a batch's events the way pg_restore loads a
// table: inside the batch's own transaction it drops the indexes, primary
// and unique keys and foreign keys of events, event_people and
// event_groups (the staged events were matched to stored ones by ext_ref
// before, and remaking the keys checks them again) and sets aside
// the statement-level triggers that keep the hotspot blocks, the feature
// counts and young_people, writes, then remakes the indexes in bulk,
// checks every foreign key over the whole table at once and does the
// triggers' work once, for exactly the rows written (the version of the
// missing episodes is moved on whether or not the batch touched one). DDL is transactional,
// so a batch that fails leaves the tables, their indexes, constraints and
// triggers as they were. It holds ACCESS EXCLUSIVE locks on the three
// tables until the batch commits: nothing can read events meanwhile.

// initialTriggers are the triggers the initial load sets aside and whose
// work it does itself. Any other trigger stays enabled; one of these
// missing (renamed by a later migration) fails the load.
var initialTriggers = []struct{ table, name string }{
	{"events", "events_hotspot_ins"},
	{"events", "events_hotspot_upd"},
	{"events", "events_count_insert"},
	{"events", "events_count_update"},
	{"event_people", "event_people_young_ins"},
	{"event_people", "event_people_young_del"},
	// These look up each pair's event to see whether a missing episode
	// gained or lost a person (1.4 s for 1.3 million pairs without the
	// events key); the load says once that missing episodes changed.
	{"event_people", "event_people_missing_ins"},
	{"event_people", "event_people_missing_del"},
}

var initialTables = []string{"events", "event_people", "event_groups"}

// initialLoad decides whether this batch's events take the initial-load
// path.
func (b *batch) initialLoad(ctx context.Context) (bool, error) {
	mode := b.opt.Mode
	if mode == "" {
		mode = ImportAuto
	}
	if mode == ImportNormal || b.bad {
		// A batch with bad rows writes nothing: the normal path finds the
		// rest of its problems without locking anyone out.
		return false, nil
	}
	if mode == ImportAuto && (b.opt.DryRun || b.good["event"] < int64(initialLoadMin)) {
		return false, nil
	}
	var owner, empty bool
	if err := b.tx.QueryRow(ctx, `SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')),
			NOT EXISTS (SELECT 1 FROM events)
		  FROM pg_class WHERE oid = ANY($1::regclass[])`, initialTables).Scan(&owner, &empty); err != nil {
		return false, err
	}
	if mode == ImportAuto {
		return owner && empty, nil
	}
	if !owner {
		return false, intel.Invalid("mode", "an initial load needs the database role that owns the events tables (the one that runs the migrations)")
	}
	return true, nil
}

// loader is an initial load under way.
type loader struct {
	b      *batch
	remake []deferPair
	// empty: the events table held nothing when locked, so every event
	// in it afterwards is this batch's.
	empty bool
}

// beginInitial locks the events tables, drops their indexes, keys and
// foreign keys and disables the triggers whose work the load does itself.
func (b *batch) beginInitial(ctx context.Context) (*loader, error) {
	ld := &loader{b: b}
	if err := b.exec(ctx, `LOCK TABLE events, event_people, event_groups IN ACCESS EXCLUSIVE MODE`); err != nil {
		return nil, err
	}
	if err := b.tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM events)`).Scan(&ld.empty); err != nil {
		return nil, err
	}
	// Every foreign key first, then indexes and keys: events' keys are
	// referred to by event_people and event_groups.
	var all []deferPair
	for _, t := range initialTables {
		pairs, err := deferrable(ctx, b.tx, t, true)
		if err != nil {
			return nil, err
		}
		all = append(all, pairs...)
	}
	slices.SortStableFunc(all, func(x, y deferPair) int { return cmp.Compare(b2i(y.fk), b2i(x.fk)) })
	for _, p := range all {
		if err := b.exec(ctx, p.drop); err != nil {
			return nil, err
		}
	}
	ld.remake = all
	for _, tr := range initialTriggers {
		if err := b.exec(ctx, fmt.Sprintf(`ALTER TABLE %s DISABLE TRIGGER %s`, tr.table, tr.name)); err != nil {
			return nil, err
		}
	}
	return ld, nil
}

// finish does the set-aside triggers' work for the rows written, remakes
// the indexes and foreign keys and enables the triggers again.
func (ld *loader) finish(ctx context.Context) error {
	b := ld.b
	if err := b.exec(ctx, `ANALYZE imp_done`); err != nil {
		return err
	}
	t0 := time.Now()
	if err := remake(ctx, b.tx, ld.remake, b.trace); err != nil {
		return fmt.Errorf("remake indexes and foreign keys: %w", err)
	}
	b.trace("remake indexes, keys and foreign keys of events, event_people, event_groups", t0)
	// young_people of stored events whose participants changed (new events
	// were given theirs when inserted), with the indexes back.
	if err := b.exec(ctx, `SELECT cm_refresh_young_people(ARRAY(SELECT DISTINCT id FROM imp_done WHERE t = 'event' AND NOT ins))`); err != nil {
		return err
	}
	for _, tr := range initialTriggers {
		if err := b.exec(ctx, fmt.Sprintf(`ALTER TABLE %s ENABLE TRIGGER %s`, tr.table, tr.name)); err != nil {
			return err
		}
	}
	// The hotspot blocks of every tile and month an event written was in
	// or is now in, rebuilt once (import_blocks.go); when the table was
	// empty, every block, found by a scan instead of a join to the million
	// ids in imp_done (and so for the counts below).
	inserted := `SELECT * FROM events`
	if !ld.empty {
		inserted = `SELECT * FROM events WHERE id IN (SELECT id FROM imp_done WHERE t = 'event' AND ins)`
		if err := b.exec(ctx, `CREATE TEMP TABLE imp_tm ON COMMIT DROP AS
			SELECT cm_tile AS tile, cm_hotspot_month(starts_at) AS month
			  FROM events WHERE id IN (SELECT id FROM imp_done WHERE t = 'event')
			 UNION SELECT tile, month FROM imp_old`); err != nil {
			return err
		}
	}
	if err := b.rebuildBlocks(ctx, ld.empty); err != nil {
		return fmt.Errorf("rebuild hotspot blocks: %w", err)
	}
	for _, q := range []string{
		// The counts by district, as events_count_insert and
		// events_count_update keep them.
		`INSERT INTO feature_counts (collection, district, n)
		 SELECT 'events', d, sum(c) FROM (
		        SELECT coalesce(e.district, '') AS d, 1 AS c FROM (` + inserted + `) e
		        UNION ALL SELECT coalesce(e.district, ''), 1 FROM imp_old o JOIN events e USING (id)
		        UNION ALL SELECT coalesce(o.district, ''), -1 FROM imp_old o) x
		  GROUP BY d HAVING sum(c) <> 0 ORDER BY d
		 ON CONFLICT (collection, district) DO UPDATE SET n = feature_counts.n + EXCLUDED.n`,
		// What event_people_missing_ins and _del would say, said once.
		`UPDATE data_versions SET version = version + 1 WHERE name = 'missing_episodes'`,
		`ANALYZE events, event_people, event_groups`,
	} {
		if err := b.exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
