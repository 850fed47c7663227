package httpapi

import (
	"bytes"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/report"
)

// Report limits.
const (
	maxMissingDays   = 5*366 + 1
	maceTopPlaces    = 10
	maceNetworks     = 10
	maceLinksListed  = 200
	reportMinYear    = 1900
	reportMaxYear    = 2200
	formatJSON       = "json"
	formatCSV        = "csv"
	formatHTML       = "html"
	contentTypeCSV   = "text/csv; charset=utf-8"
	contentTypeHTML  = "text/html; charset=utf-8"
	intervalMonth    = "month"
	reportsDistrict  = "district"
	reportsFormat    = "format"
	reportsAsOf      = "as_of"
	reportsFrom      = "from"
	reportsTo        = "to"
	reportsInterval  = "interval"
	defaultTrendSpan = 12 // months
)

func (s *Server) reportRoutes(api fiber.Router) {
	api.Get("/reports/current-picture", s.longTimeout, s.currentPicture)
	api.Get("/reports/trend", s.longTimeout, s.reportTrend)
	api.Get("/reports/missing", s.longTimeout, s.missingReport)
	api.Get("/reports/mace", s.longTimeout, s.macePack)
}

// reportReader gates the reports: every role but admin (which has no
// business with children's data, even counted).
func reportReader(c *fiber.Ctx) (intel.Principal, error) {
	p := principal(c)
	if p.Role == intel.RoleAdmin {
		return p, forbidden
	}
	return p, nil
}

// disclosureRule is the one disclosure-control rule of every count shown to
// aggregate-only readers (CONTEXTMAP_DISCLOSURE_THRESHOLD, default 5).
func (s *Server) disclosureRule() geo.Rule {
	r := s.Config.Disclosure
	if r.Threshold <= 0 {
		r.Threshold = geo.DefaultThreshold
	}
	return r
}

// reportDate reads a date parameter (YYYY-MM-DD), def when absent.
func reportDate(c *fiber.Ctx, name string, def intel.Date) (intel.Date, error) {
	d, err := optDate(c, name)
	if err != nil {
		return def, err
	}
	if d == nil {
		return def, nil
	}
	if y := d.Year(); y < reportMinYear || y > reportMaxYear {
		return def, intel.Invalid(name, "must be a date between 1900 and 2200")
	}
	return *d, nil
}

// monthParam reads a month (YYYY-MM) or a date in it (YYYY-MM-DD).
func monthParam(c *fiber.Ctx, name string, def intel.Date) (intel.Date, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	layout := time.DateOnly
	if len(s) == len("2006-01") {
		layout = "2006-01"
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < reportMinYear || t.Year() > reportMaxYear {
		return def, intel.Invalid(name, "must be a month (YYYY-MM) or a date (YYYY-MM-DD) between 1900 and 2200")
	}
	return intel.Date{Time: t}, nil
}

// reportArea reads the area's districts and the district asked for ("" for
// the whole area), which must be one of them.
func (s *Server) reportArea(c *fiber.Ctx) (intel.ReportArea, string, error) {
	area, err := s.DB.ReportArea(c.UserContext())
	if err != nil {
		return area, "", err
	}
	d := query(c, reportsDistrict)
	if d == "" || slices.ContainsFunc(area.Districts, func(x intel.ReportDistrict) bool { return x.Code == d }) {
		return area, d, nil
	}
	return area, "", intel.Invalid(reportsDistrict, "is not a district of the area (see GET /api/v1/districts)")
}

func formatParam(c *fiber.Ctx, allowed ...string) (string, error) {
	f, err := oneOfParam(c, reportsFormat, allowed)
	if f == "" {
		f = formatJSON
	}
	return f, err
}

// sendReport writes a report in the format asked for. HTML gets its own
// Content-Security-Policy: its inline stylesheet and nothing else.
func sendReport(c *fiber.Ctx, format, filename string, v any, csv func(*bytes.Buffer) error, html func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	switch format {
	case formatCSV:
		if err := csv(&b); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, contentTypeCSV)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`.csv"`)
		return c.Send(b.Bytes())
	case formatHTML:
		if err := html(&b); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, contentTypeHTML)
		c.Set("Content-Security-Policy", report.ContentSecurityPolicy)
		return c.Send(b.Bytes())
	}
	return c.JSON(v)
}

func (s *Server) currentPicture(c *fiber.Ctx) error {
	p, err := reportReader(c)
	if err != nil {
		return err
	}
	now := time.Now()
	asOf, err := reportDate(c, reportsAsOf, report.Today(now))
	if err != nil {
		return err
	}
	format, err := formatParam(c, formatJSON, formatCSV, formatHTML)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	area, err := s.DB.ReportArea(ctx)
	if err != nil {
		return err
	}
	counts, err := s.DB.PictureCounts(ctx, []intel.Date{asOf})
	if err != nil {
		return err
	}
	pic, err := report.BuildPicture(area, counts, asOf, report.ViewFor(p, s.disclosureRule()), now)
	if err != nil {
		return err
	}
	return sendReport(c, format, "current-picture-"+asOf.String(), pic,
		func(b *bytes.Buffer) error { return pic.CSV(b) }, func(b *bytes.Buffer) error { return pic.HTML(b) })
}

func (s *Server) reportTrend(c *fiber.Ctx) error {
	p, err := reportReader(c)
	if err != nil {
		return err
	}
	now := time.Now()
	to, err := monthParam(c, reportsTo, report.Today(now))
	if err != nil {
		return err
	}
	from, err := monthParam(c, reportsFrom, to.AddMonths(-(defaultTrendSpan - 1)))
	if err != nil {
		return err
	}
	if _, err := oneOfParam(c, reportsInterval, []string{intervalMonth}); err != nil {
		return err
	}
	format, err := formatParam(c, formatJSON, formatCSV)
	if err != nil {
		return err
	}
	months := report.MonthEnds(from, to)
	switch {
	case len(months) == 0:
		return intel.Invalid(reportsFrom, "must not be after to")
	case len(months) > report.MaxTrendMonths:
		return intel.Invalid(reportsTo, "is more than 60 months after from: ask for at most 60 months")
	}
	ctx := c.UserContext()
	area, district, err := s.reportArea(c)
	if err != nil {
		return err
	}
	in := report.TrendInput{Area: area}
	if in.Counts, err = s.DB.PictureCounts(ctx, months); err != nil {
		return err
	}
	first := intel.NewDate(months[0].Year(), months[0].Month(), 1)
	if in.Episodes, err = s.DB.MissingEpisodes(ctx, first, months[len(months)-1]); err != nil {
		return err
	}
	if in.Links, err = s.DB.LinkReviewCounts(ctx, months, p.SeesAdults()); err != nil {
		return err
	}
	t, err := report.BuildTrend(in, from, to, district, report.ViewFor(p, s.disclosureRule()), now)
	if err != nil {
		return err
	}
	name := "trend-" + t.From.Format("2006-01") + "-" + t.To.Format("2006-01")
	return sendReport(c, format, name, t, func(b *bytes.Buffer) error { return t.CSV(b) }, nil)
}

func (s *Server) missingReport(c *fiber.Ctx) error {
	p, err := reportReader(c)
	if err != nil {
		return err
	}
	now := time.Now()
	to, err := reportDate(c, reportsTo, report.Today(now))
	if err != nil {
		return err
	}
	from, err := reportDate(c, reportsFrom, intel.Date{Time: to.AddMonths(-12).AddDate(0, 0, 1)})
	if err != nil {
		return err
	}
	switch {
	case from.After(to.Time):
		return intel.Invalid(reportsFrom, "must not be after to")
	case to.Sub(from.Time) > maxMissingDays*24*time.Hour:
		return intel.Invalid(reportsTo, "is more than five years after from")
	}
	format, err := formatParam(c, formatJSON, formatCSV, formatHTML)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	area, district, err := s.reportArea(c)
	if err != nil {
		return err
	}
	eps, err := s.DB.MissingEpisodes(ctx, from, to)
	if err != nil {
		return err
	}
	places, err := s.DB.PlaceRefs(ctx, p, report.FoundPlaceIDs(eps))
	if err != nil {
		return err
	}
	m, err := report.BuildMissing(area, eps, places, from, to, district, report.ViewFor(p, s.disclosureRule()), now)
	if err != nil {
		return err
	}
	return sendReport(c, format, "missing-"+from.String()+"-"+to.String(), m,
		func(b *bytes.Buffer) error { return m.CSV(b) }, func(b *bytes.Buffer) error { return m.HTML(b) })
}

// macePack is the agenda of a MACE meeting. Roles that read people get the
// lists of children, episodes and links (a person-level read: purpose
// stated, audited with the people listed); partners get the aggregate
// parts only. A district team gets its own districts' packs: another
// district answers 404, as an out-of-scope row would.
func (s *Server) macePack(c *fiber.Ctx) error {
	p, err := reportReader(c)
	if err != nil {
		return err
	}
	if p.PersonLevel() {
		if p, err = personRead(c); err != nil {
			return err
		}
	}
	now := time.Now()
	asOf, err := reportDate(c, reportsAsOf, report.Today(now))
	if err != nil {
		return err
	}
	format, err := formatParam(c, formatJSON, formatHTML)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	area, district, err := s.reportArea(c)
	if err != nil {
		return err
	}
	if p.Role == intel.RoleDistrict {
		switch {
		case district == "" && len(p.Districts) == 1:
			district = p.Districts[0]
		case district == "":
			return intel.Invalid(reportsDistrict, "is required: your token covers several districts")
		case !slices.Contains(p.Districts, district):
			return intel.NotFound("district")
		}
	}
	in := report.MACEInput{Area: area, PersonLevel: p.PersonLevel(), GroupsAndSpaces: p.PersonLevel(), NetworksStandsIn: true}
	if in.Counts, err = s.DB.PictureCounts(ctx, []intel.Date{asOf, asOf.AddMonths(-1)}); err != nil {
		return err
	}
	if in.Places, err = s.DB.TopPlaces(ctx, p, district, asOf, maceTopPlaces); err != nil {
		return err
	}
	if in.Networks, err = s.DB.MaceNetworks(ctx, p, district, asOf); err != nil {
		return err
	}
	in.Networks = in.Networks[:min(len(in.Networks), maceNetworks)]
	if in.Overdue, _, err = s.DB.OverdueChildren(ctx, p, district, asOf); err != nil {
		return err
	}
	if in.RHIs, in.RHICount, err = s.DB.OutstandingRHIs(ctx, p, district, asOf); err != nil {
		return err
	}
	listed := maceLinksListed
	if !p.PersonLevel() {
		listed = 0
	}
	if in.LinksDue, in.LinksDueCount, err = s.DB.LinksDue(ctx, p, district, asOf, listed); err != nil {
		return err
	}
	pack, err := report.BuildMACE(in, district, asOf, report.ViewFor(p, s.disclosureRule()), now)
	if err != nil {
		return err
	}
	if p.PersonLevel() {
		action := "read"
		if format == formatHTML {
			action = "export"
		}
		if err := s.audit(c, action, fiber.StatusOK, pack.PersonIDs()); err != nil {
			return err
		}
	}
	name := "mace-" + asOf.String()
	if district != "" {
		name += "-" + district
	}
	return sendReport(c, format, name, pack, nil, func(b *bytes.Buffer) error { return pack.HTML(b) })
}
