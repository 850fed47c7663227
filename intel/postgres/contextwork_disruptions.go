package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// DisruptionFilter selects disruption actions in a list.
type DisruptionFilter struct {
	Kind     string
	PlaceID  int64
	PersonID int64
	CaseID   int64
	District string // the place's district, else the person's
	From, To *intel.Date
	BBox     *[4]float64
}

// disruptionCols: the adult of concern is read only by roles that see
// adults ($AD); others learn only that one is recorded.
const disruptionCols = `d.id, d.kind, d.description, d.place_id, CASE WHEN $AD THEN d.person_id END,
	d.person_id IS NOT NULL AND NOT $AD, d.applied_on, d.expires_on, d.outcome, d.outcome_notes, d.lead_agency,
	d.context_case_id, d.recorded_by, d.created_at, d.updated_at`

const disruptionFrom = ` FROM disruptions d LEFT JOIN places dpl ON dpl.id = d.place_id
	LEFT JOIN people dpp ON dpp.id = d.person_id `

func scanDisruption(row pgx.Row) (intel.Disruption, *int64, error) {
	var d intel.Disruption
	var place *int64
	var expires *time.Time
	err := row.Scan(&d.ID, &d.Kind, &d.Description, &place, &d.PersonID, &d.PersonHidden, &d.AppliedOn.Time, &expires,
		&d.Outcome, &d.OutcomeNotes, &d.LeadAgency, &d.ContextCaseID, &d.RecordedBy, &d.CreatedAt, &d.UpdatedAt)
	if expires != nil {
		d.ExpiresOn = &intel.Date{Time: *expires}
	}
	return d, place, err
}

// withPlaces fills in the places of disruptions, as the caller may see them.
func (db *DB) withPlaces(ctx context.Context, pr intel.Principal, ds []intel.Disruption, places []*int64) error {
	var ids []int64
	for _, p := range places {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	m, err := db.placesByID(ctx, pr, ids)
	if err != nil {
		return err
	}
	for i, p := range places {
		if p != nil {
			pl := m[*p]
			ds[i].Place = &pl
		}
	}
	return nil
}

// ListDisruptions lists disruption actions by id. Actions whose only
// subject is an adult of concern are left out for roles that do not see
// adults.
func (db *DB) ListDisruptions(ctx context.Context, pr intel.Principal, f DisruptionFilter, pg intel.Page) ([]intel.Disruption, error) {
	var bbox []float64
	if f.BBox != nil {
		bbox = f.BBox[:]
	}
	q, args := withPrincipal(`SELECT `+disruptionCols+disruptionFrom+`
		WHERE d.id > $1 AND ($AD OR d.place_id IS NOT NULL)
		  AND ($2 = '' OR d.kind = $2) AND ($3::bigint = 0 OR d.place_id = $3)
		  AND ($4::bigint = 0 OR (d.person_id = $4 AND $AD)) AND ($5::bigint = 0 OR d.context_case_id = $5)
		  AND ($6 = '' OR coalesce(dpl.district, dpp.district) = $6)
		  AND ($7::date IS NULL OR d.applied_on >= $7) AND ($8::date IS NULL OR d.applied_on <= $8)
		  AND ($9::float8[] IS NULL OR dpl.pt && ST_MakeEnvelope($9[1], $9[2], $9[3], $9[4], 4326))
		ORDER BY d.id LIMIT $10`, pr, pg.After, f.Kind, f.PlaceID, f.PersonID, f.CaseID, f.District, dateArg(f.From),
		dateArg(f.To), bbox, pg.Limit)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "disruptions")
	}
	defer rows.Close()
	ds := []intel.Disruption{}
	var places []*int64
	for rows.Next() {
		d, p, err := scanDisruption(rows)
		if err != nil {
			return nil, wrap(err, "disruptions")
		}
		ds, places = append(ds, d), append(places, p)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "disruptions")
	}
	return ds, db.withPlaces(ctx, pr, ds, places)
}

// GetDisruption reads one disruption action.
func (db *DB) GetDisruption(ctx context.Context, pr intel.Principal, id int64) (intel.Disruption, error) {
	q, args := withPrincipal(`SELECT `+disruptionCols+disruptionFrom+` WHERE d.id = $1 AND ($AD OR d.place_id IS NOT NULL)`, pr, id)
	d, p, err := scanDisruption(db.Pool.QueryRow(ctx, q, args...))
	if err != nil {
		return d, wrap(err, "disruption")
	}
	ds := []intel.Disruption{d}
	err = db.withPlaces(ctx, pr, ds, []*int64{p})
	return ds[0], err
}

func checkDisruption(ctx context.Context, tx pgx.Tx, in intel.DisruptionInput) error {
	if in.PlaceID != nil {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM places WHERE id = $1)`, *in.PlaceID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return intel.Invalid("place_id", "refers to a place that does not exist")
		}
	}
	if in.PersonID != nil {
		var kind string
		err := tx.QueryRow(ctx, `SELECT kind FROM people WHERE id = $1`, *in.PersonID).Scan(&kind)
		if err == pgx.ErrNoRows {
			return intel.Invalid("person_id", "refers to a person that does not exist")
		}
		if err != nil {
			return err
		}
		if kind != intel.AdultOfConcern {
			// Victims and adults of concern are never swapped.
			return intel.Invalid("person_id", "the subject of a disruption action is an adult of concern, never a young person")
		}
	}
	if in.ContextCaseID != nil {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM context_cases WHERE id = $1)`, *in.ContextCaseID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return intel.Invalid("context_case_id", "refers to a context case that does not exist")
		}
	}
	return nil
}

// CreateDisruption stores a disruption action (police and analysts: the
// caller checks the role).
func (db *DB) CreateDisruption(ctx context.Context, pr intel.Principal, in intel.DisruptionInput) (intel.Disruption, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := checkDisruption(ctx, tx, in); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO disruptions (kind, description, place_id, person_id, applied_on, expires_on,
			outcome, outcome_notes, lead_agency, context_case_id, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, in.Kind, in.Description, in.PlaceID,
			in.PersonID, in.AppliedOn.Time, dateArg(in.ExpiresOn), in.Outcome, in.OutcomeNotes, in.LeadAgency,
			in.ContextCaseID, pr.Label).Scan(&id)
	})
	if err != nil {
		return intel.Disruption{}, wrap(err, "disruption")
	}
	return db.GetDisruption(ctx, pr, id)
}

// UpdateDisruption replaces a disruption action.
func (db *DB) UpdateDisruption(ctx context.Context, pr intel.Principal, id int64, in intel.DisruptionInput) (intel.Disruption, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := checkDisruption(ctx, tx, in); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE disruptions SET kind = $2, description = $3, place_id = $4, person_id = $5,
			applied_on = $6, expires_on = $7, outcome = $8, outcome_notes = $9, lead_agency = $10, context_case_id = $11,
			recorded_by = $12, updated_at = now() WHERE id = $1`, id, in.Kind, in.Description, in.PlaceID, in.PersonID,
			in.AppliedOn.Time, dateArg(in.ExpiresOn), in.Outcome, in.OutcomeNotes, in.LeadAgency, in.ContextCaseID, pr.Label)
		if err == nil && tag.RowsAffected() == 0 {
			return intel.NotFound("disruption")
		}
		return err
	})
	if err != nil {
		return intel.Disruption{}, wrap(err, "disruption")
	}
	return db.GetDisruption(ctx, pr, id)
}

// DeleteDisruption deletes a disruption action.
func (db *DB) DeleteDisruption(ctx context.Context, pr intel.Principal, id int64) error {
	return deleteByID(ctx, db, "disruptions", "disruption", id)
}

// DisruptionCounts counts actions applied in [from, to] by kind and
// district (the place's, else the adult's; "" when neither has one).
func (db *DB) DisruptionCounts(ctx context.Context, from, to *intel.Date) (map[[2]string]int, error) {
	rows, err := db.ReadQuery(ctx, `SELECT d.kind, coalesce(dpl.district, dpp.district, ''), count(*)`+disruptionFrom+`
		WHERE ($1::date IS NULL OR d.applied_on >= $1) AND ($2::date IS NULL OR d.applied_on <= $2)
		GROUP BY 1, 2`, dateArg(from), dateArg(to))
	if err != nil {
		return nil, wrap(err, "disruptions")
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var kind, district string
		var n int
		if err := rows.Scan(&kind, &district, &n); err != nil {
			return nil, wrap(err, "disruptions")
		}
		out[[2]string{kind, district}] = n
	}
	return out, wrap(rows.Err(), "disruptions")
}

// ImpactSpans are the two spans compared around an action on date d: the
// months calendar months before it, [d − months, d − 1], and as many after
// it, [d + 1, d + 1 + months − 1 day]; the action day itself is in
// neither.
func ImpactSpans(d intel.Date, months int) (beforeFrom, beforeTo, afterFrom, afterTo intel.Date) {
	day := func(t time.Time) intel.Date { return intel.Date{Time: t} }
	beforeFrom = d.AddMonths(-months)
	beforeTo = day(d.AddDate(0, 0, -1))
	afterFrom = day(d.AddDate(0, 0, 1))
	afterTo = day(afterFrom.AddMonths(months).AddDate(0, 0, -1))
	return
}

// ImpactCounts are the raw counts of one span.
type ImpactCounts struct {
	Events, YoungPeople int
}

// DisruptionImpact counts events (of the given kinds) within radius metres
// of the place's geometry, measured in the metric CRS from the events' x/y,
// whose start (Europe/London date) falls in each span, and the distinct
// young people in them.
func (db *DB) DisruptionImpact(ctx context.Context, placeID int64, radius float64, kinds []string,
	beforeFrom, beforeTo, afterFrom, afterTo intel.Date) (before, after ImpactCounts, err error) {
	// The place is transformed once (MATERIALIZED: inlined, it was
	// transformed again for every event, ten times slower), and its box
	// widened by the radius screens events before the distance is taken.
	rows, err := db.ReadQuery(ctx, `WITH p AS MATERIALIZED (
		SELECT ST_Transform(geom, s.srid) AS g, s.srid FROM places, (SELECT cm_metric_srid() AS srid) s WHERE id = $1
	), ev AS (
		SELECT e.id, (e.starts_at AT TIME ZONE 'Europe/London')::date AS d
		  FROM events e, p
		 WHERE e.kind = ANY($3)
		   AND e.starts_at >= ($4::date::timestamp AT TIME ZONE 'Europe/London')
		   AND e.starts_at < (($7::date + 1)::timestamp AT TIME ZONE 'Europe/London')
		   AND e.x BETWEEN ST_XMin(p.g) - $2 AND ST_XMax(p.g) + $2 AND e.y BETWEEN ST_YMin(p.g) - $2 AND ST_YMax(p.g) + $2
		   AND ST_DWithin(p.g, ST_SetSRID(ST_MakePoint(e.x, e.y), p.srid), $2)
	), w AS (
		SELECT id, CASE WHEN d BETWEEN $4 AND $5 THEN 'before' WHEN d BETWEEN $6 AND $7 THEN 'after' END AS span FROM ev
	)
	SELECT w.span, count(DISTINCT w.id), count(DISTINCT yp.id)
	  FROM w LEFT JOIN event_people ep ON ep.event_id = w.id
	  LEFT JOIN people yp ON yp.id = ep.person_id AND yp.kind = 'young_person'
	 WHERE w.span IS NOT NULL GROUP BY w.span`, placeID, radius, kinds, beforeFrom.Time, beforeTo.Time, afterFrom.Time, afterTo.Time)
	if err != nil {
		return before, after, wrap(err, "impact")
	}
	defer rows.Close()
	for rows.Next() {
		var span string
		var c ImpactCounts
		if err := rows.Scan(&span, &c.Events, &c.YoungPeople); err != nil {
			return before, after, wrap(err, "impact")
		}
		if span == "before" {
			before = c
		} else {
			after = c
		}
	}
	return before, after, wrap(rows.Err(), "impact")
}

// DisruptionPoint is a place-based disruption action for the map.
type DisruptionPoint struct {
	ID            int64
	Kind          string
	AppliedOn     intel.Date
	ExpiresOn     *intel.Date
	Outcome       string
	PlaceID       int64
	ContextCaseID *int64
	Generalised   bool
	Geometry      []byte // GeoJSON point: the place's point, or its 1 km square's centre if generalised
}

// DisruptionPoints streams the place-based disruption actions for the map.
func (db *DB) DisruptionPoints(ctx context.Context, pr intel.Principal, f DisruptionFilter, fn func(DisruptionPoint) error) error {
	var bbox []float64
	if f.BBox != nil {
		bbox = f.BBox[:]
	}
	exact := `($PL AND ($SC IS NULL OR dpl.district = ANY($SC)))`
	q, args := withPrincipal(`SELECT d.id, d.kind, d.applied_on, d.expires_on, d.outcome, d.place_id, d.context_case_id,
		dpl.sensitive AND NOT `+exact+`,
		CASE WHEN dpl.sensitive AND NOT `+exact+` THEN ST_AsGeoJSON(cm_generalise(dpl.x, dpl.y), 6) ELSE ST_AsGeoJSON(dpl.pt, 6) END
		FROM disruptions d JOIN places dpl ON dpl.id = d.place_id
		WHERE ($1 = '' OR d.kind = $1) AND ($2 = '' OR dpl.district = $2)
		  AND ($3::date IS NULL OR d.applied_on >= $3) AND ($4::date IS NULL OR d.applied_on <= $4)
		  AND ($5::float8[] IS NULL OR dpl.pt && ST_MakeEnvelope($5[1], $5[2], $5[3], $5[4], 4326))
		  AND ($6::bigint = 0 OR d.place_id = $6) AND ($7::bigint = 0 OR (d.person_id = $7 AND $AD))
		  AND ($8::bigint = 0 OR d.context_case_id = $8)
		ORDER BY d.id`, pr, f.Kind, f.District, dateArg(f.From), dateArg(f.To), bbox, f.PlaceID, f.PersonID, f.CaseID)
	rows, err := db.ReadQuery(ctx, q, args...)
	if err != nil {
		return wrap(err, "disruptions")
	}
	// Closed before the context is checked: an unclosed rows would hold its
	// connection.
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return wrap(err, "disruptions")
		}
		var p DisruptionPoint
		var expires *time.Time
		var geom string
		if err := rows.Scan(&p.ID, &p.Kind, &p.AppliedOn.Time, &expires, &p.Outcome, &p.PlaceID, &p.ContextCaseID,
			&p.Generalised, &geom); err != nil {
			return wrap(err, "disruptions")
		}
		if expires != nil {
			p.ExpiresOn = &intel.Date{Time: *expires}
		}
		p.Geometry = []byte(geom)
		if err := fn(p); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "disruptions")
}
