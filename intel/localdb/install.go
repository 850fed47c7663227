package localdb

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
)

const binDir = "/usr/lib/postgresql/15/bin"

// packages are the Debian packages the cluster needs. postgresql-contrib
// brings btree_gist (on Debian 12 it is part of postgresql-15 already, but
// other releases split it out).
var packages = []string{"postgresql-15", "postgresql-15-postgis-3", "postgresql-contrib"}

// required are files whose absence means the packages are missing.
var required = []string{
	binDir + "/postgres",
	"/usr/share/postgresql/15/extension/postgis.control",
	"/usr/share/postgresql/15/extension/btree_gist.control",
}

// missing returns those of paths that do not exist.
func missing(paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			out = append(out, p)
		}
	}
	return out
}

// ensurePackages installs the packages if any required file is missing and
// install is allowed.
func ensurePackages(ctx context.Context, install bool, log *slog.Logger) error {
	gone := missing(required)
	if len(gone) == 0 {
		return nil
	}
	want := strings.Join(packages, " ")
	if !install {
		return fmt.Errorf("localdb: PostgreSQL 15 with PostGIS is not installed (missing %s); install the Debian packages %s, e.g. sudo apt-get install -y %s",
			strings.Join(gone, ", "), want, want)
	}
	var prefix []string
	if os.Geteuid() != 0 {
		if _, err := exec.LookPath("sudo"); err != nil {
			return fmt.Errorf("localdb: PostgreSQL 15 with PostGIS is not installed and installing needs root; run as root: apt-get install -y %s", want)
		}
		// -n: fail rather than stop and ask for a password nobody will type.
		prefix = []string{"sudo", "-n"}
	}
	// Wait for a dpkg lock held by someone else (another checkout installing
	// the same packages) instead of failing at once.
	lockWait := []string{"-o", "DPkg::Lock::Timeout=300"}

	log.Info("installing " + want)
	update := append(append(append([]string{}, prefix...), "apt-get", "update"), lockWait...)
	if err := runQuiet(ctx, update); err != nil {
		return fmt.Errorf("localdb: apt-get update before installing %s: %w", want, err)
	}
	// --no-upgrade: when only PostGIS is missing, install it without also
	// upgrading an already installed postgresql-15 under running servers.
	installCmd := append(append([]string{}, prefix...), "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "--no-upgrade")
	installCmd = append(append(installCmd, lockWait...), packages...)
	if err := runQuiet(ctx, installCmd); err != nil {
		return fmt.Errorf("localdb: apt-get install %s: %w", want, err)
	}
	if gone := missing(required); len(gone) > 0 {
		return fmt.Errorf("localdb: installed %s but %s still missing", want, strings.Join(gone, ", "))
	}
	return nil
}

// runQuiet runs argv and, on failure, returns the tail of its output in the
// error: apt-get is chatty and only the end says what went wrong.
func runQuiet(ctx context.Context, argv []string) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, tail(out.String(), 20))
	}
	return nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
