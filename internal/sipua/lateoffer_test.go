package sipua

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// Late offer (RFC 3261 §13.3.1.4): an INVITE without SDP reaches the
// engine with no SDP; the offer passed to Answer goes out in the 200, and
// WaitAck returns the answer the ACK carried (also as RemoteSDP).
func TestIncomingLateOfferAckSDP(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_late_offer"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	if len(in.SDP) != 0 {
		t.Fatalf("late-offer INVITE reached us with SDP %q", in.SDP)
	}
	d, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatal(err)
	}
	answer, err := d.WaitAck(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(answer), "s=sipp-late-answer") || string(d.RemoteSDP()) != string(answer) {
		t.Fatalf("ACK answer %q, RemoteSDP %q", answer, d.RemoteSDP())
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	// A dialog whose INVITE had an offer waits for nothing.
	if sdp, err := (&Dialog{caller: true}).WaitAck(context.Background()); sdp != nil || err != nil {
		t.Fatalf("caller dialog WaitAck = %q, %v", sdp, err)
	}
}
