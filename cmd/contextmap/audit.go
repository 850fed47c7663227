package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func cmdAudit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(os.Stderr, "Usage: contextmap audit verify\n\nWalks the whole audit log and reports every altered, removed, inserted or reordered record.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return fmt.Errorf("unknown audit action")
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	n, problems, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Printf("record %d: %s\n", p.Seq, p.Reason)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problems in %d records: the audit log has been tampered with", len(problems), n)
	}
	fmt.Printf("audit log intact: %d records verified\n", n)
	return nil
}
