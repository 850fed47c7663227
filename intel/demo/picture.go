package demo

import (
	"fmt"

	"github.com/contextmap/contextmap/intel"
)

// PictureDate is the date of the slides' Current Picture, which the demo's
// histories reproduce exactly.
func PictureDate() intel.Date { return intel.NewDate(2020, 12, 31) }

// The slides' Current Picture (31 Dec 2020) as printed: the Cumbria column
// first, then one column per district in districtCodes order. Rows follow
// intel.Categories and intel.Statuses.
//
// The slides' district columns add up to 59 children, their Cumbria column
// to 60: one child (other exploitation, case not open, assessment overdue)
// is counted for the county and in no district. The demo reproduces that
// child with no district recorded (people.district NULL), so a report that
// counts the county column over all children, and each district column over
// that district's, gets the slides' table cell for cell.
var (
	pictureCategories = [4][7]int{
		{26, 8, 6, 7, 2, 2, 1},  // cse1
		{10, 2, 3, 3, 0, 0, 2},  // cse2
		{2, 0, 1, 1, 0, 0, 0},   // cse3
		{22, 4, 10, 2, 2, 0, 3}, // other
	}
	pictureStatuses = [6][7]int{
		{10, 3, 2, 4, 0, 1, 0}, // early_help
		{4, 1, 1, 1, 0, 0, 1},  // open_case
		{12, 3, 4, 2, 1, 0, 2}, // cin_plan
		{15, 5, 5, 1, 3, 0, 1}, // cp
		{17, 1, 8, 5, 0, 1, 2}, // cla
		{2, 1, 0, 0, 0, 0, 0},  // not_open
	}
	pictureUpToDate = [7]int{20, 4, 10, 5, 0, 0, 1}
)

// pictureColumns returns the table's columns as the generator needs them:
// one per district, then one for children counted only in the county column
// (district ""), each a count per category, per status, and up to date.
func pictureColumns() (districts []string, cats [][4]int, stats [][6]int, upToDate []int, err error) {
	if len(intel.Categories) != len(pictureCategories) || len(intel.Statuses) != len(pictureStatuses) {
		return nil, nil, nil, nil, fmt.Errorf("the Current Picture's rows do not match the domain's categories and statuses")
	}
	districts = append(append(districts, districtCodes...), "")
	cats, stats, upToDate = make([][4]int, 7), make([][6]int, 7), make([]int, 7)
	// Printed column 0 is Cumbria; the remainder after the six districts
	// is the county-only column.
	for i, row := range pictureCategories {
		cats[6][i] = row[0]
		for j := range 6 {
			cats[j][i] = row[j+1]
			cats[6][i] -= row[j+1]
		}
	}
	for i, row := range pictureStatuses {
		stats[6][i] = row[0]
		for j := range 6 {
			stats[j][i] = row[j+1]
			stats[6][i] -= row[j+1]
		}
	}
	upToDate[6] = pictureUpToDate[0]
	for j := range 6 {
		upToDate[j] = pictureUpToDate[j+1]
		upToDate[6] -= pictureUpToDate[j+1]
	}
	for j, d := range districts {
		nc, ns := 0, 0
		for _, n := range cats[j] {
			nc += n
			if n < 0 {
				return nil, nil, nil, nil, fmt.Errorf("the Current Picture's districts add up to more than Cumbria")
			}
		}
		for _, n := range stats[j] {
			ns += n
			if n < 0 {
				return nil, nil, nil, nil, fmt.Errorf("the Current Picture's districts add up to more than Cumbria")
			}
		}
		if nc != ns || upToDate[j] < 0 || upToDate[j] > nc {
			return nil, nil, nil, nil, fmt.Errorf("the Current Picture's column for %q does not add up: %d categorised, %d with a status, %d up to date",
				d, nc, ns, upToDate[j])
		}
	}
	return districts, cats, stats, upToDate, nil
}
