package geo

import (
	"errors"
	"math"
	"testing"
	"time"
)

type cellWant struct {
	d    time.Weekday
	hour int
	v    float64
}

// checkTable asserts the listed entries and that everything else is 0.
func checkTable(t *testing.T, name string, got WeekHours, want []cellWant) {
	t.Helper()
	var exp WeekHours
	for _, w := range want {
		exp[isoDay(w.d)][w.hour] = w.v
	}
	for d := range got {
		for h := range got[d] {
			if math.Abs(got[d][h]-exp[d][h]) > 1e-12 {
				t.Errorf("%s: day %d (Mon=0) hour %02d = %v, want %v", name, d, h, got[d][h], exp[d][h])
			}
		}
	}
}

func TestAoristic(t *testing.T) {
	lon := London()
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, lon) }
	// Calendar facts the cases rely on.
	for _, c := range []struct {
		t time.Time
		d time.Weekday
	}{
		{at(2024, 1, 12, 12, 0), time.Friday},
		{at(2024, 10, 26, 12, 0), time.Saturday},
		{at(2024, 3, 30, 12, 0), time.Saturday},
	} {
		if c.t.Weekday() != c.d {
			t.Fatalf("%v is a %v, not %v", c.t, c.t.Weekday(), c.d)
		}
	}

	cases := []struct {
		name       string
		start, end time.Time
		want       []cellWant
	}{
		{
			// Friday 12 Jan 2024 22:00 to Saturday 02:00 GMT: 4 hours, one
			// in each of Fri 22, Fri 23, Sat 00, Sat 01: 1/4 each.
			"overnight", at(2024, 1, 12, 22, 0), at(2024, 1, 13, 2, 0),
			[]cellWant{{time.Friday, 22, 0.25}, {time.Friday, 23, 0.25}, {time.Saturday, 0, 0.25}, {time.Saturday, 1, 0.25}},
		},
		{
			// 22:30–23:15 is 45 minutes: 30 in hour 22 (2/3), 15 in 23 (1/3).
			"part hours", at(2024, 1, 12, 22, 30), at(2024, 1, 12, 23, 15),
			[]cellWant{{time.Friday, 22, 2.0 / 3}, {time.Friday, 23, 1.0 / 3}},
		},
		{
			// Ending exactly on the hour puts nothing in the next hour.
			"whole hour", at(2024, 1, 12, 22, 0), at(2024, 1, 12, 23, 0),
			[]cellWant{{time.Friday, 22, 1}},
		},
		{
			// An exact time: all weight to its hour.
			"instant", at(2024, 1, 12, 14, 37), at(2024, 1, 12, 14, 37),
			[]cellWant{{time.Friday, 14, 1}},
		},
		{
			// Clocks go back on Sunday 27 Oct 2024: 02:00 BST becomes 01:00
			// GMT. Sat 23:00 BST (22:00 UTC) to Sun 03:00 GMT (03:00 UTC) is
			// 5 real hours: Sat 23 (22–23 UTC), Sun 00 (23–00 UTC), Sun 01
			// twice (00–01 UTC as BST, 01–02 UTC as GMT), Sun 02 (02–03
			// UTC). So 0.2, 0.2, 0.4, 0.2.
			"clocks back", at(2024, 10, 26, 23, 0), time.Date(2024, 10, 27, 3, 0, 0, 0, time.UTC),
			[]cellWant{{time.Saturday, 23, 0.2}, {time.Sunday, 0, 0.2}, {time.Sunday, 1, 0.4}, {time.Sunday, 2, 0.2}},
		},
		{
			// Clocks go forward on Sunday 31 Mar 2024: 01:00 GMT becomes
			// 02:00 BST. Sat 23:00 GMT (23:00 UTC) to Sun 03:00 BST (02:00
			// UTC) is 3 real hours: Sat 23, Sun 00, and Sun 02 (01–02 UTC);
			// local hour 01 never happens. 1/3 each.
			"clocks forward", at(2024, 3, 30, 23, 0), time.Date(2024, 3, 31, 2, 0, 0, 0, time.UTC),
			[]cellWant{{time.Saturday, 23, 1.0 / 3}, {time.Sunday, 0, 1.0 / 3}, {time.Sunday, 2, 1.0 / 3}},
		},
	}
	for _, c := range cases {
		got, err := Aoristic([]TimeWindow{{c.start, c.end}}, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkTable(t, c.name, got, c.want)
		// The same instants written in another zone give the same table:
		// only the instants and loc matter.
		got2, _ := Aoristic([]TimeWindow{{c.start.UTC(), c.end.In(time.FixedZone("X", -5*3600))}}, lon)
		if got2 != got {
			t.Errorf("%s: table depends on the zone the times are written in", c.name)
		}
	}
}

// A week or more is spread evenly: 1/168 in each entry. An 8-day window and
// an exactly 7-day one both do; a 6-day window does not.
func TestAoristicLongWindows(t *testing.T) {
	start := time.Date(2024, 1, 12, 22, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{Week, 8 * 24 * time.Hour} {
		got, err := Aoristic([]TimeWindow{{start, start.Add(d)}}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		for day := range got {
			for h := range got[day] {
				if math.Abs(got[day][h]-1.0/168) > 1e-15 {
					t.Fatalf("%v: day %d hour %d = %v, want 1/168", d, day, h, got[day][h])
				}
			}
		}
	}
	// 6 days from Friday 22:00 UTC: 144 hours, each hour of the window
	// 1/144; Friday 22:00 itself is covered once (the window ends at
	// Thursday 22:00), Tuesday 12:00 once too, and the hours of Thursday
	// 22:00–Friday 22:00 not at all.
	got, _ := Aoristic([]TimeWindow{{start, start.Add(6 * 24 * time.Hour)}}, time.UTC)
	if math.Abs(got.At(time.Friday, 22)-1.0/144) > 1e-15 || math.Abs(got.At(time.Tuesday, 12)-1.0/144) > 1e-15 ||
		got.At(time.Thursday, 22) != 0 || got.At(time.Friday, 3) != 0 {
		t.Errorf("6-day window: Fri 22 %v, Tue 12 %v, Thu 22 %v, Fri 03 %v", got.At(time.Friday, 22), got.At(time.Tuesday, 12), got.At(time.Thursday, 22), got.At(time.Friday, 3))
	}
	if math.Abs(got.Total()-1) > 1e-12 {
		t.Errorf("6-day window total %v", got.Total())
	}
}

// Several events add up; each contributes its weight in total. Zones with
// half-hour offsets and changes that fall inside a clock hour still share
// the weight by real elapsed time.
func TestAoristicAddsUp(t *testing.T) {
	lon := London()
	var tab WeekHours
	s := time.Date(2024, 1, 12, 22, 30, 0, 0, lon)
	if err := tab.Add(s, s.Add(45*time.Minute), 3, nil); err != nil {
		t.Fatal(err)
	}
	if err := tab.Add(s, s, 2, nil); err != nil {
		t.Fatal(err)
	}
	// Fri 22: 3·2/3 + 2 = 4; Fri 23: 3·1/3 = 1.
	if tab.At(time.Friday, 22) != 4 || math.Abs(tab.At(time.Friday, 23)-1) > 1e-12 || math.Abs(tab.Total()-5) > 1e-12 {
		t.Errorf("Fri 22 %v, Fri 23 %v, total %v; want 4, 1, 5", tab.At(time.Friday, 22), tab.At(time.Friday, 23), tab.Total())
	}

	lh, err := time.LoadLocation("Australia/Lord_Howe")
	if err != nil {
		t.Fatal(err)
	}
	// 01:00 to 03:30 local on 6 Oct 2024: 01:00–02:00 at +10:30, then the
	// clock jumps to 02:30 (+11) and runs to 03:30. Real length 2 h:
	// hour 01 gets 1 h, hour 02 gets 02:30–03:00 (0.5 h), hour 03 0.5 h.
	a := time.Date(2024, 10, 6, 1, 0, 0, 0, lh)
	b := time.Date(2024, 10, 6, 3, 30, 0, 0, lh)
	if b.Sub(a) != 2*time.Hour {
		t.Fatalf("Lord Howe transition not where expected: %v", b.Sub(a))
	}
	got, _ := Aoristic([]TimeWindow{{a, b}}, lh)
	checkTable(t, "Lord Howe", got, []cellWant{{time.Sunday, 1, 0.5}, {time.Sunday, 2, 0.25}, {time.Sunday, 3, 0.25}})

	// Newfoundland changed clocks at 00:01 from 1987 to 2010: on Sunday 14
	// Mar 2010 00:01 NST (−3:30) became 01:01 NDT (−2:30), inside a clock
	// hour. 00:00 NST to 01:31 NDT is 31 real minutes: 1 in hour 00
	// (00:00–00:01), 30 in hour 01 (01:01–01:31).
	sj, err := time.LoadLocation("America/St_Johns")
	if err != nil {
		t.Fatal(err)
	}
	a, b = time.Date(2010, 3, 14, 0, 0, 0, 0, sj), time.Date(2010, 3, 14, 1, 31, 0, 0, sj)
	if b.Sub(a) != 31*time.Minute {
		t.Fatalf("St John's transition not where expected: %v", b.Sub(a))
	}
	got, _ = Aoristic([]TimeWindow{{a, b}}, sj)
	checkTable(t, "St John's", got, []cellWant{{time.Sunday, 0, 1.0 / 31}, {time.Sunday, 1, 30.0 / 31}})
}

func TestAoristicRejectsBackwards(t *testing.T) {
	s := time.Date(2024, 1, 12, 22, 0, 0, 0, time.UTC)
	if _, err := Aoristic([]TimeWindow{{s, s.Add(-time.Minute)}}, nil); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("backwards window: %v", err)
	}
}
