package geo

import (
	"math/rand/v2"
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
