package demo

// The six Cumbrian districts (until 2023).
const (
	allerdale     = "E07000026"
	barrow        = "E07000027"
	carlisle      = "E07000028"
	copeland      = "E07000029"
	eden          = "E07000030"
	southLakeland = "E07000031"
)

// districtCodes lists the districts in the Current Picture's column order.
var districtCodes = []string{allerdale, barrow, carlisle, copeland, eden, southLakeland}

// town is a real town centre (approximate, to a few hundred metres) around
// which synthetic places are drawn. size 1..5 sets how many places it gets
// and how much happens there; spread is the scatter, in metres, of its
// town-centre places.
type town struct {
	name     string
	district string
	lon, lat float64
	size     int
	spread   float64
	station  string // CRS code of its rail station, if any
}

var towns = []town{
	{"Carlisle", carlisle, -2.9340, 54.8935, 5, 450, "CAR"},
	{"Brampton", carlisle, -2.7335, 54.9408, 1, 200, "BMP"},
	{"Longtown", carlisle, -2.9700, 55.0085, 1, 180, ""},

	{"Workington", allerdale, -3.5470, 54.6427, 4, 400, "WKG"},
	{"Maryport", allerdale, -3.4935, 54.7135, 3, 300, "MRY"},
	{"Cockermouth", allerdale, -3.3620, 54.6625, 2, 250, ""},
	{"Keswick", allerdale, -3.1345, 54.6010, 2, 220, ""},
	{"Wigton", allerdale, -3.1610, 54.8245, 2, 220, "WGT"},
	{"Aspatria", allerdale, -3.3290, 54.7650, 1, 180, "ASP"},
	{"Silloth", allerdale, -3.3870, 54.8695, 1, 180, ""},

	{"Whitehaven", copeland, -3.5870, 54.5480, 4, 380, "WTH"},
	{"Egremont", copeland, -3.5295, 54.4820, 2, 220, ""},
	{"Cleator Moor", copeland, -3.5150, 54.5215, 2, 220, ""},
	{"Millom", copeland, -3.2715, 54.2110, 2, 220, "MLM"},
	{"Seascale", copeland, -3.4810, 54.3955, 1, 160, "SSC"},

	{"Barrow-in-Furness", barrow, -3.2270, 54.1150, 5, 450, "BIF"},
	{"Walney", barrow, -3.2540, 54.1075, 2, 250, ""},
	{"Dalton-in-Furness", barrow, -3.1825, 54.1550, 2, 220, "DLT"},
	{"Askam-in-Furness", barrow, -3.2050, 54.1885, 1, 160, "ASK"},

	{"Penrith", eden, -2.7525, 54.6645, 3, 320, "PNR"},
	{"Appleby-in-Westmorland", eden, -2.4890, 54.5775, 1, 180, "APP"},
	{"Kirkby Stephen", eden, -2.3490, 54.4720, 1, 160, "KSW"},
	{"Alston", eden, -2.4390, 54.8115, 1, 160, ""},

	{"Kendal", southLakeland, -2.7460, 54.3280, 4, 400, "KEN"},
	{"Ulverston", southLakeland, -3.0925, 54.1945, 3, 280, "ULV"},
	{"Windermere", southLakeland, -2.9050, 54.3785, 2, 250, "WDM"},
	{"Grange-over-Sands", southLakeland, -2.9110, 54.1920, 1, 180, "GOS"},
	{"Milnthorpe", southLakeland, -2.7700, 54.2270, 1, 160, ""},
	{"Kirkby Lonsdale", southLakeland, -2.6030, 54.2020, 1, 160, ""},
	{"Ambleside", southLakeland, -2.9620, 54.4320, 1, 180, ""},
}

func townIndex(name string) int {
	for i, t := range towns {
		if t.name == name {
			return i
		}
	}
	panic("demo: no town " + name)
}
