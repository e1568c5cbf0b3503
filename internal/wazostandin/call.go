package wazostandin

// Channel states as Asterisk/calld report them in Call.status (§4.6).
const (
	StatusDown    = "Down"
	StatusRing    = "Ring"    // outgoing, ringing the other side
	StatusRinging = "Ringing" // incoming, ringing this side
	StatusUp      = "Up"
)

// Call directions (§4.6).
const (
	DirectionInternal = "internal"
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
	DirectionUnknown  = "unknown"
)

// Hangup causes (Asterisk/Q.850) used as call_ended reason_code (§4.5).
const (
	CauseNormalClearing = 16
	CauseUserBusy       = 17
	CauseNoAnswer       = 19
	CauseCallRejected   = 21
)

// Call is calld's Call object (§4.6, CALLD schemas.py CallSchema). REST
// responses and call_* events share it.
type Call struct {
	CallID             string             `json:"call_id"`
	ConversationID     string             `json:"conversation_id"`
	UserUUID           *string            `json:"user_uuid"`
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
	SIPCallID          *string            `json:"sip_call_id"`
	LineID             *int               `json:"line_id"`
	Direction          string             `json:"direction"`
	Parked             bool               `json:"parked"`
}

// Owner returns the owning user uuid ("" when none).
func (c Call) Owner() string {
	if c.UserUUID == nil {
		return ""
	}
	return *c.UserUUID
}

// TalkingToIDs returns the peer channel ids in talking_to (sorted).
func (c Call) TalkingToIDs() []string {
	ids := make([]string, 0, len(c.TalkingTo))
	for id := range c.TalkingTo {
		ids = append(ids, id)
	}
	sortCallIDs(ids)
	return ids
}

// ChannelSpec describes a new channel for CallModel.NewChannel.
type ChannelSpec struct {
	// UserUUID owns the channel (events go to that user); "" for channels
	// of no Wazo user (trunks, test peers).
	UserUUID string
	LineID   int    // 0 = none
	Status   string // default Down
	// CallerIDName/Number identify this channel's party; PeerCallerID*
	// the other party (defaults to DialedExtension, §4.6).
	CallerIDName       string
	CallerIDNumber     string
	PeerCallerIDName   string
	PeerCallerIDNumber string
	DialedExtension    string
	// SIPCallID is the Call-ID of this leg's SIP dialog (§4.6).
	SIPCallID string
	IsCaller  bool
	IsVideo   bool
	Direction string // default "internal"
	// LinkedTo puts the channel in the conversation of an existing channel
	// (Asterisk linkedid); otherwise it starts its own conversation.
	LinkedTo   string
	TenantUUID string
}
