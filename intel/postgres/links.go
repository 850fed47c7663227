package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// LinkFilter selects links in a list.
type LinkFilter struct {
	Kind      string
	Node      int64 // either end
	MinGrade  *intel.Grade
	Confirmed *bool
	ReviewDue *bool
	ExtRef    string
}

// linkScope keeps links whose person ends are all in the caller's scope.
// Links touching an adult of concern need a role that sees adults ($A).
const linkScope = `($S::text[] IS NULL OR ((sp.id IS NULL OR sp.district = ANY($S)) AND (tp.id IS NULL OR tp.district = ANY($S))))
	AND ($A OR (coalesce(sp.kind, '') <> 'adult_of_concern' AND coalesce(tp.kind, '') <> 'adult_of_concern'))`

const linkFrom = ` FROM links l JOIN nodes sn ON sn.id = l.source_id JOIN nodes tn ON tn.id = l.target_id
	LEFT JOIN people sp ON sp.id = l.source_id LEFT JOIN people tp ON tp.id = l.target_id `

const linkCols = `l.id, l.kind, l.source_id, sn.type, l.target_id, tn.type, l.source_eval || l.intel_assessment || l.handling,
	l.legacy_grade, l.confirmed, l.source_agency, l.first_seen, l.last_seen, l.review_date, l.review_date <= current_date,
	l.nature, l.strength, l.recorded_by, l.ext_ref, l.created_at, l.updated_at`

func scanLink(row pgx.Row) (intel.Link, error) {
	var l intel.Link
	var grade string
	err := row.Scan(&l.ID, &l.Kind, &l.SourceID, &l.SourceType, &l.TargetID, &l.TargetType, &grade, &l.LegacyGrade,
		&l.Confirmed, &l.SourceAgency, &l.FirstSeen.Time, &l.LastSeen.Time, &l.ReviewDate.Time, &l.ReviewDue,
		&l.Nature, &l.Strength, &l.RecordedBy, &l.ExtRef, &l.CreatedAt, &l.UpdatedAt)
	if err == nil {
		l.Grade, err = intel.ParseGrade(grade)
	}
	return l, err
}

// GetLink reads one link in the caller's scope.
func (db *DB) GetLink(ctx context.Context, pr intel.Principal, id int64) (intel.Link, error) {
	q := replaceAll(replaceAll(`SELECT `+linkCols+linkFrom+` WHERE l.id = $1 AND `+linkScope, "$S", "$2"), "$A", "$3")
	l, err := scanLink(db.Pool.QueryRow(ctx, q, id, pr.Scope(), pr.SeesAdults()))
	return l, wrap(err, "link")
}

// ListLinks lists links in the caller's scope by id.
func (db *DB) ListLinks(ctx context.Context, pr intel.Principal, f LinkFilter, pg intel.Page) ([]intel.Link, error) {
	var src, asm any
	if f.MinGrade != nil {
		src, asm = string(f.MinGrade.Source), string(f.MinGrade.Assessment)
	}
	q := replaceAll(`SELECT `+linkCols+linkFrom+` WHERE l.id > $1 AND `+linkScope+`
		AND ($3 = '' OR l.kind = $3) AND ($4::bigint = 0 OR l.source_id = $4 OR l.target_id = $4)
		AND ($5::text IS NULL OR (l.source_eval <= $5 AND l.intel_assessment <= $6))
		AND ($7::boolean IS NULL OR l.confirmed = $7)
		AND ($8::boolean IS NULL OR (l.review_date <= current_date) = $8)
		AND ($9 = '' OR l.ext_ref = $9)
		ORDER BY l.id LIMIT $10`, "$S", "$2")
	q = replaceAll(q, "$A", "$11")
	rows, err := db.Pool.Query(ctx, q, pg.After, pr.Scope(), f.Kind, f.Node, src, asm, f.Confirmed, f.ReviewDue, f.ExtRef, pg.Limit, pr.SeesAdults())
	if err != nil {
		return nil, wrap(err, "links")
	}
	return collect(rows, scanLink, "links")
}

// nodeEnd describes one end of a link: its type and, for people, kind and
// district.
type nodeEnd struct {
	typ, personKind string
	district        *string
}

func lookupEnd(ctx context.Context, tx pgx.Tx, pr intel.Principal, field string, id int64) (nodeEnd, error) {
	var e nodeEnd
	var kind *string
	err := tx.QueryRow(ctx, `SELECT n.type, p.kind, p.district FROM nodes n LEFT JOIN people p ON p.id = n.id WHERE n.id = $1`,
		id).Scan(&e.typ, &kind, &e.district)
	if kind != nil {
		e.personKind = *kind
	}
	hidden := e.typ == intel.NodePerson && (!pr.InScope(e.district) || (e.personKind == intel.AdultOfConcern && !pr.SeesAdults()))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && hidden) {
		// Out-of-scope people answer as absent: no existence leak.
		return e, intel.Invalid(field, "refers to a node that does not exist")
	}
	return e, err
}

func checkEnds(ctx context.Context, tx pgx.Tx, pr intel.Principal, in intel.LinkInput) error {
	src, err := lookupEnd(ctx, tx, pr, "source_id", in.SourceID)
	if err != nil {
		return err
	}
	dst, err := lookupEnd(ctx, tx, pr, "target_id", in.TargetID)
	if err != nil {
		return err
	}
	if field, reason := intel.LinkRules[in.Kind].CheckEnds(src.typ, src.personKind, dst.typ); field != "" {
		return intel.Invalid(field, reason)
	}
	return nil
}

// CreateLink stores a link after checking both ends exist, are in scope and
// suit its kind.
func (db *DB) CreateLink(ctx context.Context, pr intel.Principal, in intel.LinkInput) (intel.Link, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := checkEnds(ctx, tx, pr, in); err != nil {
			return err
		}
		g := in.Grade
		return tx.QueryRow(ctx, `INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling,
			confirmed, source_agency, first_seen, last_seen, review_date, nature, strength, recorded_by, ext_ref)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			in.Kind, in.SourceID, in.TargetID, string(g.Source), string(g.Assessment), string(g.Handling),
			in.Confirmed, in.SourceAgency, in.FirstSeen.Time, in.LastSeen.Time, in.ReviewDate.Time, in.Nature,
			in.Strength, pr.Label, in.ExtRef).Scan(&id)
	})
	if err != nil {
		return intel.Link{}, wrap(err, "link")
	}
	return db.GetLink(ctx, pr, id)
}

// UpdateLink replaces a link in the caller's scope.
func (db *DB) UpdateLink(ctx context.Context, pr intel.Principal, id int64, in intel.LinkInput) (intel.Link, error) {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := db.GetLink(ctx, pr, id); err != nil {
			return err
		}
		if err := checkEnds(ctx, tx, pr, in); err != nil {
			return err
		}
		g := in.Grade
		_, err := tx.Exec(ctx, `UPDATE links SET kind = $2, source_id = $3, target_id = $4, source_eval = $5,
			intel_assessment = $6, handling = $7, confirmed = $8, source_agency = $9, first_seen = $10, last_seen = $11,
			review_date = $12, nature = $13, strength = $14, recorded_by = $15, ext_ref = $16, updated_at = now()
			WHERE id = $1`, id, in.Kind, in.SourceID, in.TargetID, string(g.Source), string(g.Assessment),
			string(g.Handling), in.Confirmed, in.SourceAgency, in.FirstSeen.Time, in.LastSeen.Time, in.ReviewDate.Time,
			in.Nature, in.Strength, pr.Label, in.ExtRef)
		return err
	})
	if err != nil {
		return intel.Link{}, wrap(err, "link")
	}
	return db.GetLink(ctx, pr, id)
}

// DeleteLink deletes a link in the caller's scope.
func (db *DB) DeleteLink(ctx context.Context, pr intel.Principal, id int64) error {
	if _, err := db.GetLink(ctx, pr, id); err != nil {
		return err
	}
	return deleteByID(ctx, db, "links", "link", id)
}
