package report_test

import (
	"os"
	"strings"
	"testing"

	"github.com/contextmap/contextmap/intel/report"
)

// TestDefinitionsAreDocumented keeps README.md and docs/REPORTS.md holding
// the definitions the code prints, word for word.
func TestDefinitionsAreDocumented(t *testing.T) {
	docs := map[string][][]string{
		"../../README.md":       {report.PictureDefinitions, report.MissingDefinitions, report.TrendDefinitions},
		"../../docs/REPORTS.md": {report.PictureDefinitions, report.MissingDefinitions, report.TrendDefinitions, report.MACEDefinitions},
	}
	for path, sets := range docs {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(b)), " ")
		for _, set := range sets {
			for _, d := range set {
				if !strings.Contains(text, strings.Join(strings.Fields(d), " ")) {
					t.Errorf("%s lacks the definition %q", path, d)
				}
			}
		}
	}
}
