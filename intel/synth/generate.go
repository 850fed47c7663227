// Package synth generates a synthetic, national-scale contextual
// safeguarding data set across Great Britain, deterministic from a seed:
// districts, places, young people and adults of concern, peer groups,
// graded links and events with plausible times and windows, clustered
// around real town centres (GBTowns) weighted by population.
//
// Generate streams it as records to a callback (for exporters); Load writes
// it into PostGIS with COPY (for benchmarks and development databases).
// Nothing here is real: pseudonyms, places and events are all made up.
package synth

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Options size and place the data set. The zero value of a field means its
// default.
type Options struct {
	// Seed makes the data set: the same options always give the same
	// records, in the same order.
	Seed uint64
	// People is the number of young people (default 100,000).
	People int
	// Adults is the number of adults of concern (default People/20).
	Adults int
	// Places (default People/3, at least 3 per town), Groups (peer
	// groups, default People/25) and Events (default 2,000,000).
	Places, Groups, Events int
	// Start and End bound the events' start times (default 2023-01-01 to
	// 2026-01-01 UTC). Review dates are set from End, not from today, so
	// a data set does not change with the day it is made: 95% fall 1 to 4
	// years after End, 5% up to a year before it.
	Start, End time.Time
	// Towns are the cluster centres (default GBTowns).
	Towns []Town
}

// Defaults of Options.
const (
	DefaultPeople = 100_000
	DefaultEvents = 2_000_000
)

func (o Options) withDefaults() (Options, error) {
	o.People = cmp.Or(o.People, DefaultPeople)
	o.Adults = cmp.Or(o.Adults, max(1, o.People/20))
	o.Places = cmp.Or(o.Places, max(1, o.People/3))
	o.Groups = cmp.Or(o.Groups, max(1, o.People/25))
	o.Events = cmp.Or(o.Events, DefaultEvents)
	if o.End.IsZero() {
		o.End = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Start.IsZero() {
		o.Start = o.End.AddDate(-3, 0, 0)
	}
	if o.Towns == nil {
		o.Towns = GBTowns
	}
	switch {
	case o.People < 1 || o.Adults < 0 || o.Places < 0 || o.Groups < 0 || o.Events < 0:
		return o, fmt.Errorf("synth: counts must not be negative, and there must be at least one young person: %+v", o)
	case !o.Start.Before(o.End):
		return o, fmt.Errorf("synth: start %s is not before end %s", o.Start, o.End)
	case len(o.Towns) == 0:
		return o, fmt.Errorf("synth: no towns")
	}
	o.Places = max(o.Places, 3*len(o.Towns))
	return o, nil
}

// Record is one generated record; exactly one of the pointers is set,
// named by Type. Records come in this order: every district, place,
// person (young people, then adults of concern), group, link, then event.
type Record struct {
	Type     string    `json:"type"` // district, place, person, group, link or event
	District *District `json:"district,omitempty"`
	Place    *Place    `json:"place,omitempty"`
	Person   *Person   `json:"person,omitempty"`
	Group    *Group    `json:"group,omitempty"`
	Link     *Link     `json:"link,omitempty"`
	Event    *Event    `json:"event,omitempty"`
}

// Record types.
const (
	TypeDistrict = "district"
	TypePlace    = "place"
	TypePerson   = "person"
	TypeGroup    = "group"
	TypeLink     = "link"
	TypeEvent    = "event"
)

// District is a longitude/latitude rectangle of the synthetic district
// grid (see Districts).
type District struct {
	Code string     `json:"code"`
	Name string     `json:"name"`
	BBox [4]float64 `json:"bbox"` // minLon, minLat, maxLon, maxLat
}

// Ref names a generated node: its type (place, person or group) and its
// number N, counted from 1 within the type.
type Ref struct {
	Type string `json:"type"`
	N    int    `json:"n"`
}

// ExtRef is the reference under which the node is stored (ext_ref, or the
// pseudonym for people).
func (r Ref) ExtRef() string {
	switch r.Type {
	case TypePerson:
		return fmt.Sprintf("SYN-P%07d", r.N)
	}
	return fmt.Sprintf("synth:%s:%d", r.Type, r.N)
}

// Place is a point place.
type Place struct {
	N         int     `json:"n"`
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	Sensitive bool    `json:"sensitive"`
	Lon       float64 `json:"lon"`
	Lat       float64 `json:"lat"`
	District  string  `json:"district"`
	Town      string  `json:"town"`
}

// Person is a young person or an adult of concern with one case status
// and one exploitation category (young people only) in force from Since.
type Person struct {
	N         int       `json:"n"`
	Pseudonym string    `json:"pseudonym"`
	Kind      string    `json:"kind"` // young_person or adult_of_concern
	AgeBand   string    `json:"age_band"`
	District  string    `json:"district"`
	Status    string    `json:"status,omitempty"`
	Category  string    `json:"category,omitempty"`
	Since     time.Time `json:"since"` // a date (midnight UTC)
}

// Group is a peer group.
type Group struct {
	N        int    `json:"n"`
	Name     string `json:"name"`
	District string `json:"district"`
}

// Link is a graded link between two nodes.
type Link struct {
	N            int       `json:"n"`
	Kind         string    `json:"kind"`
	Source       Ref       `json:"source"`
	Target       Ref       `json:"target"`
	Grade        string    `json:"grade"` // 3x5x2, e.g. 2BP
	Confirmed    bool      `json:"confirmed"`
	SourceAgency string    `json:"source_agency"`
	FirstSeen    time.Time `json:"first_seen"` // dates (midnight UTC)
	LastSeen     time.Time `json:"last_seen"`
	ReviewDate   time.Time `json:"review_date"`
}

// Event is something that happened at a place (Place > 0) or a bare point,
// over the window [Start, End]. Events come in order of Start. People are the persons' N (young people,
// and now and then an adult of concern); crime events (police.uk context)
// have none.
type Event struct {
	N            int        `json:"n"`
	Kind         string     `json:"kind"`
	Start        time.Time  `json:"start"`
	End          time.Time  `json:"end"`
	Place        int        `json:"place,omitempty"`
	Lon          float64    `json:"lon"`
	Lat          float64    `json:"lat"`
	District     string     `json:"district"`
	Category     string     `json:"category,omitempty"`
	Severity     int        `json:"severity"`
	Grade        string     `json:"grade"`
	Confirmed    bool       `json:"confirmed"`
	SourceAgency string     `json:"source_agency"`
	ReviewDate   time.Time  `json:"review_date"`
	People       []int      `json:"people,omitempty"`
	FoundPlace   int        `json:"found_place,omitempty"`
	FoundAt      *time.Time `json:"found_at,omitempty"`
	RHIAt        *time.Time `json:"rhi_at,omitempty"`
	CrimeType    string     `json:"crime_type,omitempty"`
}

// The district grid: 5 columns by 8 rows of longitude/latitude rectangles
// over Great Britain's mainland.
const (
	gridMinLon, gridMaxLon = -6.5, 2.0
	gridMinLat, gridMaxLat = 49.8, 59.0
	gridCols, gridRows     = 5, 8
)

// Districts are the synthetic districts: a grid of 40 rectangles, coded
// SYN-RrCc (row r from the south, column c from the west), each named
// after the largest of towns inside it, if any.
func Districts(towns []Town) []District {
	dw, dh := (gridMaxLon-gridMinLon)/gridCols, (gridMaxLat-gridMinLat)/gridRows
	var out []District
	for r := range gridRows {
		for c := range gridCols {
			d := District{Code: fmt.Sprintf("SYN-R%dC%d", r+1, c+1), Name: fmt.Sprintf("Synthetic R%d C%d", r+1, c+1),
				BBox: [4]float64{gridMinLon + float64(c)*dw, gridMinLat + float64(r)*dh,
					gridMinLon + float64(c+1)*dw, gridMinLat + float64(r+1)*dh}}
			best := -1
			for i, t := range towns {
				if districtOf(t.Lon, t.Lat) == d.Code && (best < 0 || t.Population > towns[best].Population) {
					best = i
				}
			}
			if best >= 0 {
				d.Name += " (around " + towns[best].Name + ")"
			}
			out = append(out, d)
		}
	}
	return out
}

// districtOf is the code of the grid rectangle holding a point, "" outside.
// Points on an inner edge go to the rectangle east or north of it.
func districtOf(lon, lat float64) string {
	c := int(math.Floor((lon - gridMinLon) / ((gridMaxLon - gridMinLon) / gridCols)))
	r := int(math.Floor((lat - gridMinLat) / ((gridMaxLat - gridMinLat) / gridRows)))
	if c < 0 || c >= gridCols || r < 0 || r >= gridRows {
		return ""
	}
	return fmt.Sprintf("SYN-R%dC%d", r+1, c+1)
}

// Distributions, as weights in the order of their values.
var (
	placeKinds = []string{"park", "playground", "takeaway", "shop", "shopping_centre", "bus_station",
		"rail_station", "taxi_rank", "hotel", "car_park", "school", "college", "leisure_centre", "street",
		"house", "childrens_home", "other"}
	placeKindW = []float64{12, 6, 12, 12, 3, 3, 2, 2, 3, 6, 6, 2, 3, 10, 8, 1.5, 3}
	ageBands   = []string{"10-12", "13-15", "16-17"}
	ageBandW   = []float64{15, 50, 35}
	adultBands = []string{"18-24", "25+"}
	statuses   = []string{"early_help", "open_case", "cin_plan", "cp", "cla", "not_open"}
	statusW    = []float64{20, 25, 20, 10, 10, 15}
	categories = []string{"cse1", "cse2", "cse3", "other"}
	categoryW  = []float64{40, 25, 10, 25}
	eventKinds = []string{"crime", "incident", "sighting", "intelligence_report", "missing_episode", "return_home_interview"}
	eventKindW = []float64{20, 25, 25, 15, 10, 5}
	severityW  = []float64{35, 30, 20, 10, 5} // severities 1..5
	sourceW    = []float64{30, 55, 15}        // source evaluation 1..3
	assessW    = []float64{15, 35, 30, 15, 5} // intelligence assessment A..E
	agencies   = []string{"Police", "Children's Social Care", "Youth Service", "Education", "Health"}
	agencyW    = []float64{40, 30, 12, 12, 6}
	crimeTypes = []string{"anti-social-behaviour", "violent-crime", "drugs", "public-order", "shoplifting",
		"criminal-damage-arson", "possession-of-weapons", "robbery", "burglary", "other-theft"}
	crimeTypeW = []float64{30, 25, 10, 8, 8, 7, 3, 3, 3, 3}
	// Hour of day (local) and day of week (Monday first) of event starts:
	// evenings and weekends, as detached youth work sees them.
	hourW = []float64{4, 3, 2, 1.5, 1, 1, 1, 1.5, 2, 2, 2, 2.5, 3, 3, 3.5, 5, 6, 6, 6.5, 7, 7, 6.5, 6, 5}
	dayW  = []float64{1, 1, 1, 1.1, 1.35, 1.45, 1.15}
	// Number of people in a non-crime event: 1..6.
	peopleW = []float64{60, 25, 10, 3, 1.5, 0.5}
)

type town struct {
	Town
	district   string
	subcentres [][2]float64 // metres east, north of the centre
	subAlias   *alias
	places     []int // place numbers
	placeAlias *alias
	homes      []int // children's homes
	young      []int // young people's numbers
	youngAlias *alias
	adults     []int
	groups     []int
}

type gen struct {
	opt      Options
	rng      *rand.Rand
	towns    []*town
	emit     func(Record) error
	london   *time.Location
	cat      []string     // category of young person n (1-based; cat[0] unused)
	placePos [][2]float64 // lon, lat of place n (1-based)
}

// Generate produces the data set and calls emit for every record, in the
// order Record describes. It stops at emit's first error and returns it.
// Records are new values on every call; emit may keep them.
func Generate(opt Options, emit func(Record) error) error {
	opt, err := opt.withDefaults()
	if err != nil {
		return err
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	g := &gen{opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, 0x5eed_c0de)), emit: emit, london: london}
	for _, t := range opt.Towns {
		g.towns = append(g.towns, g.newTown(t))
	}
	for _, d := range Districts(opt.Towns) {
		if err := emit(Record{Type: TypeDistrict, District: &d}); err != nil {
			return err
		}
	}
	for _, step := range []func() error{g.places, g.people, g.groups, g.links, g.events} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) newTown(t Town) *town {
	tw := &town{Town: t, district: districtOf(t.Lon, t.Lat)}
	// Big cities have many local centres; a market town has one.
	spread := min(15000, max(500, 700*math.Sqrt(float64(t.Population)/30)))
	n := 1 + t.Population/150
	w := make([]float64, n)
	tw.subcentres = make([][2]float64, n)
	for i := range n {
		w[i] = 1
		if i > 0 {
			tw.subcentres[i] = [2]float64{g.rng.NormFloat64() * spread, g.rng.NormFloat64() * spread}
		} else {
			w[i] = 3
		}
	}
	tw.subAlias = newAlias(w)
	return tw
}

// point is a random position in the town: a local centre, then a normal
// spread of 600 m around it, kept inside the district grid.
func (g *gen) point(t *town) (lon, lat float64) {
	for {
		s := t.subcentres[t.subAlias.pick(g.rng)]
		lon, lat = offset(t.Lon, t.Lat, s[0]+g.rng.NormFloat64()*600, s[1]+g.rng.NormFloat64()*600)
		if districtOf(lon, lat) != "" {
			return lon, lat
		}
	}
}

// offset moves a point by dx metres east and dy metres north (a local
// flat-earth approximation, fine over a few kilometres).
func offset(lon, lat, dx, dy float64) (float64, float64) {
	const m = 111_320.0 // metres per degree of latitude
	lat2 := lat + dy/m
	lon2 := lon + dx/(m*math.Cos(lat*math.Pi/180))
	return round7(lon2), round7(lat2)
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func (g *gen) townWeights(pred func(*town) bool) *alias {
	w := make([]float64, len(g.towns))
	for i, t := range g.towns {
		if pred(t) {
			w[i] = float64(t.Population)
		}
	}
	return newAlias(w)
}

func (g *gen) places() error {
	all := g.townWeights(func(*town) bool { return true })
	kinds := newAlias(placeKindW)
	n := 0
	g.placePos = [][2]float64{{}} // numbers start at 1
	place := func(t *town) error {
		n++
		kind := placeKinds[kinds.pick(g.rng)]
		lon, lat := g.point(t)
		p := &Place{N: n, Kind: kind, Sensitive: kind == "house" || kind == "childrens_home",
			Lon: lon, Lat: lat, District: districtOf(lon, lat), Town: t.Name,
			Name: fmt.Sprintf("%s %s %d", t.Name, placeKindName(kind), n)}
		t.places = append(t.places, n)
		g.placePos = append(g.placePos, [2]float64{lon, lat})
		if kind == "childrens_home" {
			t.homes = append(t.homes, n)
		}
		return g.emit(Record{Type: TypePlace, Place: p})
	}
	// Every town gets three places, the rest go by population.
	for _, t := range g.towns {
		for range 3 {
			if err := place(t); err != nil {
				return err
			}
		}
	}
	for n < g.opt.Places {
		if err := place(g.towns[all.pick(g.rng)]); err != nil {
			return err
		}
	}
	// A few places draw most of the events (Zipf-like popularity).
	for _, t := range g.towns {
		w := make([]float64, len(t.places))
		for i := range w {
			w[i] = 1 / math.Pow(float64(i+1), 1.1)
		}
		g.rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
		t.placeAlias = newAlias(w)
	}
	return nil
}

func placeKindName(kind string) string {
	b := []byte(kind)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	if len(b) > 0 && b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

func (g *gen) date(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	d := from.AddDate(0, 0, g.rng.IntN(max(1, days)))
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

func (g *gen) people() error {
	all := g.townWeights(func(*town) bool { return true })
	bands, sts, cats := newAlias(ageBandW), newAlias(statusW), newAlias(categoryW)
	g.cat = make([]string, g.opt.People+1)
	activity := make([][]float64, len(g.towns))
	for n := 1; n <= g.opt.People+g.opt.Adults; n++ {
		ti := all.pick(g.rng)
		t := g.towns[ti]
		p := &Person{N: n, Pseudonym: Ref{TypePerson, n}.ExtRef(), District: t.district,
			Since: g.date(g.opt.Start.AddDate(-1, 0, 0), g.opt.End)}
		if n <= g.opt.People {
			p.Kind, p.AgeBand = "young_person", ageBands[bands.pick(g.rng)]
			p.Status, p.Category = statuses[sts.pick(g.rng)], categories[cats.pick(g.rng)]
			g.cat[n] = p.Category
			t.young = append(t.young, n)
			// Heavy-tailed involvement: Pareto(1.3), capped.
			activity[ti] = append(activity[ti], min(500, math.Pow(1-g.rng.Float64(), -1/1.3)))
		} else {
			p.Kind, p.AgeBand = "adult_of_concern", adultBands[g.rng.IntN(2)]
			t.adults = append(t.adults, n)
		}
		if err := g.emit(Record{Type: TypePerson, Person: p}); err != nil {
			return err
		}
	}
	for i, t := range g.towns {
		if len(t.young) > 0 {
			t.youngAlias = newAlias(activity[i])
		}
	}
	return nil
}

func (g *gen) groups() error {
	all := g.townWeights(func(t *town) bool { return len(t.young) > 0 })
	for n := 1; n <= g.opt.Groups; n++ {
		t := g.towns[all.pick(g.rng)]
		t.groups = append(t.groups, n)
		if err := g.emit(Record{Type: TypeGroup, Group: &Group{N: n, District: t.district,
			Name: fmt.Sprintf("%s group %d", t.Name, n)}}); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) grade(src, asm *alias) string {
	h := byte('P')
	if g.rng.IntN(5) == 0 {
		h = 'C'
	}
	return string([]byte{byte('1' + src.pick(g.rng)), byte('A' + asm.pick(g.rng)), h})
}

func (g *gen) links() error {
	src, asm, ag := newAlias(sourceW), newAlias(assessW), newAlias(agencyW)
	n := 0
	link := func(kind string, from, to Ref) error {
		n++
		first := g.date(g.opt.Start.AddDate(-1, 0, 0), g.opt.End)
		last := first.AddDate(0, 0, g.rng.IntN(365))
		if last.After(g.opt.End) {
			last = first
		}
		l := &Link{N: n, Kind: kind, Source: from, Target: to, Grade: g.grade(src, asm), Confirmed: g.rng.IntN(5) < 2,
			SourceAgency: agencies[ag.pick(g.rng)], FirstSeen: first, LastSeen: last, ReviewDate: g.review()}
		return g.emit(Record{Type: TypeLink, Link: l})
	}
	for _, t := range g.towns {
		for _, p := range t.young {
			// 1 + a heavy-tailed number of places frequented.
			k := 1 + min(12, int(math.Pow(1-g.rng.Float64(), -1/1.5))-1)
			for range k {
				if err := link("frequents", Ref{TypePerson, p}, Ref{TypePlace, t.places[t.placeAlias.pick(g.rng)]}); err != nil {
					return err
				}
			}
			if len(t.groups) > 0 && g.rng.IntN(5) < 2 {
				if err := link("member_of", Ref{TypePerson, p}, Ref{TypeGroup, t.groups[g.rng.IntN(len(t.groups))]}); err != nil {
					return err
				}
			}
			if len(t.young) > 1 && g.rng.IntN(5) == 0 {
				q := t.young[t.youngAlias.pick(g.rng)]
				if q != p {
					if err := link("associates_with", Ref{TypePerson, p}, Ref{TypePerson, q}); err != nil {
						return err
					}
				}
			}
		}
		for _, a := range t.adults {
			for range 1 + g.rng.IntN(3) {
				if err := link("linked_to", Ref{TypePerson, a}, Ref{TypePlace, t.places[t.placeAlias.pick(g.rng)]}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// review is a review date: 1 to 4 years after the data set's end, or for
// one in twenty, up to a year before it (overdue).
func (g *gen) review() time.Time {
	if g.rng.IntN(20) == 0 {
		return g.date(g.opt.End.AddDate(-1, 0, 0), g.opt.End)
	}
	return g.date(g.opt.End.AddDate(1, 0, 0), g.opt.End.AddDate(4, 0, 0))
}

// when is a start time: a day (weighted by day of week) and a local hour
// (weighted by hour of day), at a random minute.
func (g *gen) when(hours *alias) time.Time {
	days := int(g.opt.End.Sub(g.opt.Start).Hours() / 24)
	for {
		d := g.opt.Start.AddDate(0, 0, g.rng.IntN(max(1, days)))
		wd := (int(d.Weekday()) + 6) % 7
		if g.rng.Float64()*1.45 > dayW[wd] {
			continue
		}
		t := time.Date(d.Year(), d.Month(), d.Day(), hours.pick(g.rng), g.rng.IntN(60), 0, 0, g.london)
		if t.Before(g.opt.Start) || !t.Before(g.opt.End) {
			continue
		}
		return t.UTC()
	}
}

func (g *gen) hoursBetween(lo, hi float64) time.Duration {
	return time.Duration((lo + g.rng.Float64()*(hi-lo)) * float64(time.Hour)).Truncate(time.Minute)
}

// window is how long an event's window is, by kind.
func (g *gen) window(kind string) time.Duration {
	u := g.rng.Float64()
	switch kind {
	case "crime":
		if u < 0.6 {
			return 0
		}
		return g.hoursBetween(1, 8)
	case "intelligence_report":
		switch {
		case u < 0.3:
			return 0
		case u < 0.7:
			return g.hoursBetween(1, 8)
		}
		return g.hoursBetween(24, 14*24)
	case "missing_episode":
		// Log-normal, median 10 hours, from 1 hour to a week.
		h := math.Exp(math.Log(10) + g.rng.NormFloat64()*1.1)
		return g.hoursBetween(min(max(h, 1), 168), min(max(h, 1), 168))
	case "return_home_interview":
		return 0
	}
	switch {
	case u < 0.55:
		return 0
	case u < 0.9:
		return g.hoursBetween(1, 6)
	}
	return g.hoursBetween(6, 24)
}

func (g *gen) events() error {
	withPeople := g.townWeights(func(t *town) bool { return len(t.young) > 0 })
	all := g.townWeights(func(*town) bool { return true })
	kinds, sev, src, asm, ag := newAlias(eventKindW), newAlias(severityW), newAlias(sourceW), newAlias(assessW), newAlias(agencyW)
	cts, hours, npeople := newAlias(crimeTypeW), newAlias(hourW), newAlias(peopleW)
	rhiHours := newAlias([]float64{63, 37}) // within 72 hours, or later
	office := make([]float64, 24)           // return home interviews: 09:00 to 17:59
	for h := 9; h < 18; h++ {
		office[h] = 1
	}
	officeHours := newAlias(office)
	// Kinds and start times first, then events in order of start time, as
	// a system fills up over the years (and as a heap table then lies).
	type slot struct {
		start time.Time
		kind  int
	}
	slots := make([]slot, g.opt.Events)
	for i := range slots {
		k := kinds.pick(g.rng)
		if eventKinds[k] == "return_home_interview" {
			slots[i] = slot{g.when(officeHours), k}
		} else {
			slots[i] = slot{g.when(hours), k}
		}
	}
	slices.SortStableFunc(slots, func(a, b slot) int { return a.start.Compare(b.start) })
	for n := 1; n <= g.opt.Events; n++ {
		kind := eventKinds[slots[n-1].kind]
		var t *town
		if kind == "crime" {
			t = g.towns[all.pick(g.rng)]
		} else {
			t = g.towns[withPeople.pick(g.rng)]
		}
		e := &Event{N: n, Kind: kind, Severity: 1 + sev.pick(g.rng), Grade: g.grade(src, asm),
			Confirmed: g.rng.IntN(5) < 2, SourceAgency: agencies[ag.pick(g.rng)], ReviewDate: g.review()}
		e.Start = slots[n-1].start
		e.End = e.Start.Add(g.window(kind))
		// Most events happen at a known place (a missing episode often
		// starts at a children's home); the rest at a bare point near one.
		switch {
		case kind == "missing_episode" && len(t.homes) > 0 && g.rng.IntN(10) < 3:
			e.Place = t.homes[g.rng.IntN(len(t.homes))]
		case g.rng.IntN(4) < 3:
			e.Place = t.places[t.placeAlias.pick(g.rng)]
		}
		if e.Place > 0 {
			e.Lon, e.Lat = g.placeLonLat(e.Place)
		} else {
			lon, lat := g.placeLonLat(t.places[t.placeAlias.pick(g.rng)])
			for {
				e.Lon, e.Lat = offset(lon, lat, g.rng.NormFloat64()*250, g.rng.NormFloat64()*250)
				if districtOf(e.Lon, e.Lat) != "" {
					break
				}
			}
		}
		e.District = districtOf(e.Lon, e.Lat)
		if kind == "crime" {
			e.CrimeType = crimeTypes[cts.pick(g.rng)]
			e.SourceAgency = "Police"
		} else {
			k := 1 + npeople.pick(g.rng)
			for range k {
				p := t.young[t.youngAlias.pick(g.rng)]
				if !slices.Contains(e.People, p) {
					e.People = append(e.People, p)
				}
			}
			if len(t.adults) > 0 && g.rng.IntN(100) < 3 {
				e.People = append(e.People, t.adults[g.rng.IntN(len(t.adults))])
			}
			if g.rng.IntN(10) > 0 {
				e.Category = g.cat[e.People[0]]
			}
		}
		if kind == "missing_episode" && g.rng.IntN(2) == 0 {
			e.FoundPlace = t.places[t.placeAlias.pick(g.rng)]
			found := e.End
			e.FoundAt = &found
			var rhi time.Time
			if rhiHours.pick(g.rng) == 0 {
				rhi = found.Add(g.hoursBetween(2, 72))
			} else {
				rhi = found.Add(g.hoursBetween(72, 240))
			}
			e.RHIAt = &rhi
		}
		if err := g.emit(Record{Type: TypeEvent, Event: e}); err != nil {
			return err
		}
	}
	return nil
}

// placeLonLat is where place n is; places were emitted before events, so
// they are kept for this.
func (g *gen) placeLonLat(n int) (float64, float64) {
	p := g.placePos[n]
	return p[0], p[1]
}
