package httpapi

import (
	"bytes"
	"encoding/json"
	"html/template"
	"slices"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
)

// /api/docs renders the OpenAPI document as one HTML page on the server:
// no scripts, no CDN, one same-origin style sheet, so it passes the
// Content-Security-Policy the service sends.

type docsParam struct{ Name, In, Type, Description string }

type docsResponse struct{ Status, Description, Media, Schema string }

type docsOp struct {
	Method, Path, Anchor, Summary, Description string
	Public                                     bool
	Params                                     []docsParam
	Body                                       string
	BodyIsFile                                 bool
	Responses                                  []docsResponse
}

type docsTag struct {
	Name string
	Ops  []docsOp
}

type docsProp struct{ Name, Type, Required string }

type docsSchema struct {
	Name  string
	Props []docsProp
	Type  string
}

type docsPage struct {
	Title, Description string
	Tags               []docsTag
	Schemas            []docsSchema
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs.css"></head>
<body><main>
<h1>{{.Title}} API</h1>
<p>{{.Description}}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.0). OGC API Features: <a href="/ogc">/ogc</a>.</p>
<nav><h2>Operations</h2><ul>{{range .Tags}}<li><a href="#tag-{{.Name}}">{{.Name}}</a></li>{{end}}<li><a href="#schemas">Schemas</a></li></ul></nav>
{{range .Tags}}<section id="tag-{{.Name}}"><h2>{{.Name}}</h2>
{{range .Ops}}<article class="op" id="{{.Anchor}}">
<h3><span class="method {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code>{{if .Public}} <span class="public">public</span>{{end}}</h3>
<p>{{.Summary}}</p>{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}
{{if .Params}}<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr></thead><tbody>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}
</tbody></table>{{end}}
{{if .Body}}<p>Body: {{if .BodyIsFile}}{{.Body}}{{else}}<a href="#schema-{{.Body}}">{{.Body}}</a>{{end}}</p>{{end}}
<ul class="responses">{{range .Responses}}<li><b>{{.Status}}</b> {{.Description}}{{if .Media}} <code>{{.Media}}</code>{{end}}{{if .Schema}} <a href="#schema-{{.Schema}}">{{.Schema}}</a>{{end}}</li>{{end}}</ul>
</article>{{end}}</section>{{end}}
<section id="schemas"><h2>Schemas</h2>
{{range .Schemas}}<article class="schema" id="schema-{{.Name}}"><h3>{{.Name}}</h3>
{{if .Props}}<table><thead><tr><th>property</th><th>type</th><th></th></tr></thead><tbody>
{{range .Props}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Required}}</td></tr>{{end}}
</tbody></table>{{else}}<p>{{.Type}}</p>{{end}}</article>{{end}}</section>
</main></body></html>
`))

const docsCSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem}
h1{font-size:1.8rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin-bottom:.3rem}code{font-family:ui-monospace,monospace;font-size:.95em}
.op,.schema{border-left:3px solid #ddd;padding:.2rem 0 .2rem .8rem;margin:1rem 0}
.method{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;color:#fff;font-size:.85rem;padding:.1rem .3rem}
.GET{background:#1d5fa8}.POST{background:#2b7a2b}.PUT{background:#9a6b00}.DELETE{background:#a3282f}
.public{font-size:.8rem;color:#555;border:1px solid #999;border-radius:3px;padding:0 .3rem}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.desc{color:#333}.responses{margin:.3rem 0;padding-left:1.2rem;font-size:.92rem}
`

var (
	docsOnce sync.Once
	docsHTML []byte
)

func refName(v any) string {
	m, _ := v.(map[string]any)
	if r, ok := m["$ref"].(string); ok {
		return r[strings.LastIndex(r, "/")+1:]
	}
	if all, ok := m["allOf"].([]any); ok && len(all) == 1 {
		return refName(all[0])
	}
	return ""
}

// typeName describes a schema in a few words.
func typeName(v any) string {
	m, _ := v.(map[string]any)
	if n := refName(m); n != "" {
		if m["nullable"] == true {
			return n + " or null"
		}
		return n
	}
	t, _ := m["type"].(string)
	switch t {
	case "array":
		t = "array of " + typeName(m["items"])
	case "":
		t = "any"
	}
	if f, ok := m["format"].(string); ok {
		t += " (" + f + ")"
	}
	if e, ok := m["enum"]; ok {
		b, _ := json.Marshal(e)
		t += ": one of " + strings.NewReplacer(`"`, "", ",", ", ").Replace(strings.Trim(string(b), "[]"))
	}
	if m["nullable"] == true {
		t += " or null"
	}
	return t
}

func buildDocsPage() docsPage {
	doc := OpenAPI()
	info := doc["info"].(map[string]any)
	page := docsPage{Title: info["title"].(string), Description: info["description"].(string)}
	comps := doc["components"].(map[string]any)
	sharedParams := comps["parameters"].(map[string]any)
	paths := doc["paths"].(map[string]any)
	byTag := map[string]int{}
	for _, op := range apiOps {
		o := paths[openAPIPath(op.Path)].(map[string]any)[strings.ToLower(op.Method)].(map[string]any)
		d := docsOp{Method: op.Method, Path: openAPIPath(op.Path), Anchor: o["operationId"].(string), Summary: op.Summary,
			Description: o["description"].(string), Public: op.Public}
		ps, _ := o["parameters"].([]any)
		for _, p := range ps {
			pm := p.(map[string]any)
			if n := refName(pm); n != "" {
				pm = sharedParams[n].(map[string]any)
			}
			desc, _ := pm["description"].(string)
			d.Params = append(d.Params, docsParam{Name: pm["name"].(string), In: pm["in"].(string), Type: typeName(pm["schema"]), Description: desc})
		}
		if rb, ok := o["requestBody"].(map[string]any); ok {
			content := rb["content"].(map[string]any)
			if j, ok := content[MediaJSON].(map[string]any); ok {
				d.Body = refName(j["schema"])
			} else {
				var medias []string
				for m := range content {
					medias = append(medias, m)
				}
				slices.Sort(medias)
				d.Body, d.BodyIsFile = "a file: "+strings.Join(medias, ", "), true
			}
		}
		rs := o["responses"].(map[string]any)
		codes := make([]string, 0, len(rs))
		for k := range rs {
			codes = append(codes, k)
		}
		slices.Sort(codes)
		for _, code := range codes {
			r := rs[code].(map[string]any)
			dr := docsResponse{Status: code, Description: r["description"].(string)}
			if content, ok := r["content"].(map[string]any); ok {
				var medias []string
				for media := range content {
					medias = append(medias, media)
				}
				slices.Sort(medias)
				dr.Media = strings.Join(medias, ", ")
				for _, media := range medias {
					sc := content[media].(map[string]any)["schema"]
					if n := refName(sc); n != "" {
						dr.Schema = n
					}
				}
				if dr.Schema == "" {
					dr.Description += ": " + typeName(content[medias[0]].(map[string]any)["schema"])
				}
			}
			d.Responses = append(d.Responses, dr)
		}
		i, ok := byTag[op.Tag]
		if !ok {
			i = len(page.Tags)
			byTag[op.Tag] = i
			page.Tags = append(page.Tags, docsTag{Name: op.Tag})
		}
		page.Tags[i].Ops = append(page.Tags[i].Ops, d)
	}
	schemas := comps["schemas"].(map[string]any)
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		m := schemas[n].(map[string]any)
		ds := docsSchema{Name: n, Type: typeName(m)}
		props, _ := m["properties"].(map[string]any)
		req, _ := m["required"].([]string)
		pn := make([]string, 0, len(props))
		for p := range props {
			pn = append(pn, p)
		}
		slices.Sort(pn)
		for _, p := range pn {
			r := ""
			if slices.Contains(req, p) {
				r = "required"
			}
			ds.Props = append(ds.Props, docsProp{Name: p, Type: typeName(props[p]), Required: r})
		}
		page.Schemas = append(page.Schemas, ds)
	}
	return page
}

func (s *Server) openAPIHTML(c *fiber.Ctx) error {
	if err := onlyParams(c); err != nil {
		return err
	}
	var err error
	docsOnce.Do(func() {
		var b bytes.Buffer
		if err = docsTemplate.Execute(&b, buildDocsPage()); err == nil {
			docsHTML = b.Bytes()
		}
	})
	if err != nil {
		return err
	}
	if docsHTML == nil {
		return intel.Errorf(intel.EINTERNAL, "the documentation page could not be built")
	}
	c.Set(fiber.HeaderContentType, MediaHTML+"; charset=utf-8")
	return c.Send(docsHTML)
}

func serveDocsCSS(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.SendString(docsCSS)
}
