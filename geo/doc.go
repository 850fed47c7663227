// Package geo is contextmap's spatial analysis: projections, grids,
// hotspot statistics, time tables, disclosure control and GeoJSON output.
// It is pure computation (no database, no I/O beyond an io.Writer) and is
// tested without a database.
//
// # Units
//
// Longitude and latitude are WGS84 degrees, always in [lon, lat] order.
// Projected coordinates are metres in the projection's EPSG system. Cell
// areas are m²; densities are per km². Probabilities and shares are
// fractions in [0, 1], never percentages.
//
// # Projections
//
// TransverseMercator implements Projection with the Ordnance Survey's
// series ("A guide to coordinate systems in Great Britain", Annex C) on an
// ellipsoid, reached from WGS84 by an optional 7-parameter Helmert
// transformation in the position-vector convention (as PROJ's +towgs84).
// BNG is EPSG:27700 (Airy 1830, OSGB36 by EPSG transformation 1314, about
// 2 m; the definitive OSTN15 grid is not used). ITM is EPSG:2157 (GRS80,
// ETRS89 taken as WGS84). UTM(zone, north) is EPSG:326zz/327zz.
// ProjectionFor maps an SRID to one of these.
//
// # Grids
//
// A Grid tiles the projected plane from its origin; CellID is (I, J).
//
//   - SquareGrid of side s: cell (⌊x/s⌋, ⌊y/s⌋), the same binning as SQL's
//     floor(x/size). Cells are half-open: a point on an edge belongs to the
//     cell above or to the right. Neighbours are the 8 around (queen).
//   - HexGrid of size s: s is the width across flats, i.e. the distance
//     between neighbouring centres; the edge length (circumradius) is s/√3
//     and the area (√3/2)·s². Cells are axial (q, r); pointy-top centres are
//     (s·(q + r/2), s·(√3/2)·r), flat-top centres ((√3/2)·s·q, s·(r + q/2)).
//     A point belongs to the hexagon with the nearest centre (cube
//     rounding); on a boundary, to the highest then rightmost of the tied
//     cells. Neighbours are the 6 sharing an edge. PostGIS's
//     ST_HexagonGrid(size) is flat-top with size = edge length = s/√3.
//
// Polygon rings are closed and counter-clockwise. CellsInRect and
// CountInRect select cells by centre in a closed rectangle (the usual
// study area).
//
// # Getis-Ord Gi*
//
// GiStar computes, for a study area of n cells of which the given ones are
// non-zero, Gi*_i = (Σ_j w_ij x_j − X̄·W) / (S·√((n·W − W²)/(n − 1))) with
// X̄ = Σx/n, S = √(Σx²/n − X̄²) and binary weights over the cell and its grid
// neighbours (W = 9 for squares, 7 for hexagons). The study area is treated
// as having no edge: every cell gets the full neighbourhood, so it must
// contain every non-zero cell's neighbours. P is the two-sided normal
// p-value; Q the Benjamini–Hochberg adjusted p-value over all n cells;
// Bin is ±3/±2/±1 for Q ≤ 0.01/0.05/0.10 (ArcGIS's Gi_Bin with FDR). Cells
// whose whole neighbourhood is zero are not listed; they share one result,
// GiStarResult.Background.
//
// # Kernel density
//
// KDE evaluates, at each cell centre within h of an event, Σ w_i·K(d_i)
// with the quartic kernel K(d) = 3/(π·h²)·(1 − d²/h²)² for d < h, in
// events per km². The default bandwidth h is the mean distance from each
// event to its k-th nearest other event (k = DefaultKNN = 5); KDEResult
// reports the h used.
//
// # Predictive Accuracy Index
//
// PAI flags the top share of study-area cells by training score (ties at
// the threshold all flagged, only positive scores eligible) and returns
// hit rate (share of test events in flagged cells), area share (flagged
// cells ÷ n) and PAI = hit rate ÷ area share.
//
// # Aoristic tables
//
// WeekHours is a 7 × 24 table, Monday first, local clock hours. Add
// spreads an event's window [start, end] over it in proportion to the real
// time spent in each local hour (Europe/London by default, zone data
// embedded); an instant gives its hour weight 1; a window of a week or more
// is spread evenly (1/168 each).
//
// # Disclosure control
//
// A Rule hides counts of distinct young people c with 0 < c < Threshold
// (default 5: counts 1–4). SuppressCells applies it to map cells, which keep
// their geometry and are flagged suppressed. SuppressTable applies it to a
// table and its row, column and grand totals, then adds secondary
// suppressions until no hidden entry can be derived exactly from the
// published ones (no row or column with a single hidden entry, and no
// hidden entry that is a bridge in the row–column graph of hidden entries).
// Rule.Round, if above 1, rounds shown totals to that multiple.
//
// # GeoJSON
//
// FeatureWriter streams a FeatureCollection (RFC 7946) to an io.Writer
// with bounded memory: coordinates [lon, lat] with at most 6 decimals,
// rings closed, exterior rings counter-clockwise and holes clockwise,
// positions outside the longitude/latitude ranges refused. CellLonLat turns
// a grid cell into a longitude/latitude ring for it.
package geo
