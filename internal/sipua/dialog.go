package sipua

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// headerGetter is what Header reads from requests and responses.
type headerGetter interface {
	GetHeader(name string) sip.Header
}

// Party is one end of a call as shown to users.
type Party struct {
	DisplayName string
	User        string
	URI         string
}

func partyFrom(name string, u sip.Uri) Party {
	return Party{DisplayName: name, User: u.User, URI: u.Addr()}
}

// DialogHandler receives in-dialog requests from the far end. Methods are
// called on sipgo's per-request goroutine (OnReInvite, OnRefer: their
// return value is the response) or on a fresh goroutine (OnBye, OnInfo,
// OnNotify); never while a sipua lock is held.
type DialogHandler interface {
	// OnReInvite gets the remote offer (nil for a re-INVITE without SDP, in
	// which case answer is our offer and the peer's answer arrives through
	// AckSDPHandler) and returns the RFC 3264 answer. code 0 or 200 sends
	// 200 OK with answer; 300–699 rejects (e.g. 488).
	OnReInvite(ctx context.Context, offer []byte) (answer []byte, code int)
	// OnBye reports the far end hung up (200 already sent).
	OnBye(ctx context.Context)
	// OnRefer asks whether to accept a transfer to target (REFER from the
	// far end). Accepting answers 202; report progress with NotifyRefer.
	OnRefer(ctx context.Context, target string) bool
	// OnInfo reports an INFO body (200 already sent).
	OnInfo(ctx context.Context, contentType string, body []byte)
	// OnNotify reports an in-dialog NOTIFY (200 already sent).
	OnNotify(ctx context.Context, event, contentType string, body []byte)
}

// AckSDPHandler is optionally implemented by a DialogHandler to receive
// the SDP answer carried by the ACK of a re-INVITE that had no offer
// (RFC 3261 §14.2: our 2xx carried the offer). answer is nil when the ACK
// carried no SDP: the offer was left unanswered, and the handler decides
// what becomes of the session (RFC 3261 §13.3.1.4 ends it with BYE).
type AckSDPHandler interface {
	OnAckSDP(ctx context.Context, answer []byte)
}

// reInviteHandlerTimeout bounds the engine's OnReInvite before we answer
// 500 ourselves, so the peer's transaction never hangs.
const reInviteHandlerTimeout = 10 * time.Second

// Dialog is one call leg (RFC 3261 §12), either direction. It is safe for
// concurrent use.
type Dialog struct {
	ua     *UA
	caller bool
	callID string

	ss *sipgo.DialogServerSession // callee: initial INVITE transaction

	mu           sync.Mutex
	localTag     string
	remoteTag    string
	local        sip.Uri // our identity (From for caller, To for callee)
	localName    string
	remote       Party
	remoteAddr   sip.Uri // remote identity URI for To/From headers
	remoteName   string
	remoteTarget sip.Uri // remote Contact (RFC 3261 §12.1)
	routeSet     []string
	flow         string // ws/wss: where requests go (the server flow)
	localCSeq    uint32
	confirmed    bool
	headerMsgs   []headerGetter // where Header looks, most relevant first
	remoteSDP    []byte
	ackSDP       []byte        // late offer: the answer in the ACK (lateoffer.go)
	acked        chan struct{} // closed by the initial 2xx's ACK (lateoffer.go)
	handler      DialogHandler
	reinviting   bool // outgoing re-INVITE in progress (RFC 3261 §14.2 → 491)
	pendingAcks  map[uint32]chan *sip.Request
	referWaiter  chan int
	remoteCSeq   uint32 // highest CSeq admitted from the far end
	haveRemote   bool   // remoteCSeq is set (RFC 3261 §12.2.2 "not empty")

	// callbacks runs the handler's callbacks in admission order.
	callbacks *callbackQueue

	done      chan struct{}
	endOnce   sync.Once
	byRemote  bool
	endCode   int
	endReason string
}

func (d *Dialog) key() dialogKey {
	d.mu.Lock()
	defer d.mu.Unlock()
	return dialogKey{d.callID, d.localTag, d.remoteTag}
}

// CallID is the SIP Call-ID, stable from before the INVITE is sent.
func (d *Dialog) CallID() string { return d.callID }

// LocalTag is our tag (From tag for the caller, To tag for the callee).
func (d *Dialog) LocalTag() string { d.mu.Lock(); defer d.mu.Unlock(); return d.localTag }

// RemoteTag is the far end's tag (empty until answered on outgoing calls).
func (d *Dialog) RemoteTag() string { d.mu.Lock(); defer d.mu.Unlock(); return d.remoteTag }

// RemoteParty is the far end's identity.
func (d *Dialog) RemoteParty() Party { d.mu.Lock(); defer d.mu.Unlock(); return d.remote }

// IsCaller reports whether we sent the initial INVITE.
func (d *Dialog) IsCaller() bool { return d.caller }

// RemoteSDP returns the last SDP received from the far end (the answer in
// the 2xx for outgoing calls, the offer for incoming ones, updated by
// re-INVITEs).
func (d *Dialog) RemoteSDP() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]byte(nil), d.remoteSDP...)
}

// Header returns the first value of a header from the initial INVITE
// (incoming) or from the 2xx and 18x responses (outgoing), e.g.
// "X-Wazo-Call-ID". Empty when absent.
func (d *Dialog) Header(name string) string {
	d.mu.Lock()
	msgs := d.headerMsgs
	d.mu.Unlock()
	for _, m := range msgs {
		if h := m.GetHeader(name); h != nil {
			return h.Value()
		}
	}
	return ""
}

// SetHandler installs the in-dialog request handler. Without one,
// re-INVITEs get 488, REFERs 603 and the rest 200.
func (d *Dialog) SetHandler(h DialogHandler) {
	d.mu.Lock()
	d.handler = h
	d.mu.Unlock()
}

func (d *Dialog) getHandler() DialogHandler {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.handler
}

// Done is closed when the dialog ends.
func (d *Dialog) Done() <-chan struct{} { return d.done }

// EndReason tells who ended the call and with which status (code is the
// SIP status of a failed call, 0 for BYE).
func (d *Dialog) EndReason() (byRemote bool, code int, reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.byRemote, d.endCode, d.endReason
}

func (d *Dialog) ended() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// end terminates the dialog once and unregisters it.
func (d *Dialog) end(byRemote bool, code int, reason string) {
	d.endOnce.Do(func() {
		d.mu.Lock()
		d.byRemote, d.endCode, d.endReason = byRemote, code, reason
		d.mu.Unlock()
		d.ua.dialogs.Remove(d)
		close(d.done)
	})
}

// newRequest builds an in-dialog request (RFC 3261 §12.2.1.1): remote
// target as Request-URI, route set, tags, next local CSeq (cseq 0) or the
// given one (ACK).
func (d *Dialog) newRequest(method sip.RequestMethod, cseq uint32) *sip.Request {
	ua := d.ua
	d.mu.Lock()
	if cseq == 0 {
		d.localCSeq++
		cseq = d.localCSeq
	}
	target := *d.remoteTarget.Clone()
	routes := append([]string(nil), d.routeSet...)
	from := &sip.FromHeader{DisplayName: d.localName, Address: *d.local.Clone(), Params: sip.NewParams()}
	from.Params.Add("tag", d.localTag)
	to := &sip.ToHeader{DisplayName: d.remoteName, Address: *d.remoteAddr.Clone(), Params: sip.NewParams()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	flow := d.flow
	d.mu.Unlock()

	req := sip.NewRequest(method, target)
	ua.applyLocal(req)
	cid := sip.CallIDHeader(d.callID)
	maxf := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: method})
	req.AppendHeader(&maxf)
	for _, r := range routes {
		req.AppendHeader(sip.NewHeader("Route", r))
	}
	contact := ua.Contact()
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("User-Agent", ua.cfg.UserAgent))
	if ua.cfg.isWebSocket() && flow != "" {
		// RFC 7118 §5: everything goes over the WebSocket flow.
		req.SetDestination(flow)
	}
	addVia(ua, req)
	req.SetBody(nil)
	return req
}

// do sends an in-dialog request and waits for its final response,
// answering 401/407 challenges (stale nonce included) like Dial does.
func (d *Dialog) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	ua := d.ua
	auths := 0
	for {
		tx, err := ua.sendRequest(ctx, req) // large re-INVITEs over TCP (largetcp.go)
		if err != nil {
			return nil, ua.unreachable(err)
		}
		res, err := waitFinal(ctx, tx, nil)
		tx.Terminate()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, ua.unreachable(err)
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && auths < 2 {
			stale, err := applyDigest(req, res, ua.cfg.AuthUsername, ua.cfg.Password)
			if err != nil || (auths == 1 && !stale) {
				return res, nil
			}
			auths++
			d.mu.Lock()
			d.localCSeq++
			req.CSeq().SeqNo = d.localCSeq
			d.mu.Unlock()
			req.RemoveHeader("Via")
			addVia(ua, req)
			continue
		}
		return res, nil
	}
}

// Bye ends a confirmed dialog (RFC 3261 §15.1.1). The dialog ends even if
// the far end does not answer.
func (d *Dialog) Bye(ctx context.Context) error {
	if d.ended() {
		return nil
	}
	d.mu.Lock()
	confirmed := d.confirmed
	d.mu.Unlock()
	if !confirmed {
		return ErrDialogTerminated
	}
	req := d.newRequest(sip.BYE, 0)
	res, err := d.do(ctx, req)
	d.end(false, 0, "BYE")
	if err != nil {
		return err
	}
	if !res.IsSuccess() && res.StatusCode != 481 {
		return &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

// ReInvite sends a re-INVITE with sdp (hold: a=sendonly, resume:
// a=sendrecv) and returns the answer SDP after sending the ACK. On 491 it
// retries after the RFC 3261 §14.1 delay (2.1–4 s if we own the Call-ID,
// else 0–2 s), at most three times.
func (d *Dialog) ReInvite(ctx context.Context, sdp []byte) ([]byte, error) {
	if len(sdp) == 0 {
		// An offer-less re-INVITE needs the answer in the ACK; the engine
		// always has an offer to send, so it is not supported.
		return nil, errors.New("sipua: ReInvite needs an SDP offer")
	}
	for attempt := 0; ; attempt++ {
		if d.ended() {
			return nil, ErrDialogTerminated
		}
		d.mu.Lock()
		if d.reinviting {
			d.mu.Unlock()
			return nil, errors.New("sipua: a re-INVITE is already in progress")
		}
		d.reinviting = true
		d.mu.Unlock()
		answer, code, err := d.reInviteOnce(ctx, sdp)
		d.mu.Lock()
		d.reinviting = false
		d.mu.Unlock()
		if err != nil || code == 200 {
			return answer, err
		}
		if code != 491 || attempt >= 2 {
			return nil, &StatusError{Code: code, Reason: statusText(code)}
		}
		var wait time.Duration
		if d.caller {
			wait = 2100*time.Millisecond + time.Duration(rand.Int64N(int64(1900*time.Millisecond)))
		} else {
			wait = time.Duration(rand.Int64N(int64(2 * time.Second)))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

func (d *Dialog) reInviteOnce(ctx context.Context, sdp []byte) ([]byte, int, error) {
	req := d.newRequest(sip.INVITE, 0)
	if len(sdp) > 0 {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(sdp)
	}
	res, err := d.do(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	if !res.IsSuccess() {
		if res.StatusCode == 481 || res.StatusCode == 408 {
			d.end(true, res.StatusCode, res.Reason) // RFC 3261 §12.2.1.2
		}
		return nil, res.StatusCode, nil
	}
	// RFC 3261 §13.2.2.4: ACK the 2xx (same CSeq number).
	d.updateTarget(res.Contact())
	d.sendAck(req.CSeq().SeqNo)
	body := res.Body()
	d.mu.Lock()
	if len(body) > 0 {
		d.remoteSDP = append([]byte(nil), body...)
	}
	d.mu.Unlock()
	return body, 200, nil
}

// sendAck sends (or re-sends) the ACK for our INVITE with CSeq seq.
func (d *Dialog) sendAck(seq uint32) {
	ack := d.newRequest(sip.ACK, seq)
	if err := d.ua.client.WriteRequest(ack, noBuild); err != nil {
		d.ua.log.Debug("ACK send failed", "call_id", d.callID, "err", err)
	}
}

// reAck answers a retransmitted 2xx that no transaction matched.
func (d *Dialog) reAck(seq uint32) {
	if d.ended() {
		return
	}
	d.sendAck(seq)
}

// updateTarget applies a target refresh (RFC 3261 §12.2.1.2).
func (d *Dialog) updateTarget(c *sip.ContactHeader) {
	if c == nil || c.Address.Host == "" {
		return
	}
	d.mu.Lock()
	d.remoteTarget = *c.Address.Clone()
	d.mu.Unlock()
}

// Info sends INFO (e.g. application/dtmf-relay "Signal=5\r\nDuration=160").
func (d *Dialog) Info(ctx context.Context, contentType string, body []byte) error {
	if d.ended() {
		return ErrDialogTerminated
	}
	if strings.ContainsAny(contentType, "\r\n") {
		return fmt.Errorf("sipua: invalid content type %q", contentType)
	}
	req := d.newRequest(sip.INFO, 0)
	if contentType != "" {
		req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	}
	req.SetBody(body)
	res, err := d.do(ctx, req)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

// Refer transfers the far end (RFC 3515). With replaces == nil it is a
// blind transfer to target; otherwise an attended transfer replacing that
// dialog (RFC 3891/5589; target may be "" to use its remote party). It
// waits for the 202 and then for the NOTIFY whose sipfrag is final: nil on
// 2xx, ErrTransferFailed wrapping *StatusError otherwise.
func (d *Dialog) Refer(ctx context.Context, target string, replaces *Dialog) error {
	if d.ended() {
		return ErrDialogTerminated
	}
	var uri string
	if target == "" && replaces != nil {
		uri = replaces.RemoteParty().URI
	} else {
		u, err := ParseTarget(target, d.ua.cfg.Domain)
		if err != nil {
			return err
		}
		uri = u.Addr()
	}
	rep := ""
	if replaces != nil {
		rep = ReplacesValue(replaces.CallID(), replaces.LocalTag(), replaces.RemoteTag())
	}
	waiter := make(chan int, 8)
	d.mu.Lock()
	d.referWaiter = waiter
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		if d.referWaiter == waiter {
			d.referWaiter = nil
		}
		d.mu.Unlock()
	}()

	req := d.newRequest(sip.REFER, 0)
	req.AppendHeader(sip.NewHeader("Refer-To", ReferToValue(uri, rep)))
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+d.local.Addr()+">"))
	res, err := d.do(ctx, req)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return fmt.Errorf("%w: %w", ErrTransferFailed, &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	for {
		select {
		case code := <-waiter:
			if code < 200 {
				continue
			}
			if code < 300 {
				return nil
			}
			return fmt.Errorf("%w: %w", ErrTransferFailed, &StatusError{Code: code, Reason: statusText(code)})
		case <-d.done:
			// Asterisk may BYE right after NOTIFY 200; a BYE before any final
			// NOTIFY still means the transfer went ahead.
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// NotifyRefer reports the progress of a transfer we accepted in OnRefer
// (RFC 3515 §2.4.5): code 100 while trying, the final status at the end.
func (d *Dialog) NotifyRefer(ctx context.Context, code int, reason string) error {
	if d.ended() {
		return ErrDialogTerminated
	}
	if strings.ContainsAny(reason, "\r\n") {
		reason = "Status"
	}
	req := d.newRequest(sip.NOTIFY, 0)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if code >= 200 {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(fmt.Sprintf("SIP/2.0 %d %s\r\n", code, reason)))
	res, err := d.do(ctx, req)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

// ---- requests from the far end ----

// admit applies RFC 3261 §12.2.2 to a request from the far end: a CSeq
// lower than one already seen means the request is out of order and gets
// 500; otherwise it takes the next place in the callback queue, so the
// handler hears requests in CSeq order even though sipgo hands each to its
// own goroutine. The caller must fill the slot (nil when there is nothing
// to run) or the dialog's later callbacks wait for it.
func (d *Dialog) admit(req *sip.Request) (*callbackSlot, bool) {
	seq := req.CSeq().SeqNo
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.haveRemote && seq < d.remoteCSeq {
		return nil, false
	}
	d.remoteCSeq, d.haveRemote = seq, true
	return d.callbacks.reserve(), true
}

func (d *Dialog) handleBye(req *sip.Request, tx sip.ServerTransaction, slot *callbackSlot) {
	respond(d.ua, tx, req, 200, "OK")
	if d.ended() {
		return
	}
	d.end(true, 0, "BYE")
	if h := d.getHandler(); h != nil {
		d.callbacks.fill(slot, h.OnBye)
	}
}

func (d *Dialog) handleInfo(req *sip.Request, tx sip.ServerTransaction, slot *callbackSlot) {
	respond(d.ua, tx, req, 200, "OK")
	if h := d.getHandler(); h != nil {
		ct := contentType(req)
		body := append([]byte(nil), req.Body()...)
		d.callbacks.fill(slot, func(ctx context.Context) { h.OnInfo(ctx, ct, body) })
	}
}

func (d *Dialog) handleNotify(req *sip.Request, tx sip.ServerTransaction, slot *callbackSlot) {
	respond(d.ua, tx, req, 200, "OK")
	event := ""
	if h := req.GetHeader("Event"); h != nil {
		event = strings.TrimSpace(h.Value())
	}
	if strings.HasPrefix(strings.ToLower(event), "refer") {
		if code, _, err := ParseSipfrag(req.Body()); err == nil {
			d.mu.Lock()
			w := d.referWaiter
			d.mu.Unlock()
			if w != nil {
				select {
				case w <- code:
				default:
				}
			}
		}
	}
	if h := d.getHandler(); h != nil {
		ct := contentType(req)
		body := append([]byte(nil), req.Body()...)
		d.callbacks.fill(slot, func(ctx context.Context) { h.OnNotify(ctx, event, ct, body) })
	}
}

func (d *Dialog) handleRefer(req *sip.Request, tx sip.ServerTransaction, slot *callbackSlot) {
	rt := req.GetHeader("Refer-To")
	if rt == nil {
		respond(d.ua, tx, req, 400, "Missing Refer-To")
		return
	}
	h := d.getHandler()
	if h == nil {
		respond(d.ua, tx, req, 603, "Declined")
		return
	}
	target := referTarget(rt.Value())
	decided := make(chan bool, 1)
	if !d.callbacks.fill(slot, func(ctx context.Context) { decided <- h.OnRefer(ctx, target) }) {
		respond(d.ua, tx, req, 480, "Temporarily Unavailable")
		return
	}
	accept := false
	select {
	case accept = <-decided:
	case <-time.After(reInviteHandlerTimeout):
	case <-d.done:
	}
	if !accept {
		respond(d.ua, tx, req, 603, "Declined")
		return
	}
	respond(d.ua, tx, req, 202, "Accepted")
	// RFC 3515 §2.4.4: the implicit subscription needs an immediate NOTIFY.
	// Sent from this request's goroutine, so it precedes any progress the
	// handler reports.
	ctx, cancel := context.WithTimeout(d.ua.ctx, defaultRequestTimeout)
	defer cancel()
	_ = d.NotifyRefer(ctx, 100, "Trying")
}

// handleReInvite answers a re-INVITE through the handler, then waits for
// the ACK, retransmitting the 2xx (RFC 3261 §13.3.1.4) on unreliable
// transports.
func (d *Dialog) handleReInvite(req *sip.Request, tx sip.ServerTransaction, slot *callbackSlot) {
	ua := d.ua
	defer d.callbacks.fill(slot, nil) // no-op once the re-INVITE's callback is queued
	d.mu.Lock()
	busy := d.reinviting
	h := d.handler
	d.mu.Unlock()
	if busy {
		respond(ua, tx, req, 491, "Request Pending") // RFC 3261 §14.2
		return
	}
	if h == nil {
		respond(ua, tx, req, 488, "Not Acceptable Here")
		return
	}
	offer := append([]byte(nil), req.Body()...)
	type result struct {
		answer []byte
		code   int
	}
	ch := make(chan result, 1)
	if !d.callbacks.fill(slot, func(ctx context.Context) {
		a, c := h.OnReInvite(ctx, offer)
		ch <- result{a, c}
	}) {
		respond(ua, tx, req, 480, "Temporarily Unavailable")
		return
	}
	var r result
	select {
	case r = <-ch:
	case <-time.After(reInviteHandlerTimeout):
		r = result{code: 500}
	case <-d.done:
		respond(ua, tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	if r.code != 0 && r.code != 200 {
		respond(ua, tx, req, r.code, statusText(r.code))
		return
	}
	d.updateTarget(req.Contact())
	if len(offer) > 0 {
		d.mu.Lock()
		d.remoteSDP = offer
		d.mu.Unlock()
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", r.answer)
	if len(r.answer) > 0 {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	contact := ua.Contact()
	res.AppendHeader(&contact)
	seq := req.CSeq().SeqNo
	ackCh := make(chan *sip.Request, 1)
	d.mu.Lock()
	if d.pendingAcks == nil {
		d.pendingAcks = make(map[uint32]chan *sip.Request)
	}
	d.pendingAcks[seq] = ackCh
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.pendingAcks, seq)
		d.mu.Unlock()
	}()
	if err := tx.Respond(res); err != nil {
		ua.log.Debug("re-INVITE 200 failed", "err", err)
		return
	}
	interval := sip.T1
	deadline := time.NewTimer(64 * sip.T1)
	defer deadline.Stop()
	for {
		t := time.NewTimer(interval)
		select {
		case ack := <-ackCh:
			t.Stop()
			if len(offer) == 0 && ack != nil {
				if ah, ok := h.(AckSDPHandler); ok {
					var body []byte // nil: the ACK carried no answer to our offer
					if len(ack.Body()) > 0 && isSDP(contentType(ack)) {
						body = append([]byte(nil), ack.Body()...)
						d.mu.Lock()
						d.remoteSDP = body
						d.mu.Unlock()
					}
					d.callbacks.push(func(ctx context.Context) { ah.OnAckSDP(ctx, body) })
				}
			}
			return
		case <-t.C:
			if sip.IsReliable(req.Transport()) {
				interval = 64 * sip.T1
				continue
			}
			if err := tx.Respond(res); err != nil {
				return
			}
			interval = min(2*interval, sip.T2)
		case <-deadline.C:
			t.Stop()
			// RFC 3261 §13.3.1.4: no ACK → end the session with BYE.
			ua.log.Warn("no ACK for re-INVITE 200, hanging up", "call_id", d.callID)
			ua.spawn(func(ctx context.Context) {
				ctx, cancel := context.WithTimeout(ctx, defaultRequestTimeout)
				defer cancel()
				_ = d.Bye(ctx)
			})
			return
		case <-d.done:
			t.Stop()
			return
		}
	}
}

func (d *Dialog) handleAck(req *sip.Request, tx sip.ServerTransaction) {
	seq := req.CSeq().SeqNo
	d.mu.Lock()
	ch := d.pendingAcks[seq]
	d.mu.Unlock()
	if ch != nil {
		select {
		case ch <- req:
		default:
		}
		return
	}
	if d.ss != nil {
		d.noteInviteAck(req)
		_ = d.ss.ReadAck(req, tx) // confirms the initial 2xx
	}
}

func contentType(m headerGetter) string {
	if h := m.GetHeader("Content-Type"); h != nil {
		return h.Value()
	}
	return ""
}
