package httpapi

import (
	"bufio"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/network"
	"github.com/contextmap/contextmap/intel/postgres"
)

// networkRoutes registers the association map, the networks and place
// profiles (docs/NETWORKS.md).
func (s *Server) networkRoutes(api fiber.Router) {
	api.Get("/maps/associations", s.associationMap)
	api.Get("/networks", s.listNetworks)
	api.Get("/networks/:id", s.getNetwork)
	api.Get("/networks/:id/graph", s.networkGraph)
	api.Get("/places/:id/profile", s.placeProfile)
}

// disclosureThreshold is the disclosure control threshold for counts of
// young people shown to callers who may see them only as aggregates.
func (s *Server) disclosureThreshold() int { return s.disclosureRule().Threshold }

// linkSelection reads the parameters that choose links: kinds (a comma
// list of allowed), from and to (dates; links whose first..last seen
// overlaps), min_grade (e.g. 2B: source 1–2 and assessment A–B),
// exclude_e, confirmed (true: confirmed only) and include_review_due
// (analysts and police only).
func linkSelection(c *fiber.Ctx, allowed []string) (postgres.LinkSelection, error) {
	var sel postgres.LinkSelection
	if k := query(c, "kinds"); k != "" {
		for _, v := range strings.Split(k, ",") {
			v = strings.TrimSpace(v)
			if !slices.Contains(allowed, v) {
				return sel, intel.Invalid("kinds", "must be a comma-separated list of "+strings.Join(allowed, ", "))
			}
			if !slices.Contains(sel.Kinds, v) {
				sel.Kinds = append(sel.Kinds, v)
			}
		}
	}
	var err error
	if sel.From, err = optDate(c, "from"); err != nil {
		return sel, err
	}
	if sel.To, err = optDate(c, "to"); err != nil {
		return sel, err
	}
	if sel.From != nil && sel.To != nil && sel.To.Before(sel.From.Time) {
		return sel, intel.Invalid("to", "is before from")
	}
	if g := c.Query("min_grade"); g != "" {
		mg, err := intel.ParseGrade(g + "P")
		if err != nil || len(g) != 2 {
			return sel, intel.Invalid("min_grade", "must be a source evaluation and assessment such as 2B")
		}
		sel.MinGrade = &mg
	}
	for name, dst := range map[string]*bool{"exclude_e": &sel.ExcludeE, "confirmed": &sel.ConfirmedOnly,
		"include_review_due": &sel.IncludeReviewDue} {
		b, err := optBool(c, name)
		if err != nil {
			return sel, err
		}
		if b != nil {
			*dst = *b
		}
	}
	if sel.IncludeReviewDue {
		if r := principal(c).Role; r != intel.RoleAnalyst && r != intel.RolePolice {
			return sel, intel.Errorf(intel.EFORBIDDEN, "include_review_due: only analysts and police may include links past their review date")
		}
	}
	return sel, nil
}

func optPositive(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, intel.Invalid(name, "must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
	}
	return n, nil
}

// knownDistrict refuses a district code that is not one of the area's.
func (s *Server) knownDistrict(c *fiber.Ctx, name string) (string, error) {
	d := query(c, name)
	if d == "" {
		return "", nil
	}
	ds, err := s.DB.ListDistricts(c.UserContext(), false)
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(ds, func(x intel.District) bool { return x.Code == d }) {
		return "", intel.Invalid(name, "is not a district of this area (see GET /api/v1/districts)")
	}
	return d, nil
}

// associationMap serves GET /maps/associations as GeoJSON: place nodes,
// peer groups and online spaces at derived positions, and edges.
func (s *Server) associationMap(c *fiber.Ctx) error {
	pr := principal(c)
	var f postgres.AssocFilter
	var err error
	if f.BBox, err = parseBBox(c.Query("bbox")); err != nil {
		return err
	}
	f.District = query(c, "district") // checked by the store, in the same round trip
	if f.Links, err = linkSelection(c, postgres.AssocLinkKinds); err != nil {
		return err
	}
	if f.MinWeight, err = optPositive(c, "min_weight", 1, 1, 1000000); err != nil {
		return err
	}
	f.Threshold = s.disclosureThreshold()
	m, err := s.DB.AssociationMap(c.UserContext(), pr, f)
	if err != nil {
		return err
	}
	selection := map[string]any{"district": nilIfEmpty(f.District), "bbox": f.BBox, "from": f.Links.From, "to": f.Links.To,
		"kinds": f.Links.Kinds, "min_grade": gradeParam(f.Links.MinGrade), "exclude_e": f.Links.ExcludeE,
		"confirmed": f.Links.ConfirmedOnly, "include_review_due": f.Links.IncludeReviewDue, "min_weight": f.MinWeight}
	head := map[string]any{
		"selection": selection,
		"method": map[string]any{
			"place_place": "two places share a young person with a selected link (frequents, last_seen_at, found_at, attends) to both, " +
				"or a peer group at both (congregates_at, or a member with a selected link there); people and groups count distinct ones",
			"derived":  "peer groups and online spaces sit at the weighted centre of the places they reach; derived: true",
			"grading":  "strongest/weakest: intelligence assessment first, then source evaluation; dashed when any link behind is unconfirmed or graded E",
			"position": "points as they are; polygons at their centroid; sensitive places the caller may not see exactly at their 1 km square's centre",
		},
		"disclosure": map[string]any{"threshold": f.Threshold, "applies_to": disclosureScope(pr),
			"edges_withheld": m.DroppedEdges},
	}
	c.Set(fiber.HeaderContentType, "application/geo+json")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		fw, err := geo.NewFeatureWriter(w, head)
		if err != nil {
			return
		}
		pos := map[int64][2]float64{}
		for _, p := range m.Places {
			pos[p.ID] = [2]float64{p.Lon, p.Lat}
			props := struct {
				Feature string `json:"feature"`
				intel.AssocPlace
			}{"place", p}
			if fw.WriteFeature("place-"+strconv.FormatInt(p.ID, 10), geo.Point{p.Lon, p.Lat}, props) != nil {
				return
			}
		}
		for _, d := range m.Derived {
			pos[d.ID] = [2]float64{d.Lon, d.Lat}
			props := struct {
				Feature string `json:"feature"`
				intel.AssocDerived
			}{d.Type, d}
			if fw.WriteFeature(d.Type+"-"+strconv.FormatInt(d.ID, 10), geo.Point{d.Lon, d.Lat}, props) != nil {
				return
			}
		}
		for _, e := range m.Edges {
			props := struct {
				Feature string `json:"feature"`
				intel.AssocEdge
			}{"edge", e}
			id := "edge-" + strconv.FormatInt(e.Source, 10) + "-" + strconv.FormatInt(e.Target, 10)
			if fw.WriteFeature(id, lineString(pos[e.Source], pos[e.Target]), props) != nil {
				return
			}
		}
		_ = fw.CloseWith(map[string]any{"numberReturned": fw.Count(), "places": len(m.Places), "derived": len(m.Derived),
			"edges": len(m.Edges)})
		_ = w.Flush()
	})
	return nil
}

func disclosureScope(pr intel.Principal) string {
	switch {
	case !pr.PersonLevel():
		return "all counts"
	case pr.Scope() != nil:
		return "places outside the caller's districts"
	}
	return "none"
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func gradeParam(g *intel.Grade) any {
	if g == nil {
		return nil
	}
	return string([]byte{g.Source, g.Assessment})
}

// lineString is a GeoJSON LineString of two positions.
func lineString(a, b [2]float64) geo.RawGeometry {
	buf := []byte(`{"type":"LineString","coordinates":[[`)
	buf = geo.AppendCoord(buf, a[0])
	buf = append(buf, ',')
	buf = geo.AppendCoord(buf, a[1])
	buf = append(buf, "],["...)
	buf = geo.AppendCoord(buf, b[0])
	buf = append(buf, ',')
	buf = geo.AppendCoord(buf, b[1])
	return append(buf, "]]}"...)
}

var networkID = regexp.MustCompile(`^(component|community)-[1-9][0-9]{0,17}$`)

func networkParam(c *fiber.Ctx) (string, error) {
	id := strings.Clone(c.Params("id"))
	if !networkID.MatchString(id) {
		return "", intel.NotFound("network")
	}
	return id, nil
}

// discloseSize hides, for callers who may see networks only as
// aggregates, an adults-of-concern count below the threshold (young people
// are never below it: such networks are withheld), and then the total.
func discloseSize(n *intel.Network, threshold int) {
	rule := geo.Rule{Threshold: threshold}
	if a := n.Size.AdultsOfConcern; a != nil && rule.Suppressed(*a) {
		n.Size.AdultsOfConcern, n.Size.Total = nil, nil
		n.Size.Suppressed = append(n.Size.Suppressed, "adults_of_concern")
	}
}

func (s *Server) listNetworks(c *fiber.Ctx) error {
	pr := principal(c)
	f := postgres.NetworkFilter{Kind: network.Community}
	var err error
	if k, err := oneOfParam(c, "kind", []string{network.Component, network.Community}); err != nil {
		return err
	} else if k != "" {
		f.Kind = k
	}
	if f.District, err = s.knownDistrict(c, "district"); err != nil {
		return err
	}
	if f.MinSize, err = optPositive(c, "min_size", 2, 2, 100000000); err != nil {
		return err
	}
	if f.MaxSize, err = optPositive(c, "max_size", 0, 2, 100000000); err != nil {
		return err
	}
	if f.MaxSize > 0 && f.MaxSize < f.MinSize {
		return intel.Invalid("max_size", "is less than min_size")
	}
	if f.From, err = optDate(c, "from"); err != nil {
		return err
	}
	if f.To, err = optDate(c, "to"); err != nil {
		return err
	}
	if f.From != nil && f.To != nil && f.To.Before(f.From.Time) {
		return intel.Invalid("to", "is before from")
	}
	if f.CrossBorder, err = optBool(c, "cross_border"); err != nil {
		return err
	}
	// Network ids are strings: after is read here, not by page.
	if f.Limit, err = optPositive(c, "limit", DefaultLimit, 1, math.MaxInt32); err != nil {
		return err
	}
	f.Limit = min(f.Limit, MaxLimit)
	if a := query(c, "after"); a != "" {
		if !networkID.MatchString(a) {
			return intel.Invalid("after", "must be a network id from the previous page")
		}
		f.After = a
	}
	threshold := s.disclosureThreshold()
	if !pr.PersonLevel() {
		f.MinYoungPeople = threshold
	}
	list, err := s.DB.ListNetworks(c.UserContext(), f)
	if err != nil {
		return err
	}
	for k := range list.Items {
		if !pr.PersonLevel() {
			discloseSize(&list.Items[k], threshold)
		}
	}
	resp := fiber.Map{"computed_at": list.ComputedAt, "stale": list.Stale, "as_of": list.AsOf,
		"links_updated_at": list.LinksUpdatedAt, "method": list.Method, "items": list.Items}
	if list.Withheld > 0 {
		resp["withheld"] = list.Withheld
		resp["withheld_reason"] = "networks with fewer young people than the disclosure threshold are not listed for this role"
	}
	if n := len(list.Items); n == f.Limit && n > 0 {
		next := list.Items[n-1].ID
		resp["next_after"] = next
		args := fiber.AcquireArgs()
		defer fiber.ReleaseArgs(args)
		c.Request().URI().QueryArgs().CopyTo(args)
		args.Set("after", next)
		resp["next"] = c.BaseURL() + c.Path() + "?" + args.String()
	}
	return c.JSON(resp)
}

type networkBody struct {
	intel.Freshness
	intel.Network
}

func (s *Server) getNetwork(c *fiber.Ctx) error {
	pr := principal(c)
	if pr.PersonLevel() {
		// Key nodes may be people: a person-level read.
		var err error
		if pr, err = personRead(c); err != nil {
			return err
		}
	}
	id, err := networkParam(c)
	if err != nil {
		return err
	}
	fr, n, err := s.DB.GetNetwork(c.UserContext(), pr, id)
	if err != nil {
		return err
	}
	if !pr.PersonLevel() {
		threshold := s.disclosureThreshold()
		if *n.Size.YoungPeople < threshold {
			return intel.NotFound("network") // withheld, as in the list
		}
		discloseSize(&n, threshold)
		return c.JSON(networkBody{fr, n})
	}
	var people []int64
	for _, k := range n.KeyNodes {
		if k.ID != nil && (k.Type == network.YoungPerson || k.Type == network.AdultOfConcern) {
			people = append(people, *k.ID)
		}
	}
	return s.readJSON(c, networkBody{fr, n}, people)
}

func (s *Server) networkGraph(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := networkParam(c)
	if err != nil {
		return err
	}
	sel, err := linkSelection(c, intel.LinkKinds)
	if err != nil {
		return err
	}
	g, people, err := s.DB.NetworkGraph(c.UserContext(), pr, id, sel)
	if err != nil {
		return err
	}
	return s.readJSON(c, g, people)
}

func (s *Server) placeProfile(c *fiber.Ctx) error {
	pr := principal(c)
	if pr.PersonLevel() {
		var err error
		if pr, err = personRead(c); err != nil {
			return err
		}
	}
	id, err := parseID(c, "place")
	if err != nil {
		return err
	}
	sel, err := linkSelection(c, intel.LinkKinds)
	if err != nil {
		return err
	}
	today := intel.Date{Time: time.Now().UTC().Truncate(24 * time.Hour)}
	f := postgres.ProfileFilter{AsOf: today, To: today, Links: sel, Threshold: s.disclosureThreshold()}
	if d, err := optDate(c, "as_of"); err != nil {
		return err
	} else if d != nil {
		f.AsOf = *d
	}
	if sel.To != nil {
		f.To = *sel.To
	}
	f.From = f.To.AddMonths(-12)
	f.From.Time = f.From.AddDate(0, 0, 1)
	if sel.From != nil {
		f.From = *sel.From
	}
	if f.From.After(f.To.Time) {
		return intel.Invalid("from", "is after to (to defaults to today)")
	}
	if f.To.Sub(f.From.Time) > 10*366*24*time.Hour {
		return intel.Invalid("from", "the window from..to may be at most 10 years")
	}
	p, people, err := s.DB.PlaceProfile(c.UserContext(), pr, id, f)
	if err != nil {
		return err
	}
	if !pr.PersonLevel() {
		for k := range p.Networks.Items {
			discloseSize(&p.Networks.Items[k], f.Threshold)
		}
		return c.JSON(p)
	}
	return s.readJSON(c, p, people)
}
