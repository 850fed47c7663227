package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// ReportZone is the time zone whose calendar days reports count in.
const ReportZone = "Europe/London"

// dayStart is the SQL for the start of a calendar day (a date expression)
// in the report time zone, as a timestamptz.
func dayStart(date string) string {
	return "((" + date + ")::timestamp AT TIME ZONE '" + ReportZone + "')"
}

// localDay is the SQL for the calendar day of a timestamptz in the report
// time zone.
func localDay(ts string) string {
	return "((" + ts + " AT TIME ZONE '" + ReportZone + "')::date)"
}

// ReportArea reads the area's districts (by name) and its area_name setting.
func (db *DB) ReportArea(ctx context.Context) (intel.ReportArea, error) {
	var a intel.ReportArea
	if err := db.ReadQueryRow(ctx, `SELECT (SELECT value FROM settings WHERE key = 'area_name')`).Scan(&a.Name); err != nil {
		return a, wrap(err, "area")
	}
	rows, err := db.ReadQuery(ctx, `SELECT code, name, short_name FROM districts ORDER BY name, code`)
	if err != nil {
		return a, wrap(err, "districts")
	}
	a.Districts, err = collect(rows, func(r pgx.Row) (intel.ReportDistrict, error) {
		var d intel.ReportDistrict
		return d, r.Scan(&d.Code, &d.Name, &d.ShortName)
	}, "districts")
	return a, err
}

// SetAreaName sets the label of reports' whole-area column (the settings
// row area_name); "" removes it.
func (db *DB) SetAreaName(ctx context.Context, name string) error {
	var err error
	if name == "" {
		_, err = db.Pool.Exec(ctx, `DELETE FROM settings WHERE key = 'area_name'`)
	} else {
		_, err = db.Pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('area_name', $1)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, name)
	}
	return wrap(err, "area name")
}

// SetDistrictShortName sets the label of a district's column in reports;
// "" removes it.
func (db *DB) SetDistrictShortName(ctx context.Context, code, short string) error {
	var arg any
	if short != "" {
		arg = short
	}
	tag, err := db.Pool.Exec(ctx, `UPDATE districts SET short_name = $2 WHERE code = $1`, code, arg)
	if err != nil {
		return wrap(err, "district")
	}
	if tag.RowsAffected() == 0 {
		return intel.NotFound("district")
	}
	return nil
}

// pictureSQL counts, for each date of $1, the young people an exploitation
// category applies to, by district, category, status in force and whether
// their latest assessment on or before the date falls after the date minus
// one calendar month. PostgreSQL's date - interval '1 month' clamps to the
// month's end (31 March - 1 month = 28 or 29 February), as intel.Date's
// AddMonths does.
const pictureSQL = `WITH d AS (SELECT DISTINCT unnest($1::date[]) AS as_of),
k AS (
	SELECT d.as_of, p.district, c.category, s.status,
		(SELECT max(a.completed_on) FROM assessments a WHERE a.person_id = p.id AND a.completed_on <= d.as_of) AS last_done
	FROM d
	JOIN person_categories c ON c.valid_from <= d.as_of AND (c.valid_to IS NULL OR c.valid_to > d.as_of)
	JOIN people p ON p.id = c.person_id AND p.kind = 'young_person'
	-- Periods of one person never overlap (an exclusion constraint): at
	-- most one status, and one category, per child and date.
	LEFT JOIN person_statuses s ON s.person_id = p.id AND s.valid_from <= d.as_of AND (s.valid_to IS NULL OR s.valid_to > d.as_of))
SELECT as_of, district, category, status,
	coalesce(last_done > (as_of - interval '1 month')::date, false) AS up_to_date, count(*)::int
FROM k GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`

// PictureCounts returns the Current Picture's counts on each date, for the
// whole area: the counts are aggregates, and disclosure control is the
// caller's business. The counts of a date are kept and reused while the
// children's histories are unchanged (data_versions, migration 00091): the
// version and any counts not kept are read in one snapshot.
func (db *DB) PictureCounts(ctx context.Context, dates []intel.Date) ([]intel.PictureCount, error) {
	tx, err := db.ReadTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, wrap(err, "current picture")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var version int64
	if err := tx.QueryRow(ctx, `SELECT version FROM data_versions WHERE name = 'person_history'`).Scan(&version); err != nil {
		return nil, wrap(err, "current picture")
	}
	days := make([]time.Time, 0, len(dates))
	for _, d := range dates {
		days = append(days, dayKey(d.Time))
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	days = slices.Compact(days)
	kept := map[time.Time][]intel.PictureCount{}
	var missing []time.Time
	for _, d := range days {
		if n, ok := db.pictures.get(version, d); ok {
			kept[d] = n
		} else {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		rows, err := tx.Query(ctx, pictureSQL, missing)
		if err != nil {
			return nil, wrap(err, "current picture")
		}
		counts, err := collect(rows, func(r pgx.Row) (intel.PictureCount, error) {
			var n intel.PictureCount
			err := r.Scan(&n.AsOf.Time, &n.District, &n.Category, &n.Status, &n.UpToDate, &n.Children)
			return n, err
		}, "current picture")
		if err != nil {
			return nil, err
		}
		byDay := map[time.Time][]intel.PictureCount{}
		for _, d := range missing {
			byDay[d] = []intel.PictureCount{}
		}
		for _, n := range counts {
			day := dayKey(n.AsOf.Time)
			byDay[day] = append(byDay[day], n)
		}
		for d, n := range byDay {
			db.pictures.put(version, d, n, pictureCacheDays)
			kept[d] = n
		}
	}
	// In date order; within a date, in pictureSQL's order.
	var out []intel.PictureCount
	for _, d := range days {
		out = append(out, kept[d]...)
	}
	return out, nil
}

// dayKey is t's calendar day at midnight UTC, the one form the cache's keys
// take (time.Time keys compare their locations too).
func dayKey(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// pictureCacheDays bounds the dates kept (a few years of days).
const pictureCacheDays = 2000

func datesArg(dates []intel.Date) []time.Time {
	out := make([]time.Time, len(dates))
	for i, d := range dates {
		out[i] = d.Time
	}
	return out
}

// MissingEpisodes returns the missing episodes reported, or whose child
// was found, on a day from from to to (inclusive, in the report time
// zone), whole area, with the young people in each. The episodes of a
// period are kept and reused until a missing episode, the people in one or
// the children's histories change (data_versions, migrations 00091 and
// 00092), the versions read in the same snapshot as the episodes.
func (db *DB) MissingEpisodes(ctx context.Context, from, to intel.Date) ([]intel.MissingEpisode, error) {
	tx, err := db.ReadTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, wrap(err, "missing episodes")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var version [2]int64
	if err := tx.QueryRow(ctx, `SELECT (SELECT version FROM data_versions WHERE name = 'person_history'),
		(SELECT version FROM data_versions WHERE name = 'missing_episodes')`).Scan(&version[0], &version[1]); err != nil {
		return nil, wrap(err, "missing episodes")
	}
	key := [2]time.Time{dayKey(from.Time), dayKey(to.Time)}
	if eps, ok := db.missing.get(version, key); ok {
		return slices.Clone(eps), nil
	}
	rows, err := tx.Query(ctx, `SELECT e.id, e.district, e.starts_at, `+localDay("e.starts_at")+`,
			e.found_at, `+localDay("e.found_at")+`, e.rhi_at, e.found_place_id,
			coalesce(array_agg(p.id ORDER BY p.id) FILTER (WHERE p.id IS NOT NULL), '{}')
		FROM events e LEFT JOIN event_people ep ON ep.event_id = e.id
		LEFT JOIN people p ON p.id = ep.person_id AND p.kind = 'young_person'
		-- Two range scans of the partial indexes: with OR, the planner
		-- reads the whole of one index (2 s against 0.2 s at national scale).
		WHERE e.id IN (SELECT id FROM events WHERE kind = 'missing_episode'
		    AND starts_at >= `+dayStart("$1::date")+` AND starts_at < `+dayStart("$2::date + 1")+`
		  UNION ALL SELECT id FROM events WHERE kind = 'missing_episode'
		    AND found_at >= `+dayStart("$1::date")+` AND found_at < `+dayStart("$2::date + 1")+`)
		GROUP BY e.id ORDER BY e.id`, from.Time, to.Time)
	if err != nil {
		return nil, wrap(err, "missing episodes")
	}
	eps, err := collect(rows, func(r pgx.Row) (intel.MissingEpisode, error) {
		var e intel.MissingEpisode
		var foundOn *time.Time
		err := r.Scan(&e.ID, &e.District, &e.ReportedAt, &e.ReportedOn.Time, &e.FoundAt, &foundOn, &e.RHIAt,
			&e.FoundPlaceID, &e.Children)
		if foundOn != nil {
			e.FoundOn = &intel.Date{Time: *foundOn}
		}
		return e, err
	}, "missing episodes")
	if err != nil {
		return nil, err
	}
	db.missing.put(version, key, eps, missingCacheRanges)
	return slices.Clone(eps), nil
}

// missingCacheRanges bounds the periods kept.
const missingCacheRanges = 64

// nodeDistricts is a CTE naming every node's district.
const nodeDistricts = `nd AS (SELECT id, district FROM people UNION ALL SELECT id, district FROM places
	UNION ALL SELECT id, district FROM peer_groups UNION ALL SELECT id, district FROM online_spaces)`

// LinkReviewCounts counts, on each date of dates, the links first seen on
// or before it whose review date is on or before it: in the whole area
// and touching each district (either end a node of the district).
// Links from adults of concern count only when seesAdults.
//
// A link counts on every date from the first on or after the later of its
// first sighting and its review date, so the links are read once: each is
// put in the bucket of that first date (width_bucket over the sorted
// dates), and a date's count is the sum of the buckets up to it. Reading
// every link once for each of the trend's twelve month-ends cost 12 times
// as much (LinkReviewCountsSQL in the test is that query, kept as the
// reference the answers are compared with).
func (db *DB) LinkReviewCounts(ctx context.Context, dates []intel.Date, seesAdults bool) ([]intel.LinkReviewCount, error) {
	rows, err := db.ReadQuery(ctx, `WITH d AS (SELECT array_agg(DISTINCT as_of ORDER BY as_of) AS dates FROM unnest($1::date[]) AS as_of), `+nodeDistricts+`,
		l AS (SELECT l.id, width_bucket(greatest(l.first_seen, l.review_date) - 1, d.dates) + 1 AS b,
		             s.district AS sd, t.district AS td
			FROM d, links l
			LEFT JOIN nd s ON s.id = l.source_id LEFT JOIN nd t ON t.id = l.target_id
			LEFT JOIN people sp ON sp.id = l.source_id LEFT JOIN people tp ON tp.id = l.target_id
			WHERE greatest(l.first_seen, l.review_date) <= d.dates[cardinality(d.dates)]
			  AND ($2 OR (coalesce(sp.kind, '') <> 'adult_of_concern' AND coalesce(tp.kind, '') <> 'adult_of_concern'))),
		area AS (SELECT b, count(*) AS n FROM l GROUP BY b),
		dist AS (SELECT b, x.district, count(*) AS n
			FROM l CROSS JOIN LATERAL (SELECT l.sd UNION SELECT l.td) x(district) WHERE x.district IS NOT NULL GROUP BY b, x.district),
		i AS (SELECT d.dates[i] AS as_of, i FROM d, generate_subscripts(d.dates, 1) i)
		SELECT i.as_of, true, NULL::text, sum(a.n)::int FROM i JOIN area a ON a.b <= i.i GROUP BY i.as_of
		UNION ALL
		SELECT i.as_of, false, x.district, sum(x.n)::int FROM i JOIN dist x ON x.b <= i.i GROUP BY i.as_of, x.district
		ORDER BY 1, 2 DESC, 3`, datesArg(dates), seesAdults)
	if err != nil {
		return nil, wrap(err, "links due for review")
	}
	return collect(rows, func(r pgx.Row) (intel.LinkReviewCount, error) {
		var n intel.LinkReviewCount
		return n, r.Scan(&n.AsOf.Time, &n.Area, &n.District, &n.Links)
	}, "links due for review")
}

// placeLabel is the SQL for a place's name as the caller may see it (the
// kind for a sensitive place it may not see exactly) and whether it was
// generalised; EXACT is replaced by placeSQL.
const placeLabel = `CASE WHEN pl.sensitive AND NOT (EXACT) THEN 'Sensitive place (' || replace(pl.kind, '_', ' ') || ')' ELSE pl.name END,
	pl.kind, pl.sensitive AND NOT (EXACT)`

// PlaceRefs names places as the caller may see them.
func (db *DB) PlaceRefs(ctx context.Context, pr intel.Principal, ids []int64) (map[int64]intel.NodeRef, error) {
	rows, err := db.ReadQuery(ctx, placeSQL(`SELECT pl.id, `+placeLabel+` FROM places pl WHERE pl.id = ANY($1)`, 2, 3),
		ids, pr.PersonLevel(), pr.Scope())
	if err != nil {
		return nil, wrap(err, "places")
	}
	refs, err := collect(rows, func(r pgx.Row) (intel.NodeRef, error) {
		n := intel.NodeRef{Type: intel.NodePlace}
		return n, r.Scan(&n.ID, &n.Label, &n.Kind, &n.Generalised)
	}, "places")
	out := make(map[int64]intel.NodeRef, len(refs))
	for _, r := range refs {
		out[r.ID] = r
	}
	return out, err
}

// The MACE pack's windows: activity in the three calendar months to as_of
// ($2), links seen in the twelve.
const (
	threeMonths = `(($2::date - interval '3 months')::date + 1)`
	twelveMonth = `(($2::date - interval '12 months')::date + 1)`
)

// TopPlaces ranks the places of a district ("" the whole area) by events
// there in the three calendar months to asOf, then by distinct young
// people in them, then by the latest; with the links to each place seen in
// the twelve months to asOf and the grades of both. Links and events of
// adults of concern count only for roles that see adults.
func (db *DB) TopPlaces(ctx context.Context, pr intel.Principal, district string, asOf intel.Date, limit int) ([]intel.PlaceActivity, error) {
	q := placeSQL(`WITH pls AS (SELECT * FROM places pl WHERE ($1 = '' OR pl.district = $1)),
	ev AS (
		SELECT pl.id AS place_id, e.id, e.kind, e.starts_at, e.source_eval || e.intel_assessment AS grade
		FROM pls pl JOIN events e ON (e.place_id = pl.id OR e.found_place_id = pl.id)
		WHERE e.starts_at >= `+dayStart(threeMonths)+` AND e.starts_at < `+dayStart("$2::date + 1")+`
		  AND ($4 OR NOT EXISTS (SELECT 1 FROM event_people ep JOIN people a ON a.id = ep.person_id
		        WHERE ep.event_id = e.id AND a.kind = 'adult_of_concern'))),
	lk AS (
		SELECT l.target_id AS place_id, l.id, l.confirmed, l.source_eval || l.intel_assessment AS grade
		FROM pls pl JOIN links l ON l.target_id = pl.id JOIN people sp ON sp.id = l.source_id
		WHERE l.first_seen <= $2 AND l.last_seen >= `+twelveMonth+` AND ($4 OR sp.kind <> 'adult_of_concern')
		UNION ALL
		SELECT l.target_id, l.id, l.confirmed, l.source_eval || l.intel_assessment
		FROM pls pl JOIN links l ON l.target_id = pl.id JOIN nodes sn ON sn.id = l.source_id AND sn.type <> 'person'
		WHERE l.first_seen <= $2 AND l.last_seen >= `+twelveMonth+`),
	e1 AS (SELECT place_id, count(*)::int AS events, max(starts_at) AS last_at FROM ev GROUP BY 1),
	kinds AS (SELECT place_id, json_object_agg(kind, n) AS j FROM (SELECT place_id, kind, count(*)::int AS n FROM ev GROUP BY 1, 2) k GROUP BY 1),
	yp AS (SELECT ev.place_id, count(DISTINCT ep.person_id)::int AS n FROM ev JOIN event_people ep ON ep.event_id = ev.id
		JOIN people p ON p.id = ep.person_id AND p.kind = 'young_person' GROUP BY 1),
	l1 AS (SELECT place_id, count(*)::int AS n, count(*) FILTER (WHERE confirmed)::int AS conf FROM lk GROUP BY 1),
	gr AS (SELECT place_id, json_object_agg(grade, n) AS j FROM (SELECT place_id, grade, count(*)::int AS n
		FROM (SELECT place_id, grade FROM ev UNION ALL SELECT place_id, grade FROM lk) g GROUP BY 1, 2) x GROUP BY 1),
	cand AS (SELECT place_id FROM e1 UNION SELECT place_id FROM l1)
	SELECT pl.id, `+placeLabel+`, coalesce(e1.events, 0), coalesce(kinds.j, '{}'), coalesce(yp.n, 0), e1.last_at,
		coalesce(l1.n, 0), coalesce(l1.conf, 0), coalesce(gr.j, '{}')
	FROM cand JOIN pls pl ON pl.id = cand.place_id
	LEFT JOIN e1 ON e1.place_id = pl.id LEFT JOIN kinds ON kinds.place_id = pl.id LEFT JOIN yp ON yp.place_id = pl.id
	LEFT JOIN l1 ON l1.place_id = pl.id LEFT JOIN gr ON gr.place_id = pl.id
	ORDER BY coalesce(e1.events, 0) DESC, coalesce(yp.n, 0) DESC, e1.last_at DESC NULLS LAST, coalesce(l1.n, 0) DESC, pl.id
	LIMIT $3`, 5, 6)
	rows, err := db.ReadQuery(ctx, q, district, asOf.Time, limit, pr.SeesAdults(), pr.PersonLevel(), pr.Scope())
	if err != nil {
		return nil, wrap(err, "top places")
	}
	return collect(rows, func(r pgx.Row) (intel.PlaceActivity, error) {
		a := intel.PlaceActivity{Place: intel.NodeRef{Type: intel.NodePlace}}
		var kinds, grades []byte
		err := r.Scan(&a.Place.ID, &a.Place.Label, &a.Place.Kind, &a.Place.Generalised, &a.Events, &kinds, &a.YoungPeople,
			&a.LastActivity, &a.Links, &a.ConfirmedLinks, &grades)
		if err != nil {
			return a, err
		}
		if err := json.Unmarshal(kinds, &a.EventsByKind); err != nil {
			return a, fmt.Errorf("decode event kinds: %w", err)
		}
		if err := json.Unmarshal(grades, &a.Grades); err != nil {
			return a, fmt.Errorf("decode grades: %w", err)
		}
		return a, nil
	}, "top places")
}

// NetworkMinShared is how many contexts two young people must share to be
// joined in the networks stand-in.
const NetworkMinShared = 2

// MaceNetworks pairs contexts to find people sharing two: that holds only
// for NetworkMinShared = 2 (this fails to compile otherwise).
var _ = [1]struct{}{}[NetworkMinShared-2]

// Networks is a stand-in for stored networks (built on another branch). Two
// young people are joined when they share at least NetworkMinShared
// contexts (places, peer groups, online spaces; not a school they attend,
// which joins everyone in it) through links seen in the twelve months to
// asOf; a network is a connected group of young people so joined, with the
// contexts two or more of them share. Plain connected components of the
// young-person-context graph are useless here: one bus station or group
// chat in common joins every cluster into one. Networks that reach the
// district ("" the whole area: a member or shared context of it) with two
// or more young people, largest first. SQL pairs the young people; a
// union-find in Go makes the groups. Swap for the stored networks when
// they exist.
func (db *DB) MaceNetworks(ctx context.Context, pr intel.Principal, district string, asOf intel.Date) ([]intel.MaceNetwork, error) {
	// Two young people share two or more contexts exactly when some pair
	// of contexts (c1 < c2) is in both their lists. So group the young
	// people with two or more contexts by each pair of their contexts: a
	// group of two or more joins all its members, and its two contexts are
	// shared in their network. Linear in the pairs of each person's own
	// contexts, where pairing people through a context (a bus station with
	// thousands) is quadratic in its visitors: at national scale 9 million
	// person pairs against a few hundred thousand context pairs.
	rows, err := db.ReadQuery(ctx, `WITH e AS (
		SELECT DISTINCT l.source_id AS yp, l.target_id AS ctx FROM links l
		JOIN people p ON p.id = l.source_id AND p.kind = 'young_person'
		JOIN nodes n ON n.id = l.target_id AND n.type IN ('place', 'group', 'space')
		WHERE l.kind <> 'attends' AND l.first_seen <= $1 AND l.last_seen >= (($1::date - interval '12 months')::date + 1)),
	m AS (SELECT yp, array_agg(ctx ORDER BY ctx) AS cs FROM e GROUP BY yp HAVING count(*) >= $2)
	SELECT a.c, b.c, array_agg(m.yp ORDER BY m.yp)
	FROM m, unnest(m.cs) WITH ORDINALITY a(c, i), unnest(m.cs) WITH ORDINALITY b(c, j)
	WHERE a.i < b.j
	GROUP BY 1, 2 HAVING count(*) >= 2`, asOf.Time, NetworkMinShared)
	if err != nil {
		return nil, wrap(err, "networks")
	}
	type group struct {
		c1, c2 int64
		yps    []int64
	}
	groups, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (group, error) {
		var g group
		return g, r.Scan(&g.c1, &g.c2, &g.yps)
	})
	if err != nil {
		return nil, wrap(err, "networks")
	}
	var edges [][2]int64
	for _, g := range groups {
		for _, y := range g.yps[1:] {
			edges = append(edges, [2]int64{g.yps[0], y})
		}
	}
	comps := components(edges)
	// Each component's contexts: those shared by a pair of its members.
	root := map[int64]int{}
	for i, c := range comps {
		for _, n := range c.nodes {
			root[n] = i
		}
	}
	shared := make([]map[int64]bool, len(comps))
	for i := range shared {
		shared[i] = map[int64]bool{}
	}
	for _, g := range groups {
		shared[root[g.yps[0]]][g.c1] = true
		shared[root[g.yps[0]]][g.c2] = true
	}
	var ids []int64
	for i, c := range comps {
		ids = append(ids, c.nodes...)
		for n := range shared[i] {
			ids = append(ids, n)
		}
	}
	q := placeSQL(`WITH `+nodeDistricts+`
	SELECT n.id, n.type, nd.district,
		CASE n.type WHEN 'group' THEN g.name WHEN 'space' THEN s.name
		  WHEN 'place' THEN CASE WHEN pl.sensitive AND NOT (EXACT) THEN 'Sensitive place (' || replace(pl.kind, '_', ' ') || ')' ELSE pl.name END
		END,
		CASE n.type WHEN 'place' THEN pl.kind WHEN 'space' THEN s.platform END,
		coalesce(pl.sensitive AND NOT (EXACT), false),
		CASE WHEN $4 THEN ARRAY(SELECT l.source_id FROM links l JOIN people ap ON ap.id = l.source_id
		  AND ap.kind = 'adult_of_concern' WHERE l.target_id = n.id AND l.first_seen <= $5
		  AND l.last_seen >= (($5::date - interval '12 months')::date + 1)) END,
		ARRAY(SELECT DISTINCT l.target_id FROM links l WHERE l.source_id = n.id AND l.kind <> 'attends' AND l.first_seen <= $5
		  AND l.last_seen >= (($5::date - interval '12 months')::date + 1))
	FROM nodes n LEFT JOIN nd ON nd.id = n.id
	LEFT JOIN places pl ON pl.id = n.id LEFT JOIN peer_groups g ON g.id = n.id LEFT JOIN online_spaces s ON s.id = n.id
	WHERE n.id = ANY($1) ORDER BY n.id`, 2, 3)
	rows, err = db.ReadQuery(ctx, q, ids, pr.PersonLevel(), pr.Scope(), pr.SeesAdults(), asOf.Time)
	if err != nil {
		return nil, wrap(err, "networks")
	}
	type node struct {
		district *string
		ref      intel.NodeRef
		adults   []int64
		targets  []int64 // for a young person: the contexts they are linked to
	}
	nodes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (node, error) {
		var n node
		var label, kind *string
		err := r.Scan(&n.ref.ID, &n.ref.Type, &n.district, &label, &kind, &n.ref.Generalised, &n.adults, &n.targets)
		if label != nil {
			n.ref.Label = *label
		}
		if kind != nil {
			n.ref.Kind = *kind
		}
		return n, err
	})
	if err != nil {
		return nil, wrap(err, "networks")
	}
	byID := make(map[int64]node, len(nodes))
	for _, n := range nodes {
		byID[n.ref.ID] = n
	}
	out := []intel.MaceNetwork{}
	for i, c := range comps {
		nw := intel.MaceNetwork{Key: c.nodes[0], YoungPeople: len(c.nodes), Districts: []string{}, Contexts: []intel.NodeRef{}}
		adults := map[int64]bool{}
		ctxs := slices.Sorted(maps.Keys(shared[i]))
		touches := district == ""
		for _, id := range slices.Concat(c.nodes, ctxs) {
			n := byID[id]
			if n.district != nil {
				touches = touches || *n.district == district
				if !slices.Contains(nw.Districts, *n.district) {
					nw.Districts = append(nw.Districts, *n.district)
				}
			}
			for _, a := range n.adults {
				adults[a] = true
			}
			for _, t := range n.targets {
				if shared[i][t] {
					nw.Links++
				}
			}
			switch n.ref.Type {
			case intel.NodePlace:
				nw.Places++
			case intel.NodeGroup:
				nw.Groups++
			case intel.NodeSpace:
				nw.Spaces++
			default:
				continue
			}
			nw.Contexts = append(nw.Contexts, n.ref)
		}
		if !touches {
			continue
		}
		slices.Sort(nw.Districts)
		if pr.SeesAdults() {
			a := len(adults)
			nw.AdultsOfConcern = &a
		}
		out = append(out, nw)
	}
	slices.SortStableFunc(out, func(a, b intel.MaceNetwork) int {
		if a.YoungPeople != b.YoungPeople {
			return b.YoungPeople - a.YoungPeople
		}
		if len(a.Contexts) != len(b.Contexts) {
			return len(b.Contexts) - len(a.Contexts)
		}
		return int(a.Key - b.Key)
	})
	return out, nil
}

// component is a connected component: its nodes (sorted) and edge count.
type component struct {
	nodes []int64
	edges int
}

// components splits a graph given by its edges into connected components
// (union-find with path halving), each with its nodes sorted, in order of
// their smallest node.
func components(edges [][2]int64) []component {
	parent := map[int64]int64{}
	var find func(int64) int64
	find = func(x int64) int64 {
		if _, ok := parent[x]; !ok {
			parent[x] = x
		}
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, e := range edges {
		a, b := find(e[0]), find(e[1])
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	byRoot := map[int64]*component{}
	for x := range parent {
		r := find(x)
		if byRoot[r] == nil {
			byRoot[r] = &component{}
		}
		byRoot[r].nodes = append(byRoot[r].nodes, x)
	}
	for _, e := range edges {
		byRoot[find(e[0])].edges++
	}
	out := make([]component, 0, len(byRoot))
	for _, c := range byRoot {
		slices.Sort(c.nodes)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b component) int { return int(a.nodes[0] - b.nodes[0]) })
	return out
}

// OverdueChildren lists the children counted in a district ("" the whole
// area) on asOf whose risk assessment is overdue, in the caller's scope,
// longest overdue first (never assessed first of all), with the number of
// such children in the district whatever the caller's scope.
func (db *DB) OverdueChildren(ctx context.Context, pr intel.Principal, district string, asOf intel.Date) ([]intel.OverdueChild, int, error) {
	const q = `WITH k AS (
		SELECT p.id, p.pseudonym, p.district, c.category,
			(SELECT s.status FROM person_statuses s WHERE s.person_id = p.id
			   AND s.valid_from <= $2 AND (s.valid_to IS NULL OR s.valid_to > $2)) AS status,
			a.completed_on, a.next_review
		FROM person_categories c JOIN people p ON p.id = c.person_id AND p.kind = 'young_person'
		LEFT JOIN LATERAL (SELECT completed_on, next_review FROM assessments a WHERE a.person_id = p.id AND a.completed_on <= $2
			ORDER BY completed_on DESC, id DESC LIMIT 1) a ON true
		WHERE c.valid_from <= $2 AND (c.valid_to IS NULL OR c.valid_to > $2) AND ($1 = '' OR p.district = $1))
	SELECT id, pseudonym, district, category, status, completed_on, next_review, count(*) OVER ()::int, in_scope
	FROM (SELECT k.*, ($3::text[] IS NULL OR district = ANY($3)) AS in_scope FROM k
	      WHERE completed_on IS NULL OR completed_on <= ($2::date - interval '1 month')::date) o
	ORDER BY completed_on NULLS FIRST, pseudonym`
	rows, err := db.ReadQuery(ctx, q, district, asOf.Time, pr.Scope())
	if err != nil {
		return nil, 0, wrap(err, "overdue children")
	}
	defer rows.Close()
	out := []intel.OverdueChild{}
	total := 0
	for rows.Next() {
		var c intel.OverdueChild
		var done, next *time.Time
		var inScope bool
		if err := rows.Scan(&c.PersonID, &c.Pseudonym, &c.District, &c.Category, &c.Status, &done, &next, &total, &inScope); err != nil {
			return nil, 0, wrap(err, "overdue children")
		}
		if !inScope {
			continue
		}
		if done != nil {
			c.LastAssessed = &intel.Date{Time: *done}
		}
		if next != nil {
			c.NextReview = &intel.Date{Time: *next}
		}
		out = append(out, c)
	}
	return out, total, wrap(rows.Err(), "overdue children")
}

// OutstandingRHIs lists the missing episodes of a district ("" the whole
// area) whose child was found in the three calendar months to asOf and had
// no return home interview by the end of asOf: the episodes and children
// in the caller's scope, and the number of such episodes whatever the
// scope.
func (db *DB) OutstandingRHIs(ctx context.Context, pr intel.Principal, district string, asOf intel.Date) ([]intel.OutstandingRHI, int, error) {
	q := placeSQL(`SELECT e.id, e.district, e.starts_at, e.found_at, pl.id, `+placeLabel+`,
		coalesce((SELECT json_agg(json_build_object('id', p.id, 'label', p.pseudonym) ORDER BY p.id)
		  FROM event_people ep JOIN people p ON p.id = ep.person_id AND p.kind = 'young_person'
		  WHERE ep.event_id = e.id AND ($3::text[] IS NULL OR p.district = ANY($3))), '[]'),
		count(*) OVER ()::int, ($3::text[] IS NULL OR e.district = ANY($3))
	FROM events e LEFT JOIN places pl ON pl.id = e.found_place_id
	WHERE e.kind = 'missing_episode' AND ($1 = '' OR e.district = $1)
	  AND e.found_at >= `+dayStart(threeMonths)+` AND e.found_at < `+dayStart("$2::date + 1")+`
	  AND (e.rhi_at IS NULL OR e.rhi_at >= `+dayStart("$2::date + 1")+`)
	ORDER BY e.found_at, e.id`, 4, 3)
	rows, err := db.ReadQuery(ctx, q, district, asOf.Time, pr.Scope(), pr.PersonLevel())
	if err != nil {
		return nil, 0, wrap(err, "outstanding return home interviews")
	}
	defer rows.Close()
	out := []intel.OutstandingRHI{}
	total := 0
	for rows.Next() {
		var o intel.OutstandingRHI
		var pid *int64
		var plabel, pkind *string
		var pgen *bool
		var kids []byte
		var inScope bool
		if err := rows.Scan(&o.EventID, &o.District, &o.ReportedAt, &o.FoundAt, &pid, &plabel, &pkind, &pgen, &kids, &total, &inScope); err != nil {
			return nil, 0, wrap(err, "outstanding return home interviews")
		}
		if !inScope {
			continue
		}
		if pid != nil {
			o.FoundPlace = &intel.NodeRef{Type: intel.NodePlace, ID: *pid, Label: *plabel, Kind: *pkind, Generalised: *pgen}
		}
		if err := json.Unmarshal(kids, &o.Children); err != nil {
			return nil, 0, wrap(fmt.Errorf("decode children: %w", err), "outstanding return home interviews")
		}
		for i := range o.Children {
			o.Children[i].Type, o.Children[i].Kind = intel.NodePerson, intel.YoungPerson
		}
		out = append(out, o)
	}
	return out, total, wrap(rows.Err(), "outstanding return home interviews")
}

// LinksDue lists the links touching a district ("" the whole area), first
// seen on or before asOf, whose review date is on or before it, oldest
// review date first: at most limit of those in the caller's scope, and the
// number of such links whatever the scope (adults' links only for roles
// that see adults).
func (db *DB) LinksDue(ctx context.Context, pr intel.Principal, district string, asOf intel.Date, limit int) ([]intel.LinkDue, int, error) {
	// One labelled row per node, joined once for each end: a join per end
	// and node table makes the planner take longer than the query.
	q := placeSQL(`WITH nl AS (
		SELECT 'person' AS type, id, district, pseudonym AS label, kind, false AS gen FROM people
		UNION ALL SELECT 'place', pl.id, pl.district,
			CASE WHEN pl.sensitive AND NOT (EXACT) THEN 'Sensitive place (' || replace(pl.kind, '_', ' ') || ')' ELSE pl.name END,
			pl.kind, pl.sensitive AND NOT (EXACT) FROM places pl
		UNION ALL SELECT 'group', id, district, name, '', false FROM peer_groups
		UNION ALL SELECT 'space', id, district, name, platform, false FROM online_spaces),
	due AS (SELECT l.id, l.kind, l.source_eval || l.intel_assessment || l.handling AS grade, l.confirmed, l.last_seen, l.review_date,
			s.type AS st, s.id AS sid, s.label AS sl, s.kind AS sk, s.gen AS sg, s.district AS sd,
			t.type AS tt, t.id AS tid, t.label AS tl, t.kind AS tk, t.gen AS tg, t.district AS td
		FROM links l JOIN nl s ON s.id = l.source_id JOIN nl t ON t.id = l.target_id
		WHERE l.first_seen <= $2 AND l.review_date <= $2 AND ($1 = '' OR s.district = $1 OR t.district = $1)
		  AND ($4 OR (s.kind <> 'adult_of_concern' AND t.kind <> 'adult_of_concern')))
	SELECT id, kind, sid, st, sl, sk, sg, tid, tt, tl, tk, tg, grade, confirmed, last_seen, review_date, (SELECT count(*)::int FROM due)
	FROM due
	WHERE $3::text[] IS NULL OR ((st <> 'person' OR sd = ANY($3)) AND (tt <> 'person' OR td = ANY($3)))
	ORDER BY review_date, id LIMIT $6`, 5, 3)
	rows, err := db.ReadQuery(ctx, q, district, asOf.Time, pr.Scope(), pr.SeesAdults(), pr.PersonLevel(), limit)
	if err != nil {
		return nil, 0, wrap(err, "links due for review")
	}
	defer rows.Close()
	out := []intel.LinkDue{}
	total := -1
	for rows.Next() {
		var l intel.LinkDue
		var grade string
		var sl, tl *string
		if err := rows.Scan(&l.LinkID, &l.Kind, &l.Source.ID, &l.Source.Type, &sl, &l.Source.Kind, &l.Source.Generalised,
			&l.Target.ID, &l.Target.Type, &tl, &l.Target.Kind, &l.Target.Generalised, &grade, &l.Confirmed,
			&l.LastSeen.Time, &l.ReviewDate.Time, &total); err != nil {
			return nil, 0, wrap(err, "links due for review")
		}
		if sl != nil {
			l.Source.Label = *sl
		}
		if tl != nil {
			l.Target.Label = *tl
		}
		if l.Grade, err = intel.ParseGrade(grade); err != nil {
			return nil, 0, wrap(err, "links due for review")
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap(err, "links due for review")
	}
	if total < 0 {
		// No row in scope: count them alone.
		err := db.ReadQueryRow(ctx, `WITH `+nodeDistricts+` SELECT count(*)::int FROM links l
			LEFT JOIN nd s ON s.id = l.source_id LEFT JOIN nd t ON t.id = l.target_id
			LEFT JOIN people sp ON sp.id = l.source_id LEFT JOIN people tp ON tp.id = l.target_id
			WHERE l.first_seen <= $2 AND l.review_date <= $2 AND ($1 = '' OR s.district = $1 OR t.district = $1)
			  AND ($3 OR (coalesce(sp.kind, '') <> 'adult_of_concern' AND coalesce(tp.kind, '') <> 'adult_of_concern'))`,
			district, asOf.Time, pr.SeesAdults()).Scan(&total)
		if err != nil {
			return nil, 0, wrap(err, "links due for review")
		}
	}
	return out, total, nil
}
