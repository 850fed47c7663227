package postgres

import (
	"context"
	"encoding/json"
	"fmt"
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
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT value FROM settings WHERE key = 'area_name')`).Scan(&a.Name); err != nil {
		return a, wrap(err, "area")
	}
	rows, err := db.Pool.Query(ctx, `SELECT code, name, short_name FROM districts ORDER BY name, code`)
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
	SELECT d.as_of, p.district, c.category,
		(SELECT s.status FROM person_statuses s WHERE s.person_id = p.id
		   AND s.valid_from <= d.as_of AND (s.valid_to IS NULL OR s.valid_to > d.as_of)) AS status,
		(SELECT max(a.completed_on) FROM assessments a WHERE a.person_id = p.id AND a.completed_on <= d.as_of) AS last_done
	FROM d
	JOIN person_categories c ON c.valid_from <= d.as_of AND (c.valid_to IS NULL OR c.valid_to > d.as_of)
	JOIN people p ON p.id = c.person_id AND p.kind = 'young_person')
SELECT as_of, district, category, status,
	coalesce(last_done > (as_of - interval '1 month')::date, false) AS up_to_date, count(*)::int
FROM k GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`

// PictureCounts returns the Current Picture's counts on each date, for the
// whole area: the counts are aggregates, and disclosure control is the
// caller's business.
func (db *DB) PictureCounts(ctx context.Context, dates []intel.Date) ([]intel.PictureCount, error) {
	rows, err := db.Pool.Query(ctx, pictureSQL, datesArg(dates))
	if err != nil {
		return nil, wrap(err, "current picture")
	}
	return collect(rows, func(r pgx.Row) (intel.PictureCount, error) {
		var n intel.PictureCount
		err := r.Scan(&n.AsOf.Time, &n.District, &n.Category, &n.Status, &n.UpToDate, &n.Children)
		return n, err
	}, "current picture")
}

func datesArg(dates []intel.Date) []time.Time {
	out := make([]time.Time, len(dates))
	for i, d := range dates {
		out[i] = d.Time
	}
	return out
}

// MissingEpisodes returns the missing episodes reported, or whose child
// was found, on a day from from to to (inclusive, in the report time
// zone), whole area, with the young people in each.
func (db *DB) MissingEpisodes(ctx context.Context, from, to intel.Date) ([]intel.MissingEpisode, error) {
	rows, err := db.Pool.Query(ctx, `SELECT e.id, e.district, e.starts_at, `+localDay("e.starts_at")+`,
			e.found_at, `+localDay("e.found_at")+`, e.rhi_at, e.found_place_id,
			ARRAY(SELECT ep.person_id FROM event_people ep JOIN people p ON p.id = ep.person_id AND p.kind = 'young_person'
			      WHERE ep.event_id = e.id ORDER BY ep.person_id)
		FROM events e
		WHERE e.kind = 'missing_episode'
		  AND ((e.starts_at >= `+dayStart("$1::date")+` AND e.starts_at < `+dayStart("$2::date + 1")+`)
		    OR (e.found_at >= `+dayStart("$1::date")+` AND e.found_at < `+dayStart("$2::date + 1")+`))
		ORDER BY e.id`, from.Time, to.Time)
	if err != nil {
		return nil, wrap(err, "missing episodes")
	}
	return collect(rows, func(r pgx.Row) (intel.MissingEpisode, error) {
		var e intel.MissingEpisode
		var foundOn *time.Time
		err := r.Scan(&e.ID, &e.District, &e.ReportedAt, &e.ReportedOn.Time, &e.FoundAt, &foundOn, &e.RHIAt,
			&e.FoundPlaceID, &e.Children)
		if foundOn != nil {
			e.FoundOn = &intel.Date{Time: *foundOn}
		}
		return e, err
	}, "missing episodes")
}

// nodeDistricts is a CTE naming every node's district.
const nodeDistricts = `nd AS (SELECT id, district FROM people UNION ALL SELECT id, district FROM places
	UNION ALL SELECT id, district FROM peer_groups UNION ALL SELECT id, district FROM online_spaces)`

// LinkReviewCounts counts, on each date of dates, the links first seen on
// or before it whose review date is on or before it: in the whole area
// and touching each district (either end a node of the district).
// Links from adults of concern count only when seesAdults.
func (db *DB) LinkReviewCounts(ctx context.Context, dates []intel.Date, seesAdults bool) ([]intel.LinkReviewCount, error) {
	rows, err := db.Pool.Query(ctx, `WITH d AS (SELECT DISTINCT unnest($1::date[]) AS as_of), `+nodeDistricts+`,
		l AS (SELECT d.as_of, l.id, s.district AS sd, t.district AS td
			FROM d JOIN links l ON l.first_seen <= d.as_of AND l.review_date <= d.as_of
			LEFT JOIN nd s ON s.id = l.source_id LEFT JOIN nd t ON t.id = l.target_id
			LEFT JOIN people sp ON sp.id = l.source_id LEFT JOIN people tp ON tp.id = l.target_id
			WHERE $2 OR (coalesce(sp.kind, '') <> 'adult_of_concern' AND coalesce(tp.kind, '') <> 'adult_of_concern'))
		SELECT as_of, true, NULL::text, count(*)::int FROM l GROUP BY as_of
		UNION ALL
		SELECT as_of, false, x.district, count(DISTINCT id)::int
		FROM l CROSS JOIN LATERAL (VALUES (sd), (td)) x(district) WHERE x.district IS NOT NULL GROUP BY as_of, x.district
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
	rows, err := db.Pool.Query(ctx, placeSQL(`SELECT pl.id, `+placeLabel+` FROM places pl WHERE pl.id = ANY($1)`, 2, 3),
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
	rows, err := db.Pool.Query(ctx, q, district, asOf.Time, limit, pr.SeesAdults(), pr.PersonLevel(), pr.Scope())
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

// Networks is a stand-in for stored networks (built on another branch): the
// connected components of the graph of young people and the places, peer
// groups and online spaces they are linked to by links seen in the twelve
// months to asOf, that reach the district ("" the whole area), with two or
// more young people, largest first. Computed per request with a recursive
// query; swap for the stored networks when they exist.
func (db *DB) MaceNetworks(ctx context.Context, pr intel.Principal, district string, asOf intel.Date) ([]intel.MaceNetwork, error) {
	q := placeSQL(`WITH RECURSIVE
	e AS (SELECT l.source_id AS a, l.target_id AS b FROM links l
		JOIN people p ON p.id = l.source_id AND p.kind = 'young_person'
		JOIN nodes n ON n.id = l.target_id AND n.type IN ('place', 'group', 'space')
		WHERE l.first_seen <= $2 AND l.last_seen >= `+twelveMonth+`),
	u AS (SELECT a, b FROM e UNION SELECT b, a FROM e),
	`+nodeDistricts+`,
	seed AS (SELECT DISTINCT u.a AS node FROM u JOIN nd ON nd.id = u.a WHERE $1 = '' OR nd.district = $1),
	reach(start, node) AS (SELECT node, node FROM seed UNION SELECT r.start, u.b FROM reach r JOIN u ON u.a = r.node),
	comp AS (SELECT start, min(node) AS key FROM reach GROUP BY start),
	members AS (SELECT DISTINCT c.key, r.node FROM comp c JOIN reach r ON r.start = c.start)
	SELECT m.key, n.type, m.node, nd.district,
		CASE n.type WHEN 'group' THEN g.name WHEN 'space' THEN s.name
		  WHEN 'place' THEN CASE WHEN pl.sensitive AND NOT (EXACT) THEN 'Sensitive place (' || replace(pl.kind, '_', ' ') || ')' ELSE pl.name END
		END,
		CASE n.type WHEN 'place' THEN pl.kind WHEN 'space' THEN s.platform END,
		coalesce(pl.sensitive AND NOT (EXACT), false),
		(SELECT count(*)::int FROM e WHERE e.a = m.node),
		CASE WHEN $5 THEN ARRAY(SELECT l.source_id FROM links l JOIN people ap ON ap.id = l.source_id
		  AND ap.kind = 'adult_of_concern' WHERE l.target_id = m.node AND l.first_seen <= $2 AND l.last_seen >= `+twelveMonth+`) END
	FROM members m JOIN nodes n ON n.id = m.node LEFT JOIN nd ON nd.id = m.node
	LEFT JOIN places pl ON pl.id = m.node LEFT JOIN peer_groups g ON g.id = m.node LEFT JOIN online_spaces s ON s.id = m.node
	ORDER BY m.key, n.type, m.node`, 3, 4)
	rows, err := db.Pool.Query(ctx, q, district, asOf.Time, pr.PersonLevel(), pr.Scope(), pr.SeesAdults())
	if err != nil {
		return nil, wrap(err, "networks")
	}
	defer rows.Close()
	byKey := map[int64]*intel.MaceNetwork{}
	adults := map[int64]map[int64]bool{}
	var keys []int64
	for rows.Next() {
		var key, node int64
		var typ string
		var d, label, kind *string
		var generalised bool
		var links int
		var aoc []int64
		if err := rows.Scan(&key, &typ, &node, &d, &label, &kind, &generalised, &links, &aoc); err != nil {
			return nil, wrap(err, "networks")
		}
		n := byKey[key]
		if n == nil {
			n = &intel.MaceNetwork{Key: key, Districts: []string{}, Contexts: []intel.NodeRef{}}
			byKey[key] = n
			adults[key] = map[int64]bool{}
			keys = append(keys, key)
		}
		if d != nil && !slices.Contains(n.Districts, *d) {
			n.Districts = append(n.Districts, *d)
		}
		n.Links += links
		for _, a := range aoc {
			adults[key][a] = true
		}
		switch typ {
		case intel.NodePerson:
			n.YoungPeople++
			continue
		case intel.NodePlace:
			n.Places++
		case intel.NodeGroup:
			n.Groups++
		case intel.NodeSpace:
			n.Spaces++
		}
		ref := intel.NodeRef{Type: typ, ID: node, Generalised: generalised}
		if label != nil {
			ref.Label = *label
		}
		if kind != nil {
			ref.Kind = *kind
		}
		n.Contexts = append(n.Contexts, ref)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "networks")
	}
	out := []intel.MaceNetwork{}
	for _, k := range keys {
		n := byKey[k]
		if n.YoungPeople < 2 {
			continue
		}
		slices.Sort(n.Districts)
		if pr.SeesAdults() {
			c := len(adults[k])
			n.AdultsOfConcern = &c
		}
		out = append(out, *n)
	}
	slices.SortStableFunc(out, func(a, b intel.MaceNetwork) int {
		if a.YoungPeople != b.YoungPeople {
			return b.YoungPeople - a.YoungPeople
		}
		return len(b.Contexts) - len(a.Contexts)
	})
	return out, nil
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
	rows, err := db.Pool.Query(ctx, q, district, asOf.Time, pr.Scope())
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
	rows, err := db.Pool.Query(ctx, q, district, asOf.Time, pr.Scope(), pr.PersonLevel())
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

// nodeLabelSQL names the node at one end of a link (prefix s or t) as the
// caller may see it.
func nodeLabelSQL(p string) string {
	return replaceAll(`CASE @n.type WHEN 'person' THEN @p.pseudonym WHEN 'group' THEN @g.name WHEN 'space' THEN @s.name
		WHEN 'place' THEN CASE WHEN @l.sensitive AND NOT (EXACT@) THEN 'Sensitive place (' || replace(@l.kind, '_', ' ') || ')' ELSE @l.name END END,
		CASE @n.type WHEN 'person' THEN @p.kind WHEN 'place' THEN @l.kind WHEN 'space' THEN @s.platform ELSE '' END,
		coalesce(@l.sensitive AND NOT (EXACT@), false)`, "@", p)
}

// LinksDue lists the links touching a district ("" the whole area), first
// seen on or before asOf, whose review date is on or before it, oldest
// review date first: at most limit of those in the caller's scope, and the
// number of such links whatever the scope (adults' links only for roles
// that see adults).
func (db *DB) LinksDue(ctx context.Context, pr intel.Principal, district string, asOf intel.Date, limit int) ([]intel.LinkDue, int, error) {
	exact := func(p string) string {
		return "$5::boolean AND ($3::text[] IS NULL OR " + p + "l.district = ANY($3))"
	}
	q := `WITH ` + nodeDistricts + `,
	due AS (SELECT l.* FROM links l LEFT JOIN nd s ON s.id = l.source_id LEFT JOIN nd t ON t.id = l.target_id
		LEFT JOIN people sp ON sp.id = l.source_id LEFT JOIN people tp ON tp.id = l.target_id
		WHERE l.first_seen <= $2 AND l.review_date <= $2 AND ($1 = '' OR s.district = $1 OR t.district = $1)
		  AND ($4 OR (coalesce(sp.kind, '') <> 'adult_of_concern' AND coalesce(tp.kind, '') <> 'adult_of_concern')))
	SELECT l.id, l.kind, l.source_id, sn.type, ` + replaceAll(nodeLabelSQL("s"), "EXACTs", exact("s")) + `,
		l.target_id, tn.type, ` + replaceAll(nodeLabelSQL("t"), "EXACTt", exact("t")) + `,
		l.source_eval || l.intel_assessment || l.handling, l.confirmed, l.last_seen, l.review_date,
		(SELECT count(*)::int FROM due)
	FROM due l JOIN nodes sn ON sn.id = l.source_id JOIN nodes tn ON tn.id = l.target_id
	LEFT JOIN people sp ON sp.id = l.source_id LEFT JOIN people tp ON tp.id = l.target_id
	LEFT JOIN places sl ON sl.id = l.source_id LEFT JOIN places tl ON tl.id = l.target_id
	LEFT JOIN peer_groups sg ON sg.id = l.source_id LEFT JOIN peer_groups tg ON tg.id = l.target_id
	LEFT JOIN online_spaces ss ON ss.id = l.source_id LEFT JOIN online_spaces ts ON ts.id = l.target_id
	WHERE ($3::text[] IS NULL OR ((sp.id IS NULL OR sp.district = ANY($3)) AND (tp.id IS NULL OR tp.district = ANY($3))))
	ORDER BY l.review_date, l.id LIMIT $6`
	rows, err := db.Pool.Query(ctx, q, district, asOf.Time, pr.Scope(), pr.SeesAdults(), pr.PersonLevel(), limit)
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
		err := db.Pool.QueryRow(ctx, `WITH `+nodeDistricts+` SELECT count(*)::int FROM links l
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
