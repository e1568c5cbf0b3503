package phone_test

import (
	"context"
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// A caller rings through the registrar; we accept, and the caller hangs up.
func TestIncomingCallAcceptedThenRemoteBye(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)

	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_bye.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})

	in := ev.Next(phone.EventCallIncoming)
	cs := in.Call
	if cs == nil || cs.SIPCallID == "" {
		t.Fatalf("incoming event without a CallSession: %+v", in)
	}
	if cs.Number != "1002" || cs.DisplayName != "Bob Caller" || cs.IsCaller || !cs.Ringing || cs.Status != phone.StatusIncoming || cs.AutoAnswer {
		t.Fatalf("unexpected incoming CallSession: %+v", cs)
	}
	if got, ok := p.Session(cs.ID()); !ok || got.SIPCallID != cs.SIPCallID {
		t.Fatalf("the phone does not list the incoming call: %+v", p.Calls())
	}
	if err := p.Accept(context.Background(), cs.ID()); err != nil {
		t.Fatalf("accept: %v", err)
	}
	acc := ev.Next(phone.EventCallAccepted)
	if !acc.Call.Answered || acc.Call.AnswerTime.IsZero() || acc.Call.Status != phone.StatusEstablished {
		t.Fatalf("accepted CallSession not established: %+v", acc.Call)
	}
	if active, ok := p.ActiveCall(); !ok || active.ID() != cs.ID() {
		t.Fatalf("accepted call is not the active one")
	}
	end := ev.Next(phone.EventCallEnded)
	if end.Call.ID() != cs.ID() || end.Call.EndTime.IsZero() || end.Reason != "the other party hung up" {
		t.Fatalf("unexpected end: %+v reason %q", end.Call, end.Reason)
	}
	waitSipp(t, sipp)
	if n := len(p.Calls()); n != 0 {
		t.Fatalf("%d calls left after the end", n)
	}
}

func TestIncomingCallRejected(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	tests := []struct {
		name string
		opts []phone.Option
		code string
	}{
		{name: "default 603 Decline", code: "603"},
		{name: "configured 486 Busy", opts: []phone.Option{phone.WithRejectCode(486, "Busy Here")}, code: "486"},
	}
	kam := testrig.StartKamailio(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := []string{"bob", "carol"}[i]
			p := newPhone(t, kam, "udp", user, tt.opts...)
			ev := phonetest.Record(t, p)
			// sipp does not substitute keys in response="…", so write the
			// expected code into a copy of the scenario.
			sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenarioWith(t, "incoming_reject.xml", "[code]", tt.code), Remote: kam.UDPAddr, Args: []string{"-s", user}})
			in := ev.Next(phone.EventCallIncoming)
			if err := p.Reject(context.Background(), in.Call.ID()); err != nil {
				t.Fatal(err)
			}
			failed := ev.Next(phone.EventCallFailed)
			if failed.Call.Answered || failed.Call.Status != phone.StatusFailed {
				t.Fatalf("rejected call looks answered: %+v", failed.Call)
			}
			waitSipp(t, sipp)
			if err := p.Reject(context.Background(), in.Call.ID()); err == nil {
				t.Fatal("rejecting a finished call must fail")
			}
		})
	}
}

func TestIncomingCallCancelledByCaller(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_cancel.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := ev.Next(phone.EventCallIncoming)
	failed := ev.Next(phone.EventCallFailed)
	if failed.Call.ID() != in.Call.ID() || failed.Code != 487 {
		t.Fatalf("expected the ringing call to fail with 487, got %d %q", failed.Code, failed.Reason)
	}
	waitSipp(t, sipp)
	if err := p.Accept(context.Background(), in.Call.ID()); err == nil {
		t.Fatal("accepting a cancelled call must fail")
	}
}

// A CANCEL whose Reason says another device answered (RFC 3326) ends the
// ringing call as answered elsewhere, which front ends do not count as a
// missed call; a plain CANCEL does not say so.
func TestIncomingCallAnsweredElsewhere(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	for _, tt := range []struct {
		scenario  string
		elsewhere bool
		reason    string
	}{
		{"incoming_cancel_elsewhere.xml", true, "the call was answered on another device"},
		{"incoming_cancel.xml", false, "the caller hung up before the call was answered"},
	} {
		t.Run(tt.scenario, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			p := newPhone(t, kam, "udp", "alice")
			ev := phonetest.Record(t, p)
			sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario(tt.scenario), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
			ev.Next(phone.EventCallIncoming)
			failed := ev.Next(phone.EventCallFailed)
			if failed.Call.AnsweredElsewhere != tt.elsewhere || failed.Reason != tt.reason {
				t.Errorf("ended with answeredElsewhere %v, %q; want %v, %q",
					failed.Call.AnsweredElsewhere, failed.Reason, tt.elsewhere, tt.reason)
			}
			waitSipp(t, sipp)
		})
	}
}

// The caller holds and resumes us with re-INVITEs; sipp checks our answers
// are recvonly then sendrecv (RFC 3264 §6.1).
func TestIncomingCallRemoteHoldAndResume(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_hold.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := ev.Next(phone.EventCallIncoming)
	if err := p.Accept(context.Background(), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	held := ev.Next(phone.EventCallRemoteHold)
	if !held.Call.RemoteHeld {
		t.Fatalf("RemoteHeld not set: %+v", held.Call)
	}
	resumed := ev.Next(phone.EventCallRemoteResume)
	if resumed.Call.RemoteHeld {
		t.Fatalf("RemoteHeld still set after resume")
	}
	ev.Next(phone.EventCallEnded)
	waitSipp(t, sipp)
}

// Answer-Mode: Auto is flagged; a server call id header fills CallID; our
// hang-up reaches the caller as BYE.
func TestIncomingAutoAnswerFlagAndLocalHangup(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice", phone.WithServerCallIDHeader("X-Server-Call-ID"))
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_wait_bye.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := ev.Next(phone.EventCallIncoming)
	if !in.Call.AutoAnswer {
		t.Fatal("Answer-Mode: Auto not flagged")
	}
	if in.Call.CallID != "1700000000.42" {
		t.Fatalf("CallID = %q, want the server's id from the header", in.Call.CallID)
	}
	if err := p.Accept(context.Background(), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallAccepted)
	if err := p.Hangup(context.Background(), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	end := ev.Next(phone.EventCallEnded)
	if end.Reason != "you hung up" {
		t.Fatalf("reason %q", end.Reason)
	}
	waitSipp(t, sipp)
}
