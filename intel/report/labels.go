package report

import (
	"slices"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// knownShortNames are the short forms partnerships print for districts
// whose official name is long, by ONS code, used when districts.short_name
// is not set: the slides print "Barrow" for Barrow-in-Furness.
var knownShortNames = map[string]string{
	"E07000027": "Barrow",
}

// cumbria are the codes of Cumbria's six districts (until 2023).
var cumbria = []string{"E07000026", "E07000027", "E07000028", "E07000029", "E07000030", "E07000031"}

// DefaultAreaName labels the whole-area column of an area with no
// area_name setting that is not Cumbria.
const DefaultAreaName = "All districts"

// DistrictLabel is a district's column label: its short_name, else a known
// short form of its code, else its name.
func DistrictLabel(d intel.ReportDistrict) string {
	if d.ShortName != nil && *d.ShortName != "" {
		return *d.ShortName
	}
	if s, ok := knownShortNames[d.Code]; ok {
		return s
	}
	return d.Name
}

// AreaLabel is the whole-area column's label: the area_name setting, else
// "Cumbria" when the districts are exactly Cumbria's six, else "All
// districts".
func AreaLabel(a intel.ReportArea) string {
	if a.Name != nil && *a.Name != "" {
		return *a.Name
	}
	codes := make([]string, len(a.Districts))
	for i, d := range a.Districts {
		codes[i] = d.Code
	}
	slices.Sort(codes)
	if slices.Equal(codes, cumbria) {
		return "Cumbria"
	}
	return DefaultAreaName
}

// Today is the current calendar day in the report time zone
// (Europe/London).
func Today(now time.Time) intel.Date {
	y, m, d := now.In(london).Date()
	return intel.NewDate(y, m, d)
}
