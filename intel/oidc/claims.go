package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/contextmap/contextmap/intel"
)

// districtRe is the districts table's own check on a code.
var districtRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)

// claims is a verified JWT payload.
type claims map[string]any

func parseClaims(payload []byte) (claims, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var c claims
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("payload is not a JSON object: %w", err)
	}
	if c == nil {
		return nil, errors.New("payload is null")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("payload has data after the JSON object")
	}
	return c, nil
}

// str returns claim name when it is a string.
func (c claims) str(name string) (string, bool) {
	s, ok := c[name].(string)
	return s, ok
}

// strings returns claim name as a list: absent is empty, a string is a list
// of one, an array must hold only strings.
func (c claims) strings(name string) ([]string, error) {
	switch v := c[name].(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("claim %q holds a %T, want strings", name, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("claim %q is a %T, want a string or an array of strings", name, c[name])
}

// time returns the NumericDate claim name; ok is false when it is absent.
func (c claims) time(name string) (t time.Time, ok bool, err error) {
	v, present := c[name]
	if !present {
		return time.Time{}, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return time.Time{}, false, fmt.Errorf("claim %q is a %T, want a number", name, v)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	// 1e11 s is the year 5138: anything later is garbage, not a date.
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, false, fmt.Errorf("claim %q is not a date: %.40s", name, n)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// principal maps the verified claims to a contextmap principal.
func (v *Verifier) principal(c claims) (intel.Principal, error) {
	var sub string
	for _, name := range v.subject {
		if s, ok := c.str(name); ok && s != "" {
			sub = s
			break
		}
	}
	if sub == "" {
		return intel.Principal{}, fail("the token names no subject", fmt.Errorf("none of the claims %v holds a string", v.subject))
	}
	if len(sub) > maxSubjectBytes || !utf8.ValidString(sub) || strings.IndexFunc(sub, unsafeRune) >= 0 {
		return intel.Principal{}, fail("the token's subject is malformed", errors.New("subject too long, not UTF-8 or has control characters"))
	}

	values, err := c.strings(v.cfg.RoleClaim)
	if err != nil {
		return intel.Principal{}, fail("the token's role claim is malformed", err)
	}
	var role intel.Role
	for _, s := range values {
		r, ok := v.cfg.RoleMap[s]
		if !ok || r == role {
			continue
		}
		if role != "" {
			// A principal has one role. Picking one would silently widen
			// or narrow access (admin does not see person-level data, a
			// district role sees less than analyst): refuse instead.
			return intel.Principal{}, fail("the token carries more than one contextmap role", fmt.Errorf("roles %q and %q both mapped", role, r))
		}
		role = r
	}
	if role == "" {
		return intel.Principal{}, fail("no contextmap role in token", fmt.Errorf("claim %q: %d values, none in the role map", v.cfg.RoleClaim, len(values)))
	}

	p := intel.Principal{Subject: "oidc:" + sub, Label: v.label(c, sub), Role: role}
	if role == intel.RoleDistrict {
		ds, err := districts(c, v.cfg.DistrictClaim)
		if err != nil {
			return intel.Principal{}, fail("the token's district claim is malformed", err)
		}
		if len(ds) == 0 {
			return intel.Principal{}, fail("the token has the district role but no districts", fmt.Errorf("claim %q empty or absent", v.cfg.DistrictClaim))
		}
		p.Districts = ds
	}
	return p, nil
}

// label is a human label for logs: cleaned of control characters (no log
// injection) and cut to a bounded length.
func (v *Verifier) label(c claims, sub string) string {
	for _, name := range v.name {
		s, ok := c.str(name)
		if !ok {
			continue
		}
		s = strings.Map(func(r rune) rune {
			if unsafeRune(r) {
				return -1
			}
			return r
		}, strings.ToValidUTF8(s, ""))
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if utf8.RuneCountInString(s) > maxLabelRunes {
			s = string([]rune(s)[:maxLabelRunes])
		}
		return s
	}
	return sub
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// districts reads the district claim: an array of codes, or one string of
// codes separated by spaces or commas. Every code must be well formed.
func districts(c claims, name string) ([]string, error) {
	var raw []string
	switch v := c[name].(type) {
	case string:
		raw = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	default:
		var err error
		if raw, err = c.strings(name); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, d := range raw {
		d = strings.TrimSpace(d)
		if d == "" || slices.Contains(out, d) {
			continue
		}
		if !districtRe.MatchString(d) {
			return nil, fmt.Errorf("claim %q holds a malformed code", name)
		}
		out = append(out, d)
		if len(out) > maxDistricts {
			return nil, fmt.Errorf("claim %q holds more than %d codes", name, maxDistricts)
		}
	}
	return out, nil
}
