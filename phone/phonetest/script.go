package phonetest

import (
	"fmt"
	"strings"

	"github.com/parley-voip/parley/phone"
)

// The methods in this file play the far end and the server. They are not
// recorded in Ops, which only lists what the code under test asked for.

// Ring delivers an incoming call from the number from and emits
// call_incoming. An empty displayName shows the number, as the SDK does.
func (e *Engine) Ring(from, displayName string) phone.CallSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	if displayName == "" {
		displayName = from
	}
	now := e.now()
	cs := &phone.CallSession{
		SIPCallID:       e.newIDLocked(),
		Number:          from,
		DisplayName:     displayName,
		CallerNumber:    from,
		DialedExtension: userPart(e.aor),
		RemoteURI:       "sip:" + from + "@" + hostPart(e.aor),
		Ringing:         true,
		Status:          phone.StatusIncoming,
		CreationTime:    now,
		StartTime:       now,
	}
	e.addLocked(cs)
	e.emitCallLocked(phone.EventCallIncoming, cs, 0, "")
	return *cs
}

// Progress reports that the far end of an outgoing call is alerting (180).
func (e *Engine) Progress(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.outgoingUnansweredLocked(id)
	if err != nil {
		return err
	}
	cs.Status = phone.StatusRinging
	cs.SIPStatus = 180
	e.emitCallLocked(phone.EventCallProgress, cs, 180, "")
	return nil
}

// EarlyMedia reports that the far end of an outgoing call plays audio
// before answering (183 Session Progress with SDP, RFC 3960).
func (e *Engine) EarlyMedia(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.outgoingUnansweredLocked(id)
	if err != nil {
		return err
	}
	cs.Status = phone.StatusRinging
	cs.SIPStatus = 183
	e.emitCallLocked(phone.EventCallProgress, cs, 183, "Session Progress")
	cs.EarlyMedia = true
	e.emitCallLocked(phone.EventCallEarlyMedia, cs, 183, "")
	return nil
}

// Answer makes the far end answer an outgoing call (200 OK).
func (e *Engine) Answer(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.outgoingUnansweredLocked(id)
	if err != nil {
		return err
	}
	e.establishLocked(cs)
	return nil
}

// RemoteReject makes the far end refuse an outgoing call with a SIP status
// such as 486 (busy) or 603 (declined); reason is the plain-language text.
func (e *Engine) RemoteReject(id string, code int, reason string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.outgoingUnansweredLocked(id)
	if err != nil {
		return err
	}
	e.endLocked(cs, code, phone.StatusReason(code), reason)
	return nil
}

// RemoteHangup ends a call from the far end: BYE on an answered call
// (call_ended), CANCEL on an incoming call still ringing (call_failed, 487),
// 480 on an outgoing call not answered yet (call_failed).
func (e *Engine) RemoteHangup(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	switch {
	case cs.Answered:
		e.endLocked(cs, 0, phone.ReasonRemoteHangup, "the other party hung up")
	case cs.IsCaller:
		e.endLocked(cs, 480, phone.ReasonUnavailable, "the person is not available right now")
	default:
		e.endLocked(cs, 487, phone.ReasonCallerCancelled, "the caller hung up before the call was answered")
	}
	return nil
}

// RemoteHold reports that the far end put an answered call on hold.
func (e *Engine) RemoteHold(id string) error {
	return e.setRemoteHeld(id, true)
}

// RemoteResume reports that the far end took the call off hold.
func (e *Engine) RemoteResume(id string) error {
	return e.setRemoteHeld(id, false)
}

func (e *Engine) setRemoteHeld(id string, held bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if !cs.IsActive() {
		return fmt.Errorf("%w: call %s is %s", phone.ErrWrongState, id, cs.Status)
	}
	cs.RemoteHeld = held
	if held {
		e.emitCallLocked(phone.EventCallRemoteHold, cs, 0, "")
	} else {
		e.emitCallLocked(phone.EventCallRemoteResume, cs, 0, "")
	}
	return nil
}

// ReceiveDTMF reports digits the far end pressed, one dtmf_received per digit.
func (e *Engine) ReceiveDTMF(id, digits string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	for _, d := range strings.Split(digits, "") {
		snapshot := *cs
		e.events.Publish(phone.Event{Type: phone.EventDTMFReceived, Time: e.now(), Call: &snapshot, Digit: d})
	}
	return nil
}

// SetRegistration changes the line's registration and emits the matching
// event (registered, registering, register_failed or unregistered). An empty
// AOR keeps the engine's own.
func (e *Engine) SetRegistration(reg phone.Registration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if reg.AOR == "" {
		reg.AOR = e.aor
	}
	e.reg = reg
	typ := phone.EventUnregistered
	switch reg.State {
	case phone.RegRegistered:
		typ = phone.EventRegistered
	case phone.RegRegistering:
		typ = phone.EventRegistering
	case phone.RegFailed:
		typ = phone.EventRegisterFailed
	case phone.RegUnregistered:
	}
	snapshot := reg
	e.events.Publish(phone.Event{Type: typ, Time: e.now(), Registration: &snapshot, Code: reg.Code, Reason: reg.Reason, ReasonCode: reg.ReasonCode})
}

// Emit publishes ev as it is, for events the other script methods do not
// cover (call_quality, media_failed...). A zero Time is set to now.
func (e *Engine) Emit(ev phone.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ev.Time.IsZero() {
		ev.Time = e.now()
	}
	e.events.Publish(ev)
}

func (e *Engine) outgoingUnansweredLocked(id string) (*phone.CallSession, error) {
	cs, err := e.callLocked(id)
	if err != nil {
		return nil, err
	}
	if !cs.IsCaller || cs.Answered {
		return nil, fmt.Errorf("%w: call %s is not an outgoing call waiting for an answer", phone.ErrWrongState, id)
	}
	return cs, nil
}

// SetServerCall plays the server's data about a call, as a Wazo line does
// with Phone.SetServerCall: the call's Call, CallID and recording flags
// change and call_updated is emitted. It reports false for unknown calls.
func (e *Engine) SetServerCall(id string, sc phone.ServerCall) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.callLocked(id)
	if err != nil {
		return false
	}
	cs.ApplyServerCall(sc)
	e.emitCallLocked(phone.EventCallUpdated, cs, 0, "")
	return true
}

// SetConference marks a call as a conference's host leg, as
// phone.Phone.SetConference, and emits call_updated when it changed.
func (e *Engine) SetConference(id string, on bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, ok := e.calls[id]
	if !ok {
		return false
	}
	if cs.Conference != on {
		cs.Conference = on
		e.emitCallLocked(phone.EventCallUpdated, cs, 0, "")
	}
	return true
}
