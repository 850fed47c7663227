package report

// The definitions behind the figures, printed as footnotes of the HTML
// reports, returned in the JSON, and copied word for word into README.md
// and docs/REPORTS.md (a test keeps them equal).

// PictureDefinitions define the Current Picture.
var PictureDefinitions = []string{
	"A child counts on the report date (as_of) when an exploitation category applies to them on that date: " +
		"a category period that started on or before as_of and had not ended by it (periods run from their " +
		"start date, inclusive, to their end date, exclusive; no end date means still in force).",
	"Category and case status are those in force on as_of, from the histories. A counted child with no " +
		"status in force is shown in a \"Status not recorded\" row, printed only when there is such a child, " +
		"so the category and status blocks add up to the same Total.",
	"The area column counts every counted child, including children with no district recorded; a district " +
		"column counts the children recorded in that district. The districts can therefore add up to less " +
		"than the area.",
	"Up to date: the latest risk assessment completed on or before as_of was completed after as_of minus one " +
		"calendar month (exclusive) and on or before as_of (inclusive). One month before 31 December is " +
		"30 November, so an assessment on 1 December is up to date and one on 30 November is not; one month " +
		"before 31 March is 28 or 29 February. Otherwise overdue, including a child never assessed.",
	"% up to date = up to date / Total x 100, rounded half up to one decimal; \"-\" when a column has no children.",
}

// MissingDefinitions define the missing-episode figures.
var MissingDefinitions = []string{
	"A missing episode is an event of kind missing_episode; its district is the event's district (where " +
		"the child was last seen). Days are calendar days in Europe/London.",
	"Episodes: episodes reported (the event's start) in the period. Children: distinct young people in " +
		"them. Repeat missing: children reported missing more than once in the period (in that district, " +
		"for a district's figure).",
	"Return home interview within 72 hours: of the episodes whose child was found (found_at) in the " +
		"period, those with a return home interview (rhi_at) no more than 72 hours after found_at. The " +
		"denominator is every episode found in the period, interviewed or not.",
	"Top found-at places: the places where children were found (found_place_id) in episodes found in the " +
		"period, by number of episodes.",
}

// TrendDefinitions define the monthly series.
var TrendDefinitions = []string{
	"Each month is measured on its last day: the Current Picture's figures as of that day; missing " +
		"episodes reported in the month and return home interviews of episodes found in the month, as " +
		"for the missing-episode report; links due for review on that day.",
	"Links due for review: links first seen on or before the day whose review date is on or before it, " +
		"in the area or touching the district (either end is a person, place, group or space of the " +
		"district). Review dates are kept as they are now, not as they were: a link reviewed since then " +
		"counts as not due.",
}

// MACEDefinitions define the MACE pack's sections.
var MACEDefinitions = []string{
	"The district's Current Picture column on as_of (the area's, for the whole area's pack), and its change " +
		"since one calendar month before.",
	"Top places: places of the district by events there (at the place or found there) in the three " +
		"calendar months to as_of, then by distinct young people in those events, then by the most recent; " +
		"with the links to the place seen in the twelve months to as_of and the grades of both. Events and " +
		"links of adults of concern count only for roles that see adults of concern.",
	"Networks: two young people are joined when they share at least two places, peer groups or online " +
		"spaces (a school they attend does not count) through links seen in the twelve months to as_of; a " +
		"network is a group of young people so joined, with the contexts two or more of them share. Networks " +
		"with a member or shared context in the district are listed, largest first. A stand-in computed from " +
		"links until stored networks exist.",
	"Overdue risk assessments: children counted in the district's column on as_of whose risk assessment " +
		"is overdue, never assessed first, then longest overdue.",
	"Outstanding return home interviews: episodes of the district whose child was found in the three " +
		"calendar months to as_of with no return home interview on or before as_of.",
	"Links due for review: links touching the district, first seen on or before as_of, whose review date " +
		"is on or before as_of.",
}
