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
func (r *callRow) showQuality(q phone.Quality, ok, talking bool, security phone.MediaSecurity) {
	if !ok || q.MOS <= 0 {
		text := ""
		if talking {
			text = withSecurity(lang.L("Quality: measuring…"), security)
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
	setText(r.quality, withSecurity(qualityText(q), security))
}

// withSecurity adds to the quality line how a classic SIP call's audio is
// protected: such a peer may well send it in the clear. WebRTC calls are
// always encrypted (DTLS-SRTP), so their line stays as short as it was.
func withSecurity(text string, s phone.MediaSecurity) string {
	switch s {
	case phone.MediaSecuritySRTP:
		return text + " · " + lang.L("Encrypted (SRTP)")
	case phone.MediaSecurityPlain:
		return text + " · " + lang.L("Not encrypted")
	}
	return text
}
