package network

import (
	"cmp"
	"slices"
	"time"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
)

// Node types of the network graph. Young people (victims) and adults of
// concern are different types everywhere: never merged, never counted
// together.
const (
	YoungPerson    = "young_person"
	AdultOfConcern = "adult_of_concern"
	Place          = "place"
	Group          = "group"
	Space          = "space"
)

// NodeTypes lists the node types in the order outputs count them.
var NodeTypes = []string{YoungPerson, AdultOfConcern, Place, Group, Space}

// Node is a node of the graph as loaded: its id (the database's node id),
// type and district ("" when it has none).
type Node struct {
	ID       int64
	Type     string
	District string
}

// Link is one link of the basis (see doc.go): two node ids and the dates
// it was first and last seen.
type Link struct {
	Source, Target      int64
	FirstSeen, LastSeen time.Time
}

// Graph is an undirected, weighted graph in compressed sparse row form:
// node i (0..n-1) has id IDs[i] (ascending) and neighbours
// adj[off[i]:off[i+1]] (ascending) with edge weights w[...] (the number of
// links joining the two nodes). It implements gonum's graph.Undirected and
// graph.Weighted, so gonum's algorithms run on it directly, with node ids
// the database's.
type Graph struct {
	IDs   []int64
	index map[int64]int32
	off   []int32
	adj   []int32
	w     []float64
}

// NewGraph builds a graph of the given node ids (any order, duplicates
// ignored) and links; links whose ends are not both among ids, or join a
// node to itself, are ignored. Parallel links add up to the edge's weight.
func NewGraph(ids []int64, links [][2]int64) *Graph {
	g := &Graph{IDs: slices.Clone(ids)}
	slices.Sort(g.IDs)
	g.IDs = slices.Compact(g.IDs)
	g.index = make(map[int64]int32, len(g.IDs))
	for i, id := range g.IDs {
		g.index[id] = int32(i)
	}
	type half struct{ from, to int32 }
	hs := make([]half, 0, 2*len(links))
	for _, l := range links {
		a, ok1 := g.index[l[0]]
		b, ok2 := g.index[l[1]]
		if !ok1 || !ok2 || a == b {
			continue
		}
		hs = append(hs, half{a, b}, half{b, a})
	}
	slices.SortFunc(hs, func(x, y half) int {
		return cmp.Or(cmp.Compare(x.from, y.from), cmp.Compare(x.to, y.to))
	})
	n := len(g.IDs)
	g.off = make([]int32, n+1)
	g.adj = make([]int32, 0, len(hs))
	g.w = make([]float64, 0, len(hs))
	for k := 0; k < len(hs); {
		j := k
		for j < len(hs) && hs[j] == hs[k] {
			j++
		}
		g.adj = append(g.adj, hs[k].to)
		g.w = append(g.w, float64(j-k))
		g.off[hs[k].from+1]++
		k = j
	}
	for i := 0; i < n; i++ {
		g.off[i+1] += g.off[i]
	}
	return g
}

// Len is the number of nodes.
func (g *Graph) Len() int { return len(g.IDs) }

// EdgeCount is the number of edges (pairs of nodes joined by a link).
func (g *Graph) EdgeCount() int { return len(g.adj) / 2 }

// Index returns the index of node id, or -1.
func (g *Graph) Index(id int64) int {
	if i, ok := g.index[id]; ok {
		return int(i)
	}
	return -1
}

// Degree is the number of distinct neighbours of node index i.
func (g *Graph) Degree(i int) int { return int(g.off[i+1] - g.off[i]) }

// Neighbours returns the neighbour indexes of node index i (shared; do not
// modify).
func (g *Graph) Neighbours(i int) []int32 { return g.adj[g.off[i]:g.off[i+1]] }

// Induced returns the subgraph induced by the given node indexes of g.
func (g *Graph) Induced(members []int) *Graph {
	ids := make([]int64, len(members))
	in := make(map[int32]bool, len(members))
	for k, i := range members {
		ids[k] = g.IDs[i]
		in[int32(i)] = true
	}
	var links [][2]int64
	for _, i := range members {
		for e := g.off[i]; e < g.off[i+1]; e++ {
			j := g.adj[e]
			if int32(i) < j && in[j] {
				for range int(g.w[e]) {
					links = append(links, [2]int64{g.IDs[i], g.IDs[j]})
				}
			}
		}
	}
	return NewGraph(ids, links)
}

// gonum's graph.Undirected and graph.Weighted.

var (
	_ graph.Undirected = (*Graph)(nil)
	_ graph.Weighted   = (*Graph)(nil)
)

// Node returns the node with the given id, or nil.
func (g *Graph) Node(id int64) graph.Node {
	if _, ok := g.index[id]; !ok {
		return nil
	}
	return simple.Node(id)
}

// Nodes returns all nodes in ascending id order.
func (g *Graph) Nodes() graph.Nodes { return &nodeIter{g: g, list: nil, n: len(g.IDs), pos: -1} }

// From returns the neighbours of id in ascending id order.
func (g *Graph) From(id int64) graph.Nodes {
	i, ok := g.index[id]
	if !ok {
		return graph.Empty
	}
	return &nodeIter{g: g, list: g.Neighbours(int(i)), n: g.Degree(int(i)), pos: -1}
}

// HasEdgeBetween reports whether x and y are joined.
func (g *Graph) HasEdgeBetween(xid, yid int64) bool {
	_, ok := g.Weight(xid, yid)
	return ok && xid != yid
}

// Edge returns the edge from u to v, or nil.
func (g *Graph) Edge(uid, vid int64) graph.Edge { return g.WeightedEdge(uid, vid) }

// EdgeBetween returns the edge between x and y, or nil.
func (g *Graph) EdgeBetween(xid, yid int64) graph.Edge { return g.WeightedEdge(xid, yid) }

// WeightedEdge returns the weighted edge from u to v, or nil.
func (g *Graph) WeightedEdge(uid, vid int64) graph.WeightedEdge {
	w, ok := g.Weight(uid, vid)
	if !ok || uid == vid {
		return nil
	}
	return simple.WeightedEdge{F: simple.Node(uid), T: simple.Node(vid), W: w}
}

// WeightedEdgeBetween returns the weighted edge between x and y, or nil.
func (g *Graph) WeightedEdgeBetween(xid, yid int64) graph.WeightedEdge {
	return g.WeightedEdge(xid, yid)
}

// Weight returns the weight of the edge x–y: the number of links; 0 and
// true for x == y (no self-loops), 0 and false when not joined.
func (g *Graph) Weight(xid, yid int64) (float64, bool) {
	i, ok1 := g.index[xid]
	j, ok2 := g.index[yid]
	if !ok1 || !ok2 {
		return 0, false
	}
	if i == j {
		return 0, true
	}
	nb := g.Neighbours(int(i))
	if k, ok := slices.BinarySearch(nb, j); ok {
		return g.w[int(g.off[i])+k], true
	}
	return 0, false
}

// nodeIter walks all nodes (list nil) or a neighbour list.
type nodeIter struct {
	g    *Graph
	list []int32
	n    int
	pos  int
}

func (it *nodeIter) Next() bool {
	if it.pos+1 >= it.n {
		it.pos = it.n
		return false
	}
	it.pos++
	return true
}

func (it *nodeIter) Node() graph.Node {
	if it.pos < 0 || it.pos >= it.n {
		return nil
	}
	if it.list == nil {
		return simple.Node(it.g.IDs[it.pos])
	}
	return simple.Node(it.g.IDs[it.list[it.pos]])
}

func (it *nodeIter) Len() int {
	if it.pos >= it.n {
		return 0
	}
	return it.n - it.pos - 1
}

func (it *nodeIter) Reset() { it.pos = -1 }
