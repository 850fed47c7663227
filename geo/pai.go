package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// PAIResult is the Predictive Accuracy Index of one hotspot selection.
type PAIResult struct {
	// Threshold is the lowest score among the flagged cells.
	Threshold float64
	// Flagged is the number of flagged cells (ties at the threshold
	// included, so it can exceed the nominal share of N).
	Flagged int
	// AreaShare is Flagged / N, as a fraction.
	AreaShare float64
	// Events is the number of test-period events; Hits how many fell in a
	// flagged cell.
	Events, Hits int
	// HitRate is Hits / Events, as a fraction.
	HitRate float64
	// PAI is HitRate / AreaShare: 1 is no better than chance.
	PAI float64
}

// PAI scores a hotspot method (Chainey, Tompson & Uhlig 2008): the cells
// with the highest training-period scores are flagged, and the test-period
// events that fall in them are counted.
//
// scores holds each cell's training score; absent cells score 0, and only
// cells scoring above 0 can be flagged. n is the number of cells in the
// study area (at least the number of positive scores). share, in (0, 1],
// is the nominal fraction of the area to flag: k = max(1, ⌊share·n⌋)
// cells. Ties: the threshold is the k-th highest positive score and every
// cell scoring at least that much is flagged, so a tie at the threshold
// flags more than k cells, and AreaShare (hence PAI) uses the actual
// number flagged, never the nominal share. With fewer than k positive
// cells, all of them are flagged. events holds the cell of each test event
// (duplicates count); there must be at least one.
func PAI(scores map[CellID]float64, events []CellID, n int, share float64) (*PAIResult, error) {
	if !(share > 0 && share <= 1) {
		return nil, fmt.Errorf("geo: PAI area share %v outside (0, 1]: %w", share, ErrInvalidInput)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("geo: PAI without test events: %w", ErrInvalidInput)
	}
	positive := make([]float64, 0, len(scores))
	for c, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("geo: PAI score NaN at %v: %w", c, ErrInvalidInput)
		}
		if s > 0 {
			positive = append(positive, s)
		}
	}
	if len(positive) > n {
		return nil, fmt.Errorf("geo: PAI has %d scored cells in a study area of %d: %w", len(positive), n, ErrInvalidInput)
	}
	if len(positive) == 0 {
		return nil, fmt.Errorf("geo: PAI without any positive training score: %w", ErrInvalidInput)
	}
	slices.SortFunc(positive, func(a, b float64) int { return cmp.Compare(b, a) })
	k := max(1, int(math.Floor(share*float64(n)+1e-9)))
	k = min(k, len(positive))
	r := &PAIResult{Threshold: positive[k-1], Events: len(events)}
	for _, s := range positive {
		if s >= r.Threshold {
			r.Flagged++
		}
	}
	for _, c := range events {
		if scores[c] >= r.Threshold {
			r.Hits++
		}
	}
	r.AreaShare = float64(r.Flagged) / float64(n)
	r.HitRate = float64(r.Hits) / float64(r.Events)
	r.PAI = r.HitRate / r.AreaShare
	return r, nil
}
