package audio

import (
	"sync/atomic"
)

// mixer is the audio-thread half of the Engine. Once per device period it
// feeds the microphone to the active call (silence to the other calls that
// are not held, so they keep their 20 ms send clock), takes one period of
// decoded audio from every call that is not held (so their playout keeps
// pace with the device clock), mixes only the active call's into the
// speaker, adds the local tones, and wakes the pipelines. It never locks,
// blocks or allocates: the call list is an immutable snapshot swapped
// atomically by the Engine.
type mixer struct {
	pipes   atomic.Pointer[[]*Pipeline]
	conf    atomic.Pointer[confMix] // local conference, nil when none
	tones   *[numTones]toneSlot
	ringDev atomic.Bool // the ringtone has its own device
	// ringLoop is a WAV ringtone (nil for a cadence, which is in tones).
	ringLoop atomic.Pointer[pcmLoop]
	// msgLoop is the recorded message of ToneMessage (PlayMessage).
	msgLoop atomic.Pointer[pcmLoop]
	// meterOn asks process to measure the microphone; the meter reads and
	// resets peak (largest |sample|), sumSq and count.
	meterOn atomic.Bool
	peak    atomic.Int32
	sumSq   atomic.Uint64
	count   atomic.Uint64
	scratch []int16
}

func newMixer(tones *[numTones]toneSlot) *mixer {
	m := &mixer{tones: tones, scratch: make([]int16, FrameSamples)}
	empty := []*Pipeline{}
	m.pipes.Store(&empty)
	return m
}

// process is the duplex device callback.
func (m *mixer) process(out, in []int16) {
	n := max(len(out), len(in))
	if n > len(m.scratch) {
		// Devices deliver 10 or 20 ms periods; anything longer would be a
		// device bug. Play silence rather than overrun.
		clear(out)
		return
	}
	clear(out)
	if in != nil && m.meterOn.Load() {
		m.measure(in)
	}
	s := m.scratch[:n]
	cm := m.conf.Load()
	for _, p := range *m.pipes.Load() {
		if p.held.Load() || p.closing.Load() || (cm != nil && cm.has(p)) {
			continue // conference members are mixed below
		}
		active := p.active.Load()
		if in != nil && active && !p.muted.Load() {
			p.capRing.Write(in)
		} else {
			// Silence keeps a muted or waiting call's send clock running.
			p.capRing.WriteZeros(n)
		}
		if out != nil {
			got := p.playRing.Read(s)
			if got < n {
				p.underran(n - got)
				clear(s[got:])
			}
			if active {
				mixInto(out, s)
			}
		}
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	if cm != nil {
		cm.process(out, in, n)
	}
	if out == nil {
		return
	}
	for k := range numTones {
		if ToneKind(k) == ToneRingtone && m.ringDev.Load() {
			continue
		}
		if pl := m.tones[k].p.Load(); pl != nil {
			pl.Fill(s)
			mixInto(out, s)
		}
		if ToneKind(k) == ToneRingtone {
			if l := m.ringLoop.Load(); l != nil {
				l.Fill(s)
				mixInto(out, s)
			}
		}
		if ToneKind(k) == ToneMessage {
			if l := m.msgLoop.Load(); l != nil {
				l.Fill(s)
				mixInto(out, s)
			}
		}
	}
}

// measure adds one period of the microphone to the level meter.
func (m *mixer) measure(in []int16) {
	var peak int32
	var sum uint64
	for _, v := range in {
		a := int32(v)
		if a < 0 {
			a = -a
		}
		peak = max(peak, a)
		sum += uint64(a) * uint64(a)
	}
	if peak > m.peak.Load() {
		m.peak.Store(peak)
	}
	m.sumSq.Add(sum)
	m.count.Add(uint64(len(in)))
}

// ringProcess is the callback of the separate ring device.
func (m *mixer) ringProcess(out, _ []int16) {
	clear(out)
	if pl := m.tones[ToneRingtone].p.Load(); pl != nil && len(out) <= len(m.scratch) {
		// The ring device has its own thread, so it must not share scratch.
		pl.Fill(out)
	}
	if l := m.ringLoop.Load(); l != nil {
		l.Fill(out)
	}
}

// mixInto adds src to dst with saturation.
func mixInto(dst, src []int16) {
	for i, v := range src {
		dst[i] = clip16(int32(dst[i]) + int32(v))
	}
}
