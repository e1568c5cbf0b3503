package callmodel

import (
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Public transfer statuses (wazo-calld plugins/transfers/transfer.py
// TransferStatus). "ended" is the status the last event, transfer_ended,
// carries (state.py TransferStateEnded).
const (
	TransferReady            = "ready"
	TransferRingback         = "ringback"
	TransferAnswered         = "answered"
	TransferBlindTransferred = "blind_transferred"
	TransferAbandoned        = "abandoned"
	TransferEnded            = "ended"
)

// Transfer is calld's Transfer object (plugins/transfers/transfer.py
// to_public_dict; docs/wazo-protocol.md, Transfers (calld)).
type Transfer struct {
	ID                  string  `json:"id"`
	InitiatorUUID       string  `json:"initiator_uuid"`
	InitiatorTenantUUID string  `json:"initiator_tenant_uuid"`
	TransferredCall     string  `json:"transferred_call"`
	InitiatorCall       string  `json:"initiator_call"`
	RecipientCall       *string `json:"recipient_call"`
	Status              string  `json:"status"`
	Flow                string  `json:"flow"`
	Exten               string  `json:"-"`
}

// TransferDialer places a transfer's recipient, as calld's
// originate_recipient does (plugins/transfers/services.py: an ARI
// originate of Local/{exten}@{context} carrying WAZO_USERUUID of the
// initiator, so the recipient channel is a call of the initiator's). The
// SIP side implements it with its scripted peers.
type TransferDialer interface {
	// Exists is ami.extension_exists for the initiator's context.
	Exists(exten string) bool
	// DialRecipient creates the recipient channel with Model.NewChannel
	// (spec is filled in by the model) and returns its id and start. The
	// model calls start once it has recorded the channel as the
	// recipient; from then on the dialer answers the channel (Model.Answer)
	// or hangs it up (Model.Hangup) on its own; timeout > 0 bounds the
	// ringing in seconds (the request's timeout).
	DialRecipient(exten string, spec ChannelSpec, timeout int) (id string, start func(), err error)
}

// SetTransferDialer installs the SIP side's recipient dialer. Without one
// every extension is unknown to transfers.
func (m *Model) SetTransferDialer(d TransferDialer) {
	m.mu.Lock()
	m.dialer = d
	m.mu.Unlock()
}

func (m *Model) emitTransfer(name string, t *Transfer) {
	m.cfg.Publish(name, t.InitiatorUUID, t.InitiatorTenantUUID, "events.transfers."+t.InitiatorUUID, *t)
}

// CreateTransfer is POST /users/me/transfers (plugins/transfers/services.py
// create_from_user then create; state.py TransferStateReady.start). The
// initiator's bridge with the transferred party is destroyed, the
// transferred party held, the recipient dialled (transfer_updated, status
// "ready", then transfer_created, "ringback"). An attended transfer then
// waits: when the recipient answers, the initiator talks to it
// (transfer_answered) until Complete or Cancel. A blind one completes at
// once: the initiator's channel is hung up (transfer_completed) and the
// transferred party rings until the recipient answers (transfer_answered,
// transfer_ended).
func (m *Model) CreateTransfer(userUUID, initiatorCall, exten, flow string, timeout int) (Transfer, error) {
	exten = strings.Join(strings.Fields(exten), "") // schemas.py remove_extension_whitespace
	m.mu.Lock()
	if flow == "" {
		flow = "attended"
	}
	if flow != "attended" && flow != "blind" {
		m.mu.Unlock()
		return Transfer{}, InvalidDataError(map[string]any{"flow": map[string]any{"constraint_id": "one_of", "message": "Must be one of: attended, blind."}})
	}
	ch, ok := m.channels[initiatorCall]
	if !ok {
		m.mu.Unlock()
		return Transfer{}, errTransferCreation("initiator channel not found")
	}
	if ch.call.Owner() != userUUID {
		m.mu.Unlock()
		return Transfer{}, errUserPermissionDenied(userUUID, initiatorCall)
	}
	peer, lone, tooMany := onlyPeer(ch)
	if lone {
		m.mu.Unlock()
		return Transfer{}, errTransferCreation("transferred channel not found")
	}
	if tooMany {
		candidates := []string{}
		for _, c := range peersOf(ch) {
			candidates = append(candidates, c.call.CallID)
		}
		m.mu.Unlock()
		return Transfer{}, &CalldError{statusConflict, "too-many-transferred-candidates", "Too many transferred candidates",
			map[string]any{"candidates": candidates}}
	}
	dialer := m.dialer
	if dialer == nil || !dialer.Exists(exten) {
		m.mu.Unlock()
		return Transfer{}, &CalldError{statusBadRequest, "invalid-extension", "Invalid extension",
			map[string]any{"context": "default", "exten": exten}}
	}
	for _, t := range m.transfers {
		if t.InitiatorCall == initiatorCall { // transfer_lock.py
			m.mu.Unlock()
			return Transfer{}, errTransferAlreadyStarted(initiatorCall)
		}
	}
	t := &Transfer{
		ID: uuid.NewString(), InitiatorUUID: userUUID, InitiatorTenantUUID: ch.tenant,
		TransferredCall: peer.call.CallID, InitiatorCall: initiatorCall, Status: TransferReady, Flow: flow, Exten: exten,
	}
	m.transfers[t.ID] = t
	// TransferStateReady.start: destroy the two-party bridge (so its
	// cleaner hangs nobody up), hold the transferred party (ari_helpers.py
	// hold_transferred_call: mute, hold, music on hold).
	if br := ch.bridge; br != nil {
		m.detachLocked(peer)
		m.detachLocked(ch)
		m.destroyBridgeLocked(br)
		m.emitCall("call_updated", ch, nil)
		m.emitCall("call_updated", peer, nil)
	}
	m.setHoldLocked(peer, true)
	spec := ChannelSpec{
		UserUUID: userUUID, Status: StatusDown, IsCaller: true,
		CallerIDName: ch.call.CallerIDName, CallerIDNumber: ch.call.CallerIDNumber,
		DialedExtension: exten, LinkedTo: initiatorCall, TenantUUID: ch.tenant,
	}
	m.mu.Unlock()

	// The originate runs unlocked: the dialer calls NewChannel.
	rid, start, err := dialer.DialRecipient(exten, spec, timeout)

	m.mu.Lock()
	defer m.unlock()
	if _, live := m.transfers[t.ID]; !live {
		// A channel hung up meanwhile and ended the transfer.
		if err == nil {
			m.hangupByIDLocked(rid)
		}
		return *t, nil
	}
	if err == nil {
		t.RecipientCall = &rid
		m.pending = append(m.pending, start) // the recipient rings from now on
	}
	m.emitTransfer("transfer_updated", t) // _start_attended, still "ready"
	t.Status = TransferRingback
	m.emitTransfer("transfer_created", t)
	if err != nil {
		// calld logs the failed originate and waits in ringback with no
		// recipient; nobody would ever answer, so the stand-in cancels.
		m.cancelTransferLocked(t)
		return *t, nil
	}
	if flow == "blind" {
		m.completeTransferLocked(t)
	}
	return *t, nil
}

// Transfers lists the user's transfers (GET /users/me/transfers).
func (m *Model) Transfers(userUUID string) []Transfer {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Transfer{}
	for _, t := range m.transfers {
		if t.InitiatorUUID == userUUID {
			out = append(out, *t)
		}
	}
	return out
}

// CompleteTransfer is PUT /users/me/transfers/{id}/complete
// (services.py complete_from_user; state.py Ringback.complete,
// Answered.complete).
func (m *Model) CompleteTransfer(userUUID, id string) error {
	m.mu.Lock()
	defer m.unlock()
	t, err := m.userTransferLocked(userUUID, id)
	if err != nil {
		return err
	}
	if t.Status != TransferRingback && t.Status != TransferAnswered {
		// Upstream's other states do not implement complete.
		return &CalldError{statusBadRequest, "transfer-completion-error", "Transfer completion error",
			map[string]any{"transfer_id": id, "message": "transfer is " + t.Status}}
	}
	m.completeTransferLocked(t)
	return nil
}

// CancelTransfer is DELETE /users/me/transfers/{id} (services.py
// cancel_from_user; state.py _cancel): the recipient is hung up and the
// initiator talks to the transferred party again.
func (m *Model) CancelTransfer(userUUID, id string) error {
	m.mu.Lock()
	defer m.unlock()
	t, err := m.userTransferLocked(userUUID, id)
	if err != nil {
		return err
	}
	m.cancelTransferLocked(t)
	return nil
}

// userTransferLocked is services.py get + the initiator check.
func (m *Model) userTransferLocked(userUUID, id string) (*Transfer, error) {
	t, ok := m.transfers[id]
	if !ok {
		return nil, errNoSuchTransfer(id)
	}
	if t.InitiatorUUID != userUUID {
		return nil, &CalldError{statusForbidden, "user-permission-denied", "User does not have permission to handle objects of other users",
			map[string]any{"user": userUUID, "transfer": id}}
	}
	return t, nil
}

// ---- the state machine (plugins/transfers/state.py), mu held ----

// completeTransferLocked: Ringback.complete (the recipient has not
// answered: a blind transfer, the transferred party rings) or
// Answered.complete (the transferred party joins the recipient, the
// initiator leaves).
func (m *Model) completeTransferLocked(t *Transfer) {
	switch t.Status {
	case TransferRingback:
		t.Flow = "blind"
		t.Status = TransferBlindTransferred // before the hangup: initiator_hangup is then a no-op
		m.hangupByIDLocked(t.InitiatorCall)
		if tr, ok := m.channels[t.TransferredCall]; ok {
			m.setHoldLocked(tr, false)
		} else {
			m.endTransferLocked(t)
			m.hangupAllLocked(t)
			return
		}
		m.emitTransferAs("transfer_completed", t, TransferRingback)
	case TransferAnswered:
		m.endTransferLocked(t)
		if tr, ok := m.channels[t.TransferredCall]; ok {
			m.setHoldLocked(tr, false)
			m.enterTransferBridgeLocked(t, tr)
		}
		m.hangupByIDLocked(t.InitiatorCall)
		m.emitTransferAs("transfer_completed", t, TransferAnswered)
		m.finishTransferLocked(t)
	}
}

// cancelTransferLocked is state.py _cancel: the recipient leaves, the
// transferred party and the initiator are bridged again (or, if one of
// them is gone, everybody is hung up).
func (m *Model) cancelTransferLocked(t *Transfer) {
	status := t.Status
	m.endTransferLocked(t)
	tr, ok1 := m.channels[t.TransferredCall]
	in, ok2 := m.channels[t.InitiatorCall]
	if ok1 && ok2 {
		// Rebridged before the recipient leaves (calld does it after), so
		// the bridge is never left with a lone channel for its cleaner.
		m.setHoldLocked(tr, false)
		m.enterTransferBridgeLocked(t, tr)
		m.enterTransferBridgeLocked(t, in)
		if t.RecipientCall != nil {
			m.hangupByIDLocked(*t.RecipientCall)
		}
	} else {
		m.hangupAllLocked(t)
	}
	m.emitTransferAs("transfer_cancelled", t, status)
	m.finishTransferLocked(t)
}

// recipientAnsweredLocked: the recipient answered (stasis.py
// transfer_recipient_answered → state recipient_answer).
func (m *Model) recipientAnsweredLocked(t *Transfer) {
	r, ok := m.channels[*t.RecipientCall]
	if !ok {
		return
	}
	switch t.Status {
	case TransferRingback: // attended: the initiator talks to the recipient
		in, ok := m.channels[t.InitiatorCall]
		if !ok {
			return
		}
		m.enterTransferBridgeLocked(t, in)
		m.enterTransferBridgeLocked(t, r)
		t.Status = TransferAnswered
		m.emitTransfer("transfer_answered", t)
	case TransferBlindTransferred:
		m.endTransferLocked(t)
		if tr, ok := m.channels[t.TransferredCall]; ok {
			m.enterTransferBridgeLocked(t, tr)
			m.enterTransferBridgeLocked(t, r)
		}
		m.emitTransferAs("transfer_answered", t, TransferBlindTransferred)
		m.finishTransferLocked(t)
	case TransferAbandoned: // initiator and recipient may talk
		if in, ok := m.channels[t.InitiatorCall]; ok {
			m.enterTransferBridgeLocked(t, in)
			m.enterTransferBridgeLocked(t, r)
		}
	}
}

// transferHangupLocked applies the hangup of ch to the transfer it plays a
// role in (stasis.py hangup → recipient_hangup / initiator_hangup /
// transferred_hangup).
func (m *Model) transferHangupLocked(ch *channel) {
	id := ch.call.CallID
	for _, t := range m.sortedTransfers() {
		switch {
		case t.RecipientCall != nil && *t.RecipientCall == id:
			if t.Status == TransferAbandoned {
				m.endTransferLocked(t)
				m.hangupAllLocked(t)
				m.finishTransferLocked(t)
			} else {
				m.cancelTransferLocked(t)
			}
		case t.InitiatorCall == id:
			switch t.Status {
			case TransferRingback, TransferAnswered:
				m.completeTransferLocked(t)
			case TransferAbandoned:
				m.endTransferLocked(t)
				m.hangupAllLocked(t)
				m.finishTransferLocked(t)
			case TransferReady: // dialling: as NoneReady.initiator_hangup
				t.Flow = "blind"
			}
		case t.TransferredCall == id:
			m.emitTransfer("transfer_abandoned", t) // _abandon
			switch t.Status {
			case TransferRingback, TransferAnswered:
				t.Status = TransferAbandoned
			default:
				m.endTransferLocked(t)
				m.hangupAllLocked(t)
				m.finishTransferLocked(t)
			}
		}
	}
}

// sortedTransfers snapshots the transfers (the loop above changes the map).
func (m *Model) sortedTransfers() []*Transfer {
	out := make([]*Transfer, 0, len(m.transfers))
	for _, t := range m.transfers {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Transfer) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// endTransferLocked forgets t (TransferStateEnded.update_cache: removed
// from the persistor, lock released) so that the hangups it causes are no
// longer transfer events.
func (m *Model) endTransferLocked(t *Transfer) { delete(m.transfers, t.ID) }

// finishTransferLocked publishes transfer_ended (TransferStateEnded.from_state).
func (m *Model) finishTransferLocked(t *Transfer) {
	t.Status = TransferEnded
	m.emitTransfer("transfer_ended", t)
}

// emitTransferAs publishes name with the status the upstream object has at
// that point (notifier calls happen before the state changes).
func (m *Model) emitTransferAs(name string, t *Transfer, status string) {
	cp := *t
	cp.Status = status
	m.emitTransfer(name, &cp)
}

// enterTransferBridgeLocked moves ch into the transfer's bridge
// (state.py _get_or_create_transfer_bridge: a mixing bridge whose id is
// the transfer id).
func (m *Model) enterTransferBridgeLocked(t *Transfer, ch *channel) {
	br, ok := m.bridges[t.ID]
	if !ok {
		br = &bridge{id: t.ID, kind: bridgeTransfer}
		m.bridges[br.id] = br
	}
	if ch.bridge == br {
		return
	}
	if old := ch.bridge; old != nil {
		m.detachLocked(ch)
		m.emitLeaveLocked(old, ch)
	}
	m.enterLocked(br, ch)
}

func (m *Model) hangupByIDLocked(id string) {
	if ch, ok := m.channels[id]; ok {
		m.hangupLocked(ch, CauseNormalClearing, true)
	}
}

// hangupAllLocked is state.py _hangup_all_transfer_participants.
func (m *Model) hangupAllLocked(t *Transfer) {
	if t.RecipientCall != nil {
		m.hangupByIDLocked(*t.RecipientCall)
	}
	m.hangupByIDLocked(t.InitiatorCall)
	m.hangupByIDLocked(t.TransferredCall)
}

// transferOfBridgeLocked reports whether a live transfer owns br, whose
// channels the state machine, not the bridge cleaner, then looks after.
func (m *Model) transferOfBridgeLocked(br *bridge) bool {
	_, ok := m.transfers[br.id]
	return ok
}

// MoveParty is what a successful SIP REFER from the user does in Asterisk
// (res_pjsip_refer.c): the party the user's channel from talks to leaves
// that bridge and is bridged with channel to, a new call to the blind
// transfer's target or, for an attended transfer (Replaces), the party of
// the user's other call. The user's channels stay, talking to nobody,
// until their BYE. Returns the moved party's channel id.
func (m *Model) MoveParty(from, to string) (string, error) {
	m.mu.Lock()
	defer m.unlock()
	ch, ok := m.channels[from]
	target, ok2 := m.channels[to]
	if !ok || !ok2 || from == to {
		return "", ErrNoSuchChannel
	}
	party, lone, tooMany := onlyPeer(ch)
	if lone || tooMany || party == target {
		return "", ErrChannelBusy
	}
	var left []*channel // user channels the move leaves talking to nobody
	for _, c := range []*channel{party, target} {
		if c.bridge == nil {
			continue
		}
		br := c.bridge
		m.detachLocked(c)
		left = append(left, br.channels...)
	}
	br := &bridge{id: uuid.NewString(), kind: bridgeBasic}
	m.bridges[br.id] = br
	m.enterLocked(br, party)
	m.enterLocked(br, target)
	for _, c := range left {
		m.emitCall("call_updated", c, nil)
	}
	return party.call.CallID, nil
}
