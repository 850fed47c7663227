package network

import (
	"math/rand/v2"
)

// Betweenness methods, as reported with every network.
const (
	Exact   = "exact"
	Sampled = "sampled"
)

// Centrality is the betweenness of every node of a graph and how it was
// found.
type Centrality struct {
	// Values holds, per node index, the betweenness normalised to [0, 1]:
	// the share of shortest paths between pairs of other nodes that pass
	// through the node, summed over pairs and divided by the number of
	// pairs, (n−1)(n−2)/2. Edge weights are ignored: a path's length is its
	// number of edges.
	Values []float64
	// Method is Exact (every node a source) or Sampled.
	Method string
	// Pivots is the number of source nodes used (n when exact).
	Pivots int
}

// Betweenness computes the betweenness centrality of g by Brandes'
// algorithm (2001) on unweighted shortest paths. With n ≤ exactLimit
// every node is a source and the result is exact; otherwise pivots sources
// are drawn without replacement (seeded) and the sums scaled by n/pivots,
// the unbiased pivot estimator of Brandes and Pich (2007). The exact
// result matches gonum's network.Betweenness (halved: gonum counts each
// unordered pair once from each end), which the tests check.
func Betweenness(g *Graph, exactLimit, pivots int, seed uint64) Centrality {
	n := g.Len()
	c := Centrality{Values: make([]float64, n), Method: Exact, Pivots: n}
	if n < 3 {
		return c
	}
	sources := make([]int, n)
	for i := range sources {
		sources[i] = i
	}
	scale := 0.5 // each unordered pair is met from both ends
	if n > exactLimit && pivots > 0 && pivots < n {
		rng := rand.New(rand.NewPCG(seed, 0x6265747765656e))
		rng.Shuffle(n, func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
		sources = sources[:pivots]
		c.Method, c.Pivots = Sampled, pivots
		scale *= float64(n) / float64(pivots)
	}
	b := newBrandes(n)
	for _, s := range sources {
		b.from(g, s, c.Values)
	}
	norm := scale / (float64(n-1) * float64(n-2) / 2)
	for i := range c.Values {
		c.Values[i] *= norm
	}
	return c
}

// brandes holds the work arrays of single-source passes.
type brandes struct {
	sigma []float64
	dist  []int32
	delta []float64
	stack []int32
	queue []int32
}

func newBrandes(n int) *brandes {
	b := &brandes{sigma: make([]float64, n), dist: make([]int32, n), delta: make([]float64, n),
		stack: make([]int32, 0, n), queue: make([]int32, 0, n)}
	for i := range b.dist {
		b.dist[i] = -1
	}
	return b
}

// from adds to acc the dependencies of every node on source s.
func (b *brandes) from(g *Graph, s int, acc []float64) {
	b.stack, b.queue = b.stack[:0], b.queue[:0]
	b.sigma[s], b.dist[s] = 1, 0
	b.queue = append(b.queue, int32(s))
	for h := 0; h < len(b.queue); h++ {
		v := b.queue[h]
		b.stack = append(b.stack, v)
		dv := b.dist[v]
		for _, w := range g.Neighbours(int(v)) {
			if b.dist[w] < 0 {
				b.dist[w] = dv + 1
				b.queue = append(b.queue, w)
			}
			if b.dist[w] == dv+1 {
				b.sigma[w] += b.sigma[v]
			}
		}
	}
	// Walk back in order of non-increasing distance; a node's predecessors
	// are its neighbours one step nearer the source.
	for k := len(b.stack) - 1; k >= 0; k-- {
		w := b.stack[k]
		dw := b.dist[w]
		coeff := (1 + b.delta[w]) / b.sigma[w]
		for _, v := range g.Neighbours(int(w)) {
			if b.dist[v] == dw-1 {
				b.delta[v] += b.sigma[v] * coeff
			}
		}
		if int(w) != s {
			acc[w] += b.delta[w]
		}
	}
	for _, v := range b.stack {
		b.sigma[v], b.dist[v], b.delta[v] = 0, -1, 0
	}
}
