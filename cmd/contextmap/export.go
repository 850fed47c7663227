package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
)

func cmdExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	types := fs.String("types", "", "comma-separated record types to export: "+strings.Join(ingest.Types, ", ")+" (default: all)")
	out := fs.String("o", "-", "file to write (default: standard output)")
	purpose := fs.String("purpose", "backup", "why: recorded in the audit log with every person exported")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, `Usage: contextmap export [flags] > backup.ndjson

Writes the database (or the chosen record types) as NDJSON that
'contextmap import' reads back into an empty database with the same districts
and CONTEXTMAP_REF_KEY: the backup and migration path. Case references are
written only as their keyed hashes. The export is audited.`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	var sel []string
	for _, t := range strings.Split(*types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			sel = append(sel, t)
		}
	}
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	n := map[string]int{}
	write := ingest.WriteNDJSON(bw)
	began := time.Now()
	err = db.Export(ctx, sel, func(rec any) error {
		n[recordType(rec)]++
		return write(rec)
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return err
	}
	ids, err := db.ExportedPeople(ctx, sel)
	if err != nil {
		return err
	}
	params, _ := json.Marshal(map[string]any{"types": sel, "counts": n})
	if err := db.Audit(ctx, intel.AuditRecord{Actor: "cli:export", ActorLabel: "contextmap export", Role: intel.RoleAdmin,
		Action: "export", Route: "CLI export", Params: string(params), PersonIDs: ids, Purpose: *purpose, Status: 200}); err != nil {
		return err
	}
	var parts []string
	for _, t := range ingest.Types {
		if n[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[t], t))
		}
	}
	fmt.Fprintf(os.Stderr, "exported %s in %s\n", strings.Join(parts, ", "), time.Since(began).Round(time.Millisecond))
	return nil
}

func recordType(rec any) string {
	switch rec.(type) {
	case *ingest.Person:
		return ingest.TypePerson
	case *ingest.Place:
		return ingest.TypePlace
	case *ingest.Group:
		return ingest.TypeGroup
	case *ingest.Space:
		return ingest.TypeSpace
	case *ingest.Link:
		return ingest.TypeLink
	case *ingest.Event:
		return ingest.TypeEvent
	case *ingest.Assessment:
		return ingest.TypeAssessment
	}
	return "other"
}
