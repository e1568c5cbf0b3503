package sipua

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Late offer (RFC 3261 §13.3.1.4): an INVITE without a body leaves the
// offer to the callee, whose 2xx MUST carry one; the caller's answer then
// comes in the ACK. Incoming.Answer sends whatever SDP it is given, so the
// engine passes its offer there and reads the answer with AckSDP.

// noteInviteAck keeps the SDP of the ACK that confirms the initial INVITE's
// 2xx when that INVITE carried no offer. Only the first ACK counts: the far
// end repeats the same ACK for each retransmitted 2xx (§13.2.2.4).
func (d *Dialog) noteInviteAck(ack *sip.Request) {
	if d.caller || d.ss == nil || len(d.ss.InviteRequest.Body()) > 0 {
		return
	}
	body := ack.Body()
	if len(body) == 0 || !isSDP(contentType(ack)) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ackSDP != nil {
		return
	}
	d.ackSDP = append([]byte(nil), body...)
	d.remoteSDP = d.ackSDP
}

// AckSDP returns the SDP answer carried by the ACK of our 2xx to an INVITE
// that had no offer (late offer, RFC 3261 §13.3.1.4), or nil: the INVITE
// carried an offer, or the ACK carried no SDP (which the engine must treat
// as a failed negotiation and end with BYE). It is meaningful once
// Incoming.Answer has returned the dialog.
func (d *Dialog) AckSDP() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ackSDP
}

// isSDP reports whether a Content-Type is application/sdp (parameters and
// case ignored, RFC 3261 §7.3.1).
func isSDP(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/sdp")
}
