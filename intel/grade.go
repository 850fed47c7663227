package intel

import (
	"fmt"
	"strings"
)

// Grade is the 3x5x2 intelligence grading: source evaluation (1 reliable,
// 2 untested, 3 not reliable), intelligence assessment (A known directly ...
// E suspected false or malicious) and handling (P lawful sharing permitted,
// C lawful sharing with conditions). Written compactly as "1AP".
type Grade struct {
	Source     byte // '1'..'3'
	Assessment byte // 'A'..'E'
	Handling   byte // 'P' or 'C'
}

func (g Grade) String() string {
	return string([]byte{g.Source, g.Assessment, g.Handling})
}

// ParseGrade reads "1AP", "1/A/P", "1-A-P" or "1 A P" (case-insensitive).
func ParseGrade(s string) (Grade, error) {
	t := strings.Map(func(r rune) rune {
		switch r {
		case '/', '-', ' ', '.':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	if len(t) != 3 {
		return Grade{}, fmt.Errorf("%q is not a 3x5x2 grade: want source 1-3, assessment A-E, handling P or C, e.g. 1AP", s)
	}
	g := Grade{t[0], t[1], t[2]}
	if g.Source < '1' || g.Source > '3' {
		return Grade{}, fmt.Errorf("source evaluation %q must be 1, 2 or 3", g.Source)
	}
	if g.Assessment < 'A' || g.Assessment > 'E' {
		return Grade{}, fmt.Errorf("intelligence assessment %q must be one of A-E", g.Assessment)
	}
	if g.Handling != 'P' && g.Handling != 'C' {
		return Grade{}, fmt.Errorf("handling code %q must be P or C", g.Handling)
	}
	return g, nil
}

// MarshalText writes the compact form.
func (g Grade) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText reads any form ParseGrade accepts.
func (g *Grade) UnmarshalText(b []byte) error {
	v, err := ParseGrade(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// AtLeast reports whether g is at least as strong as min on both the source
// evaluation and the intelligence assessment (lower is stronger on both).
func (g Grade) AtLeast(min Grade) bool {
	return g.Source <= min.Source && g.Assessment <= min.Assessment
}
