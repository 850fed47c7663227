package ingest

import (
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/contextmap/contextmap/intel"
)

// Item is one valid record and the line it came from.
type Item struct {
	Line   int
	Record any // *Person, *Place, *Group, *Space, *Link, *Event, *Assessment or *StatusChange
}

// Chunk is a run of consecutive input: its valid records, its bad rows and
// the rows deliberately left out (police.uk rows without coordinates).
type Chunk struct {
	Items   []Item
	Errors  []intel.FieldError // every problem of every bad row, Line set
	Skipped []intel.FieldError // rows counted and not imported, with why
	Rows    int                // rows (lines, features) the chunk covers
	Bytes   int64              // input bytes read up to the end of this chunk
}

// add puts the record of a row in the chunk, or its problems, each with
// the row's line.
func (c *Chunk) add(line int, rec any, errs []intel.FieldError) {
	if len(errs) > 0 {
		for j := range errs {
			errs[j].Line = line
		}
		c.Errors = append(c.Errors, errs...)
		return
	}
	c.Items = append(c.Items, Item{Line: line, Record: rec})
}

// Reader yields chunks in input order; Next returns io.EOF after the last.
// Memory stays flat: only a few chunks are in flight at once.
type Reader interface {
	Next() (*Chunk, error)
	Close()
}

// chunkRows is how many rows a chunk holds: enough to keep workers busy,
// few enough that a handful in flight is a small, fixed amount of memory.
const chunkRows = 1000

// pipeline splits input into raw chunks on one goroutine, converts them on
// GOMAXPROCS workers and hands them out in input order.
type pipeline struct {
	futures chan chan *Chunk
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	err     error
}

type job struct {
	raw any
	fut chan *Chunk
}

// newPipeline runs split until it returns io.EOF (or another error, which
// Next reports after the chunks before it). convert must be safe to run
// concurrently.
func newPipeline(split func() (raw any, err error), convert func(raw any) *Chunk) *pipeline {
	workers := max(1, runtime.GOMAXPROCS(0))
	p := &pipeline{futures: make(chan chan *Chunk, 2*workers), done: make(chan struct{})}
	jobs := make(chan job, 2*workers)
	for range workers {
		go func() {
			for j := range jobs {
				j.fut <- convert(j.raw)
			}
		}()
	}
	go func() {
		defer close(p.futures)
		defer close(jobs)
		for {
			raw, err := split()
			if raw != nil {
				fut := make(chan *Chunk, 1)
				select {
				case p.futures <- fut:
				case <-p.done:
					return
				}
				jobs <- job{raw, fut}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					p.mu.Lock()
					p.err = err
					p.mu.Unlock()
				}
				return
			}
		}
	}()
	return p
}

func (p *pipeline) Next() (*Chunk, error) {
	fut, ok := <-p.futures
	if !ok {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.err != nil {
			return nil, p.err
		}
		return nil, io.EOF
	}
	return <-fut, nil
}

func (p *pipeline) Close() {
	p.once.Do(func() {
		close(p.done)
		// Drain so the splitter and workers end.
		go func() {
			for fut := range p.futures {
				<-fut
			}
		}()
	})
}

// countingReader counts the bytes read through it, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// Records counts the rows of a chunk that hold something: records, bad
// rows and skipped rows (blank lines are not counted).
func (c *Chunk) Records() int {
	return len(c.lines())
}

func (c *Chunk) lines() []int {
	var ls []int
	for _, it := range c.Items {
		ls = append(ls, it.Line)
	}
	for _, e := range c.Errors {
		ls = append(ls, e.Line)
	}
	for _, e := range c.Skipped {
		ls = append(ls, e.Line)
	}
	slices.Sort(ls)
	return slices.Compact(ls)
}

// Split cuts a chunk after its n-th record (by line; a file whose records
// share a line, such as GeoJSON on one line, is not cut within the line).
func (c *Chunk) Split(n int) (head, tail *Chunk) {
	ls := c.lines()
	if n >= len(ls) {
		return c, nil
	}
	if n <= 0 {
		return &Chunk{Bytes: c.Bytes}, c
	}
	last := ls[n-1]
	head, tail = &Chunk{Bytes: c.Bytes}, &Chunk{Bytes: c.Bytes}
	for _, it := range c.Items {
		if it.Line <= last {
			head.Items = append(head.Items, it)
		} else {
			tail.Items = append(tail.Items, it)
		}
	}
	for _, e := range c.Errors {
		if e.Line <= last {
			head.Errors = append(head.Errors, e)
		} else {
			tail.Errors = append(tail.Errors, e)
		}
	}
	for _, e := range c.Skipped {
		if e.Line <= last {
			head.Skipped = append(head.Skipped, e)
		} else {
			tail.Skipped = append(tail.Skipped, e)
		}
	}
	head.Rows = min(c.Rows, n)
	tail.Rows = c.Rows - head.Rows
	return head, tail
}
