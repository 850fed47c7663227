package ingest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
)

// Each record type's Check validates and normalises the record in place
// (defaults filled, grades parsed and legacy grades mapped, points read) and
// returns every problem found. The domain validators do the field checks
// the API does, so an import and the API agree; their messages name API
// fields (source_id, place_id), renamed here to the record's fields.

var pseudonymRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// NodeTypes are the types a link end may name.
var NodeTypes = []string{intel.NodePerson, intel.NodePlace, intel.NodeGroup, intel.NodeSpace}

func fieldsOf(err error, rename map[string]string) []intel.FieldError {
	if err == nil {
		return nil
	}
	e, ok := err.(*intel.Error)
	if !ok {
		return []intel.FieldError{{Field: "record", Reason: err.Error()}}
	}
	out := make([]intel.FieldError, 0, len(e.Fields))
	for _, f := range e.Fields {
		head, rest, _ := strings.Cut(f.Field, "/")
		if r, ok := rename[head]; ok {
			if r == "" {
				continue // a placeholder the import fills itself
			}
			f.Field = r
			if rest != "" {
				f.Field += "/" + rest
			}
		}
		out = append(out, f)
	}
	return out
}

func add(fs []intel.FieldError, field, reason string) []intel.FieldError {
	return append(fs, intel.FieldError{Field: field, Reason: reason})
}

func extRef(fs []intel.FieldError, field, v string) []intel.FieldError {
	switch {
	case strings.TrimSpace(v) == "":
		return add(fs, field, "is required: it is the record's key, the partner's own reference")
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return add(fs, field, "must be valid UTF-8 without NUL characters")
	case utf8.RuneCountInString(v) > 200:
		return add(fs, field, "is longer than the limit of 200 characters")
	}
	return fs
}

// personRef checks a reference to a person: a case reference, or
// "pseudonym:" and a pseudonym.
func personRef(fs []intel.FieldError, field, v string) []intel.FieldError {
	if p, ok := strings.CutPrefix(v, PseudonymPrefix); ok {
		if !pseudonymRe.MatchString(p) {
			return add(fs, field, "names a pseudonym that is not 1-40 letters, digits, '-' or '_'")
		}
		return fs
	}
	switch {
	case strings.TrimSpace(v) == "":
		return add(fs, field, "is required: a case reference, or pseudonym:NAME")
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return add(fs, field, "must be valid UTF-8 without NUL characters")
	case utf8.RuneCountInString(v) > 100:
		return add(fs, field, "is longer than the limit of 100 characters")
	}
	return fs
}

// grade reads the 3x5x2 grade, or maps the legacy grade when only that is
// given; both are normalised in place.
func grade(fs []intel.FieldError, g, legacy **string) ([]intel.FieldError, *intel.Grade) {
	var out *intel.Grade
	if *legacy != nil {
		code, ok := NormaliseLegacy(**legacy)
		if !ok {
			fs = add(fs, "legacy_grade", fmt.Sprintf("%q is not a 5x5x5 grade: want source A-E, intelligence 1-5, handling 1-5, e.g. B23", **legacy))
		} else {
			*legacy = &code
			m, _ := MapLegacy(code)
			out = &m
		}
	}
	if *g != nil {
		v, err := intel.ParseGrade(**g)
		if err != nil {
			return add(fs, "grade", err.Error()), nil
		}
		s := v.String()
		*g = &s
		return fs, &v
	}
	if out != nil {
		s := out.String()
		*g = &s
	}
	return fs, out
}

// Check validates a person.
func (p *Person) Check() []intel.FieldError {
	in := intel.PersonInput{Kind: p.Kind, Pseudonym: p.Pseudonym, CaseRef: p.CaseRef, AgeBand: p.AgeBand, District: p.District}
	if p.Statuses != nil {
		in.Statuses = *p.Statuses
	}
	if p.Categories != nil {
		in.Categories = *p.Categories
	}
	fs := fieldsOf(in.Validate(), nil)
	if p.CaseRef != nil && strings.TrimSpace(*p.CaseRef) == "" {
		p.CaseRef = nil
	}
	if p.CaseRefHash != nil {
		b, err := hex.DecodeString(*p.CaseRefHash)
		switch {
		case err != nil || len(b) != 32:
			fs = add(fs, "case_ref_hash", "must be 64 hexadecimal digits (a keyed hash as export writes it)")
		case p.CaseRef != nil:
			fs = add(fs, "case_ref_hash", "give case_ref or case_ref_hash, not both")
		}
		s := strings.ToLower(*p.CaseRefHash)
		p.CaseRefHash = &s
	}
	return fs
}

// Check validates a place.
func (p *Place) Check() []intel.FieldError {
	in := intel.PlaceInput{Name: p.Name, Kind: p.Kind, Sensitive: p.Sensitive, URN: p.URN, Geometry: p.Geometry,
		District: p.District, ExtRef: &p.ExtRef}
	fs := fieldsOf(in.Validate(), map[string]string{"ext_ref": ""})
	p.Sensitive = in.Sensitive
	fs = extRef(fs, "ext_ref", p.ExtRef)
	if len(p.Geometry) > 0 && string(p.Geometry) != "null" {
		// The API's reading: what is staged is what was checked, in 2D.
		if g, err := geo.ReadGeometry(p.Geometry, "Point", "Polygon", "MultiPolygon"); err != nil {
			fs = add(fs, "geometry", err.Error())
		} else {
			p.Geometry = g
		}
	}
	return fs
}

// Check validates a peer group.
func (g *Group) Check() []intel.FieldError {
	in := intel.GroupInput{Name: g.Name, Description: g.Description, District: g.District}
	return extRef(fieldsOf(in.Validate(), nil), "ext_ref", g.ExtRef)
}

// Check validates an online space.
func (s *Space) Check() []intel.FieldError {
	in := intel.SpaceInput{Name: s.Name, Platform: s.Platform, Kind: s.Kind, District: s.District}
	return extRef(fieldsOf(in.Validate(), nil), "ext_ref", s.ExtRef)
}

func endRef(fs []intel.FieldError, typField, refField, typ, ref string) []intel.FieldError {
	if !slices.Contains(NodeTypes, typ) {
		return add(fs, typField, "must be one of "+strings.Join(NodeTypes, ", "))
	}
	if typ == intel.NodePerson {
		return personRef(fs, refField, ref)
	}
	return extRef(fs, refField, ref)
}

// Check validates a link; whether its ends exist and suit its kind is
// checked against the database.
func (l *Link) Check() []intel.FieldError {
	var fs []intel.FieldError
	var g *intel.Grade
	fs, g = grade(fs, &l.Grade, &l.LegacyGrade)
	in := intel.LinkInput{Kind: l.Kind, SourceID: 1, TargetID: 2, Grade: g, Confirmed: l.Confirmed, SourceAgency: l.SourceAgency,
		FirstSeen: l.FirstSeen, LastSeen: l.LastSeen, ReviewDate: l.ReviewDate, Nature: l.Nature, Strength: l.Strength}
	rename := map[string]string{"source_id": "", "target_id": ""}
	if g == nil && (l.Grade != nil || l.LegacyGrade != nil) {
		rename["grade"] = "" // the grade's own error says why
	}
	fs = append(fs, fieldsOf(in.Validate(), rename)...)
	l.LastSeen = in.LastSeen
	fs = extRef(fs, "ext_ref", l.ExtRef)
	fs = endRef(fs, "source_type", "source_ref", l.SourceType, l.SourceRef)
	fs = endRef(fs, "target_type", "target_ref", l.TargetType, l.TargetRef)
	if r, ok := intel.LinkRules[l.Kind]; ok && slices.Contains(NodeTypes, l.SourceType) && slices.Contains(NodeTypes, l.TargetType) {
		if field, reason := r.CheckEnds(l.SourceType, r.SourcePerson, l.TargetType); field != "" {
			fs = add(fs, strings.Replace(field, "_id", "_type", 1), reason)
		}
	}
	if l.SourceType == l.TargetType && l.SourceRef == l.TargetRef && l.SourceRef != "" {
		fs = add(fs, "target_ref", "a link cannot join a node to itself")
	}
	if l.RecordedBy != nil {
		if s := strings.TrimSpace(*l.RecordedBy); s == "" || utf8.RuneCountInString(s) > 200 || !utf8.ValidString(s) {
			fs = add(fs, "recorded_by", "must be 1-200 characters")
		}
	}
	return fs
}

// Check validates an event; the places, people and groups it names are
// checked against the database.
func (e *Event) Check() []intel.FieldError {
	var fs []intel.FieldError
	var g *intel.Grade
	fs, g = grade(fs, &e.Grade, &e.LegacyGrade)
	in := intel.EventInput{Kind: e.Kind, From: e.From, To: e.To, Geometry: e.Geometry, Category: e.Category,
		Severity: e.Severity, Grade: g, Confirmed: e.Confirmed, SourceAgency: e.SourceAgency, ReviewDate: e.ReviewDate,
		FoundAt: e.FoundAt, RHIAt: e.RHIAt, CrimeType: e.CrimeType}
	if e.Place != nil {
		in.PlaceID = new(int64)
	}
	if e.FoundPlace != nil {
		in.FoundPlaceID = new(int64)
	}
	in.People = make([]int64, len(e.People))
	in.Groups = make([]int64, len(e.Groups))
	rename := map[string]string{"place_id": "place", "found_place_id": "found_place"}
	if g == nil && (e.Grade != nil || e.LegacyGrade != nil) {
		rename["grade"] = ""
	}
	fs = append(fs, fieldsOf(in.Validate(), rename)...)
	e.To = in.To
	if e.Severity == nil {
		one := int16(1)
		e.Severity = &one
	}
	fs = extRef(fs, "ext_ref", e.ExtRef)
	if e.Place != nil {
		fs = extRef(fs, "place", *e.Place)
	}
	if e.FoundPlace != nil {
		fs = extRef(fs, "found_place", *e.FoundPlace)
	}
	for i, p := range e.People {
		fs = personRef(fs, fmt.Sprintf("people/%d", i), p)
	}
	for i, g := range e.Groups {
		fs = extRef(fs, fmt.Sprintf("groups/%d", i), g)
	}
	if len(e.Geometry) > 0 && string(e.Geometry) != "null" {
		var pt struct {
			Coordinates [2]float64 `json:"coordinates"`
		}
		g, err := geo.ReadGeometry(e.Geometry, "Point")
		if err == nil {
			// ReadGeometry wrote it: a Point of exactly two numbers.
			err = json.Unmarshal(g, &pt)
		}
		if err != nil {
			fs = add(fs, "geometry", "must be a GeoJSON Point {\"type\":\"Point\",\"coordinates\":[longitude,latitude]}: "+err.Error())
		} else {
			e.Geometry, e.Point = g, &pt.Coordinates
		}
	}
	if e.Layer == nil {
		l := LayerSafeguarding
		e.Layer = &l
	} else if !slices.Contains(Layers, *e.Layer) {
		fs = add(fs, "layer", "must be one of "+strings.Join(Layers, ", "))
	}
	return fs
}

// Check validates an assessment.
func (a *Assessment) Check() []intel.FieldError {
	in := intel.AssessmentInput{PersonID: 1, Kind: a.Kind, CompletedOn: a.CompletedOn, RiskLevel: a.RiskLevel,
		NextReview: a.NextReview, Agency: a.Agency}
	fs := fieldsOf(in.Validate(), map[string]string{"person_id": ""})
	a.Kind = in.Kind
	fs = personRef(fs, "person", a.Person)
	if a.ExtRef != nil {
		fs = extRef(fs, "ext_ref", *a.ExtRef)
	}
	return fs
}

// CategoryNone in a status change closes the category in force.
const CategoryNone = "none"

// Check validates a status change.
func (s *StatusChange) Check() []intel.FieldError {
	fs := personRef(nil, "person", s.Person)
	switch {
	case s.Status == nil && s.Category == nil:
		fs = add(fs, "status", "give a status or a category")
	case s.Status != nil && s.Category != nil:
		fs = add(fs, "category", "give a status or a category, not both (one change a record)")
	case s.Status != nil && !slices.Contains(intel.Statuses, *s.Status):
		fs = add(fs, "status", "must be one of "+strings.Join(intel.Statuses, ", "))
	case s.Category != nil && *s.Category != CategoryNone && !slices.Contains(intel.Categories, *s.Category):
		fs = add(fs, "category", "must be one of "+strings.Join(intel.Categories, ", ")+", or none to close the category in force")
	}
	if s.From == nil {
		fs = add(fs, "from", "is required: the date the change takes effect")
	}
	return fs
}
