package hotspot

import (
	"math"

	"github.com/contextmap/contextmap/geo"
)

// latticeStep is the spacing, in metres, of the exact inverse projections
// that cell corners are interpolated between. Bilinear interpolation over
// 1 km squares is within 4 cm of the exact British National Grid inverse
// anywhere in Great Britain (TestLatticeAccuracy), below the 6-decimal
// precision of the output (about 11 cm of latitude); it is some twenty
// times cheaper than the exact inverse per corner.
const latticeStep = 1000.0

const blockNodes = 33 // nodes per block side: 32 squares of latticeStep

type latticeBlock [blockNodes * blockNodes][2]float64

// lattice inverse-projects metric points (cell corners) to longitude and
// latitude by bilinear interpolation between exact inverses at the nodes
// of a 1 km lattice, computed lazily, each once. Neighbouring cells share
// corners, so they share interpolated positions too: the map has no gaps.
// Not safe for concurrent use.
type lattice struct {
	p      geo.Projection
	blocks map[[2]int64]*latticeBlock
	lastK  [2]int64
	last   *latticeBlock
}

func newLattice(p geo.Projection) *lattice {
	return &lattice{p: p, blocks: map[[2]int64]*latticeBlock{}}
}

// node is the exact inverse at lattice node (i, j).
func (l *lattice) node(i, j int64) [2]float64 {
	k := [2]int64{floorDiv(i, blockNodes-1), floorDiv(j, blockNodes-1)}
	b := l.last
	if b == nil || k != l.lastK {
		b = l.blocks[k]
		if b == nil {
			b = new(latticeBlock)
			for n := range b {
				b[n] = [2]float64{math.NaN(), 0}
			}
			l.blocks[k] = b
		}
		l.last, l.lastK = b, k
	}
	n := (i-k[0]*(blockNodes-1))*blockNodes + (j - k[1]*(blockNodes-1))
	v := &b[n]
	if math.IsNaN(v[0]) {
		lon, lat := l.p.Inverse(float64(i)*latticeStep, float64(j)*latticeStep)
		*v = [2]float64{lon, lat}
	}
	return *v
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// inverse is the interpolated longitude and latitude of metric (x, y).
func (l *lattice) inverse(x, y float64) (lon, lat float64) {
	fx, fy := x/latticeStep, y/latticeStep
	i, j := math.Floor(fx), math.Floor(fy)
	u, v := fx-i, fy-j
	ii, jj := int64(i), int64(j)
	a, b := l.node(ii, jj), l.node(ii+1, jj)
	c, d := l.node(ii, jj+1), l.node(ii+1, jj+1)
	w00, w10, w01, w11 := (1-u)*(1-v), u*(1-v), (1-u)*v, u*v
	return w00*a[0] + w10*b[0] + w01*c[0] + w11*d[0], w00*a[1] + w10*b[1] + w01*c[1] + w11*d[1]
}

// ring is the cell's boundary in longitude and latitude, into dst.
func (l *lattice) ring(g geo.Grid, c geo.CellID, dst [][2]float64) [][2]float64 {
	dst = dst[:0]
	for _, v := range g.Polygon(c) {
		lon, lat := l.inverse(v[0], v[1])
		dst = append(dst, [2]float64{lon, lat})
	}
	return dst
}
