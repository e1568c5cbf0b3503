package phone

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-voip/parley/internal/sipua"
)

// uaHandler receives the SIP layer's callbacks. It is a distinct type so the
// callbacks are not part of Phone's public method set.
type uaHandler Phone

func (h *uaHandler) phone() *Phone { return (*Phone)(h) }

// OnRegistration turns the SIP layer's registration states into events.
func (h *uaHandler) OnRegistration(st sipua.RegState) {
	p := h.phone()
	r := Registration{AOR: p.account.AOR(), Contact: st.Contact, Expires: st.Expires, Code: st.Code, Verified: st.Verified}
	var typ EventType
	switch st.Status {
	case sipua.RegRegistered:
		r.State, typ = RegRegistered, EventRegistered
	case sipua.RegRegistering:
		r.State, typ = RegRegistering, EventRegistering
	case sipua.RegUnregistered:
		r.State, typ = RegUnregistered, EventUnregistered
	default:
		r.State, typ = RegFailed, EventRegisterFailed
		if st.Err != nil {
			r.Reason, r.ReasonCode = translateSIPError(st.Err).Error(), errorReason(st.Err)
		} else {
			r.Reason, r.ReasonCode = fmt.Sprintf("registration failed with SIP status %d", st.Code), statusReason(st.Code)
		}
	}
	p.setRegistration(r, typ)
}

// OnIncoming records a new incoming call, rings, and raises call_incoming.
func (h *uaHandler) OnIncoming(_ context.Context, inc *sipua.Incoming) {
	p := h.phone()
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		_ = inc.Reject(480, "Temporarily Unavailable")
		return
	}
	now := time.Now()
	intercom, _ := intercomRequest(inc)
	number := inc.From.User
	display := strings.TrimSpace(inc.From.DisplayName)
	if display == "" {
		display = number
	}
	c := &call{
		incoming: inc,
		stop:     make(chan struct{}),
		session: CallSession{
			SIPCallID:       inc.CallID,
			Number:          number,
			DisplayName:     display,
			CallerNumber:    number,
			DialedExtension: p.ownNumberOr(inc.To.User),
			RemoteURI:       inc.From.URI,
			Ringing:         true,
			Status:          StatusIncoming,
			AutoAnswer:      intercom,
			CreationTime:    now,
			StartTime:       now,
		},
	}
	if p.cfg.serverIDHeader != "" {
		c.session.CallID = strings.TrimSpace(inc.Header(p.cfg.serverIDHeader))
	}
	snap := p.addCall(c)
	if err := inc.Ringing(); err != nil {
		p.log.Warn("could not send 180 Ringing", "call", inc.CallID, "err", err)
	}
	p.emit(Event{Type: EventCallIncoming, Call: &snap})
	if ok, delay := p.autoAnswerDelay(inc); ok {
		p.autoAnswer(c, inc.CallID, delay)
	}

	p.goTracked(func() {
		select {
		case <-inc.Canceled():
			if !p.stillRinging(inc.CallID) {
				break
			}
			if inc.CompletedElsewhere() {
				p.mu.Lock()
				if c, ok := p.calls[inc.CallID]; ok {
					c.session.AnsweredElsewhere = true
				}
				p.mu.Unlock()
				p.endCall(inc.CallID, 487, ReasonAnsweredElsewhere, "the call was answered on another device")
				break
			}
			p.endCall(inc.CallID, 487, ReasonCallerCancelled, "the caller hung up before the call was answered")
		case <-c.stop:
		}
	})
}

// stillRinging reports whether an incoming call has not been answered,
// rejected or ended yet.
func (p *Phone) stillRinging(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.calls[id]
	return ok && !c.ended && c.session.Status == StatusIncoming
}
