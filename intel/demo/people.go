package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/contextmap/contextmap/intel"
)

var (
	asOf      = PictureDate().Time
	dataStart = day(2019, 1, 1)
	dataEnd   = day(2021, 12, 31)
)

// How serious a category or status is, for pairing them plausibly: the
// children at greater risk tend to be on the more intensive plans and to be
// the ones assessed most recently.
var (
	categoryRank = map[string]float64{"cse1": 1, "other": 2, "cse2": 3, "cse3": 4}
	statusRank   = map[string]float64{"not_open": 0, "early_help": 1, "open_case": 2, "cin_plan": 3, "cp": 4, "cla": 5}
)

// edge marks a child whose history sits exactly on a boundary of the
// Current Picture's definitions, so a report that gets a boundary wrong
// gets the table wrong.
type edge int

const (
	noEdge                  edge = iota
	edgeCategoryFromAsOf         // the category starts on the date; the previous one ends there
	edgeCategoryToDayAfter       // the category ends the day after: in force on the date
	edgeChangeSeptember          // cse1 became cse2 on 14 September 2020
	edgeStatusFromAsOf           // the status starts on the date; the previous one ends there
	edgeStatusToDayAfter         // the status ends the day after
	edgeAssessedFirstDay         // up to date by an assessment on 1 December exactly
	edgeAssessedOnAsOf           // up to date by an assessment on 31 December exactly
	edgeAssessedMonthBefore      // overdue: last assessed on 30 November exactly
	edgeAssessedAfter            // overdue, then assessed on 4 January 2021
	edgeNeverAssessed            // overdue: never assessed before the date
)

// counted is one child of the Current Picture.
type counted struct {
	district, category, status string
	upToDate                   bool
	edge                       edge
}

// pictureChildren spreads each district's column of the slides' table over
// its children: every marginal is met exactly, and within a district the
// categories, statuses and assessment state are paired by seriousness with
// some noise.
func pictureChildren(r *rand.Rand) ([]counted, error) {
	districts, catCols, statCols, upCols, err := pictureColumns()
	if err != nil {
		return nil, err
	}
	var out []counted
	for j, d := range districts {
		var cats, stats []string
		for i, c := range intel.Categories {
			for range catCols[j][i] {
				cats = append(cats, c)
			}
		}
		for i, s := range intel.Statuses {
			for range statCols[j][i] {
				stats = append(stats, s)
			}
		}
		noisySort(r, cats, categoryRank, 0.9)
		noisySort(r, stats, statusRank, 1.2)
		cs := make([]counted, len(cats))
		score := make([]float64, len(cats))
		order := make([]int, len(cats))
		for i := range cats {
			cs[i] = counted{district: d, category: cats[i], status: stats[i]}
			score[i] = categoryRank[cats[i]] + statusRank[stats[i]] + r.NormFloat64()*1.5
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmpFloat(score[b], score[a]) })
		for _, i := range order[:upCols[j]] {
			cs[i].upToDate = true
		}
		out = append(out, cs...)
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	// Give the boundary cases to children who suit them.
	assign := func(e edge, ok func(c counted) bool) {
		for i := range out {
			if out[i].edge == noEdge && ok(out[i]) {
				out[i].edge = e
				return
			}
		}
	}
	anyone := func(counted) bool { return true }
	assign(edgeChangeSeptember, func(c counted) bool { return c.category == "cse2" })
	assign(edgeCategoryFromAsOf, anyone)
	assign(edgeCategoryToDayAfter, anyone)
	assign(edgeStatusFromAsOf, anyone)
	assign(edgeStatusToDayAfter, anyone)
	assign(edgeAssessedFirstDay, func(c counted) bool { return c.upToDate })
	assign(edgeAssessedOnAsOf, func(c counted) bool { return c.upToDate })
	assign(edgeAssessedMonthBefore, func(c counted) bool { return !c.upToDate })
	assign(edgeAssessedAfter, func(c counted) bool { return !c.upToDate })
	assign(edgeNeverAssessed, func(c counted) bool { return !c.upToDate })
	assign(edgeNeverAssessed, func(c counted) bool { return !c.upToDate })
	return out, nil
}

func noisySort(r *rand.Rand, xs []string, rank map[string]float64, noise float64) {
	keys := make(map[int]float64, len(xs))
	idx := make([]int, len(xs))
	for i, x := range xs {
		keys[i] = rank[x] + r.NormFloat64()*noise
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(keys[a], keys[b]) })
	sorted := make([]string, len(xs))
	for i, k := range idx {
		sorted[i] = xs[k]
	}
	copy(xs, sorted)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// genPeople builds the young people (the Current Picture's 60 children,
// children whose category ended before it or began after it, and peers
// never categorised) and the adults of concern.
func (w *world) genPeople() error {
	r := w.rng(streamPeople)
	children, err := pictureChildren(r)
	if err != nil {
		return err
	}
	var yps []*person
	for _, c := range children {
		p := &person{kind: intel.YoungPerson, district: c.district}
		countedHistory(r, p, c)
		w.settle(r, p, 0.8)
		yps = append(yps, p)
	}
	others := []choice[string]{{allerdale, 22}, {barrow, 24}, {carlisle, 30}, {copeland, 16}, {eden, 10}, {southLakeland, 18}}
	for i := range 25 {
		p := &person{kind: intel.YoungPerson, district: pick(r, others)}
		endedHistory(r, p, i)
		w.settle(r, p, 0.6)
		yps = append(yps, p)
	}
	for i := range 35 {
		p := &person{kind: intel.YoungPerson, district: pick(r, others)}
		newHistory(r, p, i)
		w.settle(r, p, 0.65)
		yps = append(yps, p)
	}
	for i := range 60 {
		p := &person{kind: intel.YoungPerson, district: pick(r, others)}
		peerHistory(r, p, i)
		w.settle(r, p, 0.55)
		yps = append(yps, p)
	}
	w.fillNetworks(yps)
	for _, p := range yps {
		w.enrol(r, p)
		w.join(r, p)
	}
	// Pseudonyms follow the order children first came to notice.
	slices.SortStableFunc(yps, func(a, b *person) int { return a.first.Compare(b.first) })
	refs := map[int]bool{}
	caseRef := func(prefix string) string {
		for {
			n := 10000 + r.IntN(90000)
			if !refs[n] {
				refs[n] = true
				return fmt.Sprintf("%s%05d", prefix, n)
			}
		}
	}
	for i, p := range yps {
		p.pseudonym = fmt.Sprintf("YP-%04d", i+1)
		if chance(r, 0.6) {
			p.caseRef = caseRef("DEMO-")
		}
		p.created = officeTime(r, p.first)
		p.updated = officeTime(r, lastChange(p))
	}
	w.people = append(w.people, yps...)
	w.genAdults(r, caseRef)
	return nil
}

// countedHistory writes a Current Picture child's histories: category and
// status in force on the date as the table says, with changes before and
// after it, and assessments that make them up to date or overdue.
func countedHistory(r *rand.Rand, p *person, c counted) {
	e := c.edge
	var start time.Time
	switch {
	case e == edgeCategoryFromAsOf:
		start = asOf
	case e == edgeChangeSeptember:
		start = day(2020, 9, 14)
	case chance(r, 0.4):
		start = between(r, day(2019, 3, 4), day(2019, 12, 20))
	default:
		start = between(r, day(2020, 1, 6), day(2020, 12, 18))
	}
	if e == edgeAssessedMonthBefore || e == edgeAssessedAfter {
		start = minTime(start, between(r, day(2019, 9, 2), day(2020, 10, 30)))
	}
	prev := ""
	switch {
	case e == edgeChangeSeptember:
		prev = "cse1"
	case e == edgeCategoryFromAsOf:
		prev = previousCategory(r, c.category)
	case start.After(day(2019, 10, 1)) && chance(r, 0.3):
		prev = previousCategory(r, c.category)
	}
	if prev != "" {
		from := between(r, maxTime(day(2019, 1, 7), addDays(start, -420)), addDays(start, -45))
		p.categories = append(p.categories, period{prev, from, start})
	}
	cur := period{code: c.category, from: start}
	switch {
	case e == edgeCategoryToDayAfter:
		cur.to = addDays(asOf, 1)
	case chance(r, 0.35):
		cur.to = between(r, day(2021, 1, 18), day(2021, 12, 13))
	case chance(r, 0.25):
		x := between(r, day(2021, 2, 1), day(2021, 10, 29))
		cur.to = x
		p.categories = append(p.categories, cur)
		cur = period{code: nextCategory(r, c.category), from: x}
		if chance(r, 0.4) {
			cur.to = between(r, addDays(x, 30), day(2021, 12, 20))
		}
	}
	p.categories = append(p.categories, cur)

	// Status: around the time of categorisation, often after lower ones.
	sStart := asOf
	if e != edgeStatusFromAsOf {
		sStart = addDays(start, -60+r.IntN(150))
		sStart = maxTime(day(2019, 1, 7), minTime(sStart, asOf))
	}
	var earlier []string
	switch {
	case c.status == "not_open":
		earlier = []string{one(r, []string{"early_help", "open_case"})}
	case e == edgeStatusFromAsOf:
		earlier = []string{one(r, otherThan(intel.Statuses[:5], c.status))}
	case statusRank[c.status] > 1 && chance(r, 0.55):
		earlier = []string{lowerStatus(r, c.status)}
		if statusRank[earlier[0]] > 1 && chance(r, 0.35) {
			earlier = append([]string{lowerStatus(r, earlier[0])}, earlier...)
		}
	}
	from := sStart
	for i := len(earlier) - 1; i >= 0; i-- {
		f := maxTime(day(2018, 6, 4), addDays(from, -(60+r.IntN(270))))
		if !f.Before(from) {
			break
		}
		p.statuses = append([]period{{earlier[i], f, from}}, p.statuses...)
		from = f
	}
	st := period{code: c.status, from: sStart}
	switch {
	case e == edgeStatusToDayAfter:
		st.to = addDays(asOf, 1)
		p.statuses = append(p.statuses, st)
		st = period{code: one(r, nextStatuses[c.status]), from: st.to}
	case chance(r, 0.3):
		x := between(r, day(2021, 1, 11), day(2021, 11, 26))
		st.to = x
		p.statuses = append(p.statuses, st)
		st = period{code: one(r, nextStatuses[c.status]), from: x}
	case chance(r, 0.12):
		st.to = between(r, day(2021, 1, 11), day(2021, 12, 17))
	}
	p.statuses = append(p.statuses, st)

	// Assessments.
	risk := riskFor(r, c.category)
	first := p.categories[0].from
	end := involvementEnd(p)
	var dates []time.Time
	if c.upToDate {
		d := between(r, day(2020, 12, 1), asOf)
		switch e {
		case edgeAssessedFirstDay:
			d = day(2020, 12, 1)
		case edgeAssessedOnAsOf:
			d = asOf
		}
		dates = append(backFrom(r, d, addDays(first, -21), risk), d)
		// The next is never before the new year, so the December one stays
		// the latest on the date.
		dates = append(dates, forwardFrom(r, maxTime(addDays(d, interval(r, risk)), day(2021, 1, 4+r.IntN(20))), end, risk)...)
	} else {
		var last time.Time
		switch {
		case e == edgeNeverAssessed || first.After(day(2020, 11, 1)) || (e == noEdge && chance(r, 0.12)):
		case e == edgeAssessedMonthBefore:
			last = day(2020, 11, 30)
		default:
			last = between(r, maxTime(first, day(2020, 1, 6)), day(2020, 11, 23))
		}
		if !last.IsZero() {
			dates = append(backFrom(r, last, addDays(first, -21), risk), last)
		}
		catchUp := between(r, day(2021, 1, 4), day(2021, 3, 31))
		if e == edgeAssessedAfter {
			catchUp = day(2021, 1, 4)
		}
		if catchUp.Before(end) || e == edgeAssessedAfter {
			dates = append(dates, forwardFrom(r, catchUp, maxTime(end, catchUp), risk)...)
		}
	}
	p.assessments = assessments(r, dates, risk)

	p.from = maxTime(dataStart, addDays(minTime(first, p.statuses[0].from), -60))
	p.to = minTime(dataEnd, addDays(end, 30))
	p.weight = lognormal(r, 0.55) * (0.7 + 0.25*categoryRank[c.category]) * (1 + 0.08*statusRank[c.status])
	p.ageBand = pick(r, []choice[string]{{"10-12", 1}, {"13-15", 5}, {"16-17", 4}})
	p.first = firstRecord(p)
}

// endedHistory is a child whose category ended before the Current Picture's
// date: known to services, not counted in it.
func endedHistory(r *rand.Rand, p *person, i int) {
	start := between(r, day(2018, 3, 5), day(2020, 5, 29))
	end := minTime(addDays(start, 90+r.IntN(450)), asOf)
	if i == 0 {
		end = asOf // ends on the date itself: not in force on it
	}
	cat := pick(r, categoryMix)
	if daysBetween(start, end) > 120 && chance(r, 0.3) {
		x := between(r, addDays(start, 45), addDays(end, -45))
		next := nextCategory(r, cat)
		p.categories = []period{{cat, start, x}, {next, x, end}}
		cat = next
	} else {
		p.categories = []period{{cat, start, end}}
	}
	sFrom := addDays(start, -r.IntN(90))
	sTo := addDays(end, r.IntN(150)) // often still open on the date, without a category
	p.statuses = []period{{one(r, []string{"early_help", "open_case", "cin_plan", "cp", "cla"}), sFrom, sTo}}
	if chance(r, 0.4) {
		p.statuses = append(p.statuses, period{code: "not_open", from: sTo, to: addDays(sTo, 60+r.IntN(300))})
	}
	risk := riskFor(r, cat)
	dates := forwardFrom(r, addDays(start, r.IntN(21)), end, risk)
	if i >= 1 && i <= 3 {
		// A closing review in December 2020, after the category ended.
		dates = append(dates, between(r, maxTime(day(2020, 12, 1), end), asOf))
	}
	p.assessments = assessments(r, dates, risk)
	p.from = maxTime(dataStart, addDays(sFrom, -60))
	p.to = minTime(dataEnd, addDays(end, 30))
	if p.to.Before(p.from) {
		p.to = p.from
	}
	p.weight = 0.7 * lognormal(r, 0.6)
	p.ageBand = pick(r, []choice[string]{{"16-17", 4}, {"18-24", 6}})
	p.first = firstRecord(p)
}

// newHistory is a child categorised after the Current Picture's date.
func newHistory(r *rand.Rand, p *person, i int) {
	start := between(r, day(2021, 1, 1), day(2021, 11, 26))
	if i == 0 {
		start = day(2021, 1, 1) // the day after: not in force on the date
	}
	cat := pick(r, categoryMix)
	c := period{code: cat, from: start}
	if limit := day(2021, 12, 20); addDays(start, 45).Before(limit) && chance(r, 0.2) {
		c.to = between(r, addDays(start, 45), limit)
	}
	p.categories = []period{c}
	status := one(r, []string{"early_help", "open_case", "cin_plan", "cp", "cla"})
	if chance(r, 0.4) || i == 0 {
		// Already known to early help on the date, without a category.
		pre := period{code: one(r, []string{"early_help", "open_case"}), from: between(r, day(2020, 6, 1), asOf), to: start}
		p.statuses = []period{pre}
		if status == pre.code {
			status = "cin_plan"
		}
		p.statuses = append(p.statuses, period{code: status, from: start})
	} else {
		p.statuses = []period{{code: status, from: addDays(start, r.IntN(30))}}
	}
	risk := riskFor(r, cat)
	var dates []time.Time
	if i == 1 || i == 2 {
		dates = append(dates, between(r, day(2020, 12, 1), asOf)) // screened before categorisation
	}
	dates = append(dates, forwardFrom(r, addDays(start, r.IntN(21)), involvementEnd(p), risk)...)
	p.assessments = assessments(r, dates, risk)
	p.from = maxTime(dataStart, addDays(minTime(start, p.statuses[0].from), -90))
	p.to = dataEnd
	p.weight = lognormal(r, 0.55) * (0.7 + 0.25*categoryRank[cat])
	p.ageBand = pick(r, []choice[string]{{"10-12", 2}, {"13-15", 5.5}, {"16-17", 2.5}})
	p.first = firstRecord(p)
}

// peerHistory is a young person seen with the others but never categorised.
func peerHistory(r *rand.Rand, p *person, i int) {
	p.from = between(r, dataStart, day(2021, 6, 30))
	p.to = minTime(dataEnd, addDays(p.from, 180+r.IntN(720)))
	if chance(r, 0.35) {
		s := period{code: one(r, []string{"early_help", "early_help", "open_case", "cin_plan"}), from: addDays(p.from, r.IntN(90))}
		if end := addDays(s.from, 90+r.IntN(400)); end.Before(dataEnd) {
			s.to = end
		}
		p.statuses = []period{s}
		if !s.to.IsZero() && chance(r, 0.5) {
			p.statuses = append(p.statuses, period{code: "not_open", from: s.to})
		}
	}
	if i < 5 {
		// Screened in December 2020 and found no exploitation category.
		p.assessments = assessments(r, []time.Time{between(r, day(2020, 12, 1), asOf)}, "low")
	}
	p.weight = 0.3 * lognormal(r, 0.6)
	p.ageBand = pick(r, []choice[string]{{"10-12", 1.5}, {"13-15", 5}, {"16-17", 3.5}})
	p.first = firstRecord(p)
}

var categoryMix = []choice[string]{{"cse1", 45}, {"other", 32}, {"cse2", 18}, {"cse3", 5}}

// previousCategory is what a child was categorised as before: usually less
// serious, sometimes more (a de-escalation) or another form.
func previousCategory(r *rand.Rand, cat string) string {
	switch cat {
	case "cse2":
		return pick(r, []choice[string]{{"cse1", 5}, {"cse3", 1}, {"other", 1}})
	case "cse3":
		return "cse2"
	case "other":
		return pick(r, []choice[string]{{"cse1", 3}, {"cse2", 1}})
	}
	return pick(r, []choice[string]{{"cse2", 3}, {"other", 2}})
}

func nextCategory(r *rand.Rand, cat string) string {
	switch cat {
	case "cse1":
		return pick(r, []choice[string]{{"cse2", 3}, {"other", 2}})
	case "cse2":
		return pick(r, []choice[string]{{"cse1", 3}, {"cse3", 1}, {"other", 1}})
	case "cse3":
		return "cse2"
	}
	return pick(r, []choice[string]{{"cse1", 1}, {"cse2", 1}})
}

// nextStatuses are the usual moves from a status.
var nextStatuses = map[string][]string{
	"cla":        {"cin_plan", "not_open"},
	"cp":         {"cin_plan", "cla"},
	"cin_plan":   {"early_help", "cp", "not_open"},
	"open_case":  {"cin_plan", "early_help", "not_open"},
	"early_help": {"not_open", "cin_plan"},
	"not_open":   {"early_help"},
}

func lowerStatus(r *rand.Rand, s string) string {
	var lower []string
	for _, x := range []string{"early_help", "open_case", "cin_plan", "cp"} {
		if statusRank[x] < statusRank[s] {
			lower = append(lower, x)
		}
	}
	return one(r, lower)
}

func otherThan(xs []string, x string) []string {
	var out []string
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func riskFor(r *rand.Rand, cat string) string {
	switch cat {
	case "cse3":
		return "high"
	case "cse2":
		return pick(r, []choice[string]{{"high", 2}, {"medium", 1}})
	case "other":
		return pick(r, []choice[string]{{"high", 1}, {"medium", 2}})
	}
	return pick(r, []choice[string]{{"medium", 1}, {"low", 2}})
}

// interval is the days to the next assessment: low-concern children are
// reviewed every 12 weeks, higher risk more often.
func interval(r *rand.Rand, risk string) int {
	switch risk {
	case "high":
		return 28 + r.IntN(15)
	case "medium":
		return 42 + r.IntN(29)
	}
	return 70 + r.IntN(29)
}

var nominalInterval = map[string]int{"high": 28, "medium": 42, "low": 84}

// backFrom returns earlier assessment dates before d, back to not before.
func backFrom(r *rand.Rand, d, notBefore time.Time, risk string) []time.Time {
	var out []time.Time
	notBefore = maxTime(notBefore, day(2018, 6, 4))
	for t := addDays(d, -interval(r, risk)); !t.Before(notBefore); t = addDays(t, -interval(r, risk)) {
		out = append([]time.Time{t}, out...)
	}
	return out
}

// forwardFrom returns assessment dates from d on while the child is
// involved, within the data's years.
func forwardFrom(r *rand.Rand, d, end time.Time, risk string) []time.Time {
	var out []time.Time
	end = minTime(end, dataEnd)
	for t := d; !t.After(end); t = addDays(t, interval(r, risk)) {
		out = append(out, t)
	}
	return out
}

func assessments(r *rand.Rand, dates []time.Time, risk string) []assessment {
	slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
	dates = slices.Compact(dates)
	out := make([]assessment, len(dates))
	for i, d := range dates {
		out[i] = assessment{on: d, next: addDays(d, nominalInterval[risk]), risk: risk,
			agency: pick(r, []choice[string]{{"Children's Social Care", 15}, {"Youth Service", 3}, {"Cumbria Constabulary", 2}})}
	}
	return out
}

// involvementEnd is when the child's last category ends (the data's end
// when still in force).
func involvementEnd(p *person) time.Time {
	last := p.categories[len(p.categories)-1]
	if last.to.IsZero() {
		return dataEnd
	}
	return last.to
}

func firstRecord(p *person) time.Time {
	first := p.from
	for _, ps := range [][]period{p.statuses, p.categories} {
		for _, x := range ps {
			first = minTime(first, x.from)
		}
	}
	for _, a := range p.assessments {
		first = minTime(first, a.on)
	}
	return first
}

// lastChange is the last date, within the data, that the person's record
// changed.
func lastChange(p *person) time.Time {
	last := p.first
	for _, ps := range [][]period{p.statuses, p.categories} {
		for _, x := range ps {
			for _, d := range []time.Time{x.from, x.to} {
				if !d.IsZero() && !d.After(dataEnd) {
					last = maxTime(last, d)
				}
			}
		}
	}
	return last
}

// settle gives a young person a home town in their district and, with
// probability netChance, a network based there.
func (w *world) settle(r *rand.Rand, p *person, netChance float64) {
	var cands []*network
	var ws []float64
	for _, n := range w.networks {
		for _, ti := range n.towns {
			if towns[ti].district == p.district {
				cands = append(cands, n)
				f := n.heat
				if len(n.towns) > 1 {
					f *= 1.5
				}
				ws = append(ws, f)
				break
			}
		}
	}
	if len(cands) > 0 && chance(r, netChance) {
		n := cands[weighted(r, ws)]
		p.net = n
		for _, ti := range n.towns {
			if towns[ti].district == p.district {
				p.town = ti
				break
			}
		}
		n.members = append(n.members, p)
		return
	}
	// A child with no district recorded still lives somewhere.
	var idx []int
	var sizes []float64
	for i, t := range towns {
		if t.district == p.district || p.district == "" {
			idx = append(idx, i)
			sizes = append(sizes, float64(t.size*t.size))
		}
	}
	p.town = idx[weighted(r, sizes)]
}

// fillNetworks gives every network at least four young people, taking
// those of its districts who are in none, so no network is a lone child.
func (w *world) fillNetworks(yps []*person) {
	for _, n := range w.networks {
		for _, p := range yps {
			if len(n.members) >= 4 {
				break
			}
			if p.net != nil {
				continue
			}
			for _, ti := range n.towns {
				if towns[ti].district == p.district {
					p.net, p.town = n, ti
					n.members = append(n.members, p)
					break
				}
			}
		}
	}
}

// enrol picks a young person's school (a secondary near home, mostly) and,
// for a child ever looked after, the children's home they live in.
func (w *world) enrol(r *rand.Rand, p *person) {
	var cands []*place
	for _, pl := range w.places {
		if pl.kind != "school" || pl.district != p.district {
			continue
		}
		s := w.schoolOf(pl)
		switch p.ageBand {
		case "10-12":
			if s.lowAge <= 11 && s.highAge >= 11 && s.phase != "Nursery" {
				cands = append(cands, pl)
			}
		case "13-15":
			if s.phase == "Secondary" || (s.phase == "Not applicable" && s.highAge >= 15 && chance(r, 0.1)) {
				cands = append(cands, pl)
			}
		case "16-17":
			if s.phase == "Secondary" && s.highAge >= 17 {
				cands = append(cands, pl)
			}
		}
	}
	if len(cands) > 0 && (p.ageBand != "16-17" || chance(r, 0.6)) {
		if chance(r, 0.7) {
			t := towns[p.town]
			slices.SortStableFunc(cands, func(a, b *place) int {
				return cmpFloat(sq(a.lon-t.lon)+sq(a.lat-t.lat), sq(b.lon-t.lon)+sq(b.lat-t.lat))
			})
			p.school = cands[0]
		} else {
			p.school = one(r, cands)
		}
	}
	if !slices.ContainsFunc(p.statuses, func(s period) bool { return s.code == "cla" }) {
		return
	}
	var homes, local []*place
	for _, pl := range w.places {
		if pl.kind == "childrens_home" {
			homes = append(homes, pl)
			if pl.district == p.district {
				local = append(local, pl)
			}
		}
	}
	if len(local) > 0 && chance(r, 0.75) {
		p.home = one(r, local)
	} else {
		p.home = one(r, homes)
	}
}

func sq(x float64) float64 { return x * x }

func (w *world) schoolOf(p *place) school {
	for _, s := range w.schools {
		if s.urn == p.urn {
			return s
		}
	}
	return school{}
}

// join puts a young person into their network's peer groups and online
// spaces, or a standalone group of their town, and now and then into a
// county-wide space.
func (w *world) join(r *rand.Rand, p *person) {
	if n := p.net; n != nil {
		if len(n.groups) > 0 && chance(r, 0.8) {
			g := one(r, n.groups)
			g.members = append(g.members, p)
			if len(n.groups) > 1 && chance(r, 0.15) {
				for _, h := range n.groups {
					if h != g {
						h.members = append(h.members, p)
						break
					}
				}
			}
		}
		if chance(r, 0.85) {
			s := one(r, n.spaces)
			s.members = append(s.members, p)
			if len(n.spaces) > 1 && chance(r, 0.35) {
				for _, t := range n.spaces {
					if t != s {
						t.members = append(t.members, p)
						break
					}
				}
			}
		}
	} else {
		for _, g := range w.groups {
			if g.net == nil && g.town == p.town && chance(r, 0.6) {
				g.members = append(g.members, p)
			}
		}
	}
	for _, s := range w.spaces {
		if s.net == nil && chance(r, 0.08) {
			s.members = append(s.members, p)
		}
	}
}

// genAdults builds the adults of concern: a few around each network, and
// some from outside the area who run lines into several towns.
func (w *world) genAdults(r *rand.Rand, caseRef func(string) string) {
	var adults []*person
	newAdult := func(district string, town int) *person {
		a := &person{kind: intel.AdultOfConcern, district: district, town: town,
			ageBand: pick(r, []choice[string]{{"18-24", 45}, {"25+", 55}})}
		a.from = between(r, dataStart, day(2020, 6, 30))
		a.to = between(r, addDays(a.from, 365), dataEnd)
		a.first = a.from
		a.created = officeTime(r, a.from)
		a.updated = officeTime(r, a.to)
		adults = append(adults, a)
		return a
	}
	for i, spec := range networkSpecs {
		n := w.networks[i]
		for k := range spec.adults {
			ti := n.towns[k%len(n.towns)]
			a := newAdult(towns[ti].district, ti)
			a.net = n
			n.adults = append(n.adults, a)
		}
	}
	for range 4 {
		newAdult("", -1) // from outside the area: no district
	}
	for i, a := range adults {
		a.pseudonym = fmt.Sprintf("AOC-%03d", i+1)
		if chance(r, 0.35) {
			a.caseRef = caseRef("DEMO-P-")
		}
	}
	w.people = append(w.people, adults...)
}
