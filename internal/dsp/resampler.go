package dsp

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors.
var (
	// ErrResampleBuffer reports an output buffer too small for Process.
	ErrResampleBuffer = errors.New("dsp: resampler output buffer too small")
	// ErrResampleRate reports a narrow rate the resampler cannot serve.
	ErrResampleRate = errors.New("dsp: unsupported resampling rate")
)

// Resampler converts between 48 kHz and a narrower rate that divides it by
// an integer factor: 8 kHz (factor 6) for G.711 (ITU-T G.711) and 16 kHz
// (factor 3) for G.722, with a polyphase FIR. The anti-alias/anti-image
// low-pass is a Kaiser-windowed sinc cut off at the narrow rate's Nyquist
// frequency with 30 taps per phase, so its shape scales with the rate: at
// 8 kHz (180 taps, 1.9 ms group delay) the passband is flat (< 0.1 dB) to
// 3.4 kHz, the telephone band of G.712, and > 60 dB down from 4.6 kHz, the
// lowest frequency that would alias into 0-3.4 kHz; at 16 kHz (90 taps,
// 0.9 ms) it is flat (< 0.1 dB) to 7 kHz, the top of G.722's 50-7000 Hz
// band, and > 60 dB down from 9.2 kHz. The filter keeps history across
// calls so consecutive 20 ms frames join seamlessly; Process does not
// allocate.
// Not safe for concurrent use.
type Resampler struct {
	down   bool
	factor int
	h      []float64 // prototype filter, len = factor*phaseLen
	hist   []float64 // last phaseLen-1 input samples (decimator: last taps-1 samples)
	accIn  []float64 // history + current input
}

// resamplePhaseTaps is the filter length per polyphase branch.
const resamplePhaseTaps = 30

// NewDownsampler returns a 48 kHz → 8 kHz resampler.
func NewDownsampler() *Resampler { return newResampler(true, SampleRate/8000) }

// NewUpsampler returns an 8 kHz → 48 kHz resampler.
func NewUpsampler() *Resampler { return newResampler(false, SampleRate/8000) }

// NewDownsamplerTo returns a 48 kHz → rate resampler. rate must divide
// 48000 by a factor of 2 or more (8000, 12000, 16000, 24000, ...).
func NewDownsamplerTo(rate int) (*Resampler, error) {
	f, err := resampleFactorFor(rate)
	if err != nil {
		return nil, err
	}
	return newResampler(true, f), nil
}

// NewUpsamplerFrom returns a rate → 48 kHz resampler; rate as for
// NewDownsamplerTo.
func NewUpsamplerFrom(rate int) (*Resampler, error) {
	f, err := resampleFactorFor(rate)
	if err != nil {
		return nil, err
	}
	return newResampler(false, f), nil
}

func resampleFactorFor(rate int) (int, error) {
	if rate <= 0 || rate > SampleRate/2 || SampleRate%rate != 0 {
		return 0, fmt.Errorf("%w: %d Hz (must divide %d by 2 or more)", ErrResampleRate, rate, SampleRate)
	}
	return SampleRate / rate, nil
}

func newResampler(down bool, factor int) *Resampler {
	taps := resamplePhaseTaps * factor
	r := &Resampler{down: down, factor: factor, h: lowpass(taps, 0.5/float64(factor), 6.0)}
	histLen := taps - 1
	if !down {
		histLen = resamplePhaseTaps - 1
	}
	r.hist = make([]float64, histLen)
	r.accIn = make([]float64, histLen+FrameSamples) // grown once if frames are larger
	return r
}

// Factor is the ratio between 48 kHz and the narrow rate.
func (r *Resampler) Factor() int { return r.factor }

// OutLen returns how many samples Process produces for n input samples.
// The downsampler needs n to be a multiple of Factor.
func (r *Resampler) OutLen(n int) int {
	if r.down {
		return n / r.factor
	}
	return n * r.factor
}

// Delay is the filter's group delay in output samples.
func (r *Resampler) Delay() float64 {
	d := float64(len(r.h)-1) / 2 // at 48 kHz
	if r.down {
		return d / float64(r.factor)
	}
	return d
}

// Reset clears the filter history.
func (r *Resampler) Reset() { clear(r.hist) }

// Process resamples in into out and returns the number of samples written.
// The downsampler consumes in in groups of Factor samples (a trailing remainder
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
		// y[m] = Σ h[k] x[Fm+hl-k]
		for m := 0; m < need; m++ {
			end := hl + m*r.factor // index of x[Fm]
			var acc float64
			for k, c := range r.h {
				acc += c * x[end-k]
			}
			out[m] = clip16(acc)
		}
	} else {
		// Zero-stuffed interpolation, polyphase: y[Fm+p] = F Σ_j h[Fj+p] x[m-j].
		phaseLen := len(r.h) / r.factor
		for m := 0; m < len(in); m++ {
			base := hl + m
			for p := 0; p < r.factor; p++ {
				var acc float64
				for j := 0; j < phaseLen; j++ {
					acc += r.h[j*r.factor+p] * x[base-j]
				}
				out[m*r.factor+p] = clip16(acc * float64(r.factor))
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
