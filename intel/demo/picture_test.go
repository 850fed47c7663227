package demo

import (
	"log/slog"
	"testing"
	"time"
)

// TestPictureForAnySeed checks, without a database, that the generated
// histories give the slides' table for many seeds, by the same definitions
// the SQL test uses.
func TestPictureForAnySeed(t *testing.T) {
	asOf := day(2020, 12, 31)
	monthBefore := day(2020, 11, 30)
	for seed := int64(1); seed <= 12; seed++ {
		w, err := build(seed, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][7]int{}
		inc := func(row, district string) {
			v := got[row]
			v[0]++
			for j, c := range slidesColumns[1:] {
				if c == district {
					v[j+1]++
				}
			}
			got[row] = v
		}
		for _, p := range w.people {
			cat := p.categoryOn(asOf)
			if p.kind != "young_person" || cat == "" {
				continue
			}
			inc(cat, p.district)
			inc("total", p.district)
			status := p.statusOn(asOf)
			if status == "" {
				t.Errorf("seed %d: %s has a category but no status on the date", seed, p.pseudonym)
			}
			inc(status, p.district)
			var last time.Time
			for _, a := range p.assessments {
				if !a.on.After(asOf) && a.on.After(last) {
					last = a.on
				}
			}
			if last.After(monthBefore) {
				inc("up_to_date", p.district)
			} else {
				inc("overdue", p.district)
			}
		}
		for row, want := range slides {
			if got[row] != want {
				t.Errorf("seed %d: %s = %v, the slides say %v", seed, row, got[row], want)
			}
		}
		checkHistories(t, seed, w)
	}
}

// checkHistories checks what the database would refuse: overlapping or
// empty periods, and assessments whose next review precedes them.
func checkHistories(t *testing.T, seed int64, w *world) {
	t.Helper()
	for _, p := range w.people {
		for _, ps := range [][]period{p.statuses, p.categories} {
			for i, x := range ps {
				if !x.to.IsZero() && !x.to.After(x.from) {
					t.Errorf("seed %d: %s has an empty period %v", seed, p.pseudonym, x)
				}
				if i > 0 && (ps[i-1].to.IsZero() || ps[i-1].to.After(x.from)) {
					t.Errorf("seed %d: %s has overlapping periods %v and %v", seed, p.pseudonym, ps[i-1], x)
				}
			}
		}
	}
}

// TestBuildIsDeterministic builds the same seed twice and compares
// everything that is written.
func TestBuildIsDeterministic(t *testing.T) {
	a, err := build(42, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := build(42, slog.New(slog.DiscardHandler))
	if len(a.places) != len(b.places) || len(a.people) != len(b.people) || len(a.links) != len(b.links) || len(a.events) != len(b.events) {
		t.Fatalf("counts differ: %d/%d places, %d/%d people, %d/%d links, %d/%d events", len(a.places), len(b.places),
			len(a.people), len(b.people), len(a.links), len(b.links), len(a.events), len(b.events))
	}
	for i := range a.events {
		x, y := a.events[i], b.events[i]
		if x.kind != y.kind || !x.start.Equal(y.start) || x.lon != y.lon || x.lat != y.lat || len(x.people) != len(y.people) {
			t.Fatalf("event %d differs", i)
		}
	}
	for i := range a.people {
		if a.people[i].pseudonym != b.people[i].pseudonym || len(a.people[i].assessments) != len(b.people[i].assessments) {
			t.Fatalf("person %d differs", i)
		}
	}
}
