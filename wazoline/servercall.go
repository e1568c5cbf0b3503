package wazoline

import (
	"maps"
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

// toServerCall converts calld's Call object (docs/wazo-protocol.md, Call object) into the engine's
// Wazo-agnostic ServerCall.
func toServerCall(c wazo.Call) phone.ServerCall {
	sc := phone.ServerCall{
		CallID:             c.CallID,
		ConversationID:     c.ConversationID,
		Status:             c.Status,
		Bridges:            append([]string(nil), c.Bridges...),
		OnHold:             c.OnHold,
		Muted:              c.Muted,
		CallerIDName:       c.CallerIDName,
		CallerIDNumber:     c.CallerIDNumber,
		PeerCallerIDName:   c.PeerCallerIDName,
		PeerCallerIDNumber: c.PeerCallerIDNumber,
		IsCaller:           c.IsCaller,
		DialedExtension:    c.DialedExtension,
		SIPCallID:          c.SIPCallID,
		RecordState:        c.RecordState,
		Direction:          c.Direction,
		CreationTime:       parseCalldTime(c.CreationTime),
	}
	if len(c.TalkingTo) > 0 {
		// talking_to maps peer channel id → peer user uuid or null (docs/wazo-protocol.md, Call object).
		sc.TalkingTo = make(map[string]string, len(c.TalkingTo))
		for id, u := range c.TalkingTo {
			if u != nil {
				sc.TalkingTo[id] = *u
			} else {
				sc.TalkingTo[id] = ""
			}
		}
	}
	if c.AnswerTime != nil {
		sc.AnswerTime = parseCalldTime(*c.AnswerTime)
	}
	if c.HangupTime != nil {
		sc.HangupTime = parseCalldTime(*c.HangupTime)
	}
	return sc
}

func parseCalldTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, l := range calldTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// cloneServerCall deep-copies the maps and slices so a stored ServerCall can
// be modified (hold flags) without touching one handed to the engine.
func cloneServerCall(sc phone.ServerCall) phone.ServerCall {
	sc.TalkingTo = maps.Clone(sc.TalkingTo)
	sc.Bridges = append([]string(nil), sc.Bridges...)
	return sc
}
