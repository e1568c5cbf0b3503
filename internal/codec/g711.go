package codec

// ITU-T G.711 companding, written from the Recommendation (Tables 1a/1b and
// 2a/2b) in the segment/mantissa form of the reference C code shipped with
// ITU-T G.191. Both laws work on 8-bit code words; µ-law takes 14-bit and
// A-law 13-bit linear magnitudes, scaled here to and from int16.

const (
	ulawBias = 0x84 // 33 << 2: the µ-law bias (G.711 Table 2) on 16-bit input
	ulawClip = 32635
)

// LinearToULaw encodes one 16-bit sample as a G.711 µ-law code word.
func LinearToULaw(pcm int16) byte {
	v := int(pcm)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > ulawClip {
		v = ulawClip
	}
	v += ulawBias
	// Segment = position of the highest set bit among bits 7..14.
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	// G.711 transmits µ-law code words inverted (even bits and all).
	return ^byte(sign | exp<<4 | mant)
}

// ULawToLinear decodes a G.711 µ-law code word to a 16-bit sample.
func ULawToLinear(u byte) int16 {
	u = ^u
	t := (int(u&0x0F) << 3) + ulawBias
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// LinearToALaw encodes one 16-bit sample as a G.711 A-law code word.
func LinearToALaw(pcm int16) byte {
	v := int(pcm) >> 3 // 13-bit
	mask := byte(0xD5) // sign bit set for positive, even bits inverted (G.711 §2)
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	seg := 0
	for end := 0x1F; seg < 8 && v > end; end = end<<1 | 1 {
		seg++
	}
	if seg >= 8 {
		return 0x7F ^ mask
	}
	a := byte(seg << 4)
	if seg < 2 {
		a |= byte(v>>1) & 0x0F
	} else {
		a |= byte(v>>seg) & 0x0F
	}
	return a ^ mask
}

// ALawToLinear decodes a G.711 A-law code word to a 16-bit sample.
func ALawToLinear(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0F) << 4
	switch seg := int(a&0x70) >> 4; seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}
