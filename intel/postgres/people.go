package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// PersonFilter selects people in a list.
type PersonFilter struct {
	Kind     string
	District string
	Category string // in force on AsOf
	Status   string // in force on AsOf
	AsOf     *intel.Date
	CaseRef  string // matched by its keyed hash
}

// RefHash is the keyed hash under which a case-system reference is stored.
func (db *DB) RefHash(ref string) []byte {
	m := hmac.New(sha256.New, db.RefKey)
	m.Write([]byte(strings.TrimSpace(ref)))
	return m.Sum(nil)
}

const personCols = `p.id, p.kind, p.pseudonym, p.age_band, p.district, p.created_at, p.updated_at,
	(SELECT s.status FROM person_statuses s WHERE s.person_id = p.id AND s.valid_from <= $AS
	   AND (s.valid_to IS NULL OR s.valid_to > $AS)),
	(SELECT c.category FROM person_categories c WHERE c.person_id = p.id AND c.valid_from <= $AS
	   AND (c.valid_to IS NULL OR c.valid_to > $AS)),
	(SELECT coalesce(json_agg(json_build_object('status', s.status, 'from', s.valid_from, 'to', s.valid_to)
	   ORDER BY s.valid_from), '[]') FROM person_statuses s WHERE s.person_id = p.id),
	(SELECT coalesce(json_agg(json_build_object('category', c.category, 'from', c.valid_from, 'to', c.valid_to)
	   ORDER BY c.valid_from), '[]') FROM person_categories c WHERE c.person_id = p.id)`

func scanPerson(row pgx.Row) (intel.Person, error) {
	var p intel.Person
	var st, ca []byte
	err := row.Scan(&p.ID, &p.Kind, &p.Pseudonym, &p.AgeBand, &p.District, &p.CreatedAt, &p.UpdatedAt,
		&p.Status, &p.Category, &st, &ca)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(st, &p.Statuses); err != nil {
		return p, fmt.Errorf("decode statuses: %w", err)
	}
	if err := json.Unmarshal(ca, &p.Categories); err != nil {
		return p, fmt.Errorf("decode categories: %w", err)
	}
	return p, nil
}

// asOfSQL puts the as-of date parameter into a query: today when nil.
func asOfSQL(q string, n int) string {
	return strings.ReplaceAll(q, "$AS", fmt.Sprintf("coalesce($%d::date, current_date)", n))
}

// GetPerson reads one person in the caller's scope, with status and category
// in force on asOf (today when nil).
func (db *DB) GetPerson(ctx context.Context, pr intel.Principal, id int64, asOf *intel.Date) (intel.Person, error) {
	q := asOfSQL(`SELECT `+personCols+` FROM people p WHERE p.id = $1
		AND ($2::text[] IS NULL OR p.district = ANY($2)) AND ($4 OR p.kind <> 'adult_of_concern')`, 3)
	p, err := scanPerson(db.Pool.QueryRow(ctx, q, id, pr.Scope(), dateArg(asOf), pr.SeesAdults()))
	return p, wrap(err, "person")
}

// ListPeople lists people in the caller's scope, by id.
func (db *DB) ListPeople(ctx context.Context, pr intel.Principal, f PersonFilter, pg intel.Page) ([]intel.Person, error) {
	var refHash []byte
	if f.CaseRef != "" {
		refHash = db.RefHash(f.CaseRef)
	}
	q := asOfSQL(`SELECT `+personCols+` FROM people p
		WHERE p.id > $1 AND ($2::text[] IS NULL OR p.district = ANY($2))
		  AND ($4 = '' OR p.kind = $4) AND ($5 = '' OR p.district = $5)
		  AND ($6 = '' OR EXISTS (SELECT 1 FROM person_categories c WHERE c.person_id = p.id AND c.category = $6
		        AND c.valid_from <= $AS AND (c.valid_to IS NULL OR c.valid_to > $AS)))
		  AND ($7 = '' OR EXISTS (SELECT 1 FROM person_statuses s WHERE s.person_id = p.id AND s.status = $7
		        AND s.valid_from <= $AS AND (s.valid_to IS NULL OR s.valid_to > $AS)))
		  AND ($8::bytea IS NULL OR p.ref_hash = $8) AND ($10 OR p.kind <> 'adult_of_concern')
		ORDER BY p.id LIMIT $9`, 3)
	rows, err := db.Pool.Query(ctx, q, pg.After, pr.Scope(), dateArg(f.AsOf), f.Kind, f.District, f.Category, f.Status, refHash, pg.Limit, pr.SeesAdults())
	if err != nil {
		return nil, wrap(err, "people")
	}
	return collect(rows, scanPerson, "people")
}

// CreatePerson stores a new person with their status and category history.
func (db *DB) CreatePerson(ctx context.Context, pr intel.Principal, in intel.PersonInput) (intel.Person, error) {
	if in.Kind == intel.AdultOfConcern && !pr.SeesAdults() {
		return intel.Person{}, intel.Errorf(intel.EFORBIDDEN, "your role may not record adults of concern")
	}
	if !pr.InScope(in.District) {
		return intel.Person{}, intel.Invalid("district", "is outside the districts you may write to")
	}
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var ref []byte
		if in.CaseRef != nil {
			ref = db.RefHash(*in.CaseRef)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO people (kind, pseudonym, ref_hash, age_band, district)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, in.Kind, in.Pseudonym, ref, in.AgeBand, in.District).Scan(&id); err != nil {
			return err
		}
		return writeHistories(ctx, tx, id, in)
	})
	if err != nil {
		return intel.Person{}, wrap(err, "person")
	}
	return db.GetPerson(ctx, pr, id, nil)
}

func writeHistories(ctx context.Context, tx pgx.Tx, id int64, in intel.PersonInput) error {
	for _, s := range in.Statuses {
		if _, err := tx.Exec(ctx, `INSERT INTO person_statuses (person_id, status, valid_from, valid_to) VALUES ($1, $2, $3, $4)`,
			id, s.Status, s.From.Time, dateArg(s.To)); err != nil {
			return err
		}
	}
	for _, c := range in.Categories {
		if _, err := tx.Exec(ctx, `INSERT INTO person_categories (person_id, category, valid_from, valid_to) VALUES ($1, $2, $3, $4)`,
			id, c.Category, c.From.Time, dateArg(c.To)); err != nil {
			return err
		}
	}
	return nil
}

// UpdatePerson replaces a person and their histories.
func (db *DB) UpdatePerson(ctx context.Context, pr intel.Principal, id int64, in intel.PersonInput) (intel.Person, error) {
	if _, err := db.GetPerson(ctx, pr, id, nil); err != nil {
		return intel.Person{}, err
	}
	if in.Kind == intel.AdultOfConcern && !pr.SeesAdults() {
		return intel.Person{}, intel.Errorf(intel.EFORBIDDEN, "your role may not record adults of concern")
	}
	if !pr.InScope(in.District) {
		return intel.Person{}, intel.Invalid("district", "is outside the districts you may write to")
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var ref []byte
		if in.CaseRef != nil {
			ref = db.RefHash(*in.CaseRef)
		}
		tag, err := tx.Exec(ctx, `UPDATE people SET kind = $2, pseudonym = $3, ref_hash = coalesce($4, ref_hash),
			age_band = $5, district = $6, updated_at = now()
			WHERE id = $1 AND ($7::text[] IS NULL OR district = ANY($7))`,
			id, in.Kind, in.Pseudonym, ref, in.AgeBand, in.District, pr.Scope())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return intel.NotFound("person")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM person_statuses WHERE person_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM person_categories WHERE person_id = $1`, id); err != nil {
			return err
		}
		return writeHistories(ctx, tx, id, in)
	})
	if err != nil {
		return intel.Person{}, wrap(err, "person")
	}
	return db.GetPerson(ctx, pr, id, nil)
}

// DeletePerson erases a person with their links, histories, assessments and
// event participation, in one transaction.
func (db *DB) DeletePerson(ctx context.Context, pr intel.Principal, id int64) error {
	if _, err := db.GetPerson(ctx, pr, id, nil); err != nil {
		return err
	}
	tag, err := db.Pool.Exec(ctx, `DELETE FROM people WHERE id = $1 AND ($2::text[] IS NULL OR district = ANY($2))`, id, pr.Scope())
	if err != nil {
		return wrap(err, "person")
	}
	if tag.RowsAffected() == 0 {
		return intel.NotFound("person")
	}
	return nil
}

// ChangeHistory records a change of status or category from a date: the
// period in force then is closed on that date and a new one opened. The new
// value "" only closes (the category no longer applies).
func (db *DB) ChangeHistory(ctx context.Context, pr intel.Principal, id int64, which, value string, from intel.Date) (intel.Person, error) {
	table, col := "person_statuses", "status"
	if which == "category" {
		table, col = "person_categories", "category"
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var kind string
		if err := tx.QueryRow(ctx, `SELECT kind FROM people WHERE id = $1 AND ($2::text[] IS NULL OR district = ANY($2)) FOR UPDATE`,
			id, pr.Scope()).Scan(&kind); err != nil {
			return err
		}
		if kind != intel.YoungPerson {
			return intel.Invalid(which, "applies only to young people")
		}
		var later int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE person_id = $1 AND valid_from > $2`, id, from.Time).Scan(&later); err != nil {
			return err
		}
		if later > 0 {
			return intel.Invalid("from", "a later "+which+" is already recorded: edit the history with PUT instead")
		}
		// A period that starts on the same day is replaced, not closed empty.
		if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE person_id = $1 AND valid_from = $2`, id, from.Time); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET valid_to = $2 WHERE person_id = $1 AND valid_from < $2
			AND (valid_to IS NULL OR valid_to > $2)`, id, from.Time); err != nil {
			return err
		}
		if value == "" {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO `+table+` (person_id, `+col+`, valid_from) VALUES ($1, $2, $3)`, id, value, from.Time)
		return err
	})
	if err != nil {
		return intel.Person{}, wrap(err, "person")
	}
	return db.GetPerson(ctx, pr, id, &from)
}

func dateArg(d *intel.Date) any {
	if d == nil {
		return nil
	}
	return d.Time
}
