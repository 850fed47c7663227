package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSV writes a table as a spreadsheet opens it: a header of column labels
// (the first cell empty), then one line per row, its label first, figures
// as printed ("26", "33.3%", "c" for suppressed, "-" for none). RFC 4180,
// CRLF line ends.
func CSV(w io.Writer, header []string, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	head := []string{""}
	for _, h := range header {
		head = append(head, cell(h))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		line := []string{cell(r.Label)}
		for _, v := range r.Values {
			line = append(line, v.String())
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a label from being read as a formula by a spreadsheet (a
// district name loaded from a file could start with "=").
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Labels returns the columns' labels.
func Labels(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Label
	}
	return out
}

// CSV writes the Current Picture with the slides' row and column labels.
func (p *Picture) CSV(w io.Writer) error { return CSV(w, Labels(p.Columns), p.Rows) }

// CSV writes the missing-episode table.
func (m *MissingReport) CSV(w io.Writer) error { return CSV(w, Labels(m.Columns), m.Rows) }

// CSV writes the trend: one column per month (YYYY-MM), one line per measure.
func (t *Trend) CSV(w io.Writer) error {
	head := make([]string, len(t.Months))
	for i, m := range t.Months {
		head[i] = m.Format("2006-01")
	}
	return CSV(w, head, t.Series)
}
