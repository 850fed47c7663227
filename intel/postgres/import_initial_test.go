package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
)

// generated is a synthetic partnership file: people, places, groups and
// events (most at places, most with young people).
func generated(t testing.TB, events int, seed uint64) string {
	t.Helper()
	var buf bytes.Buffer
	if err := ingest.Generate(ingest.GenOptions{People: 300, Events: events, Seed: seed}, ingest.WriteNDJSON(&buf)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// edited changes some of the file's events: a new severity, a point moved
// about 20 km east (another tile, often another district), one
// participant fewer. Every other record is left as it is.
func edited(t testing.TB, text string) string {
	t.Helper()
	var out strings.Builder
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.Contains(line, `"type":"event"`) {
			out.WriteString(line + "\n")
			continue
		}
		n++
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if n%7 == 0 {
			sev, _ := m["severity"].(float64)
			m["severity"] = float64(int(sev)%5 + 1)
		}
		if g, ok := m["geometry"].(map[string]any); ok && n%5 == 0 {
			c := g["coordinates"].([]any)
			c[0] = c[0].(float64) + 0.3
		}
		if p, ok := m["people"].([]any); ok && n%3 == 0 && len(p) > 0 {
			m["people"] = p[1:]
		}
		b, _ := json.Marshal(m)
		out.Write(b)
		out.WriteString("\n")
	}
	return out.String()
}

// eventState is a checksum of each table the events step writes, every
// column but the times of writing, by table name.
func eventState(t testing.TB, db *postgres.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, q := range map[string]string{
		"events":         `SELECT to_jsonb(ev) - 'created_at' - 'updated_at' FROM events ev`,
		"event_people":   `SELECT x FROM event_people x`,
		"event_groups":   `SELECT x FROM event_groups x`,
		"hotspot_blocks": `SELECT x FROM hotspot_blocks x`,
		"feature_counts": `SELECT x FROM feature_counts x WHERE collection = 'events'`,
		"counts":         `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_people), (SELECT count(*) FROM hotspot_blocks)`,
	} {
		out[name] = q1[string](t, db, `SELECT coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), '') FROM (`+q+`) AS r(r)`)
	}
	return out
}

// catalogue lists the indexes, constraints (and whether validated) and
// triggers (and whether enabled) of the tables an initial load changes.
func catalogue(t testing.TB, db *postgres.DB) string {
	t.Helper()
	return q1[string](t, db, `SELECT string_agg(x, E'\n' ORDER BY x) FROM (
		SELECT 'index ' || tablename || ' ' || indexdef FROM pg_indexes WHERE tablename IN ('events', 'event_people', 'event_groups')
		UNION ALL
		SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated
		  FROM pg_constraint WHERE conrelid IN ('events'::regclass, 'event_people'::regclass, 'event_groups'::regclass)
		UNION ALL
		SELECT 'trigger ' || tgrelid::regclass || ' ' || CASE WHEN tgisinternal
		         THEN (SELECT conname FROM pg_constraint c WHERE c.oid = tgconstraint) || ' ' || tgfoid::regproc || ' ' || tgtype
		         ELSE tgname END || ' ' || tgenabled::text
		  FROM pg_trigger WHERE tgrelid IN ('events'::regclass, 'event_people'::regclass, 'event_groups'::regclass)) s(x)`)
}

// blocksAsRebuilt reports how many hotspot blocks differ from the blocks
// cm_hotspot_refresh makes from scratch out of the events held (the
// triggers' own rule), checked in a transaction that is rolled back.
func blocksAsRebuilt(t testing.TB, db *postgres.DB) int {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var n int
	for _, q := range []string{
		`CREATE TEMP TABLE have ON COMMIT DROP AS SELECT tile, month, chunk, events, data FROM hotspot_blocks`,
		`TRUNCATE hotspot_blocks`,
		`SELECT cm_hotspot_refresh(array_agg(tile), array_agg(month))
		   FROM (SELECT DISTINCT cm_tile AS tile, cm_hotspot_month(starts_at) AS month FROM events) k`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM (
		(SELECT * FROM have EXCEPT ALL SELECT tile, month, chunk, events, data FROM hotspot_blocks)
		UNION ALL (SELECT tile, month, chunk, events, data FROM hotspot_blocks EXCEPT ALL SELECT * FROM have)) d`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func importMode(t *testing.T, db *postgres.DB, text string, mode postgres.ImportMode) postgres.ImportResult {
	t.Helper()
	res, err := importText(t, db, importer, text, "ndjson", "", postgres.ImportOptions{Mode: mode})
	if err != nil {
		t.Fatalf("import (%s): %v\n%+v", mode, err, res.Errors)
	}
	return res
}

func sameState(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: %s differs", what, k)
		}
	}
}

// The initial-load path writes exactly what the normal path writes: the
// same events (ids included), participants, groups, hotspot blocks and
// counts, for a first load, for a file that changes some events (moved,
// regraded, a participant fewer), and nothing at all for a re-import; and
// it leaves the tables' indexes, constraints and triggers as the
// migrations made them.
func TestImportInitialLoadMatchesNormal(t *testing.T) {
	// 3,000 generated events and 150 more in one tile in one month, which
	// fill several chunks of its block.
	var dense strings.Builder
	for i := range 150 {
		fmt.Fprintf(&dense, `{"type":"event","ext_ref":"DENSE-%d","kind":"sighting","from":"2020-11-%02dT21:00:00Z","grade":"2BP","source_agency":"Police","geometry":{"type":"Point","coordinates":[%.5f,54.8911]}}`+"\n",
			i, 1+i%28, -2.9346+float64(i)*0.00001)
	}
	first := generated(t, 3000, 7) + dense.String()
	second := edited(t, first)
	normal, initial := newImportDB(t), newImportDB(t)
	fresh := catalogue(t, normal)

	rn := importMode(t, normal, first, postgres.ImportNormal)
	ri := importMode(t, initial, first, postgres.ImportInitial)
	if rn.InitialLoads != 0 || ri.InitialLoads != 1 {
		t.Fatalf("initial-load batches: normal %d, initial %d", rn.InitialLoads, ri.InitialLoads)
	}
	if *rn.Counts["event"] != *ri.Counts["event"] || ri.Counts["event"].Inserted != 3150 {
		t.Errorf("event counts: normal %+v, initial %+v", *rn.Counts["event"], *ri.Counts["event"])
	}
	sameState(t, "first load", eventState(t, normal), eventState(t, initial))
	// The file is dense enough that some tile's month fills more than one
	// chunk, so cutting records into chunks is compared too.
	if n := q1[int64](t, initial, `SELECT count(*) FROM hotspot_blocks WHERE chunk > 0`); n == 0 {
		t.Error("no tile and month has a second chunk: the test no longer compares chunking")
	}
	if got := catalogue(t, initial); got != fresh {
		t.Errorf("catalogue after an initial load:\n%s\nwant\n%s", got, fresh)
	}
	for name, db := range map[string]*postgres.DB{"normal": normal, "initial": initial} {
		if n := blocksAsRebuilt(t, db); n != 0 {
			t.Errorf("%s: %d hotspot blocks differ from a rebuild", name, n)
		}
	}

	rn = importMode(t, normal, second, postgres.ImportNormal)
	ri = importMode(t, initial, second, postgres.ImportInitial)
	if *rn.Counts["event"] != *ri.Counts["event"] || ri.Counts["event"].Updated == 0 || ri.Counts["event"].Inserted != 0 {
		t.Errorf("event counts of the edited file: normal %+v, initial %+v", *rn.Counts["event"], *ri.Counts["event"])
	}
	sameState(t, "edited file", eventState(t, normal), eventState(t, initial))
	if got := catalogue(t, initial); got != fresh {
		t.Errorf("catalogue after a second initial load:\n%s\nwant\n%s", got, fresh)
	}
	for name, db := range map[string]*postgres.DB{"normal": normal, "initial": initial} {
		if n := blocksAsRebuilt(t, db); n != 0 {
			t.Errorf("%s after the edited file: %d hotspot blocks differ from a rebuild", name, n)
		}
	}

	// Again: nothing changes, not even a row's xmin or a block.
	before, blocks := snapshot(t, initial), q1[string](t, initial, `SELECT md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM hotspot_blocks x`)
	ri = importMode(t, initial, second, postgres.ImportInitial)
	if c := *ri.Counts["event"]; c.Inserted != 0 || c.Updated != 0 || c.Unchanged != 3150 {
		t.Errorf("re-import: %+v", c)
	}
	if snapshot(t, initial) != before {
		t.Error("re-importing the same file by initial load wrote rows")
	}
	if q1[string](t, initial, `SELECT md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM hotspot_blocks x`) != blocks {
		t.Error("re-importing the same file by initial load rewrote hotspot blocks")
	}
}

// A bad row found after the initial load has dropped the indexes (an
// event outside the importer's districts is only known once its district
// is computed) rolls the whole batch back: rows, counts, blocks, indexes,
// constraints and triggers are as they were.
func TestImportInitialLoadBadRowLeavesAllAsItWas(t *testing.T) {
	db := newImportDB(t)
	importMode(t, db, generated(t, 500, 3), postgres.ImportNormal)
	cat, rows, state := catalogue(t, db), snapshot(t, db), eventState(t, db)
	carlisle := intel.Principal{Subject: "test:district", Label: "Carlisle team", Role: intel.RoleDistrict, Districts: []string{"E07000028"}}
	file := `{"type":"event","ext_ref":"IL-1","kind":"sighting","from":"2021-03-01T20:00:00Z","geometry":{"type":"Point","coordinates":[-2.93,54.89]},"grade":"1AP","source_agency":"Police"}
{"type":"event","ext_ref":"IL-2","kind":"sighting","from":"2021-03-01T21:00:00Z","geometry":{"type":"Point","coordinates":[-3.2267,54.1108]},"grade":"1AP","source_agency":"Police"}
`
	res, err := importText(t, db, carlisle, file, "ndjson", "", postgres.ImportOptions{Mode: postgres.ImportInitial})
	wantErrors(t, res, err, "2 geometry")
	if res.InitialLoads != 1 || res.Committed != 0 {
		t.Errorf("initial-load batches %d, committed %d: want 1, 0", res.InitialLoads, res.Committed)
	}
	if got := catalogue(t, db); got != cat {
		t.Errorf("catalogue after a failed initial load:\n%s\nwant\n%s", got, cat)
	}
	if snapshot(t, db) != rows {
		t.Error("a failed initial load left rows written")
	}
	sameState(t, "failed initial load", state, eventState(t, db))
	// The same file without the bad row goes in.
	res, err = importText(t, db, carlisle, strings.SplitAfter(file, "\n")[0], "ndjson", "", postgres.ImportOptions{Mode: postgres.ImportInitial})
	if err != nil || res.Counts["event"].Inserted != 1 || res.InitialLoads != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	if got := catalogue(t, db); got != cat {
		t.Errorf("catalogue after an initial load:\n%s\nwant\n%s", got, cat)
	}
}

// Auto takes the initial-load path only for a large batch into an empty
// events table, written for real.
func TestImportInitialLoadAuto(t *testing.T) {
	defer postgres.SetInitialLoadMin(1000)()
	text := generated(t, 1500, 5)
	db := newImportDB(t)
	res, err := importText(t, db, importer, text, "ndjson", "", postgres.ImportOptions{DryRun: true})
	if err != nil || res.InitialLoads != 0 {
		t.Fatalf("dry run: %v, initial-load batches %d", err, res.InitialLoads)
	}
	res, err = importText(t, db, importer, text, "ndjson", "", postgres.ImportOptions{BatchRows: 200})
	if err != nil || res.InitialLoads != 0 {
		t.Fatalf("small batches: %v, initial-load batches %d", err, res.InitialLoads)
	}
	db = newImportDB(t)
	if res := importMode(t, db, text, postgres.ImportAuto); res.InitialLoads != 1 {
		t.Errorf("empty events table: initial-load batches %d, want 1", res.InitialLoads)
	}
	if res := importMode(t, db, edited(t, text), ""); res.InitialLoads != 0 {
		t.Errorf("events held: initial-load batches %d, want 0", res.InitialLoads)
	}
	if _, err := postgres.ParseImportMode("fast"); intel.ErrorCode(err) != intel.EINVALID {
		t.Errorf("mode fast: %v", err)
	}
}
