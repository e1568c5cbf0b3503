package codec

// fadeConcealer hides lost frames of a codec without in-band FEC by
// replaying the last 20 ms played: the first loss fades it from full to
// half level, the second from half to zero, and later ones are silence.
// Replaying for longer would buzz at 50 Hz. It is a simplified form of
// the waveform-substitution concealment of ITU-T G.711 Appendix I (no
// pitch-period search), fine for the short gaps a jitter buffer reports;
// G.722 uses it too (its Appendices III and IV describe heavier schemes).
type fadeConcealer struct {
	last [FrameSamples]int16 // the last 20 ms decoded, at 48 kHz
	lost int                 // consecutive concealed frames
}

// played records n decoded samples (of any packet length) and ends a loss.
func (c *fadeConcealer) played(pcm []int16) {
	if n := len(pcm); n >= FrameSamples {
		copy(c.last[:], pcm[n-FrameSamples:])
	} else {
		copy(c.last[:], c.last[n:])
		copy(c.last[FrameSamples-n:], pcm)
	}
	c.lost = 0
}

// conceal fills pcm[:FrameSamples] for one lost frame.
func (c *fadeConcealer) conceal(pcm []int16) {
	c.lost++
	var from, to float64
	switch c.lost {
	case 1:
		from, to = 1, 0.5
	case 2:
		from, to = 0.5, 0
	}
	for i := range FrameSamples {
		g := from + (to-from)*float64(i)/FrameSamples
		pcm[i] = int16(float64(c.last[i]) * g)
	}
}
