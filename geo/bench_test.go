package geo

import (
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Figures below: 2 vCPU "Oxide Virtual Turin-like Processor", Go 1.26.8,
// go test ./geo -run '^$' -bench . -benchmem -count 3 (range of the three).

// BenchmarkGiStar: a study area of 500×400 = 200,000 square cells with
// 20,000 non-zero cells placed at random (values 1..10) away from the edge.
// Measured: 40–45 ms/op, 12 MB/op, 10 allocs/op (about 115,000 cells
// listed).
func BenchmarkGiStar(b *testing.B) {
	g := mustSquare(b, 100)
	rng := rand.New(rand.NewPCG(11, 12))
	values := make(map[CellID]float64, 20000)
	for len(values) < 20000 {
		c := CellID{int32(1 + rng.IntN(498)), int32(1 + rng.IntN(398))}
		values[c] = float64(1 + rng.IntN(10))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GiStar(values, g, 500*400); err != nil {
			b.Fatal(err)
		}
	}
}

// kdeBenchPoints: 20,000 events in a 70 × 100 km area (about Cumbria's
// extent in BNG), three quarters clustered around 30 "towns" (σ = 400 m),
// the rest spread uniformly.
func kdeBenchPoints() [][2]float64 {
	rng := rand.New(rand.NewPCG(17, 18))
	towns := make([][2]float64, 30)
	for i := range towns {
		towns[i] = [2]float64{300000 + rng.Float64()*70000, 480000 + rng.Float64()*100000}
	}
	pts := make([][2]float64, 20000)
	for i := range pts {
		if i%4 == 0 {
			pts[i] = [2]float64{300000 + rng.Float64()*70000, 480000 + rng.Float64()*100000}
			continue
		}
		t := towns[rng.IntN(len(towns))]
		pts[i] = [2]float64{t[0] + rng.NormFloat64()*400, t[1] + rng.NormFloat64()*400}
	}
	return pts
}

// BenchmarkKDE: 20,000 points on 100 m squares. Measured:
//
//	h = kNN (k = 5, h ≈ 428 m), 251,217 cells: 108–174 ms/op (kNN included)
//	h = 250 m,                   105,821 cells:  84–113 ms/op
//	h = 1000 m,                  637,762 cells:  81–88 ms/op
func BenchmarkKDE(b *testing.B) {
	pts := kdeBenchPoints()
	g := mustSquare(b, 100)
	for _, h := range []float64{0, 250, 1000} {
		name := "h=knn"
		if h > 0 {
			name = "h=" + strconv.Itoa(int(h))
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var res *KDEResult
			for b.Loop() {
				var err error
				if res, err = KDE(pts, g, KDEOptions{Bandwidth: h}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(res.Cells)), "cells")
			b.ReportMetric(res.Bandwidth, "h_m")
		})
	}
}

// BenchmarkKNNBandwidth: the default bandwidth alone for the same 20,000
// points. Measured: 50–80 ms/op.
func BenchmarkKNNBandwidth(b *testing.B) {
	pts := kdeBenchPoints()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := KNNBandwidth(pts, DefaultKNN); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeatureWriter: 100 m hexagons near Carlisle projected back to
// longitude/latitude and written with a small properties object, to
// io.Discard. Per feature; measured 1.1–1.3 µs, 96 B, 4 allocs (so about
// 0.12 s for 100,000 hexagons).
func BenchmarkFeatureWriter(b *testing.B) {
	g := mustHex(b, 100, PointyTop)
	p := BNG()
	rings := make([]Polygon, 0, 1000)
	for c := range g.CellsInRect(340000, 555000, 343000, 557600) {
		rings = append(rings, Polygon{CellLonLat(g, p, c)})
	}
	type props struct {
		People int     `json:"people"`
		Z      float64 `json:"z"`
		Bin    int     `json:"bin"`
	}
	b.ReportAllocs()
	fw, _ := NewFeatureWriter(io.Discard, map[string]any{"method": "gistar"})
	for i := 0; b.Loop(); i++ {
		if err := fw.WriteFeature(i, rings[i%len(rings)], props{i % 50, 1.5, 2}); err != nil {
			b.Fatal(err)
		}
	}
	fw.Close()
}
