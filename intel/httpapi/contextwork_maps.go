package httpapi

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// GeoJSON layers of context work for the web map (shapes in
// docs/CONTEXTWORK.md). They are small (one feature per case, action or
// cell with marks), so each is written whole with geo.FeatureWriter.

const geoJSONType = "application/geo+json"

func sendFeatures(c *fiber.Ctx, foreign map[string]any, write func(fw *geo.FeatureWriter) error) error {
	var buf bytes.Buffer
	fw, err := geo.NewFeatureWriter(&buf, foreign)
	if err != nil {
		return err
	}
	if err := write(fw); err != nil {
		return err
	}
	if err := fw.CloseWith(map[string]any{"numberReturned": fw.Count()}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, geoJSONType)
	return c.Send(buf.Bytes())
}

func rawOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return geo.RawGeometry(b)
}

// mapContextCases: context cases as points, with status.
func (s *Server) mapContextCases(c *fiber.Ctx) error {
	pr, err := needPersonLevel(c)
	if err != nil {
		return err
	}
	var f postgres.CaseFilter
	if f.Status, err = oneOfParam(c, "status", append([]string{"open"}, intel.CaseStatuses...)); err != nil {
		return err
	}
	if f.ContextType, err = oneOfParam(c, "context_type", contextTypes); err != nil {
		return err
	}
	if f.District, err = s.districtParam(c); err != nil {
		return err
	}
	bbox, err := parseBBox(c.Query("bbox"))
	if err != nil {
		return err
	}
	return sendFeatures(c, map[string]any{"layer": "context_cases"}, func(fw *geo.FeatureWriter) error {
		return s.DB.ContextCasePoints(c.UserContext(), pr, f, bbox, func(p postgres.CasePoint) error {
			return fw.WriteFeature(p.ID, rawOrNil(p.Position), map[string]any{
				"case_id": p.ID, "title": p.Title, "status": p.Status, "lead_agency": p.LeadAgency, "opened_on": p.OpenedOn,
				"open_actions": p.OpenActions, "overdue_actions": p.OverdueActions,
				"context_id": p.Context.ID, "context_type": p.Context.Type, "context_name": p.Context.Name,
				"context_kind": p.Context.Kind, "district": p.Context.District, "generalised": p.Context.Generalised,
			})
		})
	})
}

// activeOutcomes are outcomes under which an action is in force until it
// expires.
var activeOutcomes = []string{"granted", "served", "complied", "breached"}

// mapDisruptions: place-based disruption actions as points, with kind and
// dates (actions whose only subject is an adult have no position).
func (s *Server) mapDisruptions(c *fiber.Ctx) error {
	pr, err := needPersonLevel(c)
	if err != nil {
		return err
	}
	f, err := disruptionFilter(c)
	if err != nil {
		return err
	}
	if f.District, err = s.districtParam(c); err != nil {
		return err
	}
	now := today()
	return sendFeatures(c, map[string]any{"layer": "disruptions"}, func(fw *geo.FeatureWriter) error {
		return s.DB.DisruptionPoints(c.UserContext(), pr, f, func(p postgres.DisruptionPoint) error {
			active := slices.Contains(activeOutcomes, p.Outcome) && !p.AppliedOn.After(now.Time) &&
				(p.ExpiresOn == nil || !p.ExpiresOn.Before(now.Time))
			return fw.WriteFeature(p.ID, geo.RawGeometry(p.Geometry), map[string]any{
				"disruption_id": p.ID, "kind": p.Kind, "applied_on": p.AppliedOn, "expires_on": p.ExpiresOn,
				"outcome": p.Outcome, "active": active, "place_id": p.PlaceID, "context_case_id": p.ContextCaseID,
				"generalised": p.Generalised,
			})
		})
	})
}

// feltCell gathers the marks in one cell.
type feltCell struct {
	people            map[int64]bool
	red, amber, green int
	events            int
	eventPeople       map[int64]bool
}

// binMarks assigns each mark to cells: a point to the cell holding it; an
// area to every cell whose centre lies inside it, or, when none does (an
// area smaller than a cell), to the cell of its representative point.
func binMarks(g geo.Grid, marks []postgres.MarkShape) map[geo.CellID]*feltCell {
	cells := map[geo.CellID]*feltCell{}
	add := func(id geo.CellID, m postgres.MarkShape) {
		fc := cells[id]
		if fc == nil {
			fc = &feltCell{people: map[int64]bool{}, eventPeople: map[int64]bool{}}
			cells[id] = fc
		}
		fc.people[m.PersonID] = true
		switch m.Rating {
		case "red":
			fc.red++
		case "amber":
			fc.amber++
		case "green":
			fc.green++
		}
	}
	for _, m := range marks {
		if m.Rings == nil {
			add(g.Cell(m.X, m.Y), m)
			continue
		}
		poly := make(orb.Polygon, len(m.Rings))
		minx, miny, maxx, maxy := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for i, r := range m.Rings {
			poly[i] = make(orb.Ring, len(r))
			for k, p := range r {
				poly[i][k] = orb.Point(p)
				if i == 0 {
					minx, miny, maxx, maxy = min(minx, p[0]), min(miny, p[1]), max(maxx, p[0]), max(maxy, p[1])
				}
			}
		}
		n := 0
		for id := range g.CellsInRect(minx, miny, maxx, maxy) {
			x, y := g.Centre(id)
			if planar.PolygonContains(poly, orb.Point{x, y}) {
				add(id, m)
				n++
			}
		}
		if n == 0 {
			add(g.Cell(m.X, m.Y), m)
		}
	}
	return cells
}

// FeltSafetyMethod describes the felt-safety layer.
const FeltSafetyMethod = "safety-map marks recorded in the period, binned on the grid (a point in its cell; an area in every cell " +
	"whose centre it covers, else the cell of its representative point); young_people = distinct young people with a mark " +
	"in the cell; felt_safety = (green − red) ÷ (red + amber + green) marks, from −1 (all red) to 1 (all green); events = " +
	"events of the activity kinds started in the period in the cell, for comparison with the hotspot layer"

// mapFeltSafety is the aggregate "felt safety" layer: safety-map marks
// binned on a hexagon or square grid, with disclosure control on the
// number of distinct young people per cell for every caller without the
// whole area in person-level scope.
func (s *Server) mapFeltSafety(c *fiber.Ctx) error {
	pr := principal(c)
	gridKind, err := oneOfParam(c, "grid", []string{"hex", "square"})
	if err != nil {
		return err
	}
	if gridKind == "" {
		gridKind = "hex"
	}
	cell, err := intParam(c, "cell", 250, 100, 5000)
	if err != nil {
		return err
	}
	to, err := dateOr(c, "to", today())
	if err != nil {
		return err
	}
	from, err := dateOr(c, "from", to.AddMonths(-12))
	if err != nil {
		return err
	}
	if to.Before(from.Time) {
		return intel.Invalid("to", "must not be before from")
	}
	district, err := s.districtParam(c)
	if err != nil {
		return err
	}
	bbox, err := parseBBox(c.Query("bbox"))
	if err != nil {
		return err
	}
	kinds, err := kindsParam(c, ActivityKinds)
	if err != nil {
		return err
	}
	var g geo.Grid
	if gridKind == "hex" {
		g, err = geo.NewHexGrid(float64(cell), geo.PointyTop)
	} else {
		g, err = geo.NewSquareGrid(float64(cell))
	}
	if err != nil {
		return err
	}
	srid, err := s.DB.MetricSRID(c.UserContext())
	if err != nil {
		return err
	}
	proj, err := geo.ProjectionFor(srid)
	if err != nil {
		return &intel.Error{Code: intel.EINTERNAL, Message: "internal error", Err: fmt.Errorf("metric srid %d: %w", srid, err)}
	}
	ctx := c.UserContext()
	var marks []postgres.MarkShape
	if err := s.DB.SafetyMarkShapes(ctx, district, from, to, func(m postgres.MarkShape) error {
		marks = append(marks, m)
		return nil
	}); err != nil {
		return err
	}
	cells := binMarks(g, marks)
	if len(cells) > 0 {
		minx, miny, maxx, maxy := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for id := range cells {
			x, y := g.Centre(id)
			minx, miny, maxx, maxy = min(minx, x), min(miny, y), max(maxx, x), max(maxy, y)
		}
		pad := float64(cell)
		err := s.DB.EventPoints(ctx, kinds, from, to, minx-pad, miny-pad, maxx+pad, maxy+pad, func(p postgres.EventPoint) error {
			if fc := cells[g.Cell(p.X, p.Y)]; fc != nil {
				fc.events++
				for _, id := range p.YoungPeople {
					fc.eventPeople[id] = true
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	ids := make([]geo.CellID, 0, len(cells))
	for id := range cells {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b geo.CellID) int {
		if a.J != b.J {
			return int(a.J - b.J)
		}
		return int(a.I - b.I)
	})
	full := fullView(pr)
	foreign := map[string]any{"layer": "felt_safety", "grid": gridKind, "cell_m": cell, "from": from, "to": to,
		"event_kinds": kinds, "method": FeltSafetyMethod, "threshold": s.threshold(), "suppression_applied": !full}
	return sendFeatures(c, foreign, func(fw *geo.FeatureWriter) error {
		for _, id := range ids {
			fc := cells[id]
			x, y := g.Centre(id)
			lon, lat := proj.Inverse(x, y)
			if bbox != nil && (lon < bbox[0] || lon > bbox[2] || lat < bbox[1] || lat > bbox[3]) {
				continue
			}
			props := map[string]any{"cell": fmt.Sprintf("%d,%d", id.I, id.J)}
			people := s.disclose(len(fc.people), full)
			props["young_people"], props["suppressed"] = people.Count, people.Suppressed
			if !people.Suppressed {
				n := fc.red + fc.amber + fc.green
				props["red"], props["amber"], props["green"] = fc.red, fc.amber, fc.green
				props["felt_safety"] = math.Round(float64(fc.green-fc.red)/float64(n)*100) / 100
			}
			ep := s.disclose(len(fc.eventPeople), full)
			props["events_suppressed"] = ep.Suppressed
			if !ep.Suppressed {
				props["events"], props["event_young_people"] = fc.events, ep.Count
			}
			if err := fw.WriteFeature(props["cell"], geo.Polygon{geo.CellLonLat(g, proj, id)}, props); err != nil {
				return err
			}
		}
		return nil
	})
}
