package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/contextmap/contextmap/intel"
)

func cmdRetention(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "apply" {
		fmt.Fprintln(os.Stderr, "Usage: contextmap retention apply [--period 6y] [--dry-run]\n\n"+
			"Deletes links last seen, events ended and assessments completed before the retention period, and\n"+
			"people left with nothing in force; records the run in the audit log.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return fmt.Errorf("unknown retention action")
	}
	fs := flag.NewFlagSet("retention apply", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	period := fs.String("period", env("CONTEXTMAP_RETENTION", "6y"), "how long records are kept, e.g. 6y, 18m (months), 400d (env CONTEXTMAP_RETENTION)")
	dry := fs.Bool("dry-run", false, "count what would be deleted, delete nothing")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cutoff, err := retentionCutoff(time.Now(), *period)
	if err != nil {
		return err
	}
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.ApplyRetention(ctx, cutoff, *dry)
	if err != nil {
		return err
	}
	if !*dry {
		params, _ := json.Marshal(res)
		err := db.Audit(ctx, intel.AuditRecord{Actor: "system:retention", ActorLabel: "contextmap retention apply",
			Role: intel.RoleAdmin, Action: "retention", Route: "CLI retention apply", Params: string(params),
			PersonIDs: res.PeopleIDs, Purpose: "retention period " + *period, Status: 200})
		if err != nil {
			return err
		}
	}
	verb := "deleted"
	if *dry {
		verb = "would delete"
	}
	fmt.Printf("retention %s (before %s): %s %d links, %d events, %d assessments, %d people\n",
		*period, cutoff.Format(time.DateOnly), verb, res.Links, res.Events, res.Assessments, res.People)
	return nil
}

// retentionCutoff is now minus a period written as 6y, 18m or 400d.
func retentionCutoff(now time.Time, p string) (time.Time, error) {
	var n int
	var unit byte
	if _, err := fmt.Sscanf(p, "%d%c", &n, &unit); err != nil || n <= 0 {
		return time.Time{}, fmt.Errorf("--period %q: want e.g. 6y, 18m or 400d", p)
	}
	switch unit {
	case 'y':
		return now.AddDate(-n, 0, 0), nil
	case 'm':
		return now.AddDate(0, -n, 0), nil
	case 'd':
		return now.AddDate(0, 0, -n), nil
	}
	return time.Time{}, fmt.Errorf("--period %q: the unit must be y, m or d", p)
}
