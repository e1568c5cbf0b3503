package dsp

import (
	"fmt"
	"math"
	"math/bits"
	"math/cmplx"
)

// Spectrum computes Hann-windowed magnitude spectra of fixed-size blocks
// with a radix-2 FFT. Scratch memory is allocated once by NewSpectrum;
// Analyze does not allocate. Not safe for concurrent use.
type Spectrum struct {
	rate int
	n    int
	win  []float64
	buf  []complex128
	tw   []complex128
	mag  []float64 // tone RMS per bin, normalised
	wsum float64
}

// NewSpectrum returns an analyser at rate for blocks of up to n samples;
// n is rounded up to a power of two (input shorter than that is zero-padded).
func NewSpectrum(rate, n int) (*Spectrum, error) {
	if rate <= 0 {
		rate = SampleRate
	}
	if n < 16 || n > 1<<20 {
		return nil, fmt.Errorf("dsp: spectrum size %d outside 16..%d", n, 1<<20)
	}
	size := 1 << bits.Len(uint(n-1))
	s := &Spectrum{rate: rate, n: size,
		buf: make([]complex128, size), tw: make([]complex128, size/2), mag: make([]float64, size/2+1)}
	for k := range s.tw {
		s.tw[k] = cmplx.Exp(complex(0, -2*math.Pi*float64(k)/float64(size)))
	}
	return s, nil
}

// Size is the FFT length.
func (s *Spectrum) Size() int { return s.n }

// BinHz is the frequency spacing of the bins.
func (s *Spectrum) BinHz() float64 { return float64(s.rate) / float64(s.n) }

// Analyze windows x (at most Size samples are used; the Hann window spans
// the samples actually given) and computes the spectrum. The returned
// slice holds the RMS level of a sine centred on each bin (same scale as
// RMS); it is owned by s and overwritten by the next call.
func (s *Spectrum) Analyze(x []int16) []float64 {
	m := min(len(x), s.n)
	if cap(s.win) < m || len(s.win) != m {
		// Window for this length; recomputed only when the length changes.
		if cap(s.win) < m {
			s.win = make([]float64, m)
		}
		s.win = s.win[:m]
		s.wsum = 0
		for i := range s.win {
			if m > 1 {
				s.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(m-1))
			} else {
				s.win[i] = 1
			}
			s.wsum += s.win[i]
		}
	}
	for i := 0; i < m; i++ {
		s.buf[i] = complex(float64(x[i])/32768*s.win[i], 0)
	}
	clear(s.buf[m:])
	s.fft()
	scale := 0.0
	if s.wsum > 0 {
		scale = 2 / s.wsum / math.Sqrt2
	}
	for k := range s.mag {
		s.mag[k] = cmplx.Abs(s.buf[k]) * scale
	}
	return s.mag
}

// Dominant returns the frequency of the strongest component of x above
// minHz, refined by parabolic interpolation of the log magnitude, and its
// RMS level. It returns 0, 0 for silence.
func (s *Spectrum) Dominant(x []int16, minHz float64) (freq, rms float64) {
	mag := s.Analyze(x)
	best := -1
	start := max(1, int(minHz/s.BinHz()))
	for k := start; k < len(mag)-1; k++ {
		if best < 0 || mag[k] > mag[best] {
			best = k
		}
	}
	if best < 0 || mag[best] < 1e-7 {
		return 0, 0
	}
	return s.interp(mag, best)
}

// Peak is a local maximum of the spectrum.
type Peak struct {
	Freq float64 // Hz
	RMS  float64 // normalised tone RMS
}

// DBFS is the peak level in dBFS.
func (p Peak) DBFS() float64 { return DBFS(p.RMS) }

// Peaks appends to dst the local maxima of the last Analyze result whose
// level is at least minRMS, lowest frequency first.
func (s *Spectrum) Peaks(dst []Peak, minRMS float64) []Peak {
	mag := s.mag
	for k := 1; k < len(mag)-1; k++ {
		if mag[k] >= minRMS && mag[k] > mag[k-1] && mag[k] >= mag[k+1] {
			f, r := s.interp(mag, k)
			dst = append(dst, Peak{Freq: f, RMS: r})
		}
	}
	return dst
}

func (s *Spectrum) interp(mag []float64, k int) (freq, rms float64) {
	if k <= 0 || k >= len(mag)-1 {
		return float64(k) * s.BinHz(), mag[k]
	}
	a, b, c := math.Log(mag[k-1]+1e-12), math.Log(mag[k]+1e-12), math.Log(mag[k+1]+1e-12)
	d := 0.0
	if den := a - 2*b + c; den != 0 {
		d = 0.5 * (a - c) / den
	}
	d = max(-0.5, min(0.5, d))
	return (float64(k) + d) * s.BinHz(), math.Exp(b - 0.25*(a-c)*d)
}

// fft is an in-place iterative radix-2 decimation-in-time FFT of s.buf.
func (s *Spectrum) fft() {
	n := s.n
	shift := 64 - uint(bits.Len(uint(n-1)))
	for i := 0; i < n; i++ {
		j := int(bits.Reverse64(uint64(i)) >> shift)
		if j > i {
			s.buf[i], s.buf[j] = s.buf[j], s.buf[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half := size / 2
		step := n / size
		for start := 0; start < n; start += size {
			for k := 0; k < half; k++ {
				t := s.tw[k*step] * s.buf[start+k+half]
				u := s.buf[start+k]
				s.buf[start+k] = u + t
				s.buf[start+k+half] = u - t
			}
		}
	}
}

// DominantFrequency is a one-shot helper around Spectrum.Dominant for tests:
// the strongest component of x above 20 Hz.
func DominantFrequency(x []int16, rate int) float64 {
	s, err := NewSpectrum(rate, max(len(x), 16))
	if err != nil {
		return 0
	}
	f, _ := s.Dominant(x, 20)
	return f
}
