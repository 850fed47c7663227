package synth_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
	"github.com/contextmap/contextmap/intel/synth"
)

var small = synth.Options{Seed: 7, People: 2000, Events: 20000}

func digest(t *testing.T, opt synth.Options) (string, map[string]int, []synth.Record) {
	t.Helper()
	h := sha256.New()
	counts := map[string]int{}
	var keep []synth.Record
	err := synth.Generate(opt, func(r synth.Record) error {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		h.Write(b)
		counts[r.Type]++
		keep = append(keep, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), counts, keep
}

// TestDeterministic: the same options give the same records; another seed
// gives others.
func TestDeterministic(t *testing.T) {
	a, _, _ := digest(t, small)
	b, _, _ := digest(t, small)
	if a != b {
		t.Fatal("two runs with the same seed differ")
	}
	other := small
	other.Seed = 8
	if c, _, _ := digest(t, other); c == a {
		t.Fatal("another seed gives the same data")
	}
}

// TestRecords checks counts, order and validity of what is generated.
func TestRecords(t *testing.T) {
	_, counts, recs := digest(t, small)
	want := map[string]int{"district": 40, "person": 2000 + 100, "group": 80, "event": 20000}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d %s records, want %d", counts[typ], typ, n)
		}
	}
	if counts["place"] < 666 || counts["link"] < 2000 {
		t.Errorf("too few places or links: %v", counts)
	}
	order := []string{"district", "place", "person", "group", "link", "event"}
	last := 0
	kinds := map[string]int{}
	young := map[int]bool{}
	var lastStart time.Time
	start, end := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range recs {
		k := slices.Index(order, r.Type)
		if k < last {
			t.Fatalf("%s record after %s records", r.Type, order[last])
		}
		last = k
		switch r.Type {
		case "person":
			if r.Person.Kind == intel.YoungPerson {
				young[r.Person.N] = true
			}
		case "event":
			e := r.Event
			kinds[e.Kind]++
			if _, err := intel.ParseGrade(e.Grade); err != nil {
				t.Fatalf("event %d: %v", e.N, err)
			}
			if e.Start.Before(lastStart) {
				t.Fatalf("event %d starts before the one emitted before it", e.N)
			}
			lastStart = e.Start
			if e.End.Before(e.Start) || e.Start.Before(start) || !e.Start.Before(end) {
				t.Fatalf("event %d: window %s..%s", e.N, e.Start, e.End)
			}
			if e.Severity < 1 || e.Severity > 5 || e.District == "" {
				t.Fatalf("event %d: severity %d district %q", e.N, e.Severity, e.District)
			}
			if e.Kind == "crime" && len(e.People) > 0 {
				t.Fatalf("crime event %d involves people", e.N)
			}
			if e.Kind != "crime" && (len(e.People) == 0 || !young[e.People[0]]) {
				t.Fatalf("event %d does not involve a young person first: %v", e.N, e.People)
			}
		}
	}
	// Kinds roughly follow their weights (20% crime of 20,000 is 4,000;
	// five standard deviations is about 280).
	if n := kinds["crime"]; n < 3700 || n > 4300 {
		t.Errorf("%d crime events of 20000", n)
	}
}

// TestLoad loads a small data set and checks what the database holds,
// including what its triggers derived.
func TestLoad(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	st, err := synth.Load(ctx, db, small)
	if err != nil {
		t.Fatal(err)
	}
	_, counts, _ := digest(t, small)
	if st.Events != 20000 || st.People != 2100 || int(st.Places) != counts["place"] || int(st.Links) != counts["link"] || st.Districts != 40 {
		t.Fatalf("stats %+v, generated %v", st, counts)
	}
	var events, withXY, districtMismatch, youngInEvents int64
	err = db.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE x > 0 AND y > 0),
		count(*) FILTER (WHERE district IS DISTINCT FROM cm_district_of(geom)),
		(SELECT count(DISTINCT ep.person_id) FROM event_people ep JOIN people p ON p.id = ep.person_id WHERE p.kind = 'young_person')
		FROM events`).Scan(&events, &withXY, &districtMismatch, &youngInEvents)
	if err != nil {
		t.Fatal(err)
	}
	if events != 20000 || withXY != 20000 || districtMismatch != 0 || youngInEvents < 1000 {
		t.Fatalf("events %d, with x/y %d, district differing from the database's own %d, young people in events %d",
			events, withXY, districtMismatch, youngInEvents)
	}
	// The triggers' copies agree with what they copy: young_people with
	// event_people, the hotspot blocks with the events.
	var wrongYoung, staleBlocks int
	err = db.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM events e WHERE e.young_people IS DISTINCT FROM coalesce((SELECT array_agg(ep.person_id ORDER BY ep.person_id)
		   FROM event_people ep JOIN people p ON p.id = ep.person_id AND p.kind = 'young_person' WHERE ep.event_id = e.id), '{}')),
		(WITH fresh AS (SELECT cm_tile AS tile, cm_hotspot_month(starts_at) AS month,
		                       string_agg(cm_hotspot_record(e), ''::bytea ORDER BY id) AS data FROM events e GROUP BY 1, 2),
		      held AS (SELECT tile, month, string_agg(data, ''::bytea ORDER BY chunk) AS data FROM hotspot_blocks GROUP BY 1, 2)
		 SELECT count(*) FROM fresh FULL JOIN held USING (tile, month) WHERE fresh.data IS DISTINCT FROM held.data)`).Scan(&wrongYoung, &staleBlocks)
	if err != nil {
		t.Fatal(err)
	}
	if wrongYoung != 0 || staleBlocks != 0 {
		t.Fatalf("after the load: %d events with wrong young_people, %d stale hotspot blocks", wrongYoung, staleBlocks)
	}
	// A second load of the same seed fails and leaves nothing behind.
	if _, err := synth.Load(ctx, db, small); err == nil {
		t.Fatal("loading the same seed twice succeeded")
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&events); err != nil || events != 20000 {
		t.Fatalf("after a failed second load: %d events, %v", events, err)
	}
}
