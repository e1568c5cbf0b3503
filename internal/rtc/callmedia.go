package rtc

import (
	"context"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
)

// CallMedia is one call's media session as the phone engine and the audio
// pipeline use it: SDP in, SDP out, encoded audio and RFC 4733 events both
// ways, direction (hold) and quality figures. *Session (WebRTC: ICE +
// DTLS-SRTP) and internal/rtpmedia's *Session (plain RTP and SDES-SRTP)
// implement it, so a call works the same on either path. Errors wrap this
// package's sentinels (ErrWrongState, ErrDTMFNotNegotiated, ErrMediaMoved...)
// on both.
type CallMedia interface {
	// CreateOffer makes the initial offer of an outgoing call.
	CreateOffer(ctx context.Context) ([]byte, error)
	// Reoffer makes a re-offer on the established session (hold: dir
	// DirectionSendOnly; resume: DirectionSendRecv).
	Reoffer(ctx context.Context, dir Direction) ([]byte, error)
	// SetAnswer applies the far end's answer to our offer or re-offer.
	SetAnswer(answer []byte) error
	// ReplaceAnswer applies a final answer that differs from the
	// early-media one applied before (RFC 3960).
	ReplaceAnswer(answer []byte) error
	// Answer answers the initial offer of an incoming call.
	Answer(ctx context.Context, offer []byte) ([]byte, error)
	// AnswerReoffer answers the far end's re-offer.
	AnswerReoffer(ctx context.Context, offer []byte) ([]byte, error)
	// LocalDirection and RemoteDirection are the negotiated directions.
	LocalDirection() Direction
	RemoteDirection() Direction
	// Codec is the negotiated codec and telephone-event payload type.
	Codec() codec.Params
	// SendAudio sends one encoded frame lasting d.
	SendAudio(payload []byte, d time.Duration) error
	// SetRTPHandler sets the receiver of incoming audio packets.
	SetRTPHandler(fn func(pkt *rtp.Packet))
	// OnDTMF sets the function called once per received RFC 4733 event.
	OnDTMF(fn func(digit rune))
	// SendDTMF sends one digit as an RFC 4733 event, paced in real time.
	SendDTMF(ctx context.Context, digit rune, duration time.Duration) error
	// Stats is a snapshot of the stream's quality figures.
	Stats() Stats
	// State, OnStateChange and WaitConnected follow the media connection.
	State() State
	OnStateChange(fn func(State))
	WaitConnected(ctx context.Context) error
	// Close ends the session and waits for its goroutines.
	Close() error
}

var _ CallMedia = (*Session)(nil)
