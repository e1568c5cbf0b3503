package sipua

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// Header is one extra header for an outgoing INVITE.
type Header struct {
	Name, Value string
}

// DialOptions tunes one outgoing call.
type DialOptions struct {
	// CallID presets the SIP Call-ID (the engine's stable call id). Empty:
	// a random UUID, readable through OnDialog before the INVITE is sent.
	CallID string
	// Headers are added to the INVITE (e.g. X- headers). Names must be
	// RFC 3261 tokens and values must not contain line breaks.
	Headers []Header
	// OnProgress reports provisional responses (180, 183 with early-media
	// SDP…). It runs on Dial's goroutine: keep it short.
	OnProgress func(code int, reason string, sdp []byte)
	// OnRedirect reports a 3xx being followed: code is the redirect's
	// status, target the URI the next INVITE goes to. It runs on Dial's
	// goroutine.
	OnRedirect func(code int, target string)
	// OnDialog receives the Dialog right before the INVITE goes out, so the
	// caller knows CallID at once. The dialog is confirmed only when Dial
	// returns it.
	OnDialog func(*Dialog)
}

// Dial places a call to target ("1002", "alice@example.com" or a sip:/sips:
// URI) with sdpOffer. It answers 401/407 challenges with the line's
// credentials, ACKs the 2xx and returns the confirmed dialog. A final
// non-2xx returns *StatusError (e.g. 486). Cancelling ctx sends CANCEL
// (after the first provisional response, RFC 3261 §9.1; sipgo bounds that
// wait by Timer B) and returns ErrCanceled; if a 2xx crosses the CANCEL the
// call is ACKed and hung up with BYE (RFC 3261 §15).
func (ua *UA) Dial(ctx context.Context, target string, sdpOffer []byte, opts DialOptions) (*Dialog, error) {
	ua.mu.Lock()
	started, closed := ua.started && ua.client != nil, ua.closed
	ua.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if !started {
		return nil, ErrNotStarted
	}
	uri, err := ParseTarget(target, ua.cfg.Domain)
	if err != nil {
		return nil, err
	}
	callID := opts.CallID
	if callID == "" {
		callID = uuid.NewString()
	} else if strings.ContainsAny(callID, " \t\r\n<>\"") {
		return nil, fmt.Errorf("sipua: invalid Call-ID %q", callID)
	}
	for _, h := range opts.Headers {
		if !isToken(h.Name) || strings.ContainsAny(h.Value, "\r\n\x00") {
			return nil, fmt.Errorf("sipua: invalid header %q", h.Name)
		}
	}

	tag := sip.GenerateTagN(16)
	from := ua.fromHeader(tag)
	req := sip.NewRequest(sip.INVITE, uri)
	ua.applyLocal(req)
	req.SetDestination(ua.serverDestination())
	cid := sip.CallIDHeader(callID)
	maxf := sip.MaxForwardsHeader(70)
	contact := ua.Contact()
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: *uri.Clone(), Params: sip.NewParams()})
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: uint32(rand.IntN(10000) + 1), MethodName: sip.INVITE})
	req.AppendHeader(&maxf)
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("User-Agent", ua.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	for _, h := range opts.Headers {
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	if len(sdpOffer) > 0 {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	req.SetBody(sdpOffer)
	addVia(ua, req)

	d := newDialog(ua, true, callID)
	d.localTag = tag
	d.local, d.localName = from.Address, from.DisplayName
	d.remoteAddr = *uri.Clone()
	d.remoteTarget = *uri.Clone()
	d.remote = partyFrom("", uri)
	if opts.OnDialog != nil {
		opts.OnDialog(d)
	}

	return ua.runInvite(ctx, d, req, opts)
}

// runInvite drives the INVITE client transaction (RFC 3261 §13.2.2,
// §17.1.1): digest retries, provisional reporting, ACK of the 2xx, and
// CANCEL when ctx ends. We drive it ourselves rather than through sipgo's
// DialogClientSession because its CANCEL does not follow our outbound
// proxy (it is routed to the Request-URI host).
func (ua *UA) runInvite(ctx context.Context, d *Dialog, req *sip.Request, opts DialOptions) (*Dialog, error) {
	tx, err := ua.sendRequest(ctx, req)
	if err != nil {
		d.end(false, 0, "transport error")
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", ErrCanceled, ctx.Err())
		}
		return nil, ua.unreachable(err)
	}
	// No Terminate: sipgo's timers end the transaction, and it must outlive
	// the 2xx to re-ACK retransmissions (Accepted state, RFC 6026 §7.2).
	auths := 0
	provisional := false
	var targets *targetSet // the redirect target set, from the first 3xx
	for {
		select {
		case res := <-tx.Responses():
			if res == nil {
				continue
			}
			switch {
			case res.IsProvisional():
				provisional = true
				ua.onProvisional(d, res, opts)
			case res.IsSuccess():
				ua.establishCaller(d, req, res, tx)
				return d, nil
			case (res.StatusCode == 401 || res.StatusCode == 407) && auths < 2:
				stale, derr := applyDigest(req, res, ua.cfg.AuthUsername, ua.cfg.Password)
				auths++
				if derr != nil || (auths == 2 && !stale) {
					d.end(false, res.StatusCode, res.Reason)
					return nil, fmt.Errorf("%w: wrong password for %s", ErrAuthFailed, ua.cfg.aor())
				}
				req.CSeq().SeqNo++
				req.RemoveHeader("Via")
				addVia(ua, req)
				tx, err = ua.sendRequest(ctx, req)
				if err != nil {
					d.end(false, 0, "transport error")
					return nil, ua.unreachable(err)
				}
				provisional = false
			case targets != nil || (isRedirect(res.StatusCode) && ua.cfg.MaxRedirects > 0):
				// RFC 3261 §8.1.3.4: try the 3xx Contacts in q order; after a
				// redirected attempt fails, the next one still queued.
				if targets == nil {
					targets = newTargetSet(req.Recipient, ua.cfg.MaxRedirects)
				}
				if isRedirect(res.StatusCode) {
					targets.add(res)
				}
				next, ok := targets.next()
				if !ok {
					d.end(false, res.StatusCode, res.Reason)
					return nil, finalError(res)
				}
				ua.log.Info("following redirect", "code", res.StatusCode, "target", next.String())
				if opts.OnRedirect != nil {
					opts.OnRedirect(res.StatusCode, next.String())
				}
				redirectRequest(ua, req, next)
				d.mu.Lock()
				d.remoteTarget = *next.Clone()
				d.mu.Unlock()
				auths = 0
				tx, err = ua.sendRequest(ctx, req)
				if err != nil {
					d.end(false, 0, "transport error")
					return nil, ua.unreachable(err)
				}
				provisional = false
			default:
				d.end(false, res.StatusCode, res.Reason)
				if res.StatusCode == 401 || res.StatusCode == 407 {
					return nil, fmt.Errorf("%w: wrong password for %s", ErrAuthFailed, ua.cfg.aor())
				}
				return nil, finalError(res)
			}
		case <-tx.Done():
			err := tx.Err()
			if err == nil {
				err = errNoResponse
			}
			d.end(false, 408, "Request Timeout")
			return nil, ua.unreachable(err)
		case <-ctx.Done():
			ua.cancelInvite(d, req, tx, provisional)
			return nil, fmt.Errorf("%w: %w", ErrCanceled, ctx.Err())
		}
	}
}

// finalError is the error for a final non-2xx; a 3xx carries its Contacts
// so that a caller that does not follow redirects can say where to.
func finalError(res *sip.Response) error {
	if res.StatusCode == 401 || res.StatusCode == 407 {
		return &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	e := &StatusError{Code: res.StatusCode, Reason: res.Reason}
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		e.Contacts = redirectContacts(res)
	}
	return e
}

// redirectRequest turns req into the INVITE for a redirect target
// (RFC 3261 §8.1.3.4): Request-URI from the Contact, same Call-ID, From
// and To (as PJSIP's pjsip_inv_process_redirect does, so the call keeps
// its identity), CSeq+1, a new Via branch; credentials for the previous
// target are dropped (a new challenge comes if the next hop wants one).
func redirectRequest(ua *UA, req *sip.Request, target sip.Uri) {
	req.Recipient = *target.Clone()
	req.CSeq().SeqNo++
	req.RemoveHeader("Authorization")
	req.RemoveHeader("Proxy-Authorization")
	req.RemoveHeader("Via")
	addVia(ua, req)
}

// cancelInvite sends CANCEL once a provisional response arrived (RFC 3261
// §9.1; waiting at most Timer B for it) and waits for the INVITE's final
// response. A 2xx crossing the CANCEL is ACKed and hung up (§15).
func (ua *UA) cancelInvite(d *Dialog, req *sip.Request, tx sip.ClientTransaction, provisional bool) {
	timeout := time.NewTimer(64 * sip.T1)
	defer timeout.Stop()
	final := func(res *sip.Response) {
		if res.IsSuccess() {
			ua.establishCaller(d, req, res, tx)
			bctx, cancel := context.WithTimeout(context.Background(), defaultRequestTimeout)
			_ = d.Bye(bctx)
			cancel()
		}
		d.end(false, 487, "Request Terminated")
	}
	for !provisional {
		select {
		case res := <-tx.Responses():
			if res == nil {
				continue
			}
			if !res.IsProvisional() {
				final(res)
				return
			}
			provisional = true
		case <-tx.Done():
			d.end(false, 487, "Request Terminated")
			return
		case <-timeout.C:
			d.end(false, 487, "Request Terminated")
			return
		}
	}
	cancelReq := sip.NewRequest(sip.CANCEL, *req.Recipient.Clone())
	cancelReq.AppendHeader(sip.HeaderClone(req.Via())) // RFC 3261 §9.1: same top Via
	cancelReq.AppendHeader(sip.HeaderClone(req.From()))
	cancelReq.AppendHeader(sip.HeaderClone(req.To()))
	cancelReq.AppendHeader(sip.HeaderClone(req.CallID()))
	cancelReq.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.CANCEL})
	maxf := sip.MaxForwardsHeader(70)
	cancelReq.AppendHeader(&maxf)
	sip.CopyHeaders("Route", req, cancelReq)
	cancelReq.SetTransport(req.Transport())
	cancelReq.SetDestination(req.Destination())
	cancelReq.Laddr = req.Laddr
	cancelReq.SetBody(nil)
	cctx, cancel := context.WithTimeout(context.Background(), defaultRequestTimeout)
	defer cancel()
	if ctx, err := ua.client.TransactionRequest(cctx, cancelReq, noBuild); err == nil {
		_, _ = waitFinal(cctx, ctx, nil)
		ctx.Terminate()
	}
	for {
		select {
		case res := <-tx.Responses():
			if res == nil || res.IsProvisional() {
				continue
			}
			final(res)
			return
		case <-tx.Done():
			d.end(false, 487, "Request Terminated")
			return
		case <-timeout.C:
			d.end(false, 487, "Request Terminated")
			return
		}
	}
}

func (ua *UA) onProvisional(d *Dialog, r *sip.Response, opts DialOptions) {
	if r.StatusCode <= 100 {
		return
	}
	d.mu.Lock()
	d.headerMsgs = append([]headerGetter{r}, d.headerMsgs...)
	d.mu.Unlock()
	if opts.OnProgress != nil {
		opts.OnProgress(r.StatusCode, r.Reason, r.Body())
	}
}

// establishCaller fills the dialog from the 2xx (RFC 3261 §12.1.2), adds it
// to the registry and sends the ACK; retransmitted 2xx are re-ACKed while
// the transaction is in the RFC 6026 Accepted state, and afterwards by the
// unhandled-response hook (sipgo #120).
func (ua *UA) establishCaller(d *Dialog, req *sip.Request, res *sip.Response, tx sip.ClientTransaction) {
	d.mu.Lock()
	if to := res.To(); to != nil {
		d.remoteTag, _ = to.Params.Get("tag")
		d.remoteName = to.DisplayName
		d.remote = partyFrom(to.DisplayName, to.Address)
	}
	if c := res.Contact(); c != nil {
		d.remoteTarget = *c.Address.Clone()
	}
	rr := res.GetHeaders("Record-Route")
	d.routeSet = d.routeSet[:0]
	for i := len(rr) - 1; i >= 0; i-- {
		d.routeSet = append(d.routeSet, rr[i].Value())
	}
	d.flow = res.Source()
	seq := req.CSeq().SeqNo
	d.localCSeq = seq
	d.remoteSDP = append([]byte(nil), res.Body()...)
	d.headerMsgs = append([]headerGetter{res}, d.headerMsgs...)
	d.confirmed = true
	d.mu.Unlock()
	ua.dialogs.Add(d)
	tx.OnRetransmission(func(r *sip.Response) {
		if r.IsSuccess() {
			d.reAck(seq)
		}
	})
	d.sendAck(seq)
}

func newDialog(ua *UA, caller bool, callID string) *Dialog {
	return &Dialog{ua: ua, caller: caller, callID: callID, done: make(chan struct{}), callbacks: newCallbackQueue(ua)}
}

// isToken reports whether s is an RFC 3261 §25.1 token (header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-.!%*_+`'~", c) >= 0) {
			return false
		}
	}
	return true
}
