package sipside

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
	"github.com/parley-voip/parley/internal/wazostandin/media"
)

// mediaTimeout bounds SDP work (ICE gathering) for one offer/answer.
const mediaTimeout = 10 * time.Second

// onInvite handles INVITEs from the user's softphone: re-INVITEs inside a
// known dialog (hold/resume), or a new outgoing call to an extension of the
// dial plan (docs/wazo-protocol.md, Lines and registration).
func (x *Side) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if req.CallID() == nil || req.To() == nil || req.From() == nil || req.CSeq() == nil {
		x.reply(req, tx, 400, "Bad Request")
		return
	}
	if tag, ok := req.To().Params.Get("tag"); ok && tag != "" {
		x.onReInvite(req, tx)
		return
	}
	// Asterisk challenges every INVITE (docs/wazo-protocol.md, Lines and registration): digest with the line secret.
	user, line, ok := x.reg.authenticate(req, tx)
	if !ok {
		return
	}
	x.outgoing(req, tx, user, line)
}

// outgoing connects the user's call to the scripted peer of the dialled
// extension: 404 when there is none, 486 for a busy peer, ringing forever
// for a no-answer peer, otherwise 180 then 200 with the peer's SDP answer;
// the model gets both channels, answered and bridged (docs/wazo-protocol.md, Event websocket).
func (x *Side) outgoing(req *sip.Request, tx sip.ServerTransaction, user directory.User, line directory.Line) {
	exten := req.Recipient.User
	spec, ok := x.cfg.Extensions[exten]
	if !ok {
		x.reply(req, tx, 404, "Not Found")
		return
	}
	sipCallID := req.CallID().Value()
	m := x.calls
	uc, err := m.NewChannel(callmodel.ChannelSpec{
		UserUUID: user.UUID, LineID: line.ID, Status: callmodel.StatusRing,
		CallerIDName: user.DisplayName(), CallerIDNumber: lineNumber(line),
		PeerCallerIDName: spec.Name, PeerCallerIDNumber: exten, DialedExtension: exten,
		SIPCallID: sipCallID, IsCaller: true,
	})
	if err != nil {
		x.reply(req, tx, 500, "Server Internal Error")
		return
	}
	// X-Wazo-Call-ID only from engines that have it (Config.CallIDHeader);
	// an older engine's responses carry nothing extra.
	var xcall []sip.Header
	if x.cfg.CallIDHeader {
		xcall = append(xcall, sip.NewHeader("X-Wazo-Call-ID", uc.CallID))
	}
	if spec.Kind == PeerBusy {
		res := sip.NewResponseFromRequest(req, 486, "Busy Here", nil)
		for _, h := range xcall {
			res.AppendHeader(h)
		}
		x.respond(tx, res)
		_ = m.Hangup(uc.CallID, callmodel.CauseUserBusy)
		return
	}
	dlg, err := x.dua.ReadInvite(req, tx)
	if err != nil {
		x.reply(req, tx, 400, "Bad Request")
		_ = m.Hangup(uc.CallID, callmodel.CauseNormalClearing)
		return
	}
	defer func() { _ = dlg.Close() }()
	peer := newPeer(exten, spec)
	pc, err := m.NewChannel(callmodel.ChannelSpec{
		Status: callmodel.StatusRinging, CallerIDName: spec.Name, CallerIDNumber: exten,
		PeerCallerIDName: user.DisplayName(), PeerCallerIDNumber: lineNumber(line),
		LinkedTo: uc.CallID,
	})
	if err != nil {
		_ = dlg.Respond(500, "Server Internal Error", nil)
		_ = m.Hangup(uc.CallID, callmodel.CauseNormalClearing)
		return
	}
	peer.setChannel(pc.CallID)
	media, err := x.newMedia()
	if err != nil {
		_ = dlg.Respond(500, "Server Internal Error", nil)
		_ = m.Hangup(uc.CallID, callmodel.CauseNormalClearing)
		_ = m.Hangup(pc.CallID, callmodel.CauseNormalClearing)
		return
	}
	leg := newUserLeg(x, sipCallID, peer, media)
	leg.channelID = uc.CallID
	ctx, cancel := context.WithCancel(x.ctx)
	defer cancel()
	leg.server = dlg
	leg.cancel = cancel
	x.addLeg(leg, peer)

	if err := dlg.Respond(180, "Ringing", nil, xcall...); err != nil {
		x.endFromUser(leg, callmodel.CauseNormalClearing)
		return
	}
	if spec.Kind == PeerNoAnswer {
		select {
		case <-dlg.Context().Done(): // CANCEL (sipgo answered 487) or tx died
			x.endFromUser(leg, callmodel.CauseNormalClearing)
		case <-ctx.Done(): // the model hung the user's channel up, or Close
			_ = dlg.Respond(480, "Temporarily Unavailable", nil)
			x.releaseLeg(leg)
		}
		return
	}

	mctx, mcancel := context.WithTimeout(ctx, mediaTimeout)
	answer, err := media.Answer(mctx, req.Body())
	mcancel()
	if err != nil {
		x.log.Info("wazostandin: cannot answer the user's offer", "call_id", sipCallID, "err", err)
		_ = dlg.Respond(488, "Not Acceptable Here", nil)
		x.endFromUser(leg, callmodel.CauseNormalClearing)
		return
	}
	if err := leg.startAudio(); err != nil {
		_ = dlg.Respond(488, "Not Acceptable Here", nil)
		x.endFromUser(leg, callmodel.CauseNormalClearing)
		return
	}
	if ctx.Err() != nil || dlg.Context().Err() != nil {
		x.endFromUser(leg, callmodel.CauseNormalClearing)
		return
	}
	leg.mu.Lock()
	leg.answered = true // from now on the hook ends it with BYE
	leg.mu.Unlock()
	// Respond blocks until the ACK (2xx retransmitted meanwhile, RFC 3261
	// docs/wazo-protocol.md, Stand-in differences); the ACK reaches it through onAck → ReadAck.
	if err := dlg.Respond(200, "OK", answer, append([]sip.Header{sdpHeader()}, xcall...)...); err != nil {
		x.log.Info("wazostandin: 200 OK not acknowledged", "call_id", sipCallID, "err", err)
		x.endFromUser(leg, callmodel.CauseNormalClearing)
		return
	}
	_, _ = m.Answer(pc.CallID)
	_, _ = m.Answer(uc.CallID)
	if _, err := m.Bridge(uc.CallID, pc.CallID); err != nil {
		x.log.Debug("wazostandin: bridge failed", "err", err)
	}
}

// onReInvite answers a re-INVITE inside a user leg: the RFC 3264 §6.1
// answer from the media session, and call_held/call_resumed in the model
// from the offered direction (docs/wazo-protocol.md, Lines and registration: sendonly → recvonly + held).
func (x *Side) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	l := x.legByCallID(req.CallID().Value())
	if l == nil {
		x.reply(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	offer := req.Body()
	if len(offer) == 0 {
		// A re-INVITE without offer would need our offer in the 200 and the
		// answer in the ACK; the softphones we serve always offer.
		x.reply(req, tx, 488, "Not Acceptable Here")
		return
	}
	dir, err := media.OfferedDirection(offer)
	if err != nil {
		x.reply(req, tx, 488, "Not Acceptable Here")
		return
	}
	ctx, cancel := context.WithTimeout(x.ctx, mediaTimeout)
	answer, err := l.media.AnswerReoffer(ctx, offer)
	cancel()
	if err != nil {
		x.reply(req, tx, 488, "Not Acceptable Here")
		return
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", answer)
	res.AppendHeader(sdpHeader())
	res.AppendHeader(sip.HeaderClone(&x.dua.ContactHDR))
	x.respond(tx, res)
	hold := dir == "sendonly" || dir == "inactive"
	_ = x.calls.SetHold(l.channelID, hold)
}

// onAck completes the 2xx of an INVITE the user sent (ReadAck wakes the
// waiting Respond); ACKs of re-INVITE 2xx and of errors need nothing.
func (x *Side) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if req.CallID() == nil {
		return
	}
	l := x.legByCallID(req.CallID().Value())
	if l == nil {
		return
	}
	l.mu.Lock()
	srv := l.server
	l.mu.Unlock()
	if srv != nil {
		_ = srv.ReadAck(req, tx)
	}
}

// onBye: the user hung up (docs/wazo-protocol.md, Lines and registration "BYE in both directions").
func (x *Side) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if req.CallID() == nil {
		x.reply(req, tx, 400, "Bad Request")
		return
	}
	l := x.legByCallID(req.CallID().Value())
	if l == nil {
		x.reply(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	l.mu.Lock()
	srv, cli := l.server, l.client
	l.mu.Unlock()
	var err error
	switch {
	case srv != nil:
		err = srv.ReadBye(req, tx)
	case cli != nil:
		err = cli.ReadBye(req, tx)
	}
	if err != nil {
		x.reply(req, tx, 200, "OK")
	}
	x.endFromUser(l, callmodel.CauseNormalClearing)
}

// lineNumber is the line's first extension, the user's own number.
func lineNumber(l directory.Line) string {
	if len(l.Extensions) > 0 {
		return l.Extensions[0].Exten
	}
	return l.Username
}
