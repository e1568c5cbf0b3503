package wazoline

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// engineVersions are the two correlation paths: before 26.08 the calld id
// of our leg comes only with the call events; from 26.08 the engine also
// puts it in X-Wazo-Call-ID (docs/wazo-protocol.md, Correlating SIP and
// calld).
var engineVersions = []struct {
	version string
	header  bool
}{{"25.14", false}, {wazostandin.CallIDHeaderVersion, true}}

// lineEvents records the line's websocket events.
type lineEvents struct {
	mu  sync.Mutex
	evs []Event
}

func recordLine(t *testing.T, l *Line) *lineEvents {
	t.Helper()
	ch, stop := l.Subscribe()
	le := &lineEvents{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			le.mu.Lock()
			le.evs = append(le.evs, ev)
			le.mu.Unlock()
		}
	}()
	t.Cleanup(func() { stop(); <-done })
	return le
}

// has reports whether an event name was seen for calld call callID.
func (le *lineEvents) has(name, callID string) bool {
	le.mu.Lock()
	defer le.mu.Unlock()
	for _, ev := range le.evs {
		var d struct {
			CallID    string  `json:"call_id"`
			SIPCallID *string `json:"sip_call_id"`
		}
		if ev.Name == name && json.Unmarshal(ev.Data, &d) == nil && d.CallID == callID && d.SIPCallID != nil {
			return true
		}
	}
	return false
}

// TestLineCallEventsOnBothEngines runs an incoming and an outgoing call on
// an engine without and with X-Wazo-Call-ID and checks that every call
// event (call_created, call_answered, call_updated, call_ended) reaches the
// call it describes.
func TestLineCallEventsOnBothEngines(t *testing.T) {
	for _, ev := range engineVersions {
		t.Run(ev.version, func(t *testing.T) {
			e := newEnv(t, wazostandin.WithWazoVersion(ev.version))
			l := e.connectLine(t, "alice", "secret")
			le := recordLine(t, l)
			pe := phonetest.Record(t, l.Phone())
			ctx := testCtx(t)

			t.Run("incoming", func(t *testing.T) {
				rc, err := e.stack.Ring(aliceUUID, "5550100", "Customer")
				if err != nil {
					t.Fatal(err)
				}
				in := pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
				if ev.header && in.CallID != rc.UserCallID {
					t.Fatalf("call_incoming CallID %q, want %q from X-Wazo-Call-ID", in.CallID, rc.UserCallID)
				}
				if !ev.header && in.CallID != "" {
					t.Fatalf("call_incoming CallID %q on an engine without X-Wazo-Call-ID", in.CallID)
				}
				// call_created: the calld id reaches the dialog either way.
				pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, func(cs phone.CallSession) bool {
					return cs.CallID == rc.UserCallID && cs.Call != nil && cs.Call.CallID == rc.UserCallID
				})
				if err := l.Phone().Accept(ctx, rc.SIPCallID); err != nil {
					t.Fatal(err)
				}
				// call_answered, then call_updated with the peer.
				pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, func(cs phone.CallSession) bool {
					return cs.Call != nil && cs.Call.Status == "Up" && !cs.Call.AnswerTime.IsZero()
				})
				pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))
				for _, name := range []string{"call_created", "call_answered", "call_updated"} {
					if !le.has(name, rc.UserCallID) {
						t.Errorf("no %s for %s on the line", name, rc.UserCallID)
					}
				}
				if err := l.Phone().Hangup(ctx, rc.SIPCallID); err != nil {
					t.Fatal(err)
				}
				pe.WaitCall(phone.EventCallEnded, rc.SIPCallID, nil)
				waitFor(t, "call_ended on the line", func() bool { return le.has("call_ended", rc.UserCallID) })
			})

			t.Run("outgoing", func(t *testing.T) {
				out, err := l.Phone().Call(ctx, "9000")
				if err != nil {
					t.Fatal(err)
				}
				acc := pe.WaitCall(phone.EventCallAccepted, out.SIPCallID, nil)
				ch, ok := e.stack.Calls().FindBySIPCallID(out.SIPCallID)
				if !ok {
					t.Fatal("the stack has no channel for the call")
				}
				if ev.header && acc.CallID != ch.CallID {
					t.Fatalf("accepted CallID %q, want %q from X-Wazo-Call-ID", acc.CallID, ch.CallID)
				}
				pe.WaitCall(phone.EventCallUpdated, out.SIPCallID, func(cs phone.CallSession) bool {
					return cs.CallID == ch.CallID && cs.Call != nil && cs.Call.Status == "Up" && len(cs.Call.TalkingTo) == 1
				})
				for _, name := range []string{"call_created", "call_answered", "call_updated"} {
					if !le.has(name, ch.CallID) {
						t.Errorf("no %s for %s on the line", name, ch.CallID)
					}
				}
				if err := l.Phone().Hangup(ctx, out.SIPCallID); err != nil {
					t.Fatal(err)
				}
				pe.WaitCall(phone.EventCallEnded, out.SIPCallID, nil)
				waitFor(t, "call_ended on the line", func() bool { return le.has("call_ended", ch.CallID) })
			})
		})
	}
}
