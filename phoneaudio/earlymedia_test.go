package phoneaudio_test

import (
	"path/filepath"
	"testing"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
	"github.com/parley-voip/parley/phoneaudio"
)

// baresip 1.0 in answermode=early answers our INVITE with 183 Session
// Progress whose SDP lacks a=rtcp-mux (it writes the early SDP before
// applying the offer's rtcp-mux; its 200 has it). With the WebRTC profile's
// "require" policy (RFC 8829 §4.1.1, RFC 5761 §5.1.1) that answer cannot be
// used, so there is no early media, but the call must not suffer: no
// call_early_media, local ringback... then the 200's SDP sets up media as
// usual and we hear baresip.
func TestUnusableEarlyMediaFromBaresipIsIgnored(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	src := filepath.Join(t.TempDir(), "source.wav")
	if err := testrig.WriteWAV(src, testrig.Tone(48000, 1000, 0.3, 30)); err != nil {
		t.Fatal(err)
	}
	b := testrig.StartBaresip(t, testrig.BaresipOptions{
		User: "bob", Registrar: kam.UDPAddr, WebRTC: true, EarlyAnswer: true, SourceWAV: src,
	})
	ae, arec := toneEngine(t, aliceTones...)
	// No loopback candidates, as in TestBaresipInteropOpusDTLS.
	alice := newPhone(t, kam, "alice", ae, rtc.Config{IncludeLoopback: false})
	aev := phonetest.Record(t, alice)

	cs, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	for aev.Next(phone.EventCallProgress).Code != 183 {
	}
	if _, err := b.Command(ctxT(t), "accept", ""); err != nil {
		t.Fatal(err)
	}
	if ev := aev.Next(phone.EventCallAccepted, phone.EventCallFailed); ev.Type != phone.EventCallAccepted {
		t.Fatalf("call failed: %s\n%s", ev.Reason, b.Log())
	}
	if ev := aev.Next(phone.EventMediaConnected, phone.EventMediaFailed); ev.Type != phone.EventMediaConnected {
		t.Fatalf("media after the 200 failed: %s\n%s", ev.Reason, b.Log())
	}
	audiotest.Hear(t, "we hear baresip after the answer", arec, []float64{1000}, aliceTones...)
	if err := alice.Hangup(ctxT(t), cs.ID()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallEnded)
	for _, ev := range aev.Events() {
		if ev.Type == phone.EventCallEarlyMedia {
			t.Errorf("early media reported for an SDP without rtcp-mux")
		}
	}
}

// Early media heard (RFC 3960): the far end rings (180: local ringback),
// then sends 183 with SDP and plays 1 kHz. Before any 200 we must hear
// that tone and no ringback, and it must not hear our microphone yet. The
// 200 repeats the 183's SDP: the call goes on over the same connection,
// and our microphone is heard from then on.
func TestEarlyMediaHeardBeforeAnswer(t *testing.T) {
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	far := newFarEnd(t, "carol", 1000)
	ae, arec := toneEngine(t, aliceTones...)
	alice := newPhone(t, kam, "alice", ae, rtc.Config{IncludeLoopback: true})
	// North American ringback (440 + 480 Hz), told apart from our tones.
	t.Cleanup(phoneaudio.Attach(ctxT(t), alice, ae, phoneaudio.WithRegion(dsp.RegionNA)))
	aev := phonetest.Record(t, alice)
	ctx := ctxT(t)

	cs, err := alice.Call(ctx, "sip:carol@"+far.addr)
	if err != nil {
		t.Fatal(err)
	}
	ss := far.nextInvite(ctx)
	m := far.newMedia()
	answer, err := m.Answer(ctx, ss.InviteRequest.Body())
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.Respond(180, "Ringing", nil); err != nil {
		t.Fatal(err)
	}
	ring := aev.Next(phone.EventCallProgress)
	if ring.Code != 180 || ring.Call.Status != phone.StatusRinging || ring.Call.EarlyMedia {
		t.Fatalf("180: %d %+v", ring.Code, ring.Call)
	}
	audiotest.HearTone(t, "local ringback after 180", arec, []float64{440, 480})

	if err := ss.Respond(183, "Session Progress", answer, sdpHeader()); err != nil {
		t.Fatal(err)
	}
	early := aev.Next(phone.EventCallEarlyMedia, phone.EventCallAccepted, phone.EventCallFailed)
	if early.Type != phone.EventCallEarlyMedia || early.Code != 183 || !early.Call.EarlyMedia ||
		early.Call.Answered || early.Call.Status != phone.StatusRinging {
		t.Fatalf("got %s %d %+v, want call_early_media for the 183", early.Type, early.Code, early.Call)
	}
	far.playOnceConnected(ctx, m, "early")
	audiotest.Hear(t, "early media before the 200", arec, []float64{1000}, append([]float64{440, 480}, aliceTones...)...)
	if s, _ := alice.Session(cs.ID()); s.Answered || !s.EarlyMedia {
		t.Fatalf("call answered during early media: %+v", s)
	}
	// Our microphone is not sent before the answer.
	heard := far.rec.Wait(t, far.rec.Len(), audiotest.Rate)
	for _, f := range aliceTones {
		if l := dsp.TonedBFS(heard, audiotest.Rate, f); l > -45 {
			t.Errorf("the far end hears our %v Hz at %.1f dBFS before the answer", f, l)
		}
	}

	acked := make(chan error, 1)
	go func() { acked <- ss.Respond(200, "OK", answer, sdpHeader()) }() // returns on the ACK
	acc := aev.Next(phone.EventCallAccepted, phone.EventCallEnded, phone.EventCallFailed)
	if acc.Type != phone.EventCallAccepted || acc.Call.EarlyMedia {
		t.Fatalf("got %s %+v after the 200, want call_accepted", acc.Type, acc.Call)
	}
	if err := <-acked; err != nil {
		t.Fatalf("far end: 200 not ACKed: %v", err)
	}
	audiotest.Hear(t, "the far end after the 200", arec, []float64{1000}, append([]float64{440, 480}, aliceTones...)...)
	audiotest.Hear(t, "the far end hears us after the 200", far.rec, aliceTones, 1000)
	if err := alice.Hangup(ctx, cs.ID()); err != nil {
		t.Fatal(err)
	}
	far.waitBye(ctx)
	for _, ev := range aev.Events() {
		if ev.Type == phone.EventMediaFailed || (ev.Type == phone.EventMediaConnected && ev.Call.Answered) {
			t.Errorf("media failed or reconnected after the 200: %s %s", ev.Type, ev.Reason)
		}
	}
}

// Another device answers (a forking proxy, RFC 3960 §3.1): the 183's early
// media came from one ICE agent and DTLS certificate, the 200's SDP names
// another. The early connection cannot follow, so Parley gives the call new
// media by re-INVITE (fresh ICE credentials and certificate) and we hear the
// device that answered once the early one is gone.
func TestEarlyMediaThenAnotherDeviceAnswers(t *testing.T) {
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	far := newFarEnd(t, "carol", 1000)
	ae, arec := toneEngine(t, aliceTones...)
	alice := newPhone(t, kam, "alice", ae, rtc.Config{IncludeLoopback: true})
	aev := phonetest.Record(t, alice)
	ctx := ctxT(t)

	cs, err := alice.Call(ctx, "sip:carol@"+far.addr)
	if err != nil {
		t.Fatal(err)
	}
	ss := far.nextInvite(ctx)
	offer := ss.InviteRequest.Body()
	announcer, answerer := far.newMedia(), far.newMedia()
	early, err := announcer.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	final, err := answerer.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.Respond(183, "Session Progress", early, sdpHeader()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallEarlyMedia)
	earlyAudio := far.playOnceConnected(ctx, announcer, "announcer")
	audiotest.Hear(t, "early media", arec, []float64{1000}, aliceTones...)

	acked := make(chan error, 1)
	go func() { acked <- ss.Respond(200, "OK", final, sdpHeader()) }()
	renewed := far.answerReInvite(ctx)
	if err := <-acked; err != nil {
		t.Fatalf("far end: 200 not ACKed: %v", err)
	}
	// The announcer is gone, as the fork that lost would be.
	_ = earlyAudio.Close()
	_ = announcer.Close()
	acc := aev.Next(phone.EventCallAccepted, phone.EventCallEnded, phone.EventCallFailed)
	if acc.Type != phone.EventCallAccepted {
		t.Fatalf("got %s %q, want call_accepted", acc.Type, acc.Reason)
	}
	far.playOnceConnected(ctx, renewed, "answerer")
	if ev := aev.Next(phone.EventMediaConnected, phone.EventMediaFailed); ev.Type != phone.EventMediaConnected || !ev.Call.Answered {
		t.Fatalf("new media for the answering device: %s %q", ev.Type, ev.Reason)
	}
	audiotest.Hear(t, "the device that answered", arec, []float64{1000}, aliceTones...)
	audiotest.Hear(t, "the device that answered hears us", far.rec, aliceTones, 1000)
	if err := alice.Hangup(ctx, cs.ID()); err != nil {
		t.Fatal(err)
	}
	far.waitBye(ctx)
}
