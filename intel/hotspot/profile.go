package hotspot

import (
	"fmt"
	"time"

	"github.com/contextmap/contextmap/geo"
)

// ProfileResult is the hour-of-day by day-of-week table of a selection.
type ProfileResult struct {
	// Table spreads each event over its window (aoristic); nil when
	// suppressed.
	Table *geo.WeekHours
	// Totals as for a map: of the events counted in Table.
	Totals     Totals
	Controlled bool
}

// Profile spreads the selected events over a week of local clock hours
// (loc; nil means Europe/London), each event weighing 1. Under
// disclosure control it counts only
// the events of cells a map would not suppress, and shows nothing when
// their distinct young people are below the threshold. The map must have
// been made with Spec.KeepTimes.
func (m *Map) Profile(loc *time.Location) (*ProfileResult, error) {
	if !m.spec.KeepTimes {
		return nil, fmt.Errorf("hotspot: Profile needs Spec.KeepTimes")
	}
	res := &ProfileResult{Controlled: m.controlled()}
	if m.spec.People {
		m.distinct(func(int32) bool { return false })
	}
	shown := make([]bool, len(m.cells))
	for k, a := range m.cells {
		shown[k] = a.inArea && !(a.controlled && m.spec.People && m.spec.Rule.Suppressed(a.people))
	}
	res.Totals = m.totals(&Result{Controlled: res.Controlled})
	if res.Totals.Suppressed {
		return res, nil
	}
	var t geo.WeekHours
	for _, w := range m.windows {
		if !shown[w.cell] {
			continue
		}
		if err := t.Add(w.start, w.end, 1, loc); err != nil {
			return nil, fmt.Errorf("hotspot: %w", err)
		}
	}
	res.Table = &t
	return res, nil
}
