package dashboards

import (
	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Making Data Count's colours: grey for common cause and the mean and
// limits, orange for concern, blue for improvement, purple for a special
// cause in a measure with no better direction. Shape and the table say the
// same, so colour is never the only cue.
var (
	spcGrey        = drawing.ColorFromHex("7F7F7F")
	spcConcern     = drawing.ColorFromHex("D55E00")
	spcImprovement = drawing.ColorFromHex("0072B2")
	spcNeutral     = drawing.ColorFromHex("8B4A9C")
	spcLine        = drawing.ColorFromHex("222222")
)

// seriesStyle draws a control chart's measure as a dark line with dots, its
// mean as a thin grey line and its limits dashed; other charts' series
// differ by colour and dash.
func seriesStyle(c Chart, si int, scale float64) chart.Style {
	if c.SPC == nil {
		return chart.Style{
			StrokeColor: palette[si%len(palette)], StrokeWidth: 2.5 * scale,
			DotColor: palette[si%len(palette)], DotWidth: 3 * scale,
			StrokeDashArray: scaled(dashes[si%len(dashes)], scale),
		}
	}
	switch c.Series[si].Name {
	case SeriesMean:
		return chart.Style{StrokeColor: spcGrey, StrokeWidth: 1.5 * scale}
	case SeriesUpper, SeriesLower:
		return chart.Style{StrokeColor: spcGrey, StrokeWidth: 1.5 * scale, StrokeDashArray: scaled([]float64{5, 3}, scale)}
	}
	return chart.Style{StrokeColor: spcLine, StrokeWidth: 2 * scale, DotColor: spcGrey, DotWidth: 3 * scale}
}

// specialCauseDots are larger dots over the months flagged special cause,
// coloured by what the signal means.
func specialCauseDots(c Chart, scale float64) []chart.Series {
	if c.SPC == nil || len(c.Series) == 0 {
		return nil
	}
	index := map[string]int{}
	for i, l := range c.Labels {
		index[l] = i
	}
	var out []chart.Series
	for _, p := range c.SPC.Points {
		i, ok := index[p.Month]
		v := c.Series[0].Values
		if !ok || p.Signal == SignalCommon || v[i] == nil {
			continue
		}
		colour := signalColour(p.Signal)
		out = append(out, chart.ContinuousSeries{
			Style: chart.Style{StrokeWidth: chart.Disabled, DotColor: colour, DotWidth: 5 * scale}, YAxis: chart.YAxisSecondary,
			XValues: []float64{float64(i)}, YValues: []float64{*v[i]},
		})
	}
	return out
}

func signalColour(signal string) drawing.Color {
	switch signal {
	case SignalImprovement:
		return spcImprovement
	case SignalConcern:
		return spcConcern
	case SignalHigh, SignalLow:
		return spcNeutral
	}
	return spcGrey
}
