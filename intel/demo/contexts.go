package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// networkSpec describes one cluster of young people. Three span two
// districts along a railway line, as exploitation in Cumbria does.
type networkSpec struct {
	name   string
	towns  []string
	route  []string // rail stations on the way (CRS codes)
	groups int
	spaces int
	adults int
	heat   float64
}

var networkSpecs = []networkSpec{
	{"Carlisle city centre", []string{"Carlisle"}, nil, 2, 3, 3, 1.4},
	{"Carlisle east", []string{"Carlisle"}, nil, 1, 2, 2, 1.0},
	{"Carlisle and Penrith (West Coast Main Line)", []string{"Carlisle", "Penrith"}, nil, 1, 2, 2, 1.2},
	{"Workington", []string{"Workington"}, nil, 2, 2, 2, 1.2},
	{"Maryport", []string{"Maryport"}, []string{"FLM"}, 1, 2, 1, 0.9},
	{"Cumbrian Coast line (Workington and Whitehaven)", []string{"Workington", "Whitehaven"}, []string{"HRR", "PRN", "CKL"}, 1, 2, 2, 1.1},
	{"Whitehaven", []string{"Whitehaven"}, []string{"CKL"}, 2, 2, 2, 1.1},
	{"Egremont and Cleator Moor", []string{"Egremont", "Cleator Moor"}, nil, 1, 1, 1, 0.7},
	{"Barrow town centre", []string{"Barrow-in-Furness"}, []string{"ROO"}, 2, 3, 3, 1.5},
	{"Walney", []string{"Walney"}, nil, 1, 2, 1, 0.9},
	{"Furness line (Barrow and Ulverston)", []string{"Barrow-in-Furness", "Ulverston"}, []string{"ROO", "DLT"}, 1, 2, 2, 1.3},
	{"Dalton", []string{"Dalton-in-Furness"}, nil, 1, 1, 1, 0.7},
	{"Kendal", []string{"Kendal"}, []string{"OXN"}, 2, 2, 2, 1.0},
	{"Windermere", []string{"Windermere"}, nil, 1, 1, 1, 0.6},
	{"Penrith", []string{"Penrith"}, nil, 1, 2, 1, 0.7},
}

// standaloneGroups gather in towns without a network.
var standaloneGroups = []string{"Wigton", "Cockermouth", "Millom", "Keswick", "Appleby-in-Westmorland"}

var groupLabels = []string{"bus station", "precinct", "skatepark", "park", "chippy", "retail park", "riverside",
	"car park", "station", "estate", "Year 10", "older lads", "girls", "back lane", "rec ground"}

var platforms = []choice[[2]string]{
	{[2]string{"snapchat", "group_chat"}, 9},
	{[2]string{"whatsapp", "group_chat"}, 5},
	{[2]string{"instagram", "profile"}, 4},
	{[2]string{"tiktok", "profile"}, 2},
	{[2]string{"discord", "server"}, 2},
	{[2]string{"telegram", "channel"}, 2},
	{[2]string{"facebook", "group_chat"}, 1},
	{[2]string{"xbox_live", "gaming_lobby"}, 1.5},
	{[2]string{"playstation_network", "gaming_lobby"}, 1.5},
	{[2]string{"roblox", "gaming_lobby"}, 1},
	{[2]string{"other", "other"}, 0.5},
}

var platformNames = map[string]string{"snapchat": "Snapchat", "whatsapp": "WhatsApp", "instagram": "Instagram",
	"tiktok": "TikTok", "discord": "Discord", "telegram": "Telegram", "facebook": "Facebook Messenger",
	"xbox_live": "Xbox Live", "playstation_network": "PlayStation Network", "roblox": "Roblox", "other": "Messaging app"}

var spaceKindNames = map[string]string{"group_chat": "group chat", "profile": "profile", "server": "server",
	"channel": "channel", "gaming_lobby": "party", "other": "group"}

// genContexts builds the networks with their hotspots, the peer groups and
// the online spaces.
func (w *world) genContexts() {
	r := w.rng(streamContexts)
	usedLabels := map[string]bool{}
	newGroup := func(ti int, n *network) *group {
		t := towns[ti]
		var label string
		for {
			label = one(r, groupLabels)
			if !usedLabels[t.name+label] {
				break
			}
		}
		usedLabels[t.name+label] = true
		g := &group{name: fmt.Sprintf("%s %s group", shortName(t.name), label), district: t.district, town: ti, net: n,
			created: officeTime(r, between(r, day(2019, 1, 7), day(2020, 6, 30)))}
		g.description = fmt.Sprintf("Young people seen together around %s (%s), mostly evenings and weekends. Synthetic demo record.",
			t.name, label)
		g.extRef = fmt.Sprintf("demo-group-%d", len(w.groups)+1)
		w.groups = append(w.groups, g)
		return g
	}
	newSpace := func(district, area string, n *network) *space {
		pk := pick(r, platforms)
		s := &space{platform: pk[0], kind: pk[1], district: district, net: n,
			created: officeTime(r, between(r, day(2019, 1, 7), day(2020, 9, 30)))}
		s.extRef = fmt.Sprintf("demo-space-%d", len(w.spaces)+1)
		s.name = fmt.Sprintf("%s %s S-%02d (%s)", platformNames[s.platform], spaceKindNames[s.kind], len(w.spaces)+1, area)
		w.spaces = append(w.spaces, s)
		return s
	}

	for _, spec := range networkSpecs {
		n := &network{name: spec.name, heat: spec.heat}
		for _, name := range spec.towns {
			n.towns = append(n.towns, townIndex(name))
		}
		for _, ti := range n.towns {
			n.places = append(n.places, w.hotspots(r, ti, len(spec.towns) > 1)...)
		}
		for _, crs := range spec.route {
			if p := w.stationByCRS(crs); p != nil {
				n.places = append(n.places, p)
			}
		}
		n.places = uniquePlaces(n.places)
		for i := range spec.groups {
			g := newGroup(n.towns[i%len(n.towns)], n)
			g.places = congregation(r, n.places, g.town, 1+r.IntN(3))
			n.groups = append(n.groups, g)
		}
		for i := range spec.spaces {
			ti := n.towns[i%len(n.towns)]
			area := shortName(towns[ti].name)
			if len(n.towns) > 1 && i == 0 {
				area = shortName(towns[n.towns[0]].name) + "/" + shortName(towns[n.towns[1]].name)
			}
			n.spaces = append(n.spaces, newSpace(towns[ti].district, area, n))
		}
		for _, g := range n.groups {
			if chance(r, 0.8) {
				g.spaces = append(g.spaces, one(r, n.spaces))
			}
		}
		w.networks = append(w.networks, n)
	}
	for _, name := range standaloneGroups {
		ti := townIndex(name)
		g := newGroup(ti, nil)
		g.places = congregation(r, w.placesIn(ti, "street", "park", "playground", "takeaway", "car_park", "bus_station"), ti, 1+r.IntN(2))
	}
	// Two spaces reach across the county, as gaming lobbies and big group
	// chats do.
	newSpace(carlisle, "county-wide", nil)
	newSpace(barrow, "county-wide", nil)
}

// hotspots picks a network's places in one town: the transport hub, some of
// the town centre, a park, and (for exploitation) an address.
func (w *world) hotspots(r *rand.Rand, ti int, crossing bool) []*place {
	var out []*place
	take := func(n int, kinds ...string) {
		ps := w.placesIn(ti, kinds...)
		r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		out = append(out, ps[:min(n, len(ps))]...)
	}
	take(1, "bus_station")
	take(1, "rail_station")
	take(1+r.IntN(2), "street")
	take(1+r.IntN(2), "takeaway")
	take(1, "shop", "shopping_centre")
	take(1, "park", "playground")
	if chance(r, 0.5) {
		take(1, "car_park", "taxi_rank")
	}
	if chance(r, 0.3) || crossing {
		take(1, "hotel")
	}
	take(1, "house")
	return out
}

// congregation picks where a group gathers: outdoor or late-opening places
// of its town.
func congregation(r *rand.Rand, ps []*place, ti, n int) []*place {
	var cands []*place
	for _, p := range ps {
		if p.town == ti && slices.Contains([]string{"street", "park", "playground", "takeaway", "car_park",
			"bus_station", "rail_station", "shopping_centre"}, p.kind) {
			cands = append(cands, p)
		}
	}
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	return cands[:min(n, len(cands))]
}

func uniquePlaces(ps []*place) []*place {
	var out []*place
	for _, p := range ps {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// shortName drops the "-in-Furness" of town names in labels.
func shortName(town string) string {
	switch town {
	case "Barrow-in-Furness":
		return "Barrow"
	case "Dalton-in-Furness":
		return "Dalton"
	case "Askam-in-Furness":
		return "Askam"
	case "Appleby-in-Westmorland":
		return "Appleby"
	}
	return town
}
