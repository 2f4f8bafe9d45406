package dashboards

import (
	"fmt"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// The words around a drawn chart, so an exported image stands alone: above
// the plot its title, the service, period and n, the control chart's
// variation and assurance icons with their names, and the legend; on the
// plot the target's label; at its foot the source and the date it was drawn.

// Header rows, in the order they are written.
const (
	rowTitle = iota
	rowSubtitle
	rowVariation
	rowAssurance
	rowLegend
	rowGaps
)

// headerRows lists the rows a chart's header writes.
func headerRows(c Chart) []int {
	rows := []int{rowTitle}
	if c.Subtitle != "" {
		rows = append(rows, rowSubtitle)
	}
	if c.SPC != nil {
		rows = append(rows, rowVariation)
		if c.SPC.Read(c.Unit).Assurance != "" {
			rows = append(rows, rowAssurance)
		}
	}
	if c.Kind == ChartLine {
		rows = append(rows, rowLegend)
	}
	if len(c.Hidden) > 0 {
		rows = append(rows, rowGaps)
	}
	return rows
}

// rowBaseline is the baseline of the i-th header row, in unscaled pixels.
func rowBaseline(i int) float64 {
	if i == 0 {
		return 14
	}
	return 27 + 14*float64(i-1)
}

func topPadding(c Chart, scale float64) int {
	return px(rowBaseline(len(headerRows(c)))-2, scale)
}

// footHeight is the room the source line takes under the plot.
const footHeight = 16

// header writes the title, subtitle, SPC reading, legend and gaps note.
func header(c Chart, scale float64, text func(string) string) chart.Renderable {
	return func(r chart.Renderer, _ chart.Box, defaults chart.Style) {
		r.SetFont(defaults.GetFont())
		r.SetFontColor(ink)
		x := px(8, scale)
		for i, row := range headerRows(c) {
			y := px(rowBaseline(i), scale)
			r.SetFontSize(8.5 * scale)
			switch row {
			case rowTitle:
				r.SetFontSize(10.5 * scale)
				r.Text(text(c.Title), x, y)
			case rowSubtitle:
				r.Text(text(c.Subtitle), x, y)
			case rowVariation:
				read := c.SPC.Read(c.Unit)
				spcIcon(r, false, read.VariationClass, read.VariationMark, x, y, scale)
				r.SetFontColor(ink)
				r.Text(text("Variation: "+read.Variation), x+px(16, scale), y)
			case rowAssurance:
				read := c.SPC.Read(c.Unit)
				spcIcon(r, true, read.AssuranceClass, read.AssuranceMark, x, y, scale)
				r.SetFontColor(ink)
				r.Text(text("Assurance: "+read.AssuranceLine()), x+px(16, scale), y)
			case rowLegend:
				legendEntries(r, c, x, y, scale, text)
			case rowGaps:
				r.Text(text(fmt.Sprintf("Gaps: months with fewer than %d responses, not published", c.K)), x, y)
			}
		}
	}
}

func legendEntries(r chart.Renderer, c Chart, x, y int, scale float64, text func(string) string) {
	for si, s := range c.Series {
		if s.Name == SeriesLower {
			continue // one entry for both limits
		}
		name := s.Name
		if s.Name == SeriesUpper {
			name = "Process limits"
		}
		x = legendEntry(r, seriesStyle(c, si, scale), text(name), x, y, scale)
	}
	if c.Target != nil {
		legendEntry(r, targetStyle(scale), text("Target"), x, y, scale)
	}
}

func legendEntry(r chart.Renderer, st chart.Style, name string, x, y int, scale float64) int {
	r.SetStrokeColor(st.StrokeColor)
	r.SetStrokeWidth(st.StrokeWidth)
	r.SetStrokeDashArray(st.StrokeDashArray)
	r.MoveTo(x, y-px(3, scale))
	r.LineTo(x+px(18, scale), y-px(3, scale))
	r.Stroke()
	r.SetStrokeDashArray(nil)
	x += px(22, scale)
	r.SetFontColor(ink)
	r.Text(name, x, y)
	return x + r.MeasureText(name).Width() + px(12, scale)
}

// iconColours are the SPC icons' outline and fill by class, as on the page
// (dashboards.css): blue improvement or pass, orange concern or fail, purple
// a neutral special cause, grey otherwise.
var iconColours = map[string][2]drawing.Color{
	"improvement": {spcImprovement, drawing.ColorFromHex("E6F1F8")},
	"pass":        {spcImprovement, drawing.ColorFromHex("E6F1F8")},
	"concern":     {drawing.ColorFromHex("B34700"), drawing.ColorFromHex("FBEEE6")},
	"fail":        {drawing.ColorFromHex("B34700"), drawing.ColorFromHex("FBEEE6")},
	"neutral":     {drawing.ColorFromHex("6F3A80"), drawing.ColorFromHex("F3ECF5")},
}

// spcIcon draws a variation icon (a circle) or an assurance icon (a rounded
// square) with its letter, its left edge at x and its centre on the text line y.
func spcIcon(r chart.Renderer, square bool, class, mark string, x, y int, scale float64) {
	colours, ok := iconColours[class]
	if !ok {
		colours = [2]drawing.Color{drawing.ColorFromHex("505A5F"), drawing.ColorWhite}
	}
	half := px(6, scale)
	cx, cy := x+half, y-px(3, scale)
	r.SetStrokeColor(colours[0])
	r.SetFillColor(colours[1])
	r.SetStrokeWidth(1.5 * scale)
	r.SetStrokeDashArray(nil)
	if square {
		r.MoveTo(cx-half, cy-half)
		r.LineTo(cx+half, cy-half)
		r.LineTo(cx+half, cy+half)
		r.LineTo(cx-half, cy+half)
		r.Close()
	} else {
		r.Circle(float64(half), cx, cy)
	}
	r.FillStroke()
	r.SetFontColor(ink)
	r.SetFontSize(7.5 * scale)
	w := r.MeasureText(mark).Width()
	r.Text(mark, cx-w/2, cy+px(3, scale))
	r.SetFontSize(8.5 * scale)
}

// Making Data Count draws a target as a red dashed line; its dash differs
// from the limits' so colour is not the only cue.
var targetInk = drawing.ColorFromHex("C00000")

func targetStyle(scale float64) chart.Style {
	return chart.Style{StrokeColor: targetInk, StrokeWidth: 1.5 * scale, StrokeDashArray: scaled([]float64{8, 3, 2, 3}, scale)}
}

// targetLabel writes "Target 80%" at the right end of the target line, above
// it (below it when the line is near the top), on a white ground.
func targetLabel(c Chart, scale float64, text func(string) string) chart.Renderable {
	return func(r chart.Renderer, box chart.Box, defaults chart.Style) {
		if c.Target == nil {
			return
		}
		yr := chart.ContinuousRange{Min: c.YMin, Max: c.YMax, Domain: box.Height()}
		lineY := box.Bottom - yr.Translate(*c.Target)
		label := "Target " + formatValue(*c.Target, c.Unit)
		r.SetFont(defaults.GetFont())
		r.SetFontSize(8 * scale)
		tb := r.MeasureText(label)
		x := box.Right - tb.Width() - px(4, scale)
		y := lineY - px(4, scale)
		if y-tb.Height() < box.Top {
			y = lineY + tb.Height() + px(4, scale)
		}
		pad := px(2, scale)
		r.SetFillColor(drawing.ColorWhite.WithAlpha(220))
		r.SetStrokeColor(drawing.ColorTransparent)
		r.SetStrokeWidth(0)
		r.MoveTo(x-pad, y-tb.Height()-pad)
		r.LineTo(x+tb.Width()+pad, y-tb.Height()-pad)
		r.LineTo(x+tb.Width()+pad, y+pad)
		r.LineTo(x-pad, y+pad)
		r.Close()
		r.Fill()
		r.SetFontColor(targetInk)
		r.Text(text(label), x, y)
	}
}

// foot writes the source and the date the chart was drawn under the plot.
func foot(c Chart, scale float64, text func(string) string) chart.Renderable {
	return func(r chart.Renderer, _ chart.Box, defaults chart.Style) {
		line := "Source: " + c.Source + "."
		if c.Generated != "" {
			line += " Generated " + c.Generated + "."
		}
		r.SetFont(defaults.GetFont())
		r.SetFontColor(ink)
		r.SetFontSize(8 * scale)
		r.Text(text(line), px(8, scale), px(float64(baseSize.h)-5, scale))
	}
}
