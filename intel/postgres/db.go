// Package postgres stores the intelligence graph in PostgreSQL + PostGIS.
// All SQL lives here. Reads take the caller's intel.Principal and apply its
// district scope in the query itself, so an out-of-scope row is never read.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/puddle/v2"
	"github.com/pressly/goose/v3"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/migrations"
)

// DB is the store: a pool of connections to the primary database and,
// optionally, one to a read replica.
type DB struct {
	// Pool reaches the primary: every write, and every read that must see
	// the writes just made.
	Pool *pgxpool.Pool
	// ReadPool, when not nil, reaches a streaming replica (OpenReader).
	// Use it through Reader, which falls back to Pool while the replica
	// is down or behind.
	ReadPool *pgxpool.Pool
	replica  *replica
	// RefKey keys the HMAC of case-system references.
	RefKey []byte
	// AuditKey keys the audit log's hash chain.
	AuditKey []byte
	// pictures keeps the Current Picture's counts (PictureCounts).
	pictures kept[int64, time.Time, []intel.PictureCount]
	// missing keeps missing episodes by period (MissingEpisodes).
	missing kept[[2]int64, [2]time.Time, []intel.MissingEpisode]
	// districtIx finds events' districts in an import (import_districts.go).
	districtIx kept[int64, struct{}, *geo.AreaIndex]
	// importTurn lets one import of this process at a time open its
	// connection (importConn); the others wait here, not in the database.
	importTurn chan struct{}
	importOnce sync.Once
}

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := poolConfig(url, "contextmap")
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// poolConfig is how every pool connects. The timeouts make a database
// that is down, stuck or unreachable cost a request seconds, never a hang:
//   - a connection attempt gives up after 5 s;
//   - when a request's context ends, the server is asked to cancel the
//     statement (so it stops working, and waiting for locks, for nobody)
//     and the connection is kept for the next request; it is dropped only
//     if the server has not answered a second later;
//   - the server cuts off any statement after 60 s and any transaction
//     left idle for 5 minutes (a client stuck holding locks), and checks
//     every 5 s during a long statement that the client is still there
//     (a client killed outright sends no cancel).
func poolConfig(url, appName string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	rp := cfg.ConnConfig.RuntimeParams
	setDefault(rp, "application_name", appName)
	setDefault(rp, "statement_timeout", "60000")
	setDefault(rp, "idle_in_transaction_session_timeout", "300000")
	setDefault(rp, "client_connection_check_interval", "5000")
	// No JIT: the planner's cost estimates for the map and report queries
	// (large, but answered in tens of milliseconds from indexes) trip its
	// thresholds, and compiling costs more than it saves (about 340 ms of a
	// 2.2 s trend report at national scale, measured with EXPLAIN ANALYZE).
	setDefault(rp, "jit", "off")
	return cfg, nil
}

// setDefault sets a run-time parameter unless the URL already did.
func setDefault(m map[string]string, k, v string) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// Close closes the pools.
func (db *DB) Close() {
	if db.replica != nil {
		db.replica.close()
	}
	if db.ReadPool != nil {
		db.ReadPool.Close()
	}
	db.Pool.Close()
}

// Migrate brings the schema to the latest version.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	return migrateSQL(ctx, sqlDB, log)
}

func migrateSQL(ctx context.Context, sqlDB *sql.DB, log *slog.Logger) error {
	p, err := newProvider(sqlDB)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		if log != nil {
			log.Info("migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// newProvider reads the migrations. Features are built on branches that
// each number their migrations in a range of their own, and merge in any
// order: a database may hold 00070 before 00060 arrives, so a migration
// older than the newest applied one is applied, not refused.
func newProvider(sqlDB *sql.DB) (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithAllowOutofOrder(true))
}

// Ready reports whether the database answers and is fully migrated.
func (db *DB) Ready(ctx context.Context) error {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	p, err := newProvider(sqlDB)
	if err != nil {
		return err
	}
	has, err := p.HasPending(ctx)
	if err != nil {
		return wrap(err, "check migrations")
	}
	if has {
		return intel.Errorf(intel.EUNAVAILABLE, "database schema is not migrated (run contextmap migrate)")
	}
	return nil
}

// wrap turns a database error into a domain error: constraint violations
// become EINVALID or ECONFLICT naming the field; lost connections become
// EUNAVAILABLE. Anything else is EINTERNAL with the cause kept for the log.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var ie *intel.Error
	if errors.As(err, &ie) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return intel.NotFound(what)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &intel.Error{Code: intel.EUNAVAILABLE, Message: "the request took too long", Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &intel.Error{Code: intel.EUNAVAILABLE, Message: "the request was cancelled", Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		field := columnField(pe)
		switch pe.Code {
		case "23505":
			return &intel.Error{Code: intel.ECONFLICT, Message: field + ": already exists",
				Fields: []intel.FieldError{{Field: field, Reason: "already exists"}}, Err: err}
		case "23503":
			return &intel.Error{Code: intel.EINVALID, Message: field + ": refers to a record that does not exist",
				Fields: []intel.FieldError{{Field: field, Reason: "refers to a record that does not exist"}}, Err: err}
		case "23514", "23502", "22P02", "22007", "22008", "22023", "22021", "22001", "22003", "XX000":
			return &intel.Error{Code: intel.EINVALID, Message: field + ": is not valid",
				Fields: []intel.FieldError{{Field: field, Reason: "is not valid"}}, Err: err}
		case "23P01":
			return &intel.Error{Code: intel.EINVALID, Message: field + ": overlaps another period",
				Fields: []intel.FieldError{{Field: field, Reason: "overlaps another period"}}, Err: err}
		case "57014":
			return &intel.Error{Code: intel.EUNAVAILABLE, Message: "the query took too long", Err: err}
		case "40001", "40P01", "55P03":
			// Serialization failure (also a replica's query cancelled by
			// replay), deadlock, lock not available: retrying succeeds.
			return &intel.Error{Code: intel.EUNAVAILABLE, Message: "the database was busy; retry", Err: err}
		case "25006":
			// A write reached a read-only server: a failover is under way.
			return &intel.Error{Code: intel.EUNAVAILABLE, Message: "the database is read-only for now", Err: err}
		}
	}
	if connectionLost(err) {
		return &intel.Error{Code: intel.EUNAVAILABLE, Message: "the database is unavailable", Err: err}
	}
	return &intel.Error{Code: intel.EINTERNAL, Message: "internal error", Err: fmt.Errorf("%s: %w", what, err)}
}

// connectionLost reports whether err means the database could not be
// reached or the connection died: the server refused, shut down, ran out
// of connections, or the socket closed or timed out.
func connectionLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources (too many connections, disk full)
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "57P05": // idle session timeout
			return true
		}
		return false
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, puddle.ErrClosedPool)
}

// columnField names the API field behind a constraint or column.
func columnField(pe *pgconn.PgError) string {
	if f, ok := constraintFields[pe.ConstraintName]; ok {
		return f
	}
	if pe.ColumnName != "" {
		return pe.ColumnName
	}
	if pe.ConstraintName != "" {
		return pe.ConstraintName
	}
	return "body"
}

var constraintFields = map[string]string{
	"people_pseudonym_key":             "pseudonym",
	"people_ref_hash_key":              "case_ref",
	"people_district_fkey":             "district",
	"places_district_fkey":             "district",
	"places_ext_ref_key":               "ext_ref",
	"events_ext_ref_key":               "ext_ref",
	"links_ext_ref_key":                "ext_ref",
	"peer_groups_ext_ref_key":          "ext_ref",
	"online_spaces_ext_ref_key":        "ext_ref",
	"peer_groups_district_fkey":        "district",
	"online_spaces_district_fkey":      "district",
	"events_place_id_fkey":             "place_id",
	"events_found_place_id_fkey":       "found_place_id",
	"event_people_person_id_fkey":      "people",
	"event_groups_group_id_fkey":       "groups",
	"links_source_id_fkey":             "source_id",
	"links_target_id_fkey":             "target_id",
	"assessments_person_id_fkey":       "person_id",
	"person_statuses_person_id_excl":   "statuses",
	"person_categories_person_id_excl": "categories",
	"places_geom_check":                "geometry",
	"events_geom_check":                "geometry",
}
