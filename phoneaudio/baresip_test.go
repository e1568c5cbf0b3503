package phoneaudio_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// Interop with another implementation: we call baresip with the WebRTC
// profile (ICE, DTLS-SRTP, Opus per RFC 7587). Our microphone plays
// 440 + 1250 Hz, baresip's plays 1 kHz from a WAV. Each side's recording
// must carry the other's tones.
func TestBaresipInteropOpusDTLS(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	dir := t.TempDir()
	src, rec := filepath.Join(dir, "source.wav"), filepath.Join(dir, "heard.wav")
	if err := testrig.WriteWAV(src, testrig.Tone(48000, 1000, 0.3, 20)); err != nil {
		t.Fatal(err)
	}
	b := testrig.StartBaresip(t, testrig.BaresipOptions{
		User: "bob", Registrar: kam.UDPAddr, WebRTC: true, AutoAnswer: true,
		SourceWAV: src, RecordWAV: rec,
	})
	ae, arec := toneEngine(t, aliceTones...)
	// No loopback candidates: baresip's ICE offers only the machine's
	// non-loopback addresses, and what it sends to a 127.0.0.1 candidate
	// leaves its 0.0.0.0-bound socket from another address, failing the
	// RFC 8445 symmetry check (see phone/baresip_test.go).
	alice := newPhone(t, kam, "alice", ae, rtc.Config{IncludeLoopback: false})
	aev := phonetest.Record(t, alice)

	cs, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallAccepted)
	if ev := aev.Next(phone.EventMediaConnected, phone.EventMediaFailed); ev.Type != phone.EventMediaConnected {
		t.Fatalf("media with baresip failed: %s\n%s", ev.Reason, b.Log())
	}
	audiotest.Hear(t, "we hear baresip", arec, []float64{1000}, aliceTones...)
	// Let baresip record a couple of seconds of us.
	time.Sleep(2 * time.Second)
	if err := alice.Hangup(ctxT(t), cs.ID()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallEnded)
	if _, err := b.WaitEvent(ctxT(t), "CALL_CLOSED"); err != nil {
		t.Fatalf("baresip did not close the call: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	path, err := b.SaveRecording(ctx)
	if err != nil {
		t.Fatalf("baresip recording: %v\n%s", err, b.Log())
	}
	w, err := testrig.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	mono := firstChannel(w)
	t.Logf("baresip recorded %.1f s at %d Hz, %d channel(s)", float64(len(mono))/float64(w.Rate), w.Rate, w.Channels)
	// Skip the first second (ICE, DTLS, jitter buffer) and the hang-up.
	if len(mono) < 2*w.Rate {
		t.Fatalf("baresip recorded only %d samples", len(mono))
	}
	x := mono[w.Rate : len(mono)-w.Rate/4]
	rep := dsp.CheckTones(x, dsp.ToneCheck{Rate: w.Rate, Expected: aliceTones, MinDBFS: -30, UnexpectedDBFS: -26})
	if !rep.OK() {
		t.Errorf("baresip did not hear our tones: %s", rep)
	}
	if l := dsp.TonedBFS(x, w.Rate, 1000); l > -45 {
		t.Errorf("baresip hears its own 1 kHz at %.1f dBFS", l)
	}
}

func firstChannel(w testrig.WAV) []int16 {
	if w.Channels <= 1 {
		return w.Samples
	}
	out := make([]int16, len(w.Samples)/w.Channels)
	for i := range out {
		out[i] = w.Samples[i*w.Channels]
	}
	return out
}
