package codec

import (
	"errors"
	"fmt"

	"github.com/thesyncim/gopus"
)

// Opus, RFC 6716, carried in RTP per RFC 7587, through the pure-Go gopus
// implementation (see docs/decisions/0002-opus-library.md). We always
// encode mono at 48 kHz in 20 ms frames; a mono decoder also accepts the
// far end's stereo packets (RFC 7587 §3.4: the receiver may downmix).

// opusDTXMaxBytes: in DTX libopus emits packets of at most 2 bytes, which
// RFC 7587 §3.1.3 says need not be sent.
const opusDTXMaxBytes = 2

type opusEncoder struct {
	p   Params
	enc *gopus.Encoder
	dtx bool
}

func newOpusEncoder(p Params, cfg config) (*opusEncoder, error) {
	if p.ClockRate != 0 && p.ClockRate != SampleRate {
		return nil, fmt.Errorf("%w: OPUS at %d Hz (RFC 7587 §4.1 requires 48000)", ErrUnsupported, p.ClockRate)
	}
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: SampleRate, Channels: 1, Application: gopus.ApplicationVoIP})
	if err != nil {
		return nil, fmt.Errorf("create Opus encoder: %w", err)
	}
	if err := enc.SetFrameSize(FrameSamples); err != nil {
		return nil, fmt.Errorf("set Opus frame size: %w", err)
	}
	if err := enc.SetBitrate(cfg.bitrate); err != nil {
		return nil, fmt.Errorf("set Opus bitrate %d: %w", cfg.bitrate, err)
	}
	if err := enc.SetComplexity(cfg.complexity); err != nil {
		return nil, fmt.Errorf("set Opus complexity %d: %w", cfg.complexity, err)
	}
	fec := gopus.InBandFECDisabled
	if cfg.fec {
		fec = gopus.InBandFECEnabled
	}
	if err := enc.SetInBandFEC(fec); err != nil {
		return nil, fmt.Errorf("set Opus in-band FEC: %w", err)
	}
	if err := enc.SetPacketLoss(clampLoss(cfg.lossPct)); err != nil {
		return nil, fmt.Errorf("set Opus packet loss %d%%: %w", cfg.lossPct, err)
	}
	enc.SetDTX(cfg.dtx)
	return &opusEncoder{p: p, enc: enc, dtx: cfg.dtx}, nil
}

func clampLoss(pct int) int { return max(0, min(100, pct)) }

func (e *opusEncoder) Params() Params { return e.p }

func (e *opusEncoder) SetPacketLoss(pct int) { _ = e.enc.SetPacketLoss(clampLoss(pct)) }

func (e *opusEncoder) Encode(pcm []int16, dst []byte) (int, error) {
	if len(pcm) != FrameSamples {
		return 0, fmt.Errorf("%w: got %d samples", ErrFrameSize, len(pcm))
	}
	n, err := e.enc.EncodeInt16(pcm, dst)
	if err != nil {
		if errors.Is(err, gopus.ErrBufferTooSmall) {
			return 0, fmt.Errorf("%w: %v", ErrBuffer, err)
		}
		return 0, fmt.Errorf("encode Opus frame: %w", err)
	}
	if e.dtx && n <= opusDTXMaxBytes {
		return 0, nil
	}
	return n, nil
}

type opusDecoder struct {
	p       Params
	dec     *gopus.Decoder
	pcm     []int16   // MaxFrameSamples scratch
	fec     []float32 // FrameSamples scratch for FEC decode (float API only)
	lastDur int
}

func newOpusDecoder(p Params, _ config) (*opusDecoder, error) {
	if p.ClockRate != 0 && p.ClockRate != SampleRate {
		return nil, fmt.Errorf("%w: OPUS at %d Hz (RFC 7587 §4.1 requires 48000)", ErrUnsupported, p.ClockRate)
	}
	dec, err := gopus.NewDecoder(gopus.DefaultDecoderConfig(SampleRate, 1))
	if err != nil {
		return nil, fmt.Errorf("create Opus decoder: %w", err)
	}
	return &opusDecoder{p: p, dec: dec, pcm: make([]int16, MaxFrameSamples),
		fec: make([]float32, MaxFrameSamples), lastDur: FrameSamples}, nil
}

func (d *opusDecoder) Params() Params { return d.p }

func (d *opusDecoder) Decode(payload []byte, pcm []int16) (int, error) {
	if len(payload) == 0 {
		return 0, fmt.Errorf("%w: empty Opus payload", ErrBadPayload)
	}
	n, err := d.dec.DecodeInt16(payload, d.pcm)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	if len(pcm) < n {
		return 0, fmt.Errorf("%w: %d samples for a %d-sample Opus packet", ErrBuffer, len(pcm), n)
	}
	d.lastDur = n
	return copy(pcm, d.pcm[:n]), nil
}

func (d *opusDecoder) DecodeLost(next []byte, pcm []int16) (int, error) {
	if len(pcm) < FrameSamples {
		return 0, fmt.Errorf("%w: %d samples for %d", ErrBuffer, len(pcm), FrameSamples)
	}
	// The jitter buffer conceals in 20 ms steps whatever the far end's ptime.
	if len(next) > 0 {
		// RFC 6716 §2.1.7: the LBRR data in the next packet re-encodes this
		// frame at lower quality; without LBRR gopus falls back to PLC.
		n, err := d.dec.DecodeWithFEC(next, d.fec[:FrameSamples], true)
		if err == nil {
			for i := range n {
				pcm[i] = floatToInt16(d.fec[i])
			}
			return n, nil
		}
		// A corrupt next packet: conceal instead.
	}
	n, err := d.dec.DecodeInt16(nil, pcm[:FrameSamples])
	if err != nil {
		clear(pcm[:FrameSamples])
		return FrameSamples, nil
	}
	return n, nil
}

func floatToInt16(f float32) int16 {
	v := f * 32768
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	}
	return int16(v - 0.5)
}
