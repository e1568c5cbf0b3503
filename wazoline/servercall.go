package wazoline

import (
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// calldTimeLayouts are the ways calld renders channel times (docs/wazo-protocol.md, Call object): Python
// isoformat with an offset on a real stack, millisecond "-0700" offsets on
// the embedded stand-in, and naive UTC for older engines.
var calldTimeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05.999999999",
}

// toServerCall converts calld's Call object (docs/wazo-protocol.md, Call
// object) into the engine's Wazo-agnostic ServerCall, keeping calld's
// nulls. wazo.Call flattens the nullable strings to "", which calld never
// sends for them (plugins/calls/services.py writes "… or None"), so ""
// maps back to null.
func toServerCall(c wazo.Call) phone.ServerCall {
	sc := phone.ServerCall{
		CallID:             c.CallID,
		ConversationID:     nullable(c.ConversationID),
		UserUUID:           nullable(c.UserUUID),
		Status:             c.Status,
		Bridges:            append([]string{}, c.Bridges...),
		OnHold:             c.OnHold,
		Muted:              c.Muted,
		CallerIDName:       c.CallerIDName,
		CallerIDNumber:     c.CallerIDNumber,
		PeerCallerIDName:   c.PeerCallerIDName,
		PeerCallerIDNumber: c.PeerCallerIDNumber,
		IsCaller:           c.IsCaller,
		IsVideo:            c.IsVideo,
		DialedExtension:    nullable(c.DialedExtension),
		SIPCallID:          nullable(c.SIPCallID),
		LineID:             clonePtr(c.LineID),
		RecordState:        c.RecordState,
		Direction:          c.Direction,
		Parked:             c.Parked,
		CreationTime:       parseCalldTime(c.CreationTime),
		TalkingTo:          map[string]*string{},
	}
	// talking_to maps peer channel id → peer user uuid or null (docs/wazo-protocol.md, Call object).
	for id, u := range c.TalkingTo {
		sc.TalkingTo[id] = clonePtr(u)
	}
	if c.AnswerTime != nil {
		sc.AnswerTime = parseCalldTime(*c.AnswerTime)
	}
	if c.HangupTime != nil {
		sc.HangupTime = parseCalldTime(*c.HangupTime)
	}
	return sc
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// parseCalldTime reads a calld time; nil for null, empty or unreadable.
func parseCalldTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	for _, l := range calldTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return &t
		}
	}
	return nil
}

// cloneServerCall deep-copies the maps and slices so a stored ServerCall can
// be modified (hold flags) without touching one handed to the engine.
func cloneServerCall(sc phone.ServerCall) phone.ServerCall {
	tt := make(map[string]*string, len(sc.TalkingTo))
	for id, u := range sc.TalkingTo {
		tt[id] = clonePtr(u)
	}
	sc.TalkingTo = tt
	sc.Bridges = append([]string{}, sc.Bridges...)
	sc.ConversationID, sc.UserUUID = clonePtr(sc.ConversationID), clonePtr(sc.UserUUID)
	sc.DialedExtension, sc.SIPCallID, sc.LineID = clonePtr(sc.DialedExtension), clonePtr(sc.SIPCallID), clonePtr(sc.LineID)
	sc.CreationTime, sc.AnswerTime, sc.HangupTime = clonePtr(sc.CreationTime), clonePtr(sc.AnswerTime), clonePtr(sc.HangupTime)
	return sc
}
