package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

func TestRetentionDeletesOnlyWhatIsPastThePeriod(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Two young people created long ago: "old" has only old records, "kept"
	// has a status still in force. A place links them to both.
	exec(`INSERT INTO people (id, kind, pseudonym, created_at) VALUES (1, 'young_person', 'YP-OLD', '2010-01-01'),
		(2, 'young_person', 'YP-KEPT', '2010-01-01'), (3, 'young_person', 'YP-NEW', now())`)
	exec(`INSERT INTO person_statuses (person_id, status, valid_from, valid_to) VALUES (1, 'cp', '2010-01-01', '2012-01-01'),
		(2, 'cp', '2010-01-01', NULL)`)
	exec(`INSERT INTO places (id, name, kind, geom) VALUES (10, 'Park', 'park', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326))`)
	exec(`INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, source_agency, first_seen,
		last_seen, review_date, recorded_by) VALUES
		('frequents', 1, 10, '2', 'B', 'P', 'Police', '2010-01-01', '2011-06-01', '2012-01-01', 't'),
		('frequents', 2, 10, '2', 'B', 'P', 'Police', '2010-01-01', '2020-06-01', '2021-01-01', 't')`)
	exec(`INSERT INTO events (id, kind, starts_at, ends_at, geom, source_eval, intel_assessment, handling, source_agency) VALUES
		(1, 'incident', '2011-01-01', '2011-01-01 02:00', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326), '2', 'B', 'P', 'Police'),
		(2, 'incident', '2020-01-01', '2020-01-01 02:00', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326), '2', 'B', 'P', 'Police')`)
	exec(`INSERT INTO event_people VALUES (1, 1), (2, 2)`)

	cutoff := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	dry, err := db.ApplyRetention(ctx, cutoff, true)
	if err != nil {
		t.Fatal(err)
	}
	// Expected: link 1 (last seen 2011), event 1 (ended 2011), person 1
	// (nothing left, status ended 2012). Person 2 keeps a status in force;
	// person 3 is new.
	if dry.Links != 1 || dry.Events != 1 || dry.People != 1 {
		t.Fatalf("dry run: %+v, want 1 link, 1 event, 1 person", dry)
	}
	var n int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM people`).Scan(&n)
	if n != 3 {
		t.Fatalf("dry run deleted people: %d left", n)
	}
	res, err := db.ApplyRetention(ctx, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Links != 1 || res.Events != 1 || res.People != 1 || len(res.PeopleIDs) != 1 || res.PeopleIDs[0] != 1 {
		t.Fatalf("applied: %+v", res)
	}
	var left []string
	rows, _ := db.Pool.Query(ctx, `SELECT pseudonym FROM people ORDER BY id`)
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		left = append(left, s)
	}
	if len(left) != 2 || left[0] != "YP-KEPT" || left[1] != "YP-NEW" {
		t.Fatalf("people left: %v", left)
	}
}
