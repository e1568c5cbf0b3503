package rtpmedia_test

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtpmedia"
)

const wait = 30 * time.Second

var (
	aliceTones = []float64{440, 1250}
	bobTones   = []float64{697, 1633}
)

var loopback = netip.MustParseAddr("127.0.0.1")

func testLogger() *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// newSession opens a session on loopback, closed at Cleanup.
func newSession(t *testing.T, cfg rtpmedia.Config) *rtpmedia.Session {
	t.Helper()
	if !cfg.LocalIP.IsValid() {
		cfg.LocalIP = loopback
	}
	s, err := rtpmedia.NewSession(cfg, rtpmedia.WithLogger(testLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// toneEngine is an audio engine on a null device whose microphone plays
// freqs and whose speaker is recorded: the real audio pipeline.
func toneEngine(t testing.TB, freqs ...float64) (*audio.Engine, *audiotest.Recorder) {
	t.Helper()
	rec := &audiotest.Recorder{}
	opts := []audio.NullOption{audio.WithSink(rec.Sink)}
	if len(freqs) > 0 {
		gen, err := dsp.NewToneGen(audio.SampleRate, 0.3, freqs...)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, audio.WithSource(gen.Fill))
	}
	e, err := audio.NewEngine(audio.NullHost{Options: opts}, audio.DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, rec
}

// openAudio connects a negotiated session to an engine.
func openAudio(t *testing.T, e *audio.Engine, id string, s *rtpmedia.Session) *audio.Pipeline {
	t.Helper()
	p, err := e.Open(id, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// exchange runs offer/answer between two sessions.
func exchange(t *testing.T, offerer, answerer *rtpmedia.Session) {
	t.Helper()
	offer, err := offerer.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	answer, err := answerer.Answer(ctxT(t), offer)
	if err != nil {
		t.Fatalf("answer: %v\noffer:\n%s", err, offer)
	}
	if err := offerer.SetAnswer(answer); err != nil {
		t.Fatalf("set answer: %v\nanswer:\n%s", err, answer)
	}
}
