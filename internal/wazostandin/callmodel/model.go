package callmodel

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/parley-voip/parley/wazo/wire"
)

// calldTimeFormat is how calld renders Asterisk channel times (docs/wazo-protocol.md, Call object).
const calldTimeFormat = "2006-01-02T15:04:05.000-0700"

type bridgeKind int

const (
	bridgeBasic    bridgeKind = iota // a two-party call (Dial bridge)
	bridgeAdhoc                      // an ad-hoc conference (mixing bridge in Stasis, docs/wazo-protocol.md, Ad-hoc conferences)
	bridgeTransfer                   // a calld transfer's mixing bridge (plugins/transfers/state.py), id = transfer id
)

type channel struct {
	call   Call // static fields; TalkingTo/Bridges are computed
	tenant string
	bridge *bridge
	gone   bool
}

type bridge struct {
	id       string
	kind     bridgeKind
	channels []*channel
	// ad-hoc conference data (bridge global variables in calld stasis.py)
	hostUserUUID  string
	hostChannelID string
	hostTenant    string
	destroyed     bool
}

// Model is the stack's Asterisk stand-in: channels (calld "calls"),
// bridges and ad-hoc conferences. The SIP side drives it (NewChannel,
// Answer, Bridge, Hangup, SetHold …); wazo-calld REST drives it through
// the same code. Every change publishes the calld events of docs/wazo-protocol.md, Event websocket to the
// owning users. All methods are safe for concurrent use.
type Model struct {
	cfg Config

	mu       sync.Mutex
	seq      int64
	channels map[string]*channel
	bridges  map[string]*bridge
	hooks    ChannelHooks
	pending  []func() // hook calls queued under mu, run after unlock

	transfers map[string]*Transfer
	dialer    TransferDialer
	vm        voicemails // voicemail.go
}

// New builds an empty call model. Missing Config fields get harmless
// defaults, so a test can build a model with only the fields it looks at.
func New(cfg Config) *Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Publish == nil {
		cfg.Publish = func(string, string, string, string, any) {}
	}
	if cfg.RecordToggle == nil {
		cfg.RecordToggle = func(string) bool { return false }
	}
	if cfg.TenantOf == nil {
		cfg.TenantOf = func(string) (string, bool) { return "", false }
	}
	return &Model{
		cfg:       cfg,
		channels:  map[string]*channel{},
		bridges:   map[string]*bridge{},
		hooks:     cfg.Hooks,
		transfers: map[string]*Transfer{},
		vm:        voicemails{boxes: map[string]*mailbox{}},
	}
}

// SetHooks installs (or replaces) the SIP side's hooks.
func (m *Model) SetHooks(h ChannelHooks) {
	m.mu.Lock()
	m.hooks = h
	m.mu.Unlock()
}

// unlock releases mu and then runs the hook calls queued meanwhile, so
// hooks may call back into the model.
func (m *Model) unlock() {
	p := m.pending
	m.pending = nil
	m.mu.Unlock()
	if m.cfg.Changed != nil {
		m.cfg.Changed()
	}
	for _, f := range p {
		f()
	}
}

func (m *Model) queueHook(f func(h ChannelHooks)) {
	h := m.hooks
	if h == nil {
		return
	}
	m.pending = append(m.pending, func() { f(h) })
}

// NewChannel creates a channel (AMI Newchannel) and publishes call_created
// with an empty talking_to (docs/wazo-protocol.md, Event websocket).
func (m *Model) NewChannel(spec ChannelSpec) (Call, error) {
	m.mu.Lock()
	defer m.unlock()
	m.seq++
	id := fmt.Sprintf("%d.%d", m.cfg.CallIDBase, m.seq)
	conv := id
	if spec.LinkedTo != "" {
		other, ok := m.channels[spec.LinkedTo]
		if !ok {
			return Call{}, fmt.Errorf("linked channel %s: %w", spec.LinkedTo, ErrNoSuchChannel)
		}
		conv = wire.Str(other.call.ConversationID)
	}
	status := spec.Status
	if status == "" {
		status = StatusDown
	}
	dir := spec.Direction
	if dir == "" {
		dir = DirectionInternal
	}
	tenant := spec.TenantUUID
	if tenant == "" {
		tenant = m.cfg.DefaultTenant
		if t, ok := m.cfg.TenantOf(spec.UserUUID); ok {
			tenant = t
		}
	}
	c := Call{
		CallID:             id,
		ConversationID:     &conv,
		Status:             status,
		CreationTime:       wire.Ptr(m.cfg.Now().Format(calldTimeFormat)),
		CallerIDName:       spec.CallerIDName,
		CallerIDNumber:     spec.CallerIDNumber,
		PeerCallerIDName:   spec.PeerCallerIDName,
		PeerCallerIDNumber: spec.PeerCallerIDNumber,
		RecordState:        "inactive",
		IsCaller:           spec.IsCaller,
		IsVideo:            spec.IsVideo,
		DialedExtension:    wire.Ptr(spec.DialedExtension),
		Direction:          dir,
	}
	if c.PeerCallerIDNumber == "" {
		c.PeerCallerIDNumber = spec.DialedExtension // calld default (docs/wazo-protocol.md, Call object)
	}
	if spec.UserUUID != "" {
		u := spec.UserUUID
		c.UserUUID = &u
	}
	if spec.SIPCallID != "" {
		v := spec.SIPCallID
		c.SIPCallID = &v
	}
	if spec.LineID != 0 {
		v := spec.LineID
		c.LineID = &v
	}
	ch := &channel{call: c, tenant: tenant}
	m.channels[id] = ch
	m.emitCall("call_created", ch, nil)
	return m.snapshot(ch), nil
}

// Answer sets the channel Up (answer_time) and publishes call_answered
// (AMI Newstate → Up, docs/wazo-protocol.md, Event websocket).
func (m *Model) Answer(id string) (Call, error) {
	m.mu.Lock()
	defer m.unlock()
	ch, ok := m.channels[id]
	if !ok {
		return Call{}, ErrNoSuchChannel
	}
	m.answerLocked(ch)
	return m.snapshot(ch), nil
}

func (m *Model) answerLocked(ch *channel) {
	if ch.call.Status == StatusUp {
		return
	}
	ch.call.Status = StatusUp
	t := m.cfg.Now().Format(calldTimeFormat)
	ch.call.AnswerTime = &t
	m.emitCall("call_answered", ch, nil)
	for _, tr := range m.sortedTransfers() {
		if tr.RecipientCall != nil && *tr.RecipientCall == ch.call.CallID {
			m.recipientAnsweredLocked(tr)
		}
	}
}

// SetStatus changes the Asterisk state (e.g. Down → Ring) and publishes
// call_updated; StatusUp behaves like Answer.
func (m *Model) SetStatus(id, status string) error {
	m.mu.Lock()
	defer m.unlock()
	ch, ok := m.channels[id]
	if !ok {
		return ErrNoSuchChannel
	}
	if status == StatusUp {
		m.answerLocked(ch)
		return nil
	}
	if ch.call.Status == status {
		return nil
	}
	ch.call.Status = status
	m.emitCall("call_updated", ch, nil)
	return nil
}

// SetConnectedLine updates the peer identity (AMI NewConnectedLine) and
// publishes call_updated.
func (m *Model) SetConnectedLine(id, name, number string) error {
	m.mu.Lock()
	defer m.unlock()
	ch, ok := m.channels[id]
	if !ok {
		return ErrNoSuchChannel
	}
	ch.call.PeerCallerIDName, ch.call.PeerCallerIDNumber = name, number
	m.emitCall("call_updated", ch, nil)
	return nil
}

// Bridge puts two lone channels in a two-party bridge and publishes
// call_updated for both (BridgeEnter with ≥2 channels fills talking_to,
// docs/wazo-protocol.md, Event websocket). Returns the bridge id.
func (m *Model) Bridge(a, b string) (string, error) {
	m.mu.Lock()
	defer m.unlock()
	ca, ok1 := m.channels[a]
	cb, ok2 := m.channels[b]
	if !ok1 || !ok2 || a == b {
		return "", ErrNoSuchChannel
	}
	if ca.bridge != nil || cb.bridge != nil {
		return "", ErrChannelBusy
	}
	br := &bridge{id: uuid.NewString(), kind: bridgeBasic}
	m.bridges[br.id] = br
	fillPeer := func(x, y *channel) {
		if x.call.PeerCallerIDName == "" {
			x.call.PeerCallerIDName = y.call.CallerIDName
		}
		if x.call.PeerCallerIDNumber == "" || x.call.PeerCallerIDNumber == wire.Str(x.call.DialedExtension) {
			if y.call.CallerIDNumber != "" {
				x.call.PeerCallerIDNumber = y.call.CallerIDNumber
			}
		}
	}
	fillPeer(ca, cb)
	fillPeer(cb, ca)
	m.enterLocked(br, ca)
	m.enterLocked(br, cb)
	return br.id, nil
}

// Hangup destroys a channel because its own side hung up (SIP BYE/CANCEL/
// reject seen by the SIP side). The hook is not called for it, but it is
// for every channel hung up as a consequence (the other party of a
// two-party bridge; conference rules of docs/wazo-protocol.md, Ad-hoc conferences).
func (m *Model) Hangup(id string, cause int) error {
	m.mu.Lock()
	defer m.unlock()
	ch, ok := m.channels[id]
	if !ok {
		return ErrNoSuchChannel
	}
	m.hangupLocked(ch, cause, false)
	return nil
}

// SetHold records a hold/resume (AMI Hold/Unhold, from the SIP re-INVITE
// sendonly/sendrecv) and publishes call_held/call_resumed {call_id,
// user_uuid} (docs/wazo-protocol.md, Event websocket). No event when nothing changes.
func (m *Model) SetHold(id string, hold bool) error {
	m.mu.Lock()
	defer m.unlock()
	ch, ok := m.channels[id]
	if !ok {
		return ErrNoSuchChannel
	}
	m.setHoldLocked(ch, hold)
	return nil
}

func (m *Model) setHoldLocked(ch *channel, hold bool) {
	if ch.call.OnHold == hold {
		return
	}
	ch.call.OnHold = hold
	name := "call_resumed"
	if hold {
		name = "call_held"
	}
	if u := ch.call.Owner(); u != "" {
		m.cfg.Publish(name, u, ch.tenant, "events.calls."+u,
			map[string]any{"call_id": ch.call.CallID, "user_uuid": u})
	}
}

// SetMuted records a mute change and publishes call_updated (docs/wazo-protocol.md, Calls API).
func (m *Model) SetMuted(id string, muted bool) error {
	m.mu.Lock()
	defer m.unlock()
	ch, ok := m.channels[id]
	if !ok {
		return ErrNoSuchChannel
	}
	m.setMutedLocked(ch, muted)
	return nil
}

func (m *Model) setMutedLocked(ch *channel, muted bool) {
	if ch.call.Muted == muted {
		return
	}
	ch.call.Muted = muted
	m.emitCall("call_updated", ch, nil)
}

// Get returns a live channel.
func (m *Model) Get(id string) (Call, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch, ok := m.channels[id]
	if !ok {
		return Call{}, false
	}
	return m.snapshot(ch), true
}

// FindBySIPCallID returns the live channel whose sip_call_id matches.
func (m *Model) FindBySIPCallID(sipCallID string) (Call, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ch := range m.sortedChannels() {
		if ch.call.SIPCallID != nil && *ch.call.SIPCallID == sipCallID {
			return m.snapshot(ch), true
		}
	}
	return Call{}, false
}

// UserCalls lists a user's live channels in creation order (GET
// /users/me/calls).
func (m *Model) UserCalls(userUUID string) []Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Call{}
	for _, ch := range m.sortedChannels() {
		if ch.call.Owner() == userUUID {
			out = append(out, m.snapshot(ch))
		}
	}
	return out
}

// All lists every live channel in creation order.
func (m *Model) All() []Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Call{}
	for _, ch := range m.sortedChannels() {
		out = append(out, m.snapshot(ch))
	}
	return out
}

// ---- internals (mu held) ----

func (m *Model) sortedChannels() []*channel {
	ids := make([]string, 0, len(m.channels))
	for id := range m.channels {
		ids = append(ids, id)
	}
	sortCallIDs(ids)
	out := make([]*channel, len(ids))
	for i, id := range ids {
		out[i] = m.channels[id]
	}
	return out
}

func sortCallIDs(ids []string) { wire.SortCallIDs(ids) }

// snapshot renders the Call with talking_to/bridges computed from the
// bridge membership (docs/wazo-protocol.md, Call object: talking_to = {peer channel id: peer user|null}).
func (m *Model) snapshot(ch *channel) Call {
	c := ch.call
	c.TalkingTo = map[string]*string{}
	c.Bridges = []string{}
	if ch.bridge != nil {
		c.Bridges = []string{ch.bridge.id}
		for _, o := range ch.bridge.channels {
			if o != ch {
				c.TalkingTo[o.call.CallID] = o.call.UserUUID
			}
		}
	}
	if c.AnswerTime != nil {
		v := *c.AnswerTime
		c.AnswerTime = &v
	}
	return c
}

// emitCall publishes a call_* event (data = Call, docs/wazo-protocol.md, Event websocket) to the owner.
func (m *Model) emitCall(name string, ch *channel, extra map[string]any) {
	u := ch.call.Owner()
	if u == "" {
		return
	}
	snap := m.snapshot(ch)
	var data any = snap
	if extra != nil {
		mm := callToMap(snap)
		for k, v := range extra {
			mm[k] = v
		}
		data = mm
	}
	m.cfg.Publish(name, u, ch.tenant, "events.calls."+u, data)
}

// hangupTimeFormat is Python's datetime.isoformat() of an aware local time,
// which calld writes in call_ended's hangup_time (wazo-calld
// plugins/calls/services.py, channel_destroyed_event): microseconds and a
// "+00:00" offset, unlike the Asterisk times of the live channel.
const hangupTimeFormat = "2006-01-02T15:04:05.000000-07:00"

// emitEnded publishes call_ended as calld builds it from the dead channel
// (wazo-calld plugins/calls/services.py channel_destroyed_event and
// notifier.py call_ended): caller_id_* come from the channel's *connected*
// party and peer_caller_id_* from its caller, the reverse of the live
// events; bridges and talking_to are empty, on_hold/muted/record_state
// and parked are the Call defaults, hangup_time is isoformat, and
// reason_code is the Asterisk cause. An empty peer number falls back to
// dialed_extension (schemas.py CallSchema post_dump).
func (m *Model) emitEnded(ch *channel, cause int) {
	u := ch.call.Owner()
	if u == "" {
		return
	}
	c := m.snapshot(ch)
	c.CallerIDName, c.PeerCallerIDName = c.PeerCallerIDName, c.CallerIDName
	c.CallerIDNumber, c.PeerCallerIDNumber = c.PeerCallerIDNumber, c.CallerIDNumber
	if c.PeerCallerIDNumber == "" {
		c.PeerCallerIDNumber = wire.Str(c.DialedExtension)
	}
	c.Bridges, c.TalkingTo = []string{}, map[string]*string{}
	c.OnHold, c.Muted, c.RecordState, c.Parked = false, false, "inactive", false
	c.HangupTime = wire.Ptr(m.cfg.Now().Format(hangupTimeFormat))
	data := callToMap(c)
	data["reason_code"] = cause
	m.cfg.Publish("call_ended", u, ch.tenant, "events.calls."+u, data)
}

// peersOf returns the other channels of ch's bridge.
func peersOf(ch *channel) []*channel {
	if ch.bridge == nil {
		return nil
	}
	out := []*channel{}
	for _, o := range ch.bridge.channels {
		if o != ch {
			out = append(out, o)
		}
	}
	return out
}

// enterLocked adds ch to br (leaving any previous bridge silently, as calld
// destroys the old bridge before moving channels: adhoc services.py
// _ari_redirect) and publishes the BridgeEnter / ChannelEnteredBridge
// events: call_updated for every member once ≥2 (docs/wazo-protocol.md, Event websocket), and for ad-hoc
// bridges conference_adhoc_participant_joined (docs/wazo-protocol.md, Ad-hoc conferences, calld stasis.py).
func (m *Model) enterLocked(br *bridge, ch *channel) {
	m.detachLocked(ch)
	ch.bridge = br
	br.channels = append(br.channels, ch)
	if len(br.channels) >= 2 {
		for _, c := range br.channels {
			m.emitCall("call_updated", c, nil)
		}
	}
	if br.kind != bridgeAdhoc {
		return
	}
	if ch.call.CallID == br.hostChannelID {
		// The host is told about every channel already present.
		for _, c := range br.channels {
			if c != ch {
				m.emitConference("conference_adhoc_participant_joined", br, []string{br.hostUserUUID},
					map[string]any{"conference_id": br.id, "call_id": c.call.CallID})
			}
		}
	}
	m.emitConference("conference_adhoc_participant_joined", br, bridgeUsers(br),
		map[string]any{"conference_id": br.id, "call_id": ch.call.CallID})
}

// detachLocked takes ch out of its bridge without events or hangups.
func (m *Model) detachLocked(ch *channel) {
	old := ch.bridge
	if old == nil {
		return
	}
	old.channels = slices.DeleteFunc(old.channels, func(c *channel) bool { return c == ch })
	ch.bridge = nil
	if len(old.channels) == 0 {
		delete(m.bridges, old.id)
	}
}

// bridgeUsers = calld's valid_user_uuids(): distinct owners, member order.
func bridgeUsers(br *bridge) []string {
	out := []string{}
	for _, c := range br.channels {
		if u := c.call.Owner(); u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// emitConference publishes a conference_adhoc_* event to each user
// (required_acl = "events." + routing key, docs/wazo-protocol.md, Event websocket).
func (m *Model) emitConference(name string, br *bridge, users []string, data map[string]any) {
	suffix := map[string]string{
		"conference_adhoc_created":            "adhoc.created",
		"conference_adhoc_deleted":            "adhoc.deleted",
		"conference_adhoc_participant_joined": "adhoc.participants.joined",
		"conference_adhoc_participant_left":   "adhoc.participants.left",
	}[name]
	for _, u := range users {
		m.cfg.Publish(name, u, br.hostTenant, "events.conferences.users."+u+"."+suffix, data)
	}
}

// hangupLocked destroys ch. Order mirrors Asterisk: the channel leaves its
// bridge (ChannelLeftBridge events), is destroyed (call_ended with
// reason_code), then the bridge rules apply (two-party: the other side is
// hung up; ad-hoc: docs/wazo-protocol.md, Ad-hoc conferences lone-channel / host-left / empty rules).
func (m *Model) hangupLocked(ch *channel, cause int, notify bool) {
	if ch.gone {
		return
	}
	ch.gone = true
	br := ch.bridge
	if br != nil {
		br.channels = slices.DeleteFunc(br.channels, func(c *channel) bool { return c == ch })
		ch.bridge = nil
		m.emitLeaveLocked(br, ch)
	}
	t := m.cfg.Now().Format(calldTimeFormat)
	ch.call.HangupTime = &t
	delete(m.channels, ch.call.CallID)
	m.emitEnded(ch, cause)
	if notify {
		snap := m.snapshot(ch)
		m.queueHook(func(h ChannelHooks) { h.HangupChannel(snap, cause) })
	}
	m.transferHangupLocked(ch)
	if br != nil {
		m.afterLeaveLocked(br, ch)
	}
}

func (m *Model) emitLeaveLocked(br *bridge, left *channel) {
	if br.kind == bridgeAdhoc {
		users := bridgeUsers(br)
		if br.hostUserUUID != "" && !slices.Contains(users, br.hostUserUUID) {
			users = append(users, br.hostUserUUID)
		}
		m.emitConference("conference_adhoc_participant_left", br, users,
			map[string]any{"conference_id": br.id, "call_id": left.call.CallID})
	}
	if len(br.channels) >= 2 {
		for _, c := range br.channels {
			m.emitCall("call_updated", c, nil)
		}
	}
}

func (m *Model) afterLeaveLocked(br *bridge, left *channel) {
	switch {
	case len(br.channels) == 0:
		m.destroyBridgeLocked(br)
	case br.kind == bridgeTransfer:
		// While the transfer lives its state machine decides; afterwards
		// the bridge is an ordinary Stasis mixing bridge whose cleaner hangs
		// up a lone channel (plugins/transfers/stasis.py clean_bridge).
		if !m.transferOfBridgeLocked(br) && len(br.channels) == 1 {
			m.hangupLocked(br.channels[0], CauseNormalClearing, true)
		}
	case br.kind == bridgeBasic:
		// Two-party call: when one side leaves, Asterisk hangs up the other.
		for _, c := range slices.Clone(br.channels) {
			m.hangupLocked(c, CauseNormalClearing, true)
		}
	case len(br.channels) == 1:
		// Ad-hoc: a lone channel is hung up (stasis.py has_lone_channel).
		m.hangupLocked(br.channels[0], CauseNormalClearing, true)
	case left.call.CallID == br.hostChannelID:
		// Ad-hoc: the host left, everybody is hung up.
		for _, c := range slices.Clone(br.channels) {
			m.hangupLocked(c, CauseNormalClearing, true)
		}
	}
}

func (m *Model) destroyBridgeLocked(br *bridge) {
	if br.destroyed {
		return
	}
	br.destroyed = true
	delete(m.bridges, br.id)
	if br.kind == bridgeAdhoc && br.hostUserUUID != "" {
		m.emitConference("conference_adhoc_deleted", br, []string{br.hostUserUUID},
			map[string]any{"conference_id": br.id})
	}
}

func callToMap(c Call) map[string]any {
	return map[string]any{
		"call_id": c.CallID, "conversation_id": c.ConversationID, "user_uuid": c.UserUUID,
		"status": c.Status, "talking_to": c.TalkingTo, "bridges": c.Bridges,
		"creation_time": c.CreationTime, "answer_time": c.AnswerTime, "hangup_time": c.HangupTime,
		"caller_id_name": c.CallerIDName, "caller_id_number": c.CallerIDNumber,
		"peer_caller_id_name": c.PeerCallerIDName, "peer_caller_id_number": c.PeerCallerIDNumber,
		"on_hold": c.OnHold, "muted": c.Muted, "record_state": c.RecordState,
		"is_caller": c.IsCaller, "is_video": c.IsVideo, "dialed_extension": c.DialedExtension,
		"sip_call_id": c.SIPCallID, "line_id": c.LineID, "direction": c.Direction, "parked": c.Parked,
	}
}
