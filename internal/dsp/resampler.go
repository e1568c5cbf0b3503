package dsp

import (
	"errors"
	"fmt"
	"math"
)

// ErrResampleBuffer reports an output buffer too small for Process.
var ErrResampleBuffer = errors.New("dsp: resampler output buffer too small")

// Resampler converts between 48 kHz and 8 kHz (factor 6) with a polyphase
// FIR, as G.711 (ITU-T G.711, 8 kHz) calls need. The anti-alias/anti-image
// low-pass is a Kaiser-windowed sinc: passband flat (< 0.1 dB) to 3.4 kHz,
// the telephone band of G.712, and > 60 dB down from 4.6 kHz, the lowest
// frequency that would alias into 0-3.4 kHz at 8 kHz. 180 taps (30 per
// phase), 1.9 ms group delay. The filter keeps history across calls so
// consecutive 20 ms frames join seamlessly; Process does not allocate.
// Not safe for concurrent use.
type Resampler struct {
	down  bool
	h     []float64 // prototype filter, len = factor*phaseLen
	hist  []float64 // last phaseLen-1 input samples (decimator: last taps-1 samples)
	accIn []float64 // history + current input
}

const (
	resampleFactor = 6
	resampleTaps   = 180
)

// NewDownsampler returns a 48 kHz → 8 kHz resampler.
func NewDownsampler() *Resampler { return newResampler(true) }

// NewUpsampler returns an 8 kHz → 48 kHz resampler.
func NewUpsampler() *Resampler { return newResampler(false) }

func newResampler(down bool) *Resampler {
	r := &Resampler{down: down, h: lowpass(resampleTaps, 4000.0/48000.0, 6.0)}
	histLen := resampleTaps - 1
	if !down {
		histLen = resampleTaps/resampleFactor - 1
	}
	r.hist = make([]float64, histLen)
	r.accIn = make([]float64, histLen+FrameSamples) // grown once if frames are larger
	return r
}

// OutLen returns how many samples Process produces for n input samples.
// The downsampler needs n to be a multiple of 6.
func (r *Resampler) OutLen(n int) int {
	if r.down {
		return n / resampleFactor
	}
	return n * resampleFactor
}

// Delay is the filter's group delay in output samples.
func (r *Resampler) Delay() float64 {
	d := float64(resampleTaps-1) / 2 // at 48 kHz
	if r.down {
		return d / resampleFactor
	}
	return d
}

// Reset clears the filter history.
func (r *Resampler) Reset() { clear(r.hist) }

// Process resamples in into out and returns the number of samples written.
// The downsampler consumes in in groups of 6 samples (a trailing remainder
// is ignored: feed whole frames).
func (r *Resampler) Process(in, out []int16) (int, error) {
	need := r.OutLen(len(in))
	if len(out) < need {
		return 0, fmt.Errorf("%w: %d samples for %d needed", ErrResampleBuffer, len(out), need)
	}
	hl := len(r.hist)
	total := hl + len(in)
	if cap(r.accIn) < total {
		r.accIn = make([]float64, total)
	}
	x := r.accIn[:total]
	copy(x, r.hist)
	for i, s := range in {
		x[hl+i] = float64(s)
	}
	if r.down {
		// y[m] = Σ h[k] x[6m+hl-k]
		for m := 0; m < need; m++ {
			end := hl + m*resampleFactor // index of x[6m]
			var acc float64
			for k, c := range r.h {
				acc += c * x[end-k]
			}
			out[m] = clip16(acc)
		}
	} else {
		// Zero-stuffed interpolation, polyphase: y[6m+p] = 6 Σ_j h[6j+p] x[m-j].
		phaseLen := len(r.h) / resampleFactor
		for m := 0; m < len(in); m++ {
			base := hl + m
			for p := 0; p < resampleFactor; p++ {
				var acc float64
				for j := 0; j < phaseLen; j++ {
					acc += r.h[j*resampleFactor+p] * x[base-j]
				}
				out[m*resampleFactor+p] = clip16(acc * resampleFactor)
			}
		}
	}
	copy(r.hist, x[total-hl:])
	return need, nil
}

func clip16(v float64) int16 {
	v = math.Round(v)
	switch {
	case v > 32767:
		return 32767
	case v < -32768:
		return -32768
	}
	return int16(v)
}

// lowpass designs an n-tap Kaiser-windowed sinc low-pass with cutoff fc
// (fraction of the sample rate) and Kaiser beta, normalised to unit DC gain.
func lowpass(n int, fc, beta float64) []float64 {
	h := make([]float64, n)
	mid := float64(n-1) / 2
	var sum float64
	for i := range h {
		t := float64(i) - mid
		sinc := 2 * fc
		if t != 0 {
			sinc = math.Sin(2*math.Pi*fc*t) / (math.Pi * t)
		}
		r := t / mid
		w := bessel0(beta*math.Sqrt(max(0, 1-r*r))) / bessel0(beta)
		h[i] = sinc * w
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}

// bessel0 is the modified Bessel function of the first kind, order 0.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / 2 / float64(k)) * (x / 2 / float64(k))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}
