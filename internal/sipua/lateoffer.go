package sipua

import (
	"context"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Late offer (RFC 3261 §13.3.1.4): an INVITE without a body leaves the
// offer to the callee, whose 2xx MUST carry one; the caller's answer then
// comes in the ACK. Incoming.Answer sends whatever SDP it is given, so the
// engine passes its offer there and reads the answer with WaitAck.

// noteInviteAck records the ACK that confirms the initial INVITE's 2xx
// and, when that INVITE carried no offer, keeps its SDP. Only the first ACK
// counts: the far end repeats the same ACK for each retransmitted 2xx
// (§13.2.2.4). A nil ack (the INVITE transaction absorbed it) confirms
// the answer without an SDP.
func (d *Dialog) noteInviteAck(ack *sip.Request) {
	if d.caller || d.ss == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.acked == nil {
		d.acked = make(chan struct{})
	}
	select {
	case <-d.acked:
		return
	default:
	}
	if ack == nil {
		close(d.acked)
		return
	}
	if body := ack.Body(); len(d.ss.InviteRequest.Body()) == 0 && len(body) > 0 && isSDP(contentType(ack)) {
		d.ackSDP = append([]byte(nil), body...)
		d.remoteSDP = d.ackSDP
	}
	close(d.acked)
}

// WaitAck waits for the ACK of our 2xx to the initial INVITE and returns
// the SDP answer it carried when the INVITE had no offer (late offer, RFC
// 3261 §13.3.1.4), or nil: the INVITE carried an offer, or the ACK carried
// no SDP (which the engine must treat as a failed negotiation and end with
// BYE). It fails if the dialog ends or ctx is done first. For a dialog we
// did not answer it returns nil at once.
func (d *Dialog) WaitAck(ctx context.Context) ([]byte, error) {
	if d.caller || d.ss == nil {
		return nil, nil
	}
	d.mu.Lock()
	if d.acked == nil {
		d.acked = make(chan struct{})
	}
	acked := d.acked
	d.mu.Unlock()
	sdp := func() []byte {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.ackSDP
	}
	select {
	case <-acked: // already there: no race with a done ctx or dialog
		return sdp(), nil
	default:
	}
	select {
	case <-acked:
		return sdp(), nil
	case <-d.done:
		select {
		case <-acked:
			return sdp(), nil
		default:
			return nil, fmt.Errorf("%w: the call ended before our answer was acknowledged", ErrCanceled)
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// isSDP reports whether a Content-Type is application/sdp (parameters and
// case ignored, RFC 3261 §7.3.1).
func isSDP(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/sdp")
}
