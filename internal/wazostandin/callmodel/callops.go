package callmodel

// The methods below are the wazo-calld "users/me/calls" operations (docs/wazo-protocol.md, Calls API)
// on behalf of a user: the channel must exist (else 404 no-such-call) and
// be owned by the user (else 403 user-permission-denied).

func (m *Model) ownedLocked(userUUID, id string) (*channel, error) {
	ch, ok := m.channels[id]
	if !ok {
		return nil, errNoSuchCall(id)
	}
	if ch.call.Owner() != userUUID {
		return nil, errUserPermissionDenied(userUUID, id)
	}
	return ch, nil
}

// UserHangup is DELETE /users/me/calls/{id}: the channel is hung up and the
// SIP side is told to send BYE on that leg (docs/wazo-protocol.md, Calls API).
func (m *Model) UserHangup(userUUID, id string) error {
	m.mu.Lock()
	defer m.unlock()
	ch, err := m.ownedLocked(userUUID, id)
	if err != nil {
		return err
	}
	m.hangupLocked(ch, CauseNormalClearing, true)
	return nil
}

// UserMute is PUT …/mute/start|stop: sets muted, publishes call_updated.
func (m *Model) UserMute(userUUID, id string, muted bool) error {
	m.mu.Lock()
	defer m.unlock()
	ch, err := m.ownedLocked(userUUID, id)
	if err != nil {
		return err
	}
	m.setMutedLocked(ch, muted)
	return nil
}

// UserHold is PUT …/hold/start|stop. On a real stack this goes through
// wazo-phoned to a physical phone (docs/wazo-protocol.md, Calls API); here the model records the hold
// (call_held/call_resumed) and the SIP side is told through HoldChannel.
func (m *Model) UserHold(userUUID, id string, hold bool) error {
	m.mu.Lock()
	defer m.unlock()
	ch, err := m.ownedLocked(userUUID, id)
	if err != nil {
		return err
	}
	m.setHoldLocked(ch, hold)
	snap := m.snapshot(ch)
	m.queueHook(func(h ChannelHooks) { h.HoldChannel(snap, hold) })
	return nil
}

// UserAnswer is PUT …/answer: status Up (call_answered) and AnswerChannel.
func (m *Model) UserAnswer(userUUID, id string) error {
	m.mu.Lock()
	defer m.unlock()
	ch, err := m.ownedLocked(userUUID, id)
	if err != nil {
		return err
	}
	m.answerLocked(ch)
	snap := m.snapshot(ch)
	m.queueHook(func(h ChannelHooks) { h.AnswerChannel(snap) })
	return nil
}

// UserDTMF is PUT …/dtmf?digits=: passed to the SIP side (SendDTMF).
func (m *Model) UserDTMF(userUUID, id, digits string) error {
	m.mu.Lock()
	defer m.unlock()
	ch, err := m.ownedLocked(userUUID, id)
	if err != nil {
		return err
	}
	snap := m.snapshot(ch)
	m.queueHook(func(h ChannelHooks) { h.SendDTMF(snap, digits) })
	return nil
}
