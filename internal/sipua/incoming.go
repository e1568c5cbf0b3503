package sipua

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Incoming is a ringing incoming call. Its fields are read-only; its
// actions may be called from any goroutine, once a final one (Answer or
// Reject) has succeeded the others return ErrAlreadyAnswered.
type Incoming struct {
	CallID     string
	From       Party
	To         Party
	RequestURI string
	SDP        []byte

	ua  *UA
	req *sip.Request
	ss  *sipgo.DialogServerSession
	tx  sip.ServerTransaction
	d   *Dialog
	// sent hands our 200 to the INVITE's handler goroutine, which
	// retransmits it until the ACK (answer.go).
	sent     chan sentAnswer
	hungUp   chan struct{} // Hangup while the 200 waits for its ACK
	hangOnce sync.Once
	outcome  error // of the answer, set before finished closes

	mu       sync.Mutex
	final    bool
	acked    bool        // the ACK of our 200 arrived
	cancel   *cancelNote // what the CANCEL said, if one came
	canceled chan struct{}
	cancelOn sync.Once
	finished chan struct{}
	finOnce  sync.Once
}

// Header returns the first value of a header of the INVITE (e.g.
// "Answer-Mode", "X-Wazo-Call-ID", "Alert-Info"), or "".
func (in *Incoming) Header(name string) string {
	if h := in.req.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// Dialog returns the (not yet confirmed) dialog, e.g. to read its tags.
func (in *Incoming) Dialog() *Dialog { return in.d }

// Canceled is closed when the caller CANCELs (sipgo answers 487) or the
// INVITE transaction dies before a final response.
func (in *Incoming) Canceled() <-chan struct{} { return in.canceled }

// CompletedElsewhere reports whether the CANCEL said the call was answered
// on another device: a Reason header (RFC 3326 §2) of SIP cause 200, as
// Asterisk and forking proxies send ("Call completed elsewhere"), or Q.850
// cause 26, non-selected user clearing. Meaningful once Canceled is closed.
func (in *Incoming) CompletedElsewhere() bool { return in.cancel.completedElsewhere() }

// cancelNote keeps what a CANCEL's Reason headers said. It is registered
// on the INVITE transaction before the dialog layer's own CANCEL handler,
// so it has read the CANCEL by the time the call's context ends.
type cancelNote struct {
	mu        sync.Mutex
	elsewhere bool
}

func (n *cancelNote) read(req *sip.Request) {
	elsewhere := false
	for _, h := range req.GetHeaders("Reason") {
		for _, v := range strings.Split(h.Value(), ",") {
			if completedElsewhere(v) {
				elsewhere = true
			}
		}
	}
	n.mu.Lock()
	n.elsewhere = elsewhere
	n.mu.Unlock()
}

func (n *cancelNote) completedElsewhere() bool {
	if n == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.elsewhere
}

// completedElsewhere parses one reason-value: protocol *(;param).
func completedElsewhere(v string) bool {
	parts := strings.Split(v, ";")
	protocol := strings.ToUpper(strings.TrimSpace(parts[0]))
	for _, p := range parts[1:] {
		name, value, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "cause") {
			continue
		}
		value = strings.TrimSpace(value)
		return (protocol == "SIP" && value == "200") || (protocol == "Q.850" && value == "26")
	}
	return false
}

func (in *Incoming) markCanceled() {
	in.cancelOn.Do(func() { close(in.canceled) })
	in.d.end(true, 487, "Request Terminated")
}

func (in *Incoming) finish() { in.finOnce.Do(func() { close(in.finished) }) }

// Ringing sends 180 Ringing.
func (in *Incoming) Ringing() error {
	in.mu.Lock()
	final := in.final
	in.mu.Unlock()
	if final {
		return ErrAlreadyAnswered
	}
	return in.ss.Respond(180, "Ringing", nil)
}

// Answer sends 200 OK with sdpAnswer and returns the confirmed dialog once
// the ACK arrived. The 200 is retransmitted until then (RFC 3261
// §13.3.1.4); after 64×T1 without an ACK the call is ended with a BYE and
// Answer returns ErrNoAck. Hangup makes a waiting Answer return ErrHungUp
// at once.
func (in *Incoming) Answer(sdpAnswer []byte) (*Dialog, error) {
	in.mu.Lock()
	if in.final {
		in.mu.Unlock()
		return nil, ErrAlreadyAnswered
	}
	in.final = true
	in.mu.Unlock()
	ua, d := in.ua, in.d
	ua.dialogs.Add(d) // before the 200: the ACK must find the dialog
	contact := ua.Contact()
	res := sip.NewResponseFromRequest(in.req, 200, "OK", sdpAnswer)
	res.AppendHeader(&contact)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	res.AppendHeader(sip.NewHeader("User-Agent", ua.cfg.UserAgent))
	if len(sdpAnswer) > 0 {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	d.mu.Lock()
	d.confirmed = true // BYE may follow at once; RFC 3261 §15 allows it after the 2xx
	d.mu.Unlock()
	seq := in.req.CSeq().SeqNo
	acks := d.expectAck(seq)
	if err := in.tx.Respond(res); err != nil {
		d.forgetAck(seq)
		if errors.Is(err, sip.ErrTransactionCanceled) || in.ss.Context().Err() != nil {
			in.markCanceled()
			in.finish()
			return nil, fmt.Errorf("%w: caller hung up before the answer", ErrCanceled)
		}
		d.end(false, 0, "answer failed")
		in.finish()
		return nil, fmt.Errorf("sipua: answer failed: %w", err)
	}
	in.sent <- sentAnswer{res: res, seq: seq, acks: acks}
	select {
	case <-in.finished:
		select {
		case <-in.hungUp: // the BYE is under way (awaitAck)
			return nil, ErrHungUp
		default:
		}
		if in.outcome != nil {
			return nil, in.outcome
		}
		return d, nil
	case <-in.hungUp:
		return nil, ErrHungUp
	case <-in.canceled: // the INVITE's handler gave up on the transaction
		return nil, fmt.Errorf("%w: the call ended before the answer", ErrCanceled)
	}
}

// Hangup ends the call from our side at any stage. A ringing call is
// rejected (Config.RejectCode). An answer still waiting for its ACK makes
// Answer return ErrHungUp at once; the BYE follows the ACK, or the 64×T1
// wait for it (RFC 3261 §15: the callee MUST NOT send BYE before either).
// A confirmed call gets its BYE now.
func (in *Incoming) Hangup(ctx context.Context) error {
	in.mu.Lock()
	final := in.final
	in.mu.Unlock()
	if !final {
		if err := in.Reject(0, ""); !errors.Is(err, ErrAlreadyAnswered) {
			return err
		}
	}
	in.hangOnce.Do(func() { close(in.hungUp) })
	select {
	case <-in.finished:
		if in.outcome == nil && in.confirmedByAck() {
			return in.d.Bye(ctx)
		}
	default: // answer.go sends the BYE when the wait ends
	}
	return nil
}

// Reject sends a final error response; code 0 uses Config.RejectCode
// (603 Decline by default), reason "" the standard phrase.
func (in *Incoming) Reject(code int, reason string) error {
	if code == 0 {
		code = in.ua.cfg.RejectCode
	}
	if code < 300 || code > 699 {
		return fmt.Errorf("sipua: reject code %d is not a final error code", code)
	}
	if reason == "" {
		reason = statusText(code)
	}
	in.mu.Lock()
	if in.final {
		in.mu.Unlock()
		return ErrAlreadyAnswered
	}
	in.final = true
	in.mu.Unlock()
	// Straight to the transaction, which retransmits the response until
	// the ACK (RFC 3261 §17.2.1): sipgo's DialogServerSession would wait
	// for that ACK here, holding the caller up to 64×T1.
	err := in.tx.Respond(sip.NewResponseFromRequest(in.req, code, reason, nil))
	in.d.end(false, code, reason)
	in.finish()
	return err
}

// handleNewInvite creates the Incoming and holds sipgo's handler goroutine
// (which owns the INVITE server transaction) until a final response or a
// CANCEL; the engine's OnIncoming runs first in the new dialog's callback
// queue.
func (ua *UA) handleNewInvite(req *sip.Request, tx sip.ServerTransaction) {
	if ua.h == nil || ua.isClosed() {
		respond(ua, tx, req, 480, "Temporarily Unavailable")
		return
	}
	ua.mu.Lock()
	dua := ua.dialogUA
	ua.mu.Unlock()
	// Registered before ReadInvite's own handler, so it runs first on a
	// CANCEL (sipgo chains them in order), before the context Canceled
	// follows ends.
	note := &cancelNote{}
	tx.OnCancel(note.read)
	ss, err := dua.ReadInvite(req, tx)
	if err != nil {
		respond(ua, tx, req, 400, "Bad Request")
		return
	}
	inv := ss.InviteRequest
	ua.useToTag(req, ss)
	defer ua.toTags.release(req)
	from, to := inv.From(), inv.To()
	d := newDialog(ua, false, string(*inv.CallID()))
	d.ss = ss
	d.localTag, _ = to.Params.Get("tag")
	d.remoteTag, _ = from.Params.Get("tag")
	d.local, d.localName = *to.Address.Clone(), to.DisplayName
	d.remoteAddr, d.remoteName = *from.Address.Clone(), from.DisplayName
	d.remote = partyFrom(from.DisplayName, from.Address)
	if c := inv.Contact(); c != nil {
		d.remoteTarget = *c.Address.Clone()
	}
	for _, rr := range inv.GetHeaders("Record-Route") {
		d.routeSet = append(d.routeSet, rr.Value()) // UAS: same order, RFC 3261 §12.1.1
	}
	d.flow = req.Source()
	d.localCSeq = uint32(rand.IntN(10000) + 1)
	d.headerMsgs = []headerGetter{inv}
	d.remoteSDP = append([]byte(nil), inv.Body()...)

	in := &Incoming{
		CallID:     d.callID,
		From:       d.remote,
		To:         partyFrom(to.DisplayName, to.Address),
		RequestURI: inv.Recipient.String(),
		SDP:        append([]byte(nil), inv.Body()...),
		ua:         ua, req: inv, ss: ss, tx: tx, d: d,
		cancel:   note,
		canceled: make(chan struct{}),
		finished: make(chan struct{}),
		sent:     make(chan sentAnswer, 1),
		hungUp:   make(chan struct{}),
	}
	d.mu.Lock()
	d.remoteCSeq, d.haveRemote = inv.CSeq().SeqNo, true
	d.mu.Unlock()
	if !d.callbacks.push(func(ctx context.Context) { ua.h.OnIncoming(ctx, in) }) {
		_ = in.Reject(480, "Temporarily Unavailable") // closing
		return
	}

	select {
	case <-in.finished:
	case a := <-in.sent:
		in.awaitAck(a)
	case <-ss.Context().Done():
		in.mu.Lock()
		final := in.final
		in.mu.Unlock()
		if !final {
			in.markCanceled()
			return
		}
		// Answer/Reject in flight: let it complete the transaction.
		select {
		case <-in.finished:
		case a := <-in.sent:
			in.awaitAck(a)
		}
	}
}
