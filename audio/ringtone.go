package audio

import (
	"fmt"
	"os"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
)

// Built-in ringtones (Settings.Ringtone).
const (
	// RingtoneClassic is dsp.Ringtone: a double burst of 1000+1250 Hz.
	RingtoneClassic = "classic"
	// RingtoneChime is a falling three-note chime, softer on the ear in an
	// open office.
	RingtoneChime = "chime"
	// RingtonePulse is a single 800 Hz beep every two seconds, the least
	// intrusive.
	RingtonePulse = "pulse"
)

// RingtoneNames lists the built-in ringtones in the order a menu shows them.
func RingtoneNames() []string { return []string{RingtoneClassic, RingtoneChime, RingtonePulse} }

func builtinRingtone(name string) (dsp.Cadence, bool) {
	switch name {
	case RingtoneClassic:
		return dsp.Ringtone(), true
	case RingtoneChime:
		return dsp.Cadence{Name: RingtoneChime, Amplitude: 0.3, Segments: []dsp.Segment{
			{Freqs: []float64{1319}, Dur: 250 * time.Millisecond},
			{Freqs: []float64{1047}, Dur: 250 * time.Millisecond},
			{Freqs: []float64{784}, Dur: 400 * time.Millisecond},
			{Dur: 2 * time.Second},
		}}, true
	case RingtonePulse:
		return dsp.Cadence{Name: RingtonePulse, Amplitude: 0.3, Segments: []dsp.Segment{
			{Freqs: []float64{800}, Dur: 300 * time.Millisecond},
			{Dur: 1700 * time.Millisecond},
		}}, true
	}
	return dsp.Cadence{}, false
}

// TestToneCadence is the speaker test: 440 Hz then 660 Hz, once, at a
// comfortable -15 dBFS peak.
func TestToneCadence() dsp.Cadence {
	return dsp.Cadence{Name: "test", Amplitude: 0.18, Once: true, Segments: []dsp.Segment{
		{Freqs: []float64{440}, Dur: 600 * time.Millisecond},
		{Dur: 150 * time.Millisecond},
		{Freqs: []float64{660}, Dur: 600 * time.Millisecond},
	}}
}

// ringSound is a prepared ringtone: a cadence scaled to the ring volume,
// or a WAV file's samples (48 kHz, scaled) looped with a pause.
type ringSound struct {
	cadence dsp.Cadence
	pcm     []int16 // nil for a cadence
}

// ringPause separates repetitions of a WAV ringtone.
const ringPause = 2 * time.Second

// loadRingSound prepares s's ringtone at s's volume. Reading a file
// happens here, off the audio thread.
func loadRingSound(s Settings) (ringSound, error) {
	if c, ok := builtinRingtone(s.Ringtone); ok {
		c.Amplitude *= s.RingVolume
		return ringSound{cadence: c}, nil
	}
	b, err := os.ReadFile(s.Ringtone)
	if err != nil {
		return ringSound{}, fmt.Errorf("ringtone: %w", err)
	}
	rate, pcm, err := dsp.ReadWAV(b)
	if err != nil {
		return ringSound{}, fmt.Errorf("ringtone %s: %w", s.Ringtone, err)
	}
	if rate <= 0 || len(pcm) == 0 {
		return ringSound{}, fmt.Errorf("%w: ringtone %s has no audio", ErrBadConfig, s.Ringtone)
	}
	const maxLen = 30 * SampleRate
	pcm = resampleLinear(pcm, rate, SampleRate)
	if len(pcm) > maxLen {
		pcm = pcm[:maxLen]
	}
	for i, v := range pcm {
		pcm[i] = clip16(int32(float64(v) * s.RingVolume))
	}
	pcm = append(pcm, make([]int16, int(ringPause*SampleRate/time.Second))...)
	return ringSound{pcm: pcm}, nil
}

// resampleLinear converts x from rate from to rate to by linear
// interpolation: enough for a ringtone, which is not speech on a call.
func resampleLinear(x []int16, from, to int) []int16 {
	if from == to {
		return x
	}
	n := int(int64(len(x)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		pos := float64(i) * float64(from) / float64(to)
		j := int(pos)
		f := pos - float64(j)
		a := float64(x[min(j, len(x)-1)])
		b := float64(x[min(j+1, len(x)-1)])
		out[i] = int16(a + (b-a)*f)
	}
	return out
}

// pcmLoop plays samples in a loop (or once). Only the audio thread calls
// Fill; it does not allocate.
type pcmLoop struct {
	pcm  []int16
	pos  int
	once bool
}

func (l *pcmLoop) Fill(buf []int16) {
	for len(buf) > 0 {
		if l.pos == len(l.pcm) {
			if l.once {
				clear(buf)
				return
			}
			l.pos = 0
		}
		n := copy(buf, l.pcm[l.pos:])
		l.pos += n
		buf = buf[n:]
	}
}

// duration is how long one pass of the sound lasts.
func (r ringSound) duration() time.Duration {
	if r.pcm != nil {
		return time.Duration(len(r.pcm)) * time.Second / SampleRate
	}
	return cadenceLength(r.cadence)
}
