//go:build cgo

package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/testrig"
)

// pulseRig is a private PulseAudio server for the device tests, with
// helpers to run its tools.
type pulseRig struct {
	t     *testing.T
	pulse *testrig.Pulse
}

func startPulseRig(t *testing.T) *pulseRig {
	testrig.Require(t, "pulseaudio", "pactl", "pacat", "parec")
	return &pulseRig{t: t, pulse: testrig.StartPulse(t)}
}

func (r *pulseRig) run(args ...string) string {
	r.t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(cmd.Environ(), r.pulse.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("%v: %v %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// loadSink adds a 48 kHz null sink and returns its module index.
func (r *pulseRig) loadSink(name, desc string) string {
	r.t.Helper()
	return r.run("pactl", "load-module", "module-null-sink", "sink_name="+name, "rate=48000",
		"sink_properties=device.description="+desc)
}

// playTone plays freq at amp into sink for the rest of the test.
func (r *pulseRig) playTone(ctx context.Context, sink string, amp float64, freq float64) {
	r.t.Helper()
	tone := dsp.Tones(SampleRate, 60*SampleRate, amp, freq)
	var raw bytes.Buffer
	_ = binary.Write(&raw, binary.LittleEndian, tone)
	play := exec.CommandContext(ctx, "pacat", "-p", "--raw", "--format=s16le", "--rate=48000", "--channels=1",
		"--latency-msec=20", "-d", sink)
	play.Env, play.Stdin = append(play.Environ(), r.pulse.Env()...), &raw
	if err := play.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = play.Process.Kill(); _ = play.Wait() })
}

// record returns two seconds recorded from source from now on.
func (r *pulseRig) record(source string) []int16 {
	r.t.Helper()
	cmd := exec.Command("parec", "--raw", "--format=s16le", "--rate=48000", "--channels=1",
		"--latency-msec=20", "-d", source)
	got := &lockedBuffer{}
	cmd.Env, cmd.Stdout = append(cmd.Environ(), r.pulse.Env()...), got
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	audiotest.WaitFor(r.t, 20*time.Second, "two seconds from "+source, func() bool { return got.Len() >= 2*2*SampleRate })
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	b := got.Bytes()
	x := make([]int16, len(b)/2)
	_ = binary.Read(bytes.NewReader(b[:2*len(x)]), binary.LittleEndian, x)
	return x
}

// hearOn waits (up to within) until source carries want cleanly.
func (r *pulseRig) hearOn(what, source string, within time.Duration, want []float64, absent ...float64) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	problem := "nothing recorded"
	for time.Now().Before(deadline) {
		x := r.record(source)
		problem = audiotest.AnyCleanWindow(x, 0, func(w []int16) string {
			return audiotest.ToneProblem(w, want, absent...)
		})
		if problem == "" {
			return
		}
	}
	r.t.Fatalf("%s: %s never carried %v cleanly within %v; last window: %s", what, source, want, within, problem)
}

// A call plays on the preferred of two sinks; when that sink is unloaded
// mid-call the call's audio continues on the other one, and when it is
// loaded again the preference brings the call back. The far end hears our
// microphone throughout: the call is never dropped.
func TestPulsePreferredSinkMidCall(t *testing.T) {
	rig := startPulseRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rig.loadSink("micsink", "MicSink")
	headsetMod := rig.loadSink("headset", "Headset")
	rig.loadSink("speaker", "Speaker")
	rig.playTone(ctx, "micsink", 0.3, 1000)

	host, err := NewMalgoHost(WithBackends(malgo.BackendPulseaudio), WithPollInterval(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Close() })
	outs, _ := host.Devices(Playback)
	t.Logf("playback devices: %+v", outs)
	me, err := NewEngine(host, DeviceConfig{}, WithDevicePoll(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = me.Close() })
	// The headset by ID (its sink name), the speaker by description: both
	// kinds of reference survive a restart on PulseAudio.
	var headsetID string
	for _, d := range outs {
		if d.Name == "Headset" {
			headsetID = d.ID
		}
	}
	if headsetID == "" {
		t.Fatalf("the headset sink is not listed: %+v", outs)
	}
	if err := me.Apply(Settings{
		Inputs:     []DeviceRef{{Name: "Monitor of MicSink"}},
		Outputs:    []DeviceRef{{ID: headsetID, Name: "Headset"}, {Name: "Speaker"}},
		RingVolume: 1,
	}); err != nil {
		t.Fatal(err)
	}
	far := newTestEngine(t, DeviceConfig{}, bobTones...)
	ta, tb := memPair(opusParams)
	pm, err := me.Open("pulse", ta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pm.Close() })
	pf, err := far.Open("far", tb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pf.Close() })

	audiotest.Hear(t, "the far end hears our microphone", far.rec, []float64{1000}, bobTones...)
	rig.hearOn("the call starts on the preferred sink", "headset.monitor", 30*time.Second, bobTones, 1000)

	rig.run("pactl", "unload-module", headsetMod)
	rig.hearOn("with the headset gone the call moves to the speaker", "speaker.monitor", 30*time.Second, bobTones, 1000)
	audiotest.Hear(t, "the far end still hears our microphone", far.rec, []float64{1000}, bobTones...)

	rig.loadSink("headset", "Headset")
	rig.hearOn("the headset is back: the call follows the preference", "headset.monitor", 30*time.Second, bobTones, 1000)
	audiotest.Hear(t, "the far end hears our microphone at the end", far.rec, []float64{1000}, bobTones...)
	if in, out := me.CurrentDevices(); out.Name != "Headset" || in.Name != "Monitor of MicSink" {
		t.Fatalf("on %q / %q at the end, want Monitor of MicSink / Headset", in.Name, out.Name)
	}
	if n := len(me.Pipelines()); n != 1 {
		t.Fatalf("%d calls, want the one call kept through the moves", n)
	}
}

// The microphone meter reads a tone fed into a PulseAudio source at its
// level: 0.3 of full scale is -13.5 dBFS RMS and -10.5 dBFS peak.
func TestPulseMicLevel(t *testing.T) {
	rig := startPulseRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rig.loadSink("micsink", "MicSink")
	rig.playTone(ctx, "micsink", 0.3, 1000)
	host, err := NewMalgoHost(WithBackends(malgo.BackendPulseaudio))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Close() })
	e, err := NewEngine(host, DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	if err := e.Apply(Settings{Inputs: []DeviceRef{{Name: "Monitor of MicSink"}}, RingVolume: 1}); err != nil {
		t.Fatal(err)
	}
	mctx, stop := context.WithCancel(ctx)
	levels, err := e.MicLevels(mctx)
	if err != nil {
		t.Fatal(err)
	}
	wantRMS, wantPeak := 20*math.Log10(0.3/math.Sqrt2), 20*math.Log10(0.3)
	good := 0
	deadline := time.After(30 * time.Second)
	for good < 10 {
		select {
		case lv, ok := <-levels:
			if !ok {
				t.Fatal("the meter stopped")
			}
			if lv.RMSDBFS > wantRMS+3 || lv.PeakDBFS > wantPeak+3 {
				t.Fatalf("meter reads %+v, above the %.1f dBFS RMS fed in", lv, wantRMS)
			}
			if math.Abs(lv.RMSDBFS-wantRMS) <= 2 && math.Abs(lv.PeakDBFS-wantPeak) <= 2 {
				good++
			}
		case <-deadline:
			t.Fatalf("only %d meter readings near %.1f dBFS RMS", good, wantRMS)
		}
	}
	stop()
	for range levels {
	}
}
