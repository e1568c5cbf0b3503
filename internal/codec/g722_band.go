package codec

// g722Band is the state one G.722 sub-band shares between encoder and
// decoder: the backward-adaptive scale factor and the pole-zero predictor
// (two poles, six zeros) of ITU-T G.722's ADPCM. Encoder and decoder run
// the same updates on the same quantised values, so they stay in step
// without side information. All arithmetic is the Recommendation's 16-bit
// fixed point (saturating adds, arithmetic shifts), which makes the coder
// bit-exact and lets an independent decoder reproduce our output.
type g722Band struct {
	s  int32 // signal estimate (PREDIC)
	sp int32 // pole section of the estimate (FILTEP)
	sz int32 // zero section of the estimate (FILTEZ)

	r1, r2 int32    // reconstructed signal, one and two samples ago
	p1, p2 int32    // partially reconstructed signal, one and two samples ago
	a1, a2 int32    // pole coefficients
	d      [7]int32 // quantised difference signal; d[1..6] are the six last
	b      [7]int32 // zero coefficients b[1..6]

	nb  int32 // log-domain scale factor (LOGSCL/LOGSCH)
	det int32 // linear scale factor (SCALEL/SCALEH)
}

// Initial scale factors of the lower and higher sub-band (the reset state:
// everything else starts at zero).
const (
	g722DetLow  = 32
	g722DetHigh = 8
)

// sat16 limits v to the 16-bit range, as every adder of G.722 does.
func sat16(v int32) int32 {
	switch {
	case v > 32767:
		return 32767
	case v < -32768:
		return -32768
	}
	return v
}

// scaleLow adapts the lower sub-band scale factor to a code word's 4-bit
// magnitude class ril (blocks LOGSCL, SCALEL): leak the log factor by
// 127/128, add WL[RL42[ril]], clamp to [0, 18432], and convert with ILB.
func (b *g722Band) scaleLow(ril int) {
	nb := (b.nb*127)>>7 + g722WL[g722RL42[ril]]
	b.nb = min(max(nb, 0), 18432)
	b.det = b.linearScale(8)
}

// scaleHigh does the same for the higher sub-band's 2-bit code word ih
// (blocks LOGSCH, SCALEH), with WH[RH2[ih]] and a limit of 22528.
func (b *g722Band) scaleHigh(ih int) {
	nb := (b.nb*127)>>7 + g722WH[g722RH2[ih]]
	b.nb = min(max(nb, 0), 22528)
	b.det = b.linearScale(10)
}

// linearScale turns the log factor into the linear one: the mantissa from
// ILB by bits 6-10 of nb, shifted by its exponent relative to shift.
func (b *g722Band) linearScale(shift int32) int32 {
	m := g722ILB[(b.nb>>6)&31]
	e := shift - (b.nb >> 11)
	if e < 0 {
		m <<= -e
	} else {
		m >>= e
	}
	return m << 2
}

// predict runs block 4 (RECONS, PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA,
// FILTEP, FILTEZ, PREDIC) for one quantised difference d: it adapts the
// predictor and leaves the estimate of the next sample in b.s.
func (b *g722Band) predict(d int32) {
	// RECONS and PARREC: reconstructed and partially reconstructed signal.
	r0 := sat16(b.s + d)
	p0 := sat16(b.sz + d)

	// UPPOL2: second pole coefficient, driven by the signs of p.
	sg0, sg1, sg2 := p0>>15, b.p1>>15, b.p2>>15
	wd1 := sat16(b.a1 << 2)
	wd2 := wd1
	if sg0 == sg1 {
		wd2 = min(-wd1, 32767)
	}
	wd3 := wd2 >> 7
	if sg0 == sg2 {
		wd3 += 128
	} else {
		wd3 -= 128
	}
	wd3 += (b.a2 * 32512) >> 15
	a2 := min(max(wd3, -12288), 12288)

	// UPPOL1: first pole coefficient, kept inside the stability triangle.
	wd1 = -192
	if sg0 == sg1 {
		wd1 = 192
	}
	a1 := sat16(wd1 + (b.a1*32640)>>15)
	lim := sat16(15360 - a2)
	a1 = min(max(a1, -lim), lim)

	// UPZERO: sign-sign update of the six zero coefficients.
	var step int32
	if d != 0 {
		step = 128
	}
	sgd := d >> 15
	for i := 1; i < 7; i++ {
		w := -step
		if b.d[i]>>15 == sgd {
			w = step
		}
		b.b[i] = sat16(w + (b.b[i]*32640)>>15)
	}

	// DELAYA: age the delay lines.
	copy(b.d[2:], b.d[1:6])
	b.d[1] = d
	b.r2, b.r1 = b.r1, r0
	b.p2, b.p1 = b.p1, p0
	b.a1, b.a2 = a1, a2

	// FILTEP: pole section on the reconstructed signal.
	sp := (b.a1 * sat16(b.r1+b.r1)) >> 15
	sp += (b.a2 * sat16(b.r2+b.r2)) >> 15
	b.sp = sat16(sp)

	// FILTEZ: zero section on the quantised difference.
	var sz int32
	for i := 6; i > 0; i-- {
		sz += (b.b[i] * sat16(b.d[i]+b.d[i])) >> 15
	}
	b.sz = sat16(sz)

	// PREDIC: the signal estimate.
	b.s = sat16(b.sp + b.sz)
}
