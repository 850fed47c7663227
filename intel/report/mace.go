package report

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// MACEFigure is one figure of the district's Current Picture column with
// its value a month before.
type MACEFigure struct {
	Code     string `json:"code"`
	Label    string `json:"label"`
	Block    string `json:"block"`
	Value    Figure `json:"value"`
	Previous Figure `json:"previous"`
	// Change is Value - Previous (percentage points for a percentage),
	// suppressed unless both are shown.
	Change Figure `json:"change"`
}

// UnmarshalJSON reads a figure, as percentages in a percentage row.
func (f *MACEFigure) UnmarshalJSON(b []byte) error {
	type plain MACEFigure
	if err := json.Unmarshal(b, (*plain)(f)); err != nil {
		return err
	}
	f.Change.Signed = true
	if f.Code == RowUpToDatePercent {
		for _, v := range []*Figure{&f.Value, &f.Previous, &f.Change} {
			v.IsPercent, v.Count = true, 0
		}
	}
	return nil
}

// MACEPlace is a top place with why it stands out.
type MACEPlace struct {
	Place          intel.NodeRef  `json:"place"`
	Events         int            `json:"events"`
	EventsByKind   map[string]int `json:"events_by_kind"`
	YoungPeople    Figure         `json:"young_people"`
	LastActivity   *time.Time     `json:"last_activity,omitempty"`
	Links          int            `json:"links"`
	ConfirmedLinks int            `json:"confirmed_links"`
	Grades         map[string]int `json:"grades"`
}

// MACENetwork is a network reaching the district.
type MACENetwork struct {
	Name            string          `json:"name"` // "Network 1" ...
	YoungPeople     Figure          `json:"young_people"`
	Places          int             `json:"places"`
	Groups          int             `json:"groups"`
	Spaces          int             `json:"spaces"`
	Links           int             `json:"links"`
	Districts       []string        `json:"districts"`
	Contexts        []intel.NodeRef `json:"contexts"`
	AdultsOfConcern *int            `json:"adults_of_concern,omitempty"`
}

// MACEList is a count with, for roles that may read people, the items.
type MACEList[T any] struct {
	Count Figure `json:"count"`
	Items []T    `json:"items,omitempty"`
	// Listed is false for readers who get the count only.
	Listed bool `json:"listed"`
}

// MACEPack is the agenda of a MACE meeting for a district (or the area).
type MACEPack struct {
	Report            string                         `json:"report"`
	AsOf              intel.Date                     `json:"as_of"`
	Previous          intel.Date                     `json:"previous"`
	GeneratedAt       time.Time                      `json:"generated_at"`
	Area              string                         `json:"area"`
	Column            Column                         `json:"district"`
	Picture           []MACEFigure                   `json:"current_picture"`
	TopPlaces         []MACEPlace                    `json:"top_places"`
	Networks          []MACENetwork                  `json:"networks"`
	NetworksSource    string                         `json:"networks_source"`
	OverdueAssessment MACEList[intel.OverdueChild]   `json:"overdue_risk_assessments"`
	OutstandingRHI    MACEList[intel.OutstandingRHI] `json:"outstanding_return_home_interviews"`
	LinksDue          MACEList[intel.LinkDue]        `json:"links_due_for_review"`
	Disclosure        Disclosure                     `json:"disclosure"`
	Definitions       []string                       `json:"definitions"`
	// Labels are the districts' column labels by code, for printing.
	Labels map[string]string `json:"-"`
}

// MACEInput is what a pack is built from.
type MACEInput struct {
	Area     intel.ReportArea
	Counts   []intel.PictureCount // on as_of and a month before
	Places   []intel.PlaceActivity
	Networks []intel.MaceNetwork
	// The lists, with the numbers in the district whatever the reader's
	// scope; the items only for readers who may see them.
	Overdue          []intel.OverdueChild
	RHIs             []intel.OutstandingRHI
	RHICount         int
	LinksDue         []intel.LinkDue
	LinksDueCount    int
	PersonLevel      bool // the reader may see the lists' items
	GroupsAndSpaces  bool // the reader may see peer groups' and online spaces' names
	NetworksStandsIn bool
}

// PersonIDs are the people a pack shows, for the audit.
func (p *MACEPack) PersonIDs() []int64 {
	var ids []int64
	for _, c := range p.OverdueAssessment.Items {
		ids = append(ids, c.PersonID)
	}
	for _, r := range p.OutstandingRHI.Items {
		for _, c := range r.Children {
			ids = append(ids, c.ID)
		}
	}
	for _, l := range p.LinksDue.Items {
		for _, n := range []intel.NodeRef{l.Source, l.Target} {
			if n.Type == intel.NodePerson {
				ids = append(ids, n.ID)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// BuildMACE makes the pack of a district ("" the whole area) on asOf.
func BuildMACE(in MACEInput, district string, asOf intel.Date, v View, now time.Time) (*MACEPack, error) {
	prev := asOf.AddMonths(-1)
	cur, err := BuildPicture(in.Area, in.Counts, asOf, v, now)
	if err != nil {
		return nil, err
	}
	before, err := BuildPicture(in.Area, in.Counts, prev, v, now)
	if err != nil {
		return nil, err
	}
	cols, _ := printedColumns(in.Area, v, district)
	col := cols[0]
	exact := col.Exact
	pk := &MACEPack{Report: "mace", AsOf: asOf, Previous: prev, GeneratedAt: now.UTC().Truncate(time.Second), Area: AreaLabel(in.Area),
		Column: col, Disclosure: disclosureOf(v, nil), Definitions: append(append([]string{}, MACEDefinitions...), PictureDefinitions...),
		TopPlaces: []MACEPlace{}, Networks: []MACENetwork{}, Labels: map[string]string{}}
	for _, d := range in.Area.Districts {
		pk.Labels[d.Code] = DistrictLabel(d)
	}
	if in.NetworksStandsIn {
		pk.NetworksSource = "links (a stand-in computed per request until stored networks exist)"
	}
	c, pc := cur.Column(col.Code), before.Column(col.Code)
	for _, code := range pictureRowCodes() {
		r, rb := cur.Row(code), before.Row(code)
		if r == nil && rb == nil {
			continue
		}
		f := MACEFigure{Code: code, Label: RowLabels[code]}
		if r != nil {
			f.Block, f.Value = r.Block, r.Values[c]
		} else {
			f.Block = rb.Block
		}
		if rb != nil {
			f.Previous = rb.Values[pc]
		}
		f.Change = change(f.Value, f.Previous)
		pk.Picture = append(pk.Picture, f)
	}
	small := func(n int) Figure { return Figure{Count: n, Suppressed: !exact && v.Rule.Suppressed(n)} }
	for _, p := range in.Places {
		pk.TopPlaces = append(pk.TopPlaces, MACEPlace{Place: p.Place, Events: p.Events, EventsByKind: p.EventsByKind,
			YoungPeople: small(p.YoungPeople), LastActivity: p.LastActivity, Links: p.Links, ConfirmedLinks: p.ConfirmedLinks, Grades: p.Grades})
	}
	for i, n := range in.Networks {
		mn := MACENetwork{Name: "Network " + itoa(i+1), YoungPeople: small(n.YoungPeople), Places: n.Places, Groups: n.Groups,
			Spaces: n.Spaces, Links: n.Links, Districts: n.Districts, Contexts: []intel.NodeRef{}, AdultsOfConcern: n.AdultsOfConcern}
		for _, ctx := range n.Contexts {
			if ctx.Type == intel.NodePlace || in.GroupsAndSpaces {
				mn.Contexts = append(mn.Contexts, ctx)
			}
		}
		pk.Networks = append(pk.Networks, mn)
	}
	// The overdue count is the picture's own figure, disclosed with it.
	if r := cur.Row(RowOverdue); r != nil {
		pk.OverdueAssessment.Count = r.Values[c]
	}
	pk.OutstandingRHI.Count = small(in.RHICount)
	pk.LinksDue.Count = Figure{Count: in.LinksDueCount}
	if in.PersonLevel {
		pk.OverdueAssessment.Items, pk.OverdueAssessment.Listed = nonNil(in.Overdue), true
		pk.OutstandingRHI.Items, pk.OutstandingRHI.Listed = nonNil(in.RHIs), true
		pk.LinksDue.Items, pk.LinksDue.Listed = nonNil(in.LinksDue), true
	}
	return pk, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// change is a - b, suppressed unless both are shown; nothing when either
// is nothing.
func change(a, b Figure) Figure {
	switch {
	case a.Suppressed || b.Suppressed:
		return Figure{Suppressed: true, IsPercent: a.IsPercent, Signed: true}
	case a.None || b.None:
		return Figure{None: true, IsPercent: a.IsPercent, Signed: true}
	case a.IsPercent:
		return Figure{IsPercent: true, Percent: roundTenth(a.Percent - b.Percent), Signed: true}
	}
	return Figure{Count: a.Count - b.Count, Signed: true}
}
