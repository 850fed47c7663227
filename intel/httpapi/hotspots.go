package httpapi

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/hotspot"
	"github.com/contextmap/contextmap/intel/postgres"
)

// Hotspot maps, temporal profiles and accuracy tests are aggregates: no
// person's id is in any answer, so they are not audited as person-level
// reads. Every role but admin (which holds no data role) may read them;
// disclosure control applies per event, by the caller's scope (see package
// hotspot).
func (s *Server) hotspotRoutes(api fiber.Router) {
	api.Get("/maps/hotspots", s.hotspots)
	api.Get("/maps/hotspots/profile", s.hotspotProfile)
	api.Get("/maps/hotspots/accuracy", s.hotspotAccuracy)
}

// Hotspot parameter bounds and defaults.
const (
	defaultCell        = 250
	defaultHalfLife    = 90 // days
	maxHalfLife        = 3650
	minBandwidth       = 50
	maxBandwidth       = 20000
	maxBandwidthCells  = 50 // bandwidth ÷ cell size: beyond it a KDE is too costly
	maxKDECells        = 4_000_000
	maxStudyCells      = 100_000_000
	defaultAccuracyTop = 10 // percent
	// maxExtent bounds a bbox in the metric grid, in metres: a transverse
	// Mercator grid is meaningless far from its meridian (Great Britain is
	// about 1,300 km tall).
	maxExtent = 3_000_000
	// padding of the rectangle events are read from beyond the study
	// rectangle, over the cell size: a selected cell reaches at most a
	// cell size beyond it, and a generalised position moves an event by
	// up to 708 m.
	generalisePad = 1000
)

// selection is a parsed hotspot request.
type selection struct {
	pr     intel.Principal
	filter postgres.HotspotFilter
	spec   hotspot.Spec
	proj   geo.Projection
	srid   int
	// what the caller asked for, echoed in the answer
	bbox     *[4]float64
	district string
	crime    bool
	empty    bool // no study area at all (no bbox and no districts)
}

func splitList(c *fiber.Ctx, name string, allowed []string) ([]string, error) {
	v := query(c, name)
	if v == "" {
		return nil, nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(allowed, s) {
			return nil, intel.Invalid(name, "each must be one of "+strings.Join(allowed, ", "))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func floatParam(c *fiber.Ctx, name string, def, lo, hi float64, unit string) (float64, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || f < lo || f > hi {
		return 0, intel.Invalid(name, fmt.Sprintf("must be a number from %g to %g%s", lo, hi, unit))
	}
	return f, nil
}

// parseSelection reads what every hotspot route shares: the events
// (bbox, district, period, kinds, categories, grade, confirmation, review)
// and the grid (grid, cell). from and to name the period's parameters.
func (s *Server) parseSelection(c *fiber.Ctx, fromName, toName string) (*selection, error) {
	ctx := c.UserContext()
	sel := &selection{pr: principal(c)}
	if sel.pr.Role == intel.RoleAdmin || !sel.pr.Role.Valid() {
		return nil, forbidden
	}
	f := &sel.filter
	var err error
	if sel.bbox, err = parseBBox(c.Query("bbox")); err != nil {
		return nil, err
	}
	sel.district = query(c, "district")
	from, err := optTime(c, fromName, false)
	if err != nil {
		return nil, err
	}
	to, err := optTime(c, toName, true)
	if err != nil {
		return nil, err
	}
	switch {
	case from == nil && to == nil:
		f.To = time.Now().UTC()
		f.From = f.To.AddDate(-1, 0, 0)
	case to == nil:
		f.From, f.To = *from, time.Now().UTC()
	case from == nil:
		f.From, f.To = to.AddDate(-1, 0, 0), *to
	default:
		f.From, f.To = *from, *to
	}
	if f.From.After(f.To) {
		return nil, intel.Invalid(fromName, "must not be after "+toName)
	}
	if f.Kinds, err = splitList(c, "kinds", intel.EventKinds); err != nil {
		return nil, err
	}
	switch {
	case len(f.Kinds) == 0:
		f.Kinds = slices.DeleteFunc(slices.Clone(intel.EventKinds), func(k string) bool { return k == "crime" })
	case slices.Contains(f.Kinds, "crime") && len(f.Kinds) > 1:
		return nil, intel.Invalid("kinds", "crime (police.uk context) is a layer of its own: it cannot be mixed with events involving young people")
	}
	sel.crime = f.Kinds[0] == "crime"
	if f.Categories, err = splitList(c, "categories", intel.Categories); err != nil {
		return nil, err
	}
	if g := c.Query("min_grade"); g != "" {
		mg, err := intel.ParseGrade(g + "P")
		if len(g) == 3 {
			mg, err = intel.ParseGrade(g)
		}
		if err != nil {
			return nil, intel.Invalid("min_grade", "must be a source evaluation and assessment such as 2B")
		}
		f.MinGrade = &mg
	}
	if b, err := optBool(c, "confirmed"); err != nil {
		return nil, err
	} else if b != nil {
		f.Confirmed = *b
	}
	if b, err := optBool(c, "include_review_due"); err != nil {
		return nil, err
	} else if b != nil && *b {
		if sel.pr.Role != intel.RoleAnalyst && sel.pr.Role != intel.RolePolice {
			return nil, intel.Errorf(intel.EFORBIDDEN, "include_review_due: only analysts and police may include events past their review date")
		}
		f.IncludeReviewDue = true
	}

	sp := &sel.spec
	if sp.GridName, err = oneOfParam(c, "grid", hotspot.Grids); err != nil {
		return nil, err
	}
	sp.GridName = cmp.Or(sp.GridName, hotspot.GridHex)
	if sp.Cell, err = floatParam(c, "cell", defaultCell, hotspot.MinCell, hotspot.MaxCell, " metres"); err != nil {
		return nil, err
	}
	if sp.GridName == hotspot.GridHex {
		sp.Grid, err = geo.NewHexGrid(sp.Cell, geo.PointyTop)
	} else {
		sp.Grid, err = geo.NewSquareGrid(sp.Cell)
	}
	if err != nil {
		return nil, intel.Invalid("cell", err.Error())
	}

	// The study rectangle: the bbox, else the area's districts; a district
	// narrows it to the district's box.
	if sel.srid, sp.Rule, err = s.DB.HotspotSettings(ctx); err != nil {
		return nil, err
	}
	// One threshold for every output (CONTEXTMAP_DISCLOSURE_THRESHOLD);
	// the settings keep only the rounding of map totals.
	sp.Rule.Threshold = s.disclosureRule().Threshold
	if sel.proj, err = geo.ProjectionFor(sel.srid); err != nil {
		return nil, &intel.Error{Code: intel.EINTERNAL, Message: "internal error",
			Err: fmt.Errorf("metric srid %d has no projection in package geo: %w", sel.srid, err)}
	}
	var rect [4]float64
	var ok bool
	if sel.bbox != nil {
		rect, ok = metricRect(sel.proj, *sel.bbox), true
		w, h := rect[2]-rect[0], rect[3]-rect[1]
		if !(w <= maxExtent && h <= maxExtent) {
			return nil, intel.Invalid("bbox", fmt.Sprintf("is too large for the metric grid (EPSG:%d): at most %d km across", sel.srid, maxExtent/1000))
		}
	} else if rect, ok, err = s.DB.AreaRect(ctx); err != nil {
		return nil, err
	}
	if sel.district != "" {
		dr, err := s.DB.DistrictRect(ctx, sel.district)
		if err != nil {
			return nil, err
		}
		if !ok {
			rect, ok = dr, true
		}
		rect = [4]float64{max(rect[0], dr[0]), max(rect[1], dr[1]), min(rect[2], dr[2]), min(rect[3], dr[3])}
		if rect[0] > rect[2] || rect[1] > rect[3] {
			return nil, intel.Invalid("district", "does not overlap bbox")
		}
	}
	sel.empty = !ok
	sp.Rect = rect
	if n := sp.Grid.CountInRect(rect[0], rect[1], rect[2], rect[3]); n > maxStudyCells {
		return nil, intel.Invalid("cell", fmt.Sprintf("is too small for this area: %d cells; at most %d", n, maxStudyCells))
	}
	pad := sp.Cell + generalisePad
	f.Rect = [4]float64{rect[0] - pad, rect[1] - pad, rect[2] + pad, rect[3] + pad}
	sp.AggregatesOnly = sel.pr.AggregatesOnly()
	sp.MaxBandwidthCells = maxBandwidthCells
	sp.People = !sel.crime
	sp.RefTime = f.To
	return sel, nil
}

// metricRect is the smallest metric rectangle holding a longitude/latitude
// box, its edges sampled every 1/64 of their length (they curve in the
// metric grid).
func metricRect(p geo.Projection, b [4]float64) [4]float64 {
	r := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	add := func(lon, lat float64) {
		x, y := p.Forward(lon, lat)
		r = [4]float64{min(r[0], x), min(r[1], y), max(r[2], x), max(r[3], y)}
	}
	const n = 64
	for k := 0; k <= n; k++ {
		t := float64(k) / n
		lon, lat := b[0]+t*(b[2]-b[0]), b[1]+t*(b[3]-b[1])
		add(lon, b[1])
		add(lon, b[3])
		add(b[0], lat)
		add(b[2], lat)
	}
	return r
}

// parseMethod reads what a map computes: method, measure, weights,
// bandwidth.
func parseMethod(c *fiber.Ctx, sel *selection) error {
	sp := &sel.spec
	var err error
	if sp.Method, err = oneOfParam(c, "method", hotspot.Methods); err != nil {
		return err
	}
	sp.Method = cmp.Or(sp.Method, hotspot.MethodCount)
	if sp.Measure, err = oneOfParam(c, "measure", hotspot.Measures); err != nil {
		return err
	}
	sp.Measure = cmp.Or(sp.Measure, hotspot.MeasureEvents)
	if sp.Measure == hotspot.MeasurePeople && sel.crime {
		return intel.Invalid("measure", "crime events involve no young people: use events")
	}
	weights, err := splitList(c, "weight", []string{"recency", "severity"})
	if err != nil {
		return err
	}
	if len(weights) > 0 && sp.Measure == hotspot.MeasurePeople {
		return intel.Invalid("weight", "weights apply to events, not to counts of people")
	}
	sp.Severity = slices.Contains(weights, "severity")
	days, err := floatParam(c, "half_life", defaultHalfLife, 1, maxHalfLife, " days")
	if err != nil {
		return err
	}
	if slices.Contains(weights, "recency") {
		sp.HalfLife = time.Duration(days * 24 * float64(time.Hour))
	} else if c.Query("half_life") != "" {
		return intel.Invalid("half_life", "applies only with weight=recency")
	}
	if c.Query("bandwidth") != "" && sp.Method != hotspot.MethodKDE {
		return intel.Invalid("bandwidth", "applies only to method=kde")
	}
	if sp.Bandwidth, err = floatParam(c, "bandwidth", 0, minBandwidth, maxBandwidth, " metres"); err != nil {
		return err
	}
	if sp.Method == hotspot.MethodKDE {
		if sp.Bandwidth > 0 && sp.Bandwidth < sp.Cell/2 {
			return intel.Invalid("bandwidth", "must be at least half the cell size, or no event may reach a cell centre")
		}
		if sp.Bandwidth > maxBandwidthCells*sp.Cell {
			return intel.Invalid("bandwidth", fmt.Sprintf("is more than %d cells: use larger cells", maxBandwidthCells))
		}
		r := sp.Rect
		if n := sp.Grid.CountInRect(r[0], r[1], r[2], r[3]); n > maxKDECells {
			return intel.Invalid("cell", fmt.Sprintf("is too small for a density over this area: %d cells; at most %d", n, maxKDECells))
		}
	}
	return nil
}

// readParts is how many queries read a large map's events at once, each
// on its own connection and core.
const readParts = 2

// collect reads the selected events into m, in the caller's view.
func (s *Server) collect(ctx context.Context, sel *selection, f postgres.HotspotFilter, m *hotspot.Map) error {
	if sel.empty {
		return nil
	}
	sp := m.Spec()
	f.Times = sp.KeepTimes || sp.HalfLife > 0
	f.Severity = sp.Severity
	f.People = sp.People
	maps := []*hotspot.Map{m}
	for range readParts - 1 {
		maps = append(maps, hotspot.NewMap(*sp))
	}
	err := s.DB.HotspotEvents(ctx, sel.pr, f, readParts, func(part int, e *postgres.HotspotEvent) error {
		maps[part].Add(e.X, e.Y, e.Start, e.End, e.Severity, e.Generalise, e.Full, e.YoungPeople)
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range maps[1:] {
		m.Merge(o)
		o.Release()
	}
	if sel.district == "" {
		return nil
	}
	code := sel.district
	return m.RestrictTo(func(xs, ys []float64) ([]bool, error) { return s.DB.InDistrict(ctx, code, xs, ys) })
}

func (s *Server) hotspots(c *fiber.Ctx) error {
	start := time.Now()
	sel, err := s.parseSelection(c, "from", "to")
	if err != nil {
		return err
	}
	if err := parseMethod(c, sel); err != nil {
		return err
	}
	m := hotspot.NewMap(sel.spec)
	defer m.Release()
	if err := s.collect(c.UserContext(), sel, sel.filter, m); err != nil {
		return err
	}
	read := time.Now()
	res, err := m.Result()
	if err != nil {
		return hotspotErr(err)
	}
	members := sel.members(c, res)
	computed := time.Now()
	c.Set("Server-Timing", fmt.Sprintf("db;dur=%.1f, compute;dur=%.1f",
		float64(read.Sub(start).Microseconds())/1000, float64(computed.Sub(read).Microseconds())/1000))
	c.Set(fiber.HeaderContentType, "application/geo+json")
	proj, log := sel.proj, s.Log
	// Everything the writer needs is captured above: it runs after this
	// handler returns.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := res.WriteGeoJSON(w, proj, members); err != nil {
			log.Warn("hotspot map not completely written", "err", err)
		}
		_ = w.Flush()
	})
	return nil
}

// hotspotErr names the parameter behind a computation the parameters make
// impossible.
func hotspotErr(err error) error {
	var be *hotspot.BandwidthError
	if errors.As(err, &be) {
		return intel.Invalid("cell", fmt.Sprintf("is too small for the default bandwidth of %.0f m: use cells of at least %.0f m, or give bandwidth",
			be.Bandwidth, math.Ceil(be.Bandwidth/maxBandwidthCells)))
	}
	return err
}

// members are the collection's own members: how the map was made, so it
// can be reproduced and explained.
func (sel *selection) members(c *fiber.Ctx, res *hotspot.Result) map[string]any {
	sp := res.Spec
	m := map[string]any{
		"method":      sp.Method,
		"grid":        sp.GridName,
		"cell_size_m": sp.Cell,
		"srid":        sel.srid,
		"selection":   sel.echo(),
		"study_area":  map[string]any{"rect_m": round2(sp.Rect[:]), "cells": res.N, "rule": "cells whose centre lies in rect_m (and in the district, if given); each counts every selected event binned in it"},
		"computed_at": time.Now().UTC().Format(time.RFC3339),
		"disclosure":  sel.disclosure(res.Controlled, countSuppressed(res)),
		"totals":      totals(res.Totals, sp.People, sp.Weighted()),
		"cell_size":   cellSizeNote(sp),
		"measure":     sp.Measure,
		"weights":     weights(sp),
		"hex_orientation": func() any {
			if sp.GridName == hotspot.GridHex {
				return "pointy_top"
			}
			return nil
		}(),
	}
	if res.Note != "" {
		m["note"] = res.Note
	}
	switch sp.Method {
	case hotspot.MethodGiStar:
		g := map[string]any{"n": res.N, "neighbours": "the cell itself and the cells sharing an edge (hexagons) or an edge or corner (squares), weight 1",
			"fdr": "Benjamini-Hochberg over all n cells", "bins": "±3/±2/±1 for FDR-adjusted p ≤ 0.01/0.05/0.10"}
		if res.GiStar != nil {
			g["weights_sum"] = res.GiStar.Weights
			if !res.Controlled {
				bg := res.GiStar.Background
				g["mean"], g["sd"] = res.GiStar.Mean, res.GiStar.SD
				g["background"] = map[string]any{"cells": bg.Count, "z": round4(bg.Z), "p": bg.P, "q": bg.Q, "gi_bin": bg.Bin}
			}
		}
		m["gistar"] = g
	case hotspot.MethodKDE:
		k := map[string]any{"kernel": "quartic: 3/(π·h²)·(1 − d²/h²)² for d < h", "units": "events per km² (weighted if weights are given)",
			"classes": "quintiles of the map's positive densities, 1 to 5 (densest)"}
		if res.Bandwidth > 0 {
			k["bandwidth_m"] = math.Round(res.Bandwidth*10) / 10
		}
		if res.K > 0 {
			k["bandwidth_rule"] = fmt.Sprintf("mean distance from each event to its %d-th nearest other event", res.K)
		} else {
			k["bandwidth_rule"] = "given"
		}
		m["kde"] = k
	}
	return m
}

func cellSizeNote(sp *hotspot.Spec) string {
	if sp.GridName == hotspot.GridHex {
		return "hexagon width across flats (distance between neighbouring centres), metres"
	}
	return "square side, metres"
}

func weights(sp *hotspot.Spec) any {
	if !sp.Weighted() {
		return nil
	}
	w := map[string]any{"severity": sp.Severity}
	if sp.HalfLife > 0 {
		w["recency_half_life_days"] = sp.HalfLife.Hours() / 24
		w["recency_reference"] = sp.RefTime.Format(time.RFC3339)
		w["recency"] = "0.5^(age / half-life), age = reference − end of the event's window"
	}
	return w
}

func countSuppressed(res *hotspot.Result) int {
	n := 0
	for _, c := range res.Cells {
		if c.Suppressed {
			n++
		}
	}
	return n
}

func round2(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Round(x*100) / 100
	}
	return out
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func (sel *selection) echo() map[string]any {
	f := &sel.filter
	e := map[string]any{
		"from": f.From.Format(time.RFC3339), "to": f.To.Format(time.RFC3339), "kinds": f.Kinds,
		"confirmed_only": f.Confirmed, "include_review_due": f.IncludeReviewDue,
		"window_rule": "events whose window [start, end] overlaps [from, to]",
	}
	if sel.bbox != nil {
		e["bbox"] = sel.bbox[:]
	}
	if sel.district != "" {
		e["district"] = sel.district
	}
	if len(f.Categories) > 0 {
		e["categories"] = f.Categories
	}
	if f.MinGrade != nil {
		e["min_grade"] = string([]byte{f.MinGrade.Source, f.MinGrade.Assessment})
	}
	if !f.IncludeReviewDue {
		e["review"] = "events past their review date are left out"
	}
	return e
}

func (sel *selection) disclosure(controlled bool, suppressed int) map[string]any {
	r := sel.spec.Rule
	d := map[string]any{
		"applied":          controlled,
		"threshold":        r.Threshold,
		"round":            r.Round,
		"sensitive_places": "events at sensitive places you may not see exactly are binned at the centre of their 1 km grid square",
	}
	if controlled {
		d["suppressed_cells"] = suppressed
		d["rule"] = fmt.Sprintf("a cell under disclosure control with 1 to %d distinct young people is returned with \"suppressed\": true and no figures; "+
			"no z-score, p-value or density is shown, only the Gi* bin or density class; totals count only cells not suppressed, "+
			"rounded to the nearest %d, and are suppressed below %d young people", r.Threshold-1, r.Round, r.Threshold)
	}
	return d
}

func totals(t hotspot.Totals, people, weighted bool) map[string]any {
	if t.Suppressed {
		return map[string]any{"suppressed": true}
	}
	m := map[string]any{"events": t.Events}
	if people {
		m["people"] = t.People
	}
	if weighted {
		m["score"] = math.Round(t.Score*1000) / 1000
	}
	if t.RoundedTo > 1 {
		m["rounded_to"] = t.RoundedTo
	}
	return m
}

var dayNames = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

func (s *Server) hotspotProfile(c *fiber.Ctx) error {
	sel, err := s.parseSelection(c, "from", "to")
	if err != nil {
		return err
	}
	sel.spec.Method = hotspot.MethodCount
	sel.spec.Measure = hotspot.MeasureEvents
	sel.spec.KeepTimes = true
	m := hotspot.NewMap(sel.spec)
	defer m.Release()
	if err := s.collect(c.UserContext(), sel, sel.filter, m); err != nil {
		return err
	}
	res, err := m.Profile(geo.London())
	if err != nil {
		return err
	}
	out := fiber.Map{
		"zone": "Europe/London", "days": dayNames, "selection": sel.echo(),
		"grid": sel.spec.GridName, "cell_size_m": sel.spec.Cell,
		"method":     "aoristic: each event's weight of 1 is spread over the clock hours of its window in proportion to the time in each; a window of a week or more evenly over all 168 hours",
		"totals":     totals(res.Totals, sel.spec.People, false),
		"disclosure": sel.disclosure(res.Controlled, 0),
	}
	if res.Table != nil {
		table := make([][]float64, 7)
		byHour, byDay := make([]float64, 24), make([]float64, 7)
		for d := range 7 {
			table[d] = make([]float64, 24)
			for h := range 24 {
				v := res.Table[d][h]
				table[d][h] = math.Round(v*1000) / 1000
				byHour[h] += v
				byDay[d] += v
			}
		}
		for h := range byHour {
			byHour[h] = math.Round(byHour[h]*1000) / 1000
		}
		for d := range byDay {
			byDay[d] = math.Round(byDay[d]*1000) / 1000
		}
		out["table"], out["by_hour"], out["by_day"] = table, byHour, byDay
	}
	return c.JSON(out)
}

func (s *Server) hotspotAccuracy(c *fiber.Ctx) error {
	sel, err := s.parseSelection(c, "train_from", "train_to")
	if err != nil {
		return err
	}
	// The test period defaults to the last three months, the training
	// period to the twelve months before the test period.
	testFrom, err := optTime(c, "test_from", false)
	if err != nil {
		return err
	}
	testTo, err := optTime(c, "test_to", true)
	if err != nil {
		return err
	}
	test := sel.filter
	switch {
	case testFrom == nil && testTo == nil:
		test.To = time.Now().UTC()
		test.From = test.To.AddDate(0, -3, 0)
	case testTo == nil:
		test.From, test.To = *testFrom, testFrom.AddDate(0, 3, 0)
	case testFrom == nil:
		test.From, test.To = testTo.AddDate(0, -3, 0), *testTo
	default:
		test.From, test.To = *testFrom, *testTo
	}
	if test.From.After(test.To) {
		return intel.Invalid("test_from", "must not be after test_to")
	}
	train := &sel.filter
	if c.Query("train_to") == "" {
		train.To = test.From
	}
	if c.Query("train_from") == "" {
		train.From = train.To.AddDate(-1, 0, 0)
	}
	if train.From.After(train.To) {
		return intel.Invalid("train_from", "must not be after train_to")
	}
	if test.From.Before(train.To) {
		return intel.Invalid("test_from", "must not be before train_to: the test period follows the training period")
	}
	sel.spec.RefTime = train.To
	if err := parseMethod(c, sel); err != nil {
		return err
	}
	top, err := floatParam(c, "top", defaultAccuracyTop, 0.1, 100, " percent")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	trainMap, testMap := hotspot.NewMap(sel.spec), hotspot.NewMap(sel.spec)
	defer trainMap.Release()
	defer testMap.Release()
	if err := s.collect(ctx, sel, sel.filter, trainMap); err != nil {
		return err
	}
	if err := s.collect(ctx, sel, test, testMap); err != nil {
		return err
	}
	res, err := hotspot.Accuracy(trainMap, testMap, top/100)
	if err != nil {
		return hotspotErr(err)
	}
	out := fiber.Map{
		"method": sel.spec.Method, "measure": sel.spec.Measure, "grid": sel.spec.GridName, "cell_size_m": sel.spec.Cell,
		"selection":   sel.echo(),
		"train":       fiber.Map{"from": sel.filter.From.Format(time.RFC3339), "to": sel.filter.To.Format(time.RFC3339)},
		"test":        fiber.Map{"from": test.From.Format(time.RFC3339), "to": test.To.Format(time.RFC3339)},
		"top_percent": top, "study_area_cells": res.N,
		"disclosure": sel.disclosure(res.Controlled, 0),
		"definition": "the top cells by training score are flagged (ties at the threshold all flagged); hit rate = test events in flagged cells ÷ test events; area share = flagged cells ÷ study area cells; PAI = hit rate ÷ area share",
	}
	switch {
	case res.Suppressed:
		out["suppressed"] = true
		return c.JSON(out)
	case res.Note != "":
		out["note"] = res.Note
	}
	out["train"].(fiber.Map)["events"] = res.TrainEvents
	out["test"].(fiber.Map)["events"] = res.TestEvents
	if res.Note == "" {
		out["flagged_cells"] = res.Flagged
		out["area_share"] = res.AreaShare
		out["hits"] = res.Hits
		out["hit_rate"] = res.HitRate
		out["pai"] = res.PAI
		if !res.Controlled {
			out["threshold_score"] = res.Threshold
		}
	}
	return c.JSON(out)
}
