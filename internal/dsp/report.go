package dsp

import (
	"fmt"
	"math"
	"strings"
)

// ToneCheck says what a signal is expected to contain.
type ToneCheck struct {
	// Rate is the sample rate (0 means SampleRate).
	Rate int
	// Expected are the frequencies (Hz) that must be present.
	Expected []float64
	// MinDBFS is the level an expected tone must reach (default -40 dBFS).
	MinDBFS float64
	// UnexpectedDBFS is the level above which any other spectral peak counts
	// as unexpected (default -35 dBFS). Codec noise and harmonics sit well
	// below it; a wrong tone does not.
	UnexpectedDBFS float64
	// ToleranceHz is how far a peak may sit from an expected tone and still
	// be that tone (default 3 FFT bins, at least 15 Hz).
	ToleranceHz float64
	// MinHz ignores peaks below it (default 50 Hz: DC and hum).
	MinHz float64
}

// ToneLevel is the measured level of one expected tone.
type ToneLevel struct {
	Freq float64
	DBFS float64
}

// ToneReport is what CheckTones heard.
type ToneReport struct {
	Present    []ToneLevel // expected tones at or above MinDBFS
	Missing    []ToneLevel // expected tones below MinDBFS
	Unexpected []Peak      // peaks above UnexpectedDBFS far from every expected tone
	Dominant   float64     // strongest frequency above MinHz
	RMSdBFS    float64     // overall level
}

// OK reports whether every expected tone is present and nothing else is.
func (r ToneReport) OK() bool { return len(r.Missing) == 0 && len(r.Unexpected) == 0 }

// String is a one-line summary for test failures.
func (r ToneReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rms %.1f dBFS, dominant %.1f Hz; present", r.RMSdBFS, r.Dominant)
	for _, t := range r.Present {
		fmt.Fprintf(&b, " %.0f Hz@%.1f", t.Freq, t.DBFS)
	}
	b.WriteString("; missing")
	for _, t := range r.Missing {
		fmt.Fprintf(&b, " %.0f Hz@%.1f", t.Freq, t.DBFS)
	}
	b.WriteString("; unexpected")
	for _, p := range r.Unexpected {
		fmt.Fprintf(&b, " %.1f Hz@%.1f", p.Freq, p.DBFS())
	}
	return b.String()
}

// CheckTones "listens" to x: it measures each expected tone with a Goertzel
// filter and looks for other spectral peaks with an FFT. Use at least
// 100 ms of signal so tones 40 Hz apart are resolved.
func CheckTones(x []int16, chk ToneCheck) ToneReport {
	if chk.Rate <= 0 {
		chk.Rate = SampleRate
	}
	if chk.MinDBFS == 0 {
		chk.MinDBFS = -40
	}
	if chk.UnexpectedDBFS == 0 {
		chk.UnexpectedDBFS = -35
	}
	if chk.MinHz == 0 {
		chk.MinHz = 50
	}
	rep := ToneReport{RMSdBFS: RMSdBFS(x)}
	for _, f := range chk.Expected {
		l := ToneLevel{Freq: f, DBFS: TonedBFS(x, chk.Rate, f)}
		if l.DBFS >= chk.MinDBFS {
			rep.Present = append(rep.Present, l)
		} else {
			rep.Missing = append(rep.Missing, l)
		}
	}
	sp, err := NewSpectrum(chk.Rate, max(len(x), 16))
	if err != nil {
		return rep
	}
	rep.Dominant, _ = sp.Dominant(x, chk.MinHz)
	tol := chk.ToleranceHz
	if tol == 0 {
		// The Hann main lobe is 2 bins wide each side (of the unpadded length).
		tol = max(15, 3*float64(chk.Rate)/float64(max(len(x), 1)))
	}
	minRMS := math.Pow(10, chk.UnexpectedDBFS/20)
	for _, p := range sp.Peaks(nil, minRMS) {
		if p.Freq < chk.MinHz {
			continue
		}
		near := false
		for _, f := range chk.Expected {
			if math.Abs(p.Freq-f) <= tol {
				near = true
				break
			}
		}
		if !near {
			rep.Unexpected = append(rep.Unexpected, p)
		}
	}
	return rep
}
