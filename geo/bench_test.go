package geo

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkGiStar: a study area of 500×400 = 200,000 square cells with
// 20,000 non-zero cells placed at random (values 1..10) away from the edge.
//
//	go test ./geo -run '^$' -bench GiStar -benchmem
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

// BenchmarkKDE: 20,000 points on 100 m squares.
//
//	go test ./geo -run '^$' -bench 'KDE|KNN' -benchmem
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
			var cells int
			for b.Loop() {
				res, err := KDE(pts, g, KDEOptions{Bandwidth: h})
				if err != nil {
					b.Fatal(err)
				}
				cells = len(res.Cells)
			}
			b.ReportMetric(float64(cells), "cells")
		})
	}
}

func BenchmarkKNNBandwidth(b *testing.B) {
	pts := kdeBenchPoints()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := KNNBandwidth(pts, DefaultKNN); err != nil {
			b.Fatal(err)
		}
	}
}
