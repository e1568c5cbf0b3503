package phone

import (
	"encoding/json"
	"time"
)

// CallSession is a snapshot of one call, the Go form of the Wazo SDK's
// CallSession. Snapshots are values: the engine never hands out pointers to
// its own state, so a listener can keep one without racing the SIP stack.
type CallSession struct {
	// SIPCallID is the SIP Call-ID of the dialog (the SDK's sipCallId) and the
	// call's stable identifier.
	SIPCallID string `json:"sipCallId"`
	// CallID is the server's id for our own leg (Wazo calld's call_id), empty
	// until the server tells us.
	CallID string `json:"callId,omitempty"`
	// Call is the server-side view of the call (talking_to, status, hold...),
	// nil until the server sends it.
	Call *ServerCall `json:"call,omitempty"`

	Number      string `json:"number"`      // remote party's number (user part of its URI)
	DisplayName string `json:"displayName"` // remote display name, or the number
	// CallerNumber is the number of whoever placed the call: on an
	// outgoing call the user's own number (WithOwnNumber, then calld's
	// caller_id_number), not the SIP username.
	CallerNumber string `json:"callerNumber"`
	// DialedExtension is what we dialled (outgoing) or, on an incoming
	// call, the user's extension that was called (WithOwnNumber, then
	// calld's dialed_extension), not the SIP username.
	DialedExtension string `json:"dialedExtension"`
	RemoteURI       string `json:"remoteUri"`

	IsCaller bool `json:"isCaller"` // true when we placed the call
	// Ringing: not answered yet. As in the SDK it is true from the start of
	// an outgoing call, before any 180 (wazo-js-sdk WebRTCPhone.ts
	// _createOutgoingCallSession), and of an incoming one.
	Ringing bool `json:"ringing"`
	// EarlyMedia: the far end plays audio before answering (SDP in a 183 or
	// 180, RFC 3960), an announcement or the network's ringback, which is
	// heard instead of our local ringback. Cleared once answered.
	EarlyMedia bool `json:"earlyMedia"`
	Answered   bool `json:"answered"`   // established at least once
	Paused     bool `json:"paused"`     // held by us
	RemoteHeld bool `json:"remoteHeld"` // held by the far end
	Muted      bool `json:"muted"`
	// MediaSecurity is how the call's audio is protected once answered:
	// "dtls-srtp" (WebRTC), "srtp" (SDES-SRTP), "rtp" (not encrypted).
	MediaSecurity MediaSecurity `json:"mediaSecurity,omitempty"`
	AutoAnswer    bool          `json:"autoAnswer"` // the INVITE carried Answer-Mode: Auto
	Ignored       bool          `json:"ignored"`    // incoming call the user chose to ignore
	// Recording and RecordingPaused follow the server's recording of the
	// call (the SDK's recording/recordingPaused, from calld's record_state
	// "active"/"paused"; see ServerCall.RecordState). Paused is not
	// recording.
	Recording       bool `json:"recording"`
	RecordingPaused bool `json:"recordingPaused"`
	// Conference: this call is the host leg of a conference the user
	// hosts (SetConference; the SDK's AdHocAPIConference sets it on its
	// host session).
	Conference bool `json:"conference"`

	// Status is where the call is in its life; its JSON name is the SDK's
	// but its values are ours. The SDK's own sipStatus values (SIP.js
	// session states) are SessionState(), "sessionState" in JSON.
	Status    Status `json:"sipStatus"`
	SIPStatus int    `json:"sipStatusCode"`       // last SIP final status seen (200, 486, 603...)
	EndReason string `json:"endReason,omitempty"` // plain-language reason once ended
	// EndReasonCode is EndReason as a code front ends word (reason.go).
	EndReasonCode ReasonCode `json:"endReasonCode,omitempty"`
	// TransferredTo is where a blind transfer sent the call, once it did.
	TransferredTo string `json:"transferredTo,omitempty"`
	// AnsweredElsewhere: a call that rang here was answered on another of
	// the user's devices (the CANCEL's Reason, RFC 3326): not a missed call.
	AnsweredElsewhere bool `json:"answeredElsewhere,omitempty"`

	CreationTime time.Time `json:"creationTime"`
	StartTime    time.Time `json:"startTime"`           // INVITE sent or received
	AnswerTime   time.Time `json:"answerTime,omitzero"` // 200 OK
	EndTime      time.Time `json:"endTime,omitzero"`
}

// SessionState is the SDK's sipStatus: the SIP.js session state (sip.js
// src/api/session-state.ts), which the SDK copies into every CallSession
// (wazo-js-sdk WebRTCPhone.ts _createCallSession, "sipStatus: state").
type SessionState string

// The SIP.js session states.
const (
	SessionInitial      SessionState = "Initial"      // incoming, not yet accepted
	SessionEstablishing SessionState = "Establishing" // INVITE sent, no final answer yet
	SessionEstablished  SessionState = "Established"  // answered (held or not)
	SessionTerminating  SessionState = "Terminating"  // BYE or CANCEL sent, not yet answered
	SessionTerminated   SessionState = "Terminated"   // over
)

// SessionState maps Status onto the SDK's states: incoming → Initial;
// dialing, ringing → Establishing; established, held → Established;
// ended, failed → Terminated. The engine reports a call ended as soon as it
// hangs up, so Terminating is never reported.
func (cs CallSession) SessionState() SessionState {
	switch cs.Status {
	case StatusIncoming:
		return SessionInitial
	case StatusDialing, StatusRinging:
		return SessionEstablishing
	case StatusEstablished, StatusHeld:
		return SessionEstablished
	case StatusEnded, StatusFailed:
		return SessionTerminated
	}
	return SessionInitial
}

// callSessionFields is CallSession without its methods, for MarshalJSON.
type callSessionFields CallSession

// MarshalJSON adds "sessionState" (SessionState) to the fields, so JSON
// readers get the SDK's sipStatus meaning next to ours.
func (cs CallSession) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		callSessionFields
		SessionState SessionState `json:"sessionState"`
	}{callSessionFields(cs), cs.SessionState()})
}

// ID returns the call's stable identifier, the SIP Call-ID.
func (cs CallSession) ID() string { return cs.SIPCallID }

// IsActive reports whether the call is established and not ended.
func (cs CallSession) IsActive() bool {
	return cs.Status == StatusEstablished || cs.Status == StatusHeld
}

// Duration is the talk time so far, or of the whole call once ended.
func (cs CallSession) Duration(now time.Time) time.Duration {
	if cs.AnswerTime.IsZero() {
		return 0
	}
	if !cs.EndTime.IsZero() {
		now = cs.EndTime
	}
	return now.Sub(cs.AnswerTime)
}

// Status is a call's place in its life cycle.
type Status string

// Call statuses, in the order a call normally passes through them.
const (
	StatusIncoming    Status = "incoming"    // INVITE received, ringing here
	StatusDialing     Status = "dialing"     // INVITE sent, no answer yet
	StatusRinging     Status = "ringing"     // far end is alerting (18x)
	StatusEstablished Status = "established" // talking
	StatusHeld        Status = "held"        // established, held by us
	StatusEnded       Status = "ended"       // finished normally
	StatusFailed      Status = "failed"      // never established
)

// ServerCall is server-side call data a line may provide (on Wazo: the calld
// Call object, with its field names and its nulls: wazo-calld
// plugins/calls/schemas.py CallSchema; call.py leaves conversation_id,
// user_uuid, dialed_extension, sip_call_id, line_id and the times None).
// The engine stores it and reports changes; it never needs it.
type ServerCall struct {
	CallID         string  `json:"call_id"`
	ConversationID *string `json:"conversation_id"`
	UserUUID       *string `json:"user_uuid"`
	Status         string  `json:"status,omitempty"`
	// TalkingTo maps each connected channel to its user uuid, nil (JSON
	// null) for a channel that belongs to no user.
	TalkingTo          map[string]*string `json:"talking_to"`
	Bridges            []string           `json:"bridges"`
	OnHold             bool               `json:"on_hold"`
	Muted              bool               `json:"muted"`
	CallerIDName       string             `json:"caller_id_name"`
	CallerIDNumber     string             `json:"caller_id_number"`
	PeerCallerIDName   string             `json:"peer_caller_id_name"`
	PeerCallerIDNumber string             `json:"peer_caller_id_number"`
	IsCaller           bool               `json:"is_caller"`
	IsVideo            bool               `json:"is_video"`
	DialedExtension    *string            `json:"dialed_extension"`
	SIPCallID          *string            `json:"sip_call_id"`
	LineID             *int               `json:"line_id"`
	RecordState        string             `json:"record_state,omitempty"`
	Direction          string             `json:"direction,omitempty"`
	Parked             bool               `json:"parked"`
	CreationTime       *time.Time         `json:"creation_time"`
	AnswerTime         *time.Time         `json:"answer_time"`
	HangupTime         *time.Time         `json:"hangup_time"`
}

// Dialed is DialedExtension, "" when null.
func (c *ServerCall) Dialed() string {
	if c == nil || c.DialedExtension == nil {
		return ""
	}
	return *c.DialedExtension

}

// Server record states (Wazo calld's record_state, docs/wazo-protocol.md,
// Call recording).
const (
	RecordActive   = "active"
	RecordPaused   = "paused"
	RecordInactive = "inactive"
)

// applyRecordState sets cs.Recording/RecordingPaused from the server's
// record_state, as the SDK's CallSession does (SDK src/domain/Call.ts
// parse: recording ⇔ active, recordingPaused ⇔ paused).
func (cs *CallSession) applyRecordState(state string) {
	cs.Recording = state == RecordActive
	cs.RecordingPaused = state == RecordPaused
}

// ApplyServerCall stores sc as cs.Call and the fields derived from it, the
// way Phone.SetServerCall does; test doubles use it to stay consistent.
func (cs *CallSession) ApplyServerCall(sc ServerCall) {
	cs.Call = sc.clone()
	if sc.CallID != "" {
		cs.CallID = sc.CallID
	}
	// The user's own number as the server knows it: calld's caller id on
	// our leg of an outgoing call, the extension that was dialled on an
	// incoming one (wazo-calld plugins/calls/services.py; the SDK's
	// Call.parse keeps them as callerNumber and dialedExtension).
	if cs.IsCaller && sc.CallerIDNumber != "" {
		cs.CallerNumber = sc.CallerIDNumber
	}
	if !cs.IsCaller && sc.Dialed() != "" {
		cs.DialedExtension = sc.Dialed()
	}
	cs.applyRecordState(sc.RecordState)
}

// TalkingToIDs returns the ids of the channels this call is connected to.
func (c *ServerCall) TalkingToIDs() []string {
	if c == nil {
		return nil
	}
	ids := make([]string, 0, len(c.TalkingTo))
	for id := range c.TalkingTo {
		ids = append(ids, id)
	}
	return ids
}

func (c *ServerCall) clone() *ServerCall {
	if c == nil {
		return nil
	}
	cp := *c
	if c.TalkingTo != nil {
		cp.TalkingTo = make(map[string]*string, len(c.TalkingTo))
		for k, v := range c.TalkingTo {
			cp.TalkingTo[k] = clonePtr(v)
		}
	}
	cp.Bridges = append([]string(nil), c.Bridges...)
	cp.ConversationID, cp.UserUUID = clonePtr(c.ConversationID), clonePtr(c.UserUUID)
	cp.DialedExtension, cp.SIPCallID, cp.LineID = clonePtr(c.DialedExtension), clonePtr(c.SIPCallID), clonePtr(c.LineID)
	cp.CreationTime, cp.AnswerTime, cp.HangupTime = clonePtr(c.CreationTime), clonePtr(c.AnswerTime), clonePtr(c.HangupTime)
	return &cp
}

// clonePtr copies *p, so a snapshot shares no memory with the engine.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
