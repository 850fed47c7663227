package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/twpayne/go-geom"

	"github.com/contextmap/contextmap/intel/postgres"
)

// Stats says what Load wrote and how long it took.
type Stats struct {
	Districts, Places, People, Groups, Links, Events, EventPeople int64
	Took                                                          time.Duration
	// Phases are the steps of the load with their durations.
	Phases []Phase
}

// Phase is one timed step of a load.
type Phase struct {
	Name string
	Took time.Duration
}

func (st *Stats) phase(name string, since time.Time) time.Time {
	now := time.Now()
	st.Phases = append(st.Phases, Phase{name, now.Sub(since).Round(time.Millisecond)})
	return now
}

// Load generates the data set and writes it into the database: districts
// through LoadDistricts (upserted), everything else by COPY in one
// transaction, then VACUUM (ANALYZE). It is meant for empty benchmark and
// development databases: ids are taken from the sequences in blocks, so no
// other writer may be adding rows meanwhile, and loading the same seed
// twice fails on the unique references (nothing of the second load stays).
func Load(ctx context.Context, db *postgres.DB, opt Options) (Stats, error) {
	start := time.Now()
	var st Stats
	opt, err := opt.withDefaults()
	if err != nil {
		return st, err
	}
	ds := Districts(opt.Towns)
	if n, err := db.LoadDistricts(ctx, districtsGeoJSON(ds), "code", "name"); err != nil {
		return st, fmt.Errorf("synth: districts: %w", err)
	} else {
		st.Districts = int64(n)
	}

	bulk, err := db.BeginBulk(ctx)
	if err != nil {
		return st, err
	}
	defer bulk.Rollback(ctx)
	for _, t := range []postgres.BulkTable{postgres.BulkPlaces, postgres.BulkPeople, postgres.BulkStatuses,
		postgres.BulkCategories, postgres.BulkGroups, postgres.BulkLinks, postgres.BulkEvents, postgres.BulkEventPeople} {
		if err := bulk.Defer(ctx, t); err != nil {
			return st, err
		}
	}
	nodeBase, err := bulk.ReserveIDs(ctx, true, opt.Places+opt.People+opt.Adults+opt.Groups)
	if err != nil {
		return st, err
	}
	eventBase, err := bulk.ReserveIDs(ctx, false, max(1, opt.Events))
	if err != nil {
		return st, err
	}
	id := func(r Ref) int64 {
		switch r.Type {
		case TypePlace:
			return nodeBase + int64(r.N) - 1
		case TypePerson:
			return nodeBase + int64(opt.Places+r.N) - 1
		}
		return nodeBase + int64(opt.Places+opt.People+opt.Adults+r.N) - 1
	}
	optID := func(r Ref) any {
		if r.N == 0 {
			return nil
		}
		return id(r)
	}

	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	recs := make(chan Record, 8192)
	genErr := make(chan error, 1)
	go func() {
		defer close(recs)
		genErr <- Generate(opt, func(r Record) error {
			select {
			case recs <- r:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	}()
	s := &stream{ch: recs}
	s.skip(TypeDistrict)

	var statuses, categories [][]any
	var eventPeople [][2]int64
	steps := []struct {
		typ   string
		table postgres.BulkTable
		n     *int64
		row   func(Record) []any
	}{
		{TypePlace, postgres.BulkPlaces, &st.Places, func(r Record) []any {
			p := r.Place
			return []any{id(Ref{TypePlace, p.N}), p.Name, p.Kind, p.Sensitive, point(p.Lon, p.Lat), nullString(p.District),
				Ref{TypePlace, p.N}.ExtRef()}
		}},
		{TypePerson, postgres.BulkPeople, &st.People, func(r Record) []any {
			p := r.Person
			pid := id(Ref{TypePerson, p.N})
			if p.Status != "" {
				statuses = append(statuses, []any{pid, p.Status, p.Since})
			}
			if p.Category != "" {
				categories = append(categories, []any{pid, p.Category, p.Since})
			}
			return []any{pid, p.Kind, p.Pseudonym, p.AgeBand, nullString(p.District)}
		}},
		{TypeGroup, postgres.BulkGroups, &st.Groups, func(r Record) []any {
			g := r.Group
			return []any{id(Ref{TypeGroup, g.N}), g.Name, nullString(g.District), Ref{TypeGroup, g.N}.ExtRef()}
		}},
		{TypeLink, postgres.BulkLinks, &st.Links, func(r Record) []any {
			l := r.Link
			return []any{l.Kind, id(l.Source), id(l.Target), l.Grade[0:1], l.Grade[1:2], l.Grade[2:3], l.Confirmed,
				l.SourceAgency, l.FirstSeen, l.LastSeen, l.ReviewDate, "synth", Ref{TypeLink, l.N}.ExtRef()}
		}},
		{TypeEvent, postgres.BulkEvents, &st.Events, func(r Record) []any {
			e := r.Event
			eid := eventBase + int64(e.N) - 1
			young := []int64{}
			for _, p := range e.People {
				pid := id(Ref{TypePerson, p})
				eventPeople = append(eventPeople, [2]int64{eid, pid})
				if p <= opt.People {
					young = append(young, pid)
				}
			}
			slices.Sort(young)
			return []any{eid, e.Kind, e.Start, e.End, optID(Ref{TypePlace, e.Place}), point(e.Lon, e.Lat), nullString(e.District),
				nullString(e.Category), int16(e.Severity), e.Grade[0:1], e.Grade[1:2], e.Grade[2:3], e.Confirmed,
				e.SourceAgency, e.ReviewDate, optID(Ref{TypePlace, e.FoundPlace}), e.FoundAt, e.RHIAt,
				nullString(e.CrimeType), Ref{TypeEvent, e.N}.ExtRef(), young}
		}},
	}
	for _, step := range steps {
		t0 := time.Now()
		n, err := bulk.Copy(ctx, step.table, s.rows(step.typ, step.row))
		st.phase("copy "+step.typ+"s", t0)
		if err != nil {
			cancel()
			return st, errors.Join(err, drain(recs, genErr))
		}
		*step.n = n
		switch step.typ {
		case TypePerson:
			if _, err := bulk.Copy(ctx, postgres.BulkStatuses, &sliceRows{rows: statuses}); err != nil {
				return st, err
			}
			if _, err := bulk.Copy(ctx, postgres.BulkCategories, &sliceRows{rows: categories}); err != nil {
				return st, err
			}
			statuses, categories = nil, nil
		}
	}
	if err := <-genErr; err != nil {
		return st, fmt.Errorf("synth: generate: %w", err)
	}
	rows := make([][]any, len(eventPeople))
	for i, ep := range eventPeople {
		rows[i] = []any{ep[0], ep[1]}
	}
	eventPeople = nil
	t0 := time.Now()
	if st.EventPeople, err = bulk.Copy(ctx, postgres.BulkEventPeople, &sliceRows{rows: rows}); err != nil {
		return st, err
	}
	t0 = st.phase("copy event people", t0)
	if err := bulk.Remake(ctx); err != nil {
		return st, err
	}
	t0 = st.phase("remake indexes and foreign keys", t0)
	if err := bulk.Commit(ctx); err != nil {
		return st, err
	}
	t0 = st.phase("commit", t0)
	if err := db.Vacuum(ctx); err != nil {
		return st, err
	}
	st.phase("vacuum analyze", t0)
	st.Took = time.Since(start)
	return st, nil
}

func drain(ch <-chan Record, genErr <-chan error) error {
	for range ch {
	}
	if err := <-genErr; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func point(lon, lat float64) *geom.Point {
	return geom.NewPointFlat(geom.XY, []float64{lon, lat}).SetSRID(4326)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// districtsGeoJSON is the district grid as a FeatureCollection with code
// and name properties, for LoadDistricts.
func districtsGeoJSON(ds []District) []byte {
	type feature struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   map[string]any    `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for _, d := range ds {
		b := d.BBox
		ring := [][2]float64{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}
		fc.Features = append(fc.Features, feature{Type: "Feature",
			Properties: map[string]string{"code": d.Code, "name": d.Name},
			Geometry:   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}})
	}
	out, _ := json.Marshal(fc)
	return out
}

// stream turns the generator's records into COPY sources, one record type
// at a time.
type stream struct {
	ch     <-chan Record
	peeked *Record
}

func (s *stream) peek() *Record {
	if s.peeked == nil {
		if r, ok := <-s.ch; ok {
			s.peeked = &r
		}
	}
	return s.peeked
}

func (s *stream) skip(typ string) {
	for r := s.peek(); r != nil && r.Type == typ; r = s.peek() {
		s.peeked = nil
	}
}

// rows is a pgx.CopyFromSource of the records of one type.
func (s *stream) rows(typ string, row func(Record) []any) *typeRows {
	return &typeRows{s: s, typ: typ, row: row}
}

type typeRows struct {
	s   *stream
	typ string
	row func(Record) []any
	cur []any
}

func (t *typeRows) Next() bool {
	r := t.s.peek()
	if r == nil || r.Type != t.typ {
		return false
	}
	t.s.peeked = nil
	t.cur = t.row(*r)
	return true
}

func (t *typeRows) Values() ([]any, error) { return t.cur, nil }
func (t *typeRows) Err() error             { return nil }

type sliceRows struct {
	rows [][]any
	i    int
}

func (s *sliceRows) Next() bool             { s.i++; return s.i <= len(s.rows) }
func (s *sliceRows) Values() ([]any, error) { return s.rows[s.i-1], nil }
func (s *sliceRows) Err() error             { return nil }
