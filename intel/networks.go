package intel

import (
	"encoding/json"
	"time"
)

// Freshness says which computation of the networks an answer comes from.
type Freshness struct {
	// ComputedAt is when the graph was read; nil before the first run.
	ComputedAt *time.Time `json:"computed_at"`
	// Stale is true when the graph changed after it was read, when review
	// dates have moved on a day since, or when there is no run yet.
	Stale bool `json:"stale"`
	// AsOf is the day review dates were judged on.
	AsOf *Date `json:"as_of,omitempty"`
	// LinksUpdatedAt is the latest change time of a link the run saw.
	LinksUpdatedAt *time.Time      `json:"links_updated_at,omitempty"`
	Method         json.RawMessage `json:"method,omitempty"`
}

// NetworkSize counts a network's members by type. A count hidden by
// disclosure control is null and named in Suppressed; Total is then null.
type NetworkSize struct {
	Total           *int     `json:"total"`
	YoungPeople     *int     `json:"young_people"`
	AdultsOfConcern *int     `json:"adults_of_concern"`
	Places          int      `json:"places"`
	Groups          int      `json:"groups"`
	Spaces          int      `json:"spaces"`
	Suppressed      []string `json:"suppressed,omitempty"`
}

// Network is a connected component or a community of the graph.
type Network struct {
	ID          string      `json:"id"`
	Kind        string      `json:"kind"`
	Component   *string     `json:"component,omitempty"`
	Size        NetworkSize `json:"size"`
	Districts   []string    `json:"districts"`
	CrossBorder bool        `json:"cross_border"`
	Edges       int         `json:"edges"`
	Links       int         `json:"links"`
	FirstSeen   Date        `json:"first_seen"`
	LastSeen    Date        `json:"last_seen"`
	// Betweenness is "exact" or "sampled" (from Pivots source nodes).
	Betweenness string `json:"betweenness"`
	Pivots      int    `json:"betweenness_pivots"`

	// Detail only.
	Places      []NetworkNode `json:"places,omitempty"`
	Groups      []NetworkNode `json:"groups,omitempty"`
	Spaces      []NetworkNode `json:"spaces,omitempty"`
	KeyNodes    []NetworkNode `json:"key_nodes,omitempty"`
	Communities []string      `json:"communities,omitempty"`
	// ListsTruncated: places, groups or spaces list only the 500 most
	// central of a larger network.
	ListsTruncated bool `json:"lists_truncated,omitempty"`
}

// NetworkNode is a member of a network with its centrality in it. A
// member the caller may not identify is Hidden: type and metrics only.
type NetworkNode struct {
	ID          *int64  `json:"id,omitempty"`
	Type        string  `json:"type"`
	Label       string  `json:"label,omitempty"`
	Kind        string  `json:"kind,omitempty"` // place kind or space platform
	District    *string `json:"district,omitempty"`
	Generalised bool    `json:"generalised,omitempty"`
	Hidden      bool    `json:"hidden,omitempty"`
	Degree      int     `json:"degree"`
	Betweenness float64 `json:"betweenness"`
}

// NetworkList is a page of networks with the run they come from.
type NetworkList struct {
	Freshness
	Items []Network `json:"items"`
	// Withheld counts networks left out by disclosure control (fewer young
	// people than the threshold).
	Withheld int `json:"withheld,omitempty"`
}

// CyNode and CyEdge are Cytoscape.js elements ({"data": {...}}).
type CyNode struct {
	Data CyNodeData `json:"data"`
}

// CyNodeData is a link-chart node.
type CyNodeData struct {
	ID          string  `json:"id"` // "n" + node id
	NodeID      int64   `json:"node_id"`
	Type        string  `json:"type"`
	Label       string  `json:"label"`
	Kind        string  `json:"kind,omitempty"`
	District    *string `json:"district,omitempty"`
	Generalised bool    `json:"generalised,omitempty"`
	Degree      int     `json:"degree"`
	Betweenness float64 `json:"betweenness"`
	Key         bool    `json:"key"`
}

// CyEdge is a link-chart edge: one link.
type CyEdge struct {
	Data CyEdgeData `json:"data"`
}

// CyEdgeData is one link between two members. Dashed is true when the
// link is unconfirmed or graded E, so a chart can draw it dashed.
type CyEdgeData struct {
	ID        string `json:"id"` // "l" + link id
	LinkID    int64  `json:"link_id"`
	Source    string `json:"source"`
	Target    string `json:"target"`
	Kind      string `json:"kind"`
	Grade     Grade  `json:"grade"`
	Confirmed bool   `json:"confirmed"`
	Dashed    bool   `json:"dashed"`
	ReviewDue bool   `json:"review_due"`
	FirstSeen Date   `json:"first_seen"`
	LastSeen  Date   `json:"last_seen"`
}

// NetworkGraph is a network as Cytoscape.js elements.
type NetworkGraph struct {
	Freshness
	ID          string `json:"id"`
	Betweenness string `json:"betweenness"`
	Pivots      int    `json:"betweenness_pivots"`
	Elements    struct {
		Nodes []CyNode `json:"nodes"`
		Edges []CyEdge `json:"edges"`
	} `json:"elements"`
	// Hidden counts members the caller may not see, by type.
	Hidden map[string]int `json:"hidden"`
}
