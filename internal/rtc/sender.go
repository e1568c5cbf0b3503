package rtc

import (
	"context"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
)

// PacketWriter sends one RTP packet; a Sender's only way out.
type PacketWriter interface {
	WriteRTP(h *rtp.Header, payload []byte) (int, error)
}

// Sender is the audio track's packet writer for a media path other than
// pion's PeerConnection (internal/rtpmedia's plain RTP session): the same
// code sends audio and RFC 4733 events on one SSRC, sequence-number and
// timestamp space (RFC 4733 §2.1), paced in real time with the clock rules
// of dtmf.go, whichever transport carries the packets. Safe for concurrent
// use.
type Sender struct{ t *audioTrack }

// NewSender returns a Sender with a random initial sequence number and
// timestamp (RFC 3550 §5.1). It sends nothing until Bind.
func NewSender() *Sender { return &Sender{t: newAudioTrack()} }

// packetWriterAdapter gives a PacketWriter webrtc.TrackLocalWriter's shape.
type packetWriterAdapter struct{ w PacketWriter }

func (a packetWriterAdapter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	return a.w.WriteRTP(h, payload)
}

func (a packetWriterAdapter) Write(b []byte) (int, error) {
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		return 0, err
	}
	return a.w.WriteRTP(&p.Header, p.Payload)
}

// Bind starts (or, after a renegotiation, retargets) sending p's codec and
// telephone-event payload types on ssrc through w. The sequence number and
// timestamp carry on across re-binds.
func (s *Sender) Bind(w PacketWriter, ssrc uint32, p codec.Params) {
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writer = packetWriterAdapter{w: w}
	t.ssrc = ssrc
	t.pt = p.PayloadType
	t.clockRate = p.ClockRate
	t.dtmfPT, t.dtmfRate = p.DTMFPayloadType, p.DTMFClockRate
	if t.dtmfPT != 0 && t.dtmfRate == 0 {
		t.dtmfRate = p.ClockRate
	}
	if t.clockAt.IsZero() {
		t.clockTS, t.clockAt = t.ts, time.Now()
	}
}

// SetSending applies the negotiated direction (RFC 3264 §5.1).
func (s *Sender) SetSending(on bool) { s.t.setSending(on) }

// SendAudio sends one encoded frame lasting d, or only advances the clock
// while sending is off or an event is in progress (see Session.SendAudio).
func (s *Sender) SendAudio(payload []byte, d time.Duration) error {
	return s.t.writeAudio(payload, d)
}

// SendDTMF sends one RFC 4733 event in real time (see Session.SendDTMF);
// stop aborts it when the session closes.
func (s *Sender) SendDTMF(ctx context.Context, digit rune, d time.Duration, stop <-chan struct{}) error {
	return s.t.sendDTMF(ctx, digit, d, stop)
}

// Sent returns the packets and payload bytes sent so far (audio and DTMF).
func (s *Sender) Sent() (packets, octets uint64) {
	return s.t.packets.Load(), s.t.octets.Load()
}

// RTPTime is the RTP timestamp of the sampling instant now, for the
// NTP/RTP pair of an RTCP sender report (RFC 3550 §6.4.1): the clock of the
// last frame carried forward by wall time.
func (s *Sender) RTPTime(now time.Time) uint32 {
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.clockAt.IsZero() || now.Before(t.clockAt) {
		return t.ts
	}
	return t.clockTS + samples(now.Sub(t.clockAt), t.clockRate)
}

// DTMFReceiver reports each received RFC 4733 event once (the updates and
// end retransmissions of one event share its timestamp, §2.5.1.4). Not safe
// for concurrent use: one per reader goroutine.
type DTMFReceiver struct{ r dtmfReceiver }

// Receive returns the digit of pkt if it starts a new event.
func (d *DTMFReceiver) Receive(pkt *rtp.Packet) (rune, bool) { return d.r.receive(pkt) }

// PickTelephoneEvent chooses the telephone-event format to send with an
// audio codec of clock rate rate (see pickTelephoneEvent).
func PickTelephoneEvent(maps []RTPMap, rate uint32) (RTPMap, bool) {
	return pickTelephoneEvent(maps, rate)
}

// AnswerTo is the direction an answerer wishing d answers an offer of
// direction offered with (RFC 3264 §6.1).
func (d Direction) AnswerTo(offered Direction) Direction { return d.answerTo(offered) }

// HoldOffer is the direction to offer to hold a far end that last declared
// remote (RFC 3264 §8.4).
func HoldOffer(remote Direction) Direction { return holdOffer(remote) }

// ParseDirection maps an SDP direction attribute to a Direction
// (DirectionUnknown for any other attribute).
func ParseDirection(key string) Direction { return parseDirection(key) }

// MakeDirection builds a Direction from its send and receive halves.
func MakeDirection(send, recv bool) Direction { return makeDirection(send, recv) }

// SendKeepAlive sends one RTP packet with payload type pt and no payload
// in the stream's sequence-number space, whatever the direction: RFC 6263
// §4.2's keep-alive for a far end's NAT binding, with a payload type the
// session did not negotiate, so the far end drops it (RFC 3550 §5.1).
// It does nothing before Bind.
func (s *Sender) SendKeepAlive(pt uint8) error { return s.t.writeKeepAlive(pt) }
