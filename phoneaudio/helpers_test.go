package phoneaudio_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phoneaudio"
)

const eventWait = 30 * time.Second

var (
	aliceTones = []float64{440, 1250}
	bobTones   = []float64{697, 1633}
)

// toneEngine is an audio engine on a null device whose microphone plays
// freqs and whose speaker is recorded.
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

// newPhone registers user at kamailio with audio on engine.
func newPhone(t testing.TB, kam *testrig.Kamailio, user string, engine *audio.Engine, media rtc.Config, opts ...phone.Option) *phone.Phone {
	t.Helper()
	acct := phone.Account{Transport: "udp", Server: kam.UDPAddr, Username: user, Password: "x"}
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		opts = append(opts, phone.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	opts = append([]phone.Option{
		phone.WithLocalIP("127.0.0.1"),
		phone.WithMedia(media),
		phone.WithAudio(phoneaudio.New(engine)),
	}, opts...)
	p, err := phone.New(acct, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	defer cancel()
	if err := p.Connect(ctx); err != nil {
		t.Fatalf("connect %s: %v", user, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Disconnect(ctx)
	})
	kam.WaitContacts(t, user, 1, eventWait)
	return p
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	t.Cleanup(cancel)
	return ctx
}
