package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ReaderOptions tune how a read replica is used.
type ReaderOptions struct {
	// CheckEvery is how often the replica's health is checked; default 2 s.
	CheckEvery time.Duration
	// MaxLag is how far behind the primary the replica may replay before
	// reads go back to the primary; default 30 s, negative for no limit.
	MaxLag time.Duration
	// Log receives a line each time the replica goes out of use or back.
	Log *slog.Logger
}

// replica watches the read pool's health in the background.
type replica struct {
	healthy atomic.Bool
	lag     atomic.Int64 // last measured replay lag, nanoseconds
	stop    context.CancelFunc
	done    chan struct{}
	log     *slog.Logger
	once    sync.Once // the first check has run
	checked chan struct{}
}

// OpenReader connects ReadPool to a read replica (a streaming standby of
// the primary) at url. Map, report and OGC reads then go there through
// Reader while it answers and keeps up; otherwise to the primary. The
// replica need not be up yet: its health is checked in the background
// every opt.CheckEvery, and until it answers reads use the primary.
func (db *DB) OpenReader(ctx context.Context, url string, opt ReaderOptions) error {
	if db.ReadPool != nil {
		return errors.New("a read replica is already open")
	}
	cfg, err := poolConfig(url, "contextmap-read")
	if err != nil {
		return fmt.Errorf("parse read database url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	if opt.CheckEvery <= 0 {
		opt.CheckEvery = 2 * time.Second
	}
	if opt.MaxLag == 0 {
		opt.MaxLag = 30 * time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	wctx, stop := context.WithCancel(context.Background())
	r := &replica{stop: stop, done: make(chan struct{}), log: opt.Log, checked: make(chan struct{})}
	db.ReadPool, db.replica = pool, r
	go r.watch(wctx, pool, opt)
	// Wait briefly for the first check, so that a healthy replica is in use
	// from the first request.
	select {
	case <-r.checked:
	case <-ctx.Done():
	case <-time.After(3 * time.Second):
	}
	return nil
}

// Reader is the pool for reads that may lag a moment behind writes: the
// replica while it is healthy, else the primary. Reads that must see the
// caller's own write just made (CRUD read-backs) use Pool, or pass a
// context made by WithPrimary.
func (db *DB) Reader(ctx context.Context) *pgxpool.Pool {
	if db.ReadPool == nil || db.replica == nil || !db.replica.healthy.Load() || primaryOnly(ctx) {
		return db.Pool
	}
	return db.ReadPool
}

// ReaderHealthy reports whether reads go to a replica, and its replay lag
// at the last check.
func (db *DB) ReaderHealthy() (bool, time.Duration) {
	if db.replica == nil {
		return false, 0
	}
	return db.replica.healthy.Load(), time.Duration(db.replica.lag.Load())
}

// ReadQuery runs a read-only query through Reader. A replica that fails
// before the first row arrives (it is down, or went down since the last
// check) is taken out of use at once and the query run on the primary
// instead, so a replica going down costs no failed request. An error after
// rows have started to arrive is returned as is.
func (db *DB) ReadQuery(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	p := db.Reader(ctx)
	rows, err := p.Query(ctx, sql, args...)
	if p == db.Pool {
		return rows, err
	}
	if err != nil {
		if !retryOnPrimary(err) {
			return nil, err
		}
		db.replica.failed(err)
		return db.Pool.Query(ctx, sql, args...)
	}
	return &fallbackRows{Rows: rows, db: db, ctx: ctx, sql: sql, args: args}, nil
}

// fallbackRows are a replica's rows that move to the primary if the
// replica fails before the first row.
type fallbackRows struct {
	pgx.Rows
	db      *DB
	ctx     context.Context
	sql     string
	args    []any
	started bool
	err     error
}

func (r *fallbackRows) Next() bool {
	if r.err != nil {
		return false
	}
	ok := r.Rows.Next()
	if ok || r.started {
		r.started = true
		return ok
	}
	r.started = true
	if err := r.Rows.Err(); err != nil && retryOnPrimary(err) {
		r.Rows.Close()
		r.db.replica.failed(err)
		rows, err := r.db.Pool.Query(r.ctx, r.sql, r.args...)
		if err != nil {
			r.err = err
			return false
		}
		r.Rows = rows
		return rows.Next()
	}
	return false
}

func (r *fallbackRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.Rows.Err()
}

// ReadQueryRow is QueryRow through Reader, with ReadQuery's fallback.
func (db *DB) ReadQueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return readRow{db: db, ctx: ctx, sql: sql, args: args}
}

type readRow struct {
	db   *DB
	ctx  context.Context
	sql  string
	args []any
}

func (r readRow) Scan(dest ...any) error {
	p := r.db.Reader(r.ctx)
	err := p.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
	if err != nil && p != r.db.Pool && retryOnPrimary(err) {
		r.db.replica.failed(err)
		return r.db.Pool.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
	}
	return err
}

// retryOnPrimary reports whether a read that failed on the replica should
// be run again on the primary: the replica is down, or it cancelled the
// query because replaying the primary's changes needed what the query
// held (a recovery conflict, SQLSTATE 40001 on a standby).
func retryOnPrimary(err error) bool {
	return replicaDown(err) || recoveryConflict(err)
}

func recoveryConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40001" && strings.Contains(pe.Message, "conflict with recovery")
}

// failed takes the replica out of use if err says it is down; a recovery
// conflict is one query's bad luck, not the replica's.
func (r *replica) failed(err error) {
	if replicaDown(err) {
		r.down(err)
	}
}

// replicaDown reports whether err means the replica itself is unusable
// (not that the query was wrong or the caller gave up).
func replicaDown(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return connectionLost(err)
}

type primaryKey struct{}

// WithPrimary marks ctx so that Reader returns the primary: for a request
// that reads what it has just written.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

func primaryOnly(ctx context.Context) bool {
	v, _ := ctx.Value(primaryKey{}).(bool)
	return v
}

func (r *replica) down(err error) {
	if r.healthy.Swap(false) {
		r.log.Warn("read replica out of use; reads go to the primary", "err", err)
	}
}

// lagSQL measures how far the replica's replay is behind: zero when it has
// replayed all it received (an idle primary sends nothing, so the time
// since the last replayed commit would grow without meaning), else the age
// of the last replayed commit. A replica that is not in recovery (it was
// promoted) has no lag.
const lagSQL = `SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
	ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8`

func (r *replica) watch(ctx context.Context, pool *pgxpool.Pool, opt ReaderOptions) {
	defer close(r.done)
	t := time.NewTicker(opt.CheckEvery)
	defer t.Stop()
	for {
		r.check(ctx, pool, opt)
		r.once.Do(func() { close(r.checked) })
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *replica) check(ctx context.Context, pool *pgxpool.Pool, opt ReaderOptions) {
	cctx, cancel := context.WithTimeout(ctx, max(opt.CheckEvery/2, time.Second))
	defer cancel()
	var secs float64
	err := pool.QueryRow(cctx, lagSQL).Scan(&secs)
	if ctx.Err() != nil {
		return
	}
	lag := time.Duration(secs * float64(time.Second))
	r.lag.Store(int64(lag))
	switch {
	case err != nil:
		r.down(err)
	case opt.MaxLag > 0 && lag > opt.MaxLag:
		r.down(fmt.Errorf("replay lag %s is over %s", lag.Round(time.Millisecond), opt.MaxLag))
	default:
		if !r.healthy.Swap(true) {
			r.log.Info("read replica in use", "lag", lag.Round(time.Millisecond))
		}
	}
}

func (r *replica) close() {
	r.stop()
	<-r.done
}

// ReadBatch sends a batch of read-only queries through Reader. If the
// replica fails on the batch's first result (it is down, or went down
// since the last check), it is taken out of use and the whole batch sent
// to the primary instead; later results are returned as they come.
func (db *DB) ReadBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	p := db.Reader(ctx)
	br := p.SendBatch(ctx, b)
	if p == db.Pool {
		return br
	}
	return &fallbackBatch{BatchResults: br, db: db, ctx: ctx, b: b}
}

// fallbackBatch is a replica's batch that moves to the primary if the
// replica fails on its first result.
type fallbackBatch struct {
	pgx.BatchResults
	db      *DB
	ctx     context.Context
	b       *pgx.Batch
	started bool
}

// retry reports whether the first result failed because the replica is
// down, and if so resends the batch to the primary.
func (f *fallbackBatch) retry(err error) bool {
	first := !f.started
	f.started = true
	if !first || err == nil || !retryOnPrimary(err) {
		return false
	}
	_ = f.BatchResults.Close()
	f.db.replica.failed(err)
	f.BatchResults = f.db.Pool.SendBatch(f.ctx, f.b)
	return true
}

func (f *fallbackBatch) Exec() (pgconn.CommandTag, error) {
	tag, err := f.BatchResults.Exec()
	if f.retry(err) {
		return f.BatchResults.Exec()
	}
	return tag, err
}

func (f *fallbackBatch) Query() (pgx.Rows, error) {
	rows, err := f.BatchResults.Query()
	if err == nil && !f.started {
		// A failure of the first query shows in its rows: read ahead to
		// the first row, which the caller's Next returns from peeked.
		ok := rows.Next()
		if !ok && f.retry(rows.Err()) {
			return f.BatchResults.Query()
		}
		f.started = true
		return &peekedRows{Rows: rows, ok: ok}, nil
	}
	if f.retry(err) {
		return f.BatchResults.Query()
	}
	return rows, err
}

func (f *fallbackBatch) QueryRow() pgx.Row {
	return batchRow{f: f}
}

type batchRow struct{ f *fallbackBatch }

func (r batchRow) Scan(dest ...any) error {
	err := r.f.BatchResults.QueryRow().Scan(dest...)
	if r.f.retry(err) {
		return r.f.BatchResults.QueryRow().Scan(dest...)
	}
	return err
}

// peekedRows are rows whose first Next has been called already.
type peekedRows struct {
	pgx.Rows
	ok     bool
	peeked bool
}

func (r *peekedRows) Next() bool {
	if !r.peeked {
		r.peeked = true
		return r.ok
	}
	return r.Rows.Next()
}

// ReadTx begins a read-only transaction through Reader (falling back to
// the primary if the replica cannot start one), for reads that must see
// one snapshot across several statements.
func (db *DB) ReadTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	opts.AccessMode = pgx.ReadOnly
	p := db.Reader(ctx)
	tx, err := p.BeginTx(ctx, opts)
	if err != nil && p != db.Pool && replicaDown(err) {
		db.replica.down(err)
		return db.Pool.BeginTx(ctx, opts)
	}
	return tx, err
}
