package hotspot

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/contextmap/contextmap/geo"
)

// WriteGeoJSON streams the map as a GeoJSON FeatureCollection: one Polygon
// feature per cell, in longitude/latitude (RFC 7946), with the collection's
// own members (method, grid, totals, disclosure...) written before the
// features. Memory stays flat in the number of cells: each feature is
// encoded and passed on before the next.
func (r *Result) WriteGeoJSON(w io.Writer, proj geo.Projection, members map[string]any) error {
	fw, err := geo.NewFeatureWriter(w, members)
	if err != nil {
		return err
	}
	lat := newLattice(proj)
	ring := make([][2]float64, 0, 7)
	var props, id []byte
	poly := geo.Polygon{nil}
	for i := range r.Cells {
		c := &r.Cells[i]
		ring = lat.ring(r.Spec.Grid, c.ID, ring)
		poly[0] = ring
		props = r.appendProps(props[:0], c)
		id = strconv.AppendInt(id[:0], int64(c.ID.I), 10)
		id = append(id, ':')
		id = strconv.AppendInt(id, int64(c.ID.J), 10)
		if err := fw.WriteFeature(string(id), poly, json.RawMessage(props)); err != nil {
			return err
		}
	}
	return fw.Close()
}

// appendProps writes a cell's properties as the caller may see them.
func (r *Result) appendProps(b []byte, c *Cell) []byte {
	s := r.Spec
	b = append(b, '{')
	if c.Suppressed {
		return append(b, `"suppressed":true,"controlled":true}`...)
	}
	first := true
	key := func(k string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":`...)
	}
	num := func(k string, v float64, format byte, prec int) {
		key(k)
		b = strconv.AppendFloat(b, v, format, prec, 64)
	}
	// The cell's own figures: on a count map (the cell passed
	// suppression), and on other maps for a cell the caller sees in full
	// (an aggregate-only caller sees a Gi* bin or density class alone).
	exact := !r.Controlled
	if s.Method == MethodCount || exact || (c.Full && c.Events > 0) {
		key("events")
		b = strconv.AppendInt(b, int64(c.Events), 10)
		if s.People {
			key("people")
			b = strconv.AppendInt(b, int64(c.People), 10)
		}
		if s.Weighted() {
			num("score", c.Score, 'f', 3)
		}
	}
	switch s.Method {
	case MethodGiStar:
		if r.GiStar != nil {
			if exact {
				num("value", c.Value, 'g', -1)
				num("z", c.Z, 'f', 4)
				num("p", c.P, 'g', 4)
				num("q", c.Q, 'g', 4)
			}
			key("gi_bin")
			b = strconv.AppendInt(b, int64(c.Bin), 10)
		}
	case MethodKDE:
		if exact {
			num("density", c.Density, 'g', 6)
		}
		key("class")
		b = strconv.AppendInt(b, int64(c.Class), 10)
	}
	if !c.Full {
		key("controlled")
		b = append(b, "true"...)
	}
	return append(b, '}')
}
