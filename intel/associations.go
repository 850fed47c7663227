package intel

// An association map shows places as nodes and, between two places, an
// edge when young people or peer groups are shared by both (see
// docs/NETWORKS.md for the exact rules). Peer groups and online spaces,
// which have no position of their own, are placed at the weighted centre
// of the places they reach and marked derived.

// GradeRange is the strongest and weakest grading behind an edge or a
// node's links, as source evaluation and intelligence assessment ("2B"),
// ordered by assessment first (so an E is always weakest), then source.
// Confirmed is true only when every link behind it is confirmed.
type GradeRange struct {
	Strongest string `json:"strongest_grade"`
	Weakest   string `json:"weakest_grade"`
	Confirmed bool   `json:"confirmed"`
	// Dashed is true when any link behind it is unconfirmed or graded E:
	// draw it dashed.
	Dashed bool `json:"dashed"`
	Links  int  `json:"links"`
}

// AssocPlace is a place node of an association map.
type AssocPlace struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	District    *string `json:"district"`
	Sensitive   bool    `json:"sensitive"`
	Generalised bool    `json:"generalised"`
	// YoungPeople is the number of distinct young people with a selected
	// link to the place; null when disclosure control hides it.
	YoungPeople *int `json:"young_people"`
	Suppressed  bool `json:"suppressed,omitempty"`
	Groups      int  `json:"groups"`
	Spaces      int  `json:"spaces"`
	// AdultsOfConcern is set only for roles that may see adults of
	// concern: the distinct adults linked to the place.
	AdultsOfConcern *int `json:"adults_of_concern,omitempty"`
	Degree          int  `json:"degree"` // place–place edges on the map
	GradeRange
	Lon float64 `json:"-"`
	Lat float64 `json:"-"`
	X   float64 `json:"-"` // metric position shown
	Y   float64 `json:"-"`
}

// AssocDerived is a peer group or online space placed at the weighted
// centre of the places it reaches.
type AssocDerived struct {
	ID       int64   `json:"id"`
	Type     string  `json:"type"` // group or space
	Name     string  `json:"name"`
	Platform string  `json:"platform,omitempty"`
	Kind     string  `json:"kind,omitempty"`
	District *string `json:"district,omitempty"`
	Derived  bool    `json:"derived"` // always true: no position of its own
	// YoungPeople reaching it (members, or people present and members of
	// groups present); Places it reaches on the map.
	YoungPeople int     `json:"young_people"`
	Places      int     `json:"places"`
	Lon         float64 `json:"-"`
	Lat         float64 `json:"-"`
}

// AssocEdge joins two nodes of the map. For place–place edges People and
// Groups are the distinct young people and groups the two places share;
// for group–place and space–place edges Weight is the tie's weight.
type AssocEdge struct {
	Type   string `json:"edge_type"` // place-place, group-place, space-place
	Source int64  `json:"source"`
	Target int64  `json:"target"`
	People int    `json:"people"`
	Groups int    `json:"groups"`
	Weight int    `json:"weight,omitempty"`
	GradeRange
}

// AssocMap is a whole association map.
type AssocMap struct {
	Places  []AssocPlace
	Derived []AssocDerived
	Edges   []AssocEdge
	// DroppedEdges counts place–place edges left out by disclosure control.
	DroppedEdges int
}
