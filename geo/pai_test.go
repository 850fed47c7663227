package geo

import (
	"errors"
	"math"
	"testing"
)

func TestPAI(t *testing.T) {
	// Ten scored cells (i, 0) with scores 10 − i, in a study area of 100.
	ten := map[CellID]float64{}
	for i := range int32(10) {
		ten[CellID{i, 0}] = float64(10 - i)
	}
	events := func(counts map[CellID]int) []CellID {
		var out []CellID
		for c, k := range counts {
			for range k {
				out = append(out, c)
			}
		}
		return out
	}

	cases := []struct {
		name    string
		scores  map[CellID]float64
		events  []CellID
		n       int
		share   float64
		flagged int
		thresh  float64
		hits    int
		pai     float64
	}{
		{
			// 5% of 100 = 5 cells: scores 10..6, cells (0..4, 0). 20 events,
			// 8 of them in those cells (3 in (0,0), 5 in (4,0)), 12
			// elsewhere: hit rate 8/20 = 0.4, area 5/100 = 0.05, PAI 8.
			name: "plain", scores: ten, n: 100, share: 0.05,
			events:  events(map[CellID]int{{0, 0}: 3, {4, 0}: 5, {5, 0}: 2, {9, 0}: 4, {50, 50}: 6}),
			flagged: 5, thresh: 6, hits: 8, pai: 8,
		},
		{
			// Scores 5, 4, 3, 3, 3, 1. 3% of 100 = 3 cells: the 3rd highest
			// is 3, shared by three cells, so five are flagged (area 0.05).
			// One event in each scored cell and four unscored: hits 5 of
			// 10, hit rate 0.5, PAI 0.5/0.05 = 10.
			name: "tie at threshold",
			scores: map[CellID]float64{
				{0, 0}: 5, {1, 0}: 4, {2, 0}: 3, {3, 0}: 3, {4, 0}: 3, {5, 0}: 1,
			},
			n: 100, share: 0.03,
			events: events(map[CellID]int{
				{0, 0}: 1, {1, 0}: 1, {2, 0}: 1, {3, 0}: 1, {4, 0}: 1, {5, 0}: 1, {7, 7}: 4,
			}),
			flagged: 5, thresh: 3, hits: 5, pai: 10,
		},
		{
			// Half of 10 cells would be 5, but only two score above zero
			// (the zero and the negative are never flagged): area 0.2. Two
			// of four events hit: 0.5/0.2 = 2.5.
			name:   "fewer positive cells than k",
			scores: map[CellID]float64{{0, 0}: 2, {1, 0}: 1, {2, 0}: 0, {3, 0}: -4},
			n:      10, share: 0.5,
			events:  events(map[CellID]int{{0, 0}: 1, {1, 0}: 1, {2, 0}: 1, {3, 0}: 1}),
			flagged: 2, thresh: 1, hits: 2, pai: 2.5,
		},
		{
			// 1% of 150 = 1.5 → k = 1: cell (0,0) alone, area 1/150. Its one
			// hit of 3 events: (1/3)/(1/150) = 50.
			name: "fractional k rounds down", scores: ten, n: 150, share: 0.01,
			events:  events(map[CellID]int{{0, 0}: 1, {1, 0}: 2}),
			flagged: 1, thresh: 10, hits: 1, pai: 50,
		},
	}
	for _, c := range cases {
		r, err := PAI(c.scores, c.events, c.n, c.share)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.Flagged != c.flagged || r.Threshold != c.thresh || r.Hits != c.hits ||
			r.Events != len(c.events) || math.Abs(r.PAI-c.pai) > 1e-12 {
			t.Errorf("%s: %+v; want flagged %d threshold %v hits %d PAI %v", c.name, r, c.flagged, c.thresh, c.hits, c.pai)
		}
		if math.Abs(r.AreaShare-float64(c.flagged)/float64(c.n)) > 1e-15 {
			t.Errorf("%s: area share %v", c.name, r.AreaShare)
		}
	}
}

func TestPAIErrors(t *testing.T) {
	s := map[CellID]float64{{0, 0}: 1}
	ev := []CellID{{0, 0}}
	for name, f := range map[string]func() error{
		"share 0":     func() error { _, err := PAI(s, ev, 10, 0); return err },
		"share > 1":   func() error { _, err := PAI(s, ev, 10, 1.5); return err },
		"no events":   func() error { _, err := PAI(s, nil, 10, 0.1); return err },
		"n too small": func() error { _, err := PAI(map[CellID]float64{{0, 0}: 1, {1, 0}: 1}, ev, 1, 0.5); return err },
		"no scores":   func() error { _, err := PAI(map[CellID]float64{}, ev, 10, 0.1); return err },
		"NaN score":   func() error { _, err := PAI(map[CellID]float64{{0, 0}: math.NaN()}, ev, 10, 0.1); return err },
	} {
		if err := f(); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
