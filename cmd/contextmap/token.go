package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/contextmap/contextmap/intel"
)

func cmdToken(ctx context.Context, args []string) error {
	usage := "Usage: contextmap token create --role ROLE [--district CODE] [--name LABEL] [--expires 90d]\n" +
		"       contextmap token list\n       contextmap token revoke ID"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, usage)
		return errHelp
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	role := fs.String("role", "", "admin, analyst, police, district or partner")
	districts := fs.String("district", "", "comma-separated district codes (required for --role district)")
	name := fs.String("name", "", "a label saying whose token this is (default: the role)")
	expires := fs.String("expires", "90d", "lifetime, e.g. 12h, 30d; 'never' for no expiry")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		return err
	}
	switch args[0] {
	case "create":
		var exp *time.Time
		if *expires != "never" {
			dur, err := parseLifetime(*expires)
			if err != nil {
				return err
			}
			t := time.Now().Add(dur)
			exp = &t
		}
		var ds []string
		for _, s := range strings.Split(*districts, ",") {
			if s = strings.TrimSpace(s); s != "" {
				ds = append(ds, s)
			}
		}
		label := *name
		if label == "" {
			label = *role
		}
		secret, t, err := db.CreateToken(ctx, label, intel.Role(*role), ds, exp)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "token %d for %q (%s) created; it is shown once:\n", t.ID, t.Label, t.Role)
		fmt.Println(secret)
		return nil
	case "list":
		ts, err := db.ListTokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tDISTRICTS\tCREATED\tEXPIRES\tLAST USED\tSTATE")
		for _, t := range ts {
			state := "active"
			if t.RevokedAt != nil {
				state = "revoked"
			} else if t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()) {
				state = "expired"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Label, t.Role, strings.Join(t.Districts, ","),
				t.CreatedAt.Format(time.DateTime), fmtTime(t.ExpiresAt), fmtTime(t.LastUsedAt), state)
		}
		return w.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("give the token's id (contextmap token list shows it)")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("token id %q is not a number", fs.Arg(0))
		}
		if err := db.RevokeToken(ctx, id); err != nil {
			return err
		}
		fmt.Printf("token %d revoked\n", id)
		return nil
	}
	fmt.Fprintln(os.Stderr, usage)
	return fmt.Errorf("unknown token action %q", args[0])
}

func parseLifetime(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("--expires %q: want e.g. 30d or 12h", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want e.g. 30d or 12h", s)
	}
	return d, nil
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.DateTime)
}
