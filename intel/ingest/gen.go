package ingest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// GenOptions shape a synthetic data set.
type GenOptions struct {
	People, Events, Links int
	Places                int // default: a place for every 20 people, at least 50
	Groups, Spaces        int // default: one for every 60 and 120 people, at least 5
	Seed                  uint64
	Area                  string // "cumbria" (the default) or "gb"
}

// town is a centre places cluster around, weighted by population.
type town struct {
	name     string
	lon, lat float64
	pop      float64 // thousands
	district string  // for Cumbria: the pre-2023 district holding it
}

var areas = map[string][]town{
	"cumbria": {
		{"Carlisle", -2.9350, 54.8925, 75, "E07000028"}, {"Barrow-in-Furness", -3.2267, 54.1108, 56, "E07000027"},
		{"Kendal", -2.7461, 54.3281, 29, "E07000031"}, {"Workington", -3.5448, 54.6425, 25, "E07000026"},
		{"Whitehaven", -3.5869, 54.5489, 24, "E07000029"}, {"Penrith", -2.7532, 54.6641, 16, "E07000030"},
		{"Ulverston", -3.0950, 54.1932, 12, "E07000031"}, {"Maryport", -3.4950, 54.7130, 11, "E07000026"},
		{"Cockermouth", -3.3600, 54.6630, 8, "E07000026"}, {"Windermere", -2.9060, 54.3800, 8, "E07000031"},
		{"Egremont", -3.5300, 54.4820, 8, "E07000029"}, {"Millom", -3.2700, 54.2100, 7, "E07000029"},
		{"Wigton", -3.1600, 54.8240, 6, "E07000026"}, {"Keswick", -3.1340, 54.6010, 5, "E07000026"},
		{"Appleby", -2.4900, 54.5780, 3, "E07000030"},
	},
	"gb": {
		{"London", -0.1276, 51.5072, 8900, ""}, {"Birmingham", -1.8904, 52.4862, 1150, ""},
		{"Manchester", -2.2426, 53.4808, 550, ""}, {"Leeds", -1.5491, 53.8008, 790, ""},
		{"Glasgow", -4.2518, 55.8642, 630, ""}, {"Liverpool", -2.9916, 53.4084, 500, ""},
		{"Sheffield", -1.4701, 53.3811, 580, ""}, {"Bristol", -2.5879, 51.4545, 470, ""},
		{"Edinburgh", -3.1883, 55.9533, 530, ""}, {"Newcastle", -1.6178, 54.9783, 300, ""},
		{"Leicester", -1.1398, 52.6369, 370, ""}, {"Nottingham", -1.1581, 52.9548, 330, ""},
		{"Cardiff", -3.1791, 51.4816, 360, ""}, {"Coventry", -1.5197, 52.4068, 370, ""},
		{"Bradford", -1.7594, 53.7960, 540, ""}, {"Stoke-on-Trent", -2.1794, 53.0027, 260, ""},
		{"Wolverhampton", -2.1288, 52.5862, 260, ""}, {"Plymouth", -4.1427, 50.3755, 260, ""},
		{"Southampton", -1.4044, 50.9097, 250, ""}, {"Reading", -0.9781, 51.4543, 230, ""},
		{"Derby", -1.4746, 52.9225, 260, ""}, {"Swansea", -3.9436, 51.6214, 240, ""},
		{"Aberdeen", -2.0943, 57.1497, 200, ""}, {"Norwich", 1.2974, 52.6309, 140, ""},
		{"Hull", -0.3367, 53.7676, 260, ""}, {"Preston", -2.7035, 53.7632, 140, ""},
		{"Brighton", -0.1372, 50.8225, 230, ""}, {"Middlesbrough", -1.2348, 54.5742, 140, ""},
		{"Blackpool", -3.0357, 53.8175, 140, ""}, {"Dundee", -2.9707, 56.4620, 150, ""},
		{"Carlisle", -2.9350, 54.8925, 75, ""}, {"Inverness", -4.2247, 57.4778, 47, ""},
		{"Exeter", -3.5339, 50.7184, 130, ""}, {"Ipswich", 1.1555, 52.0567, 140, ""},
		{"Luton", -0.4200, 51.8787, 210, ""}, {"Milton Keynes", -0.7594, 52.0406, 230, ""},
		{"Northampton", -0.8901, 52.2405, 220, ""}, {"Peterborough", -0.2405, 52.5695, 200, ""},
		{"Oxford", -1.2577, 51.7520, 150, ""}, {"Cambridge", 0.1218, 52.2053, 145, ""},
	},
}

// Areas lists the areas Generate knows.
var Areas = []string{"cumbria", "gb"}

type genPlace struct {
	ref  string
	town int
	kind string
	lon  float64
	lat  float64
}

type genPerson struct {
	ref   string
	young bool
	town  int
}

type gen struct {
	opt     GenOptions
	r       *rand.Rand
	towns   []town
	townCum []float64
	places  []genPlace
	byTown  [][]int // place indexes by town
	schools [][]int
	people  []genPerson
	young   []int
	adults  []int
	// heavy-tailed weights: a few people and places hold most links and
	// events, as in real networks and hotspots.
	personCum, placeCum []float64
	groups, spaces      int
	groupTown           []int
}

// Generate writes a deterministic synthetic data set through emit, record
// by record in import order (places, groups, spaces, people, assessments,
// links, events), with memory flat in the number of events and links.
// Places cluster around towns weighted by population; link and event
// counts per person and per place are heavy-tailed (Pareto weights); event
// times peak in the evening and at weekends with windows from exact to
// overnight; every grade is valid, some given only in legacy 5x5x5.
func Generate(opt GenOptions, emit func(rec any) error) error {
	if opt.Area == "" {
		opt.Area = "cumbria"
	}
	towns, ok := areas[opt.Area]
	if !ok {
		return fmt.Errorf("area %q: want cumbria or gb", opt.Area)
	}
	if opt.People < 0 || opt.Events < 0 || opt.Links < 0 {
		return fmt.Errorf("counts must not be negative")
	}
	if opt.Places <= 0 {
		opt.Places = max(50, opt.People/20)
	}
	if opt.Groups <= 0 {
		opt.Groups = max(5, opt.People/60)
	}
	if opt.Spaces <= 0 {
		opt.Spaces = max(5, opt.People/120)
	}
	if opt.People == 0 && (opt.Links > 0 || opt.Events > 0) {
		opt.People = 1
	}
	g := &gen{opt: opt, r: rand.New(rand.NewPCG(opt.Seed, 0x636f6e746578746d)), towns: towns}
	total := 0.0
	for _, t := range towns {
		total += t.pop
		g.townCum = append(g.townCum, total)
	}
	for _, step := range []func(func(any) error) error{g.genPlaces, g.genContexts, g.genPeople, g.genLinks, g.genEvents} {
		if err := step(emit); err != nil {
			return err
		}
	}
	return nil
}

// WriteNDJSON writes records as NDJSON lines.
func WriteNDJSON(w io.Writer) func(rec any) error {
	return func(rec any) error {
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		b = append(b, '\n')
		_, err = w.Write(b)
		return err
	}
}

func pick(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	return sort.SearchFloat64s(cum, x)
}

// paretoCum is the running sum of n Pareto(alpha) weights.
func paretoCum(r *rand.Rand, n int, alpha float64) []float64 {
	cum := make([]float64, n)
	s := 0.0
	for i := range cum {
		s += math.Pow(1-r.Float64(), -1/alpha)
		cum[i] = s
	}
	return cum
}

func (g *gen) near(t town, km float64) (float64, float64) {
	// km scaled by the town's size; degrees from km at its latitude.
	s := km * math.Sqrt(t.pop/30)
	dy := g.r.NormFloat64() * s / 111.0
	dx := g.r.NormFloat64() * s / (111.0 * math.Cos(t.lat*math.Pi/180))
	return round6(t.lon + dx), round6(t.lat + dy)
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

var placeKinds = []struct {
	kind string
	w    float64
}{{"park", 12}, {"playground", 5}, {"takeaway", 12}, {"shop", 14}, {"shopping_centre", 3}, {"bus_station", 3},
	{"rail_station", 2}, {"taxi_rank", 2}, {"hotel", 3}, {"car_park", 6}, {"school", 5}, {"college", 1},
	{"leisure_centre", 2}, {"street", 12}, {"house", 15}, {"childrens_home", 2}, {"other", 5}}

func weighted[T any](r *rand.Rand, items []T, w func(T) float64) T {
	total := 0.0
	for _, it := range items {
		total += w(it)
	}
	x := r.Float64() * total
	for _, it := range items {
		x -= w(it)
		if x < 0 {
			return it
		}
	}
	return items[len(items)-1]
}

func (g *gen) genPlaces(emit func(any) error) error {
	g.byTown = make([][]int, len(g.towns))
	g.schools = make([][]int, len(g.towns))
	for i := range g.opt.Places {
		ti := pick(g.r, g.townCum)
		t := g.towns[ti]
		k := weighted(g.r, placeKinds, func(k struct {
			kind string
			w    float64
		}) float64 {
			return k.w
		}).kind
		lon, lat := g.near(t, 1.2)
		p := genPlace{ref: fmt.Sprintf("GEN-PL-%06d", i+1), town: ti, kind: k, lon: lon, lat: lat}
		g.places = append(g.places, p)
		g.byTown[ti] = append(g.byTown[ti], i)
		if k == "school" {
			g.schools[ti] = append(g.schools[ti], i)
		}
		rec := &Place{Type: TypePlace, ExtRef: p.ref, Name: fmt.Sprintf("%s %s %d", t.name, k, i+1), Kind: k,
			Sensitive: k == "house" || k == "childrens_home"}
		if k == "school" {
			urn := fmt.Sprintf("%06d", 100000+i%900000)
			rec.URN = &urn
		}
		if k == "shopping_centre" || (k == "park" && g.r.IntN(4) == 0) {
			d := 0.0008 + g.r.Float64()*0.0015
			rec.Geometry = json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
				lon-d, lat-d, lon+d, lat-d, lon+d, lat+d, lon-d, lat+d, lon-d, lat-d))
		} else {
			rec.Geometry = pointJSON(lon, lat)
		}
		if err := emit(rec); err != nil {
			return err
		}
	}
	g.placeCum = paretoCum(g.r, len(g.places), 1.2)
	return nil
}

func pointJSON(lon, lat float64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"Point","coordinates":[%g,%g]}`, lon, lat))
}

func (g *gen) district(ti int) *string {
	if d := g.towns[ti].district; d != "" {
		return &d
	}
	return nil
}

func (g *gen) genContexts(emit func(any) error) error {
	g.groups, g.spaces = g.opt.Groups, g.opt.Spaces
	for i := range g.groups {
		ti := pick(g.r, g.townCum)
		g.groupTown = append(g.groupTown, ti)
		desc := "Young people seen together around " + g.towns[ti].name
		if err := emit(&Group{Type: TypeGroup, ExtRef: fmt.Sprintf("GEN-GR-%05d", i+1), Name: fmt.Sprintf("%s group %d", g.towns[ti].name, i+1),
			Description: &desc, District: g.district(ti)}); err != nil {
			return err
		}
	}
	kinds := map[string]string{"snapchat": "group_chat", "whatsapp": "group_chat", "discord": "server", "instagram": "profile",
		"tiktok": "profile", "telegram": "channel", "xbox_live": "gaming_lobby", "roblox": "gaming_lobby"}
	platforms := []string{"snapchat", "whatsapp", "discord", "instagram", "tiktok", "telegram", "xbox_live", "roblox"}
	for i := range g.spaces {
		p := platforms[g.r.IntN(len(platforms))]
		if err := emit(&Space{Type: TypeSpace, ExtRef: fmt.Sprintf("GEN-SP-%05d", i+1), Name: fmt.Sprintf("%s space %d", p, i+1),
			Platform: p, Kind: kinds[p]}); err != nil {
			return err
		}
	}
	return nil
}

var (
	genStart = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	genDays  = 3 * 365
)

func (g *gen) date(fromDay, spanDays int) intel.Date {
	return intel.Date{Time: genStart.AddDate(0, 0, fromDay+g.r.IntN(max(1, spanDays)))}
}

func (g *gen) genPeople(emit func(any) error) error {
	for i := range g.opt.People {
		ti := pick(g.r, g.townCum)
		young := g.r.Float64() < 0.85
		p := genPerson{ref: fmt.Sprintf("GEN-CS-%07d", i+1), young: young, town: ti}
		g.people = append(g.people, p)
		ref := p.ref
		rec := &Person{Type: TypePerson, CaseRef: &ref, District: g.district(ti)}
		if young {
			g.young = append(g.young, i)
			rec.Pseudonym = fmt.Sprintf("YP-%07d", i+1)
			rec.Kind = intel.YoungPerson
			band := []string{"10-12", "13-15", "13-15", "16-17", "16-17"}[g.r.IntN(5)]
			rec.AgeBand = &band
			// A history of one to three periods, the last still open.
			var st []intel.StatusPeriod
			day := g.r.IntN(genDays / 2)
			n := 1 + g.r.IntN(3)
			for j := range n {
				from := intel.Date{Time: genStart.AddDate(0, 0, day)}
				sp := intel.StatusPeriod{Status: intel.Statuses[g.r.IntN(len(intel.Statuses))], Period: intel.Period{From: from}}
				day += 30 + g.r.IntN(200)
				if j < n-1 {
					to := intel.Date{Time: genStart.AddDate(0, 0, day)}
					sp.To = &to
				}
				st = append(st, sp)
			}
			rec.Statuses = &st
			if g.r.IntN(3) > 0 {
				cs := []intel.CategoryPeriod{{Category: intel.Categories[g.r.IntN(len(intel.Categories))],
					Period: intel.Period{From: g.date(0, genDays)}}}
				rec.Categories = &cs
			}
		} else {
			g.adults = append(g.adults, i)
			rec.Pseudonym = fmt.Sprintf("AOC-%07d", i+1)
			rec.Kind = intel.AdultOfConcern
			band := []string{"18-24", "25+", "25+"}[g.r.IntN(3)]
			rec.AgeBand = &band
		}
		if err := emit(rec); err != nil {
			return err
		}
	}
	g.personCum = paretoCum(g.r, max(1, len(g.people)), 1.1)
	// A risk assessment for about a third of young people.
	for _, i := range g.young {
		if g.r.IntN(3) != 0 {
			continue
		}
		p := g.people[i]
		done := g.date(0, genDays)
		next := intel.Date{Time: done.AddDate(0, 0, 28+g.r.IntN(60))}
		risk := intel.RiskLevels[g.r.IntN(3)]
		ref := fmt.Sprintf("GEN-AS-%07d", i+1)
		if err := emit(&Assessment{Type: TypeAssessment, ExtRef: &ref, Person: p.ref, Kind: "cerar", CompletedOn: &done,
			RiskLevel: &risk, NextReview: &next, Agency: "Children's Social Care"}); err != nil {
			return err
		}
	}
	return nil
}

var legacyCodes = []string{"A11", "B22", "B23", "C32", "C34", "D44", "E25", "B31"}

func (g *gen) grade(rec interface{ setGrade(g, legacy *string) }) {
	if g.r.IntN(10) == 0 {
		l := legacyCodes[g.r.IntN(len(legacyCodes))]
		rec.setGrade(nil, &l)
		return
	}
	s := string([]byte{"1122223"[g.r.IntN(7)], "ABBCCCD"[g.r.IntN(7)], "PPPC"[g.r.IntN(4)]})
	rec.setGrade(&s, nil)
}

func (l *Link) setGrade(g, legacy *string)  { l.Grade, l.LegacyGrade = g, legacy }
func (e *Event) setGrade(g, legacy *string) { e.Grade, e.LegacyGrade = g, legacy }

var agencies = []string{"Police", "Police", "Children's Social Care", "Education", "Health", "Youth service"}

// personPick draws a person by heavy-tailed weight, young or adult as asked.
func (g *gen) personPick(young bool) (int, bool) {
	pool := g.adults
	if young {
		pool = g.young
	}
	if len(pool) == 0 {
		return 0, false
	}
	for range 8 {
		i := pick(g.r, g.personCum)
		if g.people[i].young == young {
			return i, true
		}
	}
	return pool[g.r.IntN(len(pool))], true
}

// placeNear draws a place in the town, by weight when possible.
func (g *gen) placeNear(ti int) int {
	if ps := g.byTown[ti]; len(ps) > 0 && g.r.IntN(4) > 0 {
		return ps[g.r.IntN(len(ps))]
	}
	return pick(g.r, g.placeCum)
}

func (g *gen) genLinks(emit func(any) error) error {
	kinds := []struct {
		kind string
		w    float64
	}{{"frequents", 30}, {"associates_with", 25}, {"member_of", 12}, {"present_in", 10}, {"attends", 5},
		{"last_seen_at", 4}, {"found_at", 3}, {"congregates_at", 4}, {"linked_to", 7}}
	for i := 0; i < g.opt.Links; {
		k := weighted(g.r, kinds, func(k struct {
			kind string
			w    float64
		}) float64 {
			return k.w
		}).kind
		l := &Link{Type: TypeLink, ExtRef: fmt.Sprintf("GEN-LK-%08d", i+1), Kind: k}
		youngSrc := k != "linked_to"
		var src int
		if k == "congregates_at" {
			gi := g.r.IntN(g.groups)
			l.SourceType, l.SourceRef = intel.NodeGroup, fmt.Sprintf("GEN-GR-%05d", gi+1)
			l.TargetType, l.TargetRef = intel.NodePlace, g.places[g.placeNear(g.groupTown[gi])].ref
		} else {
			var ok bool
			if k == "associates_with" {
				youngSrc = g.r.IntN(5) > 0
			}
			src, ok = g.personPick(youngSrc)
			if !ok {
				continue
			}
			l.SourceType, l.SourceRef = intel.NodePerson, g.people[src].ref
			ti := g.people[src].town
			switch k {
			case "frequents", "last_seen_at", "found_at":
				l.TargetType, l.TargetRef = intel.NodePlace, g.places[g.placeNear(ti)].ref
			case "attends":
				if s := g.schools[ti]; len(s) > 0 {
					l.TargetType, l.TargetRef = intel.NodePlace, g.places[s[g.r.IntN(len(s))]].ref
				} else {
					l.TargetType, l.TargetRef = intel.NodePlace, g.places[g.placeNear(ti)].ref
				}
			case "member_of":
				l.TargetType, l.TargetRef = intel.NodeGroup, fmt.Sprintf("GEN-GR-%05d", g.r.IntN(g.groups)+1)
			case "present_in":
				l.TargetType, l.TargetRef = intel.NodeSpace, fmt.Sprintf("GEN-SP-%05d", g.r.IntN(g.spaces)+1)
			case "associates_with":
				dst, _ := g.personPick(g.r.IntN(4) > 0)
				if dst == src {
					continue
				}
				l.TargetType, l.TargetRef = intel.NodePerson, g.people[dst].ref
			case "linked_to":
				switch g.r.IntN(4) {
				case 0:
					l.TargetType, l.TargetRef = intel.NodeGroup, fmt.Sprintf("GEN-GR-%05d", g.r.IntN(g.groups)+1)
				case 1:
					dst, _ := g.personPick(g.r.IntN(2) == 0)
					if dst == src {
						continue
					}
					l.TargetType, l.TargetRef = intel.NodePerson, g.people[dst].ref
				default:
					l.TargetType, l.TargetRef = intel.NodePlace, g.places[g.placeNear(ti)].ref
				}
			}
		}
		g.grade(l)
		first := g.date(0, genDays)
		last := intel.Date{Time: first.AddDate(0, 0, g.r.IntN(180))}
		review := intel.Date{Time: last.AddDate(0, 6, 0)}
		l.FirstSeen, l.LastSeen, l.ReviewDate = &first, &last, &review
		l.SourceAgency = agencies[g.r.IntN(len(agencies))]
		l.Confirmed = g.r.IntN(3) == 0
		if k == "associates_with" {
			s := int16(1 + g.r.IntN(5))
			l.Strength = &s
		}
		if err := emit(l); err != nil {
			return err
		}
		i++
	}
	return nil
}

// hourWeights: few events in the morning, most from late afternoon to
// the small hours.
var hourWeights = []float64{6, 5, 4, 2, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 6, 8, 9, 10, 11, 12, 12, 10, 8}

var hourCum = func() []float64 {
	var c []float64
	s := 0.0
	for _, w := range hourWeights {
		s += w
		c = append(c, s)
	}
	return c
}()

func (g *gen) genEvents(emit func(any) error) error {
	kinds := []struct {
		kind string
		w    float64
	}{{"sighting", 40}, {"incident", 25}, {"intelligence_report", 15}, {"missing_episode", 10},
		{"return_home_interview", 5}, {"crime", 5}}
	for i := range g.opt.Events {
		k := weighted(g.r, kinds, func(k struct {
			kind string
			w    float64
		}) float64 {
			return k.w
		}).kind
		pi := pick(g.r, g.placeCum)
		pl := g.places[pi]
		day := g.r.IntN(genDays)
		// Fridays and Saturdays are busier: redraw a weekday once in three.
		if wd := genStart.AddDate(0, 0, day).Weekday(); wd != time.Friday && wd != time.Saturday && g.r.IntN(3) == 0 {
			day = g.r.IntN(genDays)
		}
		from := genStart.AddDate(0, 0, day).Add(time.Duration(pick(g.r, hourCum))*time.Hour + time.Duration(g.r.IntN(60))*time.Minute)
		var to time.Time
		switch x := g.r.IntN(10); {
		case x < 4:
			to = from
		case x < 8:
			to = from.Add(time.Duration(1+g.r.IntN(3)) * time.Hour)
		default:
			to = from.Add(time.Duration(4+g.r.IntN(9)) * time.Hour)
		}
		sev := int16(1 + g.r.IntN(5))
		e := &Event{Type: TypeEvent, ExtRef: fmt.Sprintf("GEN-EV-%08d", i+1), Kind: k, From: &from, To: &to, Severity: &sev,
			SourceAgency: agencies[g.r.IntN(len(agencies))], Confirmed: g.r.IntN(2) == 0}
		ref := pl.ref
		e.Place = &ref
		if g.r.IntN(2) == 0 {
			lon, lat := round6(pl.lon+g.r.NormFloat64()*0.0004), round6(pl.lat+g.r.NormFloat64()*0.0004)
			e.Geometry = pointJSON(lon, lat)
		}
		g.grade(e)
		if k == "crime" && g.r.IntN(2) == 0 {
			ct := []string{"Drugs", "Violence and sexual offences", "Public order", "Anti-social behaviour"}[g.r.IntN(4)]
			e.CrimeType = &ct
		}
		if g.r.IntN(2) == 0 {
			c := intel.Categories[g.r.IntN(4)]
			e.Category = &c
		}
		if n := []int{0, 1, 1, 1, 1, 1, 1, 2, 2, 3}[g.r.IntN(10)]; n > 0 && len(g.young) > 0 {
			seen := map[int]bool{}
			for range n {
				pi, _ := g.personPick(true)
				if !seen[pi] {
					seen[pi] = true
					e.People = append(e.People, g.people[pi].ref)
				}
			}
		}
		if k == "missing_episode" {
			fp := g.places[g.placeNear(pl.town)].ref
			found := to.Add(time.Duration(1+g.r.IntN(30)) * time.Hour)
			e.FoundPlace, e.FoundAt = &fp, &found
			if g.r.Float64() < 0.63 {
				rhi := found.Add(time.Duration(4+g.r.IntN(100)) * time.Hour)
				e.RHIAt = &rhi
			}
		}
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}
