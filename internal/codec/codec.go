package codec

import (
	"errors"
	"fmt"
	"log/slog"
)

// Audio format on the Parley side of every codec: 48 kHz mono int16, one
// 20 ms frame per RTP packet (the RFC 7587 §4.2 / RFC 3551 §4.5 default ptime).
const (
	SampleRate   = 48000
	FrameSamples = SampleRate / 50 // 960
	// MaxFrameSamples is the largest frame a Decoder can return: 120 ms, the
	// longest Opus packet (RFC 6716 §3.2.5). Size decode buffers with it.
	MaxFrameSamples = SampleRate * 120 / 1000
	// MaxPayload is a payload buffer large enough for any encoded frame.
	MaxPayload = 1500
)

// Sentinel errors.
var (
	ErrUnsupported = errors.New("codec: unsupported codec")
	ErrFrameSize   = errors.New("codec: frame must be 20 ms (960 samples at 48 kHz)")
	ErrBuffer      = errors.New("codec: buffer too small")
	ErrBadPayload  = errors.New("codec: payload cannot be decoded")
)

// Encoder turns 20 ms frames of 48 kHz mono PCM into RTP payloads.
// Implementations are not safe for concurrent use.
type Encoder interface {
	// Encode encodes one FrameSamples frame into dst and returns the payload
	// length. A length of 0 with a nil error means "send nothing": the codec
	// is in discontinuous transmission (Opus DTX, RFC 7587 §3.1.3).
	Encode(pcm []int16, dst []byte) (int, error)
	// SetPacketLoss tells the encoder the loss the far end reports (RTCP
	// fraction lost, percent) so it can spend bits on in-band FEC. Codecs
	// without FEC ignore it.
	SetPacketLoss(percent int)
	// Params is the codec this encoder speaks.
	Params() Params
}

// Decoder turns RTP payloads back into 48 kHz mono PCM.
// Implementations are not safe for concurrent use.
type Decoder interface {
	// Decode decodes one payload into pcm and returns the number of samples
	// (960 for a 20 ms packet; up to MaxFrameSamples). Garbage input returns
	// an error wrapping ErrBadPayload, never a panic.
	Decode(payload []byte, pcm []int16) (int, error)
	// DecodeLost conceals one lost 20 ms frame. next is the packet that
	// followed the loss, or nil: codecs with in-band FEC (Opus LBRR,
	// RFC 6716 §2.1.7) rebuild the lost frame from it; the others run
	// packet loss concealment. Call Decode(next) afterwards as usual.
	DecodeLost(next []byte, pcm []int16) (int, error)
	// Params is the codec this decoder speaks.
	Params() Params
}

// New returns an encoder and a decoder for the negotiated codec p.
func New(p Params, opts ...Option) (Encoder, Decoder, error) {
	enc, err := NewEncoder(p, opts...)
	if err != nil {
		return nil, nil, err
	}
	dec, err := NewDecoder(p, opts...)
	if err != nil {
		return nil, nil, err
	}
	return enc, dec, nil
}

// NewEncoder returns an encoder for p (OPUS, PCMU, PCMA or G722).
func NewEncoder(p Params, opts ...Option) (Encoder, error) {
	cfg := newConfig(opts)
	switch {
	case p.Is(NameOpus):
		return newOpusEncoder(p, cfg)
	case p.Is(NamePCMU), p.Is(NamePCMA):
		return newG711Encoder(p, cfg)
	case p.Is(NameG722):
		return newG722Encoder(p, cfg)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupported, p.Name)
}

// NewDecoder returns a decoder for p (OPUS, PCMU, PCMA or G722).
func NewDecoder(p Params, opts ...Option) (Decoder, error) {
	cfg := newConfig(opts)
	switch {
	case p.Is(NameOpus):
		return newOpusDecoder(p, cfg)
	case p.Is(NamePCMU), p.Is(NamePCMA):
		return newG711Decoder(p, cfg)
	case p.Is(NameG722):
		return newG722Decoder(p, cfg)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupported, p.Name)
}

// Option configures encoders and decoders built by New.
type Option func(*config)

type config struct {
	bitrate    int
	lossPct    int
	fec        bool
	dtx        bool
	complexity int
	log        *slog.Logger
}

func newConfig(opts []Option) config {
	c := config{bitrate: 32000, lossPct: 5, fec: true, complexity: 9, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithBitrate sets the Opus target bitrate in bit/s (6000..510000).
// The default, 32 kbit/s, gives fullband speech with room for FEC.
func WithBitrate(bps int) Option { return func(c *config) { c.bitrate = bps } }

// WithPacketLoss sets the initial expected loss (percent) for Opus in-band
// FEC; libopus only emits LBRR data when this is non-zero. Default 5.
func WithPacketLoss(pct int) Option { return func(c *config) { c.lossPct = pct } }

// WithFEC turns Opus in-band FEC on (default) or off.
func WithFEC(on bool) Option { return func(c *config) { c.fec = on } }

// WithDTX turns Opus discontinuous transmission on: silent frames are
// reported as 0-byte payloads (do not send them) except one every 400 ms.
func WithDTX(on bool) Option { return func(c *config) { c.dtx = on } }

// WithComplexity sets the Opus encoder complexity (0..10, default 9).
func WithComplexity(n int) Option { return func(c *config) { c.complexity = n } }

// WithLogger sets the logger for rare events (never on the per-frame path).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}
