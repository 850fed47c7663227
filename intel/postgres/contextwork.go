package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// Context work (docs/CONTEXTWORK.md): shared pieces of the context case,
// conference, disruption, safety-mapping and missing-profile stores.

// withPrincipal appends the caller's view to args and puts the parameter
// numbers into q in place of the tokens: $PL person-level, $SC district
// scope (text[], NULL for all), $AD sees adults of concern, $NM may see the
// names of peer groups and online spaces (not aggregate-only callers).
func withPrincipal(q string, pr intel.Principal, args ...any) (string, []any) {
	for _, t := range []struct {
		token, cast string
		value       any
	}{{"$PL", "boolean", pr.PersonLevel()}, {"$SC", "text[]", pr.Scope()}, {"$AD", "boolean", pr.SeesAdults()},
		{"$NM", "boolean", !pr.AggregatesOnly()}} {
		// Only the tokens used become parameters: PostgreSQL cannot type an
		// unused one.
		if strings.Contains(q, t.token) {
			args = append(args, t.value)
			q = strings.ReplaceAll(q, t.token, fmt.Sprintf("$%d::%s", len(args), t.cast))
		}
	}
	return q, args
}

// ctxJoins joins the context node named by expr under the alias prefix p
// (pn: nodes, pl: places, pg: peer groups, ps: online spaces).
func ctxJoins(expr, p string) string {
	return replaceAll(` JOIN nodes @n ON @n.id = `+expr+`
	LEFT JOIN places @pl ON @pl.id = @n.id LEFT JOIN peer_groups @pg ON @pg.id = @n.id
	LEFT JOIN online_spaces @ps ON @ps.id = @n.id `, "@", p)
}

// ctxCols are the columns scanCtx reads for the context joined by ctxJoins.
// A sensitive place is exact only for person-level callers whose scope holds
// it; peer group and online space names only for callers who are not
// aggregate-only.
func ctxCols(p string) string {
	exact := `($PL AND ($SC IS NULL OR @pl.district = ANY($SC)))`
	return replaceAll(`@n.id, @n.type,
	CASE WHEN @pl.id IS NOT NULL THEN
	       CASE WHEN @pl.sensitive AND NOT `+exact+` THEN 'Sensitive place (' || replace(@pl.kind, '_', ' ') || ')' ELSE @pl.name END
	     WHEN $NM THEN coalesce(@pg.name, @ps.name) END,
	coalesce(@pl.kind, @ps.platform),
	coalesce(@pl.district, @pg.district, @ps.district),
	coalesce(@pl.sensitive AND NOT `+exact+`, false),
	CASE WHEN @pl.id IS NULL THEN NULL
	     WHEN @pl.sensitive AND NOT `+exact+` THEN ST_AsGeoJSON(cm_generalise(@pl.x, @pl.y), 6)
	     ELSE ST_AsGeoJSON(@pl.pt, 6) END`, "@", p)
}

// ctxDest is where scanCtx's columns go.
type ctxDest struct {
	ref  intel.ContextRef
	geom *string
}

func (d *ctxDest) targets() []any {
	return []any{&d.ref.ID, &d.ref.Type, &d.ref.Name, &d.ref.Kind, &d.ref.District, &d.ref.Generalised, &d.geom}
}

func (d *ctxDest) value() intel.ContextRef {
	r := d.ref
	if d.geom != nil {
		r.Geometry = []byte(*d.geom)
	}
	return r
}

// contextNode looks up a node that must be a context: its type and district.
func contextNode(ctx context.Context, q pgx.Tx, field string, id int64) (typ string, district *string, err error) {
	err = q.QueryRow(ctx, `SELECT type, cm_context_district(id) FROM nodes WHERE id = $1`, id).Scan(&typ, &district)
	if err == pgx.ErrNoRows || (err == nil && typ == intel.NodePerson) {
		return "", nil, intel.Invalid(field, "refers to no place, peer group or online space")
	}
	return typ, district, err
}

// checkContexts refuses ids that are not contexts.
func checkContexts(ctx context.Context, q pgx.Tx, field string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var bad int
	err := q.QueryRow(ctx, `SELECT count(*) FROM unnest($1::bigint[]) u(id)
		WHERE NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = u.id AND n.type <> 'person')`, ids).Scan(&bad)
	if err == nil && bad > 0 {
		return intel.Invalid(field, "refers to no place, peer group or online space")
	}
	return err
}

// checkNoPerson refuses free text in a context record that names a person
// by pseudonym: context records talk about contexts, and person-level detail
// stays behind the roles that may see it.
func checkNoPerson(ctx context.Context, q pgx.Tx, texts []intel.FieldText) error {
	if len(texts) == 0 {
		return nil
	}
	vals := make([]string, len(texts))
	for i, t := range texts {
		vals[i] = t.Text
	}
	var hits []int64
	if err := q.QueryRow(ctx, `SELECT coalesce(array_agg(i ORDER BY i), '{}') FROM unnest($1::text[]) WITH ORDINALITY u(t, i)
		WHERE cm_names_person(t)`, vals).Scan(&hits); err != nil {
		return err
	}
	var v intel.Validation
	for _, i := range hits {
		v.Add(texts[i-1].Field, "names a person by pseudonym: context records talk about contexts, not individuals; keep person-level detail in the person's record")
	}
	return v.Err()
}

// tiesSQL selects (context_id, person_id, how, seen): the young people tied
// to contexts over the period $FROM..$TO (dates, inclusive) by
//   - a link from the young person to the context (frequents, attends,
//     member of, present in, last seen at, found at) seen in the period
//     (first_seen <= $TO and last_seen >= $FROM) and not past its review
//     date on $TO; or
//   - an event in the period (its start, Europe/London date) at the place
//     (as its place or found-at place) or involving the peer group, the
//     young person among its people (return home interviews excluded).
//
// LINKS and EVENTS are extra conditions (on l, e, ep and v.context_id).
func tiesSQL(links, events string) string {
	return `SELECT l.target_id AS context_id, l.source_id AS person_id, l.kind AS how, l.last_seen AS seen
	  FROM links l JOIN people yp ON yp.id = l.source_id AND yp.kind = 'young_person'
	 WHERE l.kind IN ('frequents', 'attends', 'member_of', 'present_in', 'last_seen_at', 'found_at')
	   AND l.first_seen <= $TO AND l.last_seen >= $FROM AND l.review_date >= $TO AND ` + links + `
	UNION ALL
	SELECT v.context_id, ep.person_id, 'event', (e.starts_at AT TIME ZONE 'Europe/London')::date
	  FROM events e
	  CROSS JOIN LATERAL (SELECT e.place_id UNION SELECT e.found_place_id
	                      UNION SELECT eg.group_id FROM event_groups eg WHERE eg.event_id = e.id) v(context_id)
	  JOIN event_people ep ON ep.event_id = e.id
	  JOIN people yp ON yp.id = ep.person_id AND yp.kind = 'young_person'
	 WHERE v.context_id IS NOT NULL AND e.kind <> 'return_home_interview'
	   AND e.starts_at >= ($FROM::timestamp AT TIME ZONE 'Europe/London')
	   AND e.starts_at < (($TO + 1)::timestamp AT TIME ZONE 'Europe/London') AND ` + events
}

// withPeriod puts the period's parameter numbers into q.
func withPeriod(q string, from, to int) string {
	return strings.NewReplacer("$FROM", fmt.Sprintf("$%d::date", from), "$TO", fmt.Sprintf("$%d::date", to)).Replace(q)
}

// placesByID reads places as the caller may see them (sensitive ones
// generalised), by id.
func (db *DB) placesByID(ctx context.Context, pr intel.Principal, ids []int64) (map[int64]intel.Place, error) {
	out := map[int64]intel.Place{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.Pool.Query(ctx, placeSQL(`SELECT `+placeCols+` FROM places pl WHERE pl.id = ANY($1)`, 2, 3),
		ids, pr.PersonLevel(), pr.Scope())
	if err != nil {
		return nil, wrap(err, "places")
	}
	ps, err := collect(rows, scanPlace, "places")
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, err
}

// MetricSRID is the metric coordinate system of x/y columns.
func (db *DB) MetricSRID(ctx context.Context) (int, error) {
	var srid int
	err := db.Pool.QueryRow(ctx, `SELECT cm_metric_srid()`).Scan(&srid)
	return srid, wrap(err, "settings")
}
