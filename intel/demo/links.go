package demo

import (
	"math/rand/v2"
	"slices"
	"time"
)

// intelGrades is the usual 3x5x2 mix: mostly untested sources known
// indirectly (2B, 2C), some first-hand (1A), a few doubtful (3E).
var intelGrades = []choice[string]{{"1AP", 10}, {"1BP", 8}, {"1AC", 2}, {"2BP", 30}, {"2CP", 26}, {"2BC", 5},
	{"2CC", 5}, {"3CP", 5}, {"3DP", 5}, {"3EP", 4}}

// confirmChance is how often intelligence of a grade has been confirmed:
// first-hand and corroborated reports mostly, doubtful ones hardly ever.
func confirmChance(g string) float64 {
	switch g[:2] {
	case "1A":
		return 0.9
	case "1B":
		return 0.75
	case "2A", "2B":
		return 0.6
	case "2C":
		return 0.4
	case "3C":
		return 0.15
	case "3D":
		return 0.05
	}
	return 0
}

// demoReview moves most review dates past the demo's own timeline (which
// ends in 2021) to dates in 2027-2028, as if the records had been reviewed
// and kept: otherwise, seen from today, every record would be past review
// and left out of the maps by default. One record in ten keeps its original
// date, so review lists have something to show. It uses the record's index,
// not the random stream, so the rest of the data is unchanged.
func demoReview(review time.Time, index int) time.Time {
	if index%10 == 0 {
		return review
	}
	return addDays(day(2027, 1, 1), (index*37)%700)
}

// reviewMonths is how long a link stands before review: weaker
// intelligence is reviewed sooner.
func reviewMonths(g string) int {
	switch {
	case g[1] == 'E':
		return 1
	case g[0] == '1':
		return 12
	case g[0] == '2':
		return 6
	}
	return 3
}

var linkAgencies = map[string][]choice[string]{
	"frequents":       {{"Cumbria Constabulary", 40}, {"Youth Service", 30}, {"Children's Social Care", 20}, {"School", 5}, {"Health", 5}},
	"member_of":       {{"Cumbria Constabulary", 35}, {"Youth Service", 35}, {"Children's Social Care", 20}, {"School", 10}},
	"present_in":      {{"Cumbria Constabulary", 40}, {"School", 30}, {"Children's Social Care", 20}, {"Youth Service", 10}},
	"attends":         {{"School", 85}, {"Children's Social Care", 15}},
	"last_seen_at":    {{"Cumbria Constabulary", 80}, {"Children's Social Care", 20}},
	"found_at":        {{"Cumbria Constabulary", 80}, {"Children's Social Care", 20}},
	"associates_with": {{"Cumbria Constabulary", 35}, {"Children's Social Care", 30}, {"School", 20}, {"Youth Service", 10}, {"Health", 5}},
	"congregates_at":  {{"Cumbria Constabulary", 50}, {"Youth Service", 50}},
	"linked_to":       {{"Cumbria Constabulary", 85}, {"Children's Social Care", 15}},
}

type linkKey struct {
	kind     string
	src, dst *node
}

// visits tallies a person's events at places, in the order first seen.
type visits struct {
	order []*place
	n     map[*place]int
	first map[*place]time.Time
	last  map[*place]time.Time
}

func (v *visits) add(p *place, t time.Time) {
	if v.n == nil {
		v.n, v.first, v.last = map[*place]int{}, map[*place]time.Time{}, map[*place]time.Time{}
	}
	if v.n[p] == 0 {
		v.order = append(v.order, p)
		v.first[p] = t
	}
	v.n[p]++
	v.last[p] = maxTime(v.last[p], t)
}

// top returns up to k places seen at least atLeast times, most seen first.
func (v *visits) top(k, atLeast int) []*place {
	var out []*place
	for _, p := range v.order {
		if v.n[p] >= atLeast {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b *place) int { return v.n[b] - v.n[a] })
	return out[:min(k, len(out))]
}

// usual returns the places seen twice or more (up to two), else the first.
func (v *visits) usual() []*place {
	if ps := v.top(2, 2); len(ps) > 0 {
		return ps
	}
	return v.top(1, 1)
}

// genLinks draws the graph: most of a young person's links follow from
// the events they were in (where they were seen, last seen, found, and with
// whom), the rest from school, groups, spaces, and the adults around them.
func (w *world) genLinks() {
	r := w.rng(streamLinks)
	seen := map[linkKey]bool{}
	add := func(kind string, src, dst *node, first, last time.Time, grade, nature string, strength int16) {
		k := linkKey{kind, src, dst}
		if seen[k] || src == dst {
			return
		}
		seen[k] = true
		if last.Before(first) {
			last = first
		}
		l := &link{kind: kind, src: src, dst: dst, grade: grade, agency: pick(r, linkAgencies[kind]),
			first: first, last: last, nature: nature, strength: strength}
		l.confirmed = kind == "attends" || chance(r, confirmChance(grade))
		l.review = demoReview(last.AddDate(0, reviewMonths(grade), 0), len(w.links))
		l.created = officeTime(r, minTime(addDays(first, r.IntN(10)), last))
		l.updated = officeTime(r, last)
		w.links = append(w.links, l)
	}
	grade := func() string { return pick(r, intelGrades) }

	where := map[*person]*visits{}
	lastSeen := map[*person]*visits{}
	found := map[*person]*visits{}
	index := map[*person]int{}
	for i, p := range w.people {
		index[p] = i
		where[p], lastSeen[p], found[p] = &visits{}, &visits{}, &visits{}
	}
	type pair struct{ a, b *person }
	together := map[pair]int{}
	coMissing := map[pair]bool{}
	var pairs []pair
	for _, e := range w.events {
		d := dateOf(e.start)
		for _, p := range e.people {
			switch {
			case e.kind == "missing_episode":
				if e.place != nil {
					lastSeen[p].add(e.place, d)
				}
				if e.foundPlace != nil {
					found[p].add(e.foundPlace, dateOf(e.foundAt))
				}
			case e.kind != "return_home_interview" && e.place != nil && e.place.kind != "school" && e.place.kind != "childrens_home":
				where[p].add(e.place, d)
			}
		}
		for i, p := range e.people {
			for _, q := range e.people[i+1:] {
				k := pair{p, q}
				if index[q] < index[p] {
					k = pair{q, p}
				}
				if together[k] == 0 {
					pairs = append(pairs, k)
				}
				together[k]++
				coMissing[k] = coMissing[k] || e.kind == "missing_episode"
			}
		}
	}

	for _, p := range w.people {
		if p.kind != "young_person" {
			continue
		}
		if p.school != nil {
			add("attends", &p.node, &p.school.node, maxTime(p.from, day(2018, 9, 3)), p.to,
				pick(r, []choice[string]{{"1AP", 7}, {"1BP", 2}, {"2BP", 1}}), "", 0)
		}
		v := where[p]
		for _, pl := range v.top(3, 3) {
			add("frequents", &p.node, &pl.node, v.first[pl], v.last[pl], grade(), "", 0)
		}
		// Missing-episode places: those seen twice or more, else the one.
		for _, pl := range lastSeen[p].usual() {
			add("last_seen_at", &p.node, &pl.node, lastSeen[p].first[pl], lastSeen[p].last[pl],
				pick(r, []choice[string]{{"2BP", 5}, {"1BP", 3}, {"1AP", 2}}), "", 0)
		}
		for _, pl := range found[p].usual() {
			add("found_at", &p.node, &pl.node, found[p].first[pl], found[p].last[pl],
				pick(r, []choice[string]{{"1AP", 4}, {"1BP", 3}, {"2BP", 3}}), "", 0)
		}
	}
	for _, g := range w.groups {
		for _, p := range g.members {
			first := maxTime(p.from, dateOf(g.created))
			add("member_of", &p.node, &g.node, first, maxTime(first, between(r, first, p.to)), grade(), "", 0)
		}
		for _, pl := range g.places {
			first := between(r, dateOf(g.created), day(2020, 12, 31))
			add("congregates_at", &g.node, &pl.node, first, between(r, first, dataEnd), grade(), "", 0)
		}
		for _, s := range g.spaces {
			first := maxTime(dateOf(g.created), dateOf(s.created))
			add("present_in", &g.node, &s.node, first, between(r, first, dataEnd), grade(), "", 0)
		}
	}
	for _, s := range w.spaces {
		for _, p := range s.members {
			first := maxTime(p.from, dateOf(s.created))
			add("present_in", &p.node, &s.node, first, maxTime(first, between(r, first, p.to)), grade(), "", 0)
		}
	}

	// Associations: young people seen together five or more times, the
	// strongest three of each, and at least one for everyone in a network.
	slices.SortStableFunc(pairs, func(a, b pair) int { return together[b] - together[a] })
	ties := map[*person]int{}
	tied := map[*person]bool{}
	for _, k := range pairs {
		n := together[k]
		if n < 5 || ties[k.a] >= 3 || ties[k.b] >= 3 {
			continue
		}
		nature := one(r, []string{"peer", "peer", "school friend", "relationship", "online contact"})
		if coMissing[k] {
			nature = "went missing together"
		}
		first, last := maxTime(k.a.from, k.b.from), minTime(k.a.to, k.b.to)
		add("associates_with", &k.a.node, &k.b.node, first, last, grade(), nature, int16(min(5, 1+n/4)))
		ties[k.a]++
		ties[k.b]++
		tied[k.a], tied[k.b] = true, true
	}
	for _, n := range w.networks {
		for _, p := range n.members {
			if tied[p] || len(n.members) < 2 {
				continue
			}
			q := one(r, otherPeople(n.members, p))
			first := maxTime(p.from, q.from)
			add("associates_with", &p.node, &q.node, first, maxTime(first, minTime(p.to, q.to)),
				pick(r, []choice[string]{{"2CP", 5}, {"3CP", 2}, {"2BP", 3}}), "peer", int16(1+r.IntN(2)))
			tied[p], tied[q] = true, true
		}
	}
	w.adultLinks(r, add, grade)
}

func otherPeople(ps []*person, p *person) []*person {
	var out []*person
	for _, q := range ps {
		if q != p {
			out = append(out, q)
		}
	}
	return out
}

type addLink func(kind string, src, dst *node, first, last time.Time, grade, nature string, strength int16)

// adultLinks ties each adult of concern into their network: the address
// they use, places they are seen with young people, the group, the chat,
// and the young people themselves. Adults from outside the area run lines
// into several towns' addresses.
func (w *world) adultLinks(r *rand.Rand, add addLink, grade func() string) {
	span := func(a *person) (time.Time, time.Time) {
		first := between(r, a.from, addDays(a.to, -90))
		return first, between(r, first, a.to)
	}
	victimWeight := map[string]float64{"cse3": 6, "cse2": 5, "other": 4, "cse1": 2, "": 1}
	var outOfArea []*person
	for _, a := range w.people {
		if a.kind != "adult_of_concern" {
			continue
		}
		n := a.net
		if n == nil {
			outOfArea = append(outOfArea, a)
			continue
		}
		for _, h := range kindsOf(n.places, "house") {
			if chance(r, 0.7) {
				f, l := span(a)
				add("linked_to", &a.node, &h.node, f, l, grade(), one(r, []string{"controls address (cuckooed)", "frequent visitor", "uses address"}), 0)
			}
		}
		public := kindsOf(n.places, "takeaway", "car_park", "hotel", "rail_station", "bus_station", "street", "taxi_rank")
		for range 1 + r.IntN(2) {
			if len(public) > 0 {
				f, l := span(a)
				add("linked_to", &a.node, &heatPick(r, public).node, f, l, grade(), "seen with young people at", 0)
			}
		}
		if len(n.groups) > 0 && chance(r, 0.7) {
			f, l := span(a)
			add("linked_to", &a.node, &one(r, n.groups).node, f, l, grade(), "associated with group", 0)
		}
		if chance(r, 0.45) {
			f, l := span(a)
			add("linked_to", &a.node, &one(r, n.spaces).node, f, l, grade(), "contact with young people online", 0)
		}
		var ws []float64
		for _, p := range n.members {
			ws = append(ws, victimWeight[p.categoryOn(asOf)])
		}
		for range 2 + r.IntN(3) {
			if len(n.members) == 0 {
				break
			}
			p := n.members[weighted(r, ws)]
			nature := one(r, []string{"suspected exploiter", "supplies drugs or alcohol", "gives lifts", "older partner"})
			if p.categoryOn(asOf) == "other" {
				nature = one(r, []string{"recruits for drug supply", "suspected exploiter", "gives lifts"})
			}
			f := maxTime(a.from, p.from)
			add("linked_to", &a.node, &p.node, f, maxTime(f, minTime(a.to, p.to)), grade(), nature, int16(2+r.IntN(4)))
		}
		for _, b := range n.adults {
			if b != a && chance(r, 0.6) {
				f, l := span(a)
				add("associates_with", &a.node, &b.node, f, l, grade(), one(r, []string{"associate", "co-offender"}), int16(2+r.IntN(3)))
			}
		}
	}
	var lined []*network
	for _, n := range w.networks {
		if len(kindsOf(n.places, "house")) > 0 {
			lined = append(lined, n)
		}
	}
	for _, a := range outOfArea {
		for range 2 + r.IntN(2) {
			n := one(r, lined)
			f, l := span(a)
			add("linked_to", &a.node, &one(r, kindsOf(n.places, "house")).node, f, l, grade(), "county line: uses address", 0)
			if hubs := kindsOf(n.places, "rail_station", "bus_station"); len(hubs) > 0 {
				f, l := span(a)
				add("linked_to", &a.node, &one(r, hubs).node, f, l, grade(), "county line: arrives by", 0)
			}
			if len(n.adults) > 0 {
				f, l := span(a)
				add("associates_with", &a.node, &one(r, n.adults).node, f, l, grade(), "county line: local contact", int16(3+r.IntN(3)))
			}
			if len(n.members) > 0 && chance(r, 0.6) {
				p := one(r, n.members)
				f := maxTime(a.from, p.from)
				add("linked_to", &a.node, &p.node, f, maxTime(f, minTime(a.to, p.to)), grade(), "recruits for drug supply", int16(2+r.IntN(3)))
			}
		}
	}
}
