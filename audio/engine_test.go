package audio

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/testrig"
)

const second = SampleRate

var (
	aliceTones = []float64{440, 1250}
	bobTones   = []float64{697, 1633}
)

// call connects two test engines with an in-memory link.
func call(t *testing.T, p codec.Params, a, b *testEngine) (*Pipeline, *Pipeline, *memTransport, *memTransport) {
	t.Helper()
	ta, tb := memPair(p)
	pa, err := a.Open("call-a", ta)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Open("call-b", tb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pa.Close(); _ = pb.Close() })
	return pa, pb, ta, tb
}

func TestEngineExchangesTones(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params codec.Params
		period time.Duration
	}{
		{"opus", opusParams, 20 * time.Millisecond},
		{"pcmu", pcmuParams, 20 * time.Millisecond},
		{"g722", g722Params, 20 * time.Millisecond},
		{"opus-10ms-period", opusParams, 10 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DeviceConfig{Period: tc.period}
			a := newTestEngine(t, cfg, aliceTones...)
			b := newTestEngine(t, cfg, bobTones...)
			call(t, tc.params, a, b)
			audiotest.Hear(t, "alice hears bob", a.rec, bobTones, aliceTones...)
			audiotest.Hear(t, "bob hears alice", b.rec, aliceTones, bobTones...)
		})
	}
}

// G.722 carries the wideband tones that G.711 would cut at 3.4 kHz,
// through the pipeline's 48 ↔ 16 kHz resampling and a jitter buffer on
// the 8000 Hz RTP clock of RFC 3551 §4.5.2.
func TestEngineG722Wideband(t *testing.T) {
	aliceWide, bobWide := []float64{1250, 6000}, []float64{697, 5200}
	a := newTestEngine(t, DeviceConfig{}, aliceWide...)
	b := newTestEngine(t, DeviceConfig{}, bobWide...)
	_, _, ta, _ := call(t, g722Params, a, b)
	audiotest.Hear(t, "alice hears bob", a.rec, bobWide, aliceWide...)
	audiotest.Hear(t, "bob hears alice", b.rec, aliceWide, bobWide...)
	// 64 kbit/s: 160 octets per 20 ms packet.
	if n := ta.lastLen.Load(); n != 160 {
		t.Errorf("last packet: %d octets, want 160", n)
	}
}

func TestEngineMute(t *testing.T) {
	a := newTestEngine(t, DeviceConfig{}, aliceTones...)
	b := newTestEngine(t, DeviceConfig{}, bobTones...)
	pa, _, ta, _ := call(t, opusParams, a, b)
	audiotest.Hear(t, "bob hears alice", b.rec, aliceTones)

	pa.SetMuted(true)
	sent := ta.sent.Load()
	// Give the change a few frames to reach the far end's speaker.
	audiotest.Quiet(t, "bob while alice is muted", b.rec)
	audiotest.Hear(t, "alice hears bob while muted", a.rec, bobTones)
	audiotest.WaitFor(t, 10*time.Second, "packets while muted", func() bool { return ta.sent.Load() > sent+10 })
	if st := pa.Stats(); st.FramesSent == 0 {
		t.Errorf("no frames counted as sent while muted: %+v", st)
	}

	pa.SetMuted(false)
	audiotest.Hear(t, "bob after unmute", b.rec, aliceTones)
}

func TestEngineHold(t *testing.T) {
	a := newTestEngine(t, DeviceConfig{}, aliceTones...)
	b := newTestEngine(t, DeviceConfig{}, bobTones...)
	pa, pb, ta, tb := call(t, opusParams, a, b)
	audiotest.Hear(t, "bob hears alice", b.rec, aliceTones)

	// The phone engine holds both ends' audio (sendonly/recvonly re-INVITE).
	pa.SetHeld(true)
	pb.SetHeld(true)
	// A period already past its hold check may still send its frame: wait
	// until both counts stay put for a few periods, then none may move.
	audiotest.WaitFor(t, 15*time.Second, "the frames in flight to drain", func() bool {
		a0, b0 := ta.sent.Load(), tb.sent.Load()
		time.Sleep(100 * time.Millisecond)
		return ta.sent.Load() == a0 && tb.sent.Load() == b0
	})
	sa, sb := ta.sent.Load(), tb.sent.Load()
	audiotest.Silent(t, "alice while held", a.rec.Wait(t, a.rec.Len(), second/2))
	audiotest.Silent(t, "bob while held", b.rec.Wait(t, b.rec.Len(), second/2))
	if ta.sent.Load() != sa || tb.sent.Load() != sb {
		t.Errorf("packets sent while held: alice %d, bob %d", ta.sent.Load()-sa, tb.sent.Load()-sb)
	}

	pa.SetHeld(false)
	pb.SetHeld(false)
	audiotest.Hear(t, "alice after resume", a.rec, bobTones)
	audiotest.Hear(t, "bob after resume", b.rec, aliceTones)
}

func TestEngineOnlyActiveCallHeardRealTime(t *testing.T) {
	testrig.RealTime(t) // three engines
	me := newTestEngine(t, DeviceConfig{}, aliceTones...)
	b := newTestEngine(t, DeviceConfig{}, bobTones...)
	c := newTestEngine(t, DeviceConfig{}, 852, 1477) // carol
	pb, bp, _, _ := call(t, opusParams, me, b)
	defer logStats(t, "bob side", bp)
	pc, _, _, _ := call(t, opusParams, me, c)
	defer func() { logStats(t, "bob", pb); logStats(t, "carol", pc) }()
	pb.SetActive(true)
	pc.SetActive(false)

	audiotest.Hear(t, "me with bob active", me.rec, bobTones)
	audiotest.Hear(t, "bob hears me", b.rec, aliceTones)
	audiotest.Silent(t, "carol while waiting", c.rec.Wait(t, c.rec.Len()+second/2, second/2))

	pb.SetActive(false)
	pc.SetActive(true)
	audiotest.Hear(t, "me with carol active", me.rec, []float64{852, 1477})
	audiotest.Hear(t, "carol hears me", c.rec, aliceTones)
	audiotest.Quiet(t, "bob while waiting", b.rec)
}

func TestEngineOpensDeviceOnlyWhenNeeded(t *testing.T) {
	a := newTestEngine(t, DeviceConfig{}, aliceTones...)
	if a.DeviceOpen() {
		t.Fatal("device open before any call")
	}
	ta, _ := memPair(opusParams)
	p, err := a.Open("x", ta)
	if err != nil {
		t.Fatal(err)
	}
	if !a.DeviceOpen() {
		t.Fatal("device not open during a call")
	}
	// Nobody listens on the far end: packets still go out, paced by the device.
	audiotest.WaitFor(t, 10*time.Second, "frames sent", func() bool { return ta.sent.Load() >= 10 })
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if a.DeviceOpen() {
		t.Fatal("device still open after the last call")
	}
	// A new call reopens it (the null device cannot restart: a new one is opened).
	p2, err := a.Open("y", ta)
	if err != nil {
		t.Fatal(err)
	}
	_ = p2.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Open("z", ta); err == nil {
		t.Fatal("Open after Close succeeded")
	}
}

func TestEngineTones(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kind    ToneKind
		cadence dsp.Cadence
		want    []float64
	}{
		{"ringback-eu", ToneRingback, dsp.Ringback(dsp.RegionEU), []float64{425}},
		{"busy-na", ToneBusy, dsp.Busy(dsp.RegionNA), []float64{480, 620}},
		{"ringtone", ToneRingtone, dsp.Ringtone(), []float64{1000, 1250}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEngine(t, DeviceConfig{})
			if err := e.StartTone(tc.kind, tc.cadence); err != nil {
				t.Fatal(err)
			}
			// The first segment of every cadence is a tone of at least 0.4 s.
			x := e.rec.Wait(t, 0, second*3/10)
			rep := dsp.CheckTones(x, dsp.ToneCheck{Expected: tc.want})
			if !rep.OK() {
				t.Errorf("%s: %s", tc.name, rep)
			}
			e.StopTone(tc.kind)
			if e.DeviceOpen() {
				t.Error("device still open after the tone stopped")
			}
		})
	}
}

func TestEngineDTMFFeedbackStopsByItself(t *testing.T) {
	e := newTestEngine(t, DeviceConfig{})
	if err := e.PlayDTMF('5'); err != nil {
		t.Fatal(err)
	}
	lo, hi, _ := dsp.DTMFFreqs('5')
	x := e.rec.Wait(t, 0, second/20)
	if rep := dsp.CheckTones(x, dsp.ToneCheck{Expected: []float64{lo, hi}}); !rep.OK() {
		t.Errorf("dtmf 5: %s", rep)
	}
	audiotest.WaitFor(t, 10*time.Second, "the one-shot tone to release the device", func() bool { return !e.DeviceOpen() })
	if err := e.PlayDTMF('x'); err == nil {
		t.Error("PlayDTMF('x') succeeded")
	}
}

// With DeviceConfig.Ring set the ringtone plays on its own playback-only
// device, and the call device stays closed.
func TestEngineRingDevice(t *testing.T) {
	e := newTestEngine(t, DeviceConfig{Ring: "ringer"})
	if err := e.StartTone(ToneRingtone, dsp.Ringtone()); err != nil {
		t.Fatal(err)
	}
	if e.DeviceOpen() {
		t.Error("the call device opened for the ringtone")
	}
	x := e.rec.Wait(t, 0, second*3/10)
	if rep := dsp.CheckTones(x, dsp.ToneCheck{Expected: []float64{1000, 1250}}); !rep.OK() {
		t.Errorf("ring device: %s", rep)
	}
	e.StopTone(ToneRingtone)
}
