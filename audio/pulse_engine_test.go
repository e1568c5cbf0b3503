//go:build cgo

package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/testrig"
)

// The real device path: an engine on miniaudio's PulseAudio backend carries
// a call to a null-device engine. A 1 kHz tone played (pacat) into a second
// null sink, whose monitor is our microphone, must reach the far end; the
// far end's chord must come out of our speaker (the default null sink),
// which we record from its monitor with parec. Separate sinks for the
// microphone and the speaker keep our own output out of our microphone.
func TestPulseEngineCarriesCall(t *testing.T) {
	testrig.Require(t, "pulseaudio", "pactl", "pacat", "parec")
	pulse := testrig.StartPulse(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(cmd.Environ(), pulse.Env()...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
		return string(out)
	}
	run("pactl", "load-module", "module-null-sink", "sink_name=micsink", "rate=48000",
		"sink_properties=device.description=MicSink")

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	// 30 s of 1 kHz into the microphone sink (pacat exits when killed by ctx).
	tone := dsp.Tones(SampleRate, 30*SampleRate, 0.3, 1000)
	var raw bytes.Buffer
	_ = binary.Write(&raw, binary.LittleEndian, tone)
	play := exec.CommandContext(ctx, "pacat", "-p", "--raw", "--format=s16le", "--rate=48000", "--channels=1",
		"--latency-msec=20", "-d", "micsink")
	play.Env, play.Stdin = append(play.Environ(), pulse.Env()...), &raw
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = play.Wait() })

	host, err := NewMalgoHost(WithBackends(malgo.BackendPulseaudio))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Close() })
	me, err := NewEngine(host, DeviceConfig{Input: "Monitor of MicSink", Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = me.Close() })
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

	// Record what our engine plays into the default sink.
	recCmd := exec.CommandContext(ctx, "parec", "--raw", "--format=s16le", "--rate=48000", "--channels=1",
		"--latency-msec=20", "-d", pulse.Monitor)
	got := &lockedBuffer{}
	recCmd.Env, recCmd.Stdout = append(recCmd.Environ(), pulse.Env()...), got
	if err := recCmd.Start(); err != nil {
		t.Fatal(err)
	}
	var heard []int16
	audiotest.WaitFor(t, 20*time.Second, "two seconds from the sink monitor", func() bool {
		return got.Len() >= 2*2*SampleRate
	})
	_ = recCmd.Process.Kill()
	_ = recCmd.Wait()
	b := got.Bytes()
	heard = make([]int16, len(b)/2)
	_ = binary.Read(bytes.NewReader(b[:2*len(heard)]), binary.LittleEndian, heard)
	if len(heard) < SampleRate {
		t.Fatalf("recorded only %d samples from the sink", len(heard))
	}
	problem := audiotest.AnyCleanWindow(heard, 0, func(w []int16) string {
		return audiotest.ToneProblem(w, bobTones, 1000)
	})
	if problem != "" {
		t.Errorf("the speaker sink never carried the far end's tones cleanly; last window: %s", problem)
	}
	logStats(t, "pulse side", pm)
}

// lockedBuffer is an io.Writer a test can poll while exec copies into it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Len()
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf.Bytes())
}
