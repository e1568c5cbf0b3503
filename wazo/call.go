package wazo

import (
	"sort"

	"github.com/parley-voip/parley/wazo/wire"
)

// Call is calld's Call object as the client hands it on: decoded from
// wire.Call, where the platform's JSON shape and nulls are defined once, with
// the nullable strings a front end only ever shows flattened to "" (the SDK
// does the same). REST listings and call_* events share it.
type Call struct {
	CallID             string
	ConversationID     string
	UserUUID           string
	Status             string
	TalkingTo          map[string]*string
	Bridges            []string
	CreationTime       string
	AnswerTime         *string
	HangupTime         *string
	CallerIDName       string
	CallerIDNumber     string
	PeerCallerIDName   string
	PeerCallerIDNumber string
	OnHold             bool
	Muted              bool
	RecordState        string
	IsCaller           bool
	IsVideo            bool
	DialedExtension    string
	SIPCallID          string
	LineID             *int
	Direction          string
	Parked             bool
	// ReasonCode is set on call_ended (Asterisk hangup cause, docs/wazo-protocol.md, Event websocket).
	ReasonCode *int
}

// callFromWire flattens the platform's nulls for the client's users.
func callFromWire(w wire.Call) Call {
	return Call{
		CallID: w.CallID, ConversationID: wire.Str(w.ConversationID), UserUUID: wire.Str(w.UserUUID),
		Status: w.Status, TalkingTo: w.TalkingTo, Bridges: w.Bridges,
		CreationTime: wire.Str(w.CreationTime), AnswerTime: w.AnswerTime, HangupTime: w.HangupTime,
		CallerIDName: w.CallerIDName, CallerIDNumber: w.CallerIDNumber,
		PeerCallerIDName: w.PeerCallerIDName, PeerCallerIDNumber: w.PeerCallerIDNumber,
		OnHold: w.OnHold, Muted: w.Muted, RecordState: w.RecordState, IsCaller: w.IsCaller, IsVideo: w.IsVideo,
		DialedExtension: wire.Str(w.DialedExtension), SIPCallID: wire.Str(w.SIPCallID), LineID: w.LineID,
		Direction: w.Direction, Parked: w.Parked, ReasonCode: w.ReasonCode,
	}
}

// TalkingToIDs returns the peer channel ids (keys of talking_to), sorted.
// For a conference these are the remote call ids used as participant ids
// (docs/wazo-protocol.md, Ad-hoc conferences).
func (c Call) TalkingToIDs() []string {
	ids := make([]string, 0, len(c.TalkingTo))
	for id := range c.TalkingTo {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// IsUp ⇔ status "Up" (SDK Call.isUp).
func (c Call) IsUp() bool { return c.Status == "Up" }

// IsRinging ⇔ status "Ring" (outgoing) or "Ringing" (incoming).
func (c Call) IsRinging() bool { return c.Status == "Ring" || c.Status == "Ringing" }
