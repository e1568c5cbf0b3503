package phone

import (
	"context"
	"errors"
	"fmt"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/sipua"
)

// Accept answers an incoming call. A call already established is held first
// (the SDK's accept does the same), so the agent never talks on two at once.
// It returns once the caller confirmed the answer (the ACK), or when ctx
// ends: the answer then goes on without the caller of Accept, and its
// outcome arrives as events (call_accepted, or call_failed with the reason).
// Hangup ends the call at any stage of the answer.
func (p *Phone) Accept(ctx context.Context, id string) error {
	c, inc, err := p.takeIncoming(id, "accepted")
	if err != nil {
		return err
	}
	p.holdOthers(ctx, id)

	// The offer's profile picks the path (docs/media.md); a late offer
	// (no SDP) is ours to make, on the line's path.
	newMedia := p.newOfferMedia
	if len(inc.SDP) > 0 {
		newMedia = func() (rtc.CallMedia, error) { return p.newAnswerMedia(inc.SDP) }
	}
	media, err := newMedia()
	if err != nil {
		_ = inc.Reject(500, "Server Internal Error")
		p.endCall(id, 500, ReasonError, err.Error())
		return err
	}
	p.mu.Lock()
	c.media = media
	p.mu.Unlock()
	if len(inc.SDP) == 0 {
		return p.acceptLateOffer(ctx, c, inc, media)
	}
	answer, err := media.Answer(ctx, inc.SDP)
	if err != nil {
		_ = inc.Reject(488, "Not Acceptable Here")
		p.endCall(id, 488, ReasonIncompatibleAudio, "the caller's audio settings cannot be used: "+err.Error())
		return fmt.Errorf("%w: %w", ErrMediaFailed, err)
	}
	// The wait for the ACK is the SIP layer's (up to 64×T1); it runs on a
	// goroutine of the phone's so that ctx, Hangup and Disconnect are never
	// held up by it.
	done := make(chan error, 1)
	if !p.goTracked(func() {
		dlg, err := inc.Answer(answer)
		done <- p.answered(c, dlg, err)
	}) {
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

// answered completes Accept once the SIP layer is done with the answer.
func (p *Phone) answered(c *call, dlg *sipua.Dialog, err error) error {
	id := c.session.SIPCallID
	// Cleared only once the call is established or ended, so a Hangup in
	// between always finds one way to end it.
	defer p.clearAnswering(c)
	switch {
	case err == nil:
		p.established(c, dlg)
		return nil
	case errors.Is(err, sipua.ErrHungUp), errors.Is(err, sipua.ErrAlreadyAnswered):
		// Hangup ended the call meanwhile and reported it.
		return errors.New("you hung up before the call was answered")
	case errors.Is(err, sipua.ErrNoAck):
		// RFC 3261 §13.3.1.4: the SIP layer has sent the BYE.
		p.endCall(id, 0, ReasonNoAck, "the caller's phone never confirmed the answer, so the call was ended")
		return errors.New("the caller's phone never confirmed the answer")
	case errors.Is(err, sipua.ErrCanceled):
		p.endCall(id, 487, ReasonCallerCancelled, "the caller hung up before the call was answered")
		return errors.New("the caller hung up before the call was answered")
	}
	p.endCall(id, 0, ReasonError, "the call could not be answered: "+err.Error())
	return fmt.Errorf("answer: %w", err)
}

func (p *Phone) clearAnswering(c *call) {
	p.mu.Lock()
	c.answering = nil
	p.mu.Unlock()
}

// Reject declines a ringing incoming call with the configured status (603
// Decline by default).
func (p *Phone) Reject(ctx context.Context, id string) error {
	return p.rejectWith(id, p.cfg.rejectCode, p.cfg.rejectReason, "you declined the call")
}

// takeIncoming claims a ringing incoming call for one answer: once taken,
// nobody else may accept or reject it, so a double click or a race between
// the GUI and a script cannot answer twice.
func (p *Phone) takeIncoming(id, verb string) (*call, *sipua.Incoming, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.lookup(id)
	if err != nil {
		return nil, nil, err
	}
	if c.session.Status != StatusIncoming || c.incoming == nil {
		return nil, nil, fmt.Errorf("%w: only a ringing incoming call can be %s", ErrWrongState, verb)
	}
	inc := c.incoming
	c.incoming = nil
	if verb == "accepted" {
		c.answering = inc
	}
	return c, inc, nil
}

func (p *Phone) rejectWith(id string, code int, reason, why string) error {
	_, inc, err := p.takeIncoming(id, "rejected")
	if err != nil {
		return err
	}
	err = inc.Reject(code, reason)
	p.endCall(id, code, ReasonDeclinedByUser, why)
	if err != nil {
		return fmt.Errorf("reject: %w", err)
	}
	return nil
}

// Hangup ends a call whatever its state: BYE when established, CANCEL while
// our INVITE rings, reject while an incoming call rings, and while it is
// being accepted, the end of the answer (see Accept).
func (p *Phone) Hangup(ctx context.Context, id string) error {
	p.mu.Lock()
	c, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	status, dlg, cancel, answering := c.session.Status, c.dialog, c.cancelDial, c.answering
	p.mu.Unlock()

	switch {
	case answering != nil:
		// Accept is under way: the SIP layer declines the call, or, once
		// the 200 went out, sends the BYE when the ACK comes (RFC 3261 §15
		// forbids it earlier). Either way the call is over for the user now.
		err := answering.Reject(p.cfg.rejectCode, p.cfg.rejectReason) // before the 200
		if errors.Is(err, sipua.ErrAlreadyAnswered) {
			err = answering.Hangup(ctx)
		}
		p.endCall(id, 0, ReasonLocalHangup, "you hung up")
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("hang up: %w", err)
		}
		return nil
	case status == StatusIncoming:
		return p.rejectWith(id, p.cfg.rejectCode, p.cfg.rejectReason, "you declined the call")
	case dlg != nil:
		err := dlg.Bye(ctx)
		p.endCall(id, 0, ReasonLocalHangup, "you hung up")
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("hang up: %w", err)
		}
		return nil
	case cancel != nil:
		// The dial goroutine sends CANCEL and reports the outcome.
		cancel()
		return nil
	}
	p.endCall(id, 0, ReasonLocalHangup, "you hung up")
	return nil
}

// Hold puts an established call on hold with a sendonly re-INVITE (RFC 3264
// §8.4), the way the Wazo SDK holds WebRTC calls.
func (p *Phone) Hold(ctx context.Context, id string) error {
	return p.changeHold(ctx, id, true)
}

// Resume takes a call off hold (re-INVITE sendrecv) and makes it the active
// call, holding whichever call was active.
func (p *Phone) Resume(ctx context.Context, id string) error {
	p.holdOthers(ctx, id)
	return p.changeHold(ctx, id, false)
}

// ResumeAlongside takes a call off hold without holding the others. It is
// for a local conference, where every leg must send and receive at once and
// the audio engine, not the phone, decides who hears whom.
func (p *Phone) ResumeAlongside(ctx context.Context, id string) error {
	return p.changeHold(ctx, id, false)
}

func (p *Phone) changeHold(ctx context.Context, id string, hold bool) error {
	p.mu.Lock()
	c, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	if c.dialog == nil {
		p.mu.Unlock()
		return fmt.Errorf("%w: only an established call can be held or resumed", ErrWrongState)
	}
	if c.session.Paused == hold {
		p.mu.Unlock()
		if !hold {
			p.makeActive(id)
		}
		return nil
	}
	dlg, media := c.dialog, c.media
	p.mu.Unlock()

	c.reinvite.Lock()
	defer c.reinvite.Unlock()
	dir := rtc.DirectionSendRecv
	if hold {
		dir = rtc.DirectionSendOnly
	}
	offer, err := media.Reoffer(ctx, dir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMediaFailed, err)
	}
	answer, err := dlg.ReInvite(ctx, offer)
	if err != nil {
		return fmt.Errorf("the far end refused the %s: %w", map[bool]string{true: "hold", false: "resume"}[hold], err)
	}
	if err := media.SetAnswer(answer); err != nil {
		return fmt.Errorf("%w: %w", ErrMediaFailed, err)
	}

	p.mu.Lock()
	c.session.Paused = hold
	if hold {
		c.session.Status = StatusHeld
	} else {
		c.session.Status = StatusEstablished
	}
	audio := c.audio
	remoteHeld := c.session.RemoteHeld
	snap := c.snapshot()
	p.mu.Unlock()
	if audio != nil {
		audio.SetHeld(hold || remoteHeld)
	}
	typ := EventCallHeld
	if !hold {
		typ = EventCallResumed
		p.makeActive(id)
	}
	p.emit(Event{Type: typ, Call: &snap})
	return nil
}

// Mute stops sending the microphone on the call.
func (p *Phone) Mute(ctx context.Context, id string) error { return p.setMuted(id, true) }

// Unmute sends the microphone again.
func (p *Phone) Unmute(ctx context.Context, id string) error { return p.setMuted(id, false) }

func (p *Phone) setMuted(id string, muted bool) error {
	p.mu.Lock()
	c, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	if c.session.Status == StatusIncoming {
		p.mu.Unlock()
		return fmt.Errorf("%w: answer the call before muting it", ErrWrongState)
	}
	changed := c.session.Muted != muted
	c.session.Muted = muted
	audio := c.audio
	snap := c.snapshot()
	p.mu.Unlock()
	if audio != nil {
		audio.SetMuted(muted)
	}
	if changed {
		typ := EventCallMuted
		if !muted {
			typ = EventCallUnmuted
		}
		p.emit(Event{Type: typ, Call: &snap})
	}
	return nil
}

// Transfer hands the call to target (blind transfer, REFER per RFC 3515).
// The call is held first, as the SDK does, and ends when the transfer is
// accepted.
func (p *Phone) Transfer(ctx context.Context, id, target string) error {
	to, err := NormalizeNumber(target)
	if err != nil {
		return err
	}
	p.mu.Lock()
	c, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	dlg, paused := c.dialog, c.session.Paused
	p.mu.Unlock()
	if dlg == nil {
		return fmt.Errorf("%w: only an established call can be transferred", ErrWrongState)
	}
	if !paused {
		if err := p.Hold(ctx, id); err != nil {
			p.log.Warn("hold before transfer failed", "call", id, "err", err)
		}
	}
	if err := dlg.Refer(ctx, to, nil); err != nil {
		return fmt.Errorf("transfer to %s failed: %w", to, err)
	}
	p.mu.Lock()
	c.session.TransferredTo = to
	p.mu.Unlock()
	s, _ := p.Session(id)
	p.emit(Event{Type: EventCallTransferred, Call: &s, Reason: "transferred to " + to, ReasonCode: ReasonTransferred})
	_ = dlg.Bye(ctx)
	p.endCall(id, 0, ReasonTransferred, "the call was transferred to "+to)
	return nil
}

// AttendedTransfer connects the far end of call id with the far end of call
// targetID (REFER with Replaces, RFC 3891), after the agent has spoken to the
// target.
func (p *Phone) AttendedTransfer(ctx context.Context, id, targetID string) error {
	p.mu.Lock()
	c, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	t, err := p.lookup(targetID)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	dlg, tdlg := c.dialog, t.dialog
	target := t.session.RemoteURI
	if target == "" {
		target = t.session.DialedExtension
	}
	if dlg != nil && tdlg != nil {
		t.replacing = true
	}
	p.mu.Unlock()
	if dlg == nil || tdlg == nil {
		return fmt.Errorf("%w: both calls must be established for an attended transfer", ErrWrongState)
	}
	if err := dlg.Refer(ctx, target, tdlg); err != nil {
		p.mu.Lock()
		t.replacing = false
		p.mu.Unlock()
		return fmt.Errorf("attended transfer failed: %w", err)
	}
	s, _ := p.Session(id)
	p.emit(Event{Type: EventCallTransferred, Call: &s, Reason: "transferred to " + target, ReasonCode: ReasonTransferred})
	_ = dlg.Bye(ctx)
	p.endCall(id, 0, ReasonTransferred, "the call was transferred")
	// The consultation's party now talks to the transferred one: our leg
	// to them is over too. The server ends the replaced dialog (RFC 3891
	// §3); ending it here as well covers a server that leaves it to us.
	_ = tdlg.Bye(ctx)
	p.endCall(targetID, 0, ReasonTransferred, "the call was transferred")
	return nil
}
