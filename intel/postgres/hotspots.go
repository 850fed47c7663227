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
// the disclosure control rule for aggregate outputs (disclosure_threshold,
// default 5; disclosure_round, default 5).
func (db *DB) HotspotSettings(ctx context.Context) (srid int, rule geo.Rule, err error) {
	rule = geo.Rule{Threshold: geo.DefaultThreshold, Round: 5}
	var th, rd *string
	err = db.Pool.QueryRow(ctx, `SELECT cm_metric_srid(),
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
	err := db.Pool.QueryRow(ctx, `SELECT ST_XMin(geom_m), ST_YMin(geom_m), ST_XMax(geom_m), ST_YMax(geom_m)
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
	err = db.Pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(geom_m)::geometry AS e FROM districts) s`).Scan(&x0, &y0, &x1, &y1)
	if err != nil || x0 == nil {
		return r, false, wrap(err, "districts")
	}
	return [4]float64{*x0, *y0, *x1, *y1}, true, nil
}

// MetricRect is the smallest metric rectangle holding a longitude/latitude
// box (its edges densified, as they curve in the metric grid).
func (db *DB) MetricRect(ctx context.Context, bbox [4]float64) ([4]float64, error) {
	var r [4]float64
	err := db.Pool.QueryRow(ctx, `SELECT ST_XMin(m), ST_YMin(m), ST_XMax(m), ST_YMax(m) FROM (SELECT
		ST_Transform(ST_Segmentize(ST_MakeEnvelope($1, $2, $3, $4, 4326), 0.01), cm_metric_srid()) AS m) s`,
		bbox[0], bbox[1], bbox[2], bbox[3]).Scan(&r[0], &r[1], &r[2], &r[3])
	return r, wrap(err, "bbox")
}

// InDistrict reports, for each metric point, whether it lies in the
// district (points on the boundary count as inside).
func (db *DB) InDistrict(ctx context.Context, code string, xs, ys []float64) ([]bool, error) {
	out := make([]bool, len(xs))
	rows, err := db.Pool.Query(ctx, `SELECT p.i FROM districts d,
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

// hotspotTile is the size of the tiles of events_hotspot_idx, in metres
// (see migration 00010).
const hotspotTile = 5000

// maxTiles is the most tiles listed one by one; a larger rectangle reads a
// range of tiles and filters by x and y.
const maxTiles = 4096

func tileKey(i, j int64) int64 { return (i+32768)<<16 | (j + 32768) }

// sqlArgs numbers the parameters of a query built from parts.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// hotspotSQL builds the query of one part of a hotspot read, with only the
// conditions and columns asked for, so that every condition left is one
// the index answers or a cheap filter on it. Windows of up to 31 days are
// found through events_hotspot_idx (by tile, kind and start); longer ones,
// rare, through events_long_idx, in part 0 only. tiles lists the part's
// tiles; nil reads the range of tiles of the rectangle.
func hotspotSQL(pr intel.Principal, f *HotspotFilter, tiles []int64, tileLo, tileHi int64, part int) (string, sqlArgs) {
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
	where := ` AND e.kind = ANY(` + a.add(f.Kinds) + `)` +
		` AND e.x BETWEEN ` + a.add(f.Rect[0]) + ` AND ` + a.add(f.Rect[2]) +
		` AND e.y BETWEEN ` + a.add(f.Rect[1]) + ` AND ` + a.add(f.Rect[3])
	fromT, toT := a.add(f.From), a.add(f.To)
	where += ` AND e.starts_at <= ` + toT + ` AND e.ends_at >= ` + fromT
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
	var tileCond string
	if tiles != nil {
		tileCond = `e.cm_tile = ANY(` + a.add(tiles) + `)`
	} else {
		tileCond = `e.cm_tile BETWEEN ` + a.add(tileLo) + ` AND ` + a.add(tileHi)
	}
	q := `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + tileCond +
		` AND e.starts_at >= ` + fromT + `::timestamptz - interval '31 days' AND e.ends_at - e.starts_at <= interval '31 days'` + where
	if part == 0 {
		q += ` UNION ALL SELECT ` + cols + ` FROM ` + from + ` WHERE e.ends_at - e.starts_at > interval '31 days'` + where
	}
	return q, a
}

// HotspotEvents calls fn for every event the filter selects, with what the
// caller may see of it: events at sensitive places outside the caller's
// exact access are flagged Generalise, events outside its person-level
// scope (all of them for aggregate-only roles) are not Full. With parts
// above 1 it reads that many disjoint sets of tiles at once, each on its
// own connection, and calls fn concurrently, telling it which part an
// event is from; fn must not keep e.
func (db *DB) HotspotEvents(ctx context.Context, pr intel.Principal, f HotspotFilter, parts int,
	fn func(part int, e *HotspotEvent) error) error {
	r := f.Rect
	i0, i1 := int64(math.Floor(r[0]/hotspotTile)), int64(math.Floor(r[2]/hotspotTile))
	j0, j1 := int64(math.Floor(r[1]/hotspotTile)), int64(math.Floor(r[3]/hotspotTile))
	n := (i1 - i0 + 1) * (j1 - j0 + 1)
	if n > maxTiles {
		return db.hotspotPart(ctx, pr, &f, nil, tileKey(i0, j0), tileKey(i1, j1), 0, fn)
	}
	parts = max(1, min(parts, int(n)))
	lists := make([][]int64, parts)
	k := 0
	for i := i0; i <= i1; i++ {
		for j := j0; j <= j1; j++ {
			// Dealt in turn, so that each part gets its share of a city.
			lists[k%parts] = append(lists[k%parts], tileKey(i, j))
			k++
		}
	}
	if parts == 1 {
		return db.hotspotPart(ctx, pr, &f, lists[0], 0, 0, 0, fn)
	}
	g, gctx := errgroup.WithContext(ctx)
	for p := range parts {
		g.Go(func() error { return db.hotspotPart(gctx, pr, &f, lists[p], 0, 0, p, fn) })
	}
	return g.Wait()
}

func (db *DB) hotspotPart(ctx context.Context, pr intel.Principal, f *HotspotFilter, tiles []int64, lo, hi int64, part int,
	fn func(int, *HotspotEvent) error) error {
	q, args := hotspotSQL(pr, f, tiles, lo, hi, part)
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// JIT compiling this scan costs more than it saves, and parallel
		// workers only add a queue: the parts are the parallelism.
		if _, err := tx.Exec(ctx, `SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`); err != nil {
			return wrap(err, "hotspot events")
		}
		rows, err := tx.Query(ctx, q, args...)
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
			if err := fn(part, &e); err != nil {
				return err
			}
		}
		return wrap(rows.Err(), "hotspot events")
	})
}
