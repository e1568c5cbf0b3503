package phoneaudio_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
	"github.com/parley-voip/parley/phoneaudio"
)

// codecSpy remembers the codec of the last call the audio layer opened.
type codecSpy struct {
	phone.AudioBackend
	mu   sync.Mutex
	last codec.Params
}

func (s *codecSpy) Open(callID string, t phone.MediaTransport) (phone.CallAudio, error) {
	s.mu.Lock()
	s.last = t.Codec()
	s.mu.Unlock()
	return s.AudioBackend.Open(callID, t)
}

func (s *codecSpy) codec() codec.Params {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// G.722 with another implementation (baresip's g722 module, spandsp) over
// the WebRTC profile: we offer only G722/8000 (RFC 3551 §4.5.2) and both
// sides send wideband tones (5.2 and 6 kHz) that G.711 would cut at
// 3.4 kHz. Each side's recording must carry the other's tones.
func TestBaresipInteropG722DTLS(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	dir := t.TempDir()
	src, rec := filepath.Join(dir, "source.wav"), filepath.Join(dir, "heard.wav")
	const bobTone = 5200
	if err := testrig.WriteWAV(src, testrig.Tone(48000, bobTone, 0.3, 20)); err != nil {
		t.Fatal(err)
	}
	b := testrig.StartBaresip(t, testrig.BaresipOptions{
		User: "bob", Registrar: kam.UDPAddr, WebRTC: true, AutoAnswer: true,
		SourceWAV: src, RecordWAV: rec, Codecs: []string{"g722.so"},
	})
	aliceWide := []float64{1250, 6000}
	ae, arec := toneEngine(t, aliceWide...)
	// No loopback candidates, as in TestBaresipInteropOpusDTLS.
	spy := &codecSpy{AudioBackend: phoneaudio.New(ae)}
	alice := newPhone(t, kam, "alice", ae, rtc.Config{Codecs: []string{"g722"}, IncludeLoopback: false}, phone.WithAudio(spy))
	aev := phonetest.Record(t, alice)

	cs, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallAccepted)
	if ev := aev.Next(phone.EventMediaConnected, phone.EventMediaFailed); ev.Type != phone.EventMediaConnected {
		t.Fatalf("media with baresip failed: %s\n%s", ev.Reason, b.Log())
	}
	if c := spy.codec(); !c.Is(codec.NameG722) || c.ClockRate != 8000 || c.AudioRate() != 16000 || c.PayloadType != 9 {
		t.Fatalf("negotiated %+v, want G722/8000 on PT 9", c)
	}
	audiotest.Hear(t, "we hear baresip", arec, []float64{bobTone}, aliceWide...)
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
	if w.Rate < 16000 {
		t.Fatalf("baresip recorded at %d Hz: not the wideband codec", w.Rate)
	}
	if len(mono) < 2*w.Rate {
		t.Fatalf("baresip recorded only %d samples", len(mono))
	}
	x := mono[w.Rate : len(mono)-w.Rate/4]
	// Our tones are at -13.5 dBFS; G.722 keeps the level (no SILK-like
	// modelling), so allow only resampling and rounding.
	rep := dsp.CheckTones(x, dsp.ToneCheck{Rate: w.Rate, Expected: aliceWide, MinDBFS: -15.5, UnexpectedDBFS: -35})
	if !rep.OK() {
		t.Errorf("baresip did not hear our tones: %s", rep)
	}
	t.Logf("baresip heard: %s", rep)
	if l := dsp.TonedBFS(x, w.Rate, bobTone); l > -45 {
		t.Errorf("baresip hears its own %d Hz at %.1f dBFS", bobTone, l)
	}
}
