package dsp

import "math"

// SilenceDBFS is what level functions return for digital silence, instead
// of -Inf, so comparisons and logs stay finite.
const SilenceDBFS = -200.0

// RMS returns the root-mean-square of x normalised to full scale (0..1).
func RMS(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var sum float64
	for _, s := range x {
		v := float64(s)
		sum += v * v
	}
	return math.Sqrt(sum/float64(len(x))) / 32768
}

// RMSdBFS returns the RMS level of x in dBFS (see the package comment).
func RMSdBFS(x []int16) float64 { return DBFS(RMS(x)) }

// DBFS converts a normalised RMS value to dBFS.
func DBFS(rms float64) float64 {
	if rms <= 0 || math.IsNaN(rms) {
		return SilenceDBFS
	}
	return max(20*math.Log10(rms), SilenceDBFS)
}

// PeakLevel returns the largest absolute sample normalised to full scale.
func PeakLevel(x []int16) float64 {
	var p int
	for _, s := range x {
		v := int(s)
		if v < 0 {
			v = -v
		}
		p = max(p, v)
	}
	return float64(p) / 32768
}
