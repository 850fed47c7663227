package httpapi

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/hotspot"
)

// cellFields are the properties of the hotspot cells collection.
var cellFields = []intel.Field{
	{Name: "cell", Type: intel.FieldString, Description: "the cell's grid index i:j"},
	{Name: "events", Type: intel.FieldInteger, Description: "events in the cell; null when suppressed"},
	{Name: "people", Type: intel.FieldInteger, Description: "distinct young people in those events; null when suppressed"},
	{Name: "suppressed", Type: intel.FieldBoolean, Filter: true,
		Description: "disclosure control: fewer young people than the threshold, so no figure is shown"},
	{Name: "controlled", Type: intel.FieldBoolean,
		Description: "the cell holds an event the caller may see only as an aggregate"},
}

// hotspotCellsCollection is GET /api/v1/maps/hotspots with its defaults
// (counts of events on 250 m hexagons over the area, every kind of event
// but police.uk crime) as a collection: datetime sets the window (default
// the most recent year of data: the year to the end of today, UTC, or to
// the last event's day when the data stop earlier), and
// disclosure control is the hotspot map's own, by the caller's role.
func (s *Server) hotspotCellsCollection() collection {
	return memCollection{
		m: collectionMeta{ID: "hotspot_cells", Title: "Hotspot cells",
			Description: "Counts of events and of distinct young people on 250 m hexagons (width across flats) over the area, " +
				"the defaults of /api/v1/maps/hotspots: every kind of event but police.uk crime, the most recent year of data " +
				"(to today, or to the last event when the data stop earlier) unless datetime gives the window. Cells with fewer young people than the disclosure threshold show no figures for " +
				"callers who may see them only as aggregates. Use /api/v1/maps/hotspots for Gi* and KDE.",
			Fields: cellFields, Temporal: true, StringIDs: true,
			Access: "every role but admin (disclosure control for aggregate-only roles)"},
		who: func(pr intel.Principal) bool { return pr.Role.Valid() && pr.Role != intel.RoleAdmin },
		// Cells have their centres in the districts' box: a margin of
		// 0.005° (over 300 m at these latitudes, more than a 250 m
		// hexagon's reach) holds them all.
		bounds: func(ctx context.Context, _ intel.Principal) (intel.Extent, error) {
			e, err := s.DB.DistrictsExtent(ctx)
			if e.BBox != nil {
				b := *e.BBox
				e.BBox = &[4]float64{b[0] - 0.005, b[1] - 0.005, b[2] + 0.005, b[3] + 0.005}
			}
			return e, err
		},
		load: s.hotspotCells,
	}
}

func (s *Server) hotspotCells(ctx context.Context, pr intel.Principal, q intel.FeatureQuery) ([]memFeature, error) {
	sel := &selection{pr: pr}
	f, sp := &sel.filter, &sel.spec
	today := time.Now().UTC().Truncate(24 * time.Hour)
	f.To = today.Add(24*time.Hour - time.Nanosecond)
	switch {
	case q.From != nil && q.To != nil:
		f.From, f.To = *q.From, *q.To
	case q.From != nil:
		f.From = *q.From
	case q.To != nil:
		f.From, f.To = q.To.AddDate(-1, 0, 0), *q.To
	default:
		// The most recent year of data: the year to today, or, when the
		// data stop earlier (historic or demo data), the year to the last
		// event, so a GIS client opening the collection sees cells.
		last, err := s.DB.LatestEventDay(ctx, today)
		if err != nil {
			return nil, err
		}
		if last != nil && last.Before(today) {
			f.To = last.Add(24*time.Hour - time.Nanosecond)
		}
		f.From = f.To.AddDate(-1, 0, 0)
	}
	f.Kinds = slices.DeleteFunc(slices.Clone(intel.EventKinds), func(k string) bool { return k == "crime" })
	sp.Method, sp.Measure = hotspot.MethodCount, hotspot.MeasureEvents
	sp.GridName, sp.Cell = hotspot.GridHex, defaultCell
	var err error
	if sp.Grid, err = geo.NewHexGrid(sp.Cell, geo.PointyTop); err != nil {
		return nil, err
	}
	if sel.srid, sp.Rule, err = s.DB.HotspotSettings(ctx); err != nil {
		return nil, err
	}
	if sel.proj, err = geo.ProjectionFor(sel.srid); err != nil {
		return nil, &intel.Error{Code: intel.EINTERNAL, Message: "internal error",
			Err: fmt.Errorf("metric srid %d has no projection in package geo: %w", sel.srid, err)}
	}
	rect, ok, err := s.DB.AreaRect(ctx)
	if err != nil {
		return nil, err
	}
	sel.empty, sp.Rect = !ok, rect
	pad := sp.Cell + generalisePad
	f.Rect = [4]float64{rect[0] - pad, rect[1] - pad, rect[2] + pad, rect[3] + pad}
	sp.AggregatesOnly, sp.People, sp.RefTime = pr.AggregatesOnly(), true, f.To
	m := hotspot.NewMap(sel.spec)
	defer m.Release()
	if err := s.collect(ctx, sel, sel.filter, m); err != nil {
		return nil, err
	}
	res, err := m.Result()
	if err != nil {
		return nil, err
	}
	out := make([]memFeature, 0, len(res.Cells))
	for _, c := range res.Cells {
		ring := geo.CellLonLat(sp.Grid, sel.proj, c.ID)
		g := append([]byte(nil), `{"type":"Polygon","coordinates":[[`...)
		box := [4]float64{ring[0][0], ring[0][1], ring[0][0], ring[0][1]}
		for k, p := range ring {
			if k > 0 {
				g = append(g, ',')
			}
			g = append(g, '[')
			g = geo.AppendCoord(g, p[0])
			g = append(g, ',')
			g = geo.AppendCoord(g, p[1])
			g = append(g, ']')
			box = [4]float64{min(box[0], p[0]), min(box[1], p[1]), max(box[2], p[0]), max(box[3], p[1])}
		}
		g = append(g, "]]}"...)
		var events, people any
		if !c.Suppressed {
			events, people = int64(c.Events), int64(c.People)
		}
		key := strconv.Itoa(int(c.ID.I)) + ":" + strconv.Itoa(int(c.ID.J))
		out = append(out, memFeature{Key: key, Geometry: g, Box: box,
			Values: []any{key, events, people, c.Suppressed, !c.Full}})
	}
	return out, nil
}
