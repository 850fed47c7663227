package localdb

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestReplica makes a primary and a streaming replica of it, and checks
// that the replica is a read-only standby that follows the primary's
// writes, survives a crash of the primary, and is removed cleanly.
func TestReplica(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	parent, err := os.MkdirTemp("/tmp", "localdb-replica-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	pdir, rdir := filepath.Join(parent, "primary"), filepath.Join(parent, "replica")
	t.Cleanup(func() {
		// The replica first: a standby whose primary is gone keeps retrying.
		if err := Remove(rdir); err != nil {
			t.Errorf("Remove replica: %v", err)
		}
		if err := Remove(pdir); err != nil {
			t.Errorf("Remove primary: %v", err)
		}
	})
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	primary, err := Ensure(ctx, Options{Dir: pdir, Logger: log})
	if err != nil {
		t.Fatalf("Ensure primary: %v", err)
	}
	replica, err := CreateReplica(ctx, pdir, rdir, log)
	if err != nil {
		t.Fatalf("CreateReplica: %v", err)
	}
	if replica.Port == primary.Port {
		t.Fatalf("replica on the primary's port %d", primary.Port)
	}
	again, err := CreateReplica(ctx, pdir, rdir, log)
	if err != nil || *again != *replica {
		t.Errorf("second CreateReplica = %+v, %v; want the same replica %+v", again, err, replica)
	}

	p := connect(ctx, t, primary.URL)
	r := connect(ctx, t, replica.URL)
	var recovering bool
	if err := r.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering); err != nil || !recovering {
		t.Fatalf("replica pg_is_in_recovery() = %v, %v; want true", recovering, err)
	}
	if err := p.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering); err != nil || recovering {
		t.Fatalf("primary pg_is_in_recovery() = %v, %v; want false", recovering, err)
	}
	if _, err := r.Exec(ctx, `CREATE TABLE nope (x int)`); err == nil {
		t.Error("the replica accepted a write")
	}
	if _, err := p.Exec(ctx, `CREATE TABLE replicated (x int); INSERT INTO replicated VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, r, `SELECT x FROM replicated`, 42)

	// The primary crashes and comes back: the standby reconnects by itself.
	if err := Crash(pdir); err != nil {
		t.Fatalf("Crash: %v", err)
	}
	if err := ping(ctx, primary.URL); err == nil {
		t.Fatal("the primary answers after Crash")
	}
	if _, err := Ensure(ctx, Options{Dir: pdir, Logger: log}); err != nil {
		t.Fatalf("Ensure after Crash: %v", err)
	}
	p = connect(ctx, t, primary.URL)
	if _, err := p.Exec(ctx, `INSERT INTO replicated VALUES (43)`); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, r, `SELECT max(x) FROM replicated`, 43)
}

func connect(ctx context.Context, t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// waitFor polls q on c until it returns want: replication is asynchronous.
func waitFor(ctx context.Context, t *testing.T, c *pgx.Conn, q string, want int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var got int
	var err error
	for {
		err = c.QueryRow(ctx, q).Scan(&got)
		if err == nil && got == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s on the replica: %d, %v; want %d", q, got, err, want)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
