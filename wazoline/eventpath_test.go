package wazoline

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// recordingEngine replaces Phone.SetServerCall when there is no SIP side:
// it accepts every dialog and remembers the last server data of each.
type recordingEngine struct {
	mu    sync.Mutex
	calls map[string]phone.ServerCall
}

func (r *recordingEngine) set(sip string, sc phone.ServerCall) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[sip] = sc
	return true
}

func (r *recordingEngine) get(sip string) (phone.ServerCall, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sc, ok := r.calls[sip]
	return sc, ok
}

// waitFor polls cond with a generous timeout (no timing assertions).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEventPath drives the stack's call model and checks what reaches the
// engine through the real event socket: call events matched on
// sip_call_id, hold events through call_id, state changed while the socket
// was down restored by the resync, and a token expiry survived.
func TestEventPath(t *testing.T) {
	e := newEnv(t)
	eng := &recordingEngine{calls: map[string]phone.ServerCall{}}
	cfg := defaultConfig()
	cfg.pin, cfg.log, cfg.setServerCall = &e.pin, testLogger(), eng.set
	l, err := dial(testCtx(t), e.url, "alice", "secret", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(testCtx(t))
	evs, stop := l.Subscribe()
	defer stop()
	var seenMu sync.Mutex
	seen := map[string]int{}
	go func() {
		for ev := range evs {
			seenMu.Lock()
			seen[ev.Name]++
			seenMu.Unlock()
		}
	}()
	saw := func(name string) func() bool {
		return func() bool { seenMu.Lock(); defer seenMu.Unlock(); return seen[name] > 0 }
	}

	m := e.stack.Calls()
	mine, err := m.NewChannel(wazostandin.ChannelSpec{UserUUID: aliceUUID, SIPCallID: "sip-1", Status: wazostandin.StatusRinging,
		CallerIDName: "Alice Agent", CallerIDNumber: "1001", PeerCallerIDNumber: "5550100", Direction: wazostandin.DirectionInbound})
	if err != nil {
		t.Fatal(err)
	}
	// A channel of another user must never reach alice's engine.
	if _, err := m.NewChannel(wazostandin.ChannelSpec{UserUUID: carolUUID, SIPCallID: "sip-carol"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "call_created applied", func() bool {
		sc, ok := eng.get("sip-1")
		return ok && sc.CallID == mine.CallID && sc.Status == wazostandin.StatusRinging
	})
	waitFor(t, "call_created passed through Subscribe", saw("call_created"))

	peer, err := m.NewChannel(wazostandin.ChannelSpec{SIPCallID: "peer-1", LinkedTo: mine.CallID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Answer(mine.CallID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Answer(peer.CallID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Bridge(mine.CallID, peer.CallID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "talking_to filled by call_updated", func() bool {
		sc, _ := eng.get("sip-1")
		_, ok := sc.TalkingTo[peer.CallID]
		return ok && sc.Status == wazostandin.StatusUp
	})
	if err := m.SetHold(mine.CallID, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "call_held applied", func() bool { sc, _ := eng.get("sip-1"); return sc.OnHold })
	waitFor(t, "call_held passed through Subscribe", saw("call_held"))

	t.Run("socket killed: resync restores what was missed", func(t *testing.T) {
		e.stack.KillWebsockets()
		// Changes right after the kill happen while the line reconnects
		// (backoff ≥ 0.8 s): websocketd drops them, the resync brings them.
		if err := m.SetHold(mine.CallID, false); err != nil {
			t.Fatal(err)
		}
		if err := m.SetMuted(mine.CallID, true); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "resynced state", func() bool {
			sc, _ := eng.get("sip-1")
			return sc.Muted && !sc.OnHold && sc.CallID == mine.CallID
		})
		// Services keeping state from events are told to refetch.
		waitFor(t, EventResynced+" passed through Subscribe", saw(EventResynced))
	})

	t.Run("token expires: refreshed, events keep coming", func(t *testing.T) {
		before := e.stack.Stats().Refreshes
		s, _ := l.Client().Session()
		if !e.stack.ExpireToken(s.Token) {
			t.Fatal("the stack does not know the line's token")
		}
		if _, err := m.NewChannel(wazostandin.ChannelSpec{UserUUID: aliceUUID, SIPCallID: "sip-2", Status: wazostandin.StatusRing}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "second call seen after the token expired", func() bool { _, ok := eng.get("sip-2"); return ok })
		waitFor(t, "a refresh", func() bool { return e.stack.Stats().Refreshes > before })
		if _, err := l.Client().Calls(testCtx(t)); err != nil {
			t.Fatalf("REST after refresh: %v", err)
		}
		if sc, _ := eng.get("sip-1"); sc.CallID != mine.CallID {
			t.Fatalf("first call lost its calld id: %+v", sc)
		}
	})

	if err := m.Hangup(mine.CallID, wazostandin.CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "call_ended applied", func() bool { sc, _ := eng.get("sip-1"); return sc.HangupTime != nil })
	if _, ok := eng.get("sip-carol"); ok {
		t.Fatal("another user's call reached the engine")
	}
	before := e.stack.Stats().Revocations
	if err := l.Close(testCtx(t)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if e.stack.Stats().Revocations <= before {
		t.Error("Close did not revoke the session")
	}
	waitFor(t, "socket closed on the server", func() bool { return len(e.stack.Websockets()) == 0 })
}

func TestNewEvent(t *testing.T) {
	tests := []struct {
		name, data         string
		conf, confID, call string
	}{
		{"conference_adhoc_participant_joined", `{"conference_id":"c1","call_id":"9.9"}`, "yes", "c1", "9.9"},
		{"conference_adhoc_deleted", `{"conference_id":"c1"}`, "yes", "c1", ""},
		{"call_updated", `{"call_id":"1.1","conference_id":"nope"}`, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := json.RawMessage(`{"name":"` + tc.name + `","data":` + tc.data + `}`)
			ev := newEvent(wazo.Event{Name: tc.name, Data: json.RawMessage(tc.data), Raw: raw})
			if ev.IsConference() != (tc.conf != "") || ev.ConferenceID != tc.confID || ev.CallID != tc.call {
				t.Fatalf("got %+v", ev)
			}
			if string(ev.Raw) != string(raw) || string(ev.Data) != tc.data {
				t.Fatal("raw message not passed through")
			}
		})
	}
}
