package phone

import (
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
)

// MediaTransport is one call's encoded audio path, as the audio layer sees
// it. internal/rtc.Session implements it.
type MediaTransport interface {
	SendAudio(payload []byte, duration time.Duration) error
	SetRTPHandler(fn func(pkt *rtp.Packet))
	Codec() codec.Params
}

// AudioBackend connects calls to the microphone and speaker.
type AudioBackend interface {
	// Open starts audio for a call whose media is negotiated.
	Open(callID string, t MediaTransport) (CallAudio, error)
}

// CallAudio is one call's audio as the engine steers it.
type CallAudio interface {
	// SetActive makes this the call that is heard and fed the microphone.
	SetActive(active bool)
	// SetMuted sends silence instead of the microphone.
	SetMuted(muted bool)
	// SetHeld stops audio both ways.
	SetHeld(held bool)
	// Stats reports playout figures for call-quality events.
	Stats() AudioStats
	Close() error
}

// AudioStats are the receive-side figures only the audio layer knows.
type AudioStats struct {
	PlayoutDelay    time.Duration
	ConcealedFrames uint64
}
