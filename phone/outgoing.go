package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/parley-voip/parley/internal/sipua"
)

// maxRingTime bounds how long an unanswered outgoing call may ring before we
// give up, so a lost final response cannot leave a call dialing forever.
const maxRingTime = 3 * time.Minute

// Call places a call to number (an extension, a phone number or a SIP URI).
// It returns as soon as the INVITE is on its way; the outcome arrives as
// events (call_progress, call_early_media when the far end plays audio
// before answering, call_accepted or call_failed). A call already in
// progress is put on hold first, as the Wazo SDK does.
func (p *Phone) Call(ctx context.Context, number string) (CallSession, error) {
	target, err := NormalizeNumber(number)
	if err != nil {
		return CallSession{}, err
	}
	p.mu.Lock()
	ua, closed := p.ua, p.closed
	p.mu.Unlock()
	if closed {
		return CallSession{}, ErrClosed
	}
	if ua == nil {
		return CallSession{}, ErrNotConnected
	}

	media, err := p.newOfferMedia()
	if err != nil {
		return CallSession{}, err
	}
	offer, err := media.CreateOffer(ctx)
	if err != nil {
		_ = media.Close()
		return CallSession{}, fmt.Errorf("%w: %w", ErrMediaFailed, err)
	}

	p.holdOthers(ctx, "")

	now := time.Now()
	callID := uuid.NewString()
	dialCtx, cancel := context.WithTimeout(context.Background(), maxRingTime)
	c := &call{
		media:      media,
		cancelDial: cancel,
		stop:       make(chan struct{}),
		session: CallSession{
			SIPCallID:       callID,
			Number:          userPart(target),
			DisplayName:     userPart(target),
			CallerNumber:    p.ownNumber(),
			DialedExtension: target,
			IsCaller:        true,
			Ringing:         true, // as the SDK's outgoing session, before any 180
			Status:          StatusDialing,
			CreationTime:    now,
			StartTime:       now,
		},
	}
	snap := p.addCall(c)
	p.emit(Event{Type: EventCallOutgoing, Call: &snap})

	p.goTracked(func() {
		defer cancel()
		p.dial(dialCtx, c, target, offer)
	})
	return snap, nil
}

// dial runs one outgoing INVITE transaction to its end.
func (p *Phone) dial(ctx context.Context, c *call, target string, offer []byte) {
	id := c.session.SIPCallID
	var early *sipua.Dialog
	dlg, err := p.ua.Dial(ctx, target, offer, sipua.DialOptions{
		CallID:   id,
		OnDialog: func(d *sipua.Dialog) { early = d },
		OnProgress: func(code int, reason string, sdp []byte) {
			p.onProgress(id, code, reason)
			if len(sdp) > 0 && code >= 180 {
				p.onEarlySDP(c, code, sdp, early.Header("Require"))
			}
		},
		OnRedirect: func(code int, to string) {
			p.onRedirect(id, code, to)
		},
	})
	if err != nil {
		code, why, reason := failureOf(err)
		if se := (*sipua.StatusError)(nil); errors.As(err, &se) && se.Code >= 300 && se.Code < 400 {
			reason = p.describeRedirect(se)
		}
		p.endCall(id, code, why, reason)
		return
	}
	if why := p.applyFinalAnswer(ctx, c, dlg); why != "" {
		_ = dlg.Bye(context.Background())
		code, reasonCode := 488, ReasonIncompatibleAudio
		if ctx.Err() != nil { // hung up while media was being renewed
			code, reasonCode, why = 0, ReasonLocalHangup, "you hung up"
		}
		p.endCall(id, code, reasonCode, why)
		return
	}
	p.established(c, dlg)
}

func (p *Phone) onProgress(id string, code int, reason string) {
	p.mu.Lock()
	c, ok := p.calls[id]
	if !ok || c.ended {
		p.mu.Unlock()
		return
	}
	if code >= 180 && c.session.Status == StatusDialing {
		c.session.Status = StatusRinging
	}
	snap := c.snapshot()
	p.mu.Unlock()
	p.emit(Event{Type: EventCallProgress, Call: &snap, Code: code, Reason: reason})
}

// onRedirect reports a redirect being followed as call_progress: the call
// keeps its id, only the target changes (RFC 3261 §8.1.3.4).
func (p *Phone) onRedirect(id string, code int, to string) {
	p.mu.Lock()
	c, ok := p.calls[id]
	if !ok || c.ended {
		p.mu.Unlock()
		return
	}
	reason := "the call is being redirected to " + to
	if code >= 400 {
		reason = fmt.Sprintf("that number could not take the call (%d); trying the next address it was redirected to, %s", code, to)
	}
	c.session.RemoteURI = to
	snap := c.snapshot()
	p.mu.Unlock()
	p.emit(Event{Type: EventCallProgress, Call: &snap, Code: code, Reason: reason})
}

// describeRedirect says where a redirect that was not followed pointed.
func (p *Phone) describeRedirect(se *sipua.StatusError) string {
	if len(se.Contacts) == 0 {
		return fmt.Sprintf("the call was redirected (%d), but the far end gave no address to try", se.Code)
	}
	to := strings.Join(se.Contacts, " or ")
	if p.cfg.maxRedirects < 0 {
		return "the call was redirected to " + to + " (Parley is set not to follow redirects)"
	}
	return "the call was redirected to " + to + ", which was already tried or is one redirect too many"
}

// failureOf turns a dial error into the SIP code, its reason code and a
// sentence for the user.
func failureOf(err error) (int, ReasonCode, string) {
	var se *sipua.StatusError
	switch {
	case errors.As(err, &se):
		return se.Code, statusReason(se.Code), describeStatus(se.Code, se.Reason)
	case errors.Is(err, sipua.ErrCanceled), errors.Is(err, context.Canceled):
		return 487, ReasonCancelled, "the call was cancelled before it was answered"
	case errors.Is(err, context.DeadlineExceeded):
		return 408, ReasonNoAnswer, "nobody answered"
	default:
		return 0, errorReason(err), translateSIPError(err).Error()
	}
}

// describeStatus explains a final SIP response (RFC 3261 §21) in words an
// agent understands.
func describeStatus(code int, reason string) string {
	switch code {
	case 404, 604:
		return "the number does not exist"
	case 480:
		return "the person is not available right now"
	case 486, 600:
		return "the line is busy"
	case 487:
		return "the call was cancelled"
	case 403:
		return "the server refused the call (not allowed)"
	case 401, 407:
		return "the server refused our credentials for this call"
	case 408:
		return "nobody answered in time"
	case 484:
		return "the number is incomplete"
	case 488, 606:
		return "the far end cannot accept the audio settings of this call"
	case 503:
		return "the server is unavailable"
	case 603:
		return "the call was declined"
	}
	if reason != "" {
		return fmt.Sprintf("the call failed: %s (%d)", reason, code)
	}
	return fmt.Sprintf("the call failed with SIP status %d", code)
}

// translateSIPError maps SIP-layer errors onto the engine's sentinels while
// keeping the SIP layer's plain-language detail.
func translateSIPError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sipua.ErrAuthFailed):
		return fmt.Errorf("%w (%w)", ErrAuthFailed, err)
	case errors.Is(err, sipua.ErrUnreachable):
		return fmt.Errorf("%w (%w)", ErrUnreachable, err)
	}
	return err
}

func userPart(target string) string {
	s := target
	if i := strings.IndexByte(s, ':'); i >= 0 && (strings.HasPrefix(s, "sip:") || strings.HasPrefix(s, "sips:")) {
		s = s[i+1:]
	}
	if i := strings.IndexAny(s, "@;"); i >= 0 {
		s = s[:i]
	}
	return s
}
