package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

const assessmentCols = `a.id, a.person_id, a.kind, a.completed_on, a.risk_level, a.next_review, a.agency, a.created_at, a.updated_at`

// assessmentScope limits assessments to people in the caller's scope.
const assessmentFrom = ` FROM assessments a JOIN people p ON p.id = a.person_id `

func scanAssessment(row pgx.Row) (intel.Assessment, error) {
	var a intel.Assessment
	var next *time.Time
	err := row.Scan(&a.ID, &a.PersonID, &a.Kind, &a.CompletedOn.Time, &a.RiskLevel, &next, &a.Agency, &a.CreatedAt, &a.UpdatedAt)
	if next != nil {
		a.NextReview = &intel.Date{Time: *next}
	}
	return a, err
}

// GetAssessment reads one assessment of a person in the caller's scope.
func (db *DB) GetAssessment(ctx context.Context, pr intel.Principal, id int64) (intel.Assessment, error) {
	a, err := scanAssessment(db.Pool.QueryRow(ctx, `SELECT `+assessmentCols+assessmentFrom+`
		WHERE a.id = $1 AND ($2::text[] IS NULL OR p.district = ANY($2))`, id, pr.Scope()))
	return a, wrap(err, "assessment")
}

// ListAssessments lists assessments, optionally of one person, by id.
func (db *DB) ListAssessments(ctx context.Context, pr intel.Principal, personID int64, pg intel.Page) ([]intel.Assessment, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+assessmentCols+assessmentFrom+`
		WHERE a.id > $1 AND ($2::text[] IS NULL OR p.district = ANY($2)) AND ($3::bigint = 0 OR a.person_id = $3)
		ORDER BY a.id LIMIT $4`, pg.After, pr.Scope(), personID, pg.Limit)
	if err != nil {
		return nil, wrap(err, "assessments")
	}
	return collect(rows, scanAssessment, "assessments")
}

func (db *DB) personInScope(ctx context.Context, q pgx.Tx, pr intel.Principal, id int64) error {
	var kind string
	err := q.QueryRow(ctx, `SELECT kind FROM people WHERE id = $1 AND ($2::text[] IS NULL OR district = ANY($2))`, id, pr.Scope()).Scan(&kind)
	if err == pgx.ErrNoRows {
		return intel.Invalid("person_id", "refers to a person that does not exist")
	}
	if err == nil && kind != intel.YoungPerson {
		return intel.Invalid("person_id", "risk assessments are of young people")
	}
	return err
}

// CreateAssessment stores an assessment.
func (db *DB) CreateAssessment(ctx context.Context, pr intel.Principal, in intel.AssessmentInput) (intel.Assessment, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := db.personInScope(ctx, tx, pr, in.PersonID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO assessments (person_id, kind, completed_on, risk_level, next_review, agency)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, in.PersonID, in.Kind, in.CompletedOn.Time, in.RiskLevel,
			dateArg(in.NextReview), in.Agency).Scan(&id)
	})
	if err != nil {
		return intel.Assessment{}, wrap(err, "assessment")
	}
	return db.GetAssessment(ctx, pr, id)
}

// UpdateAssessment replaces an assessment.
func (db *DB) UpdateAssessment(ctx context.Context, pr intel.Principal, id int64, in intel.AssessmentInput) (intel.Assessment, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := db.GetAssessment(ctx, pr, id); err != nil {
			return err
		}
		if err := db.personInScope(ctx, tx, pr, in.PersonID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE assessments SET person_id = $2, kind = $3, completed_on = $4, risk_level = $5,
			next_review = $6, agency = $7, updated_at = now() WHERE id = $1`, id, in.PersonID, in.Kind,
			in.CompletedOn.Time, in.RiskLevel, dateArg(in.NextReview), in.Agency)
		return err
	})
	if err != nil {
		return intel.Assessment{}, wrap(err, "assessment")
	}
	return db.GetAssessment(ctx, pr, id)
}

// DeleteAssessment deletes an assessment.
func (db *DB) DeleteAssessment(ctx context.Context, pr intel.Principal, id int64) error {
	if _, err := db.GetAssessment(ctx, pr, id); err != nil {
		return err
	}
	return deleteByID(ctx, db, "assessments", "assessment", id)
}
