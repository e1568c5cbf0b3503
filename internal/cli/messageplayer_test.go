package cli

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/wazostandin"
)

// TestMessagePlayerPlaysVoicemail: a voicemail WAV as the server sends it
// (8 kHz) reaches the speaker with its tone; something that is not a WAV
// is refused in words.
func TestMessagePlayerPlaysVoicemail(t *testing.T) {
	rec := &audiotest.Recorder{}
	engine, err := audio.NewEngine(audio.NullHost{Options: []audio.NullOption{audio.WithSink(rec.Sink)}}, audio.DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	p := messagePlayer{engine: engine}
	if _, err := p.PlayWAV([]byte("not audio")); err == nil {
		t.Fatal("a non-WAV played")
	}
	length, err := p.PlayWAV(wazostandin.ToneWAV(2*time.Second, 852))
	if err != nil {
		t.Fatal(err)
	}
	if length < 1900*time.Millisecond || length > 2100*time.Millisecond {
		t.Fatalf("length %v", length)
	}
	audiotest.HearTone(t, "the voicemail", rec, []float64{852})
	p.StopPlaying()
	if engine.Tone(audio.ToneMessage) {
		t.Fatal("still playing after StopPlaying")
	}
}
