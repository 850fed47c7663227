package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func dms(d, m, s float64) float64 { return d + m/60 + s/3600 }

// The Ordnance Survey's "A guide to coordinate systems in Great Britain",
// Annex C, works one example on the Airy ellipsoid with the National Grid
// constants: latitude 52°39′27.2531″N, longitude 1°43′4.5177″E (OSGB36)
// gives E 651409.903 m, N 313177.270 m, and the inverse example takes that
// E, N back to the same latitude and longitude. The guide prints E, N to the
// millimetre and angles to 0.0001″ (about 3 mm), so those are the tolerances.
// (PROJ's cs2cs, whose tmerc uses a different series, gives 651409.9029,
// 313177.2703 for the same input.)
func TestOSGuideWorkedExample(t *testing.T) {
	p := BNG()
	lat, lon := dms(52, 39, 27.2531), dms(1, 43, 4.5177)

	e, n := p.ProjectLocal(lon, lat)
	if math.Abs(e-651409.903) > 0.0005 || math.Abs(n-313177.270) > 0.0005 {
		t.Errorf("ProjectLocal = (%.4f, %.4f), want (651409.903, 313177.270)", e, n)
	}

	gotLon, gotLat := p.UnprojectLocal(651409.903, 313177.270)
	if d := math.Abs(gotLat-lat) * 3600; d > 0.0001 {
		t.Errorf("latitude off by %.6f″ (got %.9f°)", d, gotLat)
	}
	if d := math.Abs(gotLon-lon) * 3600; d > 0.0001 {
		t.Errorf("longitude off by %.6f″ (got %.9f°)", d, gotLon)
	}
}

// Reference values from PostGIS 3.3.2 with PROJ 9.1.1 on this machine,
// obtained once from a throwaway cluster with
//
//	SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(
//	  ST_SetSRID(ST_MakePoint(lon, lat), 4326), srid) g) t;
//
// This PROJ has no OSTN15 grid installed, so for 27700 it chose "Inverse of
// OSGB36 to WGS 84 (6) + British National Grid" (projinfo -s EPSG:4326 -t
// EPSG:27700 lists that pipeline first): the same Helmert parameters as
// BNG(), but PROJ's own tmerc algorithm (Poder/Engsager), so agreement to
// about a millimetre checks both the datum shift and the series. cs2cs
// EPSG:4326 EPSG:27700 gives the same Carlisle figures.
func TestForwardMatchesPostGIS(t *testing.T) {
	cases := []struct {
		name     string
		srid     int
		lon, lat float64
		x, y     float64
	}{
		{"Carlisle BNG", 27700, -2.9330, 54.8925, 340255.0304, 555705.6614},
		{"Barrow BNG", 27700, -3.2275, 54.1108, 319848.9822, 469021.4089},
		{"London BNG", 27700, -0.1276, 51.5072, 530043.1950, 180358.2086},
		{"Lerwick BNG", 27700, -1.1450, 60.1550, 447567.4176, 1141475.5938},
		{"Dublin ITM", 2157, -6.2603, 53.3498, 715826.5066, 734697.5926},
		{"Carlisle UTM 30N", 32630, -2.9330, 54.8925, 504297.3424, 6082831.0903},
		{"Sydney UTM 56S", 32756, 151.2093, -33.8688, 334368.6336, 6250948.3454},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ProjectionFor(c.srid)
			if err != nil {
				t.Fatal(err)
			}
			if p.SRID() != c.srid {
				t.Errorf("SRID() = %d, want %d", p.SRID(), c.srid)
			}
			x, y := p.Forward(c.lon, c.lat)
			if d := math.Hypot(x-c.x, y-c.y); d > 0.005 {
				t.Errorf("Forward = (%.4f, %.4f), PostGIS (%.4f, %.4f): %.4f m apart", x, y, c.x, c.y, d)
			}
		})
	}

	// And one inverse, same source: ST_Transform(ST_SetSRID(
	// ST_MakePoint(340000,555000),27700),4326) = (-2.936828337, 54.886128947)
	// printed to 1e-9°. We agree to about 2e-9° (0.2 mm); the tolerance is
	// 1e-8° (about 1 mm).
	lon, lat := BNG().Inverse(340000, 555000)
	if math.Abs(lon+2.936828337) > 1e-8 || math.Abs(lat-54.886128947) > 1e-8 {
		t.Errorf("Inverse(340000, 555000) = (%.9f, %.9f), PostGIS (-2.936828337, 54.886128947)", lon, lat)
	}
}

// Ordnance Survey's OSTN15 test vectors (OSTN15_TestInput_ETRStoOSGB.txt and
// OSTN15_TestOutput_ETRStoOSGB.txt in the OS developer pack, quoted
// identically by several public projects): ETRS89 latitude/longitude and the
// National Grid E/N that the definitive OSTN15 transformation gives. TP24
// is in Carlisle. BNG() uses the 7-parameter Helmert, which the EPSG
// registry rates at about 2 m over Great Britain, so it must land within
// 5 m of the OS answer. ETRS89 is taken as WGS84, as EPSG:1314 does.
func TestForwardNearOSTN15(t *testing.T) {
	cases := []struct {
		tp       string
		lat, lon float64
		e, n     float64
	}{
		{"TP24 Carlisle", 54.89542340420, -2.93827741149, 339921.145, 556034.761},
		{"TP01 Scilly", 49.92226393730, -6.29977752014, 91492.146, 11318.804},
		{"TP09 London", 51.48936564950, -0.11992557180, 530624.974, 178388.464},
		{"TP20 Leeds", 53.80021519630, -1.66379168242, 422242.186, 433818.701},
		{"TP19 Blackpool", 53.77911025760, -3.04045490691, 331534.564, 431920.794},
		{"TP40 Shetland", 60.13308091660, -2.07382822798, 395999.668, 1138728.951},
		{"TP07 Kent", 51.37447025550, 1.44454730409, 639821.835, 169565.858},
	}
	p := BNG()
	for _, c := range cases {
		e, n := p.Forward(c.lon, c.lat)
		if d := math.Hypot(e-c.e, n-c.n); d > 5 {
			t.Errorf("%s: Forward = (%.3f, %.3f), OSTN15 (%.3f, %.3f): %.2f m apart", c.tp, e, n, c.e, c.n, d)
		}
	}
}

// Forward then Inverse must give back the input to 1e-6° (about 0.1 m)
// everywhere a projection is meant to be used. Measured: about 1e-8° for BNG
// near the central meridian (the datum shift drops the ellipsoidal height
// each way, as PROJ does for 2D points, which costs under a millimetre), up
// to 7e-8° at 8.7°W where the OS series themselves start to drift, and
// about 1e-9° for the shift-free UTM and ITM.
func TestRoundTrip(t *testing.T) {
	type area struct {
		p                      Projection
		minLon, maxLon, minLat float64
		maxLat                 float64
	}
	areas := []area{
		{BNG(), -8.7, 1.8, 49.8, 60.9},
		{ITM(), -10.7, -5.4, 51.3, 55.5},
		{UTM(30, true), -6, 0, 0, 84},
		{UTM(56, false), 150, 156, -80, 0},
		{UTM(1, true), -180, -174, 30, 70},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range areas {
		worst := 0.0
		for range 5000 {
			lon := a.minLon + rng.Float64()*(a.maxLon-a.minLon)
			lat := a.minLat + rng.Float64()*(a.maxLat-a.minLat)
			x, y := a.p.Forward(lon, lat)
			lon2, lat2 := a.p.Inverse(x, y)
			d := math.Max(math.Abs(math.Remainder(lon2-lon, 360)), math.Abs(lat2-lat))
			worst = math.Max(worst, d)
			if d > 1e-6 {
				t.Fatalf("SRID %d: (%.9f, %.9f) → (%.3f, %.3f) → (%.9f, %.9f)", a.p.SRID(), lon, lat, x, y, lon2, lat2)
			}
		}
		t.Logf("SRID %d: worst round-trip error %.2g°", a.p.SRID(), worst)
	}
}

// Properties that follow from the definitions without any series: the true
// origin maps to (E0, N0 + arc length from Lat0 to itself = 0) and points on
// the central meridian have easting E0; UTM's origin is the equator.
func TestOriginAndCentralMeridian(t *testing.T) {
	x, y := BNG().ProjectLocal(-2, 49)
	if math.Abs(x-400000) > 1e-6 || math.Abs(y+100000) > 1e-6 {
		t.Errorf("BNG true origin → (%.6f, %.6f), want (400000, -100000)", x, y)
	}
	x, y = UTM(31, true).Forward(3, 0)
	if math.Abs(x-500000) > 1e-6 || math.Abs(y) > 1e-6 {
		t.Errorf("UTM 31N (3°E, 0°) → (%.6f, %.6f), want (500000, 0)", x, y)
	}
	x, _ = ITM().Forward(-8, 54.2)
	if math.Abs(x-600000) > 1e-6 {
		t.Errorf("ITM central meridian easting %.6f, want 600000", x)
	}
}

func TestProjectionForRejectsUnknown(t *testing.T) {
	for _, srid := range []int{0, 4326, 3857, 32600, 32661, 32700, 32761} {
		if _, err := ProjectionFor(srid); !errors.Is(err, ErrUnsupportedSRID) {
			t.Errorf("ProjectionFor(%d) error = %v, want ErrUnsupportedSRID", srid, err)
		}
	}
	for _, srid := range []int{32601, 32660, 32701, 32760} {
		if _, err := ProjectionFor(srid); err != nil {
			t.Errorf("ProjectionFor(%d): %v", srid, err)
		}
	}
}
