package wazoline

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/parley-voip/parley/internal/rtc"
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
				// The SDK's meaning: dialedExtension is the user's
				// extension, not the SIP username; sipStatus Initial.
				if in.DialedExtension != "1001" || in.CallerNumber != "5550100" || !in.Ringing || in.SessionState() != phone.SessionInitial {
					t.Fatalf("incoming: dialed %q caller %q ringing %v state %s", in.DialedExtension, in.CallerNumber, in.Ringing, in.SessionState())
				}
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
					return cs.Call != nil && cs.Call.Status == "Up" && cs.Call.AnswerTime != nil
				})
				pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))
				up := session(t, l, rc.SIPCallID, "answered and bridged", func(cs phone.CallSession) bool {
					return cs.Status == phone.StatusEstablished && talksTo(rc.PeerCallID)(cs)
				})
				checkServerCall(t, up, rc.PeerCallID)
				if up.SessionState() != phone.SessionEstablished || up.Ringing || up.DialedExtension != "1001" {
					t.Fatalf("answered: state %s ringing %v dialed %q", up.SessionState(), up.Ringing, up.DialedExtension)
				}
				for _, name := range []string{"call_created", "call_answered", "call_updated"} {
					// The line's subscribers may hear it a moment after the engine.
					waitFor(t, name+" on the line", func() bool { return le.has(name, rc.UserCallID) })
				}
				if err := l.Phone().Hangup(ctx, rc.SIPCallID); err != nil {
					t.Fatal(err)
				}
				if end := pe.WaitCall(phone.EventCallEnded, rc.SIPCallID, nil); end.SessionState() != phone.SessionTerminated {
					t.Fatalf("ended: state %s", end.SessionState())
				}
				waitFor(t, "call_ended on the line", func() bool { return le.has("call_ended", rc.UserCallID) })
			})

			t.Run("outgoing", func(t *testing.T) {
				out, err := l.Phone().Call(ctx, "9000")
				if err != nil {
					t.Fatal(err)
				}
				// ringing from the start, the user's extension as caller,
				// sipStatus Establishing (wazo-js-sdk WebRTCPhone.ts).
				if !out.Ringing || out.CallerNumber != "1001" || out.SessionState() != phone.SessionEstablishing {
					t.Fatalf("outgoing: ringing %v caller %q state %s", out.Ringing, out.CallerNumber, out.SessionState())
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
				up := session(t, l, out.SIPCallID, "established", func(cs phone.CallSession) bool { return cs.Status == phone.StatusEstablished })
				if up.CallerNumber != "1001" || up.SessionState() != phone.SessionEstablished || up.Ringing {
					t.Fatalf("answered: caller %q state %s ringing %v", up.CallerNumber, up.SessionState(), up.Ringing)
				}
				for _, name := range []string{"call_created", "call_answered", "call_updated"} {
					// The line's subscribers may hear it a moment after the engine.
					waitFor(t, name+" on the line", func() bool { return le.has(name, ch.CallID) })
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

// checkServerCall: CallSession.Call keeps calld's fields and nulls
// (wazo-calld plugins/calls/schemas.py CallSchema), in Go and in JSON.
func checkServerCall(t *testing.T, cs phone.CallSession, peer string) {
	t.Helper()
	sc := cs.Call
	if sc.UserUUID == nil || *sc.UserUUID != aliceUUID || sc.LineID == nil || sc.SIPCallID == nil || *sc.SIPCallID != cs.SIPCallID ||
		sc.CreationTime == nil || sc.AnswerTime == nil || sc.HangupTime != nil {
		t.Fatalf("server call %+v", sc)
	}
	if u, ok := sc.TalkingTo[peer]; !ok || u != nil {
		t.Fatalf("the scripted peer belongs to no user: talking_to %v", sc.TalkingTo)
	}
	raw, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		SessionState string         `json:"sessionState"`
		SIPStatus    string         `json:"sipStatus"`
		Call         map[string]any `json:"call"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	tt, _ := m.Call["talking_to"].(map[string]any)
	if v, ok := tt[peer]; m.SessionState != "Established" || m.SIPStatus != "established" || !ok || v != nil {
		t.Fatalf("json %s", raw)
	}
	for _, k := range []string{"user_uuid", "line_id", "is_video", "hangup_time", "parked"} {
		if _, ok := m.Call[k]; !ok {
			t.Errorf("call.%s missing in %s", k, raw)
		}
	}
	if m.Call["hangup_time"] != nil {
		t.Errorf("hangup_time %v, want null", m.Call["hangup_time"])
	}
}

// TestLineNumbersFromCalld: without the line's extension at hand (the
// engine knows only the SIP username), calld's call data still makes
// dialedExtension of an incoming call and callerNumber of an outgoing one
// the user's extension.
func TestLineNumbersFromCalld(t *testing.T) {
	e := newEnv(t)
	l, err := Connect(testCtx(t), e.url, "alice", "secret",
		WithPinnedCertificate(e.pin), WithLogger(testLogger()),
		WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0),
			phone.WithOwnNumber("")))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = l.Close(testCtx(t)) })
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)

	rc, err := e.stack.Ring(aliceUUID, "5550100", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	if in := pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil); in.DialedExtension != "alice-webrtc" {
		t.Fatalf("before calld: dialed %q, want the SIP username", in.DialedExtension)
	}
	pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, func(cs phone.CallSession) bool { return cs.DialedExtension == "1001" })
	if err := l.Phone().Reject(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallFailed, rc.SIPCallID, nil)

	out, err := l.Phone().Call(ctx, "9000")
	if err != nil {
		t.Fatal(err)
	}
	if out.CallerNumber != "alice-webrtc" {
		t.Fatalf("before calld: caller %q, want the SIP username", out.CallerNumber)
	}
	pe.WaitCall(phone.EventCallUpdated, out.SIPCallID, func(cs phone.CallSession) bool { return cs.CallerNumber == "1001" })
	pe.WaitCall(phone.EventCallAccepted, out.SIPCallID, nil)
	if err := l.Phone().Hangup(ctx, out.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallEnded, out.SIPCallID, nil)
}
