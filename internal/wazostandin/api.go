package wazostandin

import (
	"errors"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
	"github.com/parley-voip/parley/internal/wazostandin/httpside"
	"github.com/parley-voip/parley/internal/wazostandin/sipside"
)

// The names below are the stand-in's vocabulary, defined by its parts and
// re-exported so that a caller (the demo, cmd/wazo-stack, the client
// packages' tests) imports only this package.

// Call model (package callmodel).
type (
	// Call is calld's Call object; REST responses and call_* events share it.
	Call = callmodel.Call
	// CallModel owns channels, bridges, ad-hoc conferences and transfers.
	CallModel = callmodel.Model
	// ChannelSpec describes a new channel for CallModel.NewChannel.
	ChannelSpec = callmodel.ChannelSpec
	// ChannelHooks receives the call model's requests to the SIP side.
	ChannelHooks = callmodel.ChannelHooks
	// HookFuncs adapts functions to ChannelHooks.
	HookFuncs = callmodel.HookFuncs
	// Conference is a snapshot of an ad-hoc conference.
	Conference = callmodel.Conference
	// Transfer is calld's Transfer object.
	Transfer = callmodel.Transfer
	// CalldError is a wazo-calld REST error.
	CalldError = callmodel.CalldError
)

// wazo-dird and wazo-call-logd data (package httpside).
type (
	// PhonebookEntry is one contact of the company phone book.
	PhonebookEntry = httpside.PhonebookEntry
	// PersonalContact is one personal contact of a user.
	PersonalContact = httpside.PersonalContact
	// CDR is one wazo-call-logd call detail record.
	CDR = httpside.CDR
)

// Channel states (Call.status).
const (
	StatusDown    = callmodel.StatusDown
	StatusRing    = callmodel.StatusRing
	StatusRinging = callmodel.StatusRinging
	StatusUp      = callmodel.StatusUp
)

// Call directions.
const (
	DirectionInternal = callmodel.DirectionInternal
	DirectionInbound  = callmodel.DirectionInbound
	DirectionOutbound = callmodel.DirectionOutbound
	DirectionUnknown  = callmodel.DirectionUnknown
)

// Hangup causes (call_ended reason_code).
const (
	CauseNormalClearing = callmodel.CauseNormalClearing
	CauseUserBusy       = callmodel.CauseUserBusy
	CauseNoAnswer       = callmodel.CauseNoAnswer
	CauseCallRejected   = callmodel.CauseCallRejected
)

// Users (package directory).
type (
	// User is a Wazo user known to wazo-auth and wazo-confd.
	User = directory.User
	// Line is a confd line attached to a user.
	Line = directory.Line
	// Extension is a line extension {exten, context}.
	Extension = directory.Extension
	// LineProtocol is the endpoint kind of a confd line.
	LineProtocol = directory.LineProtocol
	// Agent is a user's call-centre agent (wazo-agentd).
	Agent = directory.Agent
	// Queue is a queue an agent belongs to.
	Queue = directory.Queue
)

// Line protocols.
const (
	LineSIP    = directory.LineSIP
	LineSCCP   = directory.LineSCCP
	LineCustom = directory.LineCustom
)

// DefaultUserACL is the policy given to users without an explicit ACL.
func DefaultUserACL() []string { return directory.DefaultUserACL() }

// HTTP side (package httpside).
type (
	// BusEvent is one wazo-bus message as websocketd delivers it.
	BusEvent = httpside.BusEvent
	// Stats counts wazo-auth activity.
	Stats = httpside.Stats
	// WebsocketInfo describes a live websocketd session.
	WebsocketInfo = httpside.WebsocketInfo
	// AgentError is a wazo-agentd refusal ({"error": Message}, Status).
	AgentError = httpside.AgentError
)

// websocketd close codes.
const (
	CloseNoToken       = httpside.CloseNoToken
	CloseAuthFailed    = httpside.CloseAuthFailed
	CloseTokenExpired  = httpside.CloseTokenExpired
	CloseProtocolError = httpside.CloseProtocolError
	CloseBusError      = httpside.CloseBusError
)

// SIP side (package sipside).
type (
	// Peer is a running scripted peer.
	Peer = sipside.Peer
	// PeerSpec describes a scripted peer.
	PeerSpec = sipside.PeerSpec
	// PeerKind is the script a scripted peer follows.
	PeerKind = sipside.PeerKind
	// RingingCall is a call a scripted peer places to the user (Stack.Ring).
	RingingCall = sipside.RingingCall
	// RingOption tunes Stack.Ring.
	RingOption = sipside.RingOption
)

// Peer kinds.
const (
	PeerTone     = sipside.PeerTone
	PeerEcho     = sipside.PeerEcho
	PeerRecorder = sipside.PeerRecorder
	PeerBusy     = sipside.PeerBusy
	PeerNoAnswer = sipside.PeerNoAnswer
)

// Frequencies of the default tone peers.
const (
	ToneBotHz = sipside.ToneBotHz
	ChordC5Hz = sipside.ChordC5Hz
	ChordE5Hz = sipside.ChordE5Hz
	ChordG5Hz = sipside.ChordG5Hz
)

// DefaultExtensions is the dial plan every stack starts with; a new map on
// every call.
func DefaultExtensions() map[string]PeerSpec { return sipside.DefaultExtensions() }

// WithRingTone makes the calling peer a tone peer playing freqs.
func WithRingTone(freqs ...float64) RingOption { return sipside.WithRingTone(freqs...) }

// WithRingPeer sets the calling peer's full script.
func WithRingPeer(p PeerSpec) RingOption { return sipside.WithRingPeer(p) }

// WithAutoAnswer adds "Answer-Mode: Auto" to the INVITE.
func WithAutoAnswer() RingOption { return sipside.WithAutoAnswer() }

// WithRingTimeout makes the caller give up (CANCEL) after d of ringing.
func WithRingTimeout(d time.Duration) RingOption { return sipside.WithRingTimeout(d) }

// Sentinel errors of the stack and its parts.
var (
	// ErrNoSuchChannel: the channel id is unknown or already hung up.
	ErrNoSuchChannel = callmodel.ErrNoSuchChannel
	// ErrNoSuchBridge: the bridge id is unknown or already destroyed.
	ErrNoSuchBridge = callmodel.ErrNoSuchBridge
	// ErrChannelBusy: the channel is already in a bridge.
	ErrChannelBusy = callmodel.ErrChannelBusy
	// ErrInvalidUser: AddUser got a user without username or password.
	ErrInvalidUser = directory.ErrInvalidUser
	// ErrDuplicateUser: AddUser got a username or uuid that already exists.
	ErrDuplicateUser = directory.ErrDuplicateUser
	// ErrNoSuchUser: the user uuid is unknown.
	ErrNoSuchUser = directory.ErrNoSuchUser
	// ErrNotRegistered: Ring found no live SIP registration for the user's line.
	ErrNotRegistered = sipside.ErrNotRegistered
	// ErrDoNotDisturb: Ring found the user's server-side do-not-disturb on
	// (confd's DND service): Wazo rings none of their devices.
	ErrDoNotDisturb = errors.New("wazostandin: the user has do-not-disturb on")
	// ErrClosed: the stack was closed.
	ErrClosed = sipside.ErrClosed
	// ErrAlreadyStarted: Start or Serve was called twice.
	ErrAlreadyStarted = errors.New("wazostandin: already serving")
)
