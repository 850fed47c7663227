package intel

import (
	"bytes"
	"testing"
	"time"
)

func TestParseGrade(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"1AP", "1AP", true}, {"2/b/c", "2BC", true}, {"3-E-P", "3EP", true}, {" 2 C P ", "2CP", true},
		{"4AP", "", false}, {"1FP", "", false}, {"1AX", "", false}, {"1A", "", false}, {"", "", false}, {"1APP", "", false},
	} {
		g, err := ParseGrade(c.in)
		if (err == nil) != c.ok || (c.ok && g.String() != c.want) {
			t.Errorf("ParseGrade(%q) = %v, %v; want %q ok=%v", c.in, g, err, c.want, c.ok)
		}
	}
	// Lower is stronger on both axes: 1A is at least 2B, 2C is not.
	if !MustGrade("1AP").AtLeast(MustGrade("2BP")) || MustGrade("2CP").AtLeast(MustGrade("2BP")) || MustGrade("1CP").AtLeast(MustGrade("2BP")) {
		t.Error("AtLeast")
	}
}

func MustGrade(s string) Grade {
	g, err := ParseGrade(s)
	if err != nil {
		panic(err)
	}
	return g
}

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	for _, c := range []struct {
		from Date
		n    int
		want string
	}{
		{NewDate(2020, 12, 31), -1, "2020-11-30"},
		{NewDate(2021, 3, 31), -1, "2021-02-28"},
		{NewDate(2020, 3, 31), -1, "2020-02-29"},
		{NewDate(2020, 1, 15), -1, "2019-12-15"},
		{NewDate(2020, 1, 31), 1, "2020-02-29"},
	} {
		if got := c.from.AddMonths(c.n).String(); got != c.want {
			t.Errorf("%s %+d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestAuditChainHashCoversEveryField(t *testing.T) {
	base := AuditRecord{Seq: 3, At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Actor: "token:1", ActorLabel: "a",
		Role: RoleAnalyst, Action: "read", Route: "GET /x", Params: "{}", PersonIDs: []int64{1, 2}, Purpose: "p", Status: 200,
		PrevHash: []byte{1, 2, 3}}
	key := []byte("k")
	h := base.ChainHash(key)
	if !bytes.Equal(h, base.ChainHash(key)) {
		t.Fatal("not deterministic")
	}
	mutations := []func(*AuditRecord){
		func(r *AuditRecord) { r.Seq++ }, func(r *AuditRecord) { r.At = r.At.Add(time.Microsecond) },
		func(r *AuditRecord) { r.Actor += "x" }, func(r *AuditRecord) { r.ActorLabel += "x" },
		func(r *AuditRecord) { r.Role = RolePolice }, func(r *AuditRecord) { r.Action = "write" },
		func(r *AuditRecord) { r.Route += "x" }, func(r *AuditRecord) { r.Params = `{"a":1}` },
		func(r *AuditRecord) { r.PersonIDs = []int64{1, 3} }, func(r *AuditRecord) { r.Purpose += "x" },
		func(r *AuditRecord) { r.Status = 201 }, func(r *AuditRecord) { r.PrevHash = []byte{1, 2, 4} },
		// Length-prefixing: moving a character between fields changes the hash.
		func(r *AuditRecord) { r.Actor, r.ActorLabel = "token:1a", "" },
	}
	for i, m := range mutations {
		r := base
		r.PersonIDs = append([]int64(nil), base.PersonIDs...)
		m(&r)
		if bytes.Equal(r.ChainHash(key), h) {
			t.Errorf("mutation %d does not change the hash", i)
		}
	}
	if bytes.Equal(base.ChainHash([]byte("other")), h) {
		t.Error("the key does not matter")
	}
}
