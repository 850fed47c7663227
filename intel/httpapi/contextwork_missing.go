package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
)

// missingProfile is the Philomena-protocol profile of a young person,
// assembled from the graph: a person-level read (police, analyst, district
// team in scope), audited with the child's and every associate's id. As
// JSON, or as a printable HTML page (?format=html) with a small map drawn
// server-side as inline SVG: no scripts, no external tiles.
func (s *Server) missingProfile(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	format, err := oneOfParam(c, "format", []string{"json", "html"})
	if err != nil {
		return err
	}
	to, err := dateOr(c, "as_of", today())
	if err != nil {
		return err
	}
	months, err := intParam(c, "months", 12, 1, 60)
	if err != nil {
		return err
	}
	mp, err := s.DB.MissingProfile(c.UserContext(), pr, id, to.AddMonths(-months), to)
	if err != nil {
		return err
	}
	ids := []int64{mp.Person.ID}
	for _, a := range mp.Associates {
		ids = append(ids, a.PersonID)
	}
	if err := s.audit(c, "read", fiber.StatusOK, ids); err != nil {
		return err
	}
	if format != "html" {
		return c.JSON(mp)
	}
	page, err := renderProfile(mp, to)
	if err != nil {
		return err
	}
	// This page carries its own stylesheet, allowed by hash: still no
	// scripts and nothing fetched from anywhere.
	c.Set("Content-Security-Policy", "default-src 'none'; style-src '"+profileCSSHash+"'; img-src data:; "+
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(page)
}

func (s *Server) putMissingProfile(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	in, err := bind[intel.MissingProfileInput](c)
	if err != nil {
		return err
	}
	if err := s.DB.PutMissingProfile(c.UserContext(), pr, id, in); err != nil {
		return err
	}
	return s.wrote(c, "update", fiber.StatusOK, fiber.Map{"person_id": id, "transport": in.Transport}, []int64{id})
}

func (s *Server) createIdentifier(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	in, err := bind[intel.IdentifierInput](c)
	if err != nil {
		return err
	}
	i, err := s.DB.CreateIdentifier(c.UserContext(), pr, id, in)
	if err != nil {
		return err
	}
	return s.wrote(c, "create", fiber.StatusCreated, i, []int64{id})
}

func (s *Server) deleteIdentifier(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	id, err := parseID(c, "person")
	if err != nil {
		return err
	}
	iid, err := paramID(c, "identifier", "identifier")
	if err != nil {
		return err
	}
	if err := s.DB.DeleteIdentifier(c.UserContext(), pr, id, iid); err != nil {
		return err
	}
	return s.wrote(c, "delete", fiber.StatusNoContent, nil, []int64{id})
}

// matchIdentifier finds who is recorded with a phone or handle. The value
// comes in the body, so it is in no URL, log or audit record; the match is
// a person-level read, audited with the people found.
func (s *Server) matchIdentifier(c *fiber.Ctx) error {
	pr, err := personRead(c)
	if err != nil {
		return err
	}
	q, err := bind[intel.IdentifierQuery](c)
	if err != nil {
		return err
	}
	is, err := s.DB.MatchIdentifier(c.UserContext(), pr, q)
	if err != nil {
		return err
	}
	ids := make([]int64, len(is))
	for i, x := range is {
		ids[i] = x.PersonID
	}
	return s.readJSON(c, fiber.Map{"items": is}, ids)
}

// profileCSS is the printable page's only style; the CSP allows it by hash.
const profileCSS = `@page{size:A4;margin:14mm}
body{font:10pt/1.35 system-ui,sans-serif;color:#111;margin:0 auto;max-width:190mm;padding:8mm}
h1{font-size:15pt;margin:0}h2{font-size:11pt;margin:14px 0 4px;border-bottom:1px solid #999}
.mark{font-weight:bold;letter-spacing:.05em}.sub{color:#444;margin:2px 0 8px}
.top{display:flex;gap:12px;align-items:flex-start}.top table{flex:1}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:2px 4px;border-bottom:1px solid #ddd}
th{font-weight:600;background:#f2f2f2}.kv th{width:35%}
figure{margin:0;flex:0 0 480px;width:480px}figcaption{font-size:8pt;color:#333}svg{border:1px solid #999;background:#fafafa}
.muted{color:#555}footer{margin-top:16px;font-size:8pt;color:#444}
@media print{body{padding:0}h2{break-after:avoid}tr{break-inside:avoid}}`

var profileCSSHash = func() string {
	sum := sha256.Sum256([]byte(profileCSS))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}()

// svgMark is one place drawn on the profile map.
type svgMark struct {
	N       int // the place's number in the table
	X, Y    float64
	Class   string // "place", "last_seen", "found_at"
	LabelDX float64
}

// svgMap is the small map: places in the metric CRS fitted to the box.
type svgMap struct {
	W, H   int
	Marks  []svgMark
	BarX   float64
	BarLen float64
	BarM   string
	Empty  bool
	Off    []int // numbers of the places too far away to draw
}

// mapReach is how far from the centre of the episodes' places the profile
// map reaches, in metres.
const mapReach = 4000.0

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// profileMap fits the places into a 480 × 320 box (north up, one scale in
// both directions) with a scale bar. Sensitive places the caller may not
// see exactly come at their generalised position.
func profileMap(mp intel.MissingProfile) svgMap {
	m := svgMap{W: 480, H: 320}
	if len(mp.Places) == 0 {
		m.Empty = true
		return m
	}
	lastSeen, found := map[int64]bool{}, map[int64]bool{}
	for _, e := range mp.Episodes {
		if e.LastSeenAt != nil {
			lastSeen[*e.LastSeenAt] = true
		}
		if e.FoundPlace != nil {
			found[*e.FoundPlace] = true
		}
	}
	// The map is drawn around the episodes' places (all places when there
	// are none): centred on their median position, mapReach metres either
	// way, so one far-off find does not shrink a town to a dot. Places
	// beyond are listed in the caption.
	var xs, ys []float64
	for _, p := range mp.Places {
		if found[p.Place.ID] || lastSeen[p.Place.ID] {
			xs, ys = append(xs, p.X), append(ys, p.Y)
		}
	}
	if len(xs) == 0 {
		for _, p := range mp.Places {
			xs, ys = append(xs, p.X), append(ys, p.Y)
		}
	}
	cx, cy := median(xs), median(ys)
	on := func(p intel.ProfilePlace) bool { return math.Abs(p.X-cx) <= mapReach && math.Abs(p.Y-cy) <= mapReach }
	minx, miny, maxx, maxy := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, p := range mp.Places {
		if !on(p) {
			m.Off = append(m.Off, i+1)
			continue
		}
		minx, miny, maxx, maxy = min(minx, p.X), min(miny, p.Y), max(maxx, p.X), max(maxy, p.Y)
	}
	// At least 1 km across, so a single place is not a dot in a void.
	if d := 1000 - (maxx - minx); d > 0 {
		minx, maxx = minx-d/2, maxx+d/2
	}
	if d := 1000 - (maxy - miny); d > 0 {
		miny, maxy = miny-d/2, maxy+d/2
	}
	const pad = 24.0
	scale := min((float64(m.W)-2*pad)/(maxx-minx), (float64(m.H)-2*pad)/(maxy-miny))
	ox := (float64(m.W) - (maxx-minx)*scale) / 2
	oy := (float64(m.H) - (maxy-miny)*scale) / 2
	for i, p := range mp.Places {
		if !on(p) {
			continue
		}
		mk := svgMark{N: i + 1, X: round1(ox + (p.X-minx)*scale), Y: round1(float64(m.H) - oy - (p.Y-miny)*scale), Class: "place", LabelDX: 6}
		switch {
		case found[p.Place.ID]:
			mk.Class = "found_at"
		case lastSeen[p.Place.ID]:
			mk.Class = "last_seen"
		}
		m.Marks = append(m.Marks, mk)
	}
	// The longest round length up to a quarter of the width.
	avail := float64(m.W) / 4 / scale
	bar := 10.0
	for _, v := range []float64{20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000, 100000} {
		if v <= avail {
			bar = v
		}
	}
	m.BarX, m.BarLen = 12, round1(bar*scale)
	if bar >= 1000 {
		m.BarM = fmt.Sprintf("%g km", bar/1000)
	} else {
		m.BarM = fmt.Sprintf("%g m", bar)
	}
	return m
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

var profileTmpl = template.Must(template.New("profile").Funcs(template.FuncMap{
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.In(london()).Format("Mon 2 Jan 2006 15:04")
		case *time.Time:
			if v == nil {
				return "—"
			}
			return v.In(london()).Format("Mon 2 Jan 2006 15:04")
		case intel.Date:
			return v.Format("2 Jan 2006")
		case *intel.Date:
			if v == nil {
				return "—"
			}
			return v.Format("2 Jan 2006")
		}
		return ""
	},
	"str": func(s *string) string {
		if s == nil {
			return "—"
		}
		return *s
	},
	"label": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"code": func(s *string) string {
		if s == nil {
			return "—"
		}
		if h, ok := codeLabels[*s]; ok {
			return h
		}
		return *s
	},
	"inc":   func(i int) int { return i + 1 },
	"deref": func(b *bool) bool { return b != nil && *b },
	"join":  strings.Join,
	"num":   func(places []intel.ProfilePlace, id *int64) string { return placeNumber(places, id) },
	"yesno": func(b *bool) string {
		if b == nil {
			return "—"
		}
		if *b {
			return "yes"
		}
		return "no"
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Missing-person profile {{.P.Person.Pseudonym}}</title><style>{{.CSS}}</style></head>
<body>
<p class="mark">OFFICIAL-SENSITIVE</p>
<h1>Missing-person profile (Philomena protocol): {{.P.Person.Pseudonym}}</h1>
<p class="sub">Assembled from the contextmap graph on {{date .P.GeneratedAt}}, covering {{date .P.PeriodFrom}} to {{date .AsOf}}. Every consultation is logged.</p>
<div class="top">
<table class="kv">
<tr><th>Pseudonym</th><td>{{.P.Person.Pseudonym}}</td></tr>
<tr><th>Age band</th><td>{{str .P.Person.AgeBand}}</td></tr>
<tr><th>District</th><td>{{str .P.Person.District}}</td></tr>
<tr><th>Case status</th><td>{{code .P.Person.Status}}</td></tr>
<tr><th>Exploitation category</th><td>{{code .P.Person.Category}}</td></tr>
<tr><th>Transport</th><td>{{str .P.Transport}}</td></tr>
</table>
<figure>
{{if .Map.Empty}}<p class="muted">No places are known for the period.</p>{{else}}
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Map.W}}" height="{{.Map.H}}" viewBox="0 0 {{.Map.W}} {{.Map.H}}" role="img" aria-label="Places of the profile">
{{range .Map.Marks}}{{if eq .Class "found_at"}}<rect x="{{.X}}" y="{{.Y}}" width="9" height="9" transform="translate(-4.5 -4.5)" fill="#1f5fbf" stroke="#fff"/>{{else if eq .Class "last_seen"}}<circle cx="{{.X}}" cy="{{.Y}}" r="5" fill="#c0392b" stroke="#fff"/>{{else}}<circle cx="{{.X}}" cy="{{.Y}}" r="3.5" fill="#666" stroke="#fff"/>{{end}}<text x="{{.X}}" y="{{.Y}}" dx="{{.LabelDX}}" dy="-4" font-size="10" fill="#111">{{.N}}</text>
{{end}}<g transform="translate({{.Map.BarX}} 300)"><rect x="0" y="0" width="{{.Map.BarLen}}" height="4" fill="#111"/><text x="0" y="-3" font-size="9">{{.Map.BarM}}</text></g>
<g transform="translate(456 28)"><path d="M0 -14 L5 0 L0 -3 L-5 0 Z" fill="#111"/><text x="0" y="11" font-size="9" text-anchor="middle">N</text></g>
</svg>{{end}}
<figcaption>Red circle: last seen at. Blue square: found at. Grey: other places. Numbers refer to the places table. Sensitive places may be shown at the centre of their 1 km square.{{with .Map.Off}} Too far away to show here: {{range $i, $n := .}}{{if $i}}, {{end}}{{$n}}{{end}}.{{end}}</figcaption>
</figure>
</div>

<h2>Recent missing episodes</h2>
{{if .P.Episodes}}<table><tr><th>Went missing</th><th>Last seen at (place no.)</th><th>Found</th><th>Found at (place no.)</th><th>Return interview within 72 h</th></tr>
{{range .P.Episodes}}<tr><td>{{date .From}}</td><td>{{num $.P.Places .LastSeenAt}}</td><td>{{date .FoundAt}}</td><td>{{num $.P.Places .FoundPlace}}</td><td>{{yesno .RHIWithin72h}}</td></tr>
{{end}}</table>{{else}}<p class="muted">None in the period.</p>{{end}}

<h2>Places</h2>
{{if .P.Places}}<table><tr><th>No.</th><th>Place</th><th>Kind</th><th>Why</th><th>Events</th><th>Last seen</th></tr>
{{range $i, $p := .P.Places}}<tr><td>{{inc $i}}</td><td>{{$p.Place.Name}}{{if $p.Place.Generalised}} <span class="muted">(position generalised)</span>{{end}}</td><td>{{label $p.Place.Kind}}</td><td>{{label (join $p.Why ", ")}}</td><td>{{$p.Events}}</td><td>{{date $p.LastSeen}}</td></tr>
{{end}}</table>{{else}}<p class="muted">None known.</p>{{end}}

<h2>Associates</h2>
{{if .P.Associates}}<table><tr><th>Pseudonym</th><th>Kind</th><th>Age band</th><th>Link</th><th>Seen together (events)</th><th>Grade</th><th>Last seen</th></tr>
{{range .P.Associates}}<tr><td>{{.Pseudonym}}</td><td>{{label .Kind}}</td><td>{{str .AgeBand}}</td><td>{{if .Linked}}associates with{{if .Nature}} ({{str .Nature}}){{end}}{{else}}—{{end}}</td><td>{{.SeenWith}}</td><td>{{with .Grade}}{{.}}{{else}}—{{end}}{{if .Confirmed}}{{if deref .Confirmed}}, confirmed{{else}}, unconfirmed{{end}}{{end}}</td><td>{{date .LastSeen}}</td></tr>
{{end}}</table>{{else}}<p class="muted">None known.</p>{{end}}
{{if .P.AssociatesWithheld}}<p class="muted">{{.P.AssociatesWithheld}} further associate(s) are outside what your role may see.</p>{{end}}

<h2>Peer groups and online spaces</h2>
{{if .P.Contexts}}<table><tr><th>Name</th><th>Type</th><th>Platform</th><th>Link</th><th>Grade</th><th>Last seen</th></tr>
{{range .P.Contexts}}<tr><td>{{.Name}}</td><td>{{if eq .Type "group"}}peer group{{else}}online space{{end}}</td><td>{{if .Platform}}{{label (str .Platform)}}{{else}}—{{end}}</td><td>{{label .Link}}</td><td>{{.Grade}}</td><td>{{date .LastSeen}}</td></tr>
{{end}}</table>{{else}}<p class="muted">None known.</p>{{end}}

<h2>Phones and social media</h2>
{{if .P.Identifiers}}<table><tr><th>Description</th><th>Kind</th><th>Platform</th><th>Fingerprint</th><th>Recorded</th></tr>
{{range .P.Identifiers}}<tr><td>{{.Description}}</td><td>{{label .Kind}}</td><td>{{if .Platform}}{{label (str .Platform)}}{{else}}—{{end}}</td><td><code>{{.Fingerprint}}</code></td><td>{{date .RecordedOn}}</td></tr>
{{end}}</table>{{else}}<p class="muted">None recorded.</p>{{end}}

<h2>Notes</h2>
<ul>{{range .P.Notes}}<li>{{.}}</li>{{end}}</ul>
<footer>contextmap · person {{.P.Person.ID}} · generated {{date .P.GeneratedAt}} · handle under the conditions of the grading of each record</footer>
</body></html>
`))

// codeLabels are the words partners use for case status and exploitation
// category codes.
var codeLabels = map[string]string{
	"early_help": "Early Help", "open_case": "Open case", "cin_plan": "Child in Need plan", "cp": "Child Protection plan",
	"cla": "Child Looked After", "not_open": "Not open", "cse1": "CSE category 1", "cse2": "CSE category 2",
	"cse3": "CSE category 3", "other": "Other exploitation",
}

func placeNumber(places []intel.ProfilePlace, id *int64) string {
	if id == nil {
		return "—"
	}
	for i, p := range places {
		if p.Place.ID == *id {
			return fmt.Sprintf("%s (%d)", p.Place.Name, i+1)
		}
	}
	return "—"
}

func renderProfile(mp intel.MissingProfile, asOf intel.Date) ([]byte, error) {
	var buf bytes.Buffer
	err := profileTmpl.Execute(&buf, map[string]any{"P": mp, "AsOf": asOf, "Map": profileMap(mp), "CSS": template.CSS(profileCSS)})
	if err != nil {
		return nil, &intel.Error{Code: intel.EINTERNAL, Message: "internal error", Err: fmt.Errorf("render profile: %w", err)}
	}
	return buf.Bytes(), nil
}
