package hotspot

import (
	"io"
	"math/rand/v2"
	"testing"

	"github.com/contextmap/contextmap/geo"
)

// benchEvents: 90,000 events over a 100 × 100 km box of British National
// Grid, clustered like the national data set's densest county (28,000
// places in 40 clusters, 1.6 young people each from 18,000): about what a
// twelve-month map of Greater Manchester and West Yorkshire reads.
func benchEvents() (xs, ys []float64, people [][]int64) {
	rng := rand.New(rand.NewPCG(5, 6))
	type c struct{ x, y, s float64 }
	var clusters []c
	for range 40 {
		clusters = append(clusters, c{340000 + rng.Float64()*95000, 350000 + rng.Float64()*95000, 500 + rng.Float64()*4000})
	}
	places := make([][2]float64, 28000)
	for i := range places {
		k := clusters[rng.IntN(len(clusters))]
		places[i] = [2]float64{k.x + rng.NormFloat64()*k.s, k.y + rng.NormFloat64()*k.s}
	}
	for range 90000 {
		p := places[int(float64(len(places))*rng.Float64()*rng.Float64())]
		xs, ys = append(xs, p[0]), append(ys, p[1])
		ps := []int64{int64(1000000 + rng.IntN(18000))}
		if rng.IntN(10) < 4 {
			ps = append(ps, int64(1000000+rng.IntN(18000)))
		}
		people = append(people, ps)
	}
	return xs, ys, people
}

// BenchmarkMapGiStar: the Go side of a county Gi* map on 250 m hexagons
// (binning, distinct people, Gi*, GeoJSON to io.Discard), without the
// database.
func BenchmarkMapGiStar(b *testing.B) {
	xs, ys, people := benchEvents()
	g, _ := geo.NewHexGrid(250, geo.PointyTop)
	spec := Spec{Method: MethodGiStar, Grid: g, GridName: GridHex, Cell: 250, Rect: [4]float64{336385, 348079, 436983, 448626},
		Measure: MeasureEvents, People: true, Rule: geo.Rule{Threshold: 5, Round: 5}}
	b.ReportAllocs()
	cells := 0
	for b.Loop() {
		m := NewMap(spec)
		for i := range xs {
			m.Add(xs[i], ys[i], t0, t0, 1, false, true, people[i])
		}
		r, err := m.Result()
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WriteGeoJSON(io.Discard, geo.BNG(), map[string]any{"method": "gistar"}); err != nil {
			b.Fatal(err)
		}
		cells = len(r.Cells)
	}
	b.ReportMetric(float64(cells), "cells")
}

// BenchmarkWriteGeoJSON: streaming 200,000 hexagon features writes
// through in pieces of about 32 KiB: nothing of the answer is held.
func BenchmarkWriteGeoJSON(b *testing.B) {
	g, _ := geo.NewHexGrid(100, geo.PointyTop)
	r := &Result{Spec: &Spec{Method: MethodCount, Grid: g, People: true}}
	for i := range 200000 {
		r.Cells = append(r.Cells, Cell{ID: geo.CellID{I: int32(3400 + i%400), J: int32(6000 + i/400)}, Events: i % 7, People: i % 5})
	}
	var cw countWriter
	b.ReportAllocs()
	for b.Loop() {
		cw = countWriter{}
		if err := r.WriteGeoJSON(&cw, geo.BNG(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cw.n)/(1<<20), "MiB-written")
	b.ReportMetric(float64(cw.max)/(1<<10), "KiB-largest-write")
}

type countWriter struct{ n, max int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	w.max = max(w.max, len(p))
	return len(p), nil
}
