package wire

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Call is wazo-calld's Call object, the body of REST call listings and the
// data of call_* events (wazo-calld plugins/calls/schemas.py CallSchema;
// nullability from plugins/calls/call.py, whose constructor leaves
// conversation_id, creation_time, user_uuid, dialed_extension, sip_call_id
// and line_id None; docs/wazo-protocol.md, Call object).
type Call struct {
	CallID             string             `json:"call_id"`
	ConversationID     *string            `json:"conversation_id"`
	UserUUID           *string            `json:"user_uuid"`
	Status             string             `json:"status"`
	TalkingTo          map[string]*string `json:"talking_to"`
	Bridges            []string           `json:"bridges"`
	CreationTime       *string            `json:"creation_time"`
	AnswerTime         *string            `json:"answer_time"`
	HangupTime         *string            `json:"hangup_time"`
	CallerIDName       string             `json:"caller_id_name"`
	CallerIDNumber     string             `json:"caller_id_number"`
	PeerCallerIDName   string             `json:"peer_caller_id_name"`
	PeerCallerIDNumber string             `json:"peer_caller_id_number"`
	OnHold             bool               `json:"on_hold"`
	Muted              bool               `json:"muted"`
	RecordState        string             `json:"record_state"`
	IsCaller           bool               `json:"is_caller"`
	IsVideo            bool               `json:"is_video"`
	DialedExtension    *string            `json:"dialed_extension"`
	SIPCallID          *string            `json:"sip_call_id"`
	LineID             *int               `json:"line_id"`
	Direction          string             `json:"direction"`
	Parked             bool               `json:"parked"`
	// ReasonCode is only in call_ended data (the Asterisk hangup cause,
	// wazo-calld plugins/calls/bus_consume.py), absent elsewhere.
	ReasonCode *int `json:"reason_code,omitempty"`
}

// Str returns *p, or "" for null.
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Owner returns the owning user uuid ("" when null).
func (c Call) Owner() string { return Str(c.UserUUID) }

// TalkingToIDs returns the peer channel ids (keys of talking_to), sorted
// by SortCallIDs.
func (c Call) TalkingToIDs() []string {
	ids := make([]string, 0, len(c.TalkingTo))
	for id := range c.TalkingTo {
		ids = append(ids, id)
	}
	SortCallIDs(ids)
	return ids
}

// SortCallIDs orders calld call ids numerically: they are Asterisk unique
// ids "<seconds>.<sequence>", so "1.10" comes after "1.9".
func SortCallIDs(ids []string) {
	key := func(s string) (int64, int64) {
		a, b, _ := strings.Cut(s, ".")
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return x, y
	}
	slices.SortFunc(ids, func(p, q string) int {
		p1, p2 := key(p)
		q1, q2 := key(q)
		if c := cmp.Compare(p1, q1); c != 0 {
			return c
		}
		if c := cmp.Compare(p2, q2); c != 0 {
			return c
		}
		return strings.Compare(p, q)
	})
}
