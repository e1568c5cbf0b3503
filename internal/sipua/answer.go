package sipua

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// sentAnswer is a 200 to an incoming INVITE that waits for its ACK.
type sentAnswer struct {
	res  *sip.Response
	seq  uint32
	acks <-chan *sip.Request
}

// ackWait is how long a 2xx waits for its ACK: 64×T1 (RFC 3261
// §13.3.1.4), also Timer L of the INVITE transaction (RFC 6026).
func (ua *UA) ackWait() time.Duration {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	if ua.ackTimeout > 0 {
		return ua.ackTimeout
	}
	return 64 * sip.T1
}

// setAckWait shortens the wait for an ACK (tests only).
func (ua *UA) setAckWait(d time.Duration) {
	ua.mu.Lock()
	ua.ackTimeout = d
	ua.mu.Unlock()
}

// awaitAck retransmits our 200 until its ACK, as the UAS core must on every
// transport (RFC 3261 §13.3.1.4: T1 doubling up to T2), on the INVITE
// handler's goroutine, which sipgo keeps for the transaction. It ends with
// in.outcome set and in.finished closed:
//
//   - ACK (matched by dialog, by Call-ID/From tag/CSeq when its To tag is
//     another one, see Registry.MatchAck, or absorbed by the INVITE
//     transaction when it reused the INVITE's branch): confirmed, and if
//     Hangup came meanwhile, the BYE it asked for is sent now;
//   - no ACK within 64×T1: the session is ended with a BYE and Answer
//     returns ErrNoAck;
//   - the dialog ended meanwhile (BYE from the caller, Close).
func (in *Incoming) awaitAck(a sentAnswer) {
	ua, d := in.ua, in.d
	defer in.finish()
	defer d.forgetAck(a.seq)
	interval := sip.T1
	retransmit := time.NewTimer(interval)
	defer retransmit.Stop()
	deadline := time.NewTimer(ua.ackWait())
	defer deadline.Stop()
	for {
		var ack *sip.Request
		select {
		case ack = <-a.acks:
		case ack = <-in.tx.Acks():
		case <-retransmit.C:
			if err := in.tx.Respond(a.res); err != nil {
				// The transaction is over (Timer L, transport): no more
				// retransmissions, but an ACK may still come.
				ua.log.Debug("200 retransmission failed", "call_id", d.callID, "err", err)
				continue
			}
			interval = min(2*interval, sip.T2)
			retransmit.Reset(interval)
			continue
		case <-deadline.C:
			ua.log.Warn("no ACK for our 200 OK, hanging up", "call_id", d.callID)
			in.outcome = ErrNoAck
			in.byeLater()
			return
		case <-d.done:
			in.outcome = ErrDialogTerminated
			return
		}
		in.mu.Lock()
		in.acked = true
		in.mu.Unlock()
		// Late offer: the answer to the offer in our 200 is in this ACK
		// (WaitAck returns it).
		d.noteInviteAck(ack)
		if ack != nil {
			_ = in.ss.ReadAck(ack, nil) // sipgo's dialog state, for completeness
		}
		select {
		case <-in.hungUp:
			in.byeLater()
		default:
		}
		return
	}
}

// byeLater ends the session with a BYE from a goroutine of the UA's: the
// far end may take up to 64×T1 to answer it.
func (in *Incoming) byeLater() {
	d := in.d
	if !in.ua.spawn(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, defaultRequestTimeout)
		defer cancel()
		if err := d.Bye(ctx); err != nil {
			in.ua.log.Debug("BYE failed", "call_id", d.callID, "err", err)
		}
	}) {
		d.end(false, 0, "closed")
	}
}

// expectAck registers a waiter for the ACK of our 2xx to the INVITE with
// CSeq seq; handleAck delivers to it.
func (d *Dialog) expectAck(seq uint32) <-chan *sip.Request {
	ch := make(chan *sip.Request, 1)
	d.mu.Lock()
	if d.pendingAcks == nil {
		d.pendingAcks = make(map[uint32]chan *sip.Request)
	}
	d.pendingAcks[seq] = ch
	d.mu.Unlock()
	return ch
}

func (d *Dialog) forgetAck(seq uint32) {
	d.mu.Lock()
	delete(d.pendingAcks, seq)
	d.mu.Unlock()
}

// awaitsAck reports whether our 2xx to the INVITE with CSeq seq still waits
// for its ACK.
func (d *Dialog) awaitsAck(seq uint32) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pendingAcks[seq] != nil
}

// confirmedByAck reports whether the ACK of our answer arrived.
func (in *Incoming) confirmedByAck() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.acked
}
