// Package network finds and describes the networks of the intelligence
// graph: who and what is connected to whom, and which nodes hold a network
// together. It is pure computation on gonum's graph interfaces (no
// database), and is tested without one.
//
// # The graph
//
// Nodes are young people, adults of concern, places, peer groups and
// online spaces, each with its own type: victims and adults of concern
// are never one type. Edges join two nodes that at least one link of the
// basis joins (any link kind, direction ignored); an edge's weight is the
// number of such links. The basis, chosen by the store, is every link in
// force (review date not passed on the day of the run) that is not graded
// E (suspected false or malicious): an E-graded link never puts a child in
// a network. Nodes without a link of the basis are in no network.
//
// # Networks
//
// A component is a connected component (gonum's topo.ConnectedComponents).
// A community is a Louvain community (Louvain, resolution γ and seed from
// Options), which always lies inside one component. Each has at least two
// nodes. Its id is its kind and its smallest node id, "component-123" or
// "community-123": stable across recomputation as long as that node stays
// in it.
//
// # Centrality
//
// Degree is the number of distinct neighbours inside the network.
// Betweenness is computed inside the network by Brandes' algorithm on
// unweighted shortest paths, normalised by the (n−1)(n−2)/2 pairs of other
// nodes: exact for networks of up to Options.ExactLimit nodes, otherwise
// estimated from Options.Pivots seeded source nodes (Brandes and Pich's
// pivot sampling), and every network says which.
//
// # Freshness
//
// Refresher recomputes in the background when the store reports that the
// graph changed since the last run, and on a new day (review dates pass).
package network
