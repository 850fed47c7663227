package ingest

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"
)

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	opt := GenOptions{People: 300, Events: 2000, Links: 1500, Seed: 7}
	var a, b bytes.Buffer
	if err := Generate(opt, WriteNDJSON(&a)); err != nil {
		t.Fatal(err)
	}
	if err := Generate(opt, WriteNDJSON(&b)); err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
		t.Fatal("the same seed gave different data")
	}
	opt.Seed = 8
	var c bytes.Buffer
	_ = Generate(opt, WriteNDJSON(&c))
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("another seed gave the same data")
	}
	// Everything generated passes the import's own checks.
	rd := NDJSON(bytes.NewReader(a.Bytes()))
	defer rd.Close()
	n := map[string]int{}
	legacy := 0
	for {
		ch, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ch.Errors {
			t.Errorf("generated line %d: %s %s", e.Line, e.Field, e.Reason)
		}
		for _, it := range ch.Items {
			switch r := it.Record.(type) {
			case *Person:
				n["person"]++
			case *Link:
				n["link"]++
				if r.LegacyGrade != nil {
					legacy++
				}
			case *Event:
				n["event"]++
			}
		}
	}
	if n["person"] != 300 || n["event"] != 2000 || n["link"] != 1500 {
		t.Errorf("counts %v", n)
	}
	if legacy == 0 {
		t.Error("no legacy grades generated")
	}
}

// The busiest people hold far more links than the median: heavy tails.
func TestGenerateDegreesAreHeavyTailed(t *testing.T) {
	deg := map[string]int{}
	err := Generate(GenOptions{People: 2000, Links: 20000, Seed: 1}, func(rec any) error {
		if l, ok := rec.(*Link); ok && l.SourceType == "person" {
			deg[l.SourceRef]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ds []int
	for _, d := range deg {
		ds = append(ds, d)
	}
	maxD, sum := 0, 0
	for _, d := range ds {
		maxD = max(maxD, d)
		sum += d
	}
	mean := float64(sum) / float64(len(ds))
	if float64(maxD) < 10*mean {
		t.Errorf("max degree %d is not far above the mean %.1f", maxD, mean)
	}
}
