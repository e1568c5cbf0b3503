//go:build cgo

package audio

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
	"github.com/parley-voip/parley/audio/internal/pulsetest"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
)

// TestBackendNullIs14 guards the malgo off-by-one: Backend(14) opens
// miniaudio's null devices, malgo.BackendNull (13, ma_backend_custom) does not.
func TestBackendNullIs14(t *testing.T) {
	if malgo.BackendNull != 13 {
		t.Logf("malgo.BackendNull is now %d: re-check BackendNull", malgo.BackendNull)
	}
	ctx, err := malgo.InitContext([]malgo.Backend{BackendNull}, malgo.ContextConfig{}, nil)
	if err != nil {
		t.Fatalf("Backend(14) does not initialise: %v", err)
	}
	devs, err := ctx.Devices(malgo.Playback)
	_ = ctx.Uninit()
	ctx.Free()
	if err != nil || len(devs) == 0 || devs[0].Name() != "NULL Playback Device" {
		t.Fatalf("Backend(14) is not the null backend: %v %v", devs, err)
	}
	if malgo.BackendNull != BackendNull {
		if ctx, err := malgo.InitContext([]malgo.Backend{malgo.BackendNull}, malgo.ContextConfig{}, nil); err == nil {
			devs, _ := ctx.Devices(malgo.Playback)
			_ = ctx.Uninit()
			ctx.Free()
			if len(devs) > 0 && devs[0].Name() == "NULL Playback Device" {
				t.Fatal("malgo.BackendNull works now: the workaround can go")
			}
		}
	}
}

func TestMalgoNullDuplex(t *testing.T) {
	h, err := NewMalgoHost(WithNullBackend())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, k := range []Kind{Playback, Capture} {
		list, err := h.Devices(k)
		if err != nil || len(list) == 0 {
			t.Fatalf("%s devices: %v %v", k, list, err)
		}
	}
	for _, period := range []time.Duration{10 * time.Millisecond, 20 * time.Millisecond} {
		d, err := h.Open(DeviceConfig{Period: period})
		if err != nil {
			t.Fatal(err)
		}
		var frames, bad atomic.Int64
		want := int(period / time.Millisecond * 48)
		if err := d.Start(func(out, in []int16) {
			if len(out) != want || len(in) != want {
				bad.Add(1)
			}
			frames.Add(1)
		}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for frames.Load() < 20 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if err := d.Stop(); err != nil {
			t.Fatal(err)
		}
		if frames.Load() < 20 || bad.Load() != 0 {
			t.Fatalf("period %v: %d callbacks, %d of the wrong size", period, frames.Load(), bad.Load())
		}
	}
}

func TestMalgoUnknownDeviceFallsBack(t *testing.T) {
	var mu sync.Mutex
	var events []Event
	h, err := NewMalgoHost(WithNullBackend(), WithEvents(func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() }))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	d, err := h.Open(DeviceConfig{Output: "Headset that was unplugged"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(func(out, in []int16) {}); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(events)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) == 0 || events[0].Kind != EventFallback {
		t.Fatalf("events %v", events)
	}
}

// capture records the monitor without allocating on the audio thread.
type capture struct {
	buf []int16
	n   atomic.Int64
}

func (c *capture) add(in []int16) {
	n := int(c.n.Load())
	if n+len(in) <= len(c.buf) {
		copy(c.buf[n:], in)
		c.n.Store(int64(n + len(in)))
	}
}

// TestPulseLoopbackTone plays a 440 Hz tone into a PulseAudio null sink
// through our duplex device and listens to the sink's monitor.
func TestPulseLoopbackTone(t *testing.T) {
	pulsetest.Start(t)
	h, err := NewMalgoHost(WithBackends(malgo.BackendPulseaudio))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	outs, _ := h.Devices(Playback)
	ins, _ := h.Devices(Capture)
	t.Logf("playback %v; capture %v", outs, ins)
	var out, in string
	for _, d := range outs {
		if d.Name == pulsetest.Description {
			out = d.ID
		}
	}
	for _, d := range ins {
		if d.Name == "Monitor of "+pulsetest.Description {
			in = d.Name // select by name this time
		}
	}
	if out == "" || in == "" {
		t.Fatalf("null sink not listed: %v %v", outs, ins)
	}
	// The period calls use (20 ms, three of them buffered): a 10 ms period
	// is not what Parley ships, and on a loaded machine its 30 ms of buffer
	// is what a listener would hear drop out first.
	d, err := h.Open(DeviceConfig{Output: out, Input: in})
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := dsp.NewToneGen(SampleRate, 0.5, 440)
	rec := &capture{buf: make([]int16, 3*SampleRate)}
	var played atomic.Int64
	if err := d.Start(func(o, i []int16) {
		if played.Load() >= SampleRate/2 { // 0.5 s of silence first
			gen.Fill(o)
		}
		played.Add(int64(len(o)))
		rec.add(i)
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for rec.n.Load() < int64(len(rec.buf)) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	got := rec.buf[:rec.n.Load()]
	if len(got) < 2*SampleRate {
		t.Fatalf("captured only %d samples", len(got))
	}
	// After the silence and the device's start-up delay, one clean window
	// proves the tone arrives at the level it was played.
	problem := audiotest.AnyCleanWindow(got, SampleRate, func(w []int16) string {
		rep := dsp.CheckTones(w, dsp.ToneCheck{Expected: []float64{440}, MinDBFS: -10.5, UnexpectedDBFS: -40})
		if rep.OK() && math.Abs(rep.Dominant-440) <= 2 && math.Abs(rep.RMSdBFS+9.03) <= 1 {
			return ""
		}
		return rep.String()
	})
	if problem != "" {
		t.Fatalf("no half-second of the monitor carried the tone; last window: %s, want 440 Hz at -9 dBFS", problem)
	}
}

// TestPulseDeviceVanishes removes the sink a call is playing to and checks
// that the device moves to the default and keeps calling back.
func TestPulseDeviceVanishes(t *testing.T) {
	pulsetest.Start(t)
	mod := pulsetest.Pactl(t, "load-module", "module-null-sink", "sink_name=usbheadset", "rate=48000",
		"sink_properties=device.description=USBHeadset")
	events := make(chan Event, 4)
	h, err := NewMalgoHost(WithBackends(malgo.BackendPulseaudio), WithPollInterval(100*time.Millisecond),
		WithEvents(func(e Event) { events <- e }))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	d, err := h.Open(DeviceConfig{Output: "USBHeadset", Input: "Monitor of USBHeadset"})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	if err := d.Start(func(o, i []int16) { calls.Add(1) }); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	if d.Info().Name != "USBHeadset" {
		t.Fatalf("opened %v", d.Info())
	}
	waitCalls := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for calls.Load() < n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if calls.Load() < n {
			t.Fatalf("only %d callbacks", calls.Load())
		}
	}
	waitCalls(10)
	pulsetest.Pactl(t, "unload-module", strings.TrimSpace(mod))
	select {
	case e := <-events:
		if e.Kind != EventFallback {
			t.Fatalf("event %+v", e)
		}
		t.Logf("event: %+v", e)
	case <-time.After(10 * time.Second):
		t.Fatal("no fallback event")
	}
	before := calls.Load()
	waitCalls(before + 20)
	if d.Info().Name != pulsetest.Description {
		t.Fatalf("now on %v, want the default sink", d.Info())
	}
}
