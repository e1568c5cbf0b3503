package media

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// dtmfEndRepeats is how often the final RFC 4733 packet is sent (docs/wazo-protocol.md, Authentication
// recommends three copies so one loss does not lose the end).
const dtmfEndRepeats = 3

// dtmfInterval is the spacing of RFC 4733 event updates.
const dtmfInterval = 20 * time.Millisecond

// defaultDTMFDuration is the tone length when the caller gives none.
const defaultDTMFDuration = 100 * time.Millisecond

// ErrNotNegotiated is returned when sending before offer/answer completed.
var ErrNotNegotiated = errors.New("media: not negotiated yet")

// sendTrack is the stand-in's own TrackLocal: pion's static tracks either
// cannot carry telephone-event (TrackLocalStaticSample) or overwrite the
// payload type (TrackLocalStaticRTP), and audio and RFC 4733 events must
// share one SSRC, sequence and timestamp space (RFC 4733 §2.1).
type sendTrack struct {
	mu      sync.Mutex
	writer  webrtc.TrackLocalWriter
	ssrc    uint32
	pt      uint8
	dtmfPT  uint8
	clock   uint32
	seq     uint16
	ts      uint32
	inEvent bool
	prefer  string // MIME type chosen from the SDP, so Bind agrees with Codec
}

func newSendTrack() *sendTrack {
	var b [6]byte
	_, _ = rand.Read(b[:])
	// RFC 3550 §5.1: random initial sequence number and timestamp.
	return &sendTrack{seq: binary.BigEndian.Uint16(b[:2]), ts: binary.BigEndian.Uint32(b[2:])}
}

func (t *sendTrack) ID() string                { return "audio" }
func (t *sendTrack) RID() string               { return "" }
func (t *sendTrack) StreamID() string          { return "wazostandin" }
func (t *sendTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// Bind implements webrtc.TrackLocal: the first negotiated audio codec is the
// one the answer preferred (RFC 3264 §6.1).
func (t *sendTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var chosen *webrtc.RTPCodecParameters
	t.dtmfPT = 0
	cs := ctx.CodecParameters()
	for i, c := range cs {
		switch {
		case strings.EqualFold(c.MimeType, mimeTelephoneEvent):
			if t.dtmfPT == 0 {
				t.dtmfPT = uint8(c.PayloadType)
			}
		case chosen == nil, strings.EqualFold(c.MimeType, t.prefer) && !strings.EqualFold(chosen.MimeType, t.prefer):
			chosen = &cs[i]
		}
	}
	if chosen == nil {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("media: no audio codec negotiated")
	}
	t.writer = ctx.WriteStream()
	t.ssrc = uint32(ctx.SSRC())
	t.pt = uint8(chosen.PayloadType)
	t.clock = chosen.ClockRate
	return *chosen, nil
}

// Unbind implements webrtc.TrackLocal.
func (t *sendTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.writer = nil
	t.mu.Unlock()
	return nil
}

func (t *sendTrack) setPreferred(mime string) {
	t.mu.Lock()
	t.prefer = mime
	t.mu.Unlock()
}

// writeAudio sends one encoded frame covering d.
func (t *sendTrack) writeAudio(payload []byte, d time.Duration) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return ErrNotNegotiated
	}
	if t.inEvent {
		t.ts += samples(d, t.clock)
		return nil // RFC 4733 §2.5.1.5: no audio while an event plays
	}
	err := t.writeLocked(t.pt, false, t.ts, payload)
	t.ts += samples(d, t.clock)
	return err
}

func (t *sendTrack) writeLocked(pt uint8, marker bool, ts uint32, payload []byte) error {
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Marker: marker,
		SequenceNumber: t.seq, Timestamp: ts, SSRC: t.ssrc}, Payload: payload}
	t.seq++
	_, err := t.writer.WriteRTP(&pkt.Header, pkt.Payload)
	return err
}

// sendDTMF plays one RFC 4733 event; it blocks for about d.
func (t *sendTrack) sendDTMF(digit rune, d time.Duration, stop <-chan struct{}) error {
	ev, ok := dtmfEvent(digit)
	if !ok {
		return fmt.Errorf("media: bad DTMF digit %q", digit)
	}
	if d <= 0 {
		d = defaultDTMFDuration
	}
	t.mu.Lock()
	if t.writer == nil || t.dtmfPT == 0 {
		t.mu.Unlock()
		return ErrNotNegotiated
	}
	t.inEvent = true
	start := t.ts
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.inEvent = false
		if end := start + samples(d, t.clock); int32(t.ts-end) < 0 {
			t.ts = end // the next event needs a new timestamp (RFC 4733 §2.5.1.3)
		}
		t.mu.Unlock()
	}()
	tick := time.NewTicker(dtmfInterval)
	defer tick.Stop()
	for elapsed, first := dtmfInterval, true; ; elapsed, first = elapsed+dtmfInterval, false {
		final := elapsed >= d
		if final {
			elapsed = d
		}
		n := 1
		if final {
			n = dtmfEndRepeats
		}
		for i := range n {
			if err := t.writeEvent(ev, start, elapsed, final, first && i == 0); err != nil {
				return err
			}
		}
		if final {
			return nil
		}
		select {
		case <-tick.C:
		case <-stop:
			return errClosed
		}
	}
}

// writeEvent writes one telephone-event payload (RFC 4733 §2.3): event,
// E bit, volume 10 (-10 dBm0), duration in 8 kHz units.
func (t *sendTrack) writeEvent(ev uint8, ts uint32, elapsed time.Duration, end, first bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return ErrNotNegotiated
	}
	dur := min(samples(elapsed, 8000), 0xffff)
	b := []byte{ev, 10, byte(dur >> 8), byte(dur)}
	if end {
		b[1] |= 0x80
	}
	return t.writeLocked(t.dtmfPT, first, ts, b)
}

func samples(d time.Duration, clock uint32) uint32 {
	return uint32(d * time.Duration(clock) / time.Second)
}

// dtmfEvent maps a digit to its RFC 4733 §3.2 event code.
func dtmfEvent(d rune) (uint8, bool) {
	switch {
	case d >= '0' && d <= '9':
		return uint8(d - '0'), true
	case d == '*':
		return 10, true
	case d == '#':
		return 11, true
	case d >= 'A' && d <= 'D':
		return uint8(d-'A') + 12, true
	case d >= 'a' && d <= 'd':
		return uint8(d-'a') + 12, true
	}
	return 0, false
}
