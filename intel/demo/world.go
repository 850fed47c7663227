package demo

import (
	"math/rand/v2"
	"time"
)

// node is what links and events point at: its id is assigned just before
// writing, from the database's node sequence.
type node struct{ id int64 }

type place struct {
	node
	name, kind string
	sensitive  bool
	urn        string
	lon, lat   float64      // the point, or the centre of an area
	ring       [][2]float64 // an area's outline; nil for a point
	district   string       // for the generator only: the database assigns its own
	town       int          // index in towns, -1 when none
	heat       float64      // how much tends to happen here
	extRef     string
	created    time.Time
}

type group struct {
	node
	name, description, district, extRef string
	town                                int
	net                                 *network
	places                              []*place // where it congregates
	spaces                              []*space
	members                             []*person
	created                             time.Time
}

type space struct {
	node
	name, platform, kind, district, extRef string
	net                                    *network
	members                                []*person
	created                                time.Time
}

// network is a cluster of young people who share places, groups and online
// spaces, with the adults of concern around them. It is the generator's
// notion, never written as such: it shows in the data as shared links.
type network struct {
	name    string
	towns   []int
	places  []*place
	groups  []*group
	spaces  []*space
	members []*person
	adults  []*person
	heat    float64
}

// period is a status or category in force from from (inclusive) to to
// (exclusive; zero when still in force).
type period struct {
	code     string
	from, to time.Time
}

func (p period) covers(d time.Time) bool {
	return !p.from.After(d) && (p.to.IsZero() || p.to.After(d))
}

type assessment struct {
	on, next time.Time
	risk     string
	agency   string
}

type person struct {
	node
	kind        string
	pseudonym   string
	caseRef     string
	ageBand     string
	district    string // "" for adults from outside the area
	town        int    // home town, -1 when none
	net         *network
	school      *place
	home        *place // a children's home, for looked-after children
	statuses    []period
	categories  []period
	assessments []assessment
	from, to    time.Time // when events involve them
	weight      float64   // how often events involve them
	first       time.Time // first recorded: orders pseudonyms
	created     time.Time
	updated     time.Time
}

func (p *person) categoryOn(d time.Time) string {
	for _, c := range p.categories {
		if c.covers(d) {
			return c.code
		}
	}
	return ""
}

func (p *person) statusOn(d time.Time) string {
	for _, s := range p.statuses {
		if s.covers(d) {
			return s.code
		}
	}
	return ""
}

func (p *person) activeOn(d time.Time) bool {
	return !d.Before(p.from) && !d.After(p.to)
}

type link struct {
	kind                string
	src, dst            *node
	grade               string // 3x5x2, e.g. "2BP"
	confirmed           bool
	agency              string
	first, last, review time.Time
	nature              string
	strength            int16
	created, updated    time.Time
}

type event struct {
	node
	kind             string
	start, end       time.Time
	place            *place
	lon, lat         float64
	category         string
	severity         int16
	grade            string
	confirmed        bool
	agency           string
	review           time.Time // zero: none
	foundPlace       *place
	foundAt, rhiAt   time.Time // zero: none
	crimeType        string
	extRef           string
	people           []*person
	groups           []*group
	created, updated time.Time
}

// world is everything the demo writes, built in memory first so that the
// write is one short transaction and the content depends on the seed alone.
type world struct {
	seed      int64
	districts []area
	lsoas     []area
	stations  []station
	schools   []school
	skipped   []string // URNs of schools left out

	places   []*place
	groups   []*group
	spaces   []*space
	networks []*network
	people   []*person
	links    []*link
	events   []*event
}

// rng returns the random stream for one part of the generator, so a change
// in one part leaves the others' data as it was.
func (w *world) rng(part uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(w.seed), 0x9e3779b97f4a7c15^part))
}

// Streams of the generator.
const (
	streamPlaces uint64 = iota + 1
	streamContexts
	streamPeople
	streamEvents
	streamLinks
	streamCrime
)

// districtAt returns the code of the district containing the point, "".
func (w *world) districtAt(lon, lat float64) string {
	for i := range w.districts {
		if w.districts[i].contains(lon, lat) {
			return w.districts[i].code
		}
	}
	return ""
}

func (w *world) district(code string) *area {
	for i := range w.districts {
		if w.districts[i].code == code {
			return &w.districts[i]
		}
	}
	return nil
}
