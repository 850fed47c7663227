package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel/demo"
	"github.com/contextmap/contextmap/intel/localdb"
)

func cmdMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx, log)
}

func cmdDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	seed := fs.Int64("seed", demo.DefaultSeed, "random seed: the same seed gives the same data")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx, log); err != nil {
		return err
	}
	sum, err := demo.Load(ctx, db, *seed, log)
	if err != nil {
		return err
	}
	fmt.Printf("%+v\n", sum)
	return nil
}

func cmdDistricts(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("districts", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	codeProp := fs.String("code-property", "code", "feature property holding the district code")
	nameProp := fs.String("name-property", "name", "feature property holding the district name")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: contextmap districts [flags] FILE.geojson\n\nLoads (or replaces) district boundaries from a GeoJSON FeatureCollection in EPSG:4326.")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("give one GeoJSON file")
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx, log); err != nil {
		return err
	}
	n, err := db.LoadDistricts(ctx, b, *codeProp, *nameProp)
	if err != nil {
		return err
	}
	fmt.Printf("loaded %d districts\n", n)
	return nil
}

func cmdDB(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("db", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: contextmap db start|stop|url|admin-url|remove|drop-test-databases\n\nManages the project's local PostGIS cluster (in .localdb of the checkout).")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	dir := d.localDirectory()
	switch fs.Arg(0) {
	case "start", "url", "admin-url":
		cl, err := localdb.Ensure(ctx, localdb.Options{Dir: dir, Install: d.install, Logger: d.logger()})
		if err != nil {
			return err
		}
		switch fs.Arg(0) {
		case "url":
			fmt.Println(cl.URL)
		case "admin-url":
			fmt.Println(cl.AdminURL)
		default:
			fmt.Printf("local PostGIS running on 127.0.0.1:%d (data in %s)\n", cl.Port, cl.DataDir)
		}
		return nil
	case "drop-test-databases":
		admin := os.Getenv("CONTEXTMAP_TEST_ADMIN_URL")
		if admin == "" {
			cl, err := localdb.Ensure(ctx, localdb.Options{Dir: dir, Install: d.install, Logger: d.logger()})
			if err != nil {
				return err
			}
			admin = cl.AdminURL
		}
		return dropTestDatabases(ctx, admin)
	case "stop":
		return localdb.Stop(dir)
	case "remove":
		return localdb.Remove(dir)
	}
	fs.Usage()
	return fmt.Errorf("unknown db action %q", fs.Arg(0))
}

// dropTestDatabases removes the test suite's throwaway databases and
// templates, so a run never reuses a template built by older code.
func dropTestDatabases(ctx context.Context, admin string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname ~ '^cm(test|tpl)_[a-z0-9_]+$'`)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, `ALTER DATABASE `+n+` WITH is_template false`); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, `DROP DATABASE `+n+` WITH (FORCE)`); err != nil {
			return err
		}
	}
	fmt.Printf("dropped %d test databases\n", len(names))
	return nil
}
