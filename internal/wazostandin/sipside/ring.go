package sipside

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// ErrNotRegistered: Ring found no live SIP registration for the user's line.
var ErrNotRegistered = errors.New("wazostandin: the user's SIP line is not registered")

// RingOption tunes Side.Ring (Side.Ring).
type RingOption func(*ringConfig)

type ringConfig struct {
	peer       PeerSpec
	autoAnswer bool
	timeout    time.Duration
}

// WithRingTone makes the calling peer a tone peer playing freqs (default
// 440 Hz, like 1001 "Tone Bot").
func WithRingTone(freqs ...float64) RingOption {
	return func(c *ringConfig) {
		c.peer.Kind = PeerTone
		c.peer.Freqs = append([]float64(nil), freqs...)
	}
}

// WithRingPeer sets the calling peer's full script (echo, recorder, tone).
// Busy and no-answer kinds make no sense for a caller and play nothing.
func WithRingPeer(p PeerSpec) RingOption { return func(c *ringConfig) { c.peer = p } }

// WithAutoAnswer adds "Answer-Mode: Auto" to the INVITE (docs/wazo-protocol.md, Lines and registration, RFC 5373).
func WithAutoAnswer() RingOption { return func(c *ringConfig) { c.autoAnswer = true } }

// WithRingTimeout makes the caller give up (CANCEL) after d of ringing.
// Default: ring until the user answers or rejects (the SDK itself never
// times out, docs/wazo-protocol.md, Lines and registration noAnswerTimeout).
func WithRingTimeout(d time.Duration) RingOption { return func(c *ringConfig) { c.timeout = d } }

// RingingCall is a call a scripted peer places to the user (Side.Ring).
type RingingCall struct {
	// UserCallID is the user's channel (its call_id, also sent as
	// X-Wazo-Call-ID); PeerCallID the calling peer's channel.
	UserCallID string
	PeerCallID string
	// SIPCallID is the Call-ID of the INVITE (the user channel's sip_call_id).
	SIPCallID string
	// Peer is the calling peer (e.g. to read what it heard).
	Peer *Peer

	x        *Side
	leg      *userLeg
	answered chan struct{}
	done     chan struct{}

	mu     sync.Mutex
	code   int // final SIP status of the INVITE (200, 486, 603, 487…)
	cancel context.CancelFunc
}

// Answered is closed when the user answered (200 OK, ACK sent).
func (r *RingingCall) Answered() <-chan struct{} { return r.answered }

// Done is closed when the call is over (rejected, canceled or hung up).
func (r *RingingCall) Done() <-chan struct{} { return r.done }

// Status is the final SIP status of the INVITE, 0 while ringing.
func (r *RingingCall) Status() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.code
}

// Hangup makes the peer give up: CANCEL while ringing (docs/wazo-protocol.md, Lines and registration), BYE once
// answered (the model hangs the peer's channel up and ends the bridged user
// leg through the hook).
func (r *RingingCall) Hangup() {
	select {
	case <-r.answered:
		_ = r.x.calls.Hangup(r.PeerCallID, callmodel.CauseNormalClearing)
		r.x.stopPeer(r.PeerCallID)
	default:
		r.mu.Lock()
		c := r.cancel
		r.mu.Unlock()
		c()
	}
}

// Ring makes a scripted peer call the user: both channels appear in the
// call model (peer "Ring", user "Ringing": call_created), an INVITE goes
// over the user's registered WebSocket flow (From "fromName"
// <sip:fromNumber@HOST>, X-Wazo-Call-ID = the user's call_id, SDP offer with
// ICE + DTLS actpass, Opus/PCMU/telephone-event, rtcp-mux; docs/wazo-protocol.md, Lines and registration). On 200
// the model answers and bridges the channels (call_answered, call_updated
// with talking_to) and the peer's audio flows; a rejection (603/480/486)
// or a CANCEL ends both channels (call_ended with a reason_code).
func (x *Side) Ring(userUUID, fromNumber, fromName string, opts ...RingOption) (*RingingCall, error) {
	cfg := ringConfig{peer: PeerSpec{Kind: PeerTone, Freqs: []float64{ToneBotHz}}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	fromNumber = strings.TrimSpace(fromNumber)
	if !validSIPUser(fromNumber) {
		return nil, fmt.Errorf("wazostandin: %q is not a usable caller number (digits, letters, + * # . - _)", fromNumber)
	}
	fromName = sanitizeDisplayName(fromName)
	if cfg.peer.Name == "" {
		cfg.peer.Name = fromName
	}
	if err := x.ensure(); err != nil {
		return nil, err
	}
	user, ok := x.cfg.Users.User(userUUID)
	if !ok {
		return nil, directory.ErrNoSuchUser
	}
	var line directory.Line
	var b binding
	found := false
	for _, l := range user.Lines {
		if l.Protocol != directory.LineSIP && l.Protocol != "" {
			continue
		}
		if bb, ok := x.reg.lookup(l.Username); ok {
			line, b, found = l, bb, true
			break
		}
	}
	if !found {
		return nil, ErrNotRegistered
	}
	domain := sipDomainOf(b, "127.0.0.1")
	m := x.calls
	sipCallID := uuid.NewString()
	pc, err := m.NewChannel(callmodel.ChannelSpec{
		Status: callmodel.StatusRing, CallerIDName: fromName, CallerIDNumber: fromNumber,
		PeerCallerIDName: user.DisplayName(), PeerCallerIDNumber: lineNumber(line),
		DialedExtension: lineNumber(line), IsCaller: true,
	})
	if err != nil {
		return nil, err
	}
	uc, err := m.NewChannel(callmodel.ChannelSpec{
		UserUUID: user.UUID, LineID: line.ID, Status: callmodel.StatusRinging,
		CallerIDName: fromName, CallerIDNumber: fromNumber,
		PeerCallerIDName: fromName, PeerCallerIDNumber: fromNumber,
		DialedExtension: lineNumber(line), SIPCallID: sipCallID, LinkedTo: pc.CallID,
	})
	if err != nil {
		_ = m.Hangup(pc.CallID, callmodel.CauseNormalClearing)
		return nil, err
	}
	fail := func(err error) (*RingingCall, error) {
		_ = m.Hangup(uc.CallID, callmodel.CauseNormalClearing)
		_ = m.Hangup(pc.CallID, callmodel.CauseNormalClearing)
		return nil, err
	}
	peer := newPeer(fromNumber, cfg.peer)
	peer.setChannel(pc.CallID)
	media, err := x.newMedia()
	if err != nil {
		return fail(err)
	}
	mctx, mcancel := context.WithTimeout(x.ctx, mediaTimeout)
	offer, err := media.CreateOffer(mctx)
	mcancel()
	if err != nil {
		_ = media.Close()
		return fail(err)
	}

	req := sip.NewRequest(sip.INVITE, b.contact)
	from := &sip.FromHeader{DisplayName: fromName,
		Address: sip.Uri{Scheme: "sip", User: fromNumber, Host: domain}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{DisplayName: user.DisplayName(),
		Address: sip.Uri{Scheme: "sip", User: line.Username, Host: domain}, Params: sip.NewParams()})
	cid := sip.CallIDHeader(sipCallID)
	req.AppendHeader(&cid)
	req.AppendHeader(sip.HeaderClone(&x.dua.ContactHDR))
	req.AppendHeader(sdpHeader())
	if x.cfg.CallIDHeader {
		req.AppendHeader(sip.NewHeader("X-Wazo-Call-ID", uc.CallID))
	}
	if cfg.autoAnswer {
		req.AppendHeader(sip.NewHeader("Answer-Mode", "Auto"))
	}
	req.SetBody(offer)
	x.toFlow(req, b)

	ctx, cancel := context.WithCancel(x.ctx)
	if cfg.timeout > 0 {
		ctx, cancel = context.WithTimeout(x.ctx, cfg.timeout)
	}
	leg := newUserLeg(x, sipCallID, peer, media)
	leg.channelID = uc.CallID
	leg.cancel = cancel
	rc := &RingingCall{UserCallID: uc.CallID, PeerCallID: pc.CallID, SIPCallID: sipCallID, Peer: peer,
		x: x, leg: leg, answered: make(chan struct{}), done: make(chan struct{}), cancel: cancel}

	cs, err := x.dua.WriteInvite(ctx, req)
	if err != nil {
		cancel()
		_ = media.Close()
		return fail(fmt.Errorf("wazostandin: cannot send the INVITE to the user: %w", err))
	}
	leg.client = cs
	x.addLeg(leg, peer)

	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		defer cancel()
		x.ringWait(ctx, rc, cs, pc.CallID, uc.CallID)
	}()
	return rc, nil
}

// ringWait follows the INVITE to its final response, then the call to its end.
func (x *Side) ringWait(ctx context.Context, rc *RingingCall, cs *sipgo.DialogClientSession, pc, uc string) {
	defer close(rc.done)
	leg := rc.leg
	err := cs.WaitAnswer(ctx, sipgo.AnswerOptions{})
	if err != nil {
		code := 487
		var de *sipgo.ErrDialogResponse
		var dv sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &de) && de.Res != nil:
			code = de.Res.StatusCode
		case errors.As(err, &dv) && dv.Res != nil:
			code = dv.Res.StatusCode
		}
		rc.mu.Lock()
		rc.code = code
		rc.mu.Unlock()
		x.log.Debug("wazostandin: ring ended before answer", "call_id", rc.SIPCallID, "code", code, "err", err)
		x.releaseLeg(leg)
		_ = x.calls.Hangup(uc, causeFor(code))
		x.stopPeer(pc)
		_ = x.calls.Hangup(pc, causeFor(code))
		return
	}
	rc.mu.Lock()
	rc.code = 200
	rc.mu.Unlock()
	if err := cs.Ack(ctx); err != nil {
		x.log.Info("wazostandin: ACK failed", "call_id", rc.SIPCallID, "err", err)
	}
	if err := leg.media.SetAnswer(cs.InviteResponse.Body()); err == nil {
		err = leg.startAudio()
		if err != nil {
			x.log.Info("wazostandin: no audio codec", "err", err)
		}
	} else {
		x.log.Info("wazostandin: the user's SDP answer is unusable", "call_id", rc.SIPCallID, "err", err)
	}
	leg.mu.Lock()
	leg.answered = true
	ended := leg.ended
	leg.mu.Unlock()
	if ended {
		return
	}
	m := x.calls
	_, _ = m.Answer(pc)
	_, _ = m.Answer(uc)
	if _, err := m.Bridge(pc, uc); err != nil {
		x.log.Debug("wazostandin: bridge failed", "err", err)
	}
	close(rc.answered)
	select {
	case <-leg.done:
	case <-x.ctx.Done():
	}
}

// validSIPUser accepts the characters of a phone number or simple SIP user
// (RFC 3261 §25.1 "unreserved" subset), so nothing can inject headers.
func validSIPUser(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case strings.ContainsRune("+*#.-_", r):
		default:
			return false
		}
	}
	return true
}

// sanitizeDisplayName drops what cannot go inside a quoted display name
// (quotes, backslashes, control characters; RFC 3261 §25.1 quoted-string).
func sanitizeDisplayName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '"' || r == '\\' || r < 0x20 || r == 0x7f {
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
