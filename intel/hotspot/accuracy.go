package hotspot

import (
	"fmt"
	"math"

	"github.com/contextmap/contextmap/geo"
)

// AccuracyResult is the Predictive Accuracy Index of a method on a
// training period, tested on a later one.
type AccuracyResult struct {
	// N is the number of cells of the study area (the selected rectangle).
	N int
	// Share is the nominal fraction of cells flagged (the top Share by
	// training score); Flagged the number actually flagged (ties at the
	// threshold included) and AreaShare = Flagged / N.
	Share     float64
	Flagged   int
	AreaShare float64
	// Threshold is the lowest training score flagged.
	Threshold float64
	// TrainEvents and TestEvents are the events of each period; Hits the
	// test events in flagged cells; HitRate = Hits / TestEvents.
	TrainEvents, TestEvents, Hits int
	HitRate                       float64
	// PAI = HitRate / AreaShare: 1 is no better than chance.
	PAI float64
	// Controlled: counts are rounded by the disclosure rule. Suppressed:
	// the test period's young people are below the threshold; no figure
	// is given.
	Controlled, Suppressed bool
	// Note says why there is no PAI (no test events, no positive score).
	Note string
}

// Score is what a method ranks a cell by for accuracy: the (weighted)
// number of events or of distinct young people (count), the Gi* z-score
// (gistar) or the density (kde).
func (r *Result) Score(c *Cell) float64 {
	switch r.Spec.Method {
	case MethodGiStar:
		return c.Z
	case MethodKDE:
		return c.Density
	}
	if r.Spec.Measure == MeasurePeople {
		return float64(c.People)
	}
	return c.Score
}

// Accuracy flags the top share of the study area's cells by the training
// map's method and counts the test map's events falling in them (Chainey,
// Tompson & Uhlig 2008). Both maps must share the grid and study area.
func Accuracy(train, test *Map, share float64) (*AccuracyResult, error) {
	tr, err := train.Result()
	if err != nil {
		return nil, err
	}
	te, err := test.Result()
	if err != nil {
		return nil, err
	}
	s := &train.spec
	r := s.Rect
	out := &AccuracyResult{N: s.Grid.CountInRect(r[0], r[1], r[2], r[3]), Share: share,
		Controlled: tr.Controlled || te.Controlled}
	for _, c := range train.cells {
		if c.inArea {
			out.TrainEvents += c.events
		}
	}
	var events []geo.CellID
	for _, c := range test.cells {
		if c.inArea {
			for range c.events {
				events = append(events, c.id)
			}
		}
	}
	out.TestEvents = len(events)
	if out.Controlled {
		if te.Totals.Suppressed || tr.Totals.Suppressed {
			return &AccuracyResult{N: out.N, Share: share, Controlled: true, Suppressed: true}, nil
		}
	}
	scores := make(map[geo.CellID]float64, len(tr.Cells))
	for i := range tr.Cells {
		if v := tr.Score(&tr.Cells[i]); v > 0 {
			scores[tr.Cells[i].ID] = v
		}
	}
	switch {
	case tr.Note != "":
		out.Note = tr.Note
	case len(events) == 0:
		out.Note = "no events in the test period"
	case len(scores) == 0:
		out.Note = "no cell has a positive training score"
	default:
		p, err := geo.PAI(scores, events, out.N, share)
		if err != nil {
			return nil, fmt.Errorf("hotspot: %w", err)
		}
		out.Flagged, out.AreaShare, out.Threshold = p.Flagged, p.AreaShare, p.Threshold
		out.Hits, out.HitRate, out.PAI = p.Hits, p.HitRate, p.PAI
	}
	if out.Controlled {
		rd := s.Rule.RoundTotal
		out.TrainEvents, out.TestEvents, out.Hits = rd(out.TrainEvents), rd(out.TestEvents), rd(out.Hits)
		out.HitRate = math.Round(out.HitRate*100) / 100
		out.PAI = math.Round(out.PAI*100) / 100
	}
	return out, nil
}
