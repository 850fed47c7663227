package network

import (
	"math/rand/v2"
	"testing"
	"time"
)

// townGraph is a synthetic graph of the national scale's shape: people in
// towns of 300, each town with 30 places and 15 groups; a link is to a
// place of the person's town (two in three), a group of it (one in three),
// or, one in fifty, a place anywhere.
func townGraph(people, links int) ([]Node, []Link) {
	r := rand.New(rand.NewPCG(1, 2))
	places, groups := people/10, people/20
	var nodes []Node
	for i := range people + places + groups {
		t := YoungPerson
		switch {
		case i >= people+places:
			t = Group
		case i >= people:
			t = Place
		case i%50 == 0:
			t = AdultOfConcern
		}
		nodes = append(nodes, Node{ID: int64(i + 1), Type: t, District: "D" + string(rune('A'+i%26))})
	}
	d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ls := make([]Link, 0, links)
	for range links {
		p := r.IntN(people)
		town := p / 300
		var t int
		if r.IntN(3) == 0 {
			t = people + places + (town*15+r.IntN(15))%groups
		} else {
			t = people + (town*30+r.IntN(30))%places
		}
		if r.IntN(50) == 0 {
			t = people + r.IntN(places)
		}
		ls = append(ls, Link{Source: int64(p + 1), Target: int64(t + 1), FirstSeen: d, LastSeen: d})
	}
	return nodes, ls
}

// BenchmarkAnalyseNational: go test -run X -bench AnalyseNational -benchtime 1x ./intel/network/
func BenchmarkAnalyseNational(b *testing.B) {
	nodes, links := townGraph(100_000, 1_000_000)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		res := Analyse(nodes, links, DefaultOptions)
		b.Logf("nodes %d edges %d networks %d Q %.3f in %v", res.Nodes, res.Edges, len(res.Networks), res.Modularity, time.Since(start))
	}
}

// BenchmarkLouvainTowns: our Louvain alone on the town graph (gonum's
// community.Modularize on the same graph: see docs/BENCHMARKS.md).
func BenchmarkLouvainTowns(b *testing.B) {
	nodes, links := townGraph(100_000, 1_000_000)
	ids := make([]int64, 0, len(nodes))
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	pairs := make([][2]int64, len(links))
	for i, l := range links {
		pairs[i] = [2]int64{l.Source, l.Target}
	}
	g := NewGraph(ids, pairs)
	b.ResetTimer()
	for range b.N {
		comm := Louvain(g, 1, 1)
		b.ReportMetric(Modularity(g, comm, 1), "Q")
	}
}
