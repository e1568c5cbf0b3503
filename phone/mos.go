package phone

import (
	"math"
	"time"
)

// EstimateMOS gives a listening-quality score from network figures with the
// simplified E-model of ITU-T G.107 (as popularised by Cole and Rosenbluth):
// R = 93.2 − Id(delay) − Ie,eff(loss), then MOS from R (G.107 Annex B).
//
// It assumes a wideband-ish codec with modest loss robustness (Bpl 10,
// Ie 0); good enough to tell an agent "your line is bad" reliably.
func EstimateMOS(q Quality) float64 {
	total := float64(q.PacketsReceived) + float64(max(q.PacketsLost, 0))
	loss := 0.0
	if total > 0 {
		loss = 100 * float64(max(q.PacketsLost, 0)) / total
	}
	// One-way delay: half the round trip, plus jitter buffering and a codec
	// frame, plus the playout delay the audio layer measured.
	delay := q.RTT/2 + q.PlayoutDelay + 2*q.Jitter + 20*time.Millisecond
	d := float64(delay) / float64(time.Millisecond)
	id := 0.024 * d
	if d > 177.3 {
		id += 0.11 * (d - 177.3)
	}
	const ie, bpl = 0.0, 10.0
	ieEff := ie + (95-ie)*loss/(loss+bpl)
	r := 93.2 - id - ieEff
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	mos := 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
	return math.Round(mos*100) / 100
}
