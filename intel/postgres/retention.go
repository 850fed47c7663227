package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// RetentionResult counts what retention removed (or would remove).
type RetentionResult struct {
	Cutoff      time.Time `json:"cutoff"`
	Links       int64     `json:"links"`
	Events      int64     `json:"events"`
	Assessments int64     `json:"assessments"`
	PeopleIDs   []int64   `json:"-"`
	People      int64     `json:"people"`
}

// ApplyRetention deletes what is older than cutoff, in one transaction:
// links last seen before it; events that ended before it; assessments
// completed before it; then people left with nothing (no links, events,
// assessments, and no status or category period in force after the
// cutoff), created before it. With dryRun it only counts.
func (db *DB) ApplyRetention(ctx context.Context, cutoff time.Time, dryRun bool) (RetentionResult, error) {
	res := RetentionResult{Cutoff: cutoff}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		for _, q := range []struct {
			sql string
			n   *int64
		}{
			{`DELETE FROM links WHERE last_seen < $1`, &res.Links},
			{`DELETE FROM events WHERE ends_at < $1`, &res.Events},
			{`DELETE FROM assessments WHERE completed_on < $1`, &res.Assessments},
		} {
			tag, err := tx.Exec(ctx, q.sql, cutoff)
			if err != nil {
				return err
			}
			*q.n = tag.RowsAffected()
		}
		rows, err := tx.Query(ctx, `DELETE FROM people p WHERE p.created_at < $1
			AND NOT EXISTS (SELECT 1 FROM links l WHERE l.source_id = p.id OR l.target_id = p.id)
			AND NOT EXISTS (SELECT 1 FROM event_people ep WHERE ep.person_id = p.id)
			AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.person_id = p.id)
			AND NOT EXISTS (SELECT 1 FROM person_statuses s WHERE s.person_id = p.id AND (s.valid_to IS NULL OR s.valid_to >= $1))
			AND NOT EXISTS (SELECT 1 FROM person_categories c WHERE c.person_id = p.id AND (c.valid_to IS NULL OR c.valid_to >= $1))
			RETURNING p.id`, cutoff)
		if err != nil {
			return err
		}
		res.PeopleIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		res.People = int64(len(res.PeopleIDs))
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		err = nil
	}
	return res, wrap(err, "retention")
}

var errDryRun = &intel.Error{Code: intel.EINVALID, Message: "dry run"}
