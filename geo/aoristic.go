package geo

import (
	"fmt"
	"sync"
	"time"
	// The default zone must load even where the system has no zoneinfo
	// (a minimal container).
	_ "time/tzdata"
)

// WeekHours is an hour-of-day by day-of-week table of (aoristic) event
// counts: [day][hour], days Monday = 0 … Sunday = 6, hours 0–23 of the
// local clock.
type WeekHours [7][24]float64

// At returns the entry for a weekday and clock hour.
func (t *WeekHours) At(d time.Weekday, hour int) float64 { return t[isoDay(d)][hour] }

// Total is the sum of all entries: the number (total weight) of events.
func (t *WeekHours) Total() float64 {
	s := 0.0
	for d := range t {
		for h := range t[d] {
			s += t[d][h]
		}
	}
	return s
}

func isoDay(d time.Weekday) int { return (int(d) + 6) % 7 }

// Week is the window length from which an event is spread evenly.
const Week = 7 * 24 * time.Hour

// London is Europe/London, the default zone for aoristic tables.
func London() *time.Location { return london() }

var london = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("geo: Europe/London missing from the embedded zone database: " + err.Error())
	}
	return loc
})

// TimeWindow is when an event happened: at some instant in [Start, End].
// Start == End is an exactly known time.
type TimeWindow struct{ Start, End time.Time }

// Aoristic spreads each event's window over a WeekHours table in local
// time (loc; nil means Europe/London), each event weighing 1. See Add.
func Aoristic(events []TimeWindow, loc *time.Location) (WeekHours, error) {
	var t WeekHours
	for i, e := range events {
		if err := t.Add(e.Start, e.End, 1, loc); err != nil {
			return WeekHours{}, fmt.Errorf("geo: event %d: %w", i, err)
		}
	}
	return t, nil
}

// Add spreads weight over the table in proportion to how much of the
// window [start, end] falls in each local clock hour: an hour gets
// weight × (overlap / window length), with lengths in real elapsed time.
// So on the night clocks go back the repeated local hour can take two real
// hours' share, and on the night they go forward the skipped hour gets
// nothing. A window with start == end puts all the weight in start's hour.
// A window of a week or more says nothing about hour or day, so its
// weight is spread evenly: weight/168 in every entry. loc nil means
// Europe/London. end before start is an error.
func (t *WeekHours) Add(start, end time.Time, weight float64, loc *time.Location) error {
	if loc == nil {
		loc = London()
	}
	if end.Before(start) {
		return fmt.Errorf("geo: window ends (%v) before it starts (%v): %w", end, start, ErrInvalidInput)
	}
	total := end.Sub(start)
	switch {
	case total == 0:
		lt := start.In(loc)
		t[isoDay(lt.Weekday())][lt.Hour()] += weight
		return nil
	case total >= Week:
		for d := range t {
			for h := range t[d] {
				t[d][h] += weight / (7 * 24)
			}
		}
		return nil
	}
	for at := start; at.Before(end); {
		lt := at.In(loc)
		intoHour := time.Duration(lt.Minute())*time.Minute +
			time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
		next := at.Add(time.Hour - intoHour)
		// The offset can change inside a clock hour (zones with
		// half-hour shifts): stop there and look at the clock again.
		if _, zoneEnd := lt.ZoneBounds(); !zoneEnd.IsZero() && zoneEnd.After(at) && zoneEnd.Before(next) {
			next = zoneEnd
		}
		if next.After(end) {
			next = end
		}
		t[isoDay(lt.Weekday())][lt.Hour()] += weight * float64(next.Sub(at)) / float64(total)
		at = next
	}
	return nil
}
