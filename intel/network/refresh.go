package network

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Snapshot is the state of the graph a run read: the store's token for it
// (opaque here), when it was read, the day review dates were judged on,
// and the latest change time of a link seen.
type Snapshot struct {
	Token          string
	At             time.Time
	AsOf           time.Time
	LinksUpdatedAt *time.Time
}

// Store reads the graph and keeps the results. intel/postgres implements
// it.
type Store interface {
	// LoadNetworkGraph reads the basis graph in one consistent snapshot.
	LoadNetworkGraph(ctx context.Context) (Snapshot, []Node, []Link, error)
	// SaveNetworks stores a run and makes it the one served.
	SaveNetworks(ctx context.Context, s Snapshot, r Result, took time.Duration) error
	// NetworksStale reports whether there is no run, or the graph changed
	// after the served run read it, or the day moved on since.
	NetworksStale(ctx context.Context) (bool, error)
}

// Refresher keeps the stored networks fresh: it polls the store and
// recomputes when they are stale.
type Refresher struct {
	Store   Store
	Log     *slog.Logger
	Options Options
	// Poll is how often staleness is checked (default 5 s).
	Poll time.Duration
	// MinGap is the least time from one run's start to the next's
	// (default 30 s), so a stream of writes does not keep a core busy.
	MinGap time.Duration

	mu sync.Mutex // one run at a time
}

// NewRefresher returns a Refresher with the default settings.
func NewRefresher(s Store, log *slog.Logger) *Refresher {
	return &Refresher{Store: s, Log: log, Options: DefaultOptions, Poll: 5 * time.Second, MinGap: 30 * time.Second}
}

// Start runs the refresher in a goroutine until ctx ends.
func (r *Refresher) Start(ctx context.Context) {
	go r.loop(ctx)
}

func (r *Refresher) loop(ctx context.Context) {
	poll := r.Poll
	if poll <= 0 {
		poll = 5 * time.Second
	}
	var last time.Time // start of the last run
	wait := time.Duration(0)
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = poll
		if !last.IsZero() && time.Since(last) < r.MinGap {
			continue
		}
		start := time.Now()
		ran, err := r.Refresh(ctx)
		if ran {
			last = start
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			r.log().Warn("networks: refresh failed", "err", err, "failures", failures)
			wait = min(poll<<min(failures, 6), 5*time.Minute)
			continue
		}
		failures = 0
	}
}

func (r *Refresher) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Refresh recomputes the networks if they are stale, and reports whether
// it did.
func (r *Refresher) Refresh(ctx context.Context) (bool, error) {
	stale, err := r.Store.NetworksStale(ctx)
	if err != nil || !stale {
		return false, err
	}
	return true, r.Run(ctx)
}

// Run recomputes the networks now.
func (r *Refresher) Run(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	opt := r.Options
	if opt == (Options{}) {
		opt = DefaultOptions
	}
	start := time.Now()
	snap, nodes, links, err := r.Store.LoadNetworkGraph(ctx)
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	res := Analyse(nodes, links, opt)
	analysed := time.Since(start) - loaded
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.Store.SaveNetworks(ctx, snap, res, time.Since(start)); err != nil {
		return err
	}
	// Counts and times only: never an identifier.
	r.log().Info("networks: recomputed", "nodes", res.Nodes, "links", res.Links, "networks", len(res.Networks),
		"modularity", res.Modularity, "load", loaded, "analyse", analysed, "took", time.Since(start))
	return nil
}
