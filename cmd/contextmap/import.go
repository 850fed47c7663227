package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
)

func cmdImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	format := fs.String("format", "", "ndjson, csv, geojson or police.uk (default: from the file name, else the content)")
	typ := fs.String("type", "", "the record type of a CSV file: "+strings.Join(ingest.Types, ", ")+" (default: from the file name, e.g. places.csv)")
	dry := fs.Bool("dry-run", false, "check everything, against the database too, and write nothing")
	batch := fs.Int("batch", 0, "make every N rows an all-or-nothing batch (default: each file is one)")
	progress := fs.String("progress", "auto", "auto (a bar on a terminal, lines otherwise), bar, lines or none")
	maxErrors := fs.Int("max-errors", 10000, "list at most this many bad rows (all are counted)")
	modeFlag := fs.String("mode", "auto", "how events are written: auto (initial load into an empty events table, batches of 10,000 events or more), normal or initial (docs/IMPORT.md: an initial load blocks readers of events until its batch commits)")
	label := fs.String("recorded-by", "contextmap import", "who links are recorded by when a file does not say (recorded_by)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, `Usage: contextmap import [flags] FILE...

Imports partner data: NDJSON (one record a line), CSV (one record type a file),
GeoJSON FeatureCollections of places and police.uk street-level crime CSV.
Each file (or each --batch rows) is all or nothing: one bad row and nothing of
it is written, and every bad row is listed as FILE:LINE: field: reason.
Importing the same file twice changes nothing. "-" reads standard input.
docs/IMPORT.md describes the formats.`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("give at least one file")
	}
	mode, err := postgres.ParseImportMode(*modeFlag)
	if err != nil {
		return fmt.Errorf("--mode %q: want auto, normal or initial", *modeFlag)
	}
	if !slices.Contains([]string{"auto", "bar", "lines", "none"}, *progress) {
		return fmt.Errorf("--progress %q: want auto, bar, lines or none", *progress)
	}
	if *progress == "auto" {
		*progress = "lines"
		if term.IsTerminal(int(os.Stderr.Fd())) {
			*progress = "bar"
		}
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
	pr := intel.Principal{Subject: "cli:import", Label: *label, Role: intel.RoleAnalyst}
	failed := 0
	for _, name := range fs.Args() {
		res, err := importFile(ctx, db, pr, name, *format, *typ, postgres.ImportOptions{DryRun: *dry, BatchRows: *batch,
			MaxErrors: *maxErrors, Mode: mode}, *progress)
		if err != nil && intel.ErrorCode(err) != intel.EINVALID {
			return fmt.Errorf("%s: %w", name, err)
		}
		report(os.Stdout, name, res, err)
		if err != nil {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files had bad rows", failed, fs.NArg())
	}
	return nil
}

func importFile(ctx context.Context, db *postgres.DB, pr intel.Principal, name, format, typ string,
	opt postgres.ImportOptions, progress string) (postgres.ImportResult, error) {
	var r io.Reader = os.Stdin
	var size int64 = -1
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return postgres.ImportResult{}, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		r = f
		nf, nt := ingest.FromName(name)
		if format == "" {
			format = nf
		}
		if typ == "" {
			typ = nt
		}
	}
	rd, err := ingest.Open(bufio.NewReaderSize(r, 1<<20), format, typ)
	if err != nil {
		return postgres.ImportResult{}, err
	}
	p := newProgress(progress, filepath.Base(name), size)
	opt.Progress = p.update
	began := time.Now()
	res, ierr := db.Import(ctx, pr, rd, opt)
	p.done(res.Rows, time.Since(began))
	if res.Batches > 0 && !opt.DryRun {
		params, _ := json.Marshal(map[string]any{"file": filepath.Base(name), "format": format, "type": typ,
			"rows": res.Rows, "counts": res.Counts, "errors": res.ErrorTotal})
		status := 200
		if ierr != nil {
			status = 400
		}
		if err := db.Audit(ctx, intel.AuditRecord{Actor: pr.Subject, ActorLabel: pr.Label, Role: pr.Role, Action: "import",
			Route: "CLI import", Params: string(params), PersonIDs: res.PersonIDs, Purpose: "bulk import", Status: status}); err != nil {
			return res, err
		}
	}
	return res, ierr
}

// report prints what an import did, and every bad row as FILE:LINE.
func report(w io.Writer, name string, res postgres.ImportResult, err error) {
	verb := "imported"
	if res.DryRun {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%s: %s %d rows in %d batches (%d committed)\n", name, verb, res.Rows, res.Batches, res.Committed)
	for _, t := range ingest.Types {
		if c, ok := res.Counts[t]; ok {
			fmt.Fprintf(w, "  %-10s %8d inserted %8d updated %8d unchanged\n", t, c.Inserted, c.Updated, c.Unchanged)
		}
	}
	if res.InitialLoads > 0 {
		fmt.Fprintf(w, "  events of %d batches written by initial load\n", res.InitialLoads)
	}
	if res.SkippedTotal > 0 {
		fmt.Fprintf(w, "  %d rows skipped:\n", res.SkippedTotal)
		for _, s := range res.Skipped {
			fmt.Fprintf(w, "  %s:%d: %s\n", name, s.Line, s.Reason)
		}
	}
	if err != nil {
		fmt.Fprintf(w, "  %d bad rows; nothing of a batch holding one was written:\n", res.ErrorTotal)
		for _, e := range res.Errors {
			fmt.Fprintf(w, "  %s:%d: %s: %s\n", name, e.Line, e.Field, e.Reason)
		}
		if res.ErrorTotal > len(res.Errors) {
			fmt.Fprintf(w, "  ... and %d more\n", res.ErrorTotal-len(res.Errors))
		}
		if len(res.Errors) == 0 {
			fmt.Fprintf(w, "  %s: %v\n", name, err)
		}
	}
}

// progress shows an import's progress: a bar (rows, rate, ETA by bytes) on
// a terminal, a plain line every two seconds otherwise.
type progress struct {
	mu    sync.Mutex
	mode  string
	name  string
	size  int64
	bar   *progressbar.ProgressBar
	began time.Time
	last  time.Time
	step  string
}

func newProgress(mode, name string, size int64) *progress {
	p := &progress{mode: mode, name: name, size: size, began: time.Now()}
	if mode == "bar" {
		p.bar = progressbar.NewOptions64(size, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription(name),
			progressbar.OptionShowBytes(true), progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowElapsedTimeOnFinish(), progressbar.OptionSetWidth(30), progressbar.OptionFullWidth())
	}
	return p
}

func (p *progress) update(u postgres.ImportProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rate := float64(u.Rows) / max(time.Since(p.began).Seconds(), 1e-3)
	switch p.mode {
	case "bar":
		if u.Step == "staging" {
			p.bar.Describe(fmt.Sprintf("%s: %d rows, %.0f rows/s", p.name, u.Rows, rate))
			_ = p.bar.Set64(u.Bytes)
		} else {
			p.bar.Describe(fmt.Sprintf("%s: %d rows: %s", p.name, u.Rows, u.Step))
		}
	case "lines":
		if u.Step != "staging" {
			if u.Step != p.step {
				fmt.Fprintf(os.Stderr, "%s: %s (%s)\n", p.name, u.Step, time.Since(p.began).Round(time.Millisecond))
				p.step = u.Step
			}
			return
		}
		if time.Since(p.last) < 2*time.Second {
			return
		}
		p.last = time.Now()
		line := fmt.Sprintf("%s: %d rows read, %.0f rows/s", p.name, u.Rows, rate)
		if p.size > 0 && u.Bytes > 0 {
			frac := float64(u.Bytes) / float64(p.size)
			eta := time.Duration(float64(time.Since(p.began)) * (1 - frac) / max(frac, 1e-9))
			line += fmt.Sprintf(", %.0f%% of %.1f MB, reading done in about %s", 100*frac, float64(p.size)/1e6, eta.Round(time.Second))
		}
		fmt.Fprintln(os.Stderr, line)
	}
}

func (p *progress) done(rows int64, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.mode {
	case "bar":
		_ = p.bar.Finish()
		fmt.Fprintln(os.Stderr)
	case "lines":
		fmt.Fprintf(os.Stderr, "%s: %d rows in %s (%.0f rows/s)\n", p.name, rows, took.Round(time.Millisecond),
			float64(rows)/max(took.Seconds(), 1e-3))
	}
}
