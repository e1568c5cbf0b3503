package sipside

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// referTimeout bounds the NOTIFY that reports a transfer's outcome.
const referTimeout = 10 * time.Second

// onRefer handles a REFER from the user's softphone inside a call, as
// Asterisk's res_pjsip_refer does for the Wazo SDK's transfers
// (docs/wazo-protocol.md, Outgoing call, hold, transfer):
//
//   - blind: Refer-To names an extension of the dial plan; the party the
//     call talks to is connected to a new call to it;
//   - attended: Refer-To carries Replaces naming the user's other call
//     (RFC 3891); the two parties are connected to each other and the
//     other call is hung up.
//
// The REFER is accepted with 202 (RFC 3515 §2.4.2), then one NOTIFY with
// a message/sipfrag body reports the outcome (§2.4.4): 200 OK, or the
// status that made the transfer fail. The user then hangs up the referring
// call with BYE, as the SDK does; its party lives on in the new bridge.
func (x *Side) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	if req.CallID() == nil {
		x.reply(req, tx, 400, "Bad Request")
		return
	}
	l := x.legByCallID(req.CallID().Value())
	if l == nil {
		x.reply(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	h := req.GetHeader("Refer-To")
	if h == nil {
		x.reply(req, tx, 400, "Bad Request") // RFC 3515 §2.4.1: exactly one Refer-To
		return
	}
	exten, replaces, ok := parseReferTo(h.Value())
	if !ok {
		x.reply(req, tx, 400, "Bad Request")
		return
	}
	x.reply(req, tx, 202, "Accepted")
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		code, reason := x.transfer(l, exten, replaces)
		ctx, cancel := context.WithTimeout(x.ctx, referTimeout)
		defer cancel()
		x.notifyRefer(ctx, l, code, reason)
	}()
}

// transfer carries a REFER out and returns the sipfrag status to report.
func (x *Side) transfer(l *userLeg, exten, replaces string) (int, string) {
	m := x.calls
	if replaces != "" {
		other := x.legByCallID(replaces)
		if other == nil || other == l {
			return 481, "Call/Transaction Does Not Exist"
		}
		if _, err := m.MoveParty(l.channelID, other.peer.ChannelID()); err != nil {
			return 503, "Service Unavailable"
		}
		// Asterisk ends the replaced dialog itself.
		if c, ok := m.Get(other.channelID); ok {
			_ = m.UserHangup(c.Owner(), other.channelID)
		}
		return 200, "OK"
	}
	spec, ok := x.cfg.Extensions[exten]
	if !ok {
		return 404, "Not Found"
	}
	switch spec.Kind {
	case PeerBusy:
		return 486, "Busy Here"
	case PeerNoAnswer:
		return 480, "Temporarily Unavailable"
	}
	party, ok := m.Get(l.peer.ChannelID())
	if !ok {
		return 481, "Call/Transaction Does Not Exist"
	}
	peer := newPeer(exten, spec)
	tc, err := m.NewChannel(callmodel.ChannelSpec{
		Status: callmodel.StatusRinging, CallerIDName: spec.Name, CallerIDNumber: exten,
		PeerCallerIDName: party.CallerIDName, PeerCallerIDNumber: party.CallerIDNumber,
	})
	if err != nil {
		return 503, "Service Unavailable"
	}
	peer.setChannel(tc.CallID)
	if _, err := m.Answer(tc.CallID); err != nil {
		_ = m.Hangup(tc.CallID, callmodel.CauseNormalClearing)
		return 503, "Service Unavailable"
	}
	if _, err := m.MoveParty(l.channelID, tc.CallID); err != nil {
		_ = m.Hangup(tc.CallID, callmodel.CauseNormalClearing)
		return 503, "Service Unavailable"
	}
	x.addPeer(peer)
	return 200, "OK"
}

// notifyRefer sends the REFER's final NOTIFY on the leg's dialog.
func (x *Side) notifyRefer(ctx context.Context, l *userLeg, code int, reason string) {
	l.mu.Lock()
	srv, cli := l.server, l.client
	l.mu.Unlock()
	var contact *sip.ContactHeader
	var transport string
	switch {
	case srv != nil:
		contact, transport = srv.InviteRequest.Contact(), srv.InviteRequest.Transport()
	case cli != nil && cli.InviteResponse != nil:
		contact, transport = cli.InviteResponse.Contact(), cli.InviteRequest.Transport()
	}
	if contact == nil {
		return
	}
	req := sip.NewRequest(sip.NOTIFY, contact.Address)
	req.SetTransport(transport)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	req.AppendHeader(sip.NewHeader("Subscription-State", "terminated;reason=noresource"))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte("SIP/2.0 " + strconv.Itoa(code) + " " + reason + "\r\n"))
	var err error
	switch {
	case srv != nil:
		_, err = srv.Do(ctx, req)
	default:
		_, err = cli.Do(ctx, req)
	}
	if err != nil {
		x.log.Debug("wazostandin: NOTIFY for REFER failed", "call_id", l.sipCallID, "err", err)
	}
}

// parseReferTo reads a Refer-To value: the extension it names (the user
// part of its SIP URI) and, for an attended transfer, the Call-ID in its
// Replaces header parameter (RFC 3891 §3: "callid;to-tag=…;from-tag=…",
// URI-escaped inside the URI).
func parseReferTo(v string) (exten, replacesCallID string, ok bool) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return "", "", false
		}
		v = v[i+1 : i+j]
	}
	uri, headers, _ := strings.Cut(v, "?")
	rest, found := strings.CutPrefix(uri, "sip:")
	if !found {
		if rest, found = strings.CutPrefix(uri, "sips:"); !found {
			return "", "", false
		}
	}
	user, _, hasHost := strings.Cut(rest, "@")
	if !hasHost || user == "" {
		return "", "", false
	}
	user, _, _ = strings.Cut(user, ";")
	for _, hv := range strings.Split(headers, "&") {
		name, value, _ := strings.Cut(hv, "=")
		if !strings.EqualFold(name, "Replaces") {
			continue
		}
		unescaped, err := url.PathUnescape(value)
		if err != nil {
			return "", "", false
		}
		callID, _, _ := strings.Cut(unescaped, ";")
		if callID == "" {
			return "", "", false
		}
		return user, callID, true
	}
	return user, "", true
}

// addPeer starts a peer that has no user leg (the target of a transfer).
func (x *Side) addPeer(p *Peer) {
	x.mu.Lock()
	x.peers[p.ChannelID()] = p
	x.mu.Unlock()
	x.mixer.add(p.ChannelID(), p)
}
