package callmodel

import (
	"slices"

	"github.com/google/uuid"
)

// Conference is a snapshot of an ad-hoc conference (a mixing bridge whose
// id is the conference_id, docs/wazo-protocol.md, Ad-hoc conferences).
type Conference struct {
	ID            string
	HostUserUUID  string
	HostChannelID string
	CallIDs       []string // members in the order they entered
}

// Conference returns a live ad-hoc conference.
func (m *Model) Conference(id string) (Conference, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	br, ok := m.bridges[id]
	if !ok || br.kind != bridgeAdhoc {
		return Conference{}, false
	}
	c := Conference{ID: br.id, HostUserUUID: br.hostUserUUID, HostChannelID: br.hostChannelID}
	for _, ch := range br.channels {
		c.CallIDs = append(c.CallIDs, ch.call.CallID)
	}
	return c, true
}

// onlyPeer is calld's Channel.only_connected_channel(): exactly one other
// channel in the bridge, else "not enough" (lone) or "too many".
func onlyPeer(ch *channel) (peer *channel, lone, tooMany bool) {
	p := peersOf(ch)
	switch len(p) {
	case 0:
		return nil, true, false
	case 1:
		return p[0], false, false
	}
	return nil, false, true
}

// CreateAdhoc is POST /users/me/conferences/adhoc (docs/wazo-protocol.md, Ad-hoc conferences) for userUUID. The
// validation order and error ids are calld's (adhoc_conferences
// services.py create_from_user): host missing or not owned → 400
// host-call-not-found; host without peer → 400 host-call-creation-error;
// host talking to >1 → 409 host-already-in-conference; a participant
// missing, lone, talking to ≥2 or whose peer is not the user's → 400
// participant-call-not-found. Then: conference_adhoc_created to the host,
// host leg + its peer enter the bridge, every other participant enters and
// the host's leg to it is hung up (hook → SIP BYE). Returns the
// conference_id.
func (m *Model) CreateAdhoc(userUUID, hostCallID string, participantCallIDs []string) (string, error) {
	id, join, err := m.StartAdhoc(userUUID, hostCallID, participantCallIDs)
	if err != nil {
		return "", err
	}
	join()
	return id, nil
}

// StartAdhoc is CreateAdhoc in calld's two steps: it validates, publishes
// conference_adhoc_created and returns the conference_id, and join then
// moves the channels into the bridge (the participant_joined,
// call_updated and hangup events). Real calld answers its 201 between the
// two: the redirected channels enter the bridge later, through Stasis
// (wazo-calld plugins/adhoc_conferences/services.py create_from_user,
// stasis.py participant_joined). A channel that hung up in between is
// skipped; join does nothing once the conference is gone.
func (m *Model) StartAdhoc(userUUID, hostCallID string, participantCallIDs []string) (id string, join func(), err error) {
	m.mu.Lock()
	defer m.unlock()
	host, ok := m.channels[hostCallID]
	if !ok || host.call.Owner() != userUUID || userUUID == "" {
		return "", nil, errHostCallNotFound(hostCallID)
	}
	hostPeer, lone, tooMany := onlyPeer(host)
	if lone {
		return "", nil, errHostCallCreation("could not determine peer of call " + hostCallID + ": call has no peers")
	}
	if tooMany {
		return "", nil, errHostAlreadyInConference(hostCallID)
	}
	for _, pid := range participantCallIDs {
		p, ok := m.channels[pid]
		if !ok {
			return "", nil, errParticipantCallNotFound(pid)
		}
		peer, lone, tooMany := onlyPeer(p)
		if lone || tooMany || peer.call.Owner() != userUUID {
			return "", nil, errParticipantCallNotFound(pid)
		}
	}

	br := &bridge{
		id:            uuid.NewString(),
		kind:          bridgeAdhoc,
		hostUserUUID:  userUUID,
		hostChannelID: host.call.CallID,
		hostTenant:    host.tenant,
	}
	// calld publishes "created" before bridging (docs/wazo-protocol.md, Ad-hoc conferences).
	m.emitConference("conference_adhoc_created", br, []string{userUUID}, map[string]any{"conference_id": br.id})
	m.bridges[br.id] = br
	ids := slices.Clone(participantCallIDs)
	join = func() {
		m.mu.Lock()
		defer m.unlock()
		if br.destroyed || host.gone || hostPeer.gone {
			return
		}
		// The host's connected line becomes "Conference" <host number>
		// (stasis.py _set_host_connectedline).
		host.call.PeerCallerIDName = "Conference"
		host.call.PeerCallerIDNumber = host.call.CallerIDNumber
		m.enterLocked(br, host)
		m.enterLocked(br, hostPeer)

		seen := map[string]bool{hostPeer.call.CallID: true, host.call.CallID: true}
		for _, pid := range ids {
			if seen[pid] {
				continue // the SDK includes the host's own peer; calld drops it
			}
			seen[pid] = true
			m.moveParticipantLocked(br, pid)
		}
	}
	return br.id, join, nil
}

// moveParticipantLocked moves the remote channel into the conference and
// hangs up the host's leg that was talking to it (services.py
// _redirect_participant).
func (m *Model) moveParticipantLocked(br *bridge, pid string) {
	p, ok := m.channels[pid]
	if !ok {
		return
	}
	discarded, _, _ := onlyPeer(p)
	m.enterLocked(br, p)
	if discarded != nil && !discarded.gone {
		m.hangupLocked(discarded, CauseNormalClearing, true)
	}
}

// hostBridge finds an ad-hoc conference hosted by userUUID.
func (m *Model) hostBridge(userUUID, conferenceID string) (*bridge, bool) {
	br, ok := m.bridges[conferenceID]
	if !ok || br.kind != bridgeAdhoc || br.destroyed {
		return nil, false
	}
	return br, true
}

// AddAdhocParticipant is PUT …/adhoc/{conference_id}/participants/{call_id}
// (docs/wazo-protocol.md, Ad-hoc conferences), with calld's check order (services.py add_participant_from_user):
// conference missing → 404; participant missing → 400; caller not host →
// 404; already a member → 409 participant-already-in-conference; lone,
// talking to ≥2 or peer not the user's → 400 participant-call-not-found.
func (m *Model) AddAdhocParticipant(userUUID, conferenceID, callID string) error {
	m.mu.Lock()
	defer m.unlock()
	br, ok := m.hostBridge(userUUID, conferenceID)
	if !ok {
		return errAdhocConferenceNotFound(conferenceID)
	}
	p, ok := m.channels[callID]
	if !ok {
		return errParticipantCallNotFound(callID)
	}
	if br.hostUserUUID != userUUID {
		return errAdhocConferenceNotFound(conferenceID)
	}
	if slices.Contains(br.channels, p) {
		return errParticipantAlreadyInConference(callID)
	}
	peer, lone, tooMany := onlyPeer(p)
	if lone || tooMany || peer.call.Owner() != userUUID {
		return errParticipantCallNotFound(callID)
	}
	m.moveParticipantLocked(br, callID)
	return nil
}

// RemoveAdhocParticipant is DELETE …/participants/{call_id} (docs/wazo-protocol.md, Ad-hoc conferences): the
// participant's channel is hung up (hook → BYE/…); the conference rules
// then apply (lone channel hung up, bridge destroyed → deleted).
func (m *Model) RemoveAdhocParticipant(userUUID, conferenceID, callID string) error {
	m.mu.Lock()
	defer m.unlock()
	br, ok := m.hostBridge(userUUID, conferenceID)
	if !ok || br.hostUserUUID != userUUID {
		return errAdhocConferenceNotFound(conferenceID)
	}
	p, ok := m.channels[callID]
	if !ok || !slices.Contains(br.channels, p) {
		return errParticipantCallNotFound(callID)
	}
	m.hangupLocked(p, CauseNormalClearing, true)
	return nil
}

// DeleteAdhoc is DELETE …/adhoc/{conference_id} (docs/wazo-protocol.md, Ad-hoc conferences): every member is
// hung up (the host first, as bridge order), then conference_adhoc_deleted.
func (m *Model) DeleteAdhoc(userUUID, conferenceID string) error {
	m.mu.Lock()
	defer m.unlock()
	br, ok := m.hostBridge(userUUID, conferenceID)
	if !ok || br.hostUserUUID != userUUID {
		return errAdhocConferenceNotFound(conferenceID)
	}
	for _, c := range slices.Clone(br.channels) {
		m.hangupLocked(c, CauseNormalClearing, true)
	}
	m.destroyBridgeLocked(br)
	return nil
}
