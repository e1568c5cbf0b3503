package dsp

import "time"

// Region selects a family of call-progress tones.
type Region int

const (
	// RegionEU is the CEPT/ETSI plan (ETSI ES 201 970, ITU-T E.180 Suppl. 2):
	// a single 425 Hz tone. It is the default because Parley's first
	// deployments (Wazo) are European and 425 Hz is recognised world-wide.
	RegionEU Region = iota
	// RegionNA is the North American precise-tone plan (ANSI T1.401):
	// dual tones such as 440+480 Hz.
	RegionNA
)

// toneAmplitude is the per-component peak of local progress tones: about
// -19 dBFS per tone, near the -13..-19 dBm0 that E.180 asks for, so a tone
// is clearly audible but never louder than speech.
const toneAmplitude = 0.16

// Ringback is the tone the caller hears while the far end rings.
//   - EU: 425 Hz, 1 s on / 4 s off (ES 201 970 §6.2.2).
//   - NA: 440+480 Hz, 2 s on / 4 s off (T1.401).
func Ringback(r Region) Cadence {
	if r == RegionNA {
		return Cadence{Name: "ringback-na", Amplitude: toneAmplitude, Segments: []Segment{
			{Freqs: []float64{440, 480}, Dur: 2 * time.Second},
			{Dur: 4 * time.Second},
		}}
	}
	return Cadence{Name: "ringback-eu", Amplitude: toneAmplitude, Segments: []Segment{
		{Freqs: []float64{425}, Dur: time.Second},
		{Dur: 4 * time.Second},
	}}
}

// Busy is the tone for a busy or rejected call.
//   - EU: 425 Hz, 0.5 s on / 0.5 s off.
//   - NA: 480+620 Hz, 0.5 s on / 0.5 s off.
func Busy(r Region) Cadence {
	f := []float64{425}
	name := "busy-eu"
	if r == RegionNA {
		f, name = []float64{480, 620}, "busy-na"
	}
	return Cadence{Name: name, Amplitude: toneAmplitude, Segments: []Segment{
		{Freqs: f, Dur: 500 * time.Millisecond},
		{Dur: 500 * time.Millisecond},
	}}
}

// Ringtone is the local ringer for an incoming call. It is not a network
// tone, so it is the same in every region: a double burst of a 1000+1250 Hz
// pair (0.4 s on, 0.2 s off, 0.4 s on, 2 s off). The pair sits well inside
// small laptop speakers' band and is unlike any progress tone, so a user
// never mistakes an incoming call for ringback.
func Ringtone() Cadence {
	on := []float64{1000, 1250}
	return Cadence{Name: "ringtone", Amplitude: 0.35, Segments: []Segment{
		{Freqs: on, Dur: 400 * time.Millisecond},
		{Dur: 200 * time.Millisecond},
		{Freqs: on, Dur: 400 * time.Millisecond},
		{Dur: 2 * time.Second},
	}}
}

// DTMFTone is one key press as local feedback: the Q.23 pair for 100 ms
// (above the 40 ms minimum of Q.24) followed by silence, played once.
// ok is false when digit is not a DTMF key.
func DTMFTone(digit rune) (c Cadence, ok bool) {
	lo, hi, ok := DTMFFreqs(digit)
	if !ok {
		return Cadence{}, false
	}
	return Cadence{Name: "dtmf-" + string(digit), Amplitude: 0.25, Once: true, Segments: []Segment{
		{Freqs: []float64{lo, hi}, Dur: 100 * time.Millisecond},
		{Dur: 50 * time.Millisecond},
	}}, true
}
