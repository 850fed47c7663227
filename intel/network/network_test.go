package network

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	gnetwork "gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

func pairs(ps ...int64) [][2]int64 {
	var out [][2]int64
	for i := 0; i+1 < len(ps); i += 2 {
		out = append(out, [2]int64{ps[i], ps[i+1]})
	}
	return out
}

func idsOf(ps [][2]int64) []int64 {
	var ids []int64
	for _, p := range ps {
		ids = append(ids, p[0], p[1])
	}
	return ids
}

// twoTrianglesAndBridge is 1-2-3 a triangle, 5-6-7 a triangle, and node 4
// joining 3 and 5: the bridge.
var twoTrianglesAndBridge = pairs(1, 2, 2, 3, 1, 3, 3, 4, 4, 5, 5, 6, 6, 7, 5, 7)

func TestGraphAsGonum(t *testing.T) {
	ps := pairs(10, 20, 20, 10, 20, 30, 40, 50, 60, 60)
	g := NewGraph(append(idsOf(ps), 70), ps)
	if g.Len() != 7 || g.EdgeCount() != 3 {
		t.Fatalf("nodes %d edges %d, want 7 and 3 (self-link dropped, parallel links merged)", g.Len(), g.EdgeCount())
	}
	if w, ok := g.Weight(10, 20); !ok || w != 2 {
		t.Errorf("weight 10-20 = %v %v, want 2 (two links)", w, ok)
	}
	if _, ok := g.Weight(10, 30); ok {
		t.Error("10 and 30 are not joined")
	}
	if !g.HasEdgeBetween(30, 20) || g.HasEdgeBetween(60, 60) {
		t.Error("HasEdgeBetween is wrong")
	}
	var nb []int64
	for it := g.From(20); it.Next(); {
		nb = append(nb, it.Node().ID())
	}
	if !slices.Equal(nb, []int64{10, 30}) {
		t.Errorf("From(20) = %v", nb)
	}
	if g.Nodes().Len() != 7 || graph.NodesOf(g.Nodes())[6].ID() != 70 {
		t.Error("Nodes() does not list every node in id order")
	}
}

// TestComponents: worked by hand, {1..7} is one component (the triangles
// joined through 4), {8, 9} another; node 10 has no link and is no network.
func TestComponents(t *testing.T) {
	links := append(slices.Clone(twoTrianglesAndBridge), [2]int64{8, 9})
	var nodes []Node
	for id := int64(1); id <= 10; id++ {
		nodes = append(nodes, Node{ID: id, Type: YoungPerson})
	}
	res := Analyse(nodes, toLinks(links), DefaultOptions)
	var comps []string
	var sizes []int
	for _, nw := range res.Networks {
		if nw.Kind == Component {
			comps = append(comps, nw.ID)
			sizes = append(sizes, len(nw.Members))
		}
	}
	if !slices.Equal(comps, []string{"component-1", "component-8"}) || !slices.Equal(sizes, []int{7, 2}) {
		t.Fatalf("components %v sizes %v, want [component-1 component-8] [7 2]", comps, sizes)
	}
	if res.Nodes != 9 || res.Edges != 9 || res.Links != 9 {
		t.Errorf("nodes %d edges %d links %d, want 9 9 9", res.Nodes, res.Edges, res.Links)
	}
	if empty := Analyse(nodes, nil, DefaultOptions); len(empty.Networks) != 0 || empty.Nodes != 0 {
		t.Errorf("no links: %+v, want no networks", empty)
	}
}

func toLinks(ps [][2]int64) []Link {
	out := make([]Link, len(ps))
	for i, p := range ps {
		d := time.Date(2020, 1, 1+i, 0, 0, 0, 0, time.UTC)
		out[i] = Link{Source: p[0], Target: p[1], FirstSeen: d, LastSeen: d.AddDate(0, 1, 0)}
	}
	return out
}

// TestBetweennessOfBridge: in two triangles joined through node 4, every
// shortest path between {1,2,3} and {5,6,7} passes 4: 3·3 = 9 pairs of the
// (7−1)(7−2)/2 = 15 pairs of other nodes, so 9/15 = 0.6. Node 3 lies on
// the paths from 1 and 2 to 4, 5, 6, 7: 8 pairs, 8/15; node 5 likewise;
// 1, 2, 6, 7 on none.
func TestBetweennessOfBridge(t *testing.T) {
	g := NewGraph(idsOf(twoTrianglesAndBridge), twoTrianglesAndBridge)
	c := Betweenness(g, 100, 0, 1)
	if c.Method != Exact || c.Pivots != 7 {
		t.Errorf("method %s pivots %d, want exact 7", c.Method, c.Pivots)
	}
	want := map[int64]float64{1: 0, 2: 0, 3: 8.0 / 15, 4: 9.0 / 15, 5: 8.0 / 15, 6: 0, 7: 0}
	for id, w := range want {
		if got := c.Values[g.Index(id)]; math.Abs(got-w) > 1e-12 {
			t.Errorf("betweenness of %d = %v, want %v", id, got, w)
		}
	}
	key := KeyMembers(members(g, c), 1)
	if key[0].Node != 4 {
		t.Errorf("key node %d, want the bridge 4", key[0].Node)
	}
}

func members(g *Graph, c Centrality) []Member {
	m := make([]Member, g.Len())
	for i, id := range g.IDs {
		m[i] = Member{Node: id, Degree: g.Degree(i), Betweenness: c.Values[i]}
	}
	return m
}

func randomGraph(seed uint64, n, m int) [][2]int64 {
	r := rand.New(rand.NewPCG(seed, 7))
	var ps [][2]int64
	for range m {
		a, b := r.Int64N(int64(n))+1, r.Int64N(int64(n))+1
		ps = append(ps, [2]int64{a, b})
	}
	return ps
}

// TestBetweennessMatchesGonum: our exact Brandes against gonum's
// network.Betweenness on random graphs (gonum counts each unordered pair
// twice and does not normalise).
func TestBetweennessMatchesGonum(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		ps := randomGraph(seed, 60, 120)
		g := NewGraph(idsOf(ps), ps)
		ours := Betweenness(g, 1000, 0, 1)
		theirs := gnetwork.Betweenness(g)
		n := float64(g.Len())
		norm := (n - 1) * (n - 2)
		for i, id := range g.IDs {
			if w := theirs[id] / norm; math.Abs(ours.Values[i]-w) > 1e-9 {
				t.Fatalf("seed %d node %d: ours %v, gonum %v", seed, id, ours.Values[i], w)
			}
		}
	}
}

// TestBetweennessSampled: with pivots the estimate is labelled sampled,
// equals the exact value when every node is a pivot, and on a graph with
// one clear bridge finds it.
func TestBetweennessSampled(t *testing.T) {
	ps := randomGraph(3, 80, 200)
	g := NewGraph(idsOf(ps), ps)
	exact := Betweenness(g, 1000, 0, 1)
	all := Betweenness(g, 10, g.Len(), 1) // pivots == n: every node a source
	if all.Method != Exact {
		t.Errorf("pivots = n should be exact, got %s", all.Method)
	}
	for i := range exact.Values {
		if math.Abs(exact.Values[i]-all.Values[i]) > 1e-12 {
			t.Fatal("pivots = n differs from exact")
		}
	}
	// Two cliques of 30, {1..30} and {101..130}, whose only tie is node
	// 1000, linked to 1, 2, 3 and 101, 102, 103.
	var bar [][2]int64
	for c := int64(0); c < 2; c++ {
		for i := int64(1); i <= 30; i++ {
			for j := i + 1; j <= 30; j++ {
				bar = append(bar, [2]int64{c*100 + i, c*100 + j})
			}
		}
	}
	for _, j := range []int64{1, 2, 3, 101, 102, 103} {
		bar = append(bar, [2]int64{1000, j})
	}
	bg := NewGraph(idsOf(bar), bar)
	s := Betweenness(bg, 10, 20, 1)
	if s.Method != Sampled || s.Pivots != 20 {
		t.Fatalf("method %s pivots %d, want sampled 20", s.Method, s.Pivots)
	}
	if k := KeyMembers(members(bg, s), 1)[0].Node; k != 1000 {
		t.Errorf("sampled key node %d, want the bridge 1000", k)
	}
	ex := Betweenness(bg, 1000, 0, 1)
	i := bg.Index(1000)
	// Exact: all 30·30 pairs across cross it, of the 60·59/2 pairs of
	// other nodes.
	if w := 900.0 / (60 * 59 / 2); math.Abs(ex.Values[i]-w) > 1e-12 {
		t.Errorf("exact bridge betweenness %v, want %v", ex.Values[i], w)
	}
	if math.Abs(s.Values[i]-ex.Values[i]) > 0.25*ex.Values[i] {
		t.Errorf("sampled bridge betweenness %v far from exact %v", s.Values[i], ex.Values[i])
	}
}

// TestCommunitiesObviousSplit: two 5-cliques joined by one link split
// into the two cliques, as gonum's Louvain also finds.
func TestCommunitiesObviousSplit(t *testing.T) {
	var ps [][2]int64
	for _, base := range []int64{0, 10} {
		for i := int64(1); i <= 5; i++ {
			for j := i + 1; j <= 5; j++ {
				ps = append(ps, [2]int64{base + i, base + j})
			}
		}
	}
	ps = append(ps, [2]int64{5, 11})
	var nodes []Node
	for _, id := range idsOf(ps) {
		if !slices.ContainsFunc(nodes, func(n Node) bool { return n.ID == id }) {
			nodes = append(nodes, Node{ID: id, Type: YoungPerson})
		}
	}
	res := Analyse(nodes, toLinks(ps), DefaultOptions)
	got := map[string][]int64{}
	for _, nw := range res.Networks {
		for _, m := range nw.Members {
			got[nw.ID] = append(got[nw.ID], m.Node)
		}
		if nw.Kind == Community && nw.Component != "component-1" {
			t.Errorf("%s: component %q, want component-1", nw.ID, nw.Component)
		}
	}
	want := map[string][]int64{
		"component-1": {1, 2, 3, 4, 5, 11, 12, 13, 14, 15},
		"community-1": {1, 2, 3, 4, 5}, "community-11": {11, 12, 13, 14, 15},
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("%s = %v, want %v", id, got[id], w)
		}
	}
	if len(got) != 3 {
		t.Errorf("networks %v, want 3", got)
	}
	// Q by hand: m = 21; each clique has 10 inner links and degree sum
	// 21 (20 + the bridge end), so Q = 2·(10/21 − (21/42)²) = 20/21 − 1/2.
	if w := 20.0/21 - 0.5; math.Abs(res.Modularity-w) > 1e-12 {
		t.Errorf("Q = %v, want %v", res.Modularity, w)
	}

	g := NewGraph(idsOf(ps), ps)
	red := community.Modularize(g, 1, rand.NewPCG(1, 1))
	var gonumComms [][]int64
	for _, c := range red.Communities() {
		var ids []int64
		for _, n := range c {
			ids = append(ids, n.ID())
		}
		slices.Sort(ids)
		gonumComms = append(gonumComms, ids)
	}
	slices.SortFunc(gonumComms, func(a, b []int64) int { return int(a[0] - b[0]) })
	if len(gonumComms) != 2 || !slices.Equal(gonumComms[0], want["community-1"]) || !slices.Equal(gonumComms[1], want["community-11"]) {
		t.Errorf("gonum's Louvain found %v", gonumComms)
	}
}

// TestLouvainAgainstGonum: on random graphs with planted groups our
// partition's modularity, measured by gonum's community.Q, equals our own
// Modularity and is no worse than gonum's Louvain by more than 0.02.
func TestLouvainAgainstGonum(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		var ps [][2]int64
		for range 600 {
			a := r.Int64N(200)
			b := a/25*25 + r.Int64N(25) // mostly inside blocks of 25
			if r.IntN(10) == 0 {
				b = r.Int64N(200)
			}
			ps = append(ps, [2]int64{a + 1, b + 1})
		}
		g := NewGraph(idsOf(ps), ps)
		ours := Louvain(g, 1, 1)
		var cs [][]graph.Node
		for i, c := range ours {
			for len(cs) <= c {
				cs = append(cs, nil)
			}
			cs[c] = append(cs[c], simple.Node(g.IDs[i]))
		}
		qOurs := community.Q(g, cs, 1)
		if q := Modularity(g, ours, 1); math.Abs(q-qOurs) > 1e-9 {
			t.Fatalf("seed %d: our Q %v, gonum's Q of our partition %v", seed, q, qOurs)
		}
		qGonum := community.Q(g, community.Modularize(g, 1, rand.NewPCG(seed, 1)).Communities(), 1)
		if qOurs < qGonum-0.02 {
			t.Errorf("seed %d: our Q %v, gonum's Louvain %v", seed, qOurs, qGonum)
		}
		if again := Louvain(g, 1, 1); !slices.Equal(again, ours) {
			t.Errorf("seed %d: not deterministic", seed)
		}
		// Every community is connected inside one component.
		for _, c := range cs {
			ids := make([]int, len(c))
			for k, n := range c {
				ids[k] = g.Index(n.ID())
			}
			if cc := topo.ConnectedComponents(g.Induced(ids)); len(cc) != 1 && len(c) > 1 {
				t.Errorf("seed %d: a community of %d nodes is in %d pieces", seed, len(c), len(cc))
			}
		}
	}
}

// TestAnalyseSummaries: counts by type (victims and adults apart),
// districts, link counts and dates of a small hand-drawn network: young
// people 1 and 2 frequent place 10 (Carlisle) and adult 3 is linked to it;
// group 20 (Eden) has member 2.
func TestAnalyseSummaries(t *testing.T) {
	nodes := []Node{{1, YoungPerson, "C"}, {2, YoungPerson, "C"}, {3, AdultOfConcern, "K"}, {10, Place, "C"},
		{20, Group, "E"}, {99, Place, "X"}}
	d := func(m int) time.Time { return time.Date(2021, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	links := []Link{{1, 10, d(1), d(2)}, {2, 10, d(3), d(5)}, {3, 10, d(2), d(9)}, {2, 20, d(4), d(4)}, {1, 10, d(6), d(7)}}
	res := Analyse(nodes, links, DefaultOptions)
	var comp *Network
	for k := range res.Networks {
		if res.Networks[k].Kind == Component {
			comp = &res.Networks[k]
		}
	}
	if comp == nil || comp.ID != "component-1" {
		t.Fatalf("networks %+v", res.Networks)
	}
	wantCount := map[string]int{YoungPerson: 2, AdultOfConcern: 1, Place: 1, Group: 1}
	for k, v := range wantCount {
		if comp.Count[k] != v {
			t.Errorf("count %s = %d, want %d", k, comp.Count[k], v)
		}
	}
	if !slices.Equal(comp.Districts, []string{"C", "E", "K"}) {
		t.Errorf("districts %v", comp.Districts)
	}
	if comp.Links != 5 || comp.Edges != 4 || !comp.FirstSeen.Equal(d(1)) || !comp.LastSeen.Equal(d(9)) {
		t.Errorf("links %d edges %d first %v last %v", comp.Links, comp.Edges, comp.FirstSeen, comp.LastSeen)
	}
	// Place 10 joins 1, 2 and 3: it is the key node; its degree is 3.
	k := KeyMembers(comp.Members, 1)[0]
	if k.Node != 10 || k.Degree != 3 {
		t.Errorf("key member %+v, want place 10 of degree 3", k)
	}
}
