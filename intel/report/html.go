package report

import (
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/contextmap/contextmap/intel"
)

// The HTML reports are committee papers: one self-contained page each, no
// scripts, no external resources, styled for A4 print. The stylesheet is
// inline, allowed by its hash in the page's own Content-Security-Policy.

//go:embed templates
var templateFS embed.FS

var (
	css = func() string {
		b, err := templateFS.ReadFile("templates/report.css")
		if err != nil {
			panic(err)
		}
		return string(b)
	}()
	// ContentSecurityPolicy is the policy to send with an HTML report:
	// nothing but its own inline stylesheet.
	ContentSecurityPolicy = func() string {
		sum := sha256.Sum256([]byte(css))
		return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
			"script-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	}()
	pages = map[string]*template.Template{}
)

var funcs = template.FuncMap{
	"rowClass": func(rows []Row, i int) string {
		var cls []string
		r := rows[i]
		if r.Code == RowCategoryTotal || r.Code == RowStatusTotal {
			cls = append(cls, "total")
		}
		if i > 0 && rows[i-1].Block != r.Block {
			cls = append(cls, "block-start")
		}
		return strings.Join(cls, " ")
	},
	"figureClass": func(fs []MACEFigure, i int) string {
		switch {
		case fs[i].Code == RowCategoryTotal || fs[i].Code == RowStatusTotal:
			return "total"
		case i > 0 && fs[i-1].Block != fs[i].Block:
			return "block-start"
		}
		return ""
	},
	// counts writes a map of counts as "a 3, b 2", largest first.
	"counts": func(m map[string]int) string {
		keys := slices.Sorted(maps.Keys(m))
		slices.SortStableFunc(keys, func(a, b string) int { return m[b] - m[a] })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strings.ReplaceAll(k, "_", " ") + " " + itoa(m[k])
		}
		return strings.Join(parts, ", ")
	},
	"when": func(t any) string {
		switch v := t.(type) {
		case *time.Time:
			if v == nil {
				return ""
			}
			return londonTime(*v)
		case time.Time:
			return londonTime(v)
		}
		return ""
	},
	// contexts names at most ten contexts.
	"contexts": func(ns []intel.NodeRef) string {
		var parts []string
		for _, n := range ns[:min(len(ns), 10)] {
			parts = append(parts, n.Label)
		}
		s := strings.Join(parts, "; ")
		if len(ns) > 10 {
			s += "; and " + itoa(len(ns)-10) + " more"
		}
		return s
	},
	"people": func(ns []intel.NodeRef) string {
		parts := make([]string, len(ns))
		for i, n := range ns {
			parts[i] = n.Label
		}
		return strings.Join(parts, ", ")
	},
	"districts": func(labels map[string]string, codes []string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = cmp.Or(labels[c], c)
		}
		return strings.Join(out, ", ")
	},
	"label": func(code string) string {
		if l, ok := RowLabels[code]; ok && !strings.HasPrefix(l, "CSE") {
			return l
		}
		switch code {
		case "cse1", "cse2", "cse3":
			return strings.ToUpper(code)
		case "other":
			return "Other exploitation"
		}
		return strings.ReplaceAll(code, "_", " ")
	},
}

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

func londonTime(t time.Time) string { return t.In(london).Format("2 Jan 2006 15:04") }

func init() {
	for _, name := range []string{"picture", "missing", "mace"} {
		pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+name+".html"))
	}
}

// page is what the base template lays out.
type page struct {
	Title       string
	Marking     string
	Meta        []string
	CSS         template.CSS
	Body        any
	Note        string
	Definitions []string
	Generated   string
	AsOf        string
}

func render(w io.Writer, name string, p page) error {
	p.CSS = template.CSS(css)
	return pages[name].ExecuteTemplate(w, "base", p)
}

func longDate(d intel.Date) string { return d.Format("2 January 2006") }

// HTML writes the Current Picture as a printable page.
func (p *Picture) HTML(w io.Writer) error {
	return render(w, "picture", page{
		Title:       "Current Picture: " + p.Area,
		Meta:        []string{"As of " + longDate(p.AsOf), "Children with an exploitation category on that date"},
		Body:        p,
		Note:        p.Disclosure.Note,
		Definitions: p.Definitions,
		Generated:   londonTime(p.GeneratedAt),
		AsOf:        p.AsOf.String(),
	})
}

// HTML writes the missing-episode report as a printable page.
func (m *MissingReport) HTML(w io.Writer) error {
	return render(w, "missing", page{
		Title:       "Missing episodes: " + m.Area,
		Meta:        []string{"From " + longDate(m.From) + " to " + longDate(m.To)},
		Body:        m,
		Note:        m.Disclosure.Note,
		Definitions: m.Definitions,
		Generated:   londonTime(m.GeneratedAt),
		AsOf:        m.To.String(),
	})
}

// HTML writes the MACE pack as a printable agenda.
func (p *MACEPack) HTML(w io.Writer) error {
	marking := ""
	if p.OverdueAssessment.Listed {
		marking = "OFFICIAL-SENSITIVE: names young people by pseudonym. Do not forward beyond the meeting."
	}
	return render(w, "mace", page{
		Title:   "MACE pack: " + p.Column.Label,
		Marking: marking,
		Meta: []string{"As of " + longDate(p.AsOf), "Compared with " + longDate(p.Previous),
			"Area: " + p.Area},
		Body: struct {
			*MACEPack
			ShowAdults bool
		}{p, slices.ContainsFunc(p.Networks, func(n MACENetwork) bool { return n.AdultsOfConcern != nil })},
		Note:        p.Disclosure.Note,
		Definitions: p.Definitions,
		Generated:   londonTime(p.GeneratedAt),
		AsOf:        p.AsOf.String(),
	})
}
