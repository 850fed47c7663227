package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/contextmap/contextmap/intel/localdb"
	"github.com/contextmap/contextmap/intel/postgres"
)

var errHelp = errors.New("help shown")

// env reads an environment variable with a default.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "warning: %s=%q is not a duration; using %s\n", name, v, def)
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		fmt.Fprintf(os.Stderr, "warning: %s=%q is not an integer; using %d\n", name, v, def)
	}
	return def
}

// dbFlags are the flags every database command shares.
type dbFlags struct {
	url      string
	localDir string
	install  bool
	logLevel string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.url, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL (env DATABASE_URL); empty: the project's local PostGIS cluster")
	fs.StringVar(&d.localDir, "local-db", env("CONTEXTMAP_LOCAL_DB", ""), "directory of the local cluster (env CONTEXTMAP_LOCAL_DB; default .localdb in the checkout)")
	fs.BoolVar(&d.install, "install", env("CONTEXTMAP_INSTALL", "true") == "true", "install missing Debian packages for the local cluster (env CONTEXTMAP_INSTALL)")
	fs.StringVar(&d.logLevel, "log-level", env("CONTEXTMAP_LOG_LEVEL", "info"), "debug, info, warn or error (env CONTEXTMAP_LOG_LEVEL)")
}

func (d *dbFlags) logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(d.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

// localDir is the local cluster's directory: the flag, else .localdb beside
// the checkout's go.mod, else in the working directory.
func (d *dbFlags) localDirectory() string {
	if d.localDir != "" {
		return d.localDir
	}
	wd, _ := os.Getwd()
	if root, err := localdb.RepoRoot(wd); err == nil {
		return filepath.Join(root, ".localdb")
	}
	return filepath.Join(wd, ".localdb")
}

// open connects to DATABASE_URL, or starts (and if need be creates) the
// project's local PostGIS cluster and connects to it.
func (d *dbFlags) open(ctx context.Context, log *slog.Logger) (*postgres.DB, error) {
	url := d.url
	if url == "" {
		cl, err := localdb.Ensure(ctx, localdb.Options{Dir: d.localDirectory(), Install: d.install, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("local database: %w", err)
		}
		url = cl.URL
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	db.RefKey = secretKey(log, "CONTEXTMAP_REF_KEY", "case-reference")
	db.AuditKey = secretKey(log, "CONTEXTMAP_AUDIT_KEY", "audit-chain")
	return db, nil
}

// secretKey reads a key from the environment, or uses a fixed development
// key with a warning (fine for the synthetic demo, never for real data).
// Keys live outside the database, so a copy of the database alone can
// neither reverse case references nor re-forge the audit chain.
func secretKey(log *slog.Logger, name, what string) []byte {
	if k := os.Getenv(name); k != "" {
		return []byte(k)
	}
	log.Warn(name+" is not set: using the development key; set it before loading real data", "key", what)
	return []byte("contextmap-development-" + what + "-key-not-for-real-data")
}

func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	return nil
}
