package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/demo/demotest"
)

// linkReviewCountsSQL is the plain statement of what LinkReviewCounts
// counts, the reference its answers are compared with: every link joined
// to every date it is due on, counted by date, and by district of either
// end.
const linkReviewCountsSQL = `WITH d AS (SELECT DISTINCT unnest($1::date[]) AS as_of),
	nd AS (SELECT id, district FROM people UNION ALL SELECT id, district FROM places
		UNION ALL SELECT id, district FROM peer_groups UNION ALL SELECT id, district FROM online_spaces),
	l AS (SELECT d.as_of, l.id, s.district AS sd, t.district AS td
		FROM d JOIN links l ON l.first_seen <= d.as_of AND l.review_date <= d.as_of
		LEFT JOIN nd s ON s.id = l.source_id LEFT JOIN nd t ON t.id = l.target_id
		LEFT JOIN people sp ON sp.id = l.source_id LEFT JOIN people tp ON tp.id = l.target_id
		WHERE $2 OR (coalesce(sp.kind, '') <> 'adult_of_concern' AND coalesce(tp.kind, '') <> 'adult_of_concern'))
	SELECT as_of, true, NULL::text, count(*)::int FROM l GROUP BY as_of
	UNION ALL
	SELECT as_of, false, x.district, count(DISTINCT id)::int
	FROM l CROSS JOIN LATERAL (VALUES (sd), (td)) x(district) WHERE x.district IS NOT NULL GROUP BY as_of, x.district
	ORDER BY 1, 2 DESC, 3`

// TestLinkReviewCountsAgree compares LinkReviewCounts with the plain
// statement on the demo's links, some of them moved so that their first
// sighting or review date falls exactly on a date asked for, for the
// trend's month-ends, for dates unsorted and repeated, for one date before
// every link, and with and without adults of concern.
func TestLinkReviewCountsAgree(t *testing.T) {
	ctx := context.Background()
	db := demotest.New(t)
	if _, err := db.Pool.Exec(ctx, `
		UPDATE links SET review_date = date '2020-06-30' WHERE id % 7 = 0 AND first_seen <= date '2020-06-30';
		UPDATE links SET first_seen = date '2020-03-31', last_seen = greatest(last_seen, date '2020-03-31')
		 WHERE id % 11 = 0 AND review_date <= date '2020-03-31'`); err != nil {
		t.Fatal(err)
	}
	var monthEnds []intel.Date
	for m := time.Date(2018, 2, 1, 0, 0, 0, 0, time.UTC); m.Year() < 2023; m = m.AddDate(0, 1, 0) {
		monthEnds = append(monthEnds, intel.Date{Time: m.AddDate(0, 0, -1)})
	}
	day := func(s string) intel.Date {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return intel.Date{Time: d}
	}
	cases := map[string][]intel.Date{
		"month-ends 2018–2022":  monthEnds,
		"unsorted and repeated": {day("2021-01-31"), day("2020-06-30"), day("2020-03-31"), day("2020-06-30"), day("2019-12-31")},
		"before every link":     {day("1990-01-01")},
		"one date":              {day("2020-06-30")},
	}
	for name, dates := range cases {
		for _, adults := range []bool{true, false} {
			got, err := db.LinkReviewCounts(ctx, dates, adults)
			if err != nil {
				t.Fatal(err)
			}
			ts := make([]time.Time, len(dates))
			for i, d := range dates {
				ts[i] = d.Time
			}
			rows, err := db.Pool.Query(ctx, linkReviewCountsSQL, ts, adults)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (intel.LinkReviewCount, error) {
				var n intel.LinkReviewCount
				return n, r.Scan(&n.AsOf.Time, &n.Area, &n.District, &n.Links)
			})
			if err != nil {
				t.Fatal(err)
			}
			same := slices.EqualFunc(got, want, func(a, b intel.LinkReviewCount) bool {
				return a.AsOf.Equal(b.AsOf.Time) && a.Area == b.Area && a.Links == b.Links &&
					((a.District == nil) == (b.District == nil)) && (a.District == nil || *a.District == *b.District)
			})
			if !same {
				t.Errorf("%s, adults %v: %d rows, want %d\ngot  %v\nwant %v", name, adults, len(got), len(want), got, want)
			}
			if name == "month-ends 2018–2022" && len(want) < 100 {
				t.Errorf("%s: only %d rows to compare", name, len(want))
			}
		}
	}
}
