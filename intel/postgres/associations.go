package postgres

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// AssocFilter selects an association map.
type AssocFilter struct {
	BBox     *[4]float64 // places whose point lies in it
	District string      // places in this district
	Links    LinkSelection
	// MinWeight keeps place–place edges sharing at least this many young
	// people or at least this many groups.
	MinWeight int
	// Threshold is the disclosure threshold for counts the caller may only
	// see as aggregates (geo.Rule semantics; 0: geo.DefaultThreshold).
	Threshold int
	// MaxLinks caps the selected links to places (0: MaxMapLinks); a
	// larger selection answers ETOOLARGE.
	MaxLinks int
}

// MaxMapLinks is the most links an association map is drawn from; a
// larger selection answers 413.
const MaxMapLinks = 100_000

func tooLarge(n int) error {
	return intel.Errorf(intel.ETOOLARGE, "the selection holds more than %d links to places: narrow it with district, bbox, from and to, or kinds", n)
}

// PlaceLinkKinds are the kinds that put a young person at a place.
var PlaceLinkKinds = []string{"frequents", "last_seen_at", "found_at", "attends"}

// AssocLinkKinds are the kinds an association map may be drawn from.
var AssocLinkKinds = []string{"frequents", "last_seen_at", "found_at", "attends", "congregates_at", "member_of", "present_in"}

// gradeKey orders grades strongest first: assessment A..E, then source
// 1..3, so an E-graded link is always the weakest.
func gradeKey(source, assessment byte) int { return int(assessment-'A')*3 + int(source-'1') }

func gradeOfKey(k int) string { return string([]byte{byte('1' + k%3), byte('A' + k/3)}) }

// gradeAgg gathers the grading of the links behind a tie.
type gradeAgg struct {
	best, worst int
	confirmed   bool
	weak        bool // some link unconfirmed or graded E
	links       int
}

func newAgg() gradeAgg { return gradeAgg{best: 1 << 30, worst: -1, confirmed: true} }

func (a *gradeAgg) addLink(source, assessment byte, confirmed bool) {
	k := gradeKey(source, assessment)
	a.best, a.worst = min(a.best, k), max(a.worst, k)
	a.confirmed = a.confirmed && confirmed
	a.weak = a.weak || !confirmed || assessment == 'E'
	a.links++
}

func (a *gradeAgg) merge(b gradeAgg) {
	if b.links == 0 {
		return
	}
	a.best, a.worst = min(a.best, b.best), max(a.worst, b.worst)
	a.confirmed = a.confirmed && b.confirmed
	a.weak = a.weak || b.weak
	a.links += b.links
}

func (a gradeAgg) out() intel.GradeRange {
	if a.links == 0 {
		return intel.GradeRange{}
	}
	return intel.GradeRange{Strongest: gradeOfKey(a.best), Weakest: gradeOfKey(a.worst), Confirmed: a.confirmed,
		Dashed: a.weak, Links: a.links}
}

// ties maps a node to the nodes it is tied to, with the grading behind.
type ties map[int64]map[int64]*gradeAgg

func (t ties) add(a, b int64, g gradeAgg) {
	m := t[a]
	if m == nil {
		m = map[int64]*gradeAgg{}
		t[a] = m
	}
	x := m[b]
	if x == nil {
		n := newAgg()
		x = &n
		m[b] = x
	}
	x.merge(g)
}

func sortedKeys[V any](m map[int64]V) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// AssociationMap computes the association map of the selected places for
// the caller. Counts are exact for places the caller may see person-level
// (person-level role, place in scope); elsewhere a count of young people
// from 1 to threshold−1 is hidden and a place–place edge sharing fewer young
// people than the threshold is left out. Groups and spaces appear only for
// person-level callers; adults of concern only as counts, for roles that
// may see them.
func (db *DB) AssociationMap(ctx context.Context, pr intel.Principal, f AssocFilter) (*intel.AssocMap, error) {
	var bbox []float64
	if f.BBox != nil {
		bbox = f.BBox[:]
	}
	// The SQL holds only the conditions asked for (no "$1 = '' OR ..."), so
	// each shape of request gets a generic plan the server keeps: planning
	// this query cost as much as running it.
	selWhere, args := placeSelection(f.District, bbox, 1)
	cond, largs := f.Links.where("l", len(args)+1)
	args = append(args, largs...)
	sel := `SELECT pl.id FROM places pl WHERE ` + selWhere
	// guard counts the selected place links, up to one past the cap, from
	// the covering index alone; over the cap, nothing else is read and the
	// answer is one "too_large" row.
	maxLinks := cmp.Or(f.MaxLinks, MaxMapLinks)
	limit := strconv.Itoa(maxLinks)
	q := `WITH sel AS (` + sel + `), guard AS (
		SELECT count(*) AS n FROM (SELECT 1 FROM sel JOIN links l ON l.target_id = sel.id
			WHERE l.kind IN ('frequents', 'last_seen_at', 'found_at', 'attends', 'congregates_at') AND COND
			LIMIT ` + limit + ` + 1) x
	), at AS (
		SELECT l.kind, l.source_id, l.target_id, l.source_eval, l.intel_assessment, l.confirmed
		FROM sel JOIN links l ON l.target_id = sel.id
		WHERE (SELECT n FROM guard) <= ` + limit + `
		  AND l.kind IN ('frequents', 'last_seen_at', 'found_at', 'attends', 'congregates_at') AND COND
		  AND (l.kind = 'congregates_at' OR EXISTS (SELECT 1 FROM people p WHERE p.id = l.source_id AND p.kind = 'young_person'))
	), mem AS (
		SELECT l.kind, l.source_id, l.target_id, l.source_eval, l.intel_assessment, l.confirmed FROM links l
		WHERE l.kind = 'member_of' AND l.source_id IN (SELECT source_id FROM at WHERE kind <> 'congregates_at') AND COND
	), pres AS (
		SELECT l.kind, l.source_id, l.target_id, l.source_eval, l.intel_assessment, l.confirmed FROM links l
		WHERE l.kind = 'present_in' AND l.source_id IN (SELECT source_id FROM at UNION SELECT target_id FROM mem) AND COND
	), adults AS (
		SELECT l.kind, l.source_id, l.target_id, l.source_eval, l.intel_assessment, l.confirmed
		FROM sel JOIN links l ON l.target_id = sel.id JOIN people p ON p.id = l.source_id AND p.kind = 'adult_of_concern'
		WHERE ` + strconv.FormatBool(pr.SeesAdults()) + ` AND (SELECT n FROM guard) <= ` + limit + `
		  AND l.kind = 'linked_to' AND COND
	)
	SELECT x.*, coalesce(g.name, s.name, ''), coalesce(s.platform, ''), coalesce(s.space_kind, ''), coalesce(g.district, s.district)
	FROM (SELECT * FROM at UNION ALL SELECT * FROM mem UNION ALL SELECT * FROM pres UNION ALL SELECT * FROM adults
		UNION ALL SELECT 'too_large', n, 0, '1', 'A', true FROM guard WHERE n > ` + limit + `) x
	LEFT JOIN peer_groups g ON g.id = CASE x.kind WHEN 'congregates_at' THEN x.source_id WHEN 'member_of' THEN x.target_id END
	LEFT JOIN online_spaces s ON x.kind = 'present_in' AND s.id = x.target_id`
	// One round trip: the district's existence and the links.
	b := &pgx.Batch{}
	if f.District != "" {
		b.Queue(`SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)`, f.District)
	}
	b.Queue(strings.ReplaceAll(q, "COND", cond), args...)
	br := db.ReadBatch(ctx, b)
	defer br.Close()
	if f.District != "" {
		var known bool
		if err := br.QueryRow().Scan(&known); err != nil {
			return nil, wrap(err, "association map")
		}
		if !known {
			return nil, intel.Invalid("district", "is not a district of this area (see GET /api/v1/districts)")
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, wrap(err, "association map")
	}
	// personAt: young person → places; congregates: group → places;
	// memberOf: young person → groups; presentIn: person or group → spaces;
	// adultAt: place → adults of concern.
	personAt, congregates, memberOf, presentIn, adultAt := ties{}, ties{}, ties{}, ties{}, ties{}
	names := map[int64]contextName{}
	var kind string
	var src, dst int64
	var se, ia string
	var confirmed bool
	var cn contextName
	for n := 0; rows.Next(); n++ {
		if n == 4*maxLinks { // with groups, spaces and adults: still too many
			rows.Close()
			return nil, tooLarge(maxLinks)
		}
		if err := rows.Scan(&kind, &src, &dst, &se, &ia, &confirmed, &cn.name, &cn.platform, &cn.kind, &cn.district); err != nil {
			rows.Close()
			return nil, wrap(err, "association map")
		}
		switch kind {
		case "too_large":
			rows.Close()
			return nil, tooLarge(maxLinks)
		case "congregates_at":
			names[src] = cn
		case "member_of", "present_in":
			names[dst] = cn
		}
		g := newAgg()
		g.addLink(se[0], ia[0], confirmed)
		switch kind {
		case "congregates_at":
			congregates.add(src, dst, g)
		case "member_of":
			memberOf.add(src, dst, g)
		case "present_in":
			presentIn.add(src, dst, g)
		case "linked_to":
			adultAt.add(dst, src, g)
		default:
			personAt.add(src, dst, g)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "association map")
	}
	if err := br.Close(); err != nil {
		return nil, wrap(err, "association map")
	}
	// The places only once the selection is known not to be too large.
	pw, pargs := placeSelection(f.District, bbox, 3)
	prows, err := db.ReadQuery(ctx, placeSQL(assocPlacesSQL+pw+` ORDER BY pl.id`, 1, 2),
		append([]any{pr.PersonLevel(), pr.Scope()}, pargs...)...)
	if err != nil {
		return nil, wrap(err, "association map")
	}
	places, srid, err := scanAssocPlaces(prows)
	if err != nil {
		return nil, err
	}
	return assemble(pr, f, buildTies(personAt, congregates, memberOf, presentIn), adultAt, places, srid, names), nil
}

// tieSet is everything the map is drawn from.
type tieSet struct {
	personAt ties // young person → place
	// groupAt: group → place, when the group congregates there or a member
	// has a selected link to it; groupWeight counts the congregation (1)
	// and each such member.
	groupAt     ties
	groupWeight map[int64]map[int64]int
	// groupPeople: group → members with a selected link to a place.
	groupPeople map[int64]map[int64]bool
	// spaceAt: space → place, reached through the young people present in
	// the space and the members of groups present in it (each person
	// once), and the places where groups present in it congregate;
	// spaceWeight counts those people and congregations.
	spaceAt     ties
	spaceWeight map[int64]map[int64]int
	spacePeople map[int64]map[int64]bool
}

func addWeight(m map[int64]map[int64]int, a, b int64, w int) {
	if m[a] == nil {
		m[a] = map[int64]int{}
	}
	m[a][b] += w
}

func addSet(m map[int64]map[int64]bool, a, b int64) {
	if m[a] == nil {
		m[a] = map[int64]bool{}
	}
	m[a][b] = true
}

// buildTies derives where groups and spaces are from the links read.
func buildTies(personAt, congregates, memberOf, presentIn ties) tieSet {
	t := tieSet{personAt: personAt, groupAt: ties{}, groupWeight: map[int64]map[int64]int{},
		groupPeople: map[int64]map[int64]bool{}, spaceAt: ties{}, spaceWeight: map[int64]map[int64]int{},
		spacePeople: map[int64]map[int64]bool{}}
	for g, places := range congregates {
		for x, c := range places {
			t.groupAt.add(g, x, *c)
			addWeight(t.groupWeight, g, x, 1)
		}
	}
	for p, groups := range memberOf {
		for g, m := range groups {
			addSet(t.groupPeople, g, p)
			for x, at := range personAt[p] {
				c := *m
				c.merge(*at)
				t.groupAt.add(g, x, c)
				addWeight(t.groupWeight, g, x, 1)
			}
		}
	}
	for who, spaces := range presentIn {
		for s, pres := range spaces {
			if _, person := personAt[who]; person {
				addSet(t.spacePeople, s, who)
				for x, at := range personAt[who] {
					c := *pres
					c.merge(*at)
					t.spaceAt.add(s, x, c)
				}
				continue
			}
			// A group present in the space: its members and its
			// congregations.
			for p := range t.groupPeople[who] {
				addSet(t.spacePeople, s, p)
				for x, at := range personAt[p] {
					c := *pres
					c.merge(*memberOf[p][who])
					c.merge(*at)
					t.spaceAt.add(s, x, c)
				}
			}
			for x, c := range congregates[who] {
				cc := *pres
				cc.merge(*c)
				t.spaceAt.add(s, x, cc)
				addWeight(t.spaceWeight, s, x, 1)
			}
		}
	}
	for s, people := range t.spacePeople {
		for p := range people {
			for x := range personAt[p] {
				addWeight(t.spaceWeight, s, x, 1)
			}
		}
	}
	return t
}

// assemble draws the map from the ties and the selection's places (those
// with no selected link are left out).
func assemble(pr intel.Principal, f AssocFilter, t tieSet, adultAt ties, all []placeNode, srid int,
	names map[int64]contextName) *intel.AssocMap {
	rule := geo.Rule{Threshold: f.Threshold}
	threshold := cmp.Or(f.Threshold, geo.DefaultThreshold)
	// Per place: young people, groups, spaces, adults, grading.
	type acc struct {
		people, groups, spaces int
		adults                 int
		g                      gradeAgg
	}
	at := map[int64]*acc{}
	get := func(x int64) *acc {
		a := at[x]
		if a == nil {
			a = &acc{g: newAgg()}
			at[x] = a
		}
		return a
	}
	for _, places := range t.personAt {
		for x, g := range places {
			a := get(x)
			a.people++
			a.g.merge(*g)
		}
	}
	for _, places := range t.groupAt {
		for x := range places {
			get(x).groups++
		}
	}
	for _, places := range t.spaceAt {
		for x := range places {
			get(x).spaces++
		}
	}
	for x, adults := range adultAt {
		get(x).adults = len(adults)
	}
	var places []placeNode
	for _, p := range all {
		if at[p.ID] != nil {
			places = append(places, p)
		}
	}
	out := &intel.AssocMap{}
	idx := map[int64]int{}
	for k := range places {
		p := &places[k]
		a := at[p.ID]
		n := a.people
		p.YoungPeople = &n
		if !p.exact && rule.Suppressed(n) {
			p.YoungPeople, p.Suppressed = nil, true
		}
		p.Groups, p.Spaces = a.groups, a.spaces
		if pr.SeesAdults() {
			na := a.adults
			p.AdultsOfConcern = &na
		}
		p.GradeRange = a.g.out()
		idx[p.ID] = k
	}

	// Place–place edges: a young person with selected links to both
	// places, or a group at both.
	type pair [2]int64
	type edge struct {
		people, groups int
		g              gradeAgg
	}
	edges := map[pair]*edge{}
	addPairs := func(tied map[int64]*gradeAgg, people bool) {
		xs := sortedKeys(tied)
		for i, a := range xs {
			for _, b := range xs[i+1:] {
				e := edges[pair{a, b}]
				if e == nil {
					e = &edge{g: newAgg()}
					edges[pair{a, b}] = e
				}
				if people {
					e.people++
				} else {
					e.groups++
				}
				e.g.merge(*tied[a])
				e.g.merge(*tied[b])
			}
		}
	}
	for _, p := range sortedKeys(t.personAt) {
		addPairs(t.personAt[p], true)
	}
	for _, g := range sortedKeys(t.groupAt) {
		addPairs(t.groupAt[g], false)
	}
	keys := make([]pair, 0, len(edges))
	for k := range edges {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b pair) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	minW := max(f.MinWeight, 1)
	for _, k := range keys {
		e := edges[k]
		if e.people < minW && e.groups < minW {
			continue
		}
		if (!places[idx[k[0]]].exact || !places[idx[k[1]]].exact) && e.people < threshold {
			out.DroppedEdges++
			continue
		}
		places[idx[k[0]]].Degree++
		places[idx[k[1]]].Degree++
		out.Edges = append(out.Edges, intel.AssocEdge{Type: "place-place", Source: k[0], Target: k[1], People: e.people,
			Groups: e.groups, GradeRange: e.g.out()})
	}
	for _, p := range places {
		out.Places = append(out.Places, p.AssocPlace)
	}
	if !pr.PersonLevel() {
		return out
	}

	// Groups and spaces at the weighted centre of the places they reach,
	// in the metric CRS (as the caller sees the places).
	proj, projErr := geo.ProjectionFor(srid)
	derive := func(id int64, typ string, tied map[int64]*gradeAgg, weight map[int64]int, people int) {
		var sx, sy, slon, slat, sw float64
		for x, w := range weight {
			p := places[idx[x]]
			fw := float64(w)
			sx, sy, slon, slat, sw = sx+fw*p.X, sy+fw*p.Y, slon+fw*p.Lon, slat+fw*p.Lat, sw+fw
		}
		if sw == 0 {
			return
		}
		lon, lat := slon/sw, slat/sw
		if projErr == nil {
			lon, lat = proj.Inverse(sx/sw, sy/sw)
		}
		nm := names[id]
		out.Derived = append(out.Derived, intel.AssocDerived{ID: id, Type: typ, Name: nm.name, Platform: nm.platform,
			Kind: nm.kind, District: nm.district, Derived: true, YoungPeople: people, Places: len(tied), Lon: lon, Lat: lat})
		for _, x := range sortedKeys(tied) {
			out.Edges = append(out.Edges, intel.AssocEdge{Type: typ + "-place", Source: id, Target: x,
				Weight: weight[x], GradeRange: tied[x].out()})
		}
	}
	for _, g := range sortedKeys(t.groupAt) {
		derive(g, intel.NodeGroup, t.groupAt[g], t.groupWeight[g], len(t.groupPeople[g]))
	}
	for _, s := range sortedKeys(t.spaceAt) {
		derive(s, intel.NodeSpace, t.spaceAt[s], t.spaceWeight[s], len(t.spacePeople[s]))
	}
	return out
}

// placeNode is a place as the caller may see it.
type placeNode struct {
	intel.AssocPlace
	exact bool // the caller may see this place person-level
}

// assocPlacesSQL reads places (the condition follows) as the caller may
// see them ($1 person-level, $2 scope): a polygon at its
// centroid, a sensitive place the caller may not see exactly at the centre
// of its 1 km square; with the metric position and SRID.
const assocPlacesSQL = `SELECT pl.id,
	CASE WHEN pl.sensitive AND NOT (EXACT) THEN 'Sensitive place (' || replace(pl.kind, '_', ' ') || ')' ELSE pl.name END,
	pl.kind, pl.district, pl.sensitive, pl.sensitive AND NOT (EXACT), coalesce((EXACT), false),
	ST_X(s.pos), ST_Y(s.pos), ST_X(m.pos), ST_Y(m.pos), cm_metric_srid()
	FROM places pl
	CROSS JOIN LATERAL (SELECT CASE WHEN pl.sensitive AND NOT (EXACT) THEN cm_generalise(pl.x, pl.y)
		WHEN GeometryType(pl.geom) = 'POINT' THEN pl.geom ELSE ST_Centroid(pl.geom) END AS pos) s
	CROSS JOIN LATERAL (SELECT ST_Transform(s.pos, cm_metric_srid()) AS pos) m
	WHERE `

// placeSelection is the condition on places pl of a district and a bbox,
// either of which may be absent, with its parameters numbered from next.
func placeSelection(district string, bbox []float64, next int) (string, []any) {
	conds := []string{"true"}
	var args []any
	if district != "" {
		args = append(args, district)
		conds = append(conds, "pl.district = $"+strconv.Itoa(next))
		next++
	}
	if bbox != nil {
		n := "$" + strconv.Itoa(next)
		args = append(args, bbox)
		conds = append(conds, "pl.pt && ST_MakeEnvelope("+n+"[1], "+n+"[2], "+n+"[3], "+n+"[4], 4326)")
	}
	return strings.Join(conds, " AND "), args
}

func scanAssocPlaces(rows pgx.Rows) ([]placeNode, int, error) {
	defer rows.Close()
	var out []placeNode
	srid := 0
	for rows.Next() {
		var p placeNode
		if err := rows.Scan(&p.ID, &p.Name, &p.Kind, &p.District, &p.Sensitive, &p.Generalised, &p.exact,
			&p.Lon, &p.Lat, &p.X, &p.Y, &srid); err != nil {
			return nil, 0, wrap(err, "association map")
		}
		out = append(out, p)
	}
	return out, srid, wrap(rows.Err(), "association map")
}

type contextName struct {
	name, platform, kind string
	district             *string
}
