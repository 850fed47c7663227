package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// ProfileFilter selects what a place profile is built from.
type ProfileFilter struct {
	AsOf     intel.Date // status and category in force on this day
	From, To intel.Date // events window (inclusive days)
	Links    LinkSelection
	// Threshold is the disclosure threshold for counts the caller may see
	// only as aggregates (0: geo.DefaultThreshold).
	Threshold int
}

// Matches applies the selection to one link, as where does in SQL.
func (s LinkSelection) Matches(kind string, g intel.Grade, confirmed bool, first, last time.Time, reviewDue bool) bool {
	switch {
	case len(s.Kinds) > 0 && !slices.Contains(s.Kinds, kind),
		s.From != nil && last.Before(s.From.Time),
		s.To != nil && first.After(s.To.Time),
		s.MinGrade != nil && !g.AtLeast(*s.MinGrade),
		s.ExcludeE && g.Assessment == 'E',
		s.ConfirmedOnly && !confirmed,
		!s.IncludeReviewDue && reviewDue:
		return false
	}
	return true
}

type profileLink struct {
	intel.ProfileLink
	sourceID   int64
	sourceType string
	personKind string
	pseudonym  string
	district   *string
	category   *string
	status     *string
	visible    bool // the caller may see this person
}

// PlaceProfile builds the profile of a place for the caller, and returns
// the ids of the people it names (for the audit). Counts are exact when
// the caller may see the place person-level (person-level role, place in
// scope); otherwise young people from 1 to threshold−1 are hidden (tables
// with a total through geo.SuppressTable, so no hidden count can be worked
// back), as are small monthly event counts and the week-hour profile of
// fewer events than the threshold.
func (db *DB) PlaceProfile(ctx context.Context, pr intel.Principal, id int64, f ProfileFilter) (*intel.PlaceProfile, []int64, error) {
	// One round trip for everything that needs only the place's id.
	to := f.To.Time.Add(24 * time.Hour)
	b := &pgx.Batch{}
	b.Queue(placeSQL(`SELECT `+placeCols+` FROM places pl WHERE pl.id = $1`, 2, 3), id, pr.PersonLevel(), pr.Scope())
	b.Queue(`SELECT l.id, l.kind, l.source_id, n.type, coalesce(pe.kind, ''), coalesce(pe.pseudonym, ''),
		pe.district, l.source_eval || l.intel_assessment || l.handling, l.confirmed, l.first_seen, l.last_seen,
		l.review_date, l.review_date <= current_date,
		(SELECT c.category FROM person_categories c WHERE c.person_id = pe.id AND c.valid_from <= $2
		   AND (c.valid_to IS NULL OR c.valid_to > $2)),
		(SELECT s.status FROM person_statuses s WHERE s.person_id = pe.id AND s.valid_from <= $2
		   AND (s.valid_to IS NULL OR s.valid_to > $2)),
		CASE WHEN pe.kind = 'adult_of_concern' THEN $3::boolean
		     WHEN pe.id IS NOT NULL THEN $4::boolean AND ($5::text[] IS NULL OR pe.district = ANY($5))
		     ELSE $4::boolean END
		FROM links l JOIN nodes n ON n.id = l.source_id LEFT JOIN people pe ON pe.id = l.source_id
		WHERE l.target_id = $1 ORDER BY l.id`, id, f.AsOf.Time, pr.SeesAdults(), pr.PersonLevel(), pr.Scope())
	b.Queue(`SELECT kind, starts_at, ends_at FROM events
		WHERE (place_id = $1 OR found_place_id = $1) AND starts_at < $3 AND ends_at >= $2 ORDER BY starts_at`, id, f.From.Time, to)
	b.Queue(freshnessSQL)
	b.Queue(nodeNetworksSQL, id)
	b.Queue(`SELECT id, kind, applied_on, expires_on, outcome, lead_agency, context_case_id
		FROM disruptions WHERE place_id = $1 ORDER BY applied_on DESC, id DESC`, id)
	br := db.ReadBatch(ctx, b)
	defer br.Close()

	place, err := scanPlace(br.QueryRow())
	if err != nil {
		return nil, nil, wrap(err, "place")
	}
	rule := geo.Rule{Threshold: f.Threshold}
	p := &intel.PlaceProfile{Place: place, AsOf: f.AsOf, From: f.From, To: f.To}
	p.Exact = pr.PersonLevel() && pr.InScope(place.District)

	rows, err := br.Query()
	if err != nil {
		return nil, nil, wrap(err, "place profile")
	}
	var links []profileLink
	for rows.Next() {
		var l profileLink
		var grade string
		if err := rows.Scan(&l.ID, &l.Kind, &l.sourceID, &l.sourceType, &l.personKind, &l.pseudonym, &l.district, &grade,
			&l.Confirmed, &l.FirstSeen.Time, &l.LastSeen.Time, &l.ReviewDate.Time, &l.ReviewDue, &l.category, &l.status,
			&l.visible); err != nil {
			rows.Close()
			return nil, nil, wrap(err, "place profile")
		}
		if l.Grade, err = intel.ParseGrade(grade); err != nil {
			rows.Close()
			return nil, nil, wrap(err, "place profile")
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, wrap(err, "place profile")
	}

	// Links: who is here, the grading mix, what is due for review.
	p.Grading.ByGrade = map[string]int{}
	young := map[int64]*intel.ProfilePerson{}
	adults := map[int64]*intel.ProfilePerson{}
	byKind := map[string]map[int64]bool{}
	congregating := map[int64]bool{}
	var named []int64
	for _, l := range links {
		if l.ReviewDue {
			p.ReviewDue.Count++
			if l.visible {
				p.ReviewDue.Links = append(p.ReviewDue.Links, intel.ReviewLink{ID: l.ID, Kind: l.Kind, SourceID: l.sourceID,
					ReviewDate: l.ReviewDate})
			}
		}
		if !f.Links.Matches(l.Kind, l.Grade, l.Confirmed, l.FirstSeen.Time, l.LastSeen.Time, l.ReviewDue) {
			continue
		}
		p.Grading.ByGrade[string([]byte{l.Grade.Source, l.Grade.Assessment})]++
		if l.Confirmed {
			p.Grading.Confirmed++
		} else {
			p.Grading.Unconfirmed++
		}
		var set map[int64]*intel.ProfilePerson
		switch {
		case l.sourceType == intel.NodeGroup && l.Kind == "congregates_at":
			congregating[l.sourceID] = true
			continue
		case l.personKind == intel.YoungPerson && slices.Contains(PlaceLinkKinds, l.Kind):
			set = young
			if byKind[l.Kind] == nil {
				byKind[l.Kind] = map[int64]bool{}
			}
			byKind[l.Kind][l.sourceID] = true
		case l.personKind == intel.AdultOfConcern:
			set = adults
		default:
			continue
		}
		pp := set[l.sourceID]
		if pp == nil {
			pp = &intel.ProfilePerson{ID: l.sourceID, Kind: l.personKind, Pseudonym: l.pseudonym, District: l.district,
				Category: l.category, Status: l.status}
			set[l.sourceID] = pp
		}
		pp.Links = append(pp.Links, l.ProfileLink)
	}
	visible := map[int64]bool{}
	for _, l := range links {
		visible[l.sourceID] = l.visible
	}

	// Young people by category and status: one-row tables with a total.
	p.YoungPeople = countPeople(young, rule, p.Exact)
	p.YoungPeople.ByLinkKind = map[string]*int{}
	for _, k := range PlaceLinkKinds {
		n := len(byKind[k])
		v := &n
		if !p.Exact && rule.Suppressed(n) {
			v = nil
			p.YoungPeople.Suppressed = true
		}
		p.YoungPeople.ByLinkKind[k] = v
	}
	for _, id := range sortedKeys(young) {
		if pr.PersonLevel() && visible[id] {
			p.People = append(p.People, *young[id])
			named = append(named, id)
		}
	}
	na := len(adults)
	p.AdultsOfConcern.Count = &na
	if !p.Exact && rule.Suppressed(na) {
		p.AdultsOfConcern.Count = nil
	}
	if pr.SeesAdults() {
		for _, id := range sortedKeys(adults) {
			p.AdultsOfConcern.People = append(p.AdultsOfConcern.People, *adults[id])
			named = append(named, id)
		}
	}

	if err := profileEvents(br, p, f, rule); err != nil {
		return nil, nil, err
	}
	fr, _, err := scanFreshness(br.QueryRow())
	if err != nil {
		return nil, nil, err
	}
	nrows, err := br.Query()
	if err != nil {
		return nil, nil, wrap(err, "place profile")
	}
	nets, err := collect(nrows, scanNetwork, "place profile")
	if err != nil {
		return nil, nil, err
	}
	drows, err := br.Query()
	if err != nil {
		return nil, nil, wrap(err, "place profile")
	}
	ds, err := collect(drows, func(r pgx.Row) (intel.ProfileDisruption, error) {
		var d intel.ProfileDisruption
		var expires *time.Time
		err := r.Scan(&d.ID, &d.Kind, &d.AppliedOn.Time, &expires, &d.Outcome, &d.LeadAgency, &d.ContextCaseID)
		if expires != nil {
			d.ExpiresOn = &intel.Date{Time: *expires}
		}
		return d, err
	}, "place profile")
	if err != nil {
		return nil, nil, err
	}
	p.Disruptions = intel.ProfileDisruptions{Total: len(ds), ByKind: map[string]int{}}
	for _, d := range ds {
		p.Disruptions.ByKind[d.Kind]++
	}
	if pr.PersonLevel() {
		p.Disruptions.Items = ds
	}
	if err := br.Close(); err != nil {
		return nil, nil, wrap(err, "place profile")
	}
	if err := db.profileContexts(ctx, pr, p, f.Links, sortedKeys(young), congregating); err != nil {
		return nil, nil, err
	}
	p.Networks = intel.ProfileNetworks{ComputedAt: fr.ComputedAt, Stale: fr.Stale, Items: []intel.Network{}}
	threshold := cmp.Or(f.Threshold, geo.DefaultThreshold)
	for _, n := range nets {
		if !pr.PersonLevel() && *n.Size.YoungPeople < threshold {
			continue // withheld, as in the network list
		}
		p.Networks.Items = append(p.Networks.Items, n)
	}
	return p, named, nil
}

// countPeople makes the category and status counts of young people.
func countPeople(young map[int64]*intel.ProfilePerson, rule geo.Rule, exact bool) intel.ProfileCounts {
	cats := append(slices.Clone(intel.Categories), "none")
	stats := append(slices.Clone(intel.Statuses), "none")
	row := func(codes []string, of func(*intel.ProfilePerson) *string) []int {
		counts := make([]int, len(codes))
		for _, pp := range young {
			k := len(codes) - 1
			if v := of(pp); v != nil {
				if i := slices.Index(codes, *v); i >= 0 {
					k = i
				}
			}
			counts[k]++
		}
		return counts
	}
	out := intel.ProfileCounts{ByCategory: map[string]*int{}, ByStatus: map[string]*int{}}
	n := len(young)
	out.Total = &n
	fill := func(dst map[string]*int, codes []string, counts []int) *int {
		if exact {
			for i, c := range codes {
				v := counts[i]
				dst[c] = &v
			}
			return &n
		}
		t, err := geo.SuppressTable([][]int{counts}, rule)
		if err != nil { // only for negative counts: cannot happen
			return nil
		}
		for i, c := range codes {
			if e := t.Cells[0][i]; e.Suppressed {
				dst[c] = nil
				out.Suppressed = true
			} else {
				v := e.Value
				dst[c] = &v
			}
		}
		if t.Total.Suppressed {
			out.Suppressed = true
			return nil
		}
		v := t.Total.Value
		return &v
	}
	t1 := fill(out.ByCategory, cats, row(cats, func(p *intel.ProfilePerson) *string { return p.Category }))
	t2 := fill(out.ByStatus, stats, row(stats, func(p *intel.ProfilePerson) *string { return p.Status }))
	if t1 == nil || t2 == nil {
		out.Total = nil
	} else {
		out.Total = t1
	}
	return out
}

// profileContexts finds the groups of the young people here (and groups
// congregating here) and the online spaces they or their groups are in.
func (db *DB) profileContexts(ctx context.Context, pr intel.Principal, p *intel.PlaceProfile, sel LinkSelection,
	young []int64, congregating map[int64]bool) error {
	cond, args := sel.where("l", 3)
	rows, err := db.ReadQuery(ctx, `WITH mem AS (
			SELECT l.source_id, l.target_id FROM links l WHERE l.kind = 'member_of' AND l.source_id = ANY($1) AND `+cond+`
		), pres AS (
			-- One array of sources, not ORs, so the lookup stays on the index.
			SELECT l.source_id, l.target_id FROM links l WHERE l.kind = 'present_in'
			  AND l.source_id = ANY(ARRAY(SELECT unnest($1::bigint[]) UNION SELECT unnest($2::bigint[])
			                              UNION SELECT target_id FROM mem)) AND `+cond+`
		)
		SELECT 'member', m.source_id, m.target_id, g.name, '', '' FROM mem m JOIN peer_groups g ON g.id = m.target_id
		UNION ALL SELECT 'congregates', 0, g.id, g.name, '', '' FROM peer_groups g WHERE g.id = ANY($2)
		UNION ALL SELECT 'present', x.source_id, x.target_id, s.name, s.platform, s.space_kind FROM pres x
		  JOIN online_spaces s ON s.id = x.target_id`,
		append([]any{young, sortedKeys(congregating)}, args...)...)
	if err != nil {
		return wrap(err, "place profile")
	}
	defer rows.Close()
	groups := map[int64]*intel.ProfileContext{}
	spaces := map[int64]*intel.ProfileContext{}
	groupMembers := map[int64]map[int64]bool{}
	spacePeople := map[int64]map[int64]bool{}
	type presence struct{ who, space int64 }
	var present []presence
	for rows.Next() {
		var what, name, platform, kind string
		var who, ctxID int64
		if err := rows.Scan(&what, &who, &ctxID, &name, &platform, &kind); err != nil {
			return wrap(err, "place profile")
		}
		switch what {
		case "member", "congregates":
			g := groups[ctxID]
			if g == nil {
				g = &intel.ProfileContext{ID: ctxID, Name: name}
				groups[ctxID] = g
			}
			if what == "congregates" {
				g.Congregates = true
			} else {
				addSet(groupMembers, ctxID, who)
			}
		case "present":
			if spaces[ctxID] == nil {
				spaces[ctxID] = &intel.ProfileContext{ID: ctxID, Name: name, Platform: platform, Kind: kind}
			}
			present = append(present, presence{who, ctxID})
		}
	}
	if err := rows.Err(); err != nil {
		return wrap(err, "place profile")
	}
	isYoung := map[int64]bool{}
	for _, y := range young {
		isYoung[y] = true
	}
	for _, x := range present {
		if isYoung[x.who] {
			addSet(spacePeople, x.space, x.who)
		}
		for m := range groupMembers[x.who] {
			addSet(spacePeople, x.space, m)
		}
	}
	for id, g := range groups {
		g.PeopleHere = len(groupMembers[id])
	}
	for id, s := range spaces {
		s.PeopleHere = len(spacePeople[id])
	}
	p.Groups.Count, p.Spaces.Count = len(groups), len(spaces)
	if pr.PersonLevel() {
		for _, id := range sortedKeys(groups) {
			p.Groups.Items = append(p.Groups.Items, *groups[id])
		}
		for _, id := range sortedKeys(spaces) {
			p.Spaces.Items = append(p.Spaces.Items, *spaces[id])
		}
	}
	return nil
}

// profileEvents counts the events at the place (or found there) in the
// window, by month and kind, and spreads them over the week's hours; the
// events are the batch's next result.
func profileEvents(br pgx.BatchResults, p *intel.PlaceProfile, f ProfileFilter, rule geo.Rule) error {
	from := f.From.Time
	rows, err := br.Query()
	if err != nil {
		return wrap(err, "place profile")
	}
	defer rows.Close()
	london := geo.London()
	var wh geo.WeekHours
	months := map[string]int{}
	kinds := map[string]int{}
	for rows.Next() {
		var kind string
		var start, end time.Time
		if err := rows.Scan(&kind, &start, &end); err != nil {
			return wrap(err, "place profile")
		}
		p.Events.Total++
		months[start.In(london).Format("2006-01")]++
		kinds[kind]++
		if err := wh.Add(start, end, 1, london); err != nil {
			return wrap(err, "place profile")
		}
	}
	if err := rows.Err(); err != nil {
		return wrap(err, "place profile")
	}
	hide := func(n int) *int {
		if !p.Exact && rule.Suppressed(n) {
			return nil
		}
		return &n
	}
	p.Events.ByMonth = []intel.MonthCount{}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(f.To.Time); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		p.Events.ByMonth = append(p.Events.ByMonth, intel.MonthCount{Month: key, Count: hide(months[key])})
	}
	p.Events.ByKind = map[string]*int{}
	for _, k := range intel.EventKinds {
		p.Events.ByKind[k] = hide(kinds[k])
	}
	if p.Exact || !rule.Suppressed(p.Events.Total) {
		w := [7][24]float64(wh)
		p.WeekHours = &w
	}
	return nil
}
