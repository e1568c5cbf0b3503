package phoneaudio

import (
	"context"
	"sync"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/phone"
)

// Option configures Attach.
type Option func(*tonePlayer)

// WithRegion selects the family of ringback and busy tones (default
// dsp.RegionEU).
func WithRegion(r dsp.Region) Option { return func(t *tonePlayer) { t.region = r } }

// WithBusyRepeats sets how many busy cadences play after 486 Busy Here
// (default 3: long enough to recognise, short enough not to annoy).
func WithBusyRepeats(n int) Option { return func(t *tonePlayer) { t.busyRepeats = max(1, n) } }

// tonePlayer turns phone events into local tones.
type tonePlayer struct {
	engine      *audio.Engine
	region      dsp.Region
	busyRepeats int
	ringing     map[string]bool // incoming calls ringing
	ringback    map[string]bool // outgoing calls alerting (180)
	lineUp      bool            // registered since the last failure
}

// Attach plays the local tones of api's calls on engine until ctx ends or
// the returned function is called (which waits for the listener to stop
// and silences what it started):
//   - the ringtone while an incoming call rings (until accepted or over);
//   - ringback after 180 Ringing on an outgoing call (until answered or over;
//     RFC 3261 §21.1.2 makes 180 the cue for the caller to hear ringing);
//   - a short busy tone when an outgoing call fails with 486 Busy Here;
//   - LineDownCadence once when a registered line goes down (its
//     registration failed: it can no longer take calls).
func Attach(ctx context.Context, api phone.API, engine *audio.Engine, opts ...Option) (detach func()) {
	tp := &tonePlayer{
		engine:      engine,
		region:      dsp.RegionEU,
		busyRepeats: 3,
		ringing:     map[string]bool{},
		ringback:    map[string]bool{},
	}
	for _, o := range opts {
		o(tp)
	}
	events, unsubscribe := api.Subscribe()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				tp.handle(ev)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			unsubscribe()
			<-done
			if len(tp.ringing) > 0 {
				engine.StopTone(audio.ToneRingtone)
			}
			if len(tp.ringback) > 0 {
				engine.StopTone(audio.ToneRingback)
			}
		})
	}
}

// LineDownCadence is the alert played once when a registered line goes
// down (it can no longer take calls): three falling beeps, unlike every
// call progress tone, so it is not taken for one.
func LineDownCadence() dsp.Cadence {
	beep := func(f float64) []dsp.Segment {
		return []dsp.Segment{{Freqs: []float64{f}, Dur: 180 * time.Millisecond}, {Dur: 90 * time.Millisecond}}
	}
	var segs []dsp.Segment
	for _, f := range []float64{988, 784, 587} {
		segs = append(segs, beep(f)...)
	}
	return dsp.Cadence{Name: "line-down", Amplitude: 0.25, Segments: segs, Once: true}
}

func (tp *tonePlayer) handle(ev phone.Event) {
	switch ev.Type {
	case phone.EventRegistered:
		tp.lineUp = true
	case phone.EventRegisterFailed, phone.EventUnregistered:
		// Only a line that was up and went down: not a failed first
		// sign-in (the window says so) nor the end of the session.
		if tp.lineUp && ev.Type == phone.EventRegisterFailed {
			_ = tp.engine.StartTone(audio.ToneAlert, LineDownCadence())
		}
		tp.lineUp = false
	}
	if ev.Call == nil {
		return
	}
	id, call := ev.Call.ID(), ev.Call
	switch ev.Type {
	case phone.EventCallIncoming:
		if !tp.ringing[id] {
			tp.ringing[id] = true
			if len(tp.ringing) == 1 {
				_ = tp.engine.StartRingtone()
			}
		}
	case phone.EventCallEarlyMedia:
		// The far end's own audio (announcement, network ringback) plays
		// instead (RFC 3960 §3.2: no local ringback over early media).
		tp.forget(id)
	case phone.EventCallProgress:
		if ev.Code == 180 && call.IsCaller && !call.EarlyMedia && !tp.ringback[id] {
			tp.ringback[id] = true
			if len(tp.ringback) == 1 {
				_ = tp.engine.StartTone(audio.ToneRingback, dsp.Ringback(tp.region))
			}
		}
	case phone.EventCallAccepted, phone.EventCallEnded, phone.EventCallFailed:
		tp.forget(id)
		if ev.Type == phone.EventCallFailed && ev.Code == 486 && call.IsCaller {
			_ = tp.engine.StartTone(audio.ToneBusy, tp.busy())
		}
	}
}

// forget stops the tones a call no longer needs.
func (tp *tonePlayer) forget(id string) {
	if tp.ringing[id] {
		delete(tp.ringing, id)
		if len(tp.ringing) == 0 {
			tp.engine.StopTone(audio.ToneRingtone)
		}
	}
	if tp.ringback[id] {
		delete(tp.ringback, id)
		if len(tp.ringback) == 0 {
			tp.engine.StopTone(audio.ToneRingback)
		}
	}
}

// busy is the region's busy cadence played a few times, then silence.
func (tp *tonePlayer) busy() dsp.Cadence {
	c := dsp.Busy(tp.region)
	segs := make([]dsp.Segment, 0, len(c.Segments)*tp.busyRepeats)
	for range tp.busyRepeats {
		segs = append(segs, c.Segments...)
	}
	c.Segments, c.Once = segs, true
	return c
}
