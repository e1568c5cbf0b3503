package rtc

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// audioTrack is Parley's own webrtc.TrackLocal. pion's static tracks cannot
// carry RFC 4733 events (TrackLocalStaticSample has no telephone-event
// payloader, TrackLocalStaticRTP overwrites the payload type), so this track
// writes audio and DTMF itself on one SSRC with one sequence-number and
// timestamp space, as RFC 4733 §2.1 requires.
type audioTrack struct {
	id, streamID string

	mu        sync.Mutex
	writer    webrtc.TrackLocalWriter // nil until pion binds the track
	ssrc      uint32
	pt        uint8
	clockRate uint32
	dtmfPT    uint8 // 0: telephone-event not negotiated
	dtmfRate  uint32
	prefer    string // MIME type to bind to, from the negotiated SDP
	hdr       rtp.Header
	seq       uint16
	ts        uint32
	sending   bool // negotiated direction lets us send
	dtmf      bool // an RFC 4733 event is in progress: audio is suppressed
	marker    bool // next audio packet starts a talkspurt (RFC 3551 §4.1)

	// clockTS is the audio clock at clockAt (the last frame or event end):
	// the anchor from which the clock is carried forward when no frames flow.
	clockTS      uint32
	clockAt      time.Time
	lastFrameAt  time.Time     // when the audio source last delivered a frame
	step         uint32        // timestamp units of the last audio frame (0: none yet)
	lastEventEnd time.Time     // end of the last RFC 4733 event, for DTMFGap
	dtmfTurn     chan struct{} // one event at a time: held while sending
	// eventEnd is the RTP time at which the last event's span ends: audio
	// frames that start before it overlap the event and are dropped while
	// suppressing (only the clock advances), and the next event starts no
	// earlier.
	eventEnd    uint32
	hadEvent    bool
	suppressing bool

	packets, octets atomic.Uint64
}

func newAudioTrack() *audioTrack {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)

	// RFC 3550 §5.1: random initial sequence number and timestamp.
	return &audioTrack{
		id: "audio", streamID: "parley",
		seq: binary.BigEndian.Uint16(b[:2]), ts: binary.BigEndian.Uint32(b[2:]),
		sending: true, marker: true, dtmfTurn: make(chan struct{}, 1),
	}
}

func (t *audioTrack) ID() string                { return t.id }
func (t *audioTrack) RID() string               { return "" }
func (t *audioTrack) StreamID() string          { return t.streamID }
func (t *audioTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// setPreferred names the codec Bind must choose (the first codec of the answer).
func (t *audioTrack) setPreferred(mime string) {
	t.mu.Lock()
	t.prefer = mime
	t.mu.Unlock()
}

// Bind implements webrtc.TrackLocal. pion calls it when the RTPSender starts,
// with the codecs negotiated for sending (the far end's payload types).
func (t *audioTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	t.mu.Lock()
	defer t.mu.Unlock()

	var chosen *webrtc.RTPCodecParameters
	codecs := ctx.CodecParameters()
	for i := range codecs {
		c := &codecs[i]
		if strings.EqualFold(c.MimeType, mimeTelephoneEvent) {
			continue
		}
		if chosen == nil || (t.prefer != "" && strings.EqualFold(c.MimeType, t.prefer) &&
			!strings.EqualFold(chosen.MimeType, t.prefer)) {
			chosen = c
		}
	}
	if chosen == nil {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: %w", ErrNoCommonCodec, webrtc.ErrUnsupportedCodec)
	}
	t.writer = ctx.WriteStream()
	t.ssrc = uint32(ctx.SSRC())
	t.pt = uint8(chosen.PayloadType)
	t.clockRate = chosen.ClockRate
	t.dtmfPT, t.dtmfRate = 0, 0
	var events []RTPMap
	for _, c := range codecs {
		if strings.EqualFold(c.MimeType, mimeTelephoneEvent) {
			events = append(events, RTPMap{PayloadType: uint8(c.PayloadType), Name: "telephone-event", ClockRate: c.ClockRate})
		}
	}
	if m, ok := pickTelephoneEvent(events, chosen.ClockRate); ok {
		t.dtmfPT, t.dtmfRate = m.PayloadType, m.ClockRate
	}
	t.clockTS, t.clockAt = t.ts, time.Now()

	return *chosen, nil
}

// Unbind implements webrtc.TrackLocal.
func (t *audioTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.writer = nil
	t.mu.Unlock()

	return nil
}

// setSending applies the negotiated direction (RFC 3264 §5.1: a recvonly or
// inactive stream MUST NOT send RTP).
func (t *audioTrack) setSending(on bool) {
	t.mu.Lock()
	if on && !t.sending {
		t.marker = true
	}
	t.sending = on
	t.mu.Unlock()
}

// samples converts a duration to RTP timestamp units.
func samples(d time.Duration, rate uint32) uint32 {
	return uint32(int64(d) * int64(rate) / int64(time.Second))
}

// writeAudio sends one encoded frame, or only advances the timestamp while
// the direction forbids sending or a DTMF event is in progress, so that the
// timestamp keeps following the sampling clock (RFC 3550 §5.1).
func (t *audioTrack) writeAudio(payload []byte, d time.Duration) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return ErrNotNegotiated
	}
	step := samples(d, t.clockRate)
	now := time.Now()
	t.step, t.lastFrameAt = step, now
	if t.suppressing && int32(t.ts-t.eventEnd) >= 0 {
		t.suppressing = false
	}
	if !t.sending || t.dtmf || t.suppressing {
		t.ts += step
		t.clockTS, t.clockAt = t.ts, now
		t.marker = true

		return nil
	}
	t.hdr = rtp.Header{
		Version: 2, Marker: t.marker, PayloadType: t.pt,
		SequenceNumber: t.seq, Timestamp: t.ts, SSRC: t.ssrc,
	}
	t.marker = false
	t.seq++
	t.ts += step
	t.clockTS, t.clockAt = t.ts, now
	if _, err := t.writer.WriteRTP(&t.hdr, payload); err != nil {
		return fmt.Errorf("send audio: %w", err)
	}
	t.packets.Add(1)
	t.octets.Add(uint64(len(payload)))

	return nil
}

// writeKeepAlive sends an empty packet of payload type pt (see
// Sender.SendKeepAlive); the sequence number advances so the far end's
// loss accounting sees no gap when audio returns.
func (t *audioTrack) writeKeepAlive(pt uint8) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return nil
	}
	t.hdr = rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: t.seq, Timestamp: t.ts, SSRC: t.ssrc}
	t.seq++
	if _, err := t.writer.WriteRTP(&t.hdr, nil); err != nil {
		return fmt.Errorf("send keep-alive: %w", err)
	}
	t.packets.Add(1)

	return nil
}
