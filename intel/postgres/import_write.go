package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
)

// The write step of a batch: checks that need the database (keys repeated
// in the file, districts, references, link ends, scope), then set-based
// upserts type by type, each record type after those it refers to. Every
// check marks its rows bad and reports them; bad rows are never written,
// and a batch with one is rolled back whole.

// check runs a query returning (seq, line, field, reason) of bad rows,
// reports them and marks them bad in table.
func (b *batch) check(ctx context.Context, table, q string, args ...any) error {
	defer b.trace(q, time.Now())
	rows, err := b.tx.Query(ctx, `WITH bad (seq, line, field, reason) AS (`+q+`),
		mark AS (UPDATE `+table+` t SET bad = true FROM bad WHERE t.seq = bad.seq)
		SELECT line, field, reason FROM bad ORDER BY line`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fe intel.FieldError
		var line int32
		if err := rows.Scan(&line, &fe.Field, &fe.Reason); err != nil {
			return err
		}
		fe.Line = int(line)
		b.fail(fe)
	}
	return rows.Err()
}

func (b *batch) trace(q string, began time.Time) {
	if b.opt.Trace != nil {
		b.opt.Trace(strings.Join(strings.Fields(q), " "), time.Since(began))
	}
}

func (b *batch) exec(ctx context.Context, q string, args ...any) error {
	t0 := time.Now()
	_, err := b.tx.Exec(ctx, q, args...)
	b.trace(q, t0)
	return err
}

// visible is true for people the caller may write about: in its districts
// and, for roles that do not see them, not adults of concern. $1 is the
// scope, $2 whether the caller sees adults.
func visible(alias string) string {
	return fmt.Sprintf(`($1::text[] IS NULL OR %[1]s.district = ANY($1)) AND ($2 OR %[1]s.kind <> 'adult_of_concern')`, alias)
}

func (b *batch) write(ctx context.Context) error {
	steps := []struct {
		name string
		typ  string
		fn   func(context.Context) error
	}{
		{"checking keys", "", b.checkCommon},
		{"writing places", ingest.TypePlace, b.writePlaces},
		{"writing groups", ingest.TypeGroup, b.writeGroups},
		{"writing spaces", ingest.TypeSpace, b.writeSpaces},
		{"writing people", ingest.TypePerson, b.writePeople},
		{"writing status changes", ingest.TypeStatus, b.writeStatuses},
		{"writing assessments", ingest.TypeAssessment, b.writeAssessments},
		{"writing links", ingest.TypeLink, b.writeLinks},
		{"writing events", ingest.TypeEvent, b.writeEvents},
	}
	for _, s := range steps {
		if s.typ != "" && b.good[s.typ] == 0 {
			continue
		}
		b.progress(s.name)
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if err := b.tally(ctx); err != nil {
		return err
	}
	rows, err := b.tx.Query(ctx, `SELECT DISTINCT person_id FROM imp_who ORDER BY 1`)
	if err != nil {
		return err
	}
	b.people, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	return err
}

// tally counts each type's inserted, updated and unchanged rows.
func (b *batch) tally(ctx context.Context) error {
	rows, err := b.tx.Query(ctx, `SELECT t, count(*) FILTER (WHERE i), count(*) FILTER (WHERE NOT i)
		FROM (SELECT t, id, bool_or(ins) AS i FROM imp_done WHERE t <> 'status' GROUP BY t, id
		      UNION ALL SELECT t, id, ins FROM imp_done WHERE t = 'status') x GROUP BY t`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var ins, upd int64
		if err := rows.Scan(&t, &ins, &upd); err != nil {
			return err
		}
		c := b.counts[t]
		if c == nil {
			c = &ImportCount{}
			b.counts[t] = c
		}
		c.Inserted, c.Updated = ins, upd
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var good []struct {
		t string
		n int64
	}
	rows, err = b.tx.Query(ctx, `SELECT rtype, count(*) FROM imp WHERE NOT bad GROUP BY rtype`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g struct {
			t string
			n int64
		}
		if err := rows.Scan(&g.t, &g.n); err != nil {
			return err
		}
		good = append(good, g)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range good {
		c := b.counts[g.t]
		if c == nil {
			c = &ImportCount{}
			b.counts[g.t] = c
		}
		c.Unchanged = max(0, g.n-c.Inserted-c.Updated)
	}
	return nil
}

func (b *batch) checkCommon(ctx context.Context) error {
	// A key given twice in one batch: which record should win is not ours
	// to guess.
	if err := b.check(ctx, "imp", `SELECT s.seq, s.line,
			CASE WHEN s.rtype = 'person' THEN CASE WHEN s.key LIKE 'h:%' THEN 'case_ref' ELSE 'pseudonym' END ELSE 'ext_ref' END,
			'repeats the key of the ' || s.rtype || ' at line ' || d.first || ': give each record once'
		FROM (SELECT rtype, key, min(seq) AS first_seq, min(line) AS first FROM imp WHERE key IS NOT NULL
		       GROUP BY rtype, key HAVING count(*) > 1) d
		JOIN imp s ON s.rtype = d.rtype AND s.key = d.key AND s.seq <> d.first_seq`); err != nil {
		return err
	}
	if b.good[ingest.TypePerson] > 0 {
		if err := b.check(ctx, "imp", `SELECT seq, line, 'pseudonym',
				'is also given to the person at line ' || first || ' (pseudonyms are unique)'
			FROM (SELECT seq, line, first_value(line) OVER w AS first, row_number() OVER w AS n
			        FROM imp WHERE rtype = 'person' AND NOT bad WINDOW w AS (PARTITION BY pseudonym ORDER BY seq)) d WHERE n > 1`); err != nil {
			return err
		}
	}
	if b.good[ingest.TypeAssessment] > 0 {
		if err := b.check(ctx, "imp", `SELECT seq, line, 'completed_on',
				'repeats the assessment at line ' || first || ' (same person, kind and date, and no ext_ref to tell them apart)'
			FROM (SELECT seq, line, first_value(line) OVER w AS first, row_number() OVER w AS n
			        FROM imp WHERE rtype = 'assessment' AND key IS NULL
			      WINDOW w AS (PARTITION BY src_hash, src_ref, kind, completed_on ORDER BY seq)) d WHERE n > 1`); err != nil {
			return err
		}
	}
	if b.good[ingest.TypeStatus] > 0 {
		if err := b.check(ctx, "imp", `SELECT seq, line, 'from',
				'repeats the ' || kind || ' change at line ' || first || ' (same person and date)'
			FROM (SELECT seq, line, kind, first_value(line) OVER w AS first, row_number() OVER w AS n
			        FROM imp WHERE rtype = 'status'
			      WINDOW w AS (PARTITION BY src_hash, src_ref, kind, first_seen ORDER BY seq)) d WHERE n > 1`); err != nil {
			return err
		}
	}
	return b.check(ctx, "imp", `SELECT seq, line, 'district', 'is not a district of this area: load its boundaries first (contextmap districts)'
		FROM imp s WHERE district IS NOT NULL AND NOT EXISTS (SELECT 1 FROM districts d WHERE d.code = s.district)`)
}

func (b *batch) writePlaces(ctx context.Context) error {
	if err := b.check(ctx, "imp", `SELECT seq, line, 'geometry', 'is not a valid geometry: ' || ST_IsValidReason(g)
		FROM (SELECT seq, line, ST_GeomFromGeoJSON(geojson) AS g FROM imp WHERE rtype = 'place' AND NOT bad) x
		WHERE NOT ST_IsValid(g)`); err != nil {
		return err
	}
	// EXCLUDED holds the row as the BEFORE INSERT trigger left it: the
	// geometry oriented, the district assigned when none was given.
	return b.exec(ctx, `WITH up AS (
		INSERT INTO places (name, kind, sensitive, urn, geom, district, ext_ref)
		SELECT name, kind, sensitive, urn, ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326), district, key
		  FROM imp WHERE rtype = 'place' AND NOT bad
		ON CONFLICT (ext_ref) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, sensitive = EXCLUDED.sensitive,
			urn = EXCLUDED.urn, geom = EXCLUDED.geom, district = EXCLUDED.district
		WHERE (places.name, places.kind, places.sensitive, places.urn, places.geom, places.district)
		      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.sensitive, EXCLUDED.urn, EXCLUDED.geom, EXCLUDED.district)
		RETURNING id, xmax = 0 AS ins)
		INSERT INTO imp_done SELECT 'place', id, ins FROM up`)
}

func (b *batch) writeGroups(ctx context.Context) error {
	return b.exec(ctx, `WITH up AS (
		INSERT INTO peer_groups (name, description, district, ext_ref)
		SELECT name, description, district, key FROM imp WHERE rtype = 'group' AND NOT bad
		ON CONFLICT (ext_ref) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
			district = EXCLUDED.district, updated_at = now()
		WHERE (peer_groups.name, peer_groups.description, peer_groups.district)
		      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.district)
		RETURNING id, xmax = 0 AS ins)
		INSERT INTO imp_done SELECT 'group', id, ins FROM up`)
}

func (b *batch) writeSpaces(ctx context.Context) error {
	return b.exec(ctx, `WITH up AS (
		INSERT INTO online_spaces (name, platform, space_kind, district, ext_ref)
		SELECT name, platform, kind, district, key FROM imp WHERE rtype = 'space' AND NOT bad
		ON CONFLICT (ext_ref) DO UPDATE SET name = EXCLUDED.name, platform = EXCLUDED.platform,
			space_kind = EXCLUDED.space_kind, district = EXCLUDED.district, updated_at = now()
		WHERE (online_spaces.name, online_spaces.platform, online_spaces.space_kind, online_spaces.district)
		      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.platform, EXCLUDED.space_kind, EXCLUDED.district)
		RETURNING id, xmax = 0 AS ins)
		INSERT INTO imp_done SELECT 'space', id, ins FROM up`)
}

func (b *batch) writePeople(ctx context.Context) error {
	scope, adults := b.pr.Scope(), b.pr.SeesAdults()
	if !adults {
		if err := b.check(ctx, "imp", `SELECT seq, line, 'kind', 'your role may not record adults of concern'
			FROM imp WHERE rtype = 'person' AND NOT bad AND kind = 'adult_of_concern'`); err != nil {
			return err
		}
	}
	if scope != nil {
		if err := b.check(ctx, "imp", `SELECT seq, line, 'district', 'is outside the districts you may write to'
			FROM imp WHERE rtype = 'person' AND NOT bad AND (district IS NULL OR NOT district = ANY($1))`, scope); err != nil {
			return err
		}
	}
	// Match by the case reference's hash; else by pseudonym, unless the
	// stored person has another case reference.
	if err := b.exec(ctx, `UPDATE imp s SET node_id = p.id FROM people p
		WHERE s.rtype = 'person' AND s.ref_hash IS NOT NULL AND p.ref_hash = s.ref_hash`); err != nil {
		return err
	}
	if err := b.exec(ctx, `UPDATE imp s SET node_id = p.id FROM people p
		WHERE s.rtype = 'person' AND s.node_id IS NULL AND p.pseudonym = s.pseudonym AND (s.ref_hash IS NULL OR p.ref_hash IS NULL)`); err != nil {
		return err
	}
	if err := b.check(ctx, "imp", `SELECT s.seq, s.line, 'pseudonym',
			'is another person''s pseudonym (their case reference differs)'
		FROM imp s JOIN people p ON p.pseudonym = s.pseudonym
		WHERE s.rtype = 'person' AND NOT s.bad AND p.id IS DISTINCT FROM s.node_id`); err != nil {
		return err
	}
	if scope != nil || !adults {
		if err := b.check(ctx, "imp", `SELECT s.seq, s.line, 'pseudonym',
				'names a person outside the districts you may write to'
			FROM imp s JOIN people p ON p.id = s.node_id
			WHERE s.rtype = 'person' AND NOT s.bad AND NOT (`+visible("p")+`)`, scope, adults); err != nil {
			return err
		}
	}
	if err := b.exec(ctx, `WITH up AS (
		UPDATE people p SET kind = s.kind, pseudonym = s.pseudonym, ref_hash = coalesce(s.ref_hash, p.ref_hash),
			age_band = s.age_band, district = s.district, updated_at = now()
		  FROM imp s
		 WHERE s.rtype = 'person' AND NOT s.bad AND s.node_id = p.id
		   AND (p.kind, p.pseudonym, p.ref_hash, p.age_band, p.district)
		       IS DISTINCT FROM (s.kind, s.pseudonym, coalesce(s.ref_hash, p.ref_hash), s.age_band, s.district)
		RETURNING p.id)
		INSERT INTO imp_done SELECT 'person', id, false FROM up`); err != nil {
		return err
	}
	if err := b.exec(ctx, `WITH ins AS (
		INSERT INTO people (kind, pseudonym, ref_hash, age_band, district)
		SELECT kind, pseudonym, ref_hash, age_band, district FROM imp WHERE rtype = 'person' AND NOT bad AND node_id IS NULL
		RETURNING id)
		INSERT INTO imp_done SELECT 'person', id, true FROM ins`); err != nil {
		return err
	}
	if err := b.exec(ctx, `UPDATE imp s SET node_id = p.id FROM people p
		WHERE s.rtype = 'person' AND NOT s.bad AND s.node_id IS NULL AND p.pseudonym = s.pseudonym`); err != nil {
		return err
	}
	for _, h := range []struct{ table, col, field string }{
		{"person_statuses", "status", "statuses"}, {"person_categories", "category", "categories"},
	} {
		// A history given replaces the stored one, only when they differ.
		q := strings.NewReplacer("$T", h.table, "$C", h.col, "$F", h.field)
		for _, stmt := range []string{
			`CREATE TEMP TABLE imp_hist ON COMMIT DROP AS
			 SELECT s.node_id, s.$F AS want
			   FROM imp s LEFT JOIN (
			        SELECT h.person_id, jsonb_agg(jsonb_build_object('$C', h.$C, 'from', h.valid_from, 'to', h.valid_to)
			               ORDER BY h.valid_from) AS have
			          FROM $T h WHERE h.person_id IN (SELECT node_id FROM imp WHERE rtype = 'person' AND $F IS NOT NULL)
			         GROUP BY h.person_id) x ON x.person_id = s.node_id
			  WHERE s.rtype = 'person' AND NOT s.bad AND s.$F IS NOT NULL AND s.$F IS DISTINCT FROM coalesce(x.have, '[]'::jsonb)`,
			`DELETE FROM $T h USING imp_hist x WHERE h.person_id = x.node_id`,
			`INSERT INTO $T (person_id, $C, valid_from, valid_to)
			 SELECT x.node_id, r.$C, r."from", r."to" FROM imp_hist x, jsonb_to_recordset(x.want) AS r($C text, "from" date, "to" date)`,
			`INSERT INTO imp_done SELECT 'person', node_id, false FROM imp_hist`,
			`DROP TABLE imp_hist`,
		} {
			if err := b.exec(ctx, q.Replace(stmt)); err != nil {
				return err
			}
		}
	}
	return b.exec(ctx, `INSERT INTO imp_who SELECT id FROM imp_done WHERE t = 'person'`)
}

// resolvePerson fills src_id of rows of rtype from their person reference,
// leaving it NULL for people the caller may not write about.
func (b *batch) resolvePerson(ctx context.Context, rtype string) error {
	scope, adults := b.pr.Scope(), b.pr.SeesAdults()
	if err := b.exec(ctx, `UPDATE imp s SET src_id = p.id FROM people p
		WHERE s.rtype = $3 AND s.src_hash IS NOT NULL AND p.ref_hash = s.src_hash AND `+visible("p"), scope, adults, rtype); err != nil {
		return err
	}
	if err := b.exec(ctx, `UPDATE imp s SET src_id = p.id FROM people p
		WHERE s.rtype = $3 AND s.src_ref IS NOT NULL AND p.pseudonym = s.src_ref AND `+visible("p"), scope, adults, rtype); err != nil {
		return err
	}
	return b.check(ctx, "imp", `SELECT seq, line, 'person', 'refers to no person with this reference in the database or among this file''s valid records'
		FROM imp WHERE rtype = $1 AND NOT bad AND src_id IS NULL`, rtype)
}

func (b *batch) writeStatuses(ctx context.Context) error {
	if err := b.resolvePerson(ctx, ingest.TypeStatus); err != nil {
		return err
	}
	if err := b.check(ctx, "imp", `SELECT s.seq, s.line, 'person', 'case status and exploitation category apply only to young people'
		FROM imp s JOIN people p ON p.id = s.src_id WHERE s.rtype = 'status' AND NOT s.bad AND p.kind <> 'young_person'`); err != nil {
		return err
	}
	// Changes are applied in date order per person, as the API's
	// POST /people/{id}/status does, except that a change already recorded
	// (the same value from the same date) is left alone, so a file imported
	// twice changes nothing.
	if err := b.exec(ctx, `DO $$
	DECLARE r record; cur text; later int; n int; tbl text; col text;
	BEGIN
	  FOR r IN SELECT seq, line, src_id AS pid, kind AS which, value, first_seen AS d FROM imp
	           WHERE rtype = 'status' AND NOT bad ORDER BY src_id, kind, first_seen LOOP
	    IF r.which = 'status' THEN tbl := 'person_statuses'; col := 'status';
	    ELSE tbl := 'person_categories'; col := 'category'; END IF;
	    EXECUTE format('SELECT %I FROM %I WHERE person_id = $1 AND valid_from = $2', col, tbl) INTO cur USING r.pid, r.d;
	    IF cur IS NOT DISTINCT FROM r.value THEN CONTINUE; END IF;
	    EXECUTE format('SELECT count(*) FROM %I WHERE person_id = $1 AND valid_from > $2', tbl) INTO later USING r.pid, r.d;
	    IF later > 0 THEN
	      INSERT INTO imp_err VALUES (r.seq, r.line, 'from', 'a later ' || r.which ||
	        ' is already recorded for this person: changes must come in date order (or replace the history with a person record)');
	      CONTINUE;
	    END IF;
	    n := 0;
	    IF cur IS NOT NULL THEN
	      EXECUTE format('DELETE FROM %I WHERE person_id = $1 AND valid_from = $2', tbl) USING r.pid, r.d;
	      n := 1;
	    ELSE
	      EXECUTE format('UPDATE %I SET valid_to = $2 WHERE person_id = $1 AND valid_from < $2 AND (valid_to IS NULL OR valid_to > $2)', tbl)
	        USING r.pid, r.d;
	      GET DIAGNOSTICS n = ROW_COUNT;
	    END IF;
	    IF r.value <> 'none' THEN
	      EXECUTE format('INSERT INTO %I (person_id, %I, valid_from) VALUES ($1, $2, $3)', tbl, col) USING r.pid, r.value, r.d;
	      n := n + 1;
	    END IF;
	    IF n > 0 THEN INSERT INTO imp_done VALUES ('status', r.pid, true); END IF;
	  END LOOP;
	END $$`); err != nil {
		return err
	}
	if err := b.check(ctx, "imp", `SELECT seq, line, field, reason FROM imp_err`); err != nil {
		return err
	}
	return b.exec(ctx, `INSERT INTO imp_who SELECT id FROM imp_done WHERE t = 'status'`)
}

func (b *batch) writeAssessments(ctx context.Context) error {
	if err := b.resolvePerson(ctx, ingest.TypeAssessment); err != nil {
		return err
	}
	if err := b.check(ctx, "imp", `SELECT s.seq, s.line, 'person', 'risk assessments are of young people'
		FROM imp s JOIN people p ON p.id = s.src_id WHERE s.rtype = 'assessment' AND NOT s.bad AND p.kind <> 'young_person'`); err != nil {
		return err
	}
	// Match by ext_ref; else by person, kind and date among assessments
	// without one (which then takes the file's ext_ref).
	if err := b.exec(ctx, `UPDATE imp s SET node_id = a.id FROM assessments a
		WHERE s.rtype = 'assessment' AND s.key IS NOT NULL AND a.ext_ref = s.key`); err != nil {
		return err
	}
	if err := b.exec(ctx, `UPDATE imp s SET node_id = a.id FROM assessments a
		WHERE s.rtype = 'assessment' AND NOT s.bad AND s.node_id IS NULL AND a.ext_ref IS NULL
		  AND a.person_id = s.src_id AND a.kind = s.kind AND a.completed_on = s.completed_on`); err != nil {
		return err
	}
	if b.pr.Scope() != nil {
		if err := b.check(ctx, "imp", `SELECT s.seq, s.line, 'ext_ref', 'names an assessment of a person outside the districts you may write to'
			FROM imp s JOIN assessments a ON a.id = s.node_id JOIN people p ON p.id = a.person_id
			WHERE s.rtype = 'assessment' AND NOT s.bad AND NOT (`+visible("p")+`)`, b.pr.Scope(), b.pr.SeesAdults()); err != nil {
			return err
		}
	}
	if err := b.exec(ctx, `WITH up AS (
		UPDATE assessments a SET person_id = s.src_id, kind = s.kind, completed_on = s.completed_on, risk_level = s.category,
			next_review = s.next_review, agency = s.agency, ext_ref = coalesce(s.key, a.ext_ref), updated_at = now()
		  FROM imp s
		 WHERE s.rtype = 'assessment' AND NOT s.bad AND s.node_id = a.id
		   AND (a.person_id, a.kind, a.completed_on, a.risk_level, a.next_review, a.agency, a.ext_ref)
		       IS DISTINCT FROM (s.src_id, s.kind, s.completed_on, s.category, s.next_review, s.agency, coalesce(s.key, a.ext_ref))
		RETURNING a.id, a.person_id),
		who AS (INSERT INTO imp_who SELECT person_id FROM up)
		INSERT INTO imp_done SELECT 'assessment', id, false FROM up`); err != nil {
		return err
	}
	return b.exec(ctx, `WITH ins AS (
		INSERT INTO assessments (person_id, kind, completed_on, risk_level, next_review, agency, ext_ref)
		SELECT src_id, kind, completed_on, category, next_review, agency, key FROM imp
		 WHERE rtype = 'assessment' AND NOT bad AND node_id IS NULL
		RETURNING id, person_id),
		who AS (INSERT INTO imp_who SELECT person_id FROM ins)
		INSERT INTO imp_done SELECT 'assessment', id, true FROM ins`)
}

// endJoin joins the node a link end names: a person by case reference
// hash or pseudonym (only people the caller may write about), else a place,
// group or space by ext_ref.
func endJoin(p string) string {
	r := strings.NewReplacer("$E", p)
	return r.Replace(`
		LEFT JOIN people $Eh ON s.$E_type = 'person' AND $Eh.ref_hash = s.$E_hash AND ` + visible(p+"h") + `
		LEFT JOIN people $Ep ON s.$E_type = 'person' AND $Ep.pseudonym = s.$E_ref AND ` + visible(p+"p") + `
		LEFT JOIN places $El ON s.$E_type = 'place' AND $El.ext_ref = s.$E_ref
		LEFT JOIN peer_groups $Eg ON s.$E_type = 'group' AND $Eg.ext_ref = s.$E_ref
		LEFT JOIN online_spaces $Es ON s.$E_type = 'space' AND $Es.ext_ref = s.$E_ref`)
}

func (b *batch) writeLinks(ctx context.Context) error {
	scope, adults := b.pr.Scope(), b.pr.SeesAdults()
	if err := b.exec(ctx, `CREATE TEMP TABLE imp_link ON COMMIT DROP AS
		SELECT s.seq, s.line, s.key, s.kind, s.src_type, s.dst_type, s.grade, s.legacy_grade, s.confirmed, s.agency,
		       s.first_seen, s.last_seen, s.review_date, s.nature, s.strength, s.recorded_by,
		       coalesce(srch.id, srcp.id, srcl.id, srcg.id, srcs.id) AS src_id, coalesce(srch.kind, srcp.kind) AS src_kind,
		       coalesce(dsth.id, dstp.id, dstl.id, dstg.id, dsts.id) AS dst_id, false AS bad
		  FROM imp s`+endJoin("src")+endJoin("dst")+`
		 WHERE s.rtype = 'link' AND NOT s.bad`, scope, adults); err != nil {
		return err
	}
	var rules []string
	for _, k := range intel.LinkKinds {
		if sp := intel.LinkRules[k].SourcePerson; sp != "" {
			rules = append(rules, fmt.Sprintf("('%s', '%s')", k, sp))
		}
	}
	slices.Sort(rules)
	for _, q := range []string{
		`SELECT seq, line, 'source_ref', 'refers to no ' || src_type || ' with this reference in the database or among this file''s valid records'
		   FROM imp_link WHERE src_id IS NULL`,
		`SELECT seq, line, 'target_ref', 'refers to no ' || dst_type || ' with this reference in the database or among this file''s valid records'
		   FROM imp_link WHERE dst_id IS NULL AND NOT bad`,
		`SELECT seq, line, 'source_ref', 'this kind of link must start at a ' || r.sp
		   FROM imp_link l JOIN (VALUES ` + strings.Join(rules, ", ") + `) AS r(kind, sp) ON r.kind = l.kind
		  WHERE NOT l.bad AND l.src_type = 'person' AND l.src_kind <> r.sp`,
		`SELECT seq, line, 'target_ref', 'a link cannot join a node to itself' FROM imp_link WHERE NOT bad AND src_id = dst_id`,
	} {
		if err := b.check(ctx, "imp_link", q); err != nil {
			return err
		}
	}
	if scope != nil || !adults {
		// A link already stored that the caller may not see is not theirs
		// to change.
		if err := b.check(ctx, "imp_link", `SELECT l.seq, l.line, 'ext_ref', 'names a link between people outside the districts you may write to'
			FROM imp_link l JOIN links k ON k.ext_ref = l.key
			LEFT JOIN people sp ON sp.id = k.source_id LEFT JOIN people tp ON tp.id = k.target_id
			WHERE NOT l.bad AND ((sp.id IS NOT NULL AND NOT (`+visible("sp")+`)) OR (tp.id IS NOT NULL AND NOT (`+visible("tp")+`)))`,
			scope, adults); err != nil {
			return err
		}
	}
	return b.exec(ctx, `WITH up AS (
		INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, legacy_grade, confirmed,
			source_agency, first_seen, last_seen, review_date, nature, strength, recorded_by, ext_ref)
		SELECT kind, src_id, dst_id, substr(grade, 1, 1), substr(grade, 2, 1), substr(grade, 3, 1), legacy_grade, confirmed,
			agency, first_seen, last_seen, review_date, nature, strength, coalesce(recorded_by, $1), key
		  FROM imp_link WHERE NOT bad
		ON CONFLICT (ext_ref) DO UPDATE SET kind = EXCLUDED.kind, source_id = EXCLUDED.source_id, target_id = EXCLUDED.target_id,
			source_eval = EXCLUDED.source_eval, intel_assessment = EXCLUDED.intel_assessment, handling = EXCLUDED.handling,
			legacy_grade = EXCLUDED.legacy_grade, confirmed = EXCLUDED.confirmed, source_agency = EXCLUDED.source_agency,
			first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, review_date = EXCLUDED.review_date,
			nature = EXCLUDED.nature, strength = EXCLUDED.strength, recorded_by = EXCLUDED.recorded_by, updated_at = now()
		WHERE (links.kind, links.source_id, links.target_id, links.source_eval, links.intel_assessment, links.handling,
		       links.legacy_grade, links.confirmed, links.source_agency, links.first_seen, links.last_seen, links.review_date,
		       links.nature, links.strength)
		      IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.source_id, EXCLUDED.target_id, EXCLUDED.source_eval,
		       EXCLUDED.intel_assessment, EXCLUDED.handling, EXCLUDED.legacy_grade, EXCLUDED.confirmed, EXCLUDED.source_agency,
		       EXCLUDED.first_seen, EXCLUDED.last_seen, EXCLUDED.review_date, EXCLUDED.nature, EXCLUDED.strength)
		   OR (EXCLUDED.recorded_by <> $1 AND EXCLUDED.recorded_by IS DISTINCT FROM links.recorded_by)
		RETURNING id, source_id, target_id, xmax = 0 AS ins),
		who AS (INSERT INTO imp_who SELECT u.id FROM up, LATERAL (VALUES (up.source_id), (up.target_id)) AS u(id)
		         WHERE EXISTS (SELECT 1 FROM people p WHERE p.id = u.id))
		INSERT INTO imp_done SELECT 'link', id, ins FROM up`, b.pr.Label)
}
