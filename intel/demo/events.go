package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// How many events of each sort the demo holds.
const (
	safeguardingEvents = 6200 // about young people: missing episodes, sightings ...
	crimeEvents        = 1050 // police.uk-like context, without people
)

// Hour-of-day weights: quiet mornings, a peak from after school to late
// evening, a tail past midnight.
var hourWeights = [24]float64{2.0, 1.4, 0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.5, 0.5, 0.6, 0.7,
	1.0, 1.0, 1.0, 1.6, 2.6, 3.2, 3.8, 4.4, 4.8, 4.8, 4.0, 3.0}

// Day-of-week weights, Sunday first: Friday and Saturday nights stand out.
var weekdayWeights = [7]float64{1.05, 0.85, 0.85, 0.9, 0.95, 1.3, 1.45}

// monthFactor shapes the three years: a gentle rise as the partnership
// recorded more, summers busier than winters, and the 2020-21 lockdowns
// quieter on the streets.
func monthFactor(d time.Time) float64 {
	f := map[int]float64{2019: 0.85, 2020: 1.0, 2021: 1.1}[d.Year()]
	switch d.Month() {
	case time.June, time.July, time.August:
		f *= 1.2
	case time.January, time.February:
		f *= 0.85
	case time.December:
		f *= 1.1
	}
	switch {
	case !d.Before(day(2020, 3, 23)) && d.Before(day(2020, 6, 1)):
		f *= 0.55
	case !d.Before(day(2020, 11, 5)) && d.Before(day(2020, 12, 2)):
		f *= 0.8
	case !d.Before(day(2021, 1, 5)) && d.Before(day(2021, 3, 8)):
		f *= 0.75
	}
	return f
}

// eventDay draws a day in [from, to], busier months and weekends likelier.
func eventDay(r *rand.Rand, from, to time.Time) time.Time {
	for {
		d := between(r, from, to)
		if r.Float64()*1.45*1.45 < monthFactor(d)*weekdayWeights[d.Weekday()] {
			return d
		}
	}
}

// eventTime draws a time of day on d; school hours are quieter on weekdays
// and missing episodes lean later into the night.
func eventTime(r *rand.Rand, d time.Time, kind string) time.Time {
	ws := hourWeights
	weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	for h := range ws {
		if weekday && h >= 9 && h <= 14 {
			ws[h] *= 0.6
		}
		if kind == "missing_episode" && (h >= 20 || h <= 2) {
			ws[h] *= 1.5
		}
	}
	return at(d, weighted(r, ws[:]), r.IntN(60))
}

// window gives about a fifth of events a time window ("between 22:00 and
// 02:00") instead of an exact time.
func window(r *rand.Rand, t time.Time) (time.Time, time.Time) {
	if !chance(r, 0.2) {
		return t, t
	}
	start := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 30*(t.Minute()/30), 0, 0, london)
	return start, start.Add(time.Duration(1+r.IntN(8)) * time.Hour)
}

// placeSigma is how far, in metres, reports of an event at a place scatter
// around its point.
func placeSigma(kind string) float64 {
	switch kind {
	case "house", "childrens_home":
		return 5
	case "takeaway", "shop", "taxi_rank", "hotel":
		return 12
	case "bus_station", "rail_station":
		return 20
	case "park", "school", "leisure_centre":
		return 40
	}
	return 30
}

// genEvents builds the safeguarding events around the young people and the
// crime context, then orders them by time.
func (w *world) genEvents() {
	r := w.rng(streamEvents)
	var yps []*person
	var ws []float64
	for _, p := range w.people {
		if p.kind == "young_person" && !p.to.Before(p.from) {
			yps = append(yps, p)
			ws = append(ws, p.weight*float64(1+daysBetween(p.from, p.to)))
		}
	}
	for n := 0; n < safeguardingEvents; {
		p := yps[weighted(r, ws)]
		d := eventDay(r, p.from, p.to)
		missing := 0.2
		switch p.statusOn(d) {
		case "cla":
			missing = 0.4
		case "cp":
			missing = 0.25
		}
		reports := 0.26 // intelligence grew as the partnership mapped more
		if d.Year() == 2021 {
			reports *= 1.3
		}
		switch kind := pick(r, []choice[string]{{"missing_episode", missing}, {"sighting", 0.33},
			{"incident", 0.16}, {"intelligence_report", reports}}); kind {
		case "missing_episode":
			e := w.missingEpisode(r, p, d)
			n++
			// The interview is an event of its own when it falls within the
			// data's years.
			if !e.rhiAt.IsZero() && !dateOf(e.rhiAt).After(dataEnd) && n < safeguardingEvents {
				w.returnInterview(r, p, e)
				n++
			}
		default:
			w.contactEvent(r, p, d, kind)
			n++
		}
	}
	w.genCrimes()
	slices.SortStableFunc(w.events, func(a, b *event) int { return a.start.Compare(b.start) })
	for i, e := range w.events {
		e.extRef = fmt.Sprintf("demo-event-%d", i+1)
	}
}

// contactEvent is a sighting, incident or intelligence report: a young
// person, often with others of their network, at one of their places.
func (w *world) contactEvent(r *rand.Rand, p *person, d time.Time, kind string) {
	t := eventTime(r, d, kind)
	e := &event{kind: kind}
	e.start, e.end = window(r, t)
	weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	if p.school != nil && weekday && t.Hour() >= 8 && t.Hour() <= 15 && chance(r, 0.5) {
		e.place = p.school
	} else {
		e.place = w.eventPlace(r, p)
	}
	w.position(r, e, p)
	e.people = w.companions(r, p, d, pick(r, []choice[int]{{1, 45}, {2, 30}, {3, 17}, {4, 8}}))
	w.eventGroups(r, e)
	w.finish(r, e, p, d)
}

// missingEpisode is a child going missing from a place and being found,
// with a return home interview within 72 hours about 60% of the time.
func (w *world) missingEpisode(r *rand.Rand, p *person, d time.Time) *event {
	e := &event{kind: "missing_episode"}
	e.start, e.end = window(r, eventTime(r, d, e.kind))
	if p.home != nil && p.statusOn(d) == "cla" && chance(r, 0.55) {
		e.place = p.home
	} else {
		e.place = w.eventPlace(r, p)
	}
	w.position(r, e, p)
	e.people = w.companions(r, p, d, pick(r, []choice[int]{{1, 80}, {2, 20}}))
	hours := math.Min(200, math.Max(1.5, math.Exp(math.Log(9)+r.NormFloat64())))
	e.foundAt = e.end.Add(time.Duration(hours * float64(time.Hour))).Truncate(time.Minute)
	x := r.Float64()
	switch {
	case x < 0.3 && p.net != nil:
		e.foundPlace = heatPick(r, p.net.places)
	case x < 0.5:
		e.foundPlace = w.elsewhere(r, p)
	case x < 0.65 && p.net != nil:
		if hs := kindsOf(p.net.places, "house"); len(hs) > 0 {
			e.foundPlace = one(r, hs)
		}
	case x < 0.8:
		if ps := w.placesIn(p.town, "street", "bus_station", "rail_station"); len(ps) > 0 {
			e.foundPlace = heatPick(r, ps)
		}
	case x < 0.9 && p.home != nil:
		e.foundPlace = p.home
	}
	if chance(r, 0.88) {
		e.rhiAt = interviewTime(r, e.foundAt, chance(r, 0.62))
	}
	w.finish(r, e, p, d)
	if !e.rhiAt.IsZero() {
		e.updated = e.rhiAt.Add(time.Duration(1+r.IntN(48)) * time.Hour)
	}
	return e
}

// interviewTime is when a return home interview is held: in working hours,
// within 72 hours of the child being found or later.
func interviewTime(r *rand.Rand, found time.Time, inTime bool) time.Time {
	if inTime {
		for range 20 {
			t := officeTime(r, addDays(found, r.IntN(4)))
			if h := t.Sub(found).Hours(); h >= 2 && h <= 72 {
				return t
			}
		}
		return found.Add(time.Duration(20+r.IntN(40)) * time.Hour)
	}
	return officeTime(r, addDays(found, 4+r.IntN(12)))
}

// returnInterview is the return home interview of a missing episode.
func (w *world) returnInterview(r *rand.Rand, p *person, m *event) {
	e := &event{kind: "return_home_interview", start: m.rhiAt, end: m.rhiAt}
	switch {
	case p.home != nil && p.statusOn(dateOf(m.rhiAt)) == "cla":
		e.place = p.home
	case p.school != nil && chance(r, 0.5):
		e.place = p.school
	}
	w.position(r, e, p)
	e.people = []*person{p}
	w.finish(r, e, p, dateOf(m.rhiAt))
}

// eventPlace picks where a young person's event happens: mostly their
// network's places, then their town's, sometimes another town; now and then
// a street with no recorded place.
func (w *world) eventPlace(r *rand.Rand, p *person) *place {
	x := r.Float64()
	switch {
	case p.net != nil && x < 0.72:
		return heatPick(r, p.net.places)
	case x < 0.88:
		if ps := w.townPlaces(p.town); len(ps) > 0 {
			return heatPick(r, ps)
		}
	case x < 0.95:
		return w.elsewhere(r, p)
	}
	return nil
}

// elsewhere is a busy place in another town: for a network spanning two
// districts, its other town; else a bigger town nearby, reached by rail or
// bus.
func (w *world) elsewhere(r *rand.Rand, p *person) *place {
	var cands []int
	if p.net != nil && len(p.net.towns) > 1 {
		for _, ti := range p.net.towns {
			if ti != p.town {
				cands = append(cands, ti)
			}
		}
	}
	if len(cands) == 0 {
		var ws []float64
		for i, t := range towns {
			if i == p.town || t.size < 3 {
				continue
			}
			kx, ky := metresPerDegree(t.lat)
			d := math.Hypot((t.lon-towns[p.town].lon)*kx, (t.lat-towns[p.town].lat)*ky)
			cands = append(cands, i)
			ws = append(ws, float64(t.size)/(1+sq(d/15000)))
		}
		cands = []int{cands[weighted(r, ws)]}
	}
	ps := w.placesIn(cands[0], "street", "bus_station", "rail_station", "takeaway", "shopping_centre", "park")
	if len(ps) == 0 {
		return nil
	}
	return heatPick(r, ps)
}

// townPlaces are a town's places where young people are seen in public.
func (w *world) townPlaces(ti int) []*place {
	var out []*place
	for _, p := range w.places {
		if p.town == ti && p.kind != "house" && p.kind != "childrens_home" && p.kind != "school" {
			out = append(out, p)
		}
	}
	return out
}

func kindsOf(ps []*place, kinds ...string) []*place {
	var out []*place
	for _, p := range ps {
		if slices.Contains(kinds, p.kind) {
			out = append(out, p)
		}
	}
	return out
}

func heatPick(r *rand.Rand, ps []*place) *place {
	ws := make([]float64, len(ps))
	for i, p := range ps {
		ws[i] = p.heat
	}
	return ps[weighted(r, ws)]
}

// position puts the event's point near its place (tens of metres), or in
// the streets of the person's town when there is no place, and always on
// land in the area.
func (w *world) position(r *rand.Rand, e *event, p *person) {
	lon, lat, sigma := towns[p.town].lon, towns[p.town].lat, towns[p.town].spread*1.2
	if e.place != nil {
		lon, lat, sigma = e.place.lon, e.place.lat, placeSigma(e.place.kind)
	}
	for range 10 {
		x, y := scatter(r, lon, lat, sigma)
		x, y = round6(x), round6(y)
		if w.districtAt(x, y) != "" {
			e.lon, e.lat = x, y
			return
		}
	}
	// A coastal place just outside the clipped polygons: its own point,
	// which the database places in the nearest district.
	e.lon, e.lat = lon, lat
}

// companions returns the young person and up to n-1 others of their
// network who were around at the time.
func (w *world) companions(r *rand.Rand, p *person, d time.Time, n int) []*person {
	out := []*person{p}
	if p.net == nil || n == 1 {
		return out
	}
	var cands []*person
	for _, q := range p.net.members {
		if q != p && q.activeOn(d) {
			cands = append(cands, q)
		}
	}
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	return append(out, cands[:min(n-1, len(cands))]...)
}

// eventGroups records a peer group when those involved belong to it and
// the event is where it gathers, or now and then elsewhere.
func (w *world) eventGroups(r *rand.Rand, e *event) {
	for _, g := range w.groups {
		in := 0
		for _, p := range e.people {
			if slices.Contains(g.members, p) {
				in++
			}
		}
		if in == 0 {
			continue
		}
		if (slices.Contains(g.places, e.place) && chance(r, 0.7)) || (in > 1 && chance(r, 0.35)) {
			e.groups = append(e.groups, g)
		}
	}
}

// finish fills in what every safeguarding event carries: the child's
// category, severity, grade, source, review date and record times.
func (w *world) finish(r *rand.Rand, e *event, p *person, d time.Time) {
	e.category = p.categoryOn(d)
	base := map[string]float64{"missing_episode": 3, "incident": 3, "sighting": 2, "intelligence_report": 2,
		"return_home_interview": 1}[e.kind]
	adj := map[string]float64{"cse1": 0, "cse2": 1, "cse3": 1.5, "other": 0.7, "": -0.5}[e.category]
	if e.kind == "return_home_interview" {
		adj /= 2
	}
	e.severity = int16(max(1, min(5, math.Round(base+adj+r.NormFloat64()*0.8))))
	if e.kind == "return_home_interview" {
		e.grade = pick(r, []choice[string]{{"1AP", 6}, {"1BP", 3}, {"2BP", 1}})
	} else {
		e.grade = pick(r, intelGrades)
	}
	e.confirmed = chance(r, confirmChance(e.grade))
	e.agency = pick(r, eventAgencies[e.kind])
	e.review = demoReview(addDays(day(d.Year(), d.Month(), d.Day()), 90+r.IntN(91)), len(w.events))
	last := e.end
	if !e.foundAt.IsZero() {
		last = e.foundAt
	}
	e.created = last.Add(time.Duration(2+r.IntN(70)) * time.Hour).Truncate(time.Minute)
	e.updated = e.created
	w.events = append(w.events, e)
}

var eventAgencies = map[string][]choice[string]{
	"missing_episode":       {{"Cumbria Constabulary", 85}, {"Children's Social Care", 15}},
	"sighting":              {{"Cumbria Constabulary", 45}, {"Youth Service", 35}, {"School", 10}, {"Children's Social Care", 10}},
	"incident":              {{"Cumbria Constabulary", 70}, {"School", 15}, {"Health", 10}, {"Children's Social Care", 5}},
	"intelligence_report":   {{"Cumbria Constabulary", 60}, {"Children's Social Care", 20}, {"Youth Service", 10}, {"School", 5}, {"Health", 5}},
	"return_home_interview": {{"Children's Social Care", 65}, {"Youth Service", 35}},
}

// crimeTypes are police.uk categories with their shares of the context.
var crimeTypes = []choice[string]{{"Anti-social behaviour", 45}, {"Violence and sexual offences", 30},
	{"Public order", 12}, {"Drugs", 13}}

// genCrimes builds police.uk-like crime context: a month, not a time, and
// an anonymous snap point, not an address. Points are town-centre spots
// (where the night-time economy puts most crime) and a few points in each
// LSOA, chosen by population and density.
func (w *world) genCrimes() {
	r := w.rng(streamCrime)
	type snap struct{ lon, lat, w float64 }
	var centre, lsoa []snap
	for _, p := range w.places {
		if p.town >= 0 && slices.Contains([]string{"street", "bus_station", "shopping_centre", "takeaway", "car_park"}, p.kind) {
			centre = append(centre, snap{p.lon, p.lat, math.Pow(float64(towns[p.town].size), 1.5) * p.heat})
		}
	}
	for i := range w.lsoas {
		a := &w.lsoas[i]
		weight := float64(a.population) * (0.3 + a.density/15)
		for k := range 3 {
			lon, lat := pointIn(r, a)
			lsoa = append(lsoa, snap{round6(lon), round6(lat), weight * []float64{0.5, 0.3, 0.2}[k]})
		}
	}
	weights := func(ss []snap) []float64 {
		out := make([]float64, len(ss))
		for i, s := range ss {
			out[i] = s.w
		}
		return out
	}
	cw, lw := weights(centre), weights(lsoa)
	for range crimeEvents {
		var m time.Time
		for {
			m = day(2019+r.IntN(3), time.Month(1+r.IntN(12)), 1)
			if r.Float64()*1.45 < monthFactor(m) {
				break
			}
		}
		s := lsoa[weighted(r, lw)]
		if chance(r, 0.45) {
			s = centre[weighted(r, cw)]
		}
		ct := pick(r, crimeTypes)
		sev := map[string]float64{"Anti-social behaviour": 1, "Public order": 2, "Drugs": 2, "Violence and sexual offences": 3}[ct]
		e := &event{kind: "crime", lon: s.lon, lat: s.lat, crimeType: ct,
			start:    at(m, 0, 0),
			end:      at(m.AddDate(0, 1, -1), 23, 59).Add(59 * time.Second),
			severity: int16(sev + float64(r.IntN(2))),
			grade:    pick(r, []choice[string]{{"1BP", 7}, {"2BP", 3}}), confirmed: true, agency: "Cumbria Constabulary"}
		e.created = at(m.AddDate(0, 1, 20+r.IntN(8)), 9, 0)
		e.updated = e.created
		w.events = append(w.events, e)
	}
}

// pointIn draws a point inside an area by rejection from its box.
func pointIn(r *rand.Rand, a *area) (float64, float64) {
	for range 10000 {
		lon := a.box.minLon + r.Float64()*(a.box.maxLon-a.box.minLon)
		lat := a.box.minLat + r.Float64()*(a.box.maxLat-a.box.minLat)
		if a.contains(lon, lat) {
			return lon, lat
		}
	}
	v := a.polys[0][0][0]
	return v[0], v[1]
}
