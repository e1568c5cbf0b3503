package phone_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// Late offer (RFC 3261 §13.3.1.4): sipp calls with an INVITE without SDP.
// Our 200 must carry an offer (sipp checks it), the answer comes in the
// ACK, and the call is established. Audio over a late offer is checked in
// phoneaudio (TestLateOfferAudio), with a DTLS-capable caller.
func TestIncomingLateOffer(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_late_offer.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})

	in := ev.Next(phone.EventCallIncoming)
	if err := p.Accept(context.Background(), in.Call.ID()); err != nil {
		t.Fatalf("accept a late offer: %v", err)
	}
	if acc := ev.Next(phone.EventCallAccepted); acc.Call.Status != phone.StatusEstablished {
		t.Fatalf("late-offer call not established: %+v", acc.Call)
	}
	if end := ev.Next(phone.EventCallEnded); end.Reason != "the other party hung up" {
		t.Fatalf("end reason %q", end.Reason)
	}
	waitSipp(t, sipp)
}

// A late-offer caller that ACKs without an answer leaves the call with no
// agreed media: we end it with BYE (sipp waits for it) and say why.
func TestIncomingLateOfferWithoutAnswer(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_late_offer_no_answer.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})

	in := ev.Next(phone.EventCallIncoming)
	err := p.Accept(context.Background(), in.Call.ID())
	if !errors.Is(err, phone.ErrMediaFailed) {
		t.Fatalf("accept: %v, want ErrMediaFailed", err)
	}
	failed := ev.Next(phone.EventCallFailed, phone.EventCallAccepted)
	if failed.Type != phone.EventCallFailed || !strings.Contains(failed.Reason, "no SDP in the ACK") {
		t.Fatalf("got %s %q, want call_failed saying the ACK had no SDP", failed.Type, failed.Reason)
	}
	waitSipp(t, sipp)
}

// A re-INVITE without SDP (RFC 3261 §14.2): our 200 carries an offer
// (sendrecv, sipp checks it) and the ACK's answer is applied: it is
// sendonly, so the far end now holds us.
func TestIncomingReInviteWithoutSDP(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_reinvite_no_sdp.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := ev.Next(phone.EventCallIncoming)
	if err := p.Accept(context.Background(), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	held := ev.Next(phone.EventCallRemoteHold, phone.EventCallEnded)
	if held.Type != phone.EventCallRemoteHold || !held.Call.RemoteHeld {
		t.Fatalf("the ACK's sendonly answer was not applied: got %s %+v", held.Type, held.Call)
	}
	ev.Next(phone.EventCallEnded)
	waitSipp(t, sipp)
}
