package sipua

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
)

// TestIncomingCancelAfterAnswer: a CANCEL that crosses our 200 does not
// undo the call (RFC 3261 §9.2), its 200 carries the INVITE's To tag, and
// the caller's ACK confirms the call whichever To tag it was built from:
// the CANCEL's 200's (ours) or one we never sent (a proxy that answered
// the CANCEL itself), instead of 64×T1 of 200 retransmissions and a drop.
func TestIncomingCancelAfterAnswer(t *testing.T) {
	testrig.Require(t, "sipp")
	for _, sc := range []string{"uac_cancel_after_200", "uac_cancel_after_200_foreign"} {
		t.Run(sc, func(t *testing.T) {
			ua, h := startDirectUA(t, "127.0.0.1:9")
			ua.setAckWait(time.Minute) // longer than the test: an unmatched ACK must fail it
			s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario(sc),
				Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
			in := h.waitIncoming(t)
			if err := in.Ringing(); err != nil {
				t.Fatal(err)
			}
			type result struct {
				d   *Dialog
				err error
			}
			done := make(chan result, 1)
			go func() {
				d, err := in.Answer([]byte(testSDP))
				done <- result{d, err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(testTimeout):
				t.Fatal("Answer still waiting for the ACK")
			}
			if r.err != nil {
				t.Fatalf("Answer: %v", r.err)
			}
			select {
			case <-r.d.Done():
			case <-ctxT(t).Done():
				t.Fatal("sipp's BYE not seen")
			}
			if _, err := s.Wait(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			checkOneToTag(t, s.Messages(), r.d.LocalTag(), "180 INVITE", "200 INVITE", "200 CANCEL")
		})
	}
}

// TestIncomingNoAckEndsWithBye: a 200 never acknowledged ends the session
// with a BYE (RFC 3261 §13.3.1.4) and Answer says why.
func TestIncomingNoAckEndsWithBye(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	ua.setAckWait(3 * time.Second) // 64×T1 would make the test last 32 s
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_no_ack"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	d, err := in.Answer([]byte(testSDP))
	if !errors.Is(err, ErrNoAck) || d != nil {
		t.Fatalf("Answer = %v, %v; want ErrNoAck", d, err)
	}
	if err.Error() != "the caller's phone never confirmed the answer" {
		t.Errorf("error text %q", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err) // sipp fails the call unless our BYE came
	}
	select {
	case <-in.Dialog().Done():
	case <-ctxT(t).Done():
		t.Fatal("dialog not ended after the BYE")
	}
}

// TestIncomingHangupWhileAwaitingAck: Hangup while our 200 waits for its
// ACK returns at once and makes Answer return; the BYE waits for the ACK
// (RFC 3261 §15), which sipp sends 2 s late.
func TestIncomingHangupWhileAwaitingAck(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_late_ack"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	answered := make(chan error, 1)
	go func() {
		_, err := in.Answer([]byte(testSDP))
		answered <- err
	}()
	waitFor(t, "the answer to be under way", func() bool { return ua.Dialogs().Len() == 1 })
	if err := in.Hangup(ctxT(t)); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	select {
	case err := <-answered:
		if !errors.Is(err, ErrHungUp) {
			t.Errorf("Answer = %v, want ErrHungUp", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Answer still blocked after Hangup")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err) // sipp fails unless the BYE follows its ACK
	}
	select {
	case <-in.Dialog().Done():
	case <-ctxT(t).Done():
		t.Fatal("dialog not ended")
	}
}

// waitFor polls cond until it holds, failing after testTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIncomingHangupWhileRinging: Hangup before any answer declines the
// call with the reject code, like Reject.
func TestIncomingHangupWhileRinging(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_reject"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	if err := in.Hangup(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Answer(nil); !errors.Is(err, ErrAlreadyAnswered) {
		t.Errorf("Answer after Hangup: %v", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err) // uac_reject expects 603
	}
}
