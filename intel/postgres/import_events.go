package postgres

import (
	"context"
	"strconv"
	"strings"
)

// The events step of an import. Each staged event is matched once to a
// stored event by ext_ref and given its id (a new one from the sequence
// when it is new), so new events go in by a plain INSERT and stored ones
// by an UPDATE of the rows that differ, and event_people is written from
// the ids without looking the events up again. A new event's young_people
// (the young people among its participants) is computed here, so the
// event_people trigger that keeps it finds nothing to correct: without it,
// that trigger rewrote every new event a second time, and the hotspot
// trigger rebuilt every block a second time.

// eventRecorded computes an event's recorded columns from its staged
// row, the geometry being the place's point when it has none; old selects
// stored ($1 true) or new events.
const eventRecorded = `SELECT x.id, s.seq, s.kind, s.starts_at, s.ends_at, pl.id AS place_id,
		coalesce(ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), pl.pt) AS geom, s.category, s.severity,
		substr(s.grade, 1, 1) AS source_eval, substr(s.grade, 2, 1) AS intel_assessment, substr(s.grade, 3, 1) AS handling,
		s.legacy_grade, s.confirmed, s.agency AS source_agency, s.review_date, fp.id AS found_place_id, s.found_at, s.rhi_at,
		s.crime_type, s.key AS ext_ref, s.layer,
		CASE WHEN s.lon IS NULL THEN pd.district ELSE s.pt_district END AS known_district
	  FROM imp_evid x JOIN imp s USING (seq)
	  LEFT JOIN places pl ON pl.ext_ref = s.place_ref LEFT JOIN places fp ON fp.ext_ref = s.found_ref
	  LEFT JOIN imp_pd pd ON pd.id = pl.id
	 WHERE x.old = $1`

// districtOf is cm_district_of's rule for the point g, set-based: the
// district polygons are cut into small pieces once (imp_dist), so each
// point is tested against a few short rings found by the index:
// containment, else the nearest district within 100 m.
func districtOf(g string) string {
	return `coalesce(
	        (SELECT dd.code FROM imp_dist dd WHERE ST_Intersects(dd.geom, ` + g + `) ORDER BY dd.code LIMIT 1),
	        (SELECT dd.code FROM imp_dist dd
	          WHERE ST_DWithin(dd.geom, ` + g + `, 0.003) AND ST_DWithin(dd.geom::geography, ` + g + `::geography, 100)
	          ORDER BY ST_Distance(dd.geom::geography, ` + g + `::geography), dd.code LIMIT 1))`
}

// eventDerived adds the metric x/y and the district to rows of
// eventRecorded. The district is known_district where Go or the place
// found it (” for none), and districtOf's answer where not (a point on or
// near a boundary: import_districts.go). $2 is the metric SRID.
func eventDerived(from string) string {
	return `SELECT r.*, ST_X(m.m) AS x, ST_Y(m.m) AS y,
	       CASE WHEN r.known_district IS NOT NULL THEN nullif(r.known_district, '') ELSE ` + districtOf("r.geom") + ` END AS district
	  FROM ` + from + ` r
	 CROSS JOIN LATERAL (SELECT ST_Transform(r.geom, $2::integer) AS m) m`
}

// eventCompared are the recorded columns an update compares (x, y and the
// district follow from the point).
const eventCompared = `kind, starts_at, ends_at, place_id, geom, category, severity, source_eval, intel_assessment, handling,
	legacy_grade, confirmed, source_agency, review_date, found_place_id, found_at, rhi_at, crime_type, layer`

func prefixed(alias, cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, alias+"."+strings.TrimSpace(c))
	}
	return strings.Join(out, ", ")
}

func (b *batch) writeEvents(ctx context.Context) error {
	scope, adults := b.pr.Scope(), b.pr.SeesAdults()
	var srid int32
	if err := b.tx.QueryRow(ctx, `SELECT cm_metric_srid()`).Scan(&srid); err != nil {
		return err
	}
	// The districts cut into pieces for districtOf, only when some event
	// needs the database's rule: one at a place, or with a point the Go
	// index left open (import_districts.go). Otherwise imp_dist is empty.
	var rule bool
	if err := b.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM imp
		WHERE rtype = 'event' AND NOT bad AND (lon IS NULL OR pt_district IS NULL))`).Scan(&rule); err != nil {
		return err
	}
	for _, q := range []string{
		`CREATE TEMP TABLE imp_dist ON COMMIT DROP AS SELECT code, ST_Subdivide(geom, 64) AS geom FROM districts WHERE ` + strconv.FormatBool(rule),
		`CREATE INDEX ON imp_dist USING gist (geom)`,
		`ANALYZE imp_dist`,
		// The district of each place that events without their own point
		// are at, once a place.
		`CREATE TEMP TABLE imp_pd ON COMMIT DROP AS
		 SELECT pl.id, coalesce(` + districtOf("pl.pt") + `, '') AS district
		   FROM places pl WHERE pl.ext_ref IN (SELECT place_ref FROM imp WHERE rtype = 'event' AND lon IS NULL)`,
		`CREATE UNIQUE INDEX ON imp_pd (id)`,
		`ANALYZE imp_pd`,
	} {
		if err := b.exec(ctx, q); err != nil {
			return err
		}
	}
	if err := b.exec(ctx, `CREATE TEMP TABLE imp_ep ON COMMIT DROP AS
		SELECT e.seq, u.i, coalesce(ph.id, pp.id) AS person_id
		  FROM imp e CROSS JOIN LATERAL unnest(e.people_hash, e.people_ref) WITH ORDINALITY AS u(h, r, i)
		  LEFT JOIN people ph ON ph.ref_hash = u.h AND `+visible("ph")+`
		  LEFT JOIN people pp ON pp.pseudonym = u.r AND `+visible("pp")+`
		 WHERE e.rtype = 'event' AND NOT e.bad AND e.people_hash IS NOT NULL`, scope, adults); err != nil {
		return err
	}
	if err := b.exec(ctx, `CREATE TEMP TABLE imp_eg ON COMMIT DROP AS
		SELECT e.seq, u.i, g.id AS group_id
		  FROM imp e CROSS JOIN LATERAL unnest(e.group_refs) WITH ORDINALITY AS u(r, i)
		  LEFT JOIN peer_groups g ON g.ext_ref = u.r
		 WHERE e.rtype = 'event' AND NOT e.bad AND e.group_refs IS NOT NULL`); err != nil {
		return err
	}
	for _, q := range []string{
		`SELECT seq, line, 'place', 'refers to no place with this ext_ref in the database or among this file''s valid records'
		   FROM imp s WHERE rtype = 'event' AND NOT bad AND place_ref IS NOT NULL
		    AND NOT EXISTS (SELECT 1 FROM places p WHERE p.ext_ref = s.place_ref)`,
		`SELECT seq, line, 'found_place', 'refers to no place with this ext_ref in the database or among this file''s valid records'
		   FROM imp s WHERE rtype = 'event' AND NOT bad AND found_ref IS NOT NULL
		    AND NOT EXISTS (SELECT 1 FROM places p WHERE p.ext_ref = s.found_ref)`,
		`SELECT e.seq, e.line, 'people/' || (w.i - 1), 'refers to no person with this reference in the database or among this file''s valid records'
		   FROM imp_ep w JOIN imp e USING (seq) WHERE w.person_id IS NULL`,
		`SELECT e.seq, e.line, 'groups/' || (w.i - 1), 'refers to no group with this ext_ref in the database or among this file''s valid records'
		   FROM imp_eg w JOIN imp e USING (seq) WHERE w.group_id IS NULL`,
	} {
		if err := b.check(ctx, "imp", q); err != nil {
			return err
		}
	}
	if scope != nil {
		if err := b.check(ctx, "imp", `SELECT e.seq, e.line, 'ext_ref', 'names an event outside the districts you may write to'
			FROM imp e JOIN events ev ON ev.ext_ref = e.key
			WHERE e.rtype = 'event' AND NOT e.bad AND (ev.district IS NULL OR NOT ev.district = ANY($1))`, scope); err != nil {
			return err
		}
	}
	initial, err := b.initialLoad(ctx)
	if err != nil {
		return err
	}
	var ld *loader
	if initial {
		// Locked before the events are matched, so no one else can add
		// one with the same ext_ref in between.
		if ld, err = b.beginInitial(ctx); err != nil {
			return err
		}
		b.res.InitialLoads++
	}
	// Each event's id: the stored event's, or a new one.
	if err := b.exec(ctx, `CREATE TEMP TABLE imp_evid ON COMMIT DROP AS
		SELECT s.seq, s.line, coalesce(ev.id, nextval('events_id_seq')) AS id, ev.id IS NOT NULL AS old
		  FROM imp s LEFT JOIN events ev ON ev.ext_ref = s.key
		 WHERE s.rtype = 'event' AND NOT s.bad`); err != nil {
		return err
	}
	if err := b.exec(ctx, `CREATE INDEX ON imp_evid (seq)`); err != nil {
		return err
	}
	if err := b.exec(ctx, `ANALYZE imp_evid`); err != nil {
		return err
	}
	// x, y and district are given: the per-row trigger stands aside for
	// this transaction's statements (migration 00041).
	if err := b.exec(ctx, `SET LOCAL contextmap.derived = 'on'`); err != nil {
		return err
	}
	if err := b.exec(ctx, `INSERT INTO events (id, kind, starts_at, ends_at, place_id, geom, x, y, district, category,
			severity, source_eval, intel_assessment, handling, legacy_grade, confirmed, source_agency, review_date,
			found_place_id, found_at, rhi_at, crime_type, ext_ref, layer, young_people)
		SELECT n.id, n.kind, n.starts_at, n.ends_at, n.place_id, n.geom, n.x, n.y, n.district, n.category,
			n.severity, n.source_eval, n.intel_assessment, n.handling, n.legacy_grade, n.confirmed, n.source_agency, n.review_date,
			n.found_place_id, n.found_at, n.rhi_at, n.crime_type, n.ext_ref, n.layer, coalesce(yp.ids, '{}')
		  FROM (`+eventDerived("("+eventRecorded+")")+`) n
		  LEFT JOIN (SELECT w.seq, array_agg(DISTINCT w.person_id ORDER BY w.person_id) AS ids
		               FROM imp_ep w JOIN people p ON p.id = w.person_id AND p.kind = 'young_person'
		              GROUP BY w.seq) yp ON yp.seq = n.seq`, false, srid); err != nil {
		return err
	}
	if err := b.exec(ctx, `INSERT INTO imp_done SELECT 'event', id, true FROM imp_evid WHERE NOT old`); err != nil {
		return err
	}
	// Stored events whose recorded content differs are updated in place.
	// imp_old keeps what they were (tile, month, district) for the initial
	// load, which keeps the hotspot blocks and counts itself.
	if err := b.exec(ctx, `CREATE TEMP TABLE imp_old (id bigint NOT NULL, tile bigint, month date, district text) ON COMMIT DROP`); err != nil {
		return err
	}
	// Only the rows that differ get their x/y and district computed.
	if err := b.exec(ctx, `WITH r AS MATERIALIZED (`+eventRecorded+`),
		 ch AS (SELECT r.* FROM r JOIN events e ON e.id = r.id
		         WHERE (`+prefixed("e", eventCompared)+`) IS DISTINCT FROM (`+prefixed("r", eventCompared)+`)),
		 n AS MATERIALIZED (`+eventDerived("ch")+`),
		 was AS (INSERT INTO imp_old SELECT e.id, e.cm_tile, cm_hotspot_month(e.starts_at), e.district
		           FROM events e JOIN n ON n.id = e.id),
		 up AS (UPDATE events e SET kind = n.kind, starts_at = n.starts_at, ends_at = n.ends_at, place_id = n.place_id,
			geom = n.geom, x = n.x, y = n.y, district = n.district, category = n.category, severity = n.severity,
			source_eval = n.source_eval, intel_assessment = n.intel_assessment, handling = n.handling,
			legacy_grade = n.legacy_grade, confirmed = n.confirmed, source_agency = n.source_agency,
			review_date = n.review_date, found_place_id = n.found_place_id, found_at = n.found_at, rhi_at = n.rhi_at,
			crime_type = n.crime_type, layer = n.layer, updated_at = now()
		  FROM n WHERE e.id = n.id
		RETURNING e.id)
		INSERT INTO imp_done SELECT 'event', id, false FROM up`, true, srid); err != nil {
		return err
	}
	if err := b.exec(ctx, `SET LOCAL contextmap.derived = 'off'`); err != nil {
		return err
	}
	if scope != nil {
		if err := b.check(ctx, "imp", `SELECT x.seq, x.line, 'geometry', 'is outside the districts you may write to'
			FROM imp_evid x JOIN events ev ON ev.id = x.id WHERE ev.district IS NULL OR NOT ev.district = ANY($1)`, scope); err != nil {
			return err
		}
	}
	// Who and which groups: the file's list replaces the stored one
	// (participants the caller may not see are kept), touching only pairs
	// that differ. A new event has none stored. For stored events the
	// pairs that differ are found by one full join of the file's pairs
	// with the stored ones (imp_pdiff: add, or remove a pair the caller
	// may see), 2.5 times as fast on a re-import of a million events as
	// two anti-joins.
	for _, q := range []string{
		`CREATE TEMP TABLE imp_pdiff ON COMMIT DROP AS
		 SELECT coalesce(s.id, t.id) AS id, coalesce(s.person_id, t.person_id) AS person_id, s.id IS NOT NULL AS add
		   FROM (SELECT DISTINCT x.id, w.person_id FROM imp_ep w JOIN imp_evid x USING (seq) WHERE x.old) s
		   FULL JOIN (SELECT ep.event_id AS id, ep.person_id, ($1 OR pp.kind <> 'adult_of_concern') AS visible
		                FROM imp_evid x JOIN event_people ep ON ep.event_id = x.id JOIN people pp ON pp.id = ep.person_id
		               WHERE x.old) t ON t.id = s.id AND t.person_id = s.person_id
		  WHERE t.id IS NULL OR (s.id IS NULL AND t.visible)`,
		`WITH del AS (DELETE FROM event_people ep USING imp_pdiff d
			WHERE NOT d.add AND ep.event_id = d.id AND ep.person_id = d.person_id
			RETURNING ep.event_id, ep.person_id),
		 who AS (INSERT INTO imp_who SELECT person_id FROM del)
		 INSERT INTO imp_done SELECT 'event', event_id, false FROM del`,
		`WITH ins AS (INSERT INTO event_people (event_id, person_id)
			SELECT id, person_id FROM imp_pdiff WHERE add
			ON CONFLICT DO NOTHING RETURNING event_id, person_id),
		 who AS (INSERT INTO imp_who SELECT person_id FROM ins)
		 INSERT INTO imp_done SELECT 'event', event_id, false FROM ins`,
		`INSERT INTO event_people (event_id, person_id)
		 SELECT DISTINCT x.id, w.person_id FROM imp_ep w JOIN imp_evid x USING (seq) WHERE NOT x.old`,
		`INSERT INTO imp_who SELECT DISTINCT w.person_id FROM imp_ep w JOIN imp_evid x USING (seq) WHERE NOT x.old`,
		`WITH del AS (DELETE FROM event_groups eg USING imp_evid x
			WHERE x.old AND eg.event_id = x.id AND NOT EXISTS (SELECT 1 FROM imp_eg w WHERE w.seq = x.seq AND w.group_id = eg.group_id)
			RETURNING eg.event_id)
		 INSERT INTO imp_done SELECT 'event', event_id, false FROM del`,
		`WITH ins AS (INSERT INTO event_groups (event_id, group_id)
			SELECT DISTINCT x.id, w.group_id FROM imp_eg w JOIN imp_evid x USING (seq)
			 WHERE x.old AND NOT EXISTS (SELECT 1 FROM event_groups eg WHERE eg.event_id = x.id AND eg.group_id = w.group_id)
			ON CONFLICT DO NOTHING RETURNING event_id)
		 INSERT INTO imp_done SELECT 'event', event_id, false FROM ins`,
		`INSERT INTO event_groups (event_id, group_id)
		 SELECT DISTINCT x.id, w.group_id FROM imp_eg w JOIN imp_evid x USING (seq) WHERE NOT x.old`,
		// People of stored events whose own row or lists changed.
		`INSERT INTO imp_who SELECT ep.person_id FROM event_people ep
		  WHERE ep.event_id IN (SELECT id FROM imp_done WHERE t = 'event' AND NOT ins)`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, adults)
		}
		if err := b.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	if ld != nil {
		return ld.finish(ctx)
	}
	return nil
}
