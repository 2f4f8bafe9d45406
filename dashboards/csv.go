package dashboards

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/feedback-service/feedback/survey"
)

// WriteChartCSV writes the figures behind one chart: a row per month (or
// answer), a column per series, the 95% interval and n where the chart has
// them, and a status column. A hidden month's number cells are empty and its
// status says why: text never stands in a number column.
func WriteChartCSV(w io.Writer, c Chart) error {
	first := "answer"
	if c.months {
		first = "month"
	}
	header := []string{first}
	for _, s := range c.Series {
		header = append(header, s.Name)
	}
	if c.Intervals != nil {
		header = append(header, "95% interval low", "95% interval high", "n")
	}
	rows := [][]string{append(header, "status")}
	for i, l := range c.Labels {
		row := []string{l}
		hidden := false
		for _, s := range c.Series {
			row = append(row, valueCell(s.Values[i]))
			hidden = hidden || (s.Values[i] == nil && slices.Contains(c.Hidden, l))
		}
		if c.Intervals != nil {
			row = append(row, intervalCells(c, i)...)
		}
		rows = append(rows, append(row, statusCell(hidden, c.K)))
	}
	return writeAll(csv.NewWriter(w), rows)
}

func intervalCells(c Chart, i int) []string {
	ci := c.Intervals[i]
	if ci == nil {
		return []string{"", "", ""}
	}
	return []string{valueCell(&ci.Low), valueCell(&ci.High), strconv.FormatInt(c.N[i], 10)}
}

// WriteChartsCSV writes the figures behind every chart of a service in one
// long table: service, range, chart, row label, series, value, status.
func WriteChartsCSV(w io.Writer, st *ServiceStats) error {
	rows := [][]string{{"service", "from", "to", "chart", "title", "label", "series", "value", "status"}}
	for _, c := range Charts(st) {
		for _, s := range c.Series {
			for i, l := range c.Labels {
				hidden := s.Values[i] == nil && slices.Contains(c.Hidden, l)
				rows = append(rows, []string{st.Service, st.Range.From, st.Range.To, c.Name, c.Title, l, s.Name, valueCell(s.Values[i]), statusCell(hidden, c.K)})
			}
		}
	}
	return writeAll(csv.NewWriter(w), rows)
}

// statusCell says whether a row's figures are published.
func statusCell(hidden bool, k int) string {
	if hidden {
		return fmt.Sprintf("not published: fewer than %d responses", k)
	}
	return "published"
}

// FFTReturnColumns are the monthly FFT return's columns, in the shape NHS
// England collects: the period, the organisation, the service, the count of
// each response in the NHS's order, the total, and how the responses were
// collected (all by a text message linking to an online form here). A month
// with fewer than K responses has its counts left blank and suppressed = yes.
var FFTReturnColumns = []string{
	"period", "organisation_code", "service",
	"very_good", "good", "neither_good_nor_poor", "poor", "very_poor", "dont_know",
	"total_responses", "mode_sms_online", "suppressed",
}

// WriteFFTReturn writes the monthly FFT return for every service over r: one
// row per service and month, from published buckets only.
func (d *Dashboards) WriteFFTReturn(ctx context.Context, w io.Writer, r Range, organisationCode string) error {
	rows := [][]string{FFTReturnColumns}
	for _, service := range d.Services() {
		st, err := d.Service(ctx, service, r)
		if err != nil {
			return err
		}
		rows = append(rows, fftReturnRows(st, organisationCode)...)
	}
	return writeAll(csv.NewWriter(w), rows)
}

func fftReturnRows(st *ServiceStats, org string) [][]string {
	var rows [][]string
	for _, m := range st.Months {
		row := []string{m.Month, org, st.Service}
		if m.Figures == nil {
			for range len(survey.FFTOptions) + 2 {
				row = append(row, "")
			}
			rows = append(rows, append(row, "yes"))
			continue
		}
		for _, c := range m.Figures.FFT.Counts {
			row = append(row, strconv.FormatInt(c.Count, 10))
		}
		total := strconv.FormatInt(m.Figures.FFT.Answers, 10)
		rows = append(rows, append(row, total, total, "no"))
	}
	return rows
}

func valueCell(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// writeAll writes rows with every cell neutralised.
func writeAll(cw *csv.Writer, rows [][]string) error {
	for _, row := range rows {
		for i := range row {
			row[i] = Neutralise(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Neutralise stops a spreadsheet reading a cell as a formula: a cell that
// begins with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, unless it is a plain number (such as a score of -12.5).
func Neutralise(cell string) string {
	if cell == "" || plainNumber.MatchString(cell) {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

// CommentsCSV writes comments as rows, one at a time: month, question, the
// FFT rating of the same response, themes, and the text. Every cell is
// neutralised, so a comment that begins with = is text in a spreadsheet.
type CommentsCSV struct {
	cw      *csv.Writer
	service string
}

var yesNo = map[bool]string{true: "yes", false: "no"}

// NewCommentsCSV writes the header row of service's comments to w.
func NewCommentsCSV(w io.Writer, service string) (*CommentsCSV, error) {
	c := &CommentsCSV{cw: csv.NewWriter(w), service: service}
	header := []string{"service", "month", "question", "fft_rating", "themes", "themes_corrected", "spoke_of_risk", "comment"}
	return c, c.write(header)
}

// Write writes one comment's row.
func (c *CommentsCSV) Write(v CommentView) error {
	return c.write([]string{c.service, v.Month, v.Short, v.FFTLabel, strings.Join(v.Themes, "; "), yesNo[v.Corrected], yesNo[v.Risk], v.Text})
}

func (c *CommentsCSV) write(row []string) error {
	for i := range row {
		row[i] = Neutralise(row[i])
	}
	if err := c.cw.Write(row); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// Flush writes out what is buffered.
func (c *CommentsCSV) Flush() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// WriteComments writes every comment of service in r that passes f as CSV,
// a month at a time (see EachComment), and flushes w if it can.
func (d *Dashboards) WriteComments(ctx context.Context, w io.Writer, service string, r Range, f CommentFilter) error {
	out, err := NewCommentsCSV(w, service)
	if err != nil {
		return err
	}
	var writeErr error
	if err := d.EachComment(ctx, service, r, f, func(v CommentView) bool {
		writeErr = out.Write(v)
		return writeErr == nil
	}); err != nil {
		return err
	}
	if writeErr != nil {
		return writeErr
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if fw, ok := w.(interface{ Flush() error }); ok {
		return fw.Flush()
	}
	return nil
}

// WriteCommentsCSV writes a page of comments (see CommentsCSV).
func WriteCommentsCSV(w io.Writer, p *CommentPage) error {
	c, err := NewCommentsCSV(w, p.Service)
	if err != nil {
		return err
	}
	for _, v := range p.Comments {
		if err := c.Write(v); err != nil {
			return err
		}
	}
	return c.Flush()
}
