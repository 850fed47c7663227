// Package hotspot computes contextmap's hotspot maps, temporal profiles
// and accuracy tests from selected events, with disclosure control for
// callers who may only see aggregates. It is pure computation over events
// given one at a time (no SQL, no HTTP); intel/postgres reads the events,
// intel/httpapi parses requests and streams the answer.
//
// # Selection by whole cells
//
// A map covers the cells of a grid whose centres lie in a metric study
// rectangle (and, for a district, in the district). A selected cell always
// counts every selected event binned into it, even one just outside the
// rectangle, and a cell whose centre lies outside is never shown. So a cell
// is the same unit in every query: subtracting two overlapping maps can
// only ever give whole cells, never part of one.
//
// # Disclosure control
//
// An event is Full when the caller may see its counts (a person-level role
// whose scope holds the event's district). A cell with any other event is
// controlled: if it holds c distinct young people with 0 < c < Threshold it
// is suppressed (returned, flagged, without figures). A map with any
// controlled cell (and every map of an aggregate-only caller) shows no
// z-score, p-value or density, only Gi* bins and density classes, since
// exact statistics with the test's mean and SD would let controlled
// figures be worked back. Totals of such a map count only the events of
// cells not suppressed, are rounded to the rule's multiple, and are
// suppressed below the threshold.
//
// Events at sensitive places the caller may not see exactly are binned at
// the centre of their 1 km square (cm_generalise), so a small cell never
// pinpoints a children's home.
package hotspot

import (
	"math"
	"time"

	"github.com/contextmap/contextmap/geo"
)

// API vocabulary.
const (
	MethodCount  = "count"
	MethodGiStar = "gistar"
	MethodKDE    = "kde"

	GridHex    = "hex"
	GridSquare = "square"

	MeasureEvents = "events"
	MeasurePeople = "people"
)

// Methods, Grids and Measures list the accepted values.
var (
	Methods  = []string{MethodCount, MethodGiStar, MethodKDE}
	Grids    = []string{GridHex, GridSquare}
	Measures = []string{MeasureEvents, MeasurePeople}
)

// Cell size bounds in metres.
const (
	MinCell = 100
	MaxCell = 5000
)

// GeneraliseSize is the side of the square whose centre stands in for a
// sensitive place (as SQL's cm_generalise).
const GeneraliseSize = 1000

// Spec says how a map is computed.
type Spec struct {
	Method   string
	Grid     geo.Grid
	GridName string
	Cell     float64 // metres: the side of a square, or a hexagon's width across flats
	// Rect is the study rectangle (minx, miny, maxx, maxy) in the metric
	// grid: cells whose centre lies in it (edges included) are selected.
	Rect [4]float64
	// Measure is the cell value Gi* tests and accuracy ranks by: the
	// (weighted) number of events, or the number of distinct young people.
	Measure string
	// HalfLife, if positive, weights each event by 0.5^(age/HalfLife), its
	// age being RefTime minus the end of its window (never negative).
	HalfLife time.Duration
	RefTime  time.Time
	// Severity weights each event by its severity (1–5).
	Severity bool
	// Bandwidth is the KDE bandwidth in metres; 0 means the mean distance
	// to the geo.DefaultKNN-th nearest other event.
	Bandwidth float64
	// MaxBandwidthCells, if positive, refuses a KDE whose bandwidth
	// (given or default) exceeds this many cells, before computing it: its
	// cost grows with the square of the ratio.
	MaxBandwidthCells float64
	// Rule is the disclosure rule for controlled cells and totals.
	Rule geo.Rule
	// AggregatesOnly: the caller sees no event in full (partner), so
	// disclosure control applies even to an empty map.
	AggregatesOnly bool
	// People: count distinct young people (false for the crime layer,
	// whose events involve none).
	People bool
	// KeepTimes keeps each event's window for Profile.
	KeepTimes bool
}

// Weighted reports whether events are weighted.
func (s *Spec) Weighted() bool { return s.HalfLife > 0 || s.Severity }

// weight is an event's weight.
func (s *Spec) weight(end time.Time, severity int16) float64 {
	w := 1.0
	if s.Severity {
		w *= float64(severity)
	}
	if s.HalfLife > 0 {
		age := max(0, s.RefTime.Sub(end))
		w *= math.Exp2(-float64(age) / float64(s.HalfLife))
	}
	return w
}
