package localdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runner runs PostgreSQL's binaries as the right user: PostgreSQL refuses
// to run as root, so root runs them as the postgres user; anyone else runs
// them as themselves.
type runner struct {
	cred *syscall.Credential // nil: the current user
	uid  int
	gid  int
	home string
}

func newRunner() (runner, error) {
	if os.Geteuid() != 0 {
		return runner{uid: os.Getuid(), gid: os.Getgid()}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return runner{}, fmt.Errorf("localdb: running as root needs the postgres user (created by the postgresql-15 package): %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return runner{}, fmt.Errorf("localdb: uid of postgres: %w", err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return runner{}, fmt.Errorf("localdb: gid of postgres: %w", err)
	}
	return runner{
		// Groups left empty: root's supplementary groups must not leak.
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}},
		uid:  uid,
		gid:  gid,
		home: u.HomeDir,
	}, nil
}

// asOther reports whether binaries run as a user other than the caller.
func (r runner) asOther() bool { return r.cred != nil }

// command prepares name (a file of binDir, or an absolute path) to run as
// the runner's user.
func (r runner) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if !filepath.IsAbs(name) {
		name = filepath.Join(binDir, name)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = cleanEnv(r.home)
	// The caller's working directory may be one the postgres user cannot
	// enter (a checkout under /root), which makes initdb and pg_ctl warn.
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	// Should a child keep our output pipe open, don't wait for it forever.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs a command and returns an error holding its output if it fails.
func (r runner) run(ctx context.Context, name string, args ...string) error {
	cmd := r.command(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(out.String(), 20))
	}
	return nil
}

// cleanEnv is the caller's environment without PG* variables, which would
// otherwise redirect the binaries (PGDATA, PGPORT, PGHOST...).
func cleanEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || (home != "" && strings.HasPrefix(kv, "HOME=")) {
			continue
		}
		env = append(env, kv)
	}
	if home != "" {
		env = append(env, "HOME="+home)
	}
	return env
}

// canEnter reports whether the runner's user can search dir (and therefore
// every directory above it). Asking the kernel through test(1) run as that
// user gets ACLs and group membership right without reimplementing them.
func (r runner) canEnter(ctx context.Context, dir string) bool {
	if !r.asOther() {
		return true
	}
	test, err := exec.LookPath("test")
	if err != nil {
		return false
	}
	return r.command(ctx, test, "-x", dir).Run() == nil
}

// running reports whether a postmaster is serving dataDir.
func (r runner) running(ctx context.Context, dataDir string) (bool, error) {
	err := r.command(ctx, "pg_ctl", "status", "-D", dataDir).Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 3: // documented: not running
		return false, nil
	default:
		return false, fmt.Errorf("localdb: pg_ctl status -D %s: %w", dataDir, err)
	}
}

// stop stops the postmaster of dataDir with the given shutdown mode, doing
// nothing if it is not running.
func (r runner) stop(ctx context.Context, dataDir, mode string) error {
	up, err := r.running(ctx, dataDir)
	if err != nil || !up {
		return err
	}
	if err := r.run(ctx, "pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", dataDir); err != nil {
		return fmt.Errorf("localdb: stop: %w", err)
	}
	return nil
}

// initialised reports whether dataDir holds a cluster made by initdb.
func initialised(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, "PG_VERSION"))
	return err == nil
}
