package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/contextmap/contextmap/intel"
)

// TestMaceNetworksSharedContexts checks the MACE pack's networks on a graph
// worked by hand: young people are joined when they share two or more
// contexts, a hub everyone visits joins nobody by itself, and a network's
// contexts are those two of its members share.
//
//	hub place 100: young people 1..10 and 11..15 (and D, E below)
//	A=11, B=12: places 101 and 102        -> A–B (share 2)
//	B=12, C=13: place 102 and group 200   -> B–C (share 2), so {A, B, C}
//	D=14, E=15: hub, places 103 and 104   -> D–E (share 3)
//	F=16: place 101 only, with A          -> shares 1 with A: alone
//
// Networks: {11, 12, 13} with contexts {100, 101, 102, 200} (A and B
// share the hub besides 101 and 102, so it is one of the network's shared
// contexts); {14, 15} with {100, 103, 104}. Young people 1..10 share only
// the hub: no network; nor F.
func TestMaceNetworksSharedContexts(t *testing.T) {
	db, exec := reportDB(t)
	for id := 1; id <= 16; id++ {
		exec(`INSERT INTO people (id, kind, pseudonym, district) VALUES ($1, 'young_person', $2, 'D1')`, id, fmt.Sprintf("YP-%d", id))
	}
	for id := 100; id <= 104; id++ {
		exec(`INSERT INTO places (id, name, kind, geom, district) VALUES ($1, $2, 'park', ST_SetSRID(ST_MakePoint(-2.93, 54.89), 4326), 'D1')`,
			id, fmt.Sprintf("Place %d", id))
	}
	exec(`INSERT INTO peer_groups (id, name, district) VALUES (200, 'Group', 'D1')`)
	link := func(kind string, yp, ctx int) {
		exec(`INSERT INTO links (kind, source_id, target_id, source_eval, intel_assessment, handling, source_agency,
			first_seen, last_seen, review_date, recorded_by) VALUES ($1, $2, $3, '2', 'B', 'P', 'Police', '2025-01-01',
			'2025-03-01', '2099-01-01', 't')`, kind, yp, ctx)
	}
	for yp := 1; yp <= 15; yp++ {
		link("frequents", yp, 100)
	}
	link("frequents", 11, 101)
	link("frequents", 11, 102)
	link("frequents", 12, 101)
	link("frequents", 12, 102)
	link("frequents", 13, 102)
	link("member_of", 12, 200)
	link("member_of", 13, 200)
	link("frequents", 14, 103)
	link("frequents", 14, 104)
	link("frequents", 15, 103)
	link("frequents", 15, 104)
	link("frequents", 16, 101)

	asOf, _ := intel.ParseDate("2025-06-30")
	ns, err := db.MaceNetworks(context.Background(), intel.Principal{Role: intel.RoleAnalyst}, "", asOf)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		young    int
		contexts []int64
	}
	var gs []got
	for _, n := range ns {
		var cs []int64
		for _, c := range n.Contexts {
			cs = append(cs, c.ID)
		}
		slices.Sort(cs)
		gs = append(gs, got{n.YoungPeople, cs})
	}
	want := []got{{3, []int64{100, 101, 102, 200}}, {2, []int64{100, 103, 104}}}
	if len(gs) != len(want) {
		t.Fatalf("networks %+v, want %+v", gs, want)
	}
	for i := range want {
		if gs[i].young != want[i].young || !slices.Equal(gs[i].contexts, want[i].contexts) {
			t.Errorf("network %d: %+v, want %+v", i, gs[i], want[i])
		}
	}
}
