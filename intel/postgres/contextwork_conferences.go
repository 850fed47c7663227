package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// ConferenceFilter selects conferences in a list.
type ConferenceFilter struct {
	District string
	From, To *intel.Date // held_on, inclusive
}

// ListConferences lists conferences by id.
func (db *DB) ListConferences(ctx context.Context, f ConferenceFilter, pg intel.Page) ([]intel.ConferenceSummary, error) {
	rows, err := db.Pool.Query(ctx, `SELECT c.id, c.held_on, c.district, c.chair,
		(SELECT count(*) FROM conference_contexts x WHERE x.conference_id = c.id), jsonb_array_length(c.decisions),
		(SELECT count(*) FROM context_actions a WHERE a.conference_id = c.id AND a.done_on IS NULL)
		FROM conferences c WHERE c.id > $1 AND ($2 = '' OR c.district = $2)
		  AND ($3::date IS NULL OR c.held_on >= $3) AND ($4::date IS NULL OR c.held_on <= $4)
		ORDER BY c.id LIMIT $5`, pg.After, f.District, dateArg(f.From), dateArg(f.To), pg.Limit)
	if err != nil {
		return nil, wrap(err, "conferences")
	}
	return collect(rows, func(row pgx.Row) (intel.ConferenceSummary, error) {
		var s intel.ConferenceSummary
		err := row.Scan(&s.ID, &s.HeldOn.Time, &s.District, &s.Chair, &s.Contexts, &s.Decisions, &s.OpenActions)
		return s, err
	}, "conferences")
}

// GetConference reads a conference with the contexts discussed (and the
// case each had open that day) and its actions.
func (db *DB) GetConference(ctx context.Context, pr intel.Principal, id int64) (intel.Conference, error) {
	var c intel.Conference
	var att, dec []byte
	err := db.Pool.QueryRow(ctx, `SELECT id, held_on, district, chair, attendees, decisions, minutes, recorded_by,
		created_at, updated_at FROM conferences WHERE id = $1`, id).Scan(&c.ID, &c.HeldOn.Time, &c.District, &c.Chair,
		&att, &dec, &c.Minutes, &c.RecordedBy, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, wrap(err, "conference")
	}
	if err := json.Unmarshal(att, &c.Attendees); err != nil {
		return c, wrap(fmt.Errorf("decode attendees: %w", err), "conference")
	}
	if err := json.Unmarshal(dec, &c.Decisions); err != nil {
		return c, wrap(fmt.Errorf("decode decisions: %w", err), "conference")
	}
	q, args := withPrincipal(`SELECT x.notes,
		(SELECT k.id FROM context_cases k WHERE k.context_id = x.context_id AND k.opened_on <= $2
		   AND (k.closed_on IS NULL OR k.closed_on >= $2) ORDER BY k.id DESC LIMIT 1), `+ctxCols("c")+`
		FROM conference_contexts x `+ctxJoins("x.context_id", "c")+` WHERE x.conference_id = $1 ORDER BY x.position`,
		pr, id, c.HeldOn.Time)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return c, wrap(err, "conference")
	}
	c.Contexts, err = collect(rows, func(row pgx.Row) (intel.DiscussedContext, error) {
		var d intel.DiscussedContext
		var cd ctxDest
		err := row.Scan(append([]any{&d.Notes, &d.CaseID}, cd.targets()...)...)
		d.Context = cd.value()
		return d, err
	}, "conference")
	if err != nil {
		return c, err
	}
	c.Actions, err = db.ListActions(ctx, pr, 0, id)
	return c, err
}

func writeConference(ctx context.Context, tx pgx.Tx, pr intel.Principal, id int64, in intel.ConferenceInput) (int64, error) {
	if in.District != nil {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM districts WHERE code = $1)`, *in.District).Scan(&ok); err != nil {
			return 0, err
		}
		if !ok {
			return 0, intel.Invalid("district", "is not a known district code")
		}
	}
	if !pr.InScope(in.District) {
		return 0, intel.Invalid("district", "is outside the districts you may write to (a partnership-wide conference has no district)")
	}
	var ctxIDs, decIDs, actIDs, keep []int64
	for _, c := range in.Contexts {
		ctxIDs = append(ctxIDs, c.ContextID)
	}
	for _, d := range in.Decisions {
		if d.ContextID != nil {
			decIDs = append(decIDs, *d.ContextID)
		}
	}
	for _, a := range in.Actions {
		if a.ContextID != nil {
			actIDs = append(actIDs, *a.ContextID)
		}
		if a.ID != nil {
			keep = append(keep, *a.ID)
		}
	}
	for _, c := range []struct {
		field string
		ids   []int64
	}{{"contexts", ctxIDs}, {"decisions", decIDs}, {"actions", actIDs}} {
		if err := checkContexts(ctx, tx, c.field, c.ids); err != nil {
			return 0, err
		}
	}
	if err := checkNoPerson(ctx, tx, in.ContextText()); err != nil {
		return 0, err
	}
	if len(keep) > 0 {
		var mine int
		if err := tx.QueryRow(ctx, `SELECT count(DISTINCT id) FROM context_actions WHERE id = ANY($1) AND conference_id = $2`,
			keep, id).Scan(&mine); err != nil {
			return 0, err
		}
		if mine != len(uniq(keep)) || len(uniq(keep)) != len(keep) {
			return 0, intel.Invalid("actions", "an action id is not an action of this conference (leave id out for a new action)")
		}
	}
	att, _ := json.Marshal(orEmpty(in.Attendees))
	dec, _ := json.Marshal(orEmpty(in.Decisions))
	var err error
	if id == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO conferences (held_on, district, chair, attendees, decisions, minutes, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, in.HeldOn.Time, in.District, in.Chair, att, dec, in.Minutes,
			pr.Label).Scan(&id)
	} else {
		_, err = tx.Exec(ctx, `UPDATE conferences SET held_on = $2, district = $3, chair = $4, attendees = $5,
			decisions = $6, minutes = $7, recorded_by = $8, updated_at = now() WHERE id = $1`,
			id, in.HeldOn.Time, in.District, in.Chair, att, dec, in.Minutes, pr.Label)
	}
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM conference_contexts WHERE conference_id = $1`, id); err != nil {
		return 0, err
	}
	for i, c := range in.Contexts {
		if _, err := tx.Exec(ctx, `INSERT INTO conference_contexts (conference_id, context_id, position, notes)
			VALUES ($1, $2, $3, $4)`, id, c.ContextID, i, c.Notes); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM context_actions WHERE conference_id = $1 AND NOT id = ANY($2)`, id, orEmpty(keep)); err != nil {
		return 0, err
	}
	for _, a := range in.Actions {
		if a.ID != nil {
			_, err = tx.Exec(ctx, `UPDATE context_actions SET context_id = $2, description = $3, owner = $4, due_on = $5,
				done_on = $6, updated_at = now() WHERE id = $1`, *a.ID, a.ContextID, a.Description, a.Owner, a.DueOn.Time,
				dateArg(a.DoneOn))
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO context_actions (conference_id, context_id, description, owner, due_on, done_on)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, a.ContextID, a.Description, a.Owner, a.DueOn.Time, dateArg(a.DoneOn))
		}
		if err != nil {
			return 0, err
		}
	}
	return id, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// lockConference checks a conference exists and that the caller may write
// it: district teams write their own districts' conferences.
func lockConference(ctx context.Context, tx pgx.Tx, pr intel.Principal, id int64) error {
	var district *string
	if err := tx.QueryRow(ctx, `SELECT district FROM conferences WHERE id = $1 FOR UPDATE`, id).Scan(&district); err != nil {
		return err
	}
	if !pr.InScope(district) {
		return intel.Errorf(intel.EFORBIDDEN, "this conference is outside the districts you may write to")
	}
	return nil
}

// CreateConference stores a conference with its contexts and actions.
func (db *DB) CreateConference(ctx context.Context, pr intel.Principal, in intel.ConferenceInput) (intel.Conference, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) (err error) {
		id, err = writeConference(ctx, tx, pr, 0, in)
		return err
	})
	if err != nil {
		return intel.Conference{}, wrap(err, "conference")
	}
	return db.GetConference(ctx, pr, id)
}

// UpdateConference replaces a conference. Actions given with an id are
// kept (and changed); others of the conference are deleted; new ones added.
func (db *DB) UpdateConference(ctx context.Context, pr intel.Principal, id int64, in intel.ConferenceInput) (intel.Conference, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockConference(ctx, tx, pr, id); err != nil {
			return err
		}
		_, err := writeConference(ctx, tx, pr, id, in)
		return err
	})
	if err != nil {
		return intel.Conference{}, wrap(err, "conference")
	}
	return db.GetConference(ctx, pr, id)
}

// DeleteConference deletes a conference with its actions.
func (db *DB) DeleteConference(ctx context.Context, pr intel.Principal, id int64) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockConference(ctx, tx, pr, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM conferences WHERE id = $1`, id)
		return err
	})
	return wrap(err, "conference")
}

// Agenda generates a conference agenda for asOf (and one district, or
// all): rising places, cross-district groupings, overdue actions and open
// cases. Counts are raw; the caller applies disclosure control.
func (db *DB) Agenda(ctx context.Context, pr intel.Principal, district string, asOf intel.Date, rules intel.AgendaRules) (intel.Agenda, error) {
	a := intel.Agenda{AsOf: asOf, Rules: rules, CrossDistrictBy: CrossDistrictMethod}
	if district != "" {
		a.District = &district
	}
	var err error
	if a.Rising, err = db.risingPlaces(ctx, pr, district, asOf, rules); err != nil {
		return a, err
	}
	from := intel.Date{Time: asOf.AddDate(0, 0, -7*rules.NetworkWeeks+1)}
	if a.CrossDistrict, err = db.crossDistrictContexts(ctx, pr, district, from, asOf); err != nil {
		return a, err
	}
	if a.OverdueActions, err = db.overdueActions(ctx, pr, district, asOf); err != nil {
		return a, err
	}
	a.OpenCases, err = db.openCases(ctx, pr, district, asOf)
	return a, err
}

// risingPlaces finds places whose activity is rising: at least
// rules.MinEvents events (of rules.EventKinds, at the place or found there)
// in the rules.Weeks×7 days ending on asOf, and at least rules.Ratio times
// the number in the rules.Weeks×7 days before. Days are Europe/London
// dates of the events' starts.
func (db *DB) risingPlaces(ctx context.Context, pr intel.Principal, district string, asOf intel.Date, rules intel.AgendaRules) ([]intel.RisingContext, error) {
	days := 7 * rules.Weeks
	recentFrom := asOf.AddDate(0, 0, -days+1)
	prevFrom := asOf.AddDate(0, 0, -2*days+1)
	q, args := withPrincipal(`WITH ev AS (
		SELECT DISTINCT v.place_id, e.id, e.starts_at >= ($2::date::timestamp AT TIME ZONE 'Europe/London') AS recent
		  FROM events e CROSS JOIN LATERAL (SELECT e.place_id UNION SELECT e.found_place_id) v(place_id)
		 WHERE v.place_id IS NOT NULL AND e.kind = ANY($4)
		   AND e.starts_at >= ($1::date::timestamp AT TIME ZONE 'Europe/London')
		   AND e.starts_at < (($3::date + 1)::timestamp AT TIME ZONE 'Europe/London')
	), agg AS (
		SELECT place_id, count(*) FILTER (WHERE recent) AS recent, count(*) FILTER (WHERE NOT recent) AS previous,
		       (SELECT count(DISTINCT ep.person_id) FROM ev e2 JOIN event_people ep ON ep.event_id = e2.id
		          JOIN people yp ON yp.id = ep.person_id AND yp.kind = 'young_person'
		         WHERE e2.place_id = ev.place_id AND e2.recent) AS young_people
		  FROM ev GROUP BY place_id
	)
	SELECT agg.recent, agg.previous, agg.young_people, k.id, k.status, `+ctxCols("c")+`
	  FROM agg `+ctxJoins("agg.place_id", "c")+`
	  LEFT JOIN LATERAL (SELECT id, status FROM context_cases k WHERE k.context_id = agg.place_id AND k.opened_on <= $3
	                      AND (k.closed_on IS NULL OR k.closed_on > $3) ORDER BY id DESC LIMIT 1) k ON true
	 WHERE agg.recent >= $5 AND agg.recent >= $6::float8 * agg.previous AND ($7 = '' OR cpl.district = $7)
	 ORDER BY agg.recent - agg.previous DESC, agg.place_id LIMIT 50`, pr,
		prevFrom, recentFrom, asOf.Time, rules.EventKinds, rules.MinEvents, rules.Ratio, district)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "agenda")
	}
	return collect(rows, func(row pgx.Row) (intel.RisingContext, error) {
		var r intel.RisingContext
		var recent, previous, yp int
		var cd ctxDest
		err := row.Scan(append([]any{&recent, &previous, &yp, &r.CaseID, &r.CaseStatus}, cd.targets()...)...)
		r.Context = cd.value()
		r.Recent, r.Previous, r.YoungPeople.Count = &recent, &previous, &yp
		if previous > 0 {
			ratio := float64(recent) / float64(previous)
			r.Ratio = &ratio
		}
		return r, err
	}, "agenda")
}

// CrossDistrictMethod says how the agenda finds groupings that span
// districts until network detection (branch networks) is merged.
const CrossDistrictMethod = "stand-in: contexts (places, peer groups, online spaces) to which at least two young people " +
	"of each of two or more districts are tied in the period, by a link seen in it or an event at the context"

// crossDistrictContexts is the stand-in for "networks spanning districts":
// contexts that at least two young people of each of two or more districts
// are tied to over the period (tiesSQL: links seen in the period, events at
// the place or with the group); one child passing through from elsewhere
// does not make a network. It is one function so network detection can
// replace it.
func (db *DB) crossDistrictContexts(ctx context.Context, pr intel.Principal, district string, from, to intel.Date) ([]intel.CrossDistrictContext, error) {
	q, args := withPrincipal(withPeriod(`WITH pd AS (
		SELECT t.context_id, p.district, count(DISTINCT t.person_id) AS n
		  FROM (`+tiesSQL("true", "true")+`) t JOIN people p ON p.id = t.person_id AND p.district IS NOT NULL
		 GROUP BY t.context_id, p.district
	), g AS (
		SELECT context_id, array_agg(district ORDER BY district) AS districts, sum(n)::int AS young_people
		  FROM pd GROUP BY context_id HAVING count(*) FILTER (WHERE n >= 2) >= 2
	)
	SELECT g.districts, g.young_people, k.id, `+ctxCols("c")+`
	  FROM g `+ctxJoins("g.context_id", "c")+`
	  LEFT JOIN LATERAL (SELECT id FROM context_cases k WHERE k.context_id = g.context_id AND k.opened_on <= $2
	                      AND (k.closed_on IS NULL OR k.closed_on > $2) ORDER BY id DESC LIMIT 1) k ON true
	 WHERE $3 = '' OR $3 = ANY(g.districts) OR coalesce(cpl.district, cpg.district, cps.district) = $3
	 ORDER BY cardinality(g.districts) DESC, g.young_people DESC, g.context_id LIMIT 50`, 1, 2), pr, from.Time, to.Time, district)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "agenda")
	}
	return collect(rows, func(row pgx.Row) (intel.CrossDistrictContext, error) {
		var c intel.CrossDistrictContext
		var n int
		var cd ctxDest
		err := row.Scan(append([]any{&c.Districts, &n, &c.CaseID}, cd.targets()...)...)
		c.Context, c.YoungPeople.Count = cd.value(), &n
		return c, err
	}, "agenda")
}

// overdueActions lists actions due before asOf and not done by then, of
// cases and conferences of the district (or all).
func (db *DB) overdueActions(ctx context.Context, pr intel.Principal, district string, asOf intel.Date) ([]intel.Action, error) {
	q, args := withPrincipal(`SELECT `+actionCols+ctxCols("x")+actionFrom+`
		LEFT JOIN conferences acf ON acf.id = a.conference_id
		WHERE a.due_on < $1 AND (a.done_on IS NULL OR a.done_on > $1)
		  AND ($2 = '' OR coalesce(xpl.district, xpg.district, xps.district) = $2 OR acf.district = $2)
		ORDER BY a.due_on, a.id LIMIT 100`, pr, asOf.Time, district)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "agenda")
	}
	acts, err := collect(rows, scanAction, "agenda")
	for i := range acts {
		acts[i].Overdue = true // on the agenda's date
	}
	return acts, err
}

// openCases lists the cases open on asOf in the district (or all).
func (db *DB) openCases(ctx context.Context, pr intel.Principal, district string, asOf intel.Date) ([]intel.CaseSummary, error) {
	q, args := withPrincipal(replaceAll(`SELECT `+caseSummaryCols+ctxCols("c")+` FROM context_cases cc `+ctxJoins("cc.context_id", "c")+`
		WHERE cc.opened_on <= $1 AND (cc.closed_on IS NULL OR cc.closed_on > $1)
		  AND ($2 = '' OR coalesce(cpl.district, cpg.district, cps.district) = $2)
		ORDER BY cc.id LIMIT 100`, "$ASOF", "$1::date"), pr, asOf.Time, district)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "agenda")
	}
	return collect(rows, scanCaseSummary, "agenda")
}
