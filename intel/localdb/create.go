package localdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	superuser = "postgres"
	appRole   = "contextmap"
	appDB     = "contextmap"
	logName   = "postgres.log"
)

// settings are appended to the new cluster's postgresql.conf: sized for a
// 2-core development box running many test processes at once.
const settings = `
# Added by contextmap's localdb package.
listen_addresses = '127.0.0.1'
port = %d
# /tmp rather than the data directory: a socket path is limited to 107
# bytes, which a data directory deep inside a checkout can exceed. The port
# is unique on the machine, so the socket name is too.
unix_socket_directories = '/tmp'
# go test ./... runs packages in parallel processes, each with a pool.
max_connections = 200
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 128MB
effective_cache_size = 1GB
# A crash may lose the last few commits but never corrupts the cluster;
# fsync stays on. Commit-heavy tests run much faster this way.
synchronous_commit = off
timezone = 'UTC'
log_timezone = 'UTC'
`

// create makes a new cluster for dir, starts it, provisions the app role,
// database and extensions, and only then records it in cluster.json: a
// cluster.json therefore always describes a complete cluster.
func create(ctx context.Context, dir string, r runner, log *slog.Logger) (st *state, err error) {
	st = &state{Version: 1, DataDir: "pgdata", Superuser: superuser, Role: appRole, Database: appDB, Created: time.Now().UTC()}
	data := filepath.Join(dir, st.DataDir)
	if r.asOther() && !r.canEnter(ctx, dir) {
		home := r.home
		if home == "" {
			home = "/var/lib/postgresql"
		}
		if !r.canEnter(ctx, home) {
			return nil, fmt.Errorf("localdb: the postgres user can reach neither %s nor its home %s", dir, home)
		}
		// Named after the checkout, so each checkout keeps its own cluster.
		sum := sha256.Sum256([]byte(dir))
		data = filepath.Join(home, "contextmap-"+hex.EncodeToString(sum[:])[:12])
		st.DataDir = data
	}

	// No cluster.json but a data directory: a creation that failed midway.
	if _, err := os.Stat(data); err == nil {
		log.Warn("removing a half-created cluster", "data_dir", data)
		if initialised(data) {
			if err := r.stop(ctx, data, "immediate"); err != nil {
				return nil, err
			}
		}
		if err := os.RemoveAll(data); err != nil {
			return nil, fmt.Errorf("localdb: remove %s: %w", data, err)
		}
	}

	if st.SuperuserPassword, err = password(); err != nil {
		return nil, err
	}
	if st.RolePassword, err = password(); err != nil {
		return nil, err
	}
	if st.Port, err = freePort(); err != nil {
		return nil, err
	}

	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, fmt.Errorf("localdb: create data directory: %w", err)
	}
	defer func() {
		if err != nil {
			// Leave nothing half-made behind; the next Ensure starts afresh.
			_ = r.stop(context.WithoutCancel(ctx), data, "immediate")
			_ = os.RemoveAll(data)
		}
	}()
	if r.asOther() {
		if err := os.Chown(data, r.uid, r.gid); err != nil {
			return nil, fmt.Errorf("localdb: hand data directory to postgres: %w", err)
		}
	}

	log.Info("initialising cluster", "data_dir", data)
	if err := initdb(ctx, r, data, st.SuperuserPassword); err != nil {
		return nil, err
	}
	if err := appendConf(data, settings, st.Port); err != nil {
		return nil, err
	}

	if err := start(ctx, r, data, st.Port, log); err != nil {
		return nil, err
	}
	if err := provision(ctx, st); err != nil {
		return nil, err
	}
	if err := writeState(dir, st); err != nil {
		return nil, err
	}
	return st, nil
}

func initdb(ctx context.Context, r runner, data, superPassword string) error {
	// initdb reads the password from a file, so it never appears in ps.
	pw, err := os.CreateTemp("", "localdb-pw-*")
	if err != nil {
		return fmt.Errorf("localdb: initdb: %w", err)
	}
	defer os.Remove(pw.Name())
	_, err = pw.WriteString(superPassword + "\n")
	if cerr := pw.Close(); err == nil {
		err = cerr
	}
	if err == nil && r.asOther() {
		err = os.Chown(pw.Name(), r.uid, r.gid)
	}
	if err != nil {
		return fmt.Errorf("localdb: initdb: %w", err)
	}
	err = r.run(ctx, "initdb",
		"-D", data,
		"-U", superuser,
		"--pwfile="+pw.Name(),
		// Both local and TCP connections need a password.
		"--auth=scram-sha-256",
		"--encoding=UTF8",
		// C.UTF-8: byte-order collation that is the same on every machine,
		// with character classes (upper, ILIKE) that still know Unicode.
		"--locale=C.UTF-8",
	)
	if err != nil {
		return fmt.Errorf("localdb: %w", err)
	}
	return nil
}

// start starts the postmaster of data detached from the caller, so that it
// outlives the Go program, and waits until it accepts connections.
func start(ctx context.Context, r runner, data string, port int, log *slog.Logger) error {
	// pg_ctl would only say "could not start server"; say why.
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("localdb: port %d on 127.0.0.1, kept for the cluster in %s, is taken by another program; stop that program (or change port in postgresql.conf and cluster.json): %w", port, data, err)
	}
	l.Close()

	logPath := filepath.Join(data, logName)
	cmd := r.command(ctx, "pg_ctl", "start", "-w", "-t", "120", "-D", data, "-l", logPath)
	// A new session: a Ctrl-C at the terminal of `make run` goes to the
	// terminal's process group and must not reach the postmaster.
	cmd.SysProcAttr.Setsid = true
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		logTail, _ := os.ReadFile(logPath)
		return fmt.Errorf("localdb: pg_ctl start: %w\n%s\n%s:\n%s", err, tail(out.String(), 10), logPath, tail(string(logTail), 20))
	}
	log.Info("started on 127.0.0.1:"+strconv.Itoa(port), "data_dir", data)
	return nil
}

// provision creates, as superuser, what the app role may not create itself:
// the role and its database, and the extensions. They go into template1
// too, so databases the app role creates for tests come with them.
func provision(ctx context.Context, st *state) error {
	steps := []struct {
		db  string
		sql []string
	}{
		{"template1", []string{
			"CREATE EXTENSION IF NOT EXISTS postgis",
			"CREATE EXTENSION IF NOT EXISTS btree_gist",
		}},
		{"postgres", []string{
			"CREATE ROLE " + appRole + " LOGIN CREATEDB PASSWORD " + quote(st.RolePassword),
			"CREATE DATABASE " + appDB + " OWNER " + appRole + " TEMPLATE template1",
		}},
		// Already there through template1; kept so that the guarantee does
		// not rest on how template1 was made.
		{appDB, []string{
			"CREATE EXTENSION IF NOT EXISTS postgis",
			"CREATE EXTENSION IF NOT EXISTS btree_gist",
		}},
	}
	for _, s := range steps {
		conn, err := pgx.Connect(ctx, pgURL(st.Superuser, st.SuperuserPassword, st.Port, s.db))
		if err != nil {
			return fmt.Errorf("localdb: provision: connect to %s: %w", s.db, err)
		}
		for _, q := range s.sql {
			if _, err := conn.Exec(ctx, q); err != nil {
				conn.Close(ctx)
				return fmt.Errorf("localdb: provision %s: %s: %w", s.db, redact(q, st.RolePassword), err)
			}
		}
		// A lingering session on template1 would make CREATE DATABASE fail.
		if err := conn.Close(ctx); err != nil {
			return fmt.Errorf("localdb: provision: close %s: %w", s.db, err)
		}
	}
	return nil
}

// waitReady returns once url accepts a connection and answers SELECT 1.
func waitReady(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		err := ping(ctx, url)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("localdb: cluster not accepting connections: %w", errors.Join(err, ctx.Err()))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func ping(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// password returns 32 hex digits: 128 random bits that need no escaping in
// a URL or SQL.
func password() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("localdb: generate password: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// freePort picks a free port below Linux's ephemeral range (32768-60999),
// so that an outgoing connection is unlikely to hold it when a later run
// restarts the cluster on it.
func freePort() (int, error) {
	for range 100 {
		p := 20000 + mrand.IntN(12000)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			l.Close()
			return p, nil
		}
	}
	return 0, errors.New("localdb: no free port between 20000 and 32000 on 127.0.0.1")
}

// quote makes s an SQL string literal (standard_conforming_strings is on
// by default).
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// redact keeps a password out of an error message.
func redact(q, secret string) string {
	return strings.ReplaceAll(q, secret, "***")
}

// appendConf appends settings (a format taking the port) to the cluster's
// postgresql.conf.
func appendConf(data, settings string, port int) error {
	conf, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("localdb: configure %s: %w", data, err)
	}
	_, err = fmt.Fprintf(conf, settings, port)
	if cerr := conf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("localdb: configure %s: %w", data, err)
	}
	return nil
}
