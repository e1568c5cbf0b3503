package callmodel

import "github.com/parley-voip/parley/wazo/wire"

// Channel states as Asterisk/calld report them in Call.status (docs/wazo-protocol.md, Call object).
const (
	StatusDown    = "Down"
	StatusRing    = "Ring"    // outgoing, ringing the other side
	StatusRinging = "Ringing" // incoming, ringing this side
	StatusUp      = "Up"
)

// Call directions (docs/wazo-protocol.md, Call object).
const (
	DirectionInternal = "internal"
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
	DirectionUnknown  = "unknown"
)

// Hangup causes (Asterisk/Q.850) used as call_ended reason_code (docs/wazo-protocol.md, Event websocket).
const (
	CauseNormalClearing = 16
	CauseUserBusy       = 17
	CauseNoAnswer       = 19
	CauseCallRejected   = 21
)

// Call is calld's Call object; REST responses and call_* events share it.
// The type is the one wire definition the client decodes too.
type Call = wire.Call

// ChannelSpec describes a new channel for Model.NewChannel.
type ChannelSpec struct {
	// UserUUID owns the channel (events go to that user); "" for channels
	// of no Wazo user (trunks, test peers).
	UserUUID string
	LineID   int    // 0 = none
	Status   string // default Down
	// CallerIDName/Number identify this channel's party; PeerCallerID*
	// the other party (defaults to DialedExtension, docs/wazo-protocol.md, Call object).
	CallerIDName       string
	CallerIDNumber     string
	PeerCallerIDName   string
	PeerCallerIDNumber string
	DialedExtension    string
	// SIPCallID is the Call-ID of this leg's SIP dialog (docs/wazo-protocol.md, Call object).
	SIPCallID string
	IsCaller  bool
	IsVideo   bool
	Direction string // default "internal"
	// LinkedTo puts the channel in the conversation of an existing channel
	// (Asterisk linkedid); otherwise it starts its own conversation.
	LinkedTo   string
	TenantUUID string
}
