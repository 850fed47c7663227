package httpapi_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel/httpapi"
)

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// documented reports whether a route is one the OpenAPI document must hold.
func documented(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/ogc" || strings.HasPrefix(path, "/ogc/") ||
		slices.Contains([]string{"/healthz", "/readyz", "/metrics"}, path)
}

// TestOpenAPICoversRoutes: every route the server has is in the document,
// and every documented operation is a route the server has, so the
// document cannot drift from the code.
func TestOpenAPICoversRoutes(t *testing.T) {
	h := newHarness(t)
	var doc struct {
		OpenAPI string
		Paths   map[string]map[string]json.RawMessage
	}
	r := h.getJSON("", "/api/openapi.json", 200, &doc)
	if r.Header.Get("Content-Type") != httpapi.MediaOpenAPI || doc.OpenAPI != "3.0.3" {
		t.Fatalf("openapi %q, Content-Type %q", doc.OpenAPI, r.Header.Get("Content-Type"))
	}
	if dups := httpapi.DuplicateOperations(); len(dups) > 0 {
		t.Errorf("operations documented twice: %v", dups)
	}
	routes := map[string]bool{}
	for _, rt := range h.srv.App.GetRoutes(true) {
		p := rt.Path
		if len(p) > 1 {
			p = strings.TrimSuffix(p, "/")
		}
		if rt.Method == "HEAD" || !documented(p) {
			continue
		}
		key := strings.ToLower(rt.Method) + " " + fiberParam.ReplaceAllString(p, "{$1}")
		routes[key] = true
	}
	if len(routes) < 40 {
		t.Fatalf("only %d routes found", len(routes))
	}
	for key := range routes {
		method, p, _ := strings.Cut(key, " ")
		if _, ok := doc.Paths[p][method]; !ok {
			t.Errorf("route %s %s is not in the OpenAPI document: add it to apiOps (openapi.go)", strings.ToUpper(method), p)
		}
	}
	for p, ops := range doc.Paths {
		for method := range ops {
			if !routes[method+" "+p] {
				t.Errorf("the OpenAPI document has %s %s, which the server does not serve", strings.ToUpper(method), p)
			}
		}
	}
}

// TestOpenAPIDocument checks the document holds together: every $ref
// resolves, every path parameter is declared, operation ids are unique,
// every operation has responses and private ones a security requirement.
func TestOpenAPIDocument(t *testing.T) {
	raw, err := json.Marshal(httpapi.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var refs []string
	var collect func(v any)
	collect = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					refs = append(refs, x.(string))
				}
				collect(x)
			}
		case []any:
			for _, x := range v {
				collect(x)
			}
		}
	}
	collect(doc)
	resolve := func(ref string) any {
		var cur any = doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[part]
		}
		return cur
	}
	for _, ref := range refs {
		if !strings.HasPrefix(ref, "#/") || resolve(ref) == nil {
			t.Errorf("$ref %s does not resolve", ref)
		}
	}
	ids := map[string]bool{}
	paths := doc["paths"].(map[string]any)
	for p, item := range paths {
		want := regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(p, -1)
		for method, o := range item.(map[string]any) {
			op := o.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, p, id)
			}
			ids[id] = true
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, pa := range params {
				pm := pa.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					pm = resolve(ref).(map[string]any)
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
					if pm["required"] != true {
						t.Errorf("%s %s: path parameter %v not required", method, p, pm["name"])
					}
				}
			}
			for _, w := range want {
				if !declared[w[1]] {
					t.Errorf("%s %s: path parameter %s not declared", method, p, w[1])
				}
			}
			if len(declared) != len(want) {
				t.Errorf("%s %s: declares path parameters %v", method, p, declared)
			}
			rs, _ := op["responses"].(map[string]any)
			if len(rs) == 0 {
				t.Errorf("%s %s: no responses", method, p)
			}
			sec, hasSec := op["security"].([]any)
			if !hasSec {
				t.Errorf("%s %s: no security requirement (public operations say [])", method, p)
			}
			if len(sec) > 0 && rs["401"] == nil {
				t.Errorf("%s %s: needs a token but documents no 401", method, p)
			}
		}
	}
	// A schema generated from a Go type names its JSON fields.
	place := resolve("#/components/schemas/Place").(map[string]any)["properties"].(map[string]any)
	for _, f := range []string{"id", "name", "kind", "sensitive", "generalised", "geometry", "district"} {
		if place[f] == nil {
			t.Errorf("Place schema lacks %s", f)
		}
	}
}

// TestOpenAPIHTML: the HTML view lists every operation, runs no script and
// loads nothing from elsewhere.
func TestOpenAPIHTML(t *testing.T) {
	h := newHarness(t)
	r := h.do("", "GET", "/api/docs", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/api/docs: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	body := string(r.Body)
	paths := httpapi.OpenAPI()["paths"].(map[string]any)
	for p := range paths {
		if !strings.Contains(body, "<code>"+p+"</code>") {
			t.Errorf("/api/docs does not list %s", p)
		}
	}
	for _, bad := range []string{"<script", " style=", `src="http`, `href="http`, "<iframe"} {
		if strings.Contains(body, bad) {
			t.Errorf("/api/docs holds %q (inline script or style, or something loaded from elsewhere)", bad)
		}
	}
	if css := h.do("", "GET", "/api/docs.css", nil); css.Status != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("/api/docs.css: %d %s", css.Status, css.Header.Get("Content-Type"))
	}
}

// TestOpenAPIOGCParameters: the items parameters the document lists are
// the ones the server accepts; any other is refused.
func TestOpenAPIOGCParameters(t *testing.T) {
	h := newHarness(t)
	doc := httpapi.OpenAPI()
	comps := doc["components"].(map[string]any)["parameters"].(map[string]any)
	op := doc["paths"].(map[string]any)["/ogc/collections/{collectionId}/items"].(map[string]any)["get"].(map[string]any)
	values := map[string]string{"edge_type": "place-place", "suppressed": "false", "limit": "5", "bbox": "-3.5,54,-2,55.2", "datetime": "2020-01-01/..", "cursor": "c1.MQ",
		"f": "json", "kind": "park", "district": "E07000028", "sensitive": "false", "category": "cse1"}
	var names []string
	for _, p := range op["parameters"].([]any) {
		pm := p.(map[string]any)
		if ref, ok := pm["$ref"].(string); ok {
			pm = comps[ref[strings.LastIndex(ref, "/")+1:]].(map[string]any)
		}
		if pm["in"] != "query" {
			continue
		}
		name := pm["name"].(string)
		names = append(names, name)
		v, ok := values[name]
		if !ok {
			t.Errorf("no test value for documented parameter %s", name)
			continue
		}
		col := "places"
		switch name {
		case "category", "datetime":
			col = "events"
		case "edge_type":
			col = "association_edges"
		case "suppressed":
			col = "hotspot_cells"
		}
		r := h.do("analyst", "GET", "/ogc/collections/"+col+"/items?"+name+"="+v, nil)
		if r.Status != 200 {
			t.Errorf("documented parameter %s=%s: %d %s", name, v, r.Status, r.Body)
		}
	}
	if len(names) < 9 {
		t.Errorf("documented parameters: %v", names)
	}
	if r := h.do("analyst", "GET", "/ogc/collections/places/items?sortby=name", nil); r.Status != 400 {
		t.Errorf("an undocumented parameter: %d", r.Status)
	}
}

// TestOpenAPICollections: the collection ids the document lists are those
// the server serves.
func TestOpenAPICollections(t *testing.T) {
	h := newHarness(t)
	var cols struct{ Collections []struct{ ID string } }
	h.getJSON("analyst", "/ogc/collections", 200, &cols)
	var served []string
	for _, c := range cols.Collections {
		served = append(served, c.ID)
	}
	p := httpapi.OpenAPI()["components"].(map[string]any)["parameters"].(map[string]any)["collectionId"].(map[string]any)
	documented := p["schema"].(map[string]any)["enum"].([]string)
	if !slices.Equal(served, documented) {
		t.Errorf("collections served %v, documented %v", served, documented)
	}
}
