//go:build cgo

package selftest

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/testrig"
)

// TestAudioOnPulse runs the microphone and speaker checks on real devices
// (miniaudio's PulseAudio backend, testrig's private server): a 1 kHz tone
// played into a null sink is the microphone (its monitor), and the
// speaker's tone is recorded from the default sink's monitor and must be
// 440 Hz.
func TestAudioOnPulse(t *testing.T) {
	testrig.Require(t, "pulseaudio", "pactl", "pacat", "parec")
	pulse := testrig.StartPulse(t)
	cmd := func(ctx context.Context, args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, args[0], args[1:]...)
		c.Env = append(c.Environ(), pulse.Env()...)
		return c
	}
	if out, err := cmd(context.Background(), "pactl", "load-module", "module-null-sink", "sink_name=micsink", "rate=48000",
		"sink_properties=device.description=MicSink").CombinedOutput(); err != nil {
		t.Fatalf("pactl: %v %s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var raw bytes.Buffer
	_ = binary.Write(&raw, binary.LittleEndian, dsp.Tones(audio.SampleRate, 60*audio.SampleRate, 0.3, 1000))
	play := cmd(ctx, "pacat", "-p", "--raw", "--format=s16le", "--rate=48000", "--channels=1", "--latency-msec=20", "-d", "micsink")
	play.Stdin = &raw
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = play.Wait() }()
	// What the speaker plays, from the default sink's monitor.
	rec := cmd(ctx, "parec", "--raw", "--rate=48000", "--channels=1", "--format=s16le", "--latency-msec=10", "-d", pulse.Monitor)
	out, err := rec.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	recorded := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(out)
		recorded <- b
	}()

	host, err := audio.NewMalgoHost(audio.WithBackends(malgo.BackendPulseaudio))
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	got := run(t, Config{Audio: host, Input: "Monitor of MicSink", Timeout: 20 * time.Second})
	want(t, got, CheckMicrophone, StatusOK, "works (loudest -")
	want(t, got, CheckSpeaker, StatusOK, "A 440 Hz tone played on")

	_ = rec.Process.Kill()
	_ = rec.Wait()
	b := <-recorded
	pcm := make([]int16, len(b)/2)
	_ = binary.Read(bytes.NewReader(b[:len(pcm)*2]), binary.LittleEndian, pcm)
	// The loudest half second of the recording is the tone.
	best, bestLevel := []int16(nil), -200.0
	for i := 0; i+audio.SampleRate/2 <= len(pcm); i += audio.SampleRate / 10 {
		w := pcm[i : i+audio.SampleRate/2]
		if l := dsp.RMSdBFS(w); l > bestLevel {
			best, bestLevel = w, l
		}
	}
	if best == nil {
		t.Fatalf("recorded only %d samples from the speaker", len(pcm))
	}
	if p := audiotest.ToneProblem(best, []float64{toneHz}, 1000); p != "" {
		t.Errorf("the speaker check's tone: %s", p)
	}
	if !strings.Contains(got[CheckMicrophone].Summary, "MicSink") {
		t.Errorf("the microphone check does not name the device it used: %q", got[CheckMicrophone].Summary)
	}
}
