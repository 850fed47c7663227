package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/demo/demotest"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// TestWebMap runs the web map's browser tests (static/e2e, node's test
// runner driving headless chromium through playwright-core) against the real
// server on a loopback port, on a database holding the demo. It fails, never
// skips, when node, chromium or playwright-core are missing: `make
// deps-test` installs them, and CI must prove the page works.
func TestWebMap(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	e2e := filepath.Join(root, "static", "e2e")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: the web map's browser tests need Node.js 20 or later (then run `make deps-test`)")
	}
	browser := os.Getenv("CONTEXTMAP_CHROMIUM")
	if browser == "" {
		browser = chromiumPath
	}
	if _, err := os.Stat(browser); err != nil {
		t.Fatalf("chromium is not installed at %s: run `make deps-test` (apt-get install chromium)", browser)
	}
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core", "package.json")); err != nil {
		t.Fatal("playwright-core is not installed: run `make deps-test` (npm ci --prefix static/e2e)")
	}
	tests, err := filepath.Glob(filepath.Join(e2e, "*.test.mjs"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no browser tests found in %s", e2e)
	}

	db := demotest.New(t)
	srv := newServer(db)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	t.Cleanup(func() { srv.App.ShutdownWithTimeout(5 * time.Second) })

	token := func(role intel.Role, districts ...string) string {
		secret, _, err := db.CreateToken(context.Background(), "browser test "+string(role), role, districts, nil)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	shots := t.TempDir()
	if os.Getenv("CONTEXTMAP_UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join(root, "docs", "screenshots")
	}
	env := append(os.Environ(),
		"CONTEXTMAP_BASE_URL=http://"+ln.Addr().String(),
		"CONTEXTMAP_CHROMIUM="+browser,
		"CONTEXTMAP_SCREENSHOTS="+shots,
		"CONTEXTMAP_TOKEN_ANALYST="+token(intel.RoleAnalyst),
		"CONTEXTMAP_TOKEN_POLICE="+token(intel.RolePolice),
		"CONTEXTMAP_TOKEN_DISTRICT="+token(intel.RoleDistrict, "E07000028"),
		"CONTEXTMAP_TOKEN_PARTNER="+token(intel.RolePartner),
		"CONTEXTMAP_TOKEN_ADMIN="+token(intel.RoleAdmin),
	)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := append([]string{"--test", "--test-reporter=spec", "--test-concurrency=1"}, tests...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = e2e
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var tail []string
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		t.Log(line)
		tail = append(tail, line)
		if len(tail) > 60 {
			tail = tail[1:]
		}
	}
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("browser tests failed (%v); screenshots in %s; last lines:\n%s", err, shots, strings.Join(tail, "\n"))
	}
	fmt.Fprintf(os.Stderr, "web map browser tests passed; screenshots in %s\n", shots)
}
