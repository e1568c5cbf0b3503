package callmodel

import (
	"github.com/google/uuid"
)

// Transfer is calld's Transfer object (docs/wazo-protocol.md, Calls API, Event websocket).
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

func (m *Model) emitTransfer(name string, t *Transfer) {
	m.cfg.Publish(name, t.InitiatorUUID, t.InitiatorTenantUUID, "events.transfers."+t.InitiatorUUID, *t)
}

// CreateTransfer is POST /users/me/transfers (docs/wazo-protocol.md, Calls API). The model records the
// transfer (status "starting") and publishes transfer_created; dialling
// the recipient is not modelled (the WebRTC phone transfers with SIP REFER,
// docs/wazo-protocol.md, Lines and registration).
func (m *Model) CreateTransfer(userUUID, initiatorCall, exten, flow string) (Transfer, error) {
	m.mu.Lock()
	defer m.unlock()
	if flow == "" {
		flow = "attended"
	}
	if flow != "attended" && flow != "blind" {
		return Transfer{}, InvalidDataError(map[string]any{"flow": map[string]any{"constraint_id": "enum", "message": "Must be one of: attended, blind."}})
	}
	ch, ok := m.channels[initiatorCall]
	if !ok {
		return Transfer{}, errTransferCreation("initiator call not found")
	}
	if ch.call.Owner() != userUUID {
		return Transfer{}, errUserPermissionDenied(userUUID, initiatorCall)
	}
	for _, t := range m.transfers {
		if t.InitiatorCall == initiatorCall {
			return Transfer{}, errTransferAlreadyStarted(initiatorCall)
		}
	}
	peer, lone, tooMany := onlyPeer(ch)
	if lone {
		return Transfer{}, errTransferCreation("transferred call not found")
	}
	if tooMany {
		return Transfer{}, &CalldError{statusConflict, "too-many-transferred-candidates", "Too many transferred candidates",
			map[string]any{"initiator_call": initiatorCall}}
	}
	t := &Transfer{
		ID: uuid.NewString(), InitiatorUUID: userUUID, InitiatorTenantUUID: ch.tenant,
		TransferredCall: peer.call.CallID, InitiatorCall: initiatorCall, Status: "starting", Flow: flow, Exten: exten,
	}
	m.transfers[t.ID] = t
	m.emitTransfer("transfer_created", t)
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

// CompleteTransfer is PUT /users/me/transfers/{id}/complete: publishes
// transfer_completed and hangs up the initiator's leg (hook → BYE).
func (m *Model) CompleteTransfer(userUUID, id string) error {
	m.mu.Lock()
	defer m.unlock()
	t, err := m.takeTransferLocked(userUUID, id)
	if err != nil {
		return err
	}
	t.Status = "answered"
	m.emitTransfer("transfer_completed", t)
	if ch, ok := m.channels[t.InitiatorCall]; ok {
		// Detach the transferred party first so it is not hung up with us.
		if peer, ok := m.channels[t.TransferredCall]; ok && peer.bridge == ch.bridge && ch.bridge != nil {
			m.detachLocked(peer)
		}
		m.hangupLocked(ch, CauseNormalClearing, true)
	}
	return nil
}

// CancelTransfer is DELETE /users/me/transfers/{id}: transfer_cancelled.
func (m *Model) CancelTransfer(userUUID, id string) error {
	m.mu.Lock()
	defer m.unlock()
	t, err := m.takeTransferLocked(userUUID, id)
	if err != nil {
		return err
	}
	t.Status = "abandoned"
	m.emitTransfer("transfer_cancelled", t)
	return nil
}

// takeTransferLocked removes the user's transfer id, which ends with this
// call whether it completes or is cancelled; another user's is not found.
func (m *Model) takeTransferLocked(userUUID, id string) (*Transfer, error) {
	t, ok := m.transfers[id]
	if !ok || t.InitiatorUUID != userUUID {
		return nil, errNoSuchTransfer(id)
	}
	delete(m.transfers, id)
	return t, nil
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
