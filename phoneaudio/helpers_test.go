package phoneaudio_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
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

// events collects a phone's events so tests can wait for one in order.
type events struct {
	t    testing.TB
	ch   <-chan phone.Event
	seen []string
}

func watch(t testing.TB, p phone.API) *events {
	ch, cancel := p.Subscribe()
	t.Cleanup(cancel)
	return &events{t: t, ch: ch}
}

// next waits for the next event of type typ, skipping others.
func (e *events) next(typ phone.EventType) phone.Event {
	e.t.Helper()
	return e.nextOf(typ)
}

// nextOf waits for the next event of any of the types, skipping others.
func (e *events) nextOf(types ...phone.EventType) phone.Event {
	e.t.Helper()
	deadline := time.After(eventWait)
	for {
		select {
		case ev, ok := <-e.ch:
			if !ok {
				e.t.Fatalf("event stream closed while waiting for %v; saw %s", types, strings.Join(e.seen, " "))
			}
			e.seen = append(e.seen, fmt.Sprintf("%s(%d %s)", ev.Type, ev.Code, ev.Reason))
			if slices.Contains(types, ev.Type) {
				return ev
			}
		case <-deadline:
			e.t.Fatalf("no %v within %s; saw %s", types, eventWait, strings.Join(e.seen, " "))
		}
	}
}

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
func newPhone(t *testing.T, kam *testrig.Kamailio, user string, engine *audio.Engine, media rtc.Config, opts ...phone.Option) *phone.Phone {
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

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	t.Cleanup(cancel)
	return ctx
}
