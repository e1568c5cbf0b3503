package history

import (
	"time"

	"github.com/parley-voip/parley/phone"
)

// Direction says who placed the call.
type Direction string

// Directions.
const (
	DirectionIn  Direction = "in"  // the far end called us
	DirectionOut Direction = "out" // we placed the call
)

// State says whether the call is still going on.
type State string

// States. An entry is written InProgress when the call starts and Ended when
// it finishes; an entry found InProgress when the store opens belonged to a
// process that died, and becomes Ended with OutcomeInterrupted.
const (
	StateInProgress State = "in_progress"
	StateEnded      State = "ended"
)

// Outcome is how a call ended, in the terms the history view shows.
type Outcome string

// Outcomes.
const (
	OutcomeNone        Outcome = ""            // still in progress
	OutcomeAnswered    Outcome = "answered"    // talked, then hung up by either side
	OutcomeMissed      Outcome = "missed"      // rang here, the caller gave up
	OutcomeElsewhere   Outcome = "elsewhere"   // rang here, answered on another of the user's devices (RFC 3326 Reason)
	OutcomeRejected    Outcome = "rejected"    // declined: by us (incoming) or by the far end (outgoing 603)
	OutcomeBusy        Outcome = "busy"        // the far end was busy (486, 600)
	OutcomeNoAnswer    Outcome = "no_answer"   // we called, nobody picked up (408, 480)
	OutcomeCancelled   Outcome = "cancelled"   // we hung up our own call before it was answered
	OutcomeFailed      Outcome = "failed"      // never connected for another reason; see Reason
	OutcomeTransferred Outcome = "transferred" // we handed the call to someone else
	OutcomeMerged      Outcome = "merged"      // folded into a conference
	OutcomeInterrupted Outcome = "interrupted" // Parley stopped (crash, kill) during the call
)

// Sources of entries.
const (
	SourceLocal = "local" // recorded by this phone
	SourceWazo  = "wazo"  // from a Wazo call-logd (the window merges them, Merge; never stored)
)

// Entry is one call in the history.
type Entry struct {
	// ID identifies the call within the store: the SIP Call-ID for local
	// entries. Entries from a server log should use ids that cannot collide
	// with Call-IDs (e.g. "wazo:" + the call-logd id).
	ID string `json:"id"`
	// Source is where the entry comes from: SourceLocal, SourceWazo...
	Source string `json:"source"`
	// ServerCallID is the server's id of our leg (Wazo calld's call_id),
	// which a server call log also carries: the key to merge both sources.
	ServerCallID string `json:"serverCallId,omitempty"`

	Direction   Direction `json:"direction"`
	Number      string    `json:"number"`                // the other party's number or address
	DisplayName string    `json:"displayName,omitempty"` // the other party's name as the network gave it
	// Line is the account the call went through (its address of record).
	Line string `json:"line,omitempty"`

	StartTime  time.Time `json:"startTime"`
	AnswerTime time.Time `json:"answerTime,omitzero"`
	EndTime    time.Time `json:"endTime,omitzero"`
	// Updated is when the entry was last written: the last moment the call
	// was known to be alive, used as its end when Parley died during it.
	Updated time.Time `json:"updated"`

	State   State   `json:"state"`
	Outcome Outcome `json:"outcome,omitempty"`
	// Reason is a plain-language explanation of the outcome
	// ("the line is busy", "transferred to 1003").
	Reason string `json:"reason,omitempty"`
	// ReasonCode is Reason as the phone's code (phone.ReasonCode), which
	// the window words in the user's language; empty in entries written
	// before it existed.
	ReasonCode phone.ReasonCode `json:"reasonCode,omitempty"`
	// SIPStatus is the last final SIP status seen (486, 603...), 0 if none.
	SIPStatus int `json:"sipStatus,omitempty"`
	// LastStatus is the call's last known status in the phone's terms
	// ("ringing", "established", "held"), kept so an interrupted call says
	// how far it got.
	LastStatus string `json:"lastStatus,omitempty"`
	// TransferredTo is the target of a transfer, when Outcome is
	// OutcomeTransferred.
	TransferredTo string `json:"transferredTo,omitempty"`
	// ConferenceID is the conference the call was merged into, if known.
	ConferenceID string `json:"conferenceId,omitempty"`
	// Seen is set by MarkSeen on missed calls the user has looked at; the
	// badge counts missed calls not seen.
	Seen bool `json:"seen,omitempty"`
}

// Duration is the talk time: zero for a call never answered.
func (e Entry) Duration() time.Duration {
	if e.AnswerTime.IsZero() {
		return 0
	}
	end := e.EndTime
	if end.IsZero() {
		end = e.Updated
	}
	if end.Before(e.AnswerTime) {
		return 0
	}
	return end.Sub(e.AnswerTime)
}

// Missed reports whether the entry counts as a missed call.
func (e Entry) Missed() bool { return e.Outcome == OutcomeMissed }
