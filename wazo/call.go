package wazo

import "sort"

// Call mirrors calld's Call object (docs/wazo-protocol.md, Call object); REST and call_* events share it.
type Call struct {
	CallID             string             `json:"call_id"`
	ConversationID     string             `json:"conversation_id"`
	UserUUID           string             `json:"user_uuid"`
	Status             string             `json:"status"`
	TalkingTo          map[string]*string `json:"talking_to"`
	Bridges            []string           `json:"bridges"`
	CreationTime       string             `json:"creation_time"`
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
	DialedExtension    string             `json:"dialed_extension"`
	SIPCallID          string             `json:"sip_call_id"`
	LineID             *int               `json:"line_id"`
	Direction          string             `json:"direction"`
	Parked             bool               `json:"parked"`
	// ReasonCode is set on call_ended (Asterisk hangup cause, docs/wazo-protocol.md, Event websocket).
	ReasonCode *int `json:"reason_code,omitempty"`
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
