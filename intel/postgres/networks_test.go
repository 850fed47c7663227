package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/network"
	"github.com/contextmap/contextmap/intel/postgres"
	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

// TestNetworkFreshness checks the freshness rule: a run is stale exactly
// when a change to the graph committed after the run read it, including a
// change in flight while it read, and not for a change rolled back.
func TestNetworkFreshness(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	stale := func() bool {
		t.Helper()
		s, err := db.NetworksStale(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const link = `INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, source_agency,
		first_seen, last_seen, review_date, recorded_by) VALUES ('frequents', $1, 10, '2', 'B', 'P', 'Police', '2024-01-01',
		'2024-01-01', '2099-01-01', 't')`
	exec(`INSERT INTO people (id, kind, pseudonym) VALUES (1, 'young_person', 'YP-1'), (2, 'young_person', 'YP-2'),
		(3, 'young_person', 'YP-3')`)
	exec(`INSERT INTO places (id, name, kind, geom) VALUES (10, 'Park', 'park', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326))`)
	exec(link, 1)

	r := network.NewRefresher(db, nil)
	if !stale() {
		t.Fatal("no run yet: must be stale")
	}
	if ran, err := r.Refresh(ctx); err != nil || !ran {
		t.Fatalf("refresh when stale: ran %v err %v", ran, err)
	}
	if stale() {
		t.Fatal("fresh after a run")
	}
	if ran, err := r.Refresh(ctx); err != nil || ran {
		t.Fatalf("refresh when fresh: ran %v err %v, want no run", ran, err)
	}

	// A change rolled back leaves the run fresh.
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, link, 2); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if stale() {
		t.Error("stale after a rolled-back change")
	}

	// A change in flight while the graph is read, committed afterwards:
	// the run did not see it, so it must come out stale.
	tx, err = db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, link, 2); err != nil {
		t.Fatal(err)
	}
	if stale() {
		t.Error("an uncommitted change already counts")
	}
	snap, nodes, links, err := db.LoadNetworkGraph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 {
		t.Fatalf("the read saw %d links, want 1 (the other was uncommitted)", len(links))
	}
	if err := db.SaveNetworks(ctx, snap, network.Analyse(nodes, links, network.DefaultOptions), time.Second); err != nil {
		t.Fatal(err)
	}
	if !stale() {
		t.Error("a run that missed a change committed after its read is not stale")
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if stale() {
		t.Error("stale after a full recompute")
	}
	var left int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM graph_changes`).Scan(&left); err != nil || left != 0 {
		t.Errorf("change log not pruned: %d rows (%v)", left, err)
	}
	// An older run never replaces a newer one.
	old := snap
	old.At = old.At.Add(-time.Hour)
	if err := db.SaveNetworks(ctx, old, network.Analyse(nodes, links, network.DefaultOptions), time.Second); err != nil {
		t.Fatal(err)
	}
	var runs int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM network_runs`).Scan(&runs); err != nil || runs != 1 {
		t.Errorf("%d runs kept, want 1", runs)
	}
	if stale() {
		t.Error("an older run replaced the newer")
	}
	// Deleting a person is a change too.
	exec(`DELETE FROM people WHERE id = 3`)
	if !stale() {
		t.Error("not stale after a delete")
	}
}

// TestNetworkBasis: links graded E, and links past their review date, do
// not make networks.
func TestNetworkBasis(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO people (id, kind, pseudonym) VALUES (1, 'young_person', 'YP-1'), (2, 'young_person', 'YP-2'),
			(3, 'young_person', 'YP-3');
		INSERT INTO places (id, name, kind, geom) VALUES (10, 'Park', 'park', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326));
		INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, source_agency,
			first_seen, last_seen, review_date, recorded_by, confirmed) VALUES
			('frequents', 1, 10, '2', 'B', 'P', 'Police', '2024-01-01', '2024-01-01', '2099-01-01', 't', false),
			('frequents', 2, 10, '3', 'E', 'P', 'Police', '2024-01-01', '2024-01-01', '2099-01-01', 't', true),
			('frequents', 3, 10, '1', 'A', 'P', 'Police', '2024-01-01', '2024-01-01', '2020-01-01', 't', true)`); err != nil {
		t.Fatal(err)
	}
	_, nodes, links, err := db.LoadNetworkGraph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 4 || len(links) != 1 || links[0].Source != 1 {
		t.Fatalf("nodes %d links %+v: want 4 nodes and only person 1's unconfirmed link", len(nodes), links)
	}
}

// TestRefresherLoop: the background job, started, computes the networks,
// and recomputes after a change within a few polls.
func TestRefresherLoop(t *testing.T) {
	db := pgtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO people (id, kind, pseudonym) VALUES (1, 'young_person', 'YP-1'), (2, 'young_person', 'YP-2');
		INSERT INTO places (id, name, kind, geom) VALUES (10, 'Park', 'park', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326));
		INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, source_agency,
			first_seen, last_seen, review_date, recorded_by) VALUES
			('frequents', 1, 10, '2', 'B', 'P', 'Police', '2024-01-01', '2024-01-01', '2099-01-01', 't')`); err != nil {
		t.Fatal(err)
	}
	r := network.NewRefresher(db, nil)
	r.Poll, r.MinGap = 20*time.Millisecond, 0
	r.Start(ctx)
	waitFresh := func(wantSize int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			stale, err := db.NetworksStale(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var size int
			_ = db.Pool.QueryRow(ctx, `SELECT coalesce(max(size), 0) FROM networks`).Scan(&size)
			if !stale && size == wantSize {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("networks not fresh with a network of %d nodes after 30 s", wantSize)
	}
	waitFresh(2)
	if _, err := db.Pool.Exec(ctx, `INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling,
		source_agency, first_seen, last_seen, review_date, recorded_by)
		VALUES ('frequents', 2, 10, '2', 'B', 'P', 'Police', '2024-01-01', '2024-01-01', '2099-01-01', 't')`); err != nil {
		t.Fatal(err)
	}
	waitFresh(3)
}

// TestAssociationMapCap: a selection over the link cap is refused as too
// large, without reading it; at the cap it is drawn.
func TestAssociationMapCap(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO people (id, kind, pseudonym) VALUES (1, 'young_person', 'YP-1'), (2, 'young_person', 'YP-2'),
			(3, 'young_person', 'YP-3');
		INSERT INTO places (id, name, kind, geom) VALUES (10, 'Park', 'park', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326)),
			(11, 'Shop', 'shop', ST_SetSRID(ST_MakePoint(-2.92, 54.89), 4326));
		INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, source_agency,
			first_seen, last_seen, review_date, recorded_by)
		SELECT 'frequents', p, pl, '2', 'B', 'P', 'Police', '2024-01-01', '2024-01-01', '2099-01-01', 't'
		FROM generate_series(1, 3) p, generate_series(10, 11) pl`); err != nil {
		t.Fatal(err)
	}
	pr := intel.Principal{Role: intel.RoleAnalyst}
	_, err := db.AssociationMap(ctx, pr, postgres.AssocFilter{MaxLinks: 5})
	if intel.ErrorCode(err) != intel.ETOOLARGE {
		t.Fatalf("6 links over a cap of 5: %v, want too large", err)
	}
	m, err := db.AssociationMap(ctx, pr, postgres.AssocFilter{MaxLinks: 6})
	if err != nil || len(m.Edges) != 1 || m.Edges[0].People != 3 {
		t.Fatalf("6 links at a cap of 6: %+v %v, want one edge of 3 people", m, err)
	}
}
