package network

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/gonum/graph/topo"
)

// Network kinds.
const (
	Component = "component"
	Community = "community"
)

// Options are the method's settings, stored with every run.
type Options struct {
	// Resolution is Louvain's γ: above 1 gives smaller communities.
	Resolution float64 `json:"resolution"`
	// Seed fixes Louvain's node order and the betweenness pivots.
	Seed uint64 `json:"seed"`
	// ExactLimit is the largest network whose betweenness is exact.
	ExactLimit int `json:"exact_limit"`
	// Pivots is the number of sources sampled above ExactLimit.
	Pivots int `json:"pivots"`
}

// DefaultOptions are what the service runs with.
var DefaultOptions = Options{Resolution: 1, Seed: 1, ExactLimit: 2000, Pivots: 200}

// Network is a connected component or a Louvain community of the graph.
type Network struct {
	// ID is stable across recomputation: the kind and the smallest node id
	// among the members ("component-123", "community-123"), so a network
	// keeps its id as long as its smallest member stays in it.
	ID        string
	Kind      string
	Anchor    int64  // the smallest member id
	Component string // for a community, the id of its component
	Members   []Member
	Count     map[string]int // members by node type
	Districts []string       // the districts of its members, sorted
	Edges     int            // pairs of members joined by a link
	Links     int            // links between members
	FirstSeen time.Time      // the earliest first_seen of those links
	LastSeen  time.Time      // the latest last_seen of those links
	// Betweenness is Exact or Sampled, with the number of pivots.
	Betweenness string
	Pivots      int
}

// Member is a node of a network with its centrality inside the network.
type Member struct {
	Node        int64
	Type        string
	Degree      int     // distinct neighbours inside the network
	Betweenness float64 // normalised, inside the network
}

// Result is one analysis of the whole graph.
type Result struct {
	Networks   []Network
	Nodes      int     // nodes with at least one link of the basis
	Edges      int     // distinct pairs joined
	Links      int     // links of the basis
	Modularity float64 // Q of the community partition
	Options    Options
}

// Analyse finds the networks of the graph: connected components (gonum's
// topo.ConnectedComponents) and Louvain communities, each of at least two
// nodes, with degree and betweenness of every member inside its network.
// Links whose ends are not among nodes are ignored, as are nodes without a
// link.
func Analyse(nodes []Node, links []Link, opt Options) Result {
	byID := make(map[int64]Node, len(nodes))
	for _, n := range nodes {
		byID[n.ID] = n
	}
	var ids []int64
	pairs := make([][2]int64, 0, len(links))
	kept := links[:0:0]
	for _, l := range links {
		_, ok1 := byID[l.Source]
		_, ok2 := byID[l.Target]
		if !ok1 || !ok2 || l.Source == l.Target {
			continue
		}
		ids = append(ids, l.Source, l.Target)
		pairs = append(pairs, [2]int64{l.Source, l.Target})
		kept = append(kept, l)
	}
	g := NewGraph(ids, pairs)
	res := Result{Nodes: g.Len(), Edges: g.EdgeCount(), Links: len(kept), Options: opt}

	// Components, by gonum.
	compOf := make([]int, g.Len())
	var comps [][]int
	for _, cc := range topo.ConnectedComponents(g) {
		m := make([]int, len(cc))
		for k, n := range cc {
			m[k] = g.Index(n.ID())
		}
		slices.Sort(m)
		for _, i := range m {
			compOf[i] = len(comps)
		}
		comps = append(comps, m)
	}
	// Communities: Louvain never joins nodes that no link joins, so each
	// community lies inside one component.
	commOf := Louvain(g, opt.Resolution, opt.Seed)
	res.Modularity = Modularity(g, commOf, opt.Resolution)
	var comms [][]int
	for i, c := range commOf {
		for len(comms) <= c {
			comms = append(comms, nil)
		}
		comms[c] = append(comms[c], i)
	}

	compIDs := make([]string, len(comps))
	compNet := make([]int, len(comps)) // index into res.Networks, or -1
	for k, m := range comps {
		compIDs[k] = Component + "-" + strconv.FormatInt(g.IDs[m[0]], 10)
		compNet[k] = -1
		if len(m) >= 2 {
			compNet[k] = len(res.Networks)
			res.Networks = append(res.Networks, build(g, byID, m, Component, "", opt))
		}
	}
	commNet := make([]int, len(comms))
	for c, m := range comms {
		commNet[c] = -1
		if len(m) >= 2 {
			commNet[c] = len(res.Networks)
			res.Networks = append(res.Networks, build(g, byID, m, Community, compIDs[compOf[m[0]]], opt))
		}
	}

	// Dates and link counts from the links themselves.
	for _, l := range kept {
		a, b := g.Index(l.Source), g.Index(l.Target)
		nets := []int{compNet[compOf[a]], -1}
		if commOf[a] == commOf[b] {
			nets[1] = commNet[commOf[a]]
		}
		for _, k := range nets {
			if k < 0 {
				continue
			}
			nw := &res.Networks[k]
			nw.Links++
			if nw.FirstSeen.IsZero() || l.FirstSeen.Before(nw.FirstSeen) {
				nw.FirstSeen = l.FirstSeen
			}
			if l.LastSeen.After(nw.LastSeen) {
				nw.LastSeen = l.LastSeen
			}
		}
	}
	return res
}

// build makes the network of the given member indexes of g.
func build(g *Graph, byID map[int64]Node, members []int, kind, component string, opt Options) Network {
	sub := g.Induced(members)
	bc := Betweenness(sub, opt.ExactLimit, opt.Pivots, opt.Seed)
	nw := Network{Kind: kind, Anchor: sub.IDs[0], Component: component, Count: map[string]int{},
		Edges: sub.EdgeCount(), Betweenness: bc.Method, Pivots: bc.Pivots}
	nw.ID = kind + "-" + strconv.FormatInt(nw.Anchor, 10)
	districts := map[string]bool{}
	nw.Members = make([]Member, sub.Len())
	for i, id := range sub.IDs {
		n := byID[id]
		nw.Members[i] = Member{Node: id, Type: n.Type, Degree: sub.Degree(i), Betweenness: bc.Values[i]}
		nw.Count[n.Type]++
		if n.District != "" {
			districts[n.District] = true
		}
	}
	for d := range districts {
		nw.Districts = append(nw.Districts, d)
	}
	slices.Sort(nw.Districts)
	return nw
}

// KeyMembers returns up to k members ranked by betweenness, then degree,
// then id: the nodes whose removal would most cut the network apart.
func KeyMembers(members []Member, k int) []Member {
	out := slices.Clone(members)
	slices.SortFunc(out, func(a, b Member) int {
		return cmp.Or(cmp.Compare(b.Betweenness, a.Betweenness), cmp.Compare(b.Degree, a.Degree), cmp.Compare(a.Node, b.Node))
	})
	return out[:min(k, len(out))]
}
