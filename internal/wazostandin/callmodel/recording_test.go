package callmodel

import (
	"errors"
	"testing"
)

// TestUserRecordRules: calld's rules, step by step from a fresh call, with
// the events each change publishes and the refusals (wazo-calld
// plugins/calls/services.py record_*).
func TestUserRecordRules(t *testing.T) {
	const user, other = "u-1", "u-2"
	for _, allowed := range []bool{true, false} {
		rec := &recorder{}
		m := New(Config{Publish: rec.publish, RecordToggle: func(u string) bool { return allowed && u == user }})
		c, err := m.NewChannel(ChannelSpec{UserUUID: user})
		if err != nil {
			t.Fatal(err)
		}
		rec.take()
		type step struct {
			action, errorID, state string
			events                 []string
		}
		steps := []step{
			{RecordPause, "recording-not-started", RecordInactive, nil},
			{RecordResume, "recording-not-started", RecordInactive, nil},
			{RecordStop, "", RecordInactive, nil},
			{RecordStart, "", RecordActive, []string{"call_updated", "recording_started"}},
			{RecordStart, "", RecordActive, nil},
			{RecordResume, "", RecordActive, nil},
			{RecordPause, "", RecordPaused, []string{"call_updated", "recording_paused"}},
			{RecordPause, "", RecordPaused, nil},
			{RecordStart, "", RecordPaused, nil},
			{RecordResume, "", RecordActive, []string{"call_updated", "recording_resumed"}},
			{RecordStop, "", RecordInactive, []string{"call_updated", "recording_stopped"}},
		}
		if !allowed {
			steps = []step{
				{RecordStart, "recording-unauthorized", RecordInactive, nil},
				{RecordStop, "recording-unauthorized", RecordInactive, nil},
				{RecordPause, "recording-unauthorized", RecordInactive, nil},
				{RecordResume, "recording-unauthorized", RecordInactive, nil},
			}
		}
		for i, s := range steps {
			err := m.UserRecord(user, c.CallID, s.action)
			var ce *CalldError
			switch {
			case s.errorID == "" && err != nil:
				t.Fatalf("allowed=%v step %d %s: %v", allowed, i, s.action, err)
			case s.errorID != "" && (!errors.As(err, &ce) || ce.ErrorID != s.errorID):
				t.Fatalf("allowed=%v step %d %s: %v, want %s", allowed, i, s.action, err, s.errorID)
			}
			got, _ := m.Get(c.CallID)
			if got.RecordState != s.state {
				t.Fatalf("allowed=%v step %d %s: record_state %q, want %q", allowed, i, s.action, got.RecordState, s.state)
			}
			evs := rec.take()
			var names []string
			for _, ev := range evs {
				names = append(names, ev.Name)
				if ev.UserUUID != user || ev.RequiredACL != "events.calls."+user {
					t.Errorf("event %s for %s with ACL %s", ev.Name, ev.UserUUID, ev.RequiredACL)
				}
			}
			if len(names) != len(s.events) || (len(names) > 0 && (names[0] != s.events[0] || names[1] != s.events[1])) {
				t.Fatalf("allowed=%v step %d %s: events %v, want %v", allowed, i, s.action, names, s.events)
			}
		}
		var ce *CalldError
		if err := m.UserRecord(other, c.CallID, RecordStart); !errors.As(err, &ce) || ce.ErrorID != "user-permission-denied" {
			t.Fatalf("another user's call: %v", err)
		}
		if err := m.UserRecord(user, "9.9", RecordStart); !errors.As(err, &ce) || ce.ErrorID != "no-such-call" {
			t.Fatalf("unknown call: %v", err)
		}
	}
}
