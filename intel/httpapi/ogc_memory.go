package httpapi

import (
	"context"
	"slices"
	"strings"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// Collections computed in memory for each request (association edges; map
// layers such as hotspot cells): a load function builds every feature the
// caller may see, already under the caller's role and disclosure control,
// and memCollection pages, filters and counts them like the SQL ones.

// memFeature is one computed feature: a string key (its id, in key order)
// and, for bbox filtering, the box its geometry spans.
type memFeature struct {
	Key      string
	Geometry []byte
	Values   []any
	Box      [4]float64 // minLon, minLat, maxLon, maxLat
	// Segment: the geometry is the segment from (Box[0], Box[1]) to
	// (Box[2], Box[3]) oriented by Flip, tested exactly against a bbox.
	Segment bool
	Flip    bool // the segment runs from (minLon, maxLat) to (maxLon, minLat)
}

type memCollection struct {
	m   collectionMeta
	who func(intel.Principal) bool
	// bounds, when set, gives a box holding every feature without
	// computing them (listing the collections stays cheap); else the
	// extent is that of the computed features.
	bounds func(ctx context.Context, pr intel.Principal) (intel.Extent, error)
	// load computes every feature the caller may see; a temporal
	// collection reads q.From and q.To (nothing else of q).
	load func(ctx context.Context, pr intel.Principal, q intel.FeatureQuery) ([]memFeature, error)
}

func (c memCollection) meta() collectionMeta { return c.m }

func (c memCollection) allowed(pr intel.Principal) bool { return c.who(pr) }

func (c memCollection) extent(ctx context.Context, pr intel.Principal) (intel.Extent, error) {
	if c.bounds != nil {
		return c.bounds(ctx, pr)
	}
	fs, err := c.load(ctx, pr, intel.FeatureQuery{})
	if err != nil || len(fs) == 0 {
		return intel.Extent{}, err
	}
	b := fs[0].Box
	for _, f := range fs[1:] {
		b = [4]float64{min(b[0], f.Box[0]), min(b[1], f.Box[1]), max(b[2], f.Box[2]), max(b[3], f.Box[3])}
	}
	return intel.Extent{BBox: &b}, nil
}

func (c memCollection) selected(f *memFeature, q intel.FeatureQuery) bool {
	for i, fl := range c.m.Fields {
		if v, ok := q.Props[fl.Name]; ok && csvValue(f.Values[i]) != v {
			return false
		}
	}
	if len(q.BBoxes) == 0 {
		return true
	}
	for _, b := range q.BBoxes {
		if f.Segment {
			a, z := [2]float64{f.Box[0], f.Box[1]}, [2]float64{f.Box[2], f.Box[3]}
			if f.Flip {
				a, z = [2]float64{f.Box[0], f.Box[3]}, [2]float64{f.Box[2], f.Box[1]}
			}
			if segmentMeetsBox(a, z, b) {
				return true
			}
		} else if f.Box[0] <= b[2] && f.Box[2] >= b[0] && f.Box[1] <= b[3] && f.Box[3] >= b[1] {
			return true
		}
	}
	return false
}

func (c memCollection) items(ctx context.Context, pr intel.Principal, q intel.FeatureQuery, count bool) (intel.FeatureIter, int64, error) {
	fs, err := c.load(ctx, pr, q)
	if err != nil {
		return nil, -1, err
	}
	slices.SortFunc(fs, func(a, b memFeature) int { return strings.Compare(a.Key, b.Key) })
	var n int64
	out := fs[:0]
	for i := range fs {
		if !c.selected(&fs[i], q) {
			continue
		}
		n++
		if q.After != "" && fs[i].Key <= q.After {
			continue
		}
		if q.Limit == 0 || len(out) < q.Limit {
			out = append(out, fs[i])
		}
	}
	if !count {
		n = -1
	}
	return &sliceIter{fs: out}, n, nil
}

func (c memCollection) item(ctx context.Context, pr intel.Principal, id string, f *intel.Feature) error {
	fs, err := c.load(ctx, pr, intel.FeatureQuery{})
	if err != nil {
		return err
	}
	for i := range fs {
		if fs[i].Key == id {
			(&sliceIter{fs: fs[i : i+1]}).Next(f)
			return nil
		}
	}
	return intel.NotFound("feature")
}

// sliceIter reads computed features.
type sliceIter struct {
	fs []memFeature
	i  int
}

func (it *sliceIter) Next(f *intel.Feature) bool {
	if it.i >= len(it.fs) {
		return false
	}
	m := &it.fs[it.i]
	it.i++
	f.ID, f.Key, f.Geometry, f.Values = 0, m.Key, m.Geometry, m.Values
	return true
}

func (it *sliceIter) Err() error { return nil }
func (it *sliceIter) Close()     {}

// segmentMeetsBox reports whether the segment a–z meets the box b
// (minX, minY, maxX, maxY), edges included (Liang–Barsky clipping).
func segmentMeetsBox(a, z [2]float64, b [4]float64) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := z[0]-a[0], z[1]-a[1]
	for _, e := range [4][2]float64{{-dx, a[0] - b[0]}, {dx, b[2] - a[0]}, {-dy, a[1] - b[1]}, {dy, b[3] - a[1]}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// --- association edges ---

var edgeTypes = []string{"place-place", "group-place", "space-place"}

// edgeFields are the properties of the association edges collection.
var edgeFields = []intel.Field{
	{Name: "edge_type", Type: intel.FieldString, Enum: edgeTypes, Filter: true,
		Description: "place-place: young people or groups shared by two places; group-place, space-place: where a peer group or online space is tied"},
	{Name: "source", Type: intel.FieldInteger, Description: "id of the first node (a place, or the group or space)"},
	{Name: "target", Type: intel.FieldInteger, Description: "id of the place"},
	{Name: "people", Type: intel.FieldInteger, Description: "distinct young people the two places share"},
	{Name: "groups", Type: intel.FieldInteger, Description: "distinct peer groups the two places share"},
	{Name: "weight", Type: intel.FieldInteger, Description: "group-place and space-place: the tie's weight"},
	{Name: "strongest_grade", Type: intel.FieldString},
	{Name: "weakest_grade", Type: intel.FieldString},
	{Name: "confirmed", Type: intel.FieldBoolean, Description: "every link behind the edge is confirmed"},
	{Name: "dashed", Type: intel.FieldBoolean, Description: "draw dashed: a link behind it is unconfirmed or graded E"},
	{Name: "links", Type: intel.FieldInteger, Description: "links behind the edge"},
}

// edgesCollection is the association map's edges (GET
// /api/v1/maps/associations with its default selection) as lines between
// the nodes' shown positions: sensitive places generalised, edges sharing
// fewer young people than the disclosure threshold left out for callers
// who may see them only as aggregates, groups and spaces only for
// person-level roles. No person's id is in it.
func (s *Server) edgesCollection() collection {
	return memCollection{
		m: collectionMeta{ID: "association_edges", Title: "Association edges",
			Description: "Edges of the association map: two places sharing young people or peer groups, and where peer groups " +
				"and online spaces are tied, as lines between the places' shown positions (groups and spaces at the weighted " +
				"centre of the places they reach). Counts pass disclosure control for aggregate-only roles. The default link " +
				"selection of /api/v1/maps/associations; use that route to choose links.",
			Fields: edgeFields, StringIDs: true, Access: "every role (disclosure control for aggregate-only roles)"},
		who: func(intel.Principal) bool { return true },
		// Every node sits at a place's shown position or at the weighted
		// centre of places: inside the places' extent.
		bounds: func(ctx context.Context, pr intel.Principal) (intel.Extent, error) { return s.DB.PlacesExtent(ctx, pr) },
		load: func(ctx context.Context, pr intel.Principal, _ intel.FeatureQuery) ([]memFeature, error) {
			m, err := s.DB.AssociationMap(ctx, pr, postgres.AssocFilter{MinWeight: 1, Threshold: s.disclosureThreshold()})
			if err != nil {
				return nil, err
			}
			pos := map[int64][2]float64{}
			for _, p := range m.Places {
				pos[p.ID] = [2]float64{p.Lon, p.Lat}
			}
			for _, d := range m.Derived {
				pos[d.ID] = [2]float64{d.Lon, d.Lat}
			}
			fs := make([]memFeature, 0, len(m.Edges))
			for _, e := range m.Edges {
				a, okA := pos[e.Source]
				z, okZ := pos[e.Target]
				if !okA || !okZ {
					continue
				}
				var weight any
				if e.Weight > 0 {
					weight = int64(e.Weight)
				}
				fs = append(fs, memFeature{
					Key:      e.Type + "-" + itoa64(e.Source) + "-" + itoa64(e.Target),
					Geometry: lineString(a, z),
					Values: []any{e.Type, e.Source, e.Target, int64(e.People), int64(e.Groups), weight, e.Strongest, e.Weakest,
						e.Confirmed, e.Dashed, int64(e.Links)},
					Box:     [4]float64{min(a[0], z[0]), min(a[1], z[1]), max(a[0], z[0]), max(a[1], z[1])},
					Segment: true,
					Flip:    (a[0] < z[0]) != (a[1] < z[1]),
				})
			}
			return fs, nil
		},
	}
}
