package sipua

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// allowMethods is advertised in Allow headers (RFC 3261 §20.5).
const allowMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, MESSAGE"

// registerHandlers wires sipgo's per-request goroutines to our dialog
// registry. Handlers never hold UA locks while calling user code.
func (ua *UA) registerHandlers() {
	s := ua.srv
	s.OnInvite(ua.onInvite)
	s.OnAck(ua.onAck)
	s.OnBye(ua.inDialog((*Dialog).handleBye))
	s.OnInfo(ua.inDialog((*Dialog).handleInfo))
	s.OnNotify(ua.inDialog((*Dialog).handleNotify))
	s.OnRefer(ua.inDialog((*Dialog).handleRefer))
	s.OnCancel(func(req *sip.Request, tx sip.ServerTransaction) {
		// Matching CANCELs are consumed by sipgo's transaction layer (200 +
		// 487). Reaching here means no INVITE transaction matched
		// (RFC 3261 §9.2).
		respond(ua, tx, req, 481, "Call/Transaction Does Not Exist")
	})
	s.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		// Qualify/keep-alive from the server (Asterisk every 60 s).
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", allowMethods))
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		_ = tx.Respond(res)
	})
	s.OnMessage(func(req *sip.Request, tx sip.ServerTransaction) {
		// Wazo SDK: answer MESSAGE 200 "or Asterisk will hang up".
		respond(ua, tx, req, 200, "OK")
	})
	s.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, 405, "Method Not Allowed", nil)
		res.AppendHeader(sip.NewHeader("Allow", allowMethods))
		_ = tx.Respond(res)
	})
}

// inDialog routes a request that must belong to a dialog; unknown dialogs
// get 481 and requests out of CSeq order 500 (RFC 3261 §12.2.2). The
// handler gets the request's place in the dialog's callback queue.
func (ua *UA) inDialog(f func(*Dialog, *sip.Request, sip.ServerTransaction, *callbackSlot)) func(*sip.Request, sip.ServerTransaction) {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !wellFormed(req) {
			respond(ua, tx, req, 400, "Bad Request")
			return
		}
		d := ua.dialogs.Match(req)
		if d == nil {
			respond(ua, tx, req, 481, "Call/Transaction Does Not Exist")
			return
		}
		slot, ok := d.admit(req)
		if !ok {
			respond(ua, tx, req, 500, "Request Out Of Order")
			return
		}
		defer d.callbacks.fill(slot, nil) // a handler that queued nothing
		f(d, req, tx, slot)
	}
}

func (ua *UA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if !wellFormed(req) || req.Contact() == nil {
		respond(ua, tx, req, 400, "Bad Request")
		return
	}
	if code, reason := checkSDPBody(req); code != 0 {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		if err := tx.Respond(res); err != nil {
			ua.log.Debug("respond failed", "code", code, "err", err)
		}
		return
	}
	if tag, _ := req.To().Params.Get("tag"); tag != "" && !ua.toTags.injected(req) {
		d := ua.dialogs.Match(req)
		if d == nil {
			respond(ua, tx, req, 481, "Call/Transaction Does Not Exist")
			return
		}
		slot, ok := d.admit(req)
		if !ok {
			respond(ua, tx, req, 500, "Request Out Of Order")
			return
		}
		d.handleReInvite(req, tx, slot)
		return
	}
	ua.handleNewInvite(req, tx)
}

func (ua *UA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if !wellFormed(req) {
		return
	}
	d := ua.dialogs.Match(req)
	if d == nil {
		d = ua.dialogs.MatchAck(req)
	}
	if d != nil {
		d.handleAck(req, tx)
	}
}

// onUnhandledResponse re-ACKs 2xx retransmissions that no longer match a
// client transaction (RFC 3261 §13.2.2.4; sipgo leaves this to the TU, see
// sipgo #120). Unknown dialogs are only logged.
func (ua *UA) onUnhandledResponse(res *sip.Response) {
	if res == nil || !res.IsSuccess() {
		return
	}
	cseq := res.CSeq()
	if cseq == nil || cseq.MethodName != sip.INVITE {
		return
	}
	d := ua.dialogs.MatchResponse(res)
	if d == nil {
		ua.log.Debug("2xx for unknown dialog ignored", "call_id", callIDOf(res))
		return
	}
	d.reAck(cseq.SeqNo)
}

// wellFormed checks the headers our handlers dereference, and that the
// CSeq method matches the request (RFC 3261 §8.1.1.5): sipgo routes by the
// request line but keys transactions by CSeq, so a mismatch would reach the
// wrong handler or transaction.
func wellFormed(req *sip.Request) bool {
	return req != nil && req.CallID() != nil && req.From() != nil && req.To() != nil && req.CSeq() != nil && req.Via() != nil &&
		req.CSeq().MethodName == req.Method
}

// checkSDPBody vets an INVITE body before it is handed on as SDP: a body
// needs a Content-Type (RFC 3261 §20.15) and we only understand
// application/sdp (415 with Accept, §21.4.13), so text, multipart or
// anything else never reaches the media layer as an "offer".
func checkSDPBody(req *sip.Request) (int, string) {
	if len(req.Body()) == 0 {
		return 0, ""
	}
	ct := req.ContentType()
	if ct == nil {
		return 400, "Missing Content-Type"
	}
	mt, _, _ := strings.Cut(ct.Value(), ";")
	if !strings.EqualFold(strings.TrimSpace(mt), "application/sdp") {
		return 415, "Unsupported Media Type"
	}
	return 0, ""
}

func respond(ua *UA, tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	if req.Via() == nil {
		return
	}
	if err := tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil)); err != nil {
		ua.log.Debug("respond failed", "code", code, "err", err)
	}
}

func callIDOf(m interface{ CallID() *sip.CallIDHeader }) string {
	if c := m.CallID(); c != nil {
		return string(*c)
	}
	return ""
}
