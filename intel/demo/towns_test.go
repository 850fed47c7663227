package demo

import "testing"

// Every town centre must lie inside its own district, else its synthetic
// places could never be drawn there.
func TestTownsLieInTheirDistricts(t *testing.T) {
	ds, err := readAreas(districtsGeoJSON, "lad_code", "lad_name", "lad_code")
	if err != nil {
		t.Fatal(err)
	}
	for _, tw := range towns {
		var in []string
		for i := range ds {
			if ds[i].contains(tw.lon, tw.lat) {
				in = append(in, ds[i].code)
			}
		}
		if len(in) != 1 || in[0] != tw.district {
			t.Errorf("%s (%.4f, %.4f) lies in %v, want %s", tw.name, tw.lon, tw.lat, in, tw.district)
		}
	}
}
