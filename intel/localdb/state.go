package localdb

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const stateFile = "cluster.json"

// state is what cluster.json records about a cluster. It holds passwords,
// so the file is mode 0600.
type state struct {
	Version int `json:"version"`
	// DataDir is relative to Dir when inside it, so that moving a checkout
	// (with the cluster stopped) keeps working; absolute otherwise.
	DataDir           string    `json:"data_dir"`
	Port              int       `json:"port"`
	Superuser         string    `json:"superuser"`
	SuperuserPassword string    `json:"superuser_password"`
	Role              string    `json:"role"`
	RolePassword      string    `json:"role_password"`
	Database          string    `json:"database"`
	Created           time.Time `json:"created"`
}

func (s *state) dataDir(dir string) string {
	if filepath.IsAbs(s.DataDir) {
		return s.DataDir
	}
	return filepath.Join(dir, s.DataDir)
}

// readState reads dir/cluster.json; the error wraps fs.ErrNotExist when
// there is none.
func readState(dir string) (*state, error) {
	path := filepath.Join(dir, stateFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("localdb: read %s: %w", path, err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("localdb: parse %s: %w", path, err)
	}
	if s.Version != 1 || s.Port == 0 || s.DataDir == "" {
		return nil, fmt.Errorf("localdb: %s is incomplete or of an unknown version", path)
	}
	return &s, nil
}

// writeState replaces dir/cluster.json atomically, so a reader never sees
// half a file and a crash leaves either the old state or the new one.
func writeState(dir string, s *state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("localdb: encode state: %w", err)
	}
	f, err := os.CreateTemp(dir, stateFile+".*")
	if err != nil {
		return fmt.Errorf("localdb: write state: %w", err)
	}
	// CreateTemp makes the file 0600, which the passwords need.
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("localdb: write state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("localdb: write state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("localdb: write state: %w", err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("localdb: write state: %w", err)
	}
	return nil
}
