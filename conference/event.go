package conference

import "time"

// EventType names a conference event. The values are the "event" field of
// headless mode's JSON lines; they are prefixed so they never collide with
// the phone's own event names.
type EventType string

// Conference events, in the order a conference normally produces them.
const (
	// EventStarted: the server accepted the conference (calld 201).
	EventStarted EventType = "conference_started"
	// EventParticipantJoined: calld reported a channel in the bridge
	// (conference_adhoc_participant_joined, docs/wazo-protocol.md, Event websocket).
	EventParticipantJoined EventType = "conference_participant_joined"
	// EventParticipantLeft: a participant left (removed by us, or hung up on
	// their own: conference_adhoc_participant_left, docs/wazo-protocol.md, Ad-hoc conferences).
	EventParticipantLeft EventType = "conference_participant_left"
	// EventCallMerged: one of our SIP dialogs was folded into the conference;
	// its call_ended from the phone is not a real end for the agent.
	EventCallMerged EventType = "call_merged"
	// EventEnded: the conference is over for everyone
	// (conference_adhoc_deleted, our Hangup, or the host leg ending).
	EventEnded EventType = "conference_ended"
)

// Event is one thing that happened to a conference. Every event carries a
// snapshot of the conference as it is right after the change.
type Event struct {
	Type       EventType `json:"event"`
	Time       time.Time `json:"time"`
	Conference Snapshot  `json:"conference"`
	// Participant is the party who joined or left.
	Participant *Participant `json:"participant,omitempty"`
	// SIPCallID is the merged dialog, on call_merged.
	SIPCallID string `json:"sipCallId,omitempty"`
	// Reason says in plain words why a conference ended or a party left.
	Reason string `json:"reason,omitempty"`
}
