package audio

import (
	"sync/atomic"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
)

// ToneKind names a local tone slot. Each slot plays at most one cadence at
// a time; slots mix, so DTMF feedback can sound over ringback.
type ToneKind int

const (
	// ToneRingback is the far end ringing (after 180 Ringing).
	ToneRingback ToneKind = iota
	// ToneBusy is the far end busy (486 Busy Here).
	ToneBusy
	// ToneDTMF is the feedback for a key the user pressed.
	ToneDTMF
	// ToneRingtone is the local ringer for an incoming call. It plays on
	// the ring device when DeviceConfig.Ring is set, else on the output.
	ToneRingtone
	// ToneTest is the speaker test of the audio settings.
	ToneTest
	// ToneMessage is a recorded message played on the call output (a
	// voicemail, PlayMessage).
	ToneMessage
	// ToneAlert warns that the line went down (it can no longer take
	// calls).
	ToneAlert
	numTones
)

func (k ToneKind) String() string {
	switch k {
	case ToneRingback:
		return "ringback"
	case ToneBusy:
		return "busy"
	case ToneDTMF:
		return "dtmf"
	case ToneRingtone:
		return "ringtone"
	case ToneTest:
		return "test"
	case ToneMessage:
		return "message"
	case ToneAlert:
		return "alert"
	}
	return "unknown"
}

// toneSlot hands a cadence player to the audio thread. The player is built
// off the audio thread and published with one atomic store, after which only
// the audio thread calls Fill (CadencePlayer is not safe for concurrent use);
// stopping is storing nil. The callback thus never locks or allocates.
type toneSlot struct {
	p atomic.Pointer[dsp.CadencePlayer]
}

// cadenceLength is how long a one-shot cadence lasts.
func cadenceLength(c dsp.Cadence) time.Duration {
	var d time.Duration
	for _, s := range c.Segments {
		d += s.Dur
	}
	return d
}
