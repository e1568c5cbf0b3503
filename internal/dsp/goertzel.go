package dsp

import "math"

// ToneRMS measures the RMS level (normalised, 0..1) of the component of x
// at freq Hz with a Hann-windowed Goertzel filter (generalised to a
// non-integer bin, so any frequency is measurable). For a pure sine of
// peak A it returns about A/sqrt(2), the same scale as RMS. The Hann window
// keeps a strong tone 40 Hz away (ringback's 440+480 Hz pair, with a
// 100 ms window) from leaking into the measurement. It does not allocate.
func ToneRMS(x []int16, rate int, freq float64) float64 {
	n := len(x)
	if n < 2 || rate <= 0 || freq < 0 || freq > float64(rate)/2 || math.IsNaN(freq) {
		return 0
	}
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	// Hann window by recurrence: w[i] = 0.5 - 0.5 cos(2πi/(n-1)).
	dw := 2 * math.Pi / float64(n-1)
	cr, ci := 1.0, 0.0 // cos, sin of window phase
	sd, cd := math.Sin(dw), math.Cos(dw)
	var s1, s2, wsum float64
	for i := 0; i < n; i++ {
		win := 0.5 - 0.5*cr
		cr, ci = cr*cd-ci*sd, ci*cd+cr*sd
		wsum += win
		s0 := float64(x[i])/32768*win + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	if power < 0 {
		power = 0
	}
	amp := 2 * math.Sqrt(power) / wsum
	return amp / math.Sqrt2
}

// TonedBFS is ToneRMS in dBFS.
func TonedBFS(x []int16, rate int, freq float64) float64 {
	return DBFS(ToneRMS(x, rate, freq))
}
