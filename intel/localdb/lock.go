package localdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

const lockFile = "lock"

// lock takes an exclusive flock on dir/lock, waiting while another process
// (or another Ensure in this process: flock locks belong to the open file,
// not the process) holds it. The kernel drops the lock if the holder dies,
// so a crash never leaves the cluster locked.
func lock(ctx context.Context, dir string, log *slog.Logger) (unlock func(), err error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localdb: open lock %s: %w", path, err)
	}
	waiting := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("localdb: lock %s: %w", path, err)
		}
		if !waiting && log != nil {
			log.Info("waiting for another process using the cluster", "lock", path)
			waiting = true
		}
		// Polling rather than a blocking flock, so that ctx can end the wait.
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("localdb: waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		// Closing the file releases the lock.
		f.Close()
	}, nil
}
