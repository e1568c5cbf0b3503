package audio

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
)

// TestPlayMessage: an 8 kHz recording plays once on the call output at
// 48 kHz with its tone intact, then the device is released; StopMessage
// ends it early.
func TestPlayMessage(t *testing.T) {
	rec := &audiotest.Recorder{}
	e, err := NewEngine(NullHost{Options: []NullOption{WithSink(rec.Sink)}}, DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.PlayMessage(nil, 8000); err == nil {
		t.Fatal("an empty message played")
	}
	msg := dsp.Tones(8000, 8000, 0.25, 1209) // 1 s
	length, err := e.PlayMessage(msg, 8000)
	if err != nil {
		t.Fatal(err)
	}
	if length < 990*time.Millisecond || length > 1010*time.Millisecond {
		t.Fatalf("length %v, want 1 s", length)
	}
	audiotest.HearTone(t, "the message", rec, []float64{1209})
	audiotest.WaitFor(t, 15*time.Second, "the device released after the message", func() bool { return !e.Tone(ToneMessage) && !e.DeviceOpen() })

	if _, err := e.PlayMessage(dsp.Tones(8000, 80000, 0.25, 697), 8000); err != nil {
		t.Fatal(err)
	}
	audiotest.WaitFor(t, 15*time.Second, "the second message playing", func() bool { return e.Tone(ToneMessage) })
	e.StopMessage()
	if e.Tone(ToneMessage) {
		t.Fatal("still playing after StopMessage")
	}
}
