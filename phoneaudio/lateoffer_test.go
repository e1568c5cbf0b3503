package phoneaudio_test

import (
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// Late offer with media (RFC 3261 §13.3.1.4): a caller with WebRTC media
// sends an INVITE without SDP through the registrar. Our 200 carries the
// offer, its ACK the answer; then each side hears the other's tones.
func TestLateOfferAudio(t *testing.T) {
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	far := newFarEnd(t, "carol", 1000)
	ae, arec := toneEngine(t, aliceTones...)
	alice := newPhone(t, kam, "alice", ae, rtc.Config{IncludeLoopback: true})
	aev := phonetest.Record(t, alice)
	ctx := ctxT(t)

	var to sip.Uri
	if err := sip.ParseUri("sip:alice@"+kam.UDPAddr, &to); err != nil {
		t.Fatal(err)
	}
	type dialed struct {
		s   *sipgo.DialogClientSession
		err error
	}
	call := make(chan dialed, 1)
	go func() {
		s, err := far.dua.Invite(ctx, to, nil) // no SDP: late offer
		if err == nil {
			err = s.WaitAnswer(ctx, sipgo.AnswerOptions{})
		}
		call <- dialed{s, err}
	}()
	in := aev.Next(phone.EventCallIncoming)
	accepted := make(chan error, 1)
	go func() { accepted <- alice.Accept(ctx, in.Call.ID()) }() // returns once ACKed

	d := <-call
	if d.err != nil {
		t.Fatalf("far end: INVITE: %v", d.err)
	}
	t.Cleanup(func() { _ = d.s.Close() })
	offer := d.s.InviteResponse.Body()
	if len(offer) == 0 {
		t.Fatal("our 200 to a late-offer INVITE carries no SDP")
	}
	m := far.newMedia()
	answer, err := m.Answer(ctx, offer)
	if err != nil {
		t.Fatalf("far end cannot answer our offer: %v\n%s", err, offer)
	}
	ack := sip.NewRequest(sip.ACK, d.s.InviteResponse.Contact().Address)
	ack.AppendHeader(sdpHeader())
	ack.SetBody(answer)
	if err := d.s.WriteAck(ctx, ack); err != nil {
		t.Fatal(err)
	}
	if err := <-accepted; err != nil {
		t.Fatalf("accept: %v", err)
	}
	aev.Next(phone.EventCallAccepted)
	far.playOnceConnected(ctx, m, "late")
	if ev := aev.Next(phone.EventMediaConnected, phone.EventMediaFailed); ev.Type != phone.EventMediaConnected {
		t.Fatalf("media over a late offer: %s", ev.Reason)
	}
	audiotest.Hear(t, "we hear the late-offer caller", arec, []float64{1000}, aliceTones...)
	audiotest.Hear(t, "the late-offer caller hears us", far.rec, aliceTones, 1000)
	if err := alice.Hangup(ctx, in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	far.waitBye(ctx)
}
