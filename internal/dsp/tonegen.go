package dsp

import (
	"errors"
	"fmt"
	"math"
)

// MaxTones is the number of simultaneous sinusoids one ToneGen can mix.
// Four covers every call-progress tone and DTMF pair with room for tests.
const MaxTones = 4

// ErrInvalidTone reports an unusable tone description.
var ErrInvalidTone = errors.New("dsp: invalid tone")

// ToneGen is a phase-continuous generator of the sum of up to MaxTones
// sinusoids. Phase is kept across Fill calls so frames join without clicks.
// It is not safe for concurrent use.
type ToneGen struct {
	rate  float64
	n     int
	amp   float64
	inc   [MaxTones]float64
	phase [MaxTones]float64
}

// NewToneGen returns a generator of freqs (Hz) at the given sample rate.
// amplitude is the peak of each component as a fraction of full scale
// (0..1); the sum is clipped, so keep len(freqs)*amplitude <= 1 for a clean
// signal.
func NewToneGen(rate int, amplitude float64, freqs ...float64) (*ToneGen, error) {
	g := &ToneGen{}
	if err := g.Set(rate, amplitude, freqs...); err != nil {
		return nil, err
	}
	return g, nil
}

// Set changes the tones without resetting the phases of components that stay.
func (g *ToneGen) Set(rate int, amplitude float64, freqs ...float64) error {
	if rate <= 0 {
		rate = SampleRate
	}
	if len(freqs) > MaxTones {
		return fmt.Errorf("%w: %d tones, at most %d", ErrInvalidTone, len(freqs), MaxTones)
	}
	if amplitude < 0 || amplitude > 1 || math.IsNaN(amplitude) {
		return fmt.Errorf("%w: amplitude %v outside 0..1", ErrInvalidTone, amplitude)
	}
	for _, f := range freqs {
		if f < 0 || f >= float64(rate)/2 || math.IsNaN(f) {
			return fmt.Errorf("%w: %v Hz is not below the Nyquist frequency of %d Hz", ErrInvalidTone, f, rate/2)
		}
	}
	g.rate = float64(rate)
	g.amp = amplitude
	g.n = len(freqs)
	for i, f := range freqs {
		g.inc[i] = 2 * math.Pi * f / g.rate
	}
	return nil
}

// Fill writes len(buf) samples and advances the phase. It does not allocate.
func (g *ToneGen) Fill(buf []int16) {
	for i := range buf {
		var s float64
		for k := 0; k < g.n; k++ {
			s += math.Sin(g.phase[k])
			g.phase[k] += g.inc[k]
			if g.phase[k] >= 2*math.Pi {
				g.phase[k] -= 2 * math.Pi
			}
		}
		buf[i] = toInt16(s * g.amp)
	}
}

// Reset restarts every component at phase zero.
func (g *ToneGen) Reset() { g.phase = [MaxTones]float64{} }

// Tones returns n samples of the sum of freqs at the given rate and
// amplitude: a convenience for tests. Invalid input yields silence.
func Tones(rate, n int, amplitude float64, freqs ...float64) []int16 {
	out := make([]int16, max(n, 0))
	g, err := NewToneGen(rate, amplitude, freqs...)
	if err != nil {
		return out
	}
	g.Fill(out)
	return out
}

// toInt16 converts a normalised sample to int16 with rounding and clipping.
func toInt16(v float64) int16 {
	v *= 32767
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	default:
		return int16(v - 0.5)
	}
}
