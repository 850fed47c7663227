package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

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

// hotspotWhere is the filter shared by both halves of the query. $1 scope,
// $2 tiles (or NULL), $3 tile range low, $4 high, $5 kinds, $6..$9 rect,
// $10 from, $11 to, $12 categories, $13/$14 grade, $15 confirmed,
// $16 include review due.
const hotspotWhere = `
	   AND e.kind = ANY($5) AND e.x BETWEEN $6 AND $8 AND e.y BETWEEN $7 AND $9
	   AND e.starts_at <= $11 AND e.ends_at >= $10
	   AND ($12::text[] IS NULL OR e.category = ANY($12))
	   AND ($13::text IS NULL OR (e.source_eval <= $13 AND e.intel_assessment <= $14))
	   AND (NOT $15 OR e.confirmed)
	   AND ($16 OR e.review_date IS NULL OR e.review_date >= current_date)`

const hotspotCols = `SELECT e.x, e.y, e.starts_at, e.ends_at, e.severity,
	       s.id IS NOT NULL AND NOT ($1::text[] IS NULL OR s.district = ANY($1)),
	       $1::text[] IS NULL OR e.district = ANY($1),
	       e.young_people
	  FROM events e LEFT JOIN places s ON s.id = e.place_id AND s.sensitive`

// hotspotSQL reads the events: windows of up to 31 days through
// events_hotspot_idx (by tile, kind and start), longer ones (rare) through
// events_long_idx. A rectangle of few tiles lists them ($2); a larger one
// reads the range of tiles from $3 to $4.
func hotspotSQL(listed bool) string {
	tiles := `e.cm_tile = ANY($2) AND $3::bigint IS NOT NULL AND $4::bigint IS NOT NULL`
	if !listed {
		tiles = `e.cm_tile BETWEEN $3 AND $4 AND $2::bigint[] IS NULL`
	}
	return hotspotCols + `
	 WHERE ` + tiles + `
	   AND e.starts_at >= $10::timestamptz - interval '31 days' AND e.ends_at - e.starts_at <= interval '31 days'` + hotspotWhere + `
	UNION ALL ` + hotspotCols + `
	 WHERE e.ends_at - e.starts_at > interval '31 days'` + hotspotWhere
}

var hotspotListed, hotspotRange = hotspotSQL(true), hotspotSQL(false)

// HotspotEvents calls fn for every event the filter selects, with what the
// caller may see of it: events at sensitive places outside the caller's
// exact access are flagged Generalise, events outside its person-level
// scope (all of them for aggregate-only roles) are not Full.
func (db *DB) HotspotEvents(ctx context.Context, pr intel.Principal, f HotspotFilter, fn func(*HotspotEvent) error) error {
	r := f.Rect
	i0, i1 := int64(math.Floor(r[0]/hotspotTile)), int64(math.Floor(r[2]/hotspotTile))
	j0, j1 := int64(math.Floor(r[1]/hotspotTile)), int64(math.Floor(r[3]/hotspotTile))
	var tiles []int64
	if (i1-i0+1)*(j1-j0+1) <= maxTiles {
		for i := i0; i <= i1; i++ {
			for j := j0; j <= j1; j++ {
				tiles = append(tiles, tileKey(i, j))
			}
		}
	}
	var src, asm any
	if f.MinGrade != nil {
		src, asm = string(f.MinGrade.Source), string(f.MinGrade.Assessment)
	}
	var cats any
	if len(f.Categories) > 0 {
		cats = f.Categories
	}
	scope := pr.Scope()
	if pr.AggregatesOnly() || !pr.PersonLevel() {
		scope = []string{}
	}
	q := hotspotListed
	if tiles == nil {
		q = hotspotRange
	}
	rows, err := db.Pool.Query(ctx, q, scope, tiles, tileKey(i0, j0), tileKey(i1, j1), f.Kinds,
		r[0], r[1], r[2], r[3], f.From, f.To, cats, src, asm, f.Confirmed, f.IncludeReviewDue)
	if err != nil {
		return wrap(err, "hotspot events")
	}
	// Close before looking at the error: an unclosed result holds its
	// connection.
	defer rows.Close()
	var e HotspotEvent
	for rows.Next() {
		if err := rows.Scan(&e.X, &e.Y, &e.Start, &e.End, &e.Severity, &e.Generalise, &e.Full, &e.YoungPeople); err != nil {
			return wrap(err, "hotspot events")
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "hotspot events")
}
