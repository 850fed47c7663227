package postgres_test

import (
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// TestImpactSpans: months calendar months either side of the action day,
// the day itself in neither; lengths counted on a calendar.
func TestImpactSpans(t *testing.T) {
	for _, c := range []struct {
		day            intel.Date
		months         int
		bf, bt, af, at string
	}{
		// 15 Dec .. 14 Mar is 17 + 31 + 28 + 14 = 90 days; 16 Mar .. 15 Jun is 16 + 30 + 31 + 15 = 92.
		{intel.NewDate(2021, 3, 15), 3, "2020-12-15", "2021-03-14", "2021-03-16", "2021-06-15"},
		// Month ends clamp: a month before 31 March is 28 February (2021) or 29 (2020).
		{intel.NewDate(2021, 3, 31), 1, "2021-02-28", "2021-03-30", "2021-04-01", "2021-04-30"},
		{intel.NewDate(2020, 3, 31), 1, "2020-02-29", "2020-03-30", "2020-04-01", "2020-04-30"},
		// Across a year end.
		{intel.NewDate(2020, 12, 31), 2, "2020-10-31", "2020-12-30", "2021-01-01", "2021-02-28"},
	} {
		bf, bt, af, at := postgres.ImpactSpans(c.day, c.months)
		if bf.String() != c.bf || bt.String() != c.bt || af.String() != c.af || at.String() != c.at {
			t.Errorf("%s ±%d months: before %s..%s, after %s..%s; want %s..%s, %s..%s", c.day, c.months,
				bf, bt, af, at, c.bf, c.bt, c.af, c.at)
		}
	}
}
