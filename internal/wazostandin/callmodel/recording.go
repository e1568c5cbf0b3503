package callmodel

// Call recording control, as wazo-calld does it (plugins/calls/services.py
// record_start/record_stop/record_pause/record_resume, the MixMonitor
// handlers of plugins/calls/bus_consume.py, plugins/calls/notifier.py; the
// events are wazo-bus resources/calls/event.py CallRecord*Event). The
// channel's state is calld's record_state: "active" (WAZO_CALL_RECORD_ACTIVE
// = 1), "paused" (WAZO_RECORDING_PAUSED = 1) or "inactive".

// Record states of the Call object (wazo-calld plugins/calls/services.py
// make_call_from_channel).
const (
	RecordInactive = "inactive"
	RecordActive   = "active"
	RecordPaused   = "paused"
)

// Record actions: the last word of PUT /users/me/calls/{id}/record/{action}.
const (
	RecordStart  = "start"
	RecordStop   = "stop"
	RecordPause  = "pause"
	RecordResume = "resume"
)

func errRecordingUnauthorized(callID string) *CalldError {
	return &CalldError{statusForbidden, "recording-unauthorized", "Recording unauthorized", map[string]any{"call_id": callID}}
}

func errRecordingNotStarted(callID string) *CalldError {
	return &CalldError{statusBadRequest, "recording-not-started", "Recording not started", map[string]any{"call_id": callID}}
}

// UserRecord is PUT /users/me/calls/{id}/record/{action}. The rules are
// calld's, in its order:
//   - the call must be the user's (404 no-such-call, 403 user-permission-denied);
//   - start on a call already recorded (active or paused) does nothing (calld
//     replays the announcement); otherwise the user needs the record toggle
//     (403 recording-unauthorized);
//   - stop, pause and resume need the toggle first (403); stop on a call
//     not recorded does nothing;
//   - pause and resume on a call not recorded are 400 recording-not-started;
//     pausing a paused call or resuming a running one does nothing.
//
// A change publishes call_updated (the channel's Call with its new
// record_state) and then recording_started/stopped/paused/resumed
// {"call_id"} to the owner.
func (m *Model) UserRecord(userUUID, id, action string) error {
	m.mu.Lock()
	defer m.unlock()
	ch, err := m.ownedLocked(userUUID, id)
	if err != nil {
		return err
	}
	state := ch.call.RecordState
	if state == "" {
		state = RecordInactive
	}
	allowed := m.cfg.RecordToggle(userUUID)
	var next, event string
	switch action {
	case RecordStart:
		if state != RecordInactive {
			return nil
		}
		if !allowed {
			return errRecordingUnauthorized(id)
		}
		next, event = RecordActive, "recording_started"
	case RecordStop:
		if !allowed {
			return errRecordingUnauthorized(id)
		}
		if state == RecordInactive {
			return nil
		}
		next, event = RecordInactive, "recording_stopped"
	case RecordPause:
		if !allowed {
			return errRecordingUnauthorized(id)
		}
		if state == RecordInactive {
			return errRecordingNotStarted(id)
		}
		if state == RecordPaused {
			return nil
		}
		next, event = RecordPaused, "recording_paused"
	case RecordResume:
		if !allowed {
			return errRecordingUnauthorized(id)
		}
		if state == RecordInactive {
			return errRecordingNotStarted(id)
		}
		if state == RecordActive {
			return nil
		}
		next, event = RecordActive, "recording_resumed"
	default:
		return InvalidDataError(map[string]any{"action": action})
	}
	ch.call.RecordState = next
	m.emitCall("call_updated", ch, nil)
	if u := ch.call.Owner(); u != "" {
		m.cfg.Publish(event, u, ch.tenant, "events.calls."+u, map[string]any{"call_id": ch.call.CallID})
	}
	return nil
}
