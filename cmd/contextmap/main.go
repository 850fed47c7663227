// Command contextmap serves the contextual safeguarding map and manages its
// database. Run `contextmap help` for the subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the API and web map (starts a local PostGIS when DATABASE_URL is unset)", cmdServe},
		{"migrate", "bring the database schema up to date", cmdMigrate},
		{"demo", "load the synthetic Cumbria demo into the database", cmdDemo},
		{"districts", "load an area's district boundaries from GeoJSON", cmdDistricts},
		{"token", "create, list or revoke API tokens", cmdToken},
		{"audit", "verify the audit log's hash chain", cmdAudit},
		{"retention", "delete what is past the retention period", cmdRetention},
		{"import", "import partner data: NDJSON, CSV, GeoJSON, police.uk crime CSV", cmdImport},
		{"export", "write the database as NDJSON that import reads back (backup, migration)", cmdExport},
		{"generate", "write realistic synthetic data as NDJSON (benchmarks, load tests)", cmdGenerate},
		{"db", "start, stop or show the local PostGIS cluster", cmdDB},
		{"healthcheck", "exit 0 when the service at CONTEXTMAP_LISTEN is ready (for containers)", cmdHealthcheck},
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "contextmap: contextual safeguarding mapping and intelligence")
	fmt.Fprintln(os.Stderr, "\nUsage: contextmap COMMAND [flags]   (contextmap COMMAND --help for its flags)\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(os.Stderr, "\nConfiguration is by flags and environment variables; see README.md.")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands() {
		if c.name == os.Args[1] {
			err := c.run(ctx, os.Args[2:])
			if errors.Is(err, errHelp) {
				return
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "contextmap "+c.name+": "+err.Error())
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "contextmap: unknown command %q\n\n", os.Args[1])
	usage()
	os.Exit(2)
}
