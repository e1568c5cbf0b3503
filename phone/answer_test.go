package phone_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// sippGot200 matches sipp's trace once it received our 200 to the INVITE.
var sippGot200 = regexp.MustCompile(`message received \[\d+\] bytes :\n\nSIP/2\.0 200 [^\n]*\n(?s:.*?)CSeq: *1 INVITE`)

// waitSippReceived200 polls sipp's message trace until our 200 OK is in it:
// the answer is then waiting for its ACK.
func waitSippReceived200(t *testing.T, s *testrig.Sipp) {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	for !sippGot200.MatchString(s.Messages()) {
		if time.Now().After(deadline) {
			t.Fatal("sipp never received our 200 OK")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHangupWhileAcceptAwaitsAck: the caller's ACK is 3 s late. Hanging up
// meanwhile returns at once, Accept returns, the call ends for the user, and
// the BYE follows the ACK (RFC 3261 §15); sipp fails unless it gets it.
func TestHangupWhileAcceptAwaitsAck(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_late_ack.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := ev.Next(phone.EventCallIncoming)
	accepted := make(chan error, 1)
	go func() { accepted <- p.Accept(context.Background(), in.Call.ID()) }()
	waitSippReceived200(t, sipp)
	hungUp := make(chan error, 1)
	go func() { hungUp <- p.Hangup(context.Background(), in.Call.ID()) }()
	// The ACK comes 3 s after the 200: both must be back long before.
	for name, ch := range map[string]chan error{"Hangup": hungUp, "Accept": accepted} {
		select {
		case err := <-ch:
			if name == "Hangup" && err != nil {
				t.Errorf("Hangup: %v", err)
			}
			if name == "Accept" && (err == nil || !strings.Contains(err.Error(), "you hung up")) {
				t.Errorf("Accept = %v, want the hang-up", err)
			}
		case <-time.After(eventWait):
			t.Fatalf("%s still blocked by the pending answer", name)
		}
	}
	failed := ev.Next(phone.EventCallFailed)
	if failed.Reason != "you hung up" || failed.Call.Answered {
		t.Errorf("end = %+v, reason %q", failed.Call, failed.Reason)
	}
	waitSipp(t, sipp)
}

// TestAcceptNeverAcked: a caller that never ACKs our 200 gets a BYE after
// 64×T1 (RFC 3261 §13.3.1.4), and the user a reason in plain words. The
// test lasts those 32 s.
func TestAcceptNeverAcked(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_no_ack.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := ev.Next(phone.EventCallIncoming)
	err := p.Accept(context.Background(), in.Call.ID())
	if err == nil || !strings.Contains(err.Error(), "never confirmed the answer") {
		t.Fatalf("Accept = %v", err)
	}
	failed := ev.Next(phone.EventCallFailed)
	if failed.Reason != "the caller's phone never confirmed the answer, so the call was ended" || failed.Call.ID() != in.Call.ID() {
		t.Errorf("event = %+v, reason %q", failed.Call, failed.Reason)
	}
	waitSipp(t, sipp) // sipp fails the call unless our BYE came
	if n := len(p.Calls()); n != 0 {
		t.Errorf("%d calls left", n)
	}
}
