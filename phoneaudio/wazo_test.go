package phoneaudio_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
	"github.com/parley-voip/parley/phoneaudio"
	"github.com/parley-voip/parley/wazoline"
)

// A Wazo line carries real audio: the embedded stack's Tone Bot calls us and
// we hear its 440 Hz; we call the echo extension and hear our own tone come
// back, through login, SIP over WSS, DTLS-SRTP and the audio pipeline.
func TestWazoLineCarriesAudio(t *testing.T) {
	const ours = 1633.0 // not a tone any stack peer plays
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })

	engine, heard := toneEngine(t, ours)
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(),
		wazoline.WithPinnedCertificate(d.CertificateSHA256()),
		wazoline.WithPhoneOptions(
			phone.WithAudio(phoneaudio.New(engine)),
			phone.WithMedia(rtc.Config{IncludeLoopback: true}),
		))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = line.Close(context.Background()) })
	api := line.API()
	ev := phonetest.Record(t, api)

	if _, err := d.RingMe("1001"); err != nil {
		t.Fatal(err)
	}
	in := ev.Next(phone.EventCallIncoming)
	if err := api.Accept(ctx, in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventMediaConnected)
	audiotest.Hear(t, "the agent hears the Tone Bot", heard, []float64{wazostandin.ToneBotHz}, ours)
	if err := api.Hangup(ctx, in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallEnded)

	out, err := api.Call(ctx, "9000")
	if err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventMediaConnected)
	audiotest.Hear(t, "the echo line returns the agent's voice", heard, []float64{ours}, wazostandin.ToneBotHz)
	if err := api.Hangup(ctx, out.ID()); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallEnded)
}
