package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/contextmap/contextmap/intel"
)

var legacyRe = regexp.MustCompile(`^[A-E][1-5][1-5]$`)

// Legacy 5x5x5 to 3x5x2. The table is docs/IMPORT.md's; change both.
//
// Source evaluation (A always reliable, B mostly reliable, C sometimes
// reliable, D unreliable, E untested): A and B are reliable (1); C and E
// are untested (2): a source right only sometimes has not been shown
// reliable; D is not reliable (3).
//
// Intelligence (1 known to be true without reservation, 2 known personally
// to the source but not to the officer, 3 not known personally to the source
// but corroborated, 4 cannot be judged, 5 suspected to be false): 1 and 2
// are known directly to the source (A); 3 is known indirectly but
// corroborated (B); 4 is not known (D); 5 is suspected false (E). Nothing
// maps to C (known indirectly, uncorroborated): 5x5x5 has no such code.
//
// Handling (1 may be shared with law enforcement and prosecuting agencies,
// 2 UK police only, 3 non-prosecuting parties, 4 within the originating
// agency only, 5 refer to the originator / special conditions): 1 and 3 were
// cleared for sharing outside the police and map to lawful sharing
// permitted (P); 2, 4 and 5 restrict sharing and map to sharing with
// conditions (C), the cautious side.
var (
	legacySource     = map[byte]byte{'A': '1', 'B': '1', 'C': '2', 'D': '3', 'E': '2'}
	legacyAssessment = map[byte]byte{'1': 'A', '2': 'A', '3': 'B', '4': 'D', '5': 'E'}
	legacyHandling   = map[byte]byte{'1': 'P', '2': 'C', '3': 'P', '4': 'C', '5': 'C'}
)

// NormaliseLegacy writes a 5x5x5 code compactly: "b/2/3" and "B 2 3" are
// "B23". It reports false when s is not a 5x5x5 code.
func NormaliseLegacy(s string) (string, bool) {
	t := strings.Map(func(r rune) rune {
		switch r {
		case '/', '-', ' ', '.':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	return t, legacyRe.MatchString(t)
}

// MapLegacy maps a 5x5x5 code (source A-E, intelligence 1-5, handling 1-5)
// to 3x5x2 by the documented table.
func MapLegacy(code string) (intel.Grade, error) {
	c, ok := NormaliseLegacy(code)
	if !ok {
		return intel.Grade{}, fmt.Errorf("%q is not a 5x5x5 grade: want source A-E, intelligence 1-5, handling 1-5, e.g. B23", code)
	}
	return intel.Grade{Source: legacySource[c[0]], Assessment: legacyAssessment[c[1]], Handling: legacyHandling[c[2]]}, nil
}
