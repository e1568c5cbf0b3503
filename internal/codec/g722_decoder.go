package codec

import "fmt"

// G.722 bit rates: the Recommendation's modes 1, 2 and 3, which use 6, 5 or
// 4 bits of each octet's lower sub-band code word for the audio.
const (
	G722Rate64k = 64000
	G722Rate56k = 56000
	G722Rate48k = 48000
)

// G722Decoder is the ITU-T G.722 sub-band ADPCM decoder to 16 kHz linear
// PCM: each octet gives a lower and a higher sub-band sample, which the
// receive QMF merges into two output samples. In the 56 and 48 kbit/s
// modes the one or two least significant bits of each octet are auxiliary
// data and are ignored; the predictor is driven by the 4-bit truncation in
// every mode, so all three decode any G.722 encoder's stream. RTP uses
// 64 kbit/s (RFC 3551 §4.5.2). Not safe for concurrent use.
type G722Decoder struct {
	drop      uint // low bits of the 6-bit code word not used for audio
	qmf       [24]int32
	low, high g722Band
}

// NewG722Decoder returns a decoder for bitrate (G722Rate64k, G722Rate56k
// or G722Rate48k).
func NewG722Decoder(bitrate int) (*G722Decoder, error) {
	d := &G722Decoder{}
	switch bitrate {
	case G722Rate64k:
	case G722Rate56k:
		d.drop = 1
	case G722Rate48k:
		d.drop = 2
	default:
		return nil, fmt.Errorf("%w: G.722 at %d bit/s (64000, 56000 or 48000)", ErrUnsupported, bitrate)
	}
	d.Reset()
	return d, nil
}

// Reset returns the decoder to its initial state (a new stream).
func (d *G722Decoder) Reset() {
	*d = G722Decoder{drop: d.drop}
	d.low.det, d.high.det = g722DetLow, g722DetHigh
}

// Decode decodes every octet of data into two 16 kHz samples of pcm and
// returns the number of samples written. Any octet is a valid code word.
func (d *G722Decoder) Decode(data []byte, pcm []int16) (int, error) {
	if len(pcm) < 2*len(data) {
		return 0, fmt.Errorf("%w: %d samples for %d", ErrBuffer, len(pcm), 2*len(data))
	}
	for i, c := range data {
		rl := d.decodeLow(c & 0x3F)
		rh := d.decodeHigh(c >> 6)
		pcm[2*i], pcm[2*i+1] = d.merge(rl, rh)
	}
	return 2 * len(data), nil
}

// decodeLow reconstructs one lower sub-band sample from a 6-bit code word
// (INVQBL for the mode, RECONS, LIMIT) and adapts the band on its 4-bit
// truncation (INVQAL, LOGSCL, SCALEL, block 4L), as the encoder did.
func (d *G722Decoder) decodeLow(code byte) int32 {
	b := &d.low
	var q int32
	switch d.drop {
	case 0:
		q = g722QM6[code]
	case 1:
		q = g722QM5[code>>1]
	default:
		q = g722QM4[code>>2]
	}
	rl := min(max(b.s+(b.det*q)>>15, -16384), 16383)
	ril := int(code >> 2)
	dl := (b.det * g722QM4[ril]) >> 15
	b.scaleLow(ril)
	b.predict(dl)
	return rl
}

// decodeHigh reconstructs one higher sub-band sample from a 2-bit code
// word (INVQAH, RECONS, LIMIT) and adapts the band (LOGSCH, SCALEH,
// block 4H).
func (d *G722Decoder) decodeHigh(code byte) int32 {
	b := &d.high
	dh := (b.det * g722QM2[code]) >> 15
	rh := min(max(b.s+dh, -16384), 16383)
	b.scaleHigh(int(code))
	b.predict(dh)
	return rh
}

// merge runs the receive QMF on one sample of each sub-band and returns
// two output samples: the sum and difference enter the 24-tap filter, its
// even and odd taps give the two outputs.
func (d *G722Decoder) merge(rl, rh int32) (int16, int16) {
	copy(d.qmf[:22], d.qmf[2:])
	d.qmf[22], d.qmf[23] = rl+rh, rl-rh
	var x1, x2 int32
	for i, c := range g722QMF {
		x2 += d.qmf[2*i] * c
		x1 += d.qmf[2*i+1] * g722QMF[11-i]
	}
	return int16(sat16(x1 >> 11)), int16(sat16(x2 >> 11))
}
