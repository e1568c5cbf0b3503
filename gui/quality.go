package gui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// qualityBand names a call's estimated MOS the way listeners rate it
// (ITU-T G.107 Annex B maps E-model ratings to user satisfaction: 4.0 and
// up "satisfied", 3.6 "some users dissatisfied", 3.1 "many dissatisfied").
func qualityBand(mos float64) (string, widget.Importance) {
	switch {
	case mos >= 4.0:
		return lang.L("Good"), widget.SuccessImportance
	case mos >= 3.6:
		return lang.L("Fair"), widget.MediumImportance
	case mos >= 3.1:
		return lang.L("Poor"), widget.WarningImportance
	default:
		return lang.L("Bad"), widget.DangerImportance
	}
}

// poorQuality is the MOS below which the window warns the agent.
const poorQuality = 3.6

// qualityText is the row's quality line: the band, then the figures.
func qualityText(q phone.Quality) string {
	band, _ := qualityBand(q.MOS)
	return lang.L("Quality: {{.Quality}}", map[string]any{"Quality": band}) + " · " + qualityFigures(q)
}

// qualityFigures are the numbers an agent can quote to IT.
func qualityFigures(q phone.Quality) string {
	loss := 0.0
	if total := float64(q.PacketsReceived) + float64(max(q.PacketsLost, 0)); total > 0 {
		loss = 100 * float64(max(q.PacketsLost, 0)) / total
	}
	return lang.L("MOS {{.MOS}} · {{.Loss}} % loss · {{.Jitter}} ms jitter", map[string]any{
		"MOS": fmt.Sprintf("%.1f", q.MOS), "Loss": fmt.Sprintf("%.1f", loss), "Jitter": q.Jitter.Round(time.Millisecond).Milliseconds()})
}

// showQuality updates a row's quality line. Before the first report a
// talking call says it is measuring; other calls leave the line empty.
func (r *callRow) showQuality(q phone.Quality, ok, talking bool) {
	if !ok || q.MOS <= 0 {
		text := ""
		if talking {
			text = lang.L("Quality: measuring…")
		}
		if r.quality.Importance != widget.LowImportance {
			r.quality.Importance = widget.LowImportance
			r.quality.Refresh()
		}
		setText(r.quality, text)
		return
	}
	_, imp := qualityBand(q.MOS)
	if r.quality.Importance != imp {
		r.quality.Importance = imp
		r.quality.Refresh()
	}
	setText(r.quality, qualityText(q))
}
