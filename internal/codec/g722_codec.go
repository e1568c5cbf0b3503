package codec

import (
	"fmt"

	"github.com/parley-voip/parley/internal/dsp"
)

// G.722 on RTP (RFC 3551 §4.5.2): 16 kHz audio, one octet per two samples
// (64 kbit/s), but an RTP clock of 8000 Hz, so a 20 ms packet is 160 octets
// and advances the timestamp by 160, as for G.711.
const (
	g722AudioRate    = 16000
	g722ClockRate    = 8000
	g722FrameSamples = g722AudioRate / 50 // 320 samples at 16 kHz per 20 ms
	g722FrameBytes   = g722FrameSamples / 2
	g722Upsample     = SampleRate / g722AudioRate // 48 kHz samples per 16 kHz sample
	// maxG722Payload bounds a payload: 120 ms, the longest frame we accept
	// (MaxFrameSamples at 48 kHz).
	maxG722Payload = MaxFrameSamples / (2 * g722Upsample)
)

func checkG722Params(p Params) error {
	if p.ClockRate != 0 && p.ClockRate != g722ClockRate {
		return fmt.Errorf("%w: G722 at %d Hz (RFC 3551 §4.5.2: its RTP clock is 8000 Hz for 16 kHz audio)", ErrUnsupported, p.ClockRate)
	}
	return nil
}

// g722FrameEncoder resamples 48 kHz frames to 16 kHz and codes them at
// 64 kbit/s.
type g722FrameEncoder struct {
	p    Params
	enc  *G722Encoder
	down *dsp.Resampler
	wide [g722FrameSamples]int16
}

func newG722Encoder(p Params, _ config) (*g722FrameEncoder, error) {
	if err := checkG722Params(p); err != nil {
		return nil, err
	}
	down, err := dsp.NewDownsamplerTo(g722AudioRate)
	if err != nil {
		return nil, err
	}
	return &g722FrameEncoder{p: p, enc: NewG722Encoder(), down: down}, nil
}

func (e *g722FrameEncoder) Params() Params    { return e.p }
func (e *g722FrameEncoder) SetPacketLoss(int) {}

func (e *g722FrameEncoder) Encode(pcm []int16, dst []byte) (int, error) {
	if len(pcm) != FrameSamples {
		return 0, fmt.Errorf("%w: got %d samples", ErrFrameSize, len(pcm))
	}
	if len(dst) < g722FrameBytes {
		return 0, fmt.Errorf("%w: %d bytes for a %d-byte payload", ErrBuffer, len(dst), g722FrameBytes)
	}
	n, err := e.down.Process(pcm, e.wide[:])
	if err != nil {
		return 0, err
	}
	return e.enc.Encode(e.wide[:n], dst)
}

// g722FrameDecoder decodes at 64 kbit/s and resamples to 48 kHz. G.722
// has no FEC: loss is concealed by fadeConcealer, and the ADPCM state is
// left as it was, so the packets after a gap decode with a stale predictor
// and scale factor. The backward adaptation pulls them back towards the
// encoder's (TestG722RecoversAfterLoss: after one lost frame the output is
// within 20 dB of a lossless decode after 20 ms, 30 dB after 50 ms).
type g722FrameDecoder struct {
	p    Params
	dec  *G722Decoder
	up   *dsp.Resampler
	wide []int16 // 16 kHz scratch, grows to the largest packet seen (≤ 2*maxG722Payload)
	plc  fadeConcealer
}

func newG722Decoder(p Params, _ config) (*g722FrameDecoder, error) {
	if err := checkG722Params(p); err != nil {
		return nil, err
	}
	up, err := dsp.NewUpsamplerFrom(g722AudioRate)
	if err != nil {
		return nil, err
	}
	dec, err := NewG722Decoder(G722Rate64k)
	if err != nil {
		return nil, err
	}
	return &g722FrameDecoder{p: p, dec: dec, up: up, wide: make([]int16, g722FrameSamples)}, nil
}

func (d *g722FrameDecoder) Params() Params { return d.p }

func (d *g722FrameDecoder) Decode(payload []byte, pcm []int16) (int, error) {
	if len(payload) == 0 || len(payload) > maxG722Payload {
		return 0, fmt.Errorf("%w: %d-byte G.722 payload", ErrBadPayload, len(payload))
	}
	out := len(payload) * 2 * g722Upsample
	if len(pcm) < out {
		return 0, fmt.Errorf("%w: %d samples for %d", ErrBuffer, len(pcm), out)
	}
	if cap(d.wide) < 2*len(payload) {
		d.wide = make([]int16, 2*len(payload))
	}
	wide := d.wide[:2*len(payload)]
	if _, err := d.dec.Decode(payload, wide); err != nil {
		return 0, err
	}
	n, err := d.up.Process(wide, pcm)
	if err != nil {
		return 0, err
	}
	d.plc.played(pcm[:n])
	return n, nil
}

func (d *g722FrameDecoder) DecodeLost(_ []byte, pcm []int16) (int, error) {
	if len(pcm) < FrameSamples {
		return 0, fmt.Errorf("%w: %d samples for %d", ErrBuffer, len(pcm), FrameSamples)
	}
	d.plc.conceal(pcm)
	// Age the upsampler's history by one frame, as if silence had come.
	var z [g722FrameSamples]int16
	var sink [FrameSamples]int16
	_, _ = d.up.Process(z[:], sink[:])
	return FrameSamples, nil
}
