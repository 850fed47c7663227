package postgres

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// auditLock serialises appends so the chain has one order.
const auditLock = 7243001

// Audit appends a record to the hash-chained audit log. Seq, At, PrevHash
// and Hash are filled in here.
func (db *DB) Audit(ctx context.Context, r intel.AuditRecord) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLock); err != nil {
			return err
		}
		var seq int64
		var prev []byte
		err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
		if err != nil && err != pgx.ErrNoRows {
			return err
		}
		if prev == nil {
			prev = []byte{}
		}
		r.Seq, r.PrevHash = seq+1, prev
		// PostgreSQL keeps microseconds: hash what is stored.
		r.At = time.Now().UTC().Truncate(time.Microsecond)
		if r.PersonIDs == nil {
			r.PersonIDs = []int64{}
		}
		if r.Params == "" {
			r.Params = "{}"
		}
		r.Hash = r.ChainHash(db.AuditKey)
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, actor_label, role, action, route, params,
			person_ids, purpose, status, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			r.Seq, r.At, r.Actor, r.ActorLabel, string(r.Role), r.Action, r.Route, r.Params, r.PersonIDs, r.Purpose,
			r.Status, r.PrevHash, r.Hash)
		return err
	})
	return wrap(err, "audit")
}

// AuditFilter selects audit records.
type AuditFilter struct {
	PersonID int64
	Actor    string
	From, To *time.Time
}

const auditCols = `seq, at, actor, actor_label, role, action, route, params::text, person_ids, purpose, status, prev_hash, hash`

func scanAudit(row pgx.Row) (intel.AuditRecord, error) {
	var r intel.AuditRecord
	var role string
	err := row.Scan(&r.Seq, &r.At, &r.Actor, &r.ActorLabel, &role, &r.Action, &r.Route, &r.Params, &r.PersonIDs,
		&r.Purpose, &r.Status, &r.PrevHash, &r.Hash)
	r.Role = intel.Role(role)
	return r, err
}

// ListAudit lists audit records after seq After, oldest first.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter, pg intel.Page) ([]intel.AuditRecord, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq > $1
		AND ($2::bigint = 0 OR person_ids @> ARRAY[$2::bigint]) AND ($3 = '' OR actor = $3)
		AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at <= $5)
		ORDER BY seq LIMIT $6`, pg.After, f.PersonID, f.Actor, f.From, f.To, pg.Limit)
	if err != nil {
		return nil, wrap(err, "audit")
	}
	return collect(rows, scanAudit, "audit")
}

// AuditProblem is one break in the audit chain.
type AuditProblem struct {
	Seq    int64  // the record where the chain breaks
	Reason string // what is wrong there
}

// VerifyAudit walks the whole chain in order and reports every break:
// altered records (hash mismatch), removed or inserted records (sequence gap
// or duplicate, previous-hash mismatch) and reordering. It streams, so the
// log's size does not matter.
func (db *DB) VerifyAudit(ctx context.Context) (checked int64, problems []AuditProblem, err error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq, ctid`)
	if err != nil {
		return 0, nil, wrap(err, "audit")
	}
	defer rows.Close()
	var prevSeq int64
	prevHash := []byte{}
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return checked, problems, wrap(err, "audit")
		}
		checked++
		switch {
		case r.Seq == prevSeq:
			problems = append(problems, AuditProblem{r.Seq, "a second record with the same sequence number (inserted)"})
		case r.Seq != prevSeq+1:
			problems = append(problems, AuditProblem{r.Seq, fmt.Sprintf("records %d to %d are missing (removed)", prevSeq+1, r.Seq-1)})
		}
		if !bytes.Equal(r.PrevHash, prevHash) {
			problems = append(problems, AuditProblem{r.Seq, "does not follow the previous record's hash (removed, inserted or reordered before it)"})
		}
		if !bytes.Equal(r.ChainHash(db.AuditKey), r.Hash) {
			problems = append(problems, AuditProblem{r.Seq, "its content does not match its hash (altered)"})
		}
		prevSeq, prevHash = r.Seq, r.Hash
	}
	return checked, problems, wrap(rows.Err(), "audit")
}
