package localdb

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const helperEnv = "LOCALDB_TEST_HELPER_DIR"

// TestHelperEnsure is not a test on its own: TestEnsure runs the test
// binary again with helperEnv set, so that Ensure runs in several processes
// at once, as it does under go test ./...
func TestHelperEnsure(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("runs only as a helper process of TestEnsure")
	}
	c, err := Ensure(t.Context(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("\nLOCALDB_PORT=%d\n", c.Port)
}

func TestEnsure(t *testing.T) {
	root := os.Geteuid() == 0
	tests := []struct {
		name string
		// mode of the directory above Dir; 0700 owned by root keeps the
		// postgres user out.
		parentMode os.FileMode
		// wantInside: the data directory is Dir/pgdata, not under
		// /var/lib/postgresql.
		wantInside bool
	}{
		{name: "reachable", parentMode: 0o755, wantInside: true},
		{name: "postgres cannot enter", parentMode: 0o700, wantInside: !root},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Second)
			defer cancel()

			parent, err := os.MkdirTemp("/tmp", "localdb-test-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(parent) })
			if err := os.Chmod(parent, tc.parentMode); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(parent, DirName)
			// Registered before Ensure so that a data directory outside
			// parent goes even when the test fails halfway.
			t.Cleanup(func() {
				if err := Remove(dir); err != nil {
					t.Errorf("Remove: %v", err)
				}
			})

			port := ensureInProcesses(t, dir, 3)

			opts := Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
			c, err := Ensure(ctx, opts)
			if err != nil {
				t.Fatalf("Ensure: %v", err)
			}
			if c.Port != port {
				t.Errorf("Ensure in this process: port %d, helpers got %d", c.Port, port)
			}
			checkLayout(t, c, tc.wantInside)
			checkDatabase(ctx, t, c)

			again, err := Ensure(ctx, opts)
			if err != nil {
				t.Fatalf("second Ensure: %v", err)
			}
			if *again != *c {
				t.Errorf("second Ensure = %+v, want the same cluster %+v", again, c)
			}

			sub := filepath.Join(parent, "a", "b")
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			found, err := Find(sub)
			if err != nil {
				t.Fatalf("Find from %s: %v", sub, err)
			}
			if *found != *c {
				t.Errorf("Find = %+v, want %+v", found, c)
			}

			if err := Stop(dir); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if _, err := Find(sub); err == nil {
				t.Error("Find after Stop: no error, want one saying the cluster is stopped")
			}
			if err := Stop(dir); err != nil {
				t.Errorf("Stop of a stopped cluster: %v", err)
			}

			// Something else on the cluster's port: Ensure must say so.
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(c.Port))
			if err != nil {
				t.Fatalf("occupy port %d: %v", c.Port, err)
			}
			_, err = Ensure(ctx, opts)
			l.Close()
			if err == nil || !strings.Contains(err.Error(), "is taken") {
				t.Errorf("Ensure with the port taken: err = %v, want one saying the port is taken", err)
			}

			restarted, err := Ensure(ctx, opts)
			if err != nil {
				t.Fatalf("Ensure after Stop: %v", err)
			}
			if *restarted != *c {
				t.Errorf("Ensure after Stop = %+v, want the same cluster %+v", restarted, c)
			}
			if err := ping(ctx, restarted.URL); err != nil {
				t.Errorf("ping after restart: %v", err)
			}
		})
	}
}

// ensureInProcesses runs Ensure on dir in n processes at once and returns
// the port they all agree on.
func ensureInProcesses(t *testing.T, dir string, n int) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		ports = map[int]bool{}
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEnsure$", "-test.timeout=50s")
			cmd.Env = append(os.Environ(), helperEnv+"="+dir)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("helper process: %v\n%s", err, out)
				return
			}
			port := 0
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				if v, ok := strings.CutPrefix(sc.Text(), "LOCALDB_PORT="); ok {
					port, _ = strconv.Atoi(v)
				}
			}
			if port == 0 {
				t.Errorf("helper process printed no port:\n%s", out)
				return
			}
			mu.Lock()
			ports[port] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(ports) != 1 {
		t.Fatalf("helper processes got ports %v, want one port", ports)
	}
	for p := range ports {
		return p
	}
	return 0
}

var fallbackData = regexp.MustCompile(`^/var/lib/postgresql/contextmap-[0-9a-f]{12}$`)

func checkLayout(t *testing.T, c *Cluster, wantInside bool) {
	t.Helper()
	if inside := c.DataDir == filepath.Join(c.Dir, "pgdata"); inside != wantInside {
		t.Errorf("data directory %s: inside Dir = %v, want %v", c.DataDir, inside, wantInside)
	}
	if !wantInside && !fallbackData.MatchString(c.DataDir) {
		t.Errorf("data directory %s, want /var/lib/postgresql/contextmap-<12 hex>", c.DataDir)
	}
	fi, err := os.Stat(filepath.Join(c.Dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("%s has mode %o, want 600", stateFile, m)
	}
	if _, err := os.Stat(filepath.Join(c.DataDir, logName)); err != nil {
		t.Errorf("no server log in the data directory: %v", err)
	}
	for _, u := range []string{c.URL, c.AdminURL} {
		if !strings.Contains(u, "@127.0.0.1:"+strconv.Itoa(c.Port)+"/") {
			t.Errorf("URL %s does not point at 127.0.0.1:%d", u, c.Port)
		}
	}
}

// checkDatabase checks what the rest of the code relies on: the app role
// owns database contextmap, which has PostGIS and btree_gist, and can make
// throwaway databases that have them too; the admin URL is a superuser.
func checkDatabase(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	app, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		t.Fatalf("connect as app: %v", err)
	}
	defer app.Close(ctx)

	var user, db, owner, postgis string
	var super bool
	err = app.QueryRow(ctx, `
		SELECT current_user, current_database(), pg_get_userbyid(d.datdba),
		       r.rolsuper, postgis_version()
		FROM pg_database d, pg_roles r
		WHERE d.datname = current_database() AND r.rolname = current_user`).
		Scan(&user, &db, &owner, &super, &postgis)
	if err != nil {
		t.Fatalf("query as app: %v", err)
	}
	if user != "contextmap" || db != "contextmap" || owner != "contextmap" || super {
		t.Errorf("app: user %q db %q owner %q superuser %v, want contextmap, contextmap, contextmap, false", user, db, owner, super)
	}
	if postgis == "" {
		t.Error("postgis_version() is empty")
	}
	var gist bool
	if err := app.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'btree_gist')`).Scan(&gist); err != nil || !gist {
		t.Errorf("btree_gist in contextmap: %v, %v", gist, err)
	}

	// A throwaway database made by the app role, as tests will make them.
	name := fmt.Sprintf("localdb_test_%d", time.Now().UnixNano())
	if _, err := app.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("app role CREATE DATABASE: %v", err)
	}
	defer func() {
		if _, err := app.Exec(ctx, "DROP DATABASE "+name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	}()
	throwaway, err := pgx.Connect(ctx, strings.Replace(c.URL, "/contextmap?", "/"+name+"?", 1))
	if err != nil {
		t.Fatalf("connect to %s: %v", name, err)
	}
	err = throwaway.QueryRow(ctx, `SELECT postgis_version()`).Scan(&postgis)
	throwaway.Close(ctx)
	if err != nil {
		t.Errorf("postgis in a throwaway database: %v", err)
	}

	admin, err := pgx.Connect(ctx, c.AdminURL)
	if err != nil {
		t.Fatalf("connect as admin: %v", err)
	}
	defer admin.Close(ctx)
	if err := admin.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil || !super {
		t.Errorf("admin URL superuser: %v, %v", super, err)
	}
}

func TestFindNone(t *testing.T) {
	dir := t.TempDir()
	if _, err := Find(dir); err == nil {
		t.Errorf("Find(%s) found a cluster in an empty tree", dir)
	}
}

func TestRepoRoot(t *testing.T) {
	tree := t.TempDir()
	files := map[string]string{
		"repo/go.mod":            "module github.com/contextmap/contextmap\n\ngo 1.26\n",
		"repo/nested/go.mod":     "module example.com/fixture\n",
		"repo/nested/deep/x.txt": "",
		"other/go.mod":           "module example.com/other\n",
	}
	for name, body := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		start   string
		want    string
		wantErr bool
	}{
		{start: "repo", want: "repo"},
		{start: "repo/nested/deep", want: "repo"},
		{start: "other", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.start, func(t *testing.T) {
			got, err := RepoRoot(filepath.Join(tree, tc.start))
			if tc.wantErr {
				if err == nil {
					t.Errorf("RepoRoot = %s, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(tree, tc.want); got != want {
				t.Errorf("RepoRoot = %s, want %s", got, want)
			}
		})
	}
}

func TestModulePath(t *testing.T) {
	tests := []struct {
		name, gomod, want string
	}{
		{"plain", "module github.com/contextmap/contextmap\n", "github.com/contextmap/contextmap"},
		{"quoted", "module \"example.com/q\"\n", "example.com/q"},
		{"comment", "// header\nmodule example.com/c // trailing\n", "example.com/c"},
		{"none", "go 1.26\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := modulePath([]byte(tc.gomod)); got != tc.want {
				t.Errorf("modulePath = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	present := filepath.Join(t.TempDir(), "present")
	if err := os.WriteFile(present, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "absent")
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"all there", []string{present}, nil},
		{"one gone", []string{present, absent}, []string{absent}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := missing(tc.paths)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("missing = %v, want %v", got, tc.want)
			}
		})
	}
}
