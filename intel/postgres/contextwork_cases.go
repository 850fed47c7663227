package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// CaseFilter selects context cases in a list.
type CaseFilter struct {
	Status      string // one status; "open" means any but closed
	District    string // the context's district
	ContextID   int64
	ContextType string
}

// caseSummaryCols read a intel.CaseSummary (context joined as "c").
const caseSummaryCols = `cc.id, cc.title, cc.status, cc.lead_agency, cc.opened_on,
	(SELECT count(*) FROM context_actions a WHERE a.case_id = cc.id AND a.done_on IS NULL),
	(SELECT count(*) FROM context_actions a WHERE a.case_id = cc.id AND a.done_on IS NULL AND a.due_on < $ASOF), `

func scanCaseSummary(row pgx.Row) (intel.CaseSummary, error) {
	var s intel.CaseSummary
	var cd ctxDest
	err := row.Scan(append([]any{&s.ID, &s.Title, &s.Status, &s.LeadAgency, &s.OpenedOn.Time, &s.OpenActions,
		&s.OverdueActions}, cd.targets()...)...)
	s.Context = cd.value()
	return s, err
}

// ListContextCases lists context cases by id.
func (db *DB) ListContextCases(ctx context.Context, pr intel.Principal, f CaseFilter, pg intel.Page) ([]intel.CaseSummary, error) {
	q, args := withPrincipal(replaceAll(`SELECT `+caseSummaryCols+ctxCols("c")+` FROM context_cases cc `+ctxJoins("cc.context_id", "c")+`
		WHERE cc.id > $1 AND ($2 = '' OR cc.status = $2 OR ($2 = 'open' AND cc.status <> 'closed'))
		  AND ($3 = '' OR cm_context_district(cc.context_id) = $3) AND ($4::bigint = 0 OR cc.context_id = $4)
		  AND ($5 = '' OR cn.type = $5)
		ORDER BY cc.id LIMIT $6`, "$ASOF", "current_date"), pr, pg.After, f.Status, f.District, f.ContextID, f.ContextType, pg.Limit)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "context cases")
	}
	return collect(rows, scanCaseSummary, "context cases")
}

// GetContextCase reads a context case with its weighting and actions, and
// the number of young people its context affects over CaseChildPeriod (raw:
// the caller applies disclosure control).
func (db *DB) GetContextCase(ctx context.Context, pr intel.Principal, id int64) (intel.ContextCase, int, error) {
	var c intel.ContextCase
	var cd ctxDest
	var closed *time.Time
	var assess, outcomes []byte
	q, args := withPrincipal(`SELECT cc.title, cc.status, cc.lead_agency, cc.opened_on, cc.closed_on, cc.assessment,
		cc.plan, cc.outcomes, cc.recorded_by, cc.created_at, cc.updated_at, `+ctxCols("c")+`
		FROM context_cases cc `+ctxJoins("cc.context_id", "c")+` WHERE cc.id = $1`, pr, id)
	err := db.Pool.QueryRow(ctx, q, args...).Scan(append([]any{&c.Title, &c.Status, &c.LeadAgency, &c.OpenedOn.Time,
		&closed, &assess, &c.Plan, &outcomes, &c.RecordedBy, &c.CreatedAt, &c.UpdatedAt}, cd.targets()...)...)
	if err != nil {
		return intel.ContextCase{}, 0, wrap(err, "context case")
	}
	c.ID, c.Context = id, cd.value()
	if closed != nil {
		c.ClosedOn = &intel.Date{Time: *closed}
	}
	if err := json.Unmarshal(assess, &c.Assessment); err != nil {
		return c, 0, wrap(fmt.Errorf("decode assessment: %w", err), "context case")
	}
	if err := json.Unmarshal(outcomes, &c.Outcomes); err != nil {
		return c, 0, wrap(fmt.Errorf("decode outcomes: %w", err), "context case")
	}
	if c.Weighting, err = db.caseWeights(ctx, pr, id); err != nil {
		return c, 0, err
	}
	if c.Actions, err = db.ListActions(ctx, pr, id, 0); err != nil {
		return c, 0, err
	}
	from, to := CaseChildPeriod(c)
	n, err := db.countAffected(ctx, c.Context.ID, from, to)
	return c, n, err
}

// CaseChildPeriod is the period over which a case's children are counted
// by default: from twelve months before the case opened to the day it
// closed, or today.
func CaseChildPeriod(c intel.ContextCase) (from, to intel.Date) {
	from = c.OpenedOn.AddMonths(-12)
	to = intel.Date{Time: time.Now().UTC().Truncate(24 * time.Hour)}
	if c.ClosedOn != nil {
		to = *c.ClosedOn
	}
	return from, to
}

func (db *DB) caseWeights(ctx context.Context, pr intel.Principal, id int64) ([]intel.Weight, error) {
	q, args := withPrincipal(`SELECT w.rank, w.reason, `+ctxCols("c")+` FROM context_case_weights w `+
		ctxJoins("w.context_id", "c")+` WHERE w.case_id = $1 ORDER BY w.rank`, pr, id)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "weighting")
	}
	return collect(rows, func(row pgx.Row) (intel.Weight, error) {
		var w intel.Weight
		var cd ctxDest
		err := row.Scan(append([]any{&w.Rank, &w.Reason}, cd.targets()...)...)
		w.Context = cd.value()
		return w, err
	}, "weighting")
}

// contextTies are the ties of the young people to the context $1 (the
// event condition first screens events by an index-friendly test).
var contextTies = tiesSQL(`l.target_id = $1`, `(e.place_id = $1 OR e.found_place_id = $1
	OR EXISTS (SELECT 1 FROM event_groups g WHERE g.event_id = e.id AND g.group_id = $1)) AND v.context_id = $1`)

// countAffected counts the young people tied to a context over a period
// (tiesSQL), whatever their district: an aggregate.
func (db *DB) countAffected(ctx context.Context, contextID int64, from, to intel.Date) (int, error) {
	q := withPeriod(`SELECT count(DISTINCT person_id) FROM (`+contextTies+`) t`, 2, 3)
	var n int
	err := db.Pool.QueryRow(ctx, q, contextID, from.Time, to.Time).Scan(&n)
	return n, wrap(err, "children")
}

// CaseContextID is the context of a case (ENOTFOUND when there is no such
// case).
func (db *DB) CaseContextID(ctx context.Context, caseID int64) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT context_id FROM context_cases WHERE id = $1`, caseID).Scan(&id)
	return id, wrap(err, "context case")
}

// AffectedChildren lists the young people a case's context affects over the
// period, in the caller's scope, and counts those outside it.
func (db *DB) AffectedChildren(ctx context.Context, pr intel.Principal, caseID int64, from, to intel.Date) ([]intel.AffectedChild, int, error) {
	contextID, err := db.CaseContextID(ctx, caseID)
	if err != nil {
		return nil, 0, err
	}
	ties := contextTies
	q := withPeriod(`SELECT p.id, p.pseudonym, p.age_band, p.district, array_agg(DISTINCT t.how ORDER BY t.how),
		count(*) FILTER (WHERE t.how = 'event'), max(t.seen)
		FROM (`+ties+`) t JOIN people p ON p.id = t.person_id
		WHERE ($4::text[] IS NULL OR p.district = ANY($4))
		GROUP BY p.id ORDER BY p.id`, 2, 3)
	rows, err := db.Pool.Query(ctx, q, contextID, from.Time, to.Time, pr.Scope())
	if err != nil {
		return nil, 0, wrap(err, "children")
	}
	kids, err := collect(rows, func(row pgx.Row) (intel.AffectedChild, error) {
		var k intel.AffectedChild
		var seen *time.Time
		err := row.Scan(&k.PersonID, &k.Pseudonym, &k.AgeBand, &k.District, &k.Ties, &k.Events, &seen)
		if seen != nil {
			k.LastSeen = &intel.Date{Time: *seen}
		}
		return k, err
	}, "children")
	if err != nil {
		return nil, 0, err
	}
	var outside int
	if pr.Scope() != nil {
		q := withPeriod(`SELECT count(DISTINCT t.person_id) FROM (`+ties+`) t JOIN people p ON p.id = t.person_id
			WHERE p.district IS NULL OR NOT p.district = ANY($4)`, 2, 3)
		if err := db.Pool.QueryRow(ctx, q, contextID, from.Time, to.Time, pr.Scope()).Scan(&outside); err != nil {
			return nil, 0, wrap(err, "children")
		}
	}
	return kids, outside, nil
}

// PersonContextCases lists the context cases (not closed on asOf, or all)
// whose context the young person is tied to over the period.
func (db *DB) PersonContextCases(ctx context.Context, pr intel.Principal, personID int64, from, to intel.Date) ([]intel.CaseSummary, error) {
	if _, err := db.GetPerson(ctx, pr, personID, nil); err != nil {
		return nil, err
	}
	ties := tiesSQL(`l.source_id = $1`, `ep.person_id = $1`)
	q, args := withPrincipal(withPeriod(replaceAll(`SELECT `+caseSummaryCols+ctxCols("c")+` FROM context_cases cc `+
		ctxJoins("cc.context_id", "c")+`
		WHERE cc.context_id IN (SELECT context_id FROM (`+ties+`) t)
		  AND cc.opened_on <= $3 AND (cc.closed_on IS NULL OR cc.closed_on >= $2)
		ORDER BY cc.id`, "$ASOF", "current_date"), 2, 3), pr, personID, from.Time, to.Time)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "context cases")
	}
	return collect(rows, scanCaseSummary, "context cases")
}

// caseScope checks that a district caller may write a case on a context
// of that district. Contexts without a district are written by roles with
// the whole area in scope.
func caseScope(pr intel.Principal, district *string) error {
	if !pr.InScope(district) {
		return intel.Invalid("context_id", "is outside the districts you may write to")
	}
	return nil
}

// writeCase validates the references of a case and stores its parts.
func writeCase(ctx context.Context, tx pgx.Tx, pr intel.Principal, id int64, in intel.ContextCaseInput) (int64, error) {
	typ, district, err := contextNode(ctx, tx, "context_id", in.ContextID)
	if err != nil {
		return 0, err
	}
	if err := in.ValidateFor(typ); err != nil {
		return 0, err
	}
	if err := caseScope(pr, district); err != nil {
		return 0, err
	}
	ids := make([]int64, len(in.Weighting))
	for i, w := range in.Weighting {
		ids[i] = w.ContextID
	}
	if err := checkContexts(ctx, tx, "weighting", ids); err != nil {
		return 0, err
	}
	if err := checkNoPerson(ctx, tx, in.ContextText()); err != nil {
		return 0, err
	}
	if in.Status != "closed" {
		var other int64
		err := tx.QueryRow(ctx, `SELECT id FROM context_cases WHERE context_id = $1 AND status <> 'closed' AND id <> $2`,
			in.ContextID, id).Scan(&other)
		if err == nil {
			return 0, &intel.Error{Code: intel.ECONFLICT, Message: fmt.Sprintf("context_id: the context already has case %d that is not closed", other),
				Fields: []intel.FieldError{{Field: "context_id", Reason: "already has a case that is not closed"}}}
		}
		if err != pgx.ErrNoRows {
			return 0, err
		}
	}
	assess, _ := json.Marshal(in.Assessment)
	outcomes := in.Outcomes
	if outcomes == nil {
		outcomes = []intel.CaseOutcome{}
	}
	outs, _ := json.Marshal(outcomes)
	if id == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO context_cases (context_id, title, status, lead_agency, opened_on, closed_on,
			assessment, plan, outcomes, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			in.ContextID, in.Title, in.Status, in.LeadAgency, in.OpenedOn.Time, dateArg(in.ClosedOn), assess, in.Plan,
			outs, pr.Label).Scan(&id)
	} else {
		_, err = tx.Exec(ctx, `UPDATE context_cases SET context_id = $2, title = $3, status = $4, lead_agency = $5,
			opened_on = $6, closed_on = $7, assessment = $8, plan = $9, outcomes = $10, recorded_by = $11,
			updated_at = now() WHERE id = $1`, id, in.ContextID, in.Title, in.Status, in.LeadAgency, in.OpenedOn.Time,
			dateArg(in.ClosedOn), assess, in.Plan, outs, pr.Label)
	}
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM context_case_weights WHERE case_id = $1`, id); err != nil {
		return 0, err
	}
	for _, w := range in.Weighting {
		if _, err := tx.Exec(ctx, `INSERT INTO context_case_weights (case_id, context_id, rank, reason) VALUES ($1, $2, $3, $4)`,
			id, w.ContextID, w.Rank, w.Reason); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// lockCase checks a case exists and that the caller may write it, and locks
// it for the transaction.
func lockCase(ctx context.Context, tx pgx.Tx, pr intel.Principal, id int64) error {
	var district *string
	err := tx.QueryRow(ctx, `SELECT cm_context_district(context_id) FROM context_cases WHERE id = $1 FOR UPDATE`, id).Scan(&district)
	if err != nil {
		return err
	}
	if !pr.InScope(district) {
		// Readable, but not the caller's to change.
		return intel.Errorf(intel.EFORBIDDEN, "this case is about a context outside the districts you may write to")
	}
	return nil
}

// CreateContextCase stores a new context case.
func (db *DB) CreateContextCase(ctx context.Context, pr intel.Principal, in intel.ContextCaseInput) (intel.ContextCase, int, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) (err error) {
		id, err = writeCase(ctx, tx, pr, 0, in)
		return err
	})
	if err != nil {
		return intel.ContextCase{}, 0, wrap(err, "context case")
	}
	return db.GetContextCase(ctx, pr, id)
}

// UpdateContextCase replaces a context case (not its actions).
func (db *DB) UpdateContextCase(ctx context.Context, pr intel.Principal, id int64, in intel.ContextCaseInput) (intel.ContextCase, int, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockCase(ctx, tx, pr, id); err != nil {
			return err
		}
		_, err := writeCase(ctx, tx, pr, id, in)
		return err
	})
	if err != nil {
		return intel.ContextCase{}, 0, wrap(err, "context case")
	}
	return db.GetContextCase(ctx, pr, id)
}

// DeleteContextCase deletes a case with its weighting and actions.
func (db *DB) DeleteContextCase(ctx context.Context, pr intel.Principal, id int64) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockCase(ctx, tx, pr, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM context_cases WHERE id = $1`, id)
		return err
	})
	return wrap(err, "context case")
}

// actionCols read an intel.Action with its context (a conference action's
// own, or its case's), joined by actionFrom as "x".
const actionCols = `a.id, a.case_id, a.conference_id, a.description, a.owner, a.due_on, a.done_on,
	a.done_on IS NULL AND a.due_on < current_date, a.created_at, a.updated_at, xn.id IS NOT NULL, `

const actionFrom = ` FROM context_actions a
	LEFT JOIN context_cases ac ON ac.id = a.case_id
	LEFT JOIN nodes xn ON xn.id = coalesce(a.context_id, ac.context_id)
	LEFT JOIN places xpl ON xpl.id = xn.id LEFT JOIN peer_groups xpg ON xpg.id = xn.id
	LEFT JOIN online_spaces xps ON xps.id = xn.id `

func scanAction(row pgx.Row) (intel.Action, error) {
	var a intel.Action
	var done *time.Time
	var has bool
	var cd struct {
		id       *int64
		typ      *string
		name     *string
		kind     *string
		district *string
		gen      *bool
		geom     *string
	}
	err := row.Scan(&a.ID, &a.CaseID, &a.ConferenceID, &a.Description, &a.Owner, &a.DueOn.Time, &done, &a.Overdue,
		&a.CreatedAt, &a.UpdatedAt, &has, &cd.id, &cd.typ, &cd.name, &cd.kind, &cd.district, &cd.gen, &cd.geom)
	if err != nil {
		return a, err
	}
	if done != nil {
		a.DoneOn, a.Done = &intel.Date{Time: *done}, true
	}
	if has {
		r := intel.ContextRef{ID: *cd.id, Type: *cd.typ, Name: cd.name, Kind: cd.kind, District: cd.district, Generalised: *cd.gen}
		if cd.geom != nil {
			r.Geometry = []byte(*cd.geom)
		}
		a.Context = &r
	}
	return a, nil
}

// ListActions lists a case's actions (caseID) or a conference's
// (conferenceID), by due date.
func (db *DB) ListActions(ctx context.Context, pr intel.Principal, caseID, conferenceID int64) ([]intel.Action, error) {
	q, args := withPrincipal(`SELECT `+actionCols+ctxCols("x")+actionFrom+`
		WHERE ($1::bigint = 0 OR a.case_id = $1) AND ($2::bigint = 0 OR a.conference_id = $2)
		ORDER BY a.due_on, a.id`, pr, caseID, conferenceID)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "actions")
	}
	return collect(rows, scanAction, "actions")
}

// GetAction reads one action of a case.
func (db *DB) GetAction(ctx context.Context, pr intel.Principal, caseID, actionID int64) (intel.Action, error) {
	q, args := withPrincipal(`SELECT `+actionCols+ctxCols("x")+actionFrom+` WHERE a.id = $1 AND a.case_id = $2`,
		pr, actionID, caseID)
	a, err := scanAction(db.Pool.QueryRow(ctx, q, args...))
	return a, wrap(err, "action")
}

func checkCaseAction(ctx context.Context, tx pgx.Tx, in intel.ActionInput) error {
	if in.ContextID != nil {
		return intel.Invalid("context_id", "a case action is about the case's context: leave it out")
	}
	if in.ID != nil {
		return intel.Invalid("id", "is taken from the path")
	}
	return checkNoPerson(ctx, tx, in.ContextText(""))
}

// CreateAction adds an action to a case's plan.
func (db *DB) CreateAction(ctx context.Context, pr intel.Principal, caseID int64, in intel.ActionInput) (intel.Action, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockCase(ctx, tx, pr, caseID); err != nil {
			return err
		}
		if err := checkCaseAction(ctx, tx, in); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO context_actions (case_id, description, owner, due_on, done_on)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, caseID, in.Description, in.Owner, in.DueOn.Time, dateArg(in.DoneOn)).Scan(&id)
	})
	if err != nil {
		return intel.Action{}, wrap(err, "context case")
	}
	return db.GetAction(ctx, pr, caseID, id)
}

// UpdateAction replaces an action of a case.
func (db *DB) UpdateAction(ctx context.Context, pr intel.Principal, caseID, actionID int64, in intel.ActionInput) (intel.Action, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockCase(ctx, tx, pr, caseID); err != nil {
			return err
		}
		if err := checkCaseAction(ctx, tx, in); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE context_actions SET description = $3, owner = $4, due_on = $5, done_on = $6,
			updated_at = now() WHERE id = $1 AND case_id = $2`, actionID, caseID, in.Description, in.Owner, in.DueOn.Time,
			dateArg(in.DoneOn))
		if err == nil && tag.RowsAffected() == 0 {
			return intel.NotFound("action")
		}
		return err
	})
	if err != nil {
		return intel.Action{}, wrap(err, "context case")
	}
	return db.GetAction(ctx, pr, caseID, actionID)
}

// DeleteAction deletes an action of a case.
func (db *DB) DeleteAction(ctx context.Context, pr intel.Principal, caseID, actionID int64) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := lockCase(ctx, tx, pr, caseID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM context_actions WHERE id = $1 AND case_id = $2`, actionID, caseID)
		if err == nil && tag.RowsAffected() == 0 {
			return intel.NotFound("action")
		}
		return err
	})
	return wrap(err, "context case")
}

// CasePoint is a context case for the map: its summary and a position (the
// place's point, generalised if sensitive for the caller; for a peer group
// the centre of the places it congregates at; none for an online space).
type CasePoint struct {
	intel.CaseSummary
	Position []byte // GeoJSON point, nil when none
}

// ContextCasePoints streams context cases for the map.
func (db *DB) ContextCasePoints(ctx context.Context, pr intel.Principal, f CaseFilter, bbox *[4]float64, fn func(CasePoint) error) error {
	var box []float64
	if bbox != nil {
		box = bbox[:]
	}
	exact := func(a string) string { return `($PL AND ($SC IS NULL OR ` + a + `.district = ANY($SC)))` }
	q, args := withPrincipal(replaceAll(`SELECT `+caseSummaryCols+ctxCols("c")+`, ST_AsGeoJSON(pos.g, 6)
		FROM context_cases cc `+ctxJoins("cc.context_id", "c")+`
		LEFT JOIN LATERAL (SELECT CASE
			WHEN cpl.id IS NOT NULL THEN CASE WHEN cpl.sensitive AND NOT `+exact("cpl")+` THEN cm_generalise(cpl.x, cpl.y) ELSE cpl.pt END
			WHEN cn.type = 'group' THEN (SELECT ST_Centroid(ST_Collect(CASE WHEN gp.sensitive AND NOT `+exact("gp")+`
			                                   THEN cm_generalise(gp.x, gp.y) ELSE gp.pt END))
			       FROM links gl JOIN places gp ON gp.id = gl.target_id
			      WHERE gl.source_id = cn.id AND gl.kind = 'congregates_at' AND gl.review_date >= current_date)
			END AS g) pos ON true
		WHERE ($1 = '' OR cc.status = $1 OR ($1 = 'open' AND cc.status <> 'closed'))
		  AND ($2 = '' OR cm_context_district(cc.context_id) = $2) AND ($3 = '' OR cn.type = $3)
		  AND ($4::float8[] IS NULL OR pos.g && ST_MakeEnvelope($4[1], $4[2], $4[3], $4[4], 4326))
		ORDER BY cc.id`, "$ASOF", "current_date"), pr, f.Status, f.District, f.ContextType, box)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return wrap(err, "context cases")
	}
	// Closed before the context is checked: an open rows holds its connection.
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return wrap(err, "context cases")
		}
		var p CasePoint
		var cd ctxDest
		var pos *string
		s := &p.CaseSummary
		if err := rows.Scan(append(append([]any{&s.ID, &s.Title, &s.Status, &s.LeadAgency, &s.OpenedOn.Time,
			&s.OpenActions, &s.OverdueActions}, cd.targets()...), &pos)...); err != nil {
			return wrap(err, "context cases")
		}
		s.Context = cd.value()
		if pos != nil {
			p.Position = []byte(*pos)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "context cases")
}
