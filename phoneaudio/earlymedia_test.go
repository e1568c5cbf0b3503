package phoneaudio_test

import (
	"path/filepath"
	"testing"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
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
