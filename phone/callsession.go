package phone

import "time"

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

	Number          string `json:"number"`          // remote party's number (user part of its URI)
	DisplayName     string `json:"displayName"`     // remote display name, or the number
	CallerNumber    string `json:"callerNumber"`    // number of whoever placed the call
	DialedExtension string `json:"dialedExtension"` // what we dialled (outgoing) or the called user (incoming)
	RemoteURI       string `json:"remoteUri"`

	IsCaller bool `json:"isCaller"` // true when we placed the call
	Ringing  bool `json:"ringing"`  // not answered yet
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
	Conference      bool `json:"conference"` // part of a conference hosted by us

	Status    Status `json:"sipStatus"`           // where the call is in its life
	SIPStatus int    `json:"sipStatusCode"`       // last SIP final status seen (200, 486, 603...)
	EndReason string `json:"endReason,omitempty"` // plain-language reason once ended
	// AnsweredElsewhere: a call that rang here was answered on another of
	// the user's devices (the CANCEL's Reason, RFC 3326): not a missed call.
	AnsweredElsewhere bool `json:"answeredElsewhere,omitempty"`

	CreationTime time.Time `json:"creationTime"`
	StartTime    time.Time `json:"startTime"`           // INVITE sent or received
	AnswerTime   time.Time `json:"answerTime,omitzero"` // 200 OK
	EndTime      time.Time `json:"endTime,omitzero"`
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
// Call object). The engine stores it and reports changes; it never needs it.
type ServerCall struct {
	CallID             string            `json:"call_id"`
	ConversationID     string            `json:"conversation_id,omitempty"`
	Status             string            `json:"status,omitempty"`
	TalkingTo          map[string]string `json:"talking_to,omitempty"`
	Bridges            []string          `json:"bridges,omitempty"`
	OnHold             bool              `json:"on_hold"`
	Muted              bool              `json:"muted"`
	CallerIDName       string            `json:"caller_id_name,omitempty"`
	CallerIDNumber     string            `json:"caller_id_number,omitempty"`
	PeerCallerIDName   string            `json:"peer_caller_id_name,omitempty"`
	PeerCallerIDNumber string            `json:"peer_caller_id_number,omitempty"`
	IsCaller           bool              `json:"is_caller"`
	DialedExtension    string            `json:"dialed_extension,omitempty"`
	SIPCallID          string            `json:"sip_call_id,omitempty"`
	// RecordState is "active", "paused" or "inactive" (RecordActive …).
	RecordState  string    `json:"record_state,omitempty"`
	Direction    string    `json:"direction,omitempty"`
	CreationTime time.Time `json:"creation_time,omitzero"`
	AnswerTime   time.Time `json:"answer_time,omitzero"`
	HangupTime   time.Time `json:"hangup_time,omitzero"`
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
		cp.TalkingTo = make(map[string]string, len(c.TalkingTo))
		for k, v := range c.TalkingTo {
			cp.TalkingTo[k] = v
		}
	}
	cp.Bridges = append([]string(nil), c.Bridges...)
	return &cp
}
