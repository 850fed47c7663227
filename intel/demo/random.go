package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// london is the time zone events happen in. The tzdata is embedded in the
// binary (see demo.go) so the demo is the same on hosts without it.
var london = mustLocation("Europe/London")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("demo: " + err.Error())
	}
	return loc
}

// day returns a calendar date, as the store keeps dates: midnight UTC.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func addDays(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// between returns a date drawn uniformly from a..b inclusive (a when b < a).
func between(r *rand.Rand, a, b time.Time) time.Time {
	n := daysBetween(a, b)
	if n <= 0 {
		return a
	}
	return addDays(a, r.IntN(n+1))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// dateOf returns the London calendar date of t, as a date.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(london).Date()
	return day(y, m, d)
}

// at returns the local London time on date d at h:m.
func at(d time.Time, h, m int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, london)
}

// officeTime is a plausible time in working hours on date d.
func officeTime(r *rand.Rand, d time.Time) time.Time { return at(d, 9+r.IntN(8), r.IntN(60)) }

// weighted returns an index drawn with probability proportional to its
// weight; weights must not all be zero.
func weighted(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// choice is a value with a weight.
type choice[T any] struct {
	v T
	w float64
}

func pick[T any](r *rand.Rand, cs []choice[T]) T {
	ws := make([]float64, len(cs))
	for i, c := range cs {
		ws[i] = c.w
	}
	return cs[weighted(r, ws)].v
}

// one returns a uniformly drawn element.
func one[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// lognormal returns exp(N(0, sigma)): a heavy-tailed multiplier around 1.
func lognormal(r *rand.Rand, sigma float64) float64 { return math.Exp(r.NormFloat64() * sigma) }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }
