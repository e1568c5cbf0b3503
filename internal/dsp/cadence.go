package dsp

import (
	"fmt"
	"time"
)

// Segment is one step of a tone cadence: Freqs played for Dur (silence when
// Freqs is empty).
type Segment struct {
	Freqs []float64
	Dur   time.Duration
}

// Cadence describes a repeating (or one-shot) tone pattern such as ringback.
type Cadence struct {
	Name      string
	Amplitude float64 // peak per component, fraction of full scale
	Segments  []Segment
	Once      bool // play the segments once, then silence
}

// CadencePlayer renders a Cadence frame by frame at a sample rate. It is not
// safe for concurrent use; Fill does not allocate.
type CadencePlayer struct {
	c       Cadence
	rate    int
	gen     ToneGen
	seg     int
	left    int // samples left in the current segment
	done    bool
	lengths []int
}

// NewCadencePlayer validates c and returns a player starting at its first
// segment.
func NewCadencePlayer(c Cadence, rate int) (*CadencePlayer, error) {
	if rate <= 0 {
		rate = SampleRate
	}
	if len(c.Segments) == 0 {
		return nil, fmt.Errorf("%w: cadence %q has no segments", ErrInvalidTone, c.Name)
	}
	p := &CadencePlayer{c: c, rate: rate, lengths: make([]int, len(c.Segments))}
	total := 0
	for i, s := range c.Segments {
		if s.Dur <= 0 {
			return nil, fmt.Errorf("%w: cadence %q segment %d has no duration", ErrInvalidTone, c.Name, i)
		}
		if err := p.gen.Set(rate, c.Amplitude, s.Freqs...); err != nil {
			return nil, fmt.Errorf("cadence %q segment %d: %w", c.Name, i, err)
		}
		p.lengths[i] = int(s.Dur * time.Duration(rate) / time.Second)
		total += p.lengths[i]
	}
	if total == 0 {
		return nil, fmt.Errorf("%w: cadence %q is shorter than one sample", ErrInvalidTone, c.Name)
	}
	p.Reset()
	return p, nil
}

// Reset restarts the cadence at its first segment.
func (p *CadencePlayer) Reset() {
	p.seg = 0
	p.done = false
	p.left = p.lengths[0]
	p.gen.Reset()
	_ = p.gen.Set(p.rate, p.c.Amplitude, p.c.Segments[0].Freqs...) // validated in NewCadencePlayer
}

// Fill writes the next len(buf) samples of the cadence.
func (p *CadencePlayer) Fill(buf []int16) {
	for len(buf) > 0 {
		if p.done {
			clear(buf)
			return
		}
		for p.left == 0 {
			p.advance()
			if p.done {
				clear(buf)
				return
			}
		}
		n := min(p.left, len(buf))
		p.gen.Fill(buf[:n])
		p.left -= n
		buf = buf[n:]
	}
}

func (p *CadencePlayer) advance() {
	p.seg++
	if p.seg == len(p.c.Segments) {
		if p.c.Once {
			p.done = true
			return
		}
		p.seg = 0
	}
	p.left = p.lengths[p.seg]
	p.gen.Reset() // each burst starts at phase zero, as a tone plant would
	_ = p.gen.Set(p.rate, p.c.Amplitude, p.c.Segments[p.seg].Freqs...)
}
