package phone

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/rtpmedia"
)

// reofferTimeout bounds how long answering a far-end re-INVITE may take.
const reofferTimeout = 10 * time.Second

// dialogHandler answers in-dialog requests from the far end of one call.
type dialogHandler struct {
	p  *Phone
	id string
}

// OnReInvite answers a re-INVITE with an RFC 3264 §6.1 answer and reports a
// hold or resume by the far end.
func (h *dialogHandler) OnReInvite(ctx context.Context, offer []byte) ([]byte, int) {
	p := h.p
	p.mu.Lock()
	c, ok := p.calls[h.id]
	if !ok || c.ended || c.media == nil {
		p.mu.Unlock()
		return nil, 481
	}
	media := c.media
	p.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, reofferTimeout)
	defer cancel()
	if len(offer) == 0 {
		// RFC 3261 §14.2: a re-INVITE without SDP asks for our offer in
		// the 2xx; the answer comes in the ACK (OnAckSDP). We offer what we
		// want now: sendonly while we hold the far end.
		dir := rtc.DirectionSendRecv
		p.mu.Lock()
		if c.session.Paused {
			dir = rtc.DirectionSendOnly
		}
		p.mu.Unlock()
		ours, err := media.Reoffer(ctx, dir)
		if errors.Is(err, rtc.ErrWrongState) {
			return nil, 491 // our own offer is pending: glare (RFC 3261 §14.2)
		}
		if err != nil {
			p.log.Warn("cannot offer in answer to a re-INVITE without SDP", "call", h.id, "err", err)
			return nil, 500
		}
		return ours, 200
	}
	if classic := isClassic(media); classic != rtpmedia.IsPlainOffer(offer) {
		// A call keeps its media path (docs/media.md): a WebRTC call
		// cannot become plain RTP by re-INVITE, nor the reverse.
		p.log.Warn("re-INVITE asks for the other media path; refused", "call", h.id, "classic", classic)
		return nil, 488
	}
	answer, err := media.AnswerReoffer(ctx, offer)
	if err != nil {
		p.log.Warn("cannot answer re-INVITE", "call", h.id, "err", err)
		return nil, 488
	}
	h.reportRemoteHold(c, media)
	return answer, 200
}

// reportRemoteHold reports a hold or resume by the far end once a
// negotiation changed the direction it sends in.
func (h *dialogHandler) reportRemoteHold(c *call, media rtc.CallMedia) {
	p := h.p
	remoteHeld := media.RemoteDirection() != rtc.DirectionSendRecv
	p.mu.Lock()
	changed := c.session.RemoteHeld != remoteHeld
	c.session.RemoteHeld = remoteHeld
	audio, paused := c.audio, c.session.Paused
	snap := c.snapshot()
	p.mu.Unlock()
	if changed {
		if audio != nil {
			audio.SetHeld(remoteHeld || paused)
		}
		typ := EventCallRemoteResume
		if remoteHeld {
			typ = EventCallRemoteHold
		}
		p.emit(Event{Type: typ, Call: &snap})
	}
}

// OnBye needs nothing: the dialog's end is watched in watchDialog.
func (h *dialogHandler) OnBye(context.Context) {}

// OnRefer accepts being transferred by the far end: the engine does not place
// the new call itself yet, so it declines (RFC 3515 §2.4.2 allows 603).
func (h *dialogHandler) OnRefer(_ context.Context, target string) bool {
	h.p.log.Info("far end asked us to call elsewhere; declined", "call", h.id, "target", target)
	return false
}

// OnInfo reports DTMF received as SIP INFO (application/dtmf-relay).
func (h *dialogHandler) OnInfo(_ context.Context, contentType string, body []byte) {
	if !strings.EqualFold(strings.TrimSpace(contentType), "application/dtmf-relay") {
		return
	}
	for _, line := range strings.Split(string(body), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Signal") {
			s, _ := h.p.Session(h.id)
			h.p.emit(Event{Type: EventDTMFReceived, Call: &s, Digit: strings.TrimSpace(v)})
		}
	}
}

// OnNotify needs nothing beyond what sipua does with REFER progress.
func (h *dialogHandler) OnNotify(context.Context, string, string, []byte) {}
