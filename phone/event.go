package phone

import "time"

// EventType names what happened. The values are also the "event" field of
// headless mode's JSON lines.
type EventType string

// Event types, mirroring the Wazo SDK's Phone events (ON_CALL_INCOMING,
// onCallAccepted, onCallEnded, ...).
const (
	EventRegistered       EventType = "registered"
	EventUnregistered     EventType = "unregistered"
	EventRegistering      EventType = "registering"
	EventRegisterFailed   EventType = "register_failed"
	EventCallIncoming     EventType = "call_incoming"    // ON_CALL_INCOMING, carries the CallSession
	EventCallOutgoing     EventType = "call_outgoing"    // our INVITE went out
	EventCallProgress     EventType = "call_progress"    // 18x from the far end
	EventCallEarlyMedia   EventType = "call_early_media" // 18x with SDP: the far end's audio plays before the answer (RFC 3960)
	EventCallAccepted     EventType = "call_accepted"    // established (either direction)
	EventCallEnded        EventType = "call_ended"       // was established, now over
	EventCallFailed       EventType = "call_failed"      // never established (rejected, busy, cancelled, error)
	EventCallHeld         EventType = "call_held"        // held by us
	EventCallResumed      EventType = "call_resumed"     // resumed by us
	EventCallRemoteHold   EventType = "call_remote_held"
	EventCallRemoteResume EventType = "call_remote_resumed"
	EventCallMuted        EventType = "call_muted"
	EventCallUnmuted      EventType = "call_unmuted"
	EventCallUpdated      EventType = "call_updated" // server-side data changed (SetServerCall)
	EventCallTransferred  EventType = "call_transferred"
	EventDTMFReceived     EventType = "dtmf_received"
	EventMediaConnected   EventType = "media_connected" // ICE + DTLS up
	EventMediaFailed      EventType = "media_failed"
	EventCallQuality      EventType = "call_quality"
)

// Event is one thing that happened on the phone. Events are delivered to each
// subscriber in the order the engine produced them.
type Event struct {
	Type EventType `json:"event"`
	Time time.Time `json:"time"`
	// Call is a snapshot of the call concerned, if any.
	Call *CallSession `json:"call,omitempty"`
	// Registration is set on registration events.
	Registration *Registration `json:"registration,omitempty"`
	// Code is the SIP status code behind the event, when there is one.
	Code int `json:"code,omitempty"`
	// Reason is a plain-language explanation (why a call ended, why
	// registration failed...).
	Reason string `json:"reason,omitempty"`
	// ReasonCode is Reason as a code front ends word in the user's
	// language (reason.go); empty when the event has no reason.
	ReasonCode ReasonCode `json:"reasonCode,omitempty"`
	// Digit is set on dtmf_received.
	Digit string `json:"digit,omitempty"`
	// Quality is set on call_quality, and on call_ended as the call's summary.
	Quality *Quality `json:"quality,omitempty"`
}

// Quality is a periodic call-quality report.
type Quality struct {
	PacketsSent     uint64        `json:"packetsSent"`
	PacketsReceived uint64        `json:"packetsReceived"`
	PacketsLost     int64         `json:"packetsLost"`
	Jitter          time.Duration `json:"jitterNs"`
	RTT             time.Duration `json:"rttNs"`
	PlayoutDelay    time.Duration `json:"playoutDelayNs"`
	ConcealedFrames uint64        `json:"concealedFrames"`
	MOS             float64       `json:"mos"`
	// SRTPAuthFailures counts received packets that failed SRTP
	// authentication (a wrong SDES key, tampering) and were dropped; only
	// classic SRTP calls have them (RFC 3711 §3.3).
	SRTPAuthFailures uint64 `json:"srtpAuthFailures,omitempty"`
}
