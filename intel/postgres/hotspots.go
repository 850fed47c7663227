package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// HotspotFilter selects the events of a hotspot map, a temporal profile or
// an accuracy test.
type HotspotFilter struct {
	// Rect is the metric rectangle (minx, miny, maxx, maxy) whose events are
	// read, edges included.
	Rect [4]float64
	// From and To: events whose window [starts_at, ends_at] overlaps
	// [From, To].
	From, To time.Time
	// Kinds to read (at least one).
	Kinds []string
	// Categories, if any, keep events of these exploitation categories.
	Categories []string
	// MinGrade keeps events graded at least this strong on source and
	// assessment (handling ignored).
	MinGrade *intel.Grade
	// Confirmed keeps confirmed events only.
	Confirmed bool
	// IncludeReviewDue keeps events past their review date, which are left
	// out otherwise.
	IncludeReviewDue bool
	// What to read besides the position and the caller's view: the window
	// (Times), the severity, the young people involved (People). Fields
	// not read are zero.
	Times, Severity, People bool
}

// HotspotEvent is one event as a hotspot map needs it: where (metric),
// when, how severe, whom it involves, and what the caller may see of it.
type HotspotEvent struct {
	X, Y       float64
	Start, End time.Time
	Severity   int16
	// Generalise: the event is at a sensitive place the caller may not see
	// exactly, so it must be binned at the centre of its 1 km square.
	Generalise bool
	// Full: the caller may see this event's counts without disclosure
	// control (a person-level role whose scope holds its district).
	Full bool
	// YoungPeople are the ids of the young people it involves, sorted;
	// valid only until the callback returns.
	YoungPeople []int64
}

// HotspotSettings are the settings a hotspot map is made with: the EPSG
// code of the metric grid the database keeps x, y in (metric_srid), and
// the rounding of map totals for aggregate outputs (disclosure_round,
// default 5). The threshold the HTTP layer applies is the service's one
// configured rule (CONTEXTMAP_DISCLOSURE_THRESHOLD); the
// disclosure_threshold setting is read here only as a default.
func (db *DB) HotspotSettings(ctx context.Context) (srid int, rule geo.Rule, err error) {
	rule = geo.Rule{Threshold: geo.DefaultThreshold, Round: 5}
	var th, rd *string
	err = db.ReadQueryRow(ctx, `SELECT cm_metric_srid(),
		(SELECT value FROM settings WHERE key = 'disclosure_threshold'),
		(SELECT value FROM settings WHERE key = 'disclosure_round')`).Scan(&srid, &th, &rd)
	if err != nil {
		return 0, rule, wrap(err, "settings")
	}
	for _, v := range []struct {
		key string
		s   *string
		dst *int
	}{{"disclosure_threshold", th, &rule.Threshold}, {"disclosure_round", rd, &rule.Round}} {
		if v.s == nil {
			continue
		}
		n, err := strconv.Atoi(*v.s)
		if err != nil || n < 1 {
			return 0, rule, &intel.Error{Code: intel.EINTERNAL, Message: "internal error",
				Err: fmt.Errorf("settings %s = %q is not a positive integer", v.key, *v.s)}
		}
		*v.dst = n
	}
	return srid, rule, nil
}

// DistrictRect is the metric bounding box of a district; a district that
// does not exist is EINVALID naming the parameter "district".
func (db *DB) DistrictRect(ctx context.Context, code string) ([4]float64, error) {
	var r [4]float64
	err := db.ReadQueryRow(ctx, `SELECT ST_XMin(geom_m), ST_YMin(geom_m), ST_XMax(geom_m), ST_YMax(geom_m)
		FROM districts WHERE code = $1`, code).Scan(&r[0], &r[1], &r[2], &r[3])
	if err == pgx.ErrNoRows {
		return r, intel.Invalid("district", "no such district")
	}
	return r, wrap(err, "district")
}

// AreaRect is the metric bounding box of every district (the area a map
// covers when no bbox is given); ok is false when there are no districts.
func (db *DB) AreaRect(ctx context.Context) (r [4]float64, ok bool, err error) {
	var x0, y0, x1, y1 *float64
	err = db.ReadQueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(geom_m)::geometry AS e FROM districts) s`).Scan(&x0, &y0, &x1, &y1)
	if err != nil || x0 == nil {
		return r, false, wrap(err, "districts")
	}
	return [4]float64{*x0, *y0, *x1, *y1}, true, nil
}

// InDistrict reports, for each metric point, whether it lies in the
// district (points on the boundary count as inside).
func (db *DB) InDistrict(ctx context.Context, code string, xs, ys []float64) ([]bool, error) {
	out := make([]bool, len(xs))
	rows, err := db.ReadQuery(ctx, `SELECT p.i FROM districts d,
		unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS p(x, y, i)
		WHERE d.code = $1 AND ST_Intersects(d.geom_m, ST_SetSRID(ST_MakePoint(p.x, p.y), ST_SRID(d.geom_m)))`, code, xs, ys)
	if err != nil {
		return nil, wrap(err, "district")
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, wrap(err, "district")
		}
		out[i-1] = true
	}
	return out, wrap(rows.Err(), "district")
}

// hotspotTile is the size of the tiles of hotspot_blocks, in metres (see
// migration 00010).
const hotspotTile = 5000

// maxTiles is the most tiles listed one by one; a larger rectangle reads a
// range of tiles and filters by x and y.
const maxTiles = 4096

// longWindow is the longest window found through the blocks: blocks are
// read from the month of (from − longWindow); longer windows are read
// from events.
const longWindow = 31 * 24 * time.Hour

func tileKey(i, j int64) int64 { return (i+32768)<<16 | (j + 32768) }

// sqlArgs numbers the parameters of a query built from parts.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// longSQL reads the events whose window is longer than longWindow (rare),
// through events_long_idx, with every condition in SQL and only the
// columns asked for.
func longSQL(pr intel.Principal, f *HotspotFilter) (string, sqlArgs) {
	var a sqlArgs
	cols := `e.x, e.y`
	if f.Times {
		cols += `, e.starts_at, e.ends_at`
	}
	if f.Severity {
		cols += `, e.severity`
	}
	from := `events e`
	scope := pr.Scope()
	switch {
	case pr.AggregatesOnly() || !pr.PersonLevel():
		cols += `, s.id IS NOT NULL, false`
		from += ` LEFT JOIN places s ON s.id = e.place_id AND s.sensitive`
	case scope != nil:
		sc := a.add(scope)
		cols += `, s.id IS NOT NULL AND NOT coalesce(s.district = ANY(` + sc + `), false), coalesce(e.district = ANY(` + sc + `), false)`
		from += ` LEFT JOIN places s ON s.id = e.place_id AND s.sensitive`
	default:
		cols += `, false, true`
	}
	if f.People {
		cols += `, e.young_people`
	}
	where := `e.ends_at - e.starts_at > interval '31 days'` +
		` AND e.kind = ANY(` + a.add(f.Kinds) + `)` +
		` AND e.x BETWEEN ` + a.add(f.Rect[0]) + ` AND ` + a.add(f.Rect[2]) +
		` AND e.y BETWEEN ` + a.add(f.Rect[1]) + ` AND ` + a.add(f.Rect[3]) +
		` AND e.starts_at <= ` + a.add(f.To) + ` AND e.ends_at >= ` + a.add(f.From)
	if len(f.Categories) > 0 {
		where += ` AND e.category = ANY(` + a.add(f.Categories) + `)`
	}
	if g := f.MinGrade; g != nil {
		where += ` AND e.source_eval <= ` + a.add(string(g.Source)) + ` AND e.intel_assessment <= ` + a.add(string(g.Assessment))
	}
	if f.Confirmed {
		where += ` AND e.confirmed`
	}
	if !f.IncludeReviewDue {
		where += ` AND (e.review_date IS NULL OR e.review_date >= current_date)`
	}
	return `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + where, a
}

// HotspotEvents calls fn for every event the filter selects, with what the
// caller may see of it: events at sensitive places outside the caller's
// exact access are flagged Generalise, events outside its person-level
// scope (all of them for aggregate-only roles) are not Full. It reads the
// blocks of hotspot_blocks (tiles of the rectangle, months of the period)
// and filters their records here, and reads events with windows over 31
// days from events. With parts above 1 it reads that many disjoint sets of
// tiles at once, each on its own connection, and calls fn concurrently,
// telling it which part an event is from; fn must not keep e.
func (db *DB) HotspotEvents(ctx context.Context, pr intel.Principal, f HotspotFilter, parts int,
	fn func(part int, e *HotspotEvent) error) error {
	view, err := db.hotspotView(ctx, pr)
	if err != nil {
		return err
	}
	r := f.Rect
	i0, i1 := int64(math.Floor(r[0]/hotspotTile)), int64(math.Floor(r[2]/hotspotTile))
	j0, j1 := int64(math.Floor(r[1]/hotspotTile)), int64(math.Floor(r[3]/hotspotTile))
	m0, m1 := monthOf(f.From.Add(-longWindow)), monthOf(f.To)
	n := (i1 - i0 + 1) * (j1 - j0 + 1)
	var lists [][]int64
	if n <= maxTiles {
		parts = max(1, min(parts, int(n)))
		lists = make([][]int64, parts)
		k := 0
		for i := i0; i <= i1; i++ {
			for j := j0; j <= j1; j++ {
				// Dealt in turn, so that each part gets its share of a city.
				lists[k%parts] = append(lists[k%parts], tileKey(i, j))
				k++
			}
		}
	} else {
		lists = [][]int64{nil}
	}
	g, gctx := errgroup.WithContext(ctx)
	for p, tiles := range lists {
		g.Go(func() error {
			var rows pgx.Rows
			var err error
			if tiles != nil {
				rows, err = db.ReadQuery(gctx, `SELECT data FROM hotspot_blocks WHERE tile = ANY($1) AND month BETWEEN $2 AND $3`,
					tiles, m0, m1)
			} else {
				rows, err = db.ReadQuery(gctx, `SELECT data FROM hotspot_blocks WHERE tile BETWEEN $1 AND $2 AND month BETWEEN $3 AND $4`,
					tileKey(i0, j0), tileKey(i1, j1), m0, m1)
			}
			if err != nil {
				return wrap(err, "hotspot events")
			}
			d := newBlockDecoder(&f, view)
			emit := func(e *HotspotEvent) error { return fn(p, e) }
			for rows.Next() {
				if err := d.each(rows.RawValues()[0], emit); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return wrap(err, "hotspot events")
			}
			if p == 0 {
				return db.hotspotLong(gctx, pr, &f, emit)
			}
			return nil
		})
	}
	return g.Wait()
}

// hotspotLong reads the events with windows over 31 days.
func (db *DB) hotspotLong(ctx context.Context, pr intel.Principal, f *HotspotFilter, fn func(*HotspotEvent) error) error {
	q, args := longSQL(pr, f)
	rows, err := db.ReadQuery(ctx, q, args...)
	if err != nil {
		return wrap(err, "hotspot events")
	}
	// Close before looking at the error: an unclosed result holds its
	// connection.
	defer rows.Close()
	dec := newEventDecoder(f, rows.FieldDescriptions())
	var e HotspotEvent
	for rows.Next() {
		if err := dec.decode(rows, &e); err != nil {
			return wrap(err, "hotspot events")
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "hotspot events")
}

// hotspotView is what the caller may see, for filtering block records as
// longSQL filters rows: the database's date (for review dates), its
// district scope, and the sensitive places with their districts.
type hotspotView struct {
	today     int32 // days since 2000-01-01
	all       bool  // analyst, police: everything in full, nothing generalised
	scope     []string
	sensitive map[int64]string
}

func (db *DB) hotspotView(ctx context.Context, pr intel.Principal) (*hotspotView, error) {
	v := &hotspotView{scope: pr.Scope()}
	if pr.AggregatesOnly() || !pr.PersonLevel() {
		v.scope = []string{}
	}
	v.all = v.scope == nil
	// The date and, for a caller who may not see everything, the
	// sensitive places, in one round trip.
	var ids []int64
	var districts []string
	if err := db.ReadQueryRow(ctx, `SELECT current_date - date '2000-01-01', array_agg(id), array_agg(coalesce(district, ''))
		  FROM places WHERE sensitive AND NOT $1`, v.all).Scan(&v.today, &ids, &districts); err != nil {
		return nil, wrap(err, "hotspot events")
	}
	if v.all {
		return v, nil
	}
	v.sensitive = make(map[int64]string, len(ids))
	for i, id := range ids {
		v.sensitive[id] = districts[i]
	}
	return v, nil
}

func monthOf(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// LatestEventDay is the UTC day of the latest event starting on or before
// notAfter (nil when there is none).
func (db *DB) LatestEventDay(ctx context.Context, notAfter time.Time) (*time.Time, error) {
	var t *time.Time
	err := db.ReadQueryRow(ctx, `SELECT date_trunc('day', max(starts_at) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
		FROM events WHERE starts_at < $1::timestamptz + interval '1 day'`, notAfter).Scan(&t)
	if err != nil {
		return nil, wrap(err, "events")
	}
	return t, nil
}
