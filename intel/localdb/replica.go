package localdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Crash stops the cluster whose home is dir as a power cut would: pg_ctl
// stop -m immediate kills every backend without a checkpoint or a goodbye
// to clients, and the next start runs crash recovery. For fault tests; it
// is not an error if the cluster is already stopped.
func Crash(dir string) error { return stopAs(dir, "immediate") }

// replicaSettings are appended to the standby's copy of postgresql.conf:
// the last setting of a name wins, so this moves it to its own port.
const replicaSettings = `
# Added by localdb.CreateReplica: this cluster is a streaming standby.
port = %d
hot_standby = on
# Answer queries rather than wait when WAL replay would cancel them; the
# primary keeps rows a standby query still reads.
hot_standby_feedback = on
`

// CreateReplica makes a streaming replica of the running cluster whose home
// is primaryDir, in home replicaDir, and starts it on its own port. The
// replica is a copy taken with pg_basebackup -R (the superuser connects for
// replication, which initdb's pg_hba.conf allows from 127.0.0.1): its
// roles, passwords and databases are the primary's, and it follows the
// primary's WAL from then on. Ensure, Stop, Crash and Remove work on
// replicaDir as on any cluster home. If replicaDir already holds a cluster,
// CreateReplica starts it and returns it.
func CreateReplica(ctx context.Context, primaryDir, replicaDir string, log *slog.Logger) (*Cluster, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	primaryDir, err := filepath.Abs(primaryDir)
	if err != nil {
		return nil, fmt.Errorf("localdb: resolve %s: %w", primaryDir, err)
	}
	dir, err := filepath.Abs(replicaDir)
	if err != nil {
		return nil, fmt.Errorf("localdb: resolve %s: %w", replicaDir, err)
	}
	if dir == primaryDir {
		return nil, errors.New("localdb: a replica needs its own directory")
	}
	pst, err := readState(primaryDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("localdb: create %s: %w", dir, err)
	}
	err = func() error {
		unlock, err := lock(ctx, dir, log)
		if err != nil {
			return err
		}
		defer unlock()
		if _, err := readState(dir); err == nil {
			return nil // already made: Ensure starts it
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		r, err := newRunner()
		if err != nil {
			return err
		}
		_, err = basebackup(ctx, r, pst, primaryDir, dir, log)
		return err
	}()
	if err != nil {
		return nil, err
	}
	// Ensure starts the standby (under the lock) and waits until it answers.
	return Ensure(ctx, Options{Dir: dir, Logger: log})
}

// basebackup copies the primary into a new data directory for dir, sets
// it up as a standby on a port of its own and records it in cluster.json.
func basebackup(ctx context.Context, r runner, pst *state, primaryDir, dir string, log *slog.Logger) (st *state, err error) {
	st = &state{Version: 1, DataDir: "pgdata", Superuser: pst.Superuser, SuperuserPassword: pst.SuperuserPassword,
		Role: pst.Role, RolePassword: pst.RolePassword, Database: pst.Database, Created: time.Now().UTC()}
	data := filepath.Join(dir, st.DataDir)
	if r.asOther() && !r.canEnter(ctx, dir) {
		return nil, fmt.Errorf("localdb: the postgres user cannot reach %s; put the replica where it can", dir)
	}
	if _, err := os.Stat(data); err == nil {
		log.Warn("removing a half-made replica", "data_dir", data)
		if initialised(data) {
			if err := r.stop(ctx, data, "immediate"); err != nil {
				return nil, err
			}
		}
		if err := os.RemoveAll(data); err != nil {
			return nil, fmt.Errorf("localdb: remove %s: %w", data, err)
		}
	}
	if st.Port, err = freePort(); err != nil {
		return nil, err
	}
	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, fmt.Errorf("localdb: create data directory: %w", err)
	}
	defer func() {
		if err != nil {
			_ = r.stop(context.WithoutCancel(ctx), data, "immediate")
			_ = os.RemoveAll(data)
		}
	}()
	if r.asOther() {
		if err := os.Chown(data, r.uid, r.gid); err != nil {
			return nil, fmt.Errorf("localdb: hand data directory to postgres: %w", err)
		}
	}

	// pg_basebackup reads the password from a passfile, so it never
	// appears in ps. -R writes standby.signal and primary_conninfo, which
	// names this passfile (not the password) for the standby's own
	// connections: so it stays, in the replica's home, for postgres only.
	pass := filepath.Join(dir, "replication.pgpass")
	err = os.WriteFile(pass, fmt.Appendf(nil, "127.0.0.1:%d:*:%s:%s\n", pst.Port, pst.Superuser, pst.SuperuserPassword), 0o600)
	if err == nil && r.asOther() {
		err = os.Chown(pass, r.uid, r.gid)
	}
	if err != nil {
		return nil, fmt.Errorf("localdb: write passfile: %w", err)
	}
	log.Info("copying the primary for a replica", "primary", pst.addr(), "data_dir", data)
	cmd := r.command(ctx, "pg_basebackup", "-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(pst.Port),
		"-U", pst.Superuser, "-w", "-R", "-X", "stream", "-c", "fast")
	cmd.Env = append(cmd.Env, "PGPASSFILE="+pass)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("localdb: pg_basebackup from %s: %w\n%s", primaryDir, err, tail(string(out), 20))
	}
	// The primary's server log came along; the standby starts its own.
	_ = os.Remove(filepath.Join(data, logName))
	if err := appendConf(data, replicaSettings, st.Port); err != nil {
		return nil, err
	}
	if err := start(ctx, r, data, st.Port, log); err != nil {
		return nil, err
	}
	if err := writeState(dir, st); err != nil {
		return nil, err
	}
	return st, nil
}
