package phone_test

import (
	"context"
	"errors"
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

func TestOutgoingCallAnsweredAfterChallenge(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	for _, sc := range []string{"uas_answer.xml", "uas_401.xml", "uas_407.xml"} {
		t.Run(sc, func(t *testing.T) {
			p := newPhone(t, kam, "udp", "alice")
			ev := phonetest.Record(t, p)
			sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario(sc), Args: []string{"-s", "bob"}})
			cs, err := p.Call(context.Background(), "sip:bob@"+sipp.Addr())
			if err != nil {
				t.Fatal(err)
			}
			if !cs.IsCaller || cs.Status != phone.StatusDialing || cs.SIPCallID == "" {
				t.Fatalf("unexpected new outgoing call: %+v", cs)
			}
			ev.Next(phone.EventCallOutgoing)
			prog := ev.Next(phone.EventCallProgress)
			if prog.Code != 180 || prog.Call.Status != phone.StatusRinging {
				t.Fatalf("expected 180 ringing, got %d %s", prog.Code, prog.Call.Status)
			}
			acc := ev.Next(phone.EventCallAccepted)
			if acc.Call.ID() != cs.ID() || !acc.Call.Answered {
				t.Fatalf("unexpected accepted call %+v", acc.Call)
			}
			if err := p.Hangup(context.Background(), cs.ID()); err != nil {
				t.Fatal(err)
			}
			ev.Next(phone.EventCallEnded)
			waitSipp(t, sipp)
		})
	}
}

func TestOutgoingCallBusy(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("uas_busy.xml"), Args: []string{"-s", "bob"}})
	cs, err := p.Call(context.Background(), "sip:bob@"+sipp.Addr())
	if err != nil {
		t.Fatal(err)
	}
	failed := ev.Next(phone.EventCallFailed)
	if failed.Call.ID() != cs.ID() || failed.Code != 486 || failed.Reason != "the line is busy" {
		t.Fatalf("got %d %q, want 486 busy", failed.Code, failed.Reason)
	}
	waitSipp(t, sipp)
}

func TestOutgoingCallCancelledWhileRinging(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("uas_ring_cancel.xml"), Args: []string{"-s", "bob"}})
	cs, err := p.Call(context.Background(), "sip:bob@"+sipp.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallProgress)
	if err := p.Hangup(context.Background(), cs.ID()); err != nil {
		t.Fatal(err)
	}
	failed := ev.Next(phone.EventCallFailed)
	if failed.Code != 487 {
		t.Fatalf("got %d %q, want 487", failed.Code, failed.Reason)
	}
	waitSipp(t, sipp)
}

func TestCallRejectsBadNumbersInPlainLanguage(t *testing.T) {
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	for _, n := range []string{"", "10\r\n02", "sip:@x", "call me maybe"} {
		_, err := p.Call(context.Background(), n)
		if !errors.Is(err, phone.ErrInvalidNumber) {
			t.Errorf("Call(%q) = %v, want ErrInvalidNumber", n, err)
		}
	}
	if n := len(p.Calls()); n != 0 {
		t.Fatalf("bad numbers left %d calls behind", n)
	}
}

// Our CANCEL crosses the callee's 200 OK: the call is ACKed and then hung up
// with BYE, and the engine reports it over, never leaving it half-open.
func TestOutgoingCancelCrossing200(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("uas_cancel_race.xml"), Args: []string{"-s", "bob"}})
	cs, err := p.Call(context.Background(), "sip:bob@"+sipp.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallProgress)
	if err := p.Hangup(context.Background(), cs.ID()); err != nil {
		t.Fatal(err)
	}
	waitSipp(t, sipp)
	if _, ok := p.Session(cs.ID()); ok {
		// The end event may trail sipp's last message a little.
		ev.Next(phone.EventCallFailed, phone.EventCallEnded)
	}
	if n := len(p.Calls()); n != 0 {
		t.Fatalf("%d calls left after the cancelled call was answered and hung up", n)
	}
}
