// Package localdb runs a private, project-owned PostGIS cluster for
// development and tests, so that `make run` and `go test ./...` work on a
// fresh machine without DATABASE_URL.
//
// The cluster's home is a directory of the checkout (normally .localdb),
// holding cluster.json (port, data directory, passwords; mode 0600) and a
// lock file. The data directory is home/pgdata, except when running as root
// and the postgres user cannot enter home (a checkout under /root): then it
// is /var/lib/postgresql/contextmap-<hash of home>, and Remove is the way
// to delete it.
//
// The cluster listens only on 127.0.0.1 and requires passwords
// (scram-sha-256). It is started detached with pg_ctl, so it outlives the
// program that started it; Stop shuts it down.
package localdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// DirName is the conventional name of the cluster's home inside a checkout;
// Find looks for it.
const DirName = ".localdb"

// Options configure Ensure.
type Options struct {
	// Dir is the cluster's home, normally "<checkout>/.localdb" (git-ignored).
	Dir string
	// Install allows Ensure to install missing Debian packages with apt-get.
	// When false and packages are missing, Ensure returns an error naming them.
	Install bool
	// Logger receives progress lines; nil discards them.
	Logger *slog.Logger
}

// Cluster is a running local cluster and how to reach it.
type Cluster struct {
	Dir     string // the cluster's home (holds cluster.json)
	DataDir string // PostgreSQL's data directory; outside Dir when the postgres user cannot reach Dir
	Port    int
	// URL reaches database contextmap as role contextmap, its owner.
	URL string
	// AdminURL reaches database postgres as the superuser, for creating and
	// dropping throwaway databases and for tests that must act as superuser.
	AdminURL string
}

// Ensure creates the cluster in o.Dir if absent, starts it if stopped and
// returns once it accepts connections. It is idempotent and safe to call
// concurrently from several processes: everything happens under an
// exclusive lock on a file in o.Dir.
func Ensure(ctx context.Context, o Options) (*Cluster, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.Dir == "" {
		return nil, errors.New("localdb: Options.Dir is empty")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("localdb: resolve %s: %w", o.Dir, err)
	}
	// 0755 rather than 0700: when running as root, the postgres user must be
	// able to pass through Dir to reach Dir/pgdata. The secrets are in
	// cluster.json, which is 0600.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("localdb: create %s: %w", dir, err)
	}

	unlock, err := lock(ctx, dir, log)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if err := ensurePackages(ctx, o.Install, log); err != nil {
		return nil, err
	}
	r, err := newRunner()
	if err != nil {
		return nil, err
	}

	st, err := readState(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		st, err = create(ctx, dir, r, log)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case !initialised(st.dataDir(dir)):
		// cluster.json outlived its data directory, e.g. /var/lib/postgresql
		// was wiped while the checkout under /root survived.
		log.Warn("data directory is missing; creating a new cluster", "data_dir", st.dataDir(dir))
		if err := os.Remove(filepath.Join(dir, stateFile)); err != nil {
			return nil, fmt.Errorf("localdb: remove stale %s: %w", stateFile, err)
		}
		st, err = create(ctx, dir, r, log)
		if err != nil {
			return nil, err
		}
	default:
		running, err := r.running(ctx, st.dataDir(dir))
		if err != nil {
			return nil, err
		}
		if running {
			log.Debug("cluster already running", "addr", st.addr())
		} else if err := start(ctx, r, st.dataDir(dir), st.Port, log); err != nil {
			return nil, err
		}
	}

	c := st.cluster(dir)
	if err := waitReady(ctx, c.URL); err != nil {
		return nil, err
	}
	return c, nil
}

// Find walks up from startDir looking for a DirName directory holding a
// cluster's connection info, and returns that cluster if it is running. The
// nearest one wins; if it is stopped, Find reports that rather than looking
// further up, since a cluster of another checkout would be a surprise.
func Find(startDir string) (*Cluster, error) {
	d, err := filepath.Abs(startDir)
	if err != nil {
		return nil, fmt.Errorf("localdb: resolve %s: %w", startDir, err)
	}
	for {
		home := filepath.Join(d, DirName)
		st, err := readState(home)
		switch {
		case err == nil:
			c := st.cluster(home)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := ping(ctx, c.URL)
			cancel()
			if err != nil {
				return nil, fmt.Errorf("localdb: cluster in %s is not running (start it with localdb.Ensure): %w", home, err)
			}
			return c, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, fmt.Errorf("localdb: no %s with a cluster found above %s", DirName, startDir)
		}
		d = parent
	}
}

// Stop shuts down the cluster whose home is dir (pg_ctl stop -m fast). It
// is not an error if the cluster is already stopped.
func Stop(dir string) error { return stopAs(dir, "fast") }

// stopAs stops the cluster whose home is dir with pg_ctl stop's mode.
func stopAs(dir, mode string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("localdb: resolve %s: %w", dir, err)
	}
	ctx := context.Background()
	unlock, err := lock(ctx, dir, nil)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := readState(dir)
	if err != nil {
		return err
	}
	r, err := newRunner()
	if err != nil {
		return err
	}
	return r.stop(ctx, st.dataDir(dir), mode)
}

// Remove stops the cluster whose home is dir and deletes its data directory
// and cluster.json. Deleting Dir by hand is not enough when the data
// directory lives outside it (see Cluster.DataDir), and would leave the
// server running.
func Remove(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("localdb: resolve %s: %w", dir, err)
	}
	ctx := context.Background()
	unlock, err := lock(ctx, dir, nil)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := readState(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	r, err := newRunner()
	if err != nil {
		return err
	}
	data := st.dataDir(dir)
	if initialised(data) {
		if err := r.stop(ctx, data, "immediate"); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(data); err != nil {
		return fmt.Errorf("localdb: remove %s: %w", data, err)
	}
	if err := os.Remove(filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("localdb: remove %s: %w", stateFile, err)
	}
	return nil
}

// cluster turns the recorded state into connection details.
func (s *state) cluster(dir string) *Cluster {
	return &Cluster{
		Dir:      dir,
		DataDir:  s.dataDir(dir),
		Port:     s.Port,
		URL:      pgURL(s.Role, s.RolePassword, s.Port, s.Database),
		AdminURL: pgURL(s.Superuser, s.SuperuserPassword, s.Port, "postgres"),
	}
}

func (s *state) addr() string {
	return "127.0.0.1:" + strconv.Itoa(s.Port)
}

func pgURL(user, password string, port int, db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     "127.0.0.1:" + strconv.Itoa(port),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}
