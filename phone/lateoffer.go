package phone

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/sipua"
)

// ackTimeout bounds the wait for the ACK that carries a late offer's
// answer: 64×T1, how long the 2xx is retransmitted (RFC 3261 §13.3.1.4).
const ackTimeout = 32 * time.Second

// acceptLateOffer answers an INVITE that carried no SDP (late offer, RFC
// 3261 §13.3.1.4): our 200 carries the offer and the caller's answer comes
// in its ACK. An ACK without SDP, or with an answer we cannot use, leaves
// the call without audio, so it is ended with BYE and reported as failed.
func (p *Phone) acceptLateOffer(ctx context.Context, c *call, inc *sipua.Incoming, media rtc.CallMedia) error {
	id := c.session.SIPCallID
	offer, err := media.CreateOffer(ctx)
	if err != nil {
		_ = inc.Reject(500, "Server Internal Error")
		p.endCall(id, 500, ReasonError, "the call could not be answered: "+err.Error())
		return fmt.Errorf("%w: %w", ErrMediaFailed, err)
	}
	// As in Accept: the 200 and the wait for the ACK run on a goroutine of
	// the phone's, so ctx, Hangup and Disconnect never queue behind them.
	done := make(chan error, 1)
	if !p.goTracked(func() { done <- p.answeredLate(c, inc, media, offer) }) {
		_ = inc.Reject(480, "Temporarily Unavailable")
		p.endCall(id, 480, ReasonShuttingDown, "the phone is shutting down")
		return ErrClosed
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("the call is still being answered (%w)", ctx.Err())
	}
}

// answeredLate sends our offer in the 200 and applies the answer the ACK
// carries; the call is established only with a usable answer.
func (p *Phone) answeredLate(c *call, inc *sipua.Incoming, media rtc.CallMedia, offer []byte) error {
	id := c.session.SIPCallID
	dlg, err := inc.Answer(offer)
	if err != nil {
		return p.answered(c, dlg, err)
	}
	// Answer returns once the ACK came; WaitAck does not rely on it.
	actx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	answer, err := dlg.WaitAck(actx)
	cancel()
	reason, why := "", ReasonError
	switch {
	case err != nil:
		reason, why = "the caller did not acknowledge our answer: "+err.Error(), ReasonNoAck
	case len(answer) == 0:
		reason, why = "the caller sent no audio settings in reply to ours (no SDP in the ACK), so the call was ended", ReasonNoAudioAnswer
	default:
		if err := media.SetAnswer(answer); err != nil {
			reason, why = "the caller's audio settings cannot be used: "+err.Error(), ReasonIncompatibleAudio
		}
	}
	if reason != "" {
		defer p.clearAnswering(c)
		p.log.Warn("late offer not answered", "call", id, "reason", reason)
		bctx, cancel := context.WithTimeout(context.Background(), reofferTimeout)
		_ = dlg.Bye(bctx)
		cancel()
		p.endCall(id, 0, why, reason)
		return fmt.Errorf("%w: %s", ErrMediaFailed, reason)
	}
	return p.answered(c, dlg, nil)
}

// OnAckSDP takes the answer to the offer we put in the 2xx of a re-INVITE
// that had none (RFC 3261 §14.2). No answer, or one we cannot use, leaves
// the media in an unknown state, so the call is ended with BYE.
func (h *dialogHandler) OnAckSDP(ctx context.Context, answer []byte) {
	p := h.p
	p.mu.Lock()
	c, ok := p.calls[h.id]
	if !ok || c.ended || c.media == nil || c.dialog == nil {
		p.mu.Unlock()
		return
	}
	media, dlg := c.media, c.dialog
	p.mu.Unlock()
	reason, why := "", ReasonNoAudioAnswer
	if len(answer) == 0 {
		reason = "the other party sent no audio settings in reply to ours (no SDP in the ACK), so the call was ended"
	} else if err := media.SetAnswer(answer); err != nil {
		reason, why = "the other party's audio settings cannot be used: "+err.Error(), ReasonIncompatibleAudio
	}
	if reason == "" {
		h.reportRemoteHold(c, media)
		return
	}
	p.log.Warn("offer in our re-INVITE answer not answered", "call", h.id, "reason", reason)
	bctx, cancel := context.WithTimeout(context.Background(), reofferTimeout)
	_ = dlg.Bye(bctx)
	cancel()
	p.endCall(h.id, 0, why, reason)
}
