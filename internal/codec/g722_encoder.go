package codec

import "fmt"

// G722Encoder is the ITU-T G.722 sub-band ADPCM encoder on 16 kHz linear
// PCM: a quadrature mirror filter splits each pair of input samples into a
// lower (0-4 kHz) and a higher (4-8 kHz) sub-band sample at 8 kHz, coded
// with 6 and 2 bits by backward-adaptive ADPCM, and packed into one octet
// (higher band in the two most significant bits), 64 kbit/s in all.
//
// The encoder is the same for the Recommendation's three modes: at 56 and
// 48 kbit/s the one or two least significant bits of each octet carry
// auxiliary data instead, which a decoder in that mode ignores
// (G722Decoder's mode). RTP carries the 64 kbit/s octet stream (RFC 3551
// §4.5.2). This is the bare coder; the pipeline's codec around it
// resamples from 48 kHz. Not safe for concurrent use.
type G722Encoder struct {
	qmf       [24]int32 // transmit QMF input history, oldest first
	low, high g722Band
}

// NewG722Encoder returns an encoder in its reset state.
func NewG722Encoder() *G722Encoder {
	e := &G722Encoder{}
	e.Reset()
	return e
}

// Reset returns the encoder to its initial state (a new stream).
func (e *G722Encoder) Reset() {
	*e = G722Encoder{}
	e.low.det, e.high.det = g722DetLow, g722DetHigh
}

// Encode codes pcm (16 kHz, an even number of samples) into dst, one octet
// per two samples, and returns the number of octets written.
func (e *G722Encoder) Encode(pcm []int16, dst []byte) (int, error) {
	if len(pcm)%2 != 0 {
		return 0, fmt.Errorf("%w: G.722 codes sample pairs, got %d samples", ErrFrameSize, len(pcm))
	}
	n := len(pcm) / 2
	if len(dst) < n {
		return 0, fmt.Errorf("%w: %d bytes for %d", ErrBuffer, len(dst), n)
	}
	for i := range n {
		xl, xh := e.split(pcm[2*i], pcm[2*i+1])
		dst[i] = e.encodeHigh(xh)<<6 | e.encodeLow(xl)
	}
	return n, nil
}

// split runs the transmit QMF on the next two input samples and returns
// one lower and one higher sub-band sample: the even and odd taps of the
// 24-tap filter, summed and differenced, keeping every other output.
func (e *G722Encoder) split(x0, x1 int16) (xl, xh int32) {
	copy(e.qmf[:22], e.qmf[2:])
	e.qmf[22], e.qmf[23] = int32(x0), int32(x1)
	var even, odd int32
	for i, c := range g722QMF {
		odd += e.qmf[2*i] * c
		even += e.qmf[2*i+1] * g722QMF[11-i]
	}
	return (even + odd) >> 14, (even - odd) >> 14
}

// encodeLow codes one lower sub-band sample into a 6-bit code word (blocks
// SUBTRA, QUANTL) and adapts the band on its 4-bit truncation (INVQAL,
// LOGSCL, SCALEL, block 4L), the part of the code word that survives every
// mode.
func (e *G722Encoder) encodeLow(xl int32) byte {
	b := &e.low
	el := sat16(xl - b.s)
	wd := el
	if el < 0 {
		wd = -(el + 1)
	}
	i := 1
	for ; i < 30; i++ {
		if wd < (g722Q6[i]*b.det)>>12 {
			break
		}
	}
	code := g722ILP[i]
	if el < 0 {
		code = g722ILN[i]
	}
	ril := int(code >> 2)
	dl := (b.det * g722QM4[ril]) >> 15
	b.scaleLow(ril)
	b.predict(dl)
	return code
}

// encodeHigh codes one higher sub-band sample into a 2-bit code word
// (SUBTRA, QUANTH) and adapts the band (INVQAH, LOGSCH, SCALEH, block 4H).
func (e *G722Encoder) encodeHigh(xh int32) byte {
	b := &e.high
	eh := sat16(xh - b.s)
	wd := eh
	if eh < 0 {
		wd = -(eh + 1)
	}
	m := 1
	if wd >= (564*b.det)>>12 {
		m = 2
	}
	code := g722IHP[m]
	if eh < 0 {
		code = g722IHN[m]
	}
	dh := (b.det * g722QM2[code]) >> 15
	b.scaleHigh(int(code))
	b.predict(dh)
	return code
}
