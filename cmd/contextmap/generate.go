package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/contextmap/contextmap/intel/ingest"
)

func cmdGenerate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	var opt ingest.GenOptions
	fs.IntVar(&opt.People, "people", 1000, "people (85% young people, 15% adults of concern)")
	fs.IntVar(&opt.Events, "events", 10000, "events")
	fs.IntVar(&opt.Links, "links", 5000, "links")
	fs.IntVar(&opt.Places, "places", 0, "places (default: one for every 20 people, at least 50)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and counts give the same bytes")
	fs.StringVar(&opt.Area, "area", "cumbria", "where: "+strings.Join(ingest.Areas, " or ")+" (gb: towns across Great Britain, no districts)")
	out := fs.String("o", "-", "file to write (default: standard output)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, `Usage: contextmap generate [flags] > synthetic.ndjson

Writes realistic synthetic data as NDJSON for 'contextmap import': places
clustered around towns, heavy-tailed link and event counts per person and
place, evening and weekend peaks, time windows, valid gradings (some legacy
5x5x5). For benchmarks and load tests, e.g. at national scale:
  contextmap generate --area gb --people 100000 --links 1000000 --events 2000000`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	opt.Seed = *seed
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	began := time.Now()
	write := ingest.WriteNDJSON(bw)
	n := 0
	err := ingest.Generate(opt, func(rec any) error {
		n++
		if n%100000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		return write(rec)
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "generated %d records in %s\n", n, time.Since(began).Round(time.Millisecond))
	return nil
}
