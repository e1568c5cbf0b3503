package codec

import (
	"fmt"

	"github.com/parley-voip/parley/internal/dsp"
)

// g711Rate is the G.711 sampling rate and RTP clock (RFC 3551 §4.5.14).
const (
	g711Rate         = 8000
	g711FrameSamples = g711Rate / 50 // 160 bytes per 20 ms packet
	resampleFactor   = SampleRate / g711Rate
)

// g711Encoder resamples 48 kHz frames to 8 kHz and companders them.
type g711Encoder struct {
	p    Params
	alaw bool
	down *dsp.Resampler
	buf  [g711FrameSamples]int16
}

func checkG711Params(p Params) error {
	if p.ClockRate != 0 && p.ClockRate != g711Rate {
		return fmt.Errorf("%w: %s at %d Hz (G.711 is 8000 Hz)", ErrUnsupported, p.Name, p.ClockRate)
	}
	return nil
}

func newG711Encoder(p Params, _ config) (*g711Encoder, error) {
	if err := checkG711Params(p); err != nil {
		return nil, err
	}
	return &g711Encoder{p: p, alaw: p.Is(NamePCMA), down: dsp.NewDownsampler()}, nil
}

func (e *g711Encoder) Params() Params    { return e.p }
func (e *g711Encoder) SetPacketLoss(int) {}

func (e *g711Encoder) Encode(pcm []int16, dst []byte) (int, error) {
	if len(pcm) != FrameSamples {
		return 0, fmt.Errorf("%w: got %d samples", ErrFrameSize, len(pcm))
	}
	if len(dst) < g711FrameSamples {
		return 0, fmt.Errorf("%w: %d bytes for a %d-byte payload", ErrBuffer, len(dst), g711FrameSamples)
	}
	n, err := e.down.Process(pcm, e.buf[:])
	if err != nil {
		return 0, err
	}
	for i, s := range e.buf[:n] {
		if e.alaw {
			dst[i] = LinearToALaw(s)
		} else {
			dst[i] = LinearToULaw(s)
		}
	}
	return n, nil
}

// g711Decoder expands and resamples to 48 kHz. G.711 has no FEC; loss is
// concealed by replaying the last frame with a fade, then silence
// (fadeConcealer).
type g711Decoder struct {
	p      Params
	alaw   bool
	up     *dsp.Resampler
	narrow []int16 // 8 kHz scratch, grows to the largest packet seen (≤ maxG711Payload)
	plc    fadeConcealer
}

// maxG711Payload bounds a G.711 payload: 120 ms, the longest frame we accept.
const maxG711Payload = g711Rate * 120 / 1000

func newG711Decoder(p Params, _ config) (*g711Decoder, error) {
	if err := checkG711Params(p); err != nil {
		return nil, err
	}
	return &g711Decoder{p: p, alaw: p.Is(NamePCMA), up: dsp.NewUpsampler(), narrow: make([]int16, g711FrameSamples)}, nil
}

func (d *g711Decoder) Params() Params { return d.p }

func (d *g711Decoder) Decode(payload []byte, pcm []int16) (int, error) {
	if len(payload) == 0 || len(payload) > maxG711Payload {
		return 0, fmt.Errorf("%w: %d-byte G.711 payload", ErrBadPayload, len(payload))
	}
	out := len(payload) * resampleFactor
	if len(pcm) < out {
		return 0, fmt.Errorf("%w: %d samples for %d", ErrBuffer, len(pcm), out)
	}
	if cap(d.narrow) < len(payload) {
		d.narrow = make([]int16, len(payload))
	}
	nb := d.narrow[:len(payload)]
	for i, b := range payload {
		if d.alaw {
			nb[i] = ALawToLinear(b)
		} else {
			nb[i] = ULawToLinear(b)
		}
	}
	n, err := d.up.Process(nb, pcm)
	if err != nil {
		return 0, err
	}
	d.plc.played(pcm[:n])
	return n, nil
}

func (d *g711Decoder) DecodeLost(_ []byte, pcm []int16) (int, error) {
	if len(pcm) < FrameSamples {
		return 0, fmt.Errorf("%w: %d samples for %d", ErrBuffer, len(pcm), FrameSamples)
	}
	d.plc.conceal(pcm)
	// Keep the upsampler's history continuous with what was played.
	var z [g711FrameSamples]int16
	var sink [FrameSamples]int16
	_, _ = d.up.Process(z[:], sink[:])
	return FrameSamples, nil
}
