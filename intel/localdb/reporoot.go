package localdb

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ModulePath is the module whose go.mod marks the root of a checkout.
const ModulePath = "github.com/contextmap/contextmap"

// RepoRoot walks up from startDir to the directory holding the go.mod of
// this module. Other go.mod files on the way (a nested module, a fixture)
// are passed over.
func RepoRoot(startDir string) (string, error) {
	d, err := filepath.Abs(startDir)
	if err != nil {
		return "", fmt.Errorf("localdb: resolve %s: %w", startDir, err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && modulePath(b) == ModulePath {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("localdb: no go.mod of module %s above %s", ModulePath, startDir)
		}
		d = parent
	}
}

// modulePath returns the path in a go.mod's module directive, or "" if
// there is none. It avoids a dependency on golang.org/x/mod for one line.
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) != 2 || f[0] != "module" {
			continue
		}
		if p, err := strconv.Unquote(f[1]); err == nil {
			return p
		}
		return f[1]
	}
	return ""
}
