package geo

import (
	"fmt"
	"math"
)

// Projection converts between WGS84 longitude/latitude (degrees) and a
// projected metric coordinate system (metres), identified by its EPSG SRID.
type Projection interface {
	// Forward takes WGS84 longitude and latitude in degrees and returns
	// easting and northing in metres.
	Forward(lon, lat float64) (x, y float64)
	// Inverse takes easting and northing in metres and returns WGS84
	// longitude and latitude in degrees.
	Inverse(x, y float64) (lon, lat float64)
	// SRID is the EPSG code of the projected system.
	SRID() int
}

// Ellipsoid is a reference ellipsoid given by its semi-major and semi-minor
// axes in metres.
type Ellipsoid struct{ A, B float64 }

// Ellipsoids used by the presets. Airy 1830 is the OS guide's Table 1 values;
// WGS84 and GRS80 are derived from their defining inverse flattening.
var (
	Airy1830 = Ellipsoid{A: 6377563.396, B: 6356256.909}
	WGS84    = ellipsoidFromFlattening(6378137, 298.257223563)
	GRS80    = ellipsoidFromFlattening(6378137, 298.257222101)
)

func ellipsoidFromFlattening(a, invf float64) Ellipsoid {
	return Ellipsoid{A: a, B: a * (1 - 1/invf)}
}

func (e Ellipsoid) e2() float64 { return (e.A*e.A - e.B*e.B) / (e.A * e.A) }

// Helmert is a 7-parameter similarity transformation from a local datum to
// WGS84 in the position-vector convention, with the same parameters and
// units as PROJ's +towgs84: translations in metres, rotations in arc-seconds,
// scale in parts per million. The zero value is the identity.
type Helmert struct {
	TX, TY, TZ float64 // metres
	RX, RY, RZ float64 // arc-seconds
	S          float64 // ppm
}

// OSGB36ToWGS84 is EPSG transformation 1314 ("OSGB36 to WGS 84 (6)"), the
// +towgs84 PROJ and PostGIS use for EPSG:27700 when the OSTN15 grid is not
// installed. It is good to about 2 m over Great Britain.
var OSGB36ToWGS84 = Helmert{
	TX: 446.448, TY: -125.157, TZ: 542.06,
	RX: 0.15, RY: 0.247, RZ: 0.842,
	S: -20.489,
}

const arcsec = math.Pi / (180 * 3600)

// toWGS84 applies the transformation to geocentric coordinates in the local
// datum. It is OS guide section 6.2's formula in PROJ's arrangement, which
// scales the rotation terms too; the two differ by under a millimetre.
func (h Helmert) toWGS84(x, y, z float64) (float64, float64, float64) {
	rx, ry, rz, s := h.RX*arcsec, h.RY*arcsec, h.RZ*arcsec, 1+h.S*1e-6
	return h.TX + s*(x-rz*y+ry*z),
		h.TY + s*(rz*x+y-rx*z),
		h.TZ + s*(-ry*x+rx*y+z)
}

// fromWGS84 is the reverse of toWGS84 computed as PROJ does for "+inv
// +proj=helmert": remove the translation, apply the transposed rotation
// matrix, divide by the scale.
func (h Helmert) fromWGS84(x, y, z float64) (float64, float64, float64) {
	rx, ry, rz, s := h.RX*arcsec, h.RY*arcsec, h.RZ*arcsec, 1+h.S*1e-6
	x, y, z = x-h.TX, y-h.TY, z-h.TZ
	return (x + rz*y - ry*z) / s,
		(-rz*x + y + rx*z) / s,
		(ry*x - rx*y + z) / s
}

// TransverseMercator is a Transverse Mercator projection on an ellipsoid, with
// an optional Helmert shift between WGS84 and the projection's datum. The
// series are those of the Ordnance Survey's "A guide to coordinate systems in
// Great Britain" (Annex C), accurate to about a millimetre within 3 to 4
// degrees of the central meridian and degrading beyond that.
type TransverseMercator struct {
	Ellipsoid Ellipsoid
	// Datum converts from the projection's datum to WGS84; nil means the
	// datum is WGS84 itself (or treated as such, like ETRS89).
	Datum *Helmert
	// F0 is the scale factor on the central meridian.
	F0 float64
	// Lat0 and Lon0 are the true origin in degrees.
	Lat0, Lon0 float64
	// E0 and N0 are the false easting and northing in metres.
	E0, N0 float64
	// EPSG is the SRID reported by SRID.
	EPSG int
}

// BNG is the British National Grid, EPSG:27700: Airy 1830 ellipsoid, OSGB36
// datum reached from WGS84 by OSGB36ToWGS84.
func BNG() *TransverseMercator {
	h := OSGB36ToWGS84
	return &TransverseMercator{
		Ellipsoid: Airy1830, Datum: &h,
		F0: 0.9996012717, Lat0: 49, Lon0: -2,
		E0: 400000, N0: -100000, EPSG: 27700,
	}
}

// ITM is Irish Transverse Mercator, EPSG:2157, on GRS80 with ETRS89 taken
// as WGS84 (as PROJ does with +towgs84=0,0,0).
func ITM() *TransverseMercator {
	return &TransverseMercator{
		Ellipsoid: GRS80,
		F0:        0.99982, Lat0: 53.5, Lon0: -8,
		E0: 600000, N0: 750000, EPSG: 2157,
	}
}

// UTM is zone 1..60 of Universal Transverse Mercator on WGS84: EPSG:326zz
// north of the equator, EPSG:327zz (false northing 10,000 km) south of it.
// It panics on a zone outside 1..60; ProjectionFor returns an error instead.
func UTM(zone int, north bool) *TransverseMercator {
	if zone < 1 || zone > 60 {
		panic(fmt.Sprintf("geo: UTM zone %d outside 1..60", zone))
	}
	p := &TransverseMercator{
		Ellipsoid: WGS84,
		F0:        0.9996, Lat0: 0, Lon0: float64(zone*6 - 183),
		E0: 500000, N0: 0, EPSG: 32600 + zone,
	}
	if !north {
		p.N0, p.EPSG = 10000000, 32700+zone
	}
	return p
}

// ProjectionFor returns the projection for an EPSG SRID: 27700, 2157,
// 32601–32660 or 32701–32760.
func ProjectionFor(srid int) (Projection, error) {
	switch {
	case srid == 27700:
		return BNG(), nil
	case srid == 2157:
		return ITM(), nil
	case srid >= 32601 && srid <= 32660:
		return UTM(srid-32600, true), nil
	case srid >= 32701 && srid <= 32760:
		return UTM(srid-32700, false), nil
	}
	return nil, fmt.Errorf("geo: no projection for SRID %d: %w", srid, ErrUnsupportedSRID)
}

// SRID implements Projection.
func (p *TransverseMercator) SRID() int { return p.EPSG }

const deg = math.Pi / 180

// Forward implements Projection.
func (p *TransverseMercator) Forward(lon, lat float64) (x, y float64) {
	if p.Datum != nil {
		lon, lat = p.datumFromWGS84(lon, lat)
	}
	return p.ProjectLocal(lon, lat)
}

// Inverse implements Projection.
func (p *TransverseMercator) Inverse(x, y float64) (lon, lat float64) {
	lon, lat = p.UnprojectLocal(x, y)
	if p.Datum != nil {
		lon, lat = p.datumToWGS84(lon, lat)
	}
	return lon, lat
}

// datumFromWGS84 moves a WGS84 point (height 0) to the local datum, dropping
// the resulting height exactly as PROJ does for two-dimensional input.
func (p *TransverseMercator) datumFromWGS84(lon, lat float64) (float64, float64) {
	x, y, z := toCartesian(WGS84, lon, lat)
	x, y, z = p.Datum.fromWGS84(x, y, z)
	return fromCartesian(p.Ellipsoid, x, y, z)
}

func (p *TransverseMercator) datumToWGS84(lon, lat float64) (float64, float64) {
	x, y, z := toCartesian(p.Ellipsoid, lon, lat)
	x, y, z = p.Datum.toWGS84(x, y, z)
	return fromCartesian(WGS84, x, y, z)
}

// toCartesian is OS guide B1 with ellipsoidal height 0.
func toCartesian(e Ellipsoid, lon, lat float64) (x, y, z float64) {
	phi, lam := lat*deg, lon*deg
	e2 := e.e2()
	sinPhi := math.Sin(phi)
	nu := e.A / math.Sqrt(1-e2*sinPhi*sinPhi)
	return nu * math.Cos(phi) * math.Cos(lam),
		nu * math.Cos(phi) * math.Sin(lam),
		(1 - e2) * nu * sinPhi
}

// fromCartesian is OS guide B2–B5: latitude by fixed-point iteration.
func fromCartesian(e Ellipsoid, x, y, z float64) (lon, lat float64) {
	e2 := e.e2()
	p := math.Hypot(x, y)
	phi := math.Atan2(z, p*(1-e2))
	for range 10 {
		s := math.Sin(phi)
		nu := e.A / math.Sqrt(1-e2*s*s)
		next := math.Atan2(z+e2*nu*s, p)
		done := math.Abs(next-phi) < 1e-14
		phi = next
		if done {
			break
		}
	}
	return math.Atan2(y, x) / deg, phi / deg
}

// meridionalArc is OS guide C3: the developed meridian distance M from the
// origin latitude, already multiplied by F0.
func (p *TransverseMercator) meridionalArc(phi float64) float64 {
	a, b := p.Ellipsoid.A, p.Ellipsoid.B
	n := (a - b) / (a + b)
	n2, n3 := n*n, n*n*n
	phi0 := p.Lat0 * deg
	dp, sp := phi-phi0, phi+phi0
	return b * p.F0 * ((1+n+1.25*n2+1.25*n3)*dp -
		(3*n+3*n2+21.0/8*n3)*math.Sin(dp)*math.Cos(sp) +
		(15.0/8*n2+15.0/8*n3)*math.Sin(2*dp)*math.Cos(2*sp) -
		35.0/24*n3*math.Sin(3*dp)*math.Cos(3*sp))
}

// radii returns ν, ρ and η² at latitude phi (OS guide C2), scaled by F0.
func (p *TransverseMercator) radii(phi float64) (nu, rho, eta2 float64) {
	a, e2 := p.Ellipsoid.A, p.Ellipsoid.e2()
	s := math.Sin(phi)
	w := 1 - e2*s*s
	nu = a * p.F0 / math.Sqrt(w)
	rho = a * p.F0 * (1 - e2) / (w * math.Sqrt(w))
	return nu, rho, nu/rho - 1
}

// ProjectLocal projects longitude and latitude in degrees on the
// projection's own datum (no Helmert shift) to easting and northing (OS
// guide C1–C4).
func (p *TransverseMercator) ProjectLocal(lon, lat float64) (e, n float64) {
	phi := lat * deg
	dl := (lon - p.Lon0) * deg
	// Keep the longitude difference in (-π, π] so a point just across the
	// antimeridian from a zone is not sent round the world.
	dl = math.Remainder(dl, 2*math.Pi)
	nu, rho, eta2 := p.radii(phi)
	sin, cos := math.Sincos(phi)
	tan := sin / cos
	t2, t4 := tan*tan, tan*tan*tan*tan
	c3, c5 := cos*cos*cos, cos*cos*cos*cos*cos

	i := p.meridionalArc(phi) + p.N0
	ii := nu / 2 * sin * cos
	iii := nu / 24 * sin * c3 * (5 - t2 + 9*eta2)
	iiia := nu / 720 * sin * c5 * (61 - 58*t2 + t4)
	iv := nu * cos
	v := nu / 6 * c3 * (nu/rho - t2)
	vi := nu / 120 * c5 * (5 - 18*t2 + t4 + 14*eta2 - 58*t2*eta2)

	dl2 := dl * dl
	n = i + dl2*(ii+dl2*(iii+dl2*iiia))
	e = p.E0 + dl*(iv+dl2*(v+dl2*vi))
	return e, n
}

// UnprojectLocal is the inverse of ProjectLocal (OS guide C6–C8): it
// returns longitude and latitude in degrees on the projection's own datum.
func (p *TransverseMercator) UnprojectLocal(e, n float64) (lon, lat float64) {
	a := p.Ellipsoid.A
	phi := (n-p.N0)/(a*p.F0) + p.Lat0*deg
	m := p.meridionalArc(phi)
	// The guide iterates until N−N0−M < 0.01 mm; iterating to 1e-9 m costs
	// one or two more rounds and removes that source of round-trip error.
	for range 50 {
		d := n - p.N0 - m
		if math.Abs(d) < 1e-9 {
			break
		}
		phi += d / (a * p.F0)
		m = p.meridionalArc(phi)
	}
	nu, rho, eta2 := p.radii(phi)
	tan := math.Tan(phi)
	t2 := tan * tan
	t4, t6 := t2*t2, t2*t2*t2
	sec := 1 / math.Cos(phi)
	nu3, nu5, nu7 := nu*nu*nu, nu*nu*nu*nu*nu, nu*nu*nu*nu*nu*nu*nu

	vii := tan / (2 * rho * nu)
	viii := tan / (24 * rho * nu3) * (5 + 3*t2 + eta2 - 9*t2*eta2)
	ix := tan / (720 * rho * nu5) * (61 + 90*t2 + 45*t4)
	x := sec / nu
	xi := sec / (6 * nu3) * (nu/rho + 2*t2)
	xii := sec / (120 * nu5) * (5 + 28*t2 + 24*t4)
	xiia := sec / (5040 * nu7) * (61 + 662*t2 + 1320*t4 + 720*t6)

	de := e - p.E0
	de2 := de * de
	lat = (phi - de2*(vii-de2*(viii-de2*ix))) / deg
	lon = p.Lon0 + de*(x-de2*(xi-de2*(xii-de2*xiia)))/deg
	return lon, lat
}
