package wazoline

import (
	"errors"
	"runtime"
	"testing"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// Phase 2: the whole line against the stack's SIP side (WSS registrar,
// B2BUA, scripted peers).

// connectLine signs alice in and registers her WebRTC line.
func (e *env) connectLine(t *testing.T, user, password string) *Line {
	t.Helper()
	l, err := Connect(testCtx(t), e.url, user, password,
		WithPinnedCertificate(e.pin), WithLogger(testLogger()),
		WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = l.Close(testCtx(t)) })
	return l
}

func talksTo(peer string) func(phone.CallSession) bool {
	return func(cs phone.CallSession) bool {
		if cs.Call == nil {
			return false
		}
		_, ok := cs.Call.TalkingTo[peer]
		return ok
	}
}

func session(t *testing.T, l *Line, sip string, what string, ok func(phone.CallSession) bool) phone.CallSession {
	t.Helper()
	var cs phone.CallSession
	waitFor(t, what, func() bool {
		var found bool
		cs, found = l.Phone().Session(sip)
		return found && ok(cs)
	})
	return cs
}

func TestLineRegisters(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	// Connect returns after the first REGISTER's 200; the engine may
	// report the state a moment later.
	waitFor(t, "registered", func() bool { return l.Phone().Registration().State == phone.RegRegistered })
	reg := l.Phone().Registration()
	host := l.Phone().Account().Domain
	if want := "sip:alice-webrtc@" + host; reg.AOR != want {
		t.Errorf("AOR = %s, want %s", reg.AOR, want)
	}
}

func TestLineIncomingCall(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)

	rc, err := e.stack.Ring(aliceUUID, "5550100", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	in := pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
	if in.Number != "5550100" {
		t.Errorf("incoming number = %q", in.Number)
	}
	if err := l.Phone().Accept(ctx, rc.SIPCallID); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	cs := pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))
	if cs.CallID != rc.UserCallID || cs.Call.CallID != rc.UserCallID {
		t.Fatalf("CallID = %q / %q, want %q", cs.CallID, cs.Call.CallID, rc.UserCallID)
	}

	t.Run("mute goes to calld", func(t *testing.T) {
		if err := l.API().Mute(ctx, rc.SIPCallID); err != nil {
			t.Fatal(err)
		}
		session(t, l, rc.SIPCallID, "muted locally and on the server", func(cs phone.CallSession) bool {
			return cs.Muted && cs.Call != nil && cs.Call.Muted
		})
		if err := l.Unmute(ctx, rc.SIPCallID); err != nil {
			t.Fatal(err)
		}
		session(t, l, rc.SIPCallID, "unmuted", func(cs phone.CallSession) bool {
			return !cs.Muted && cs.Call != nil && !cs.Call.Muted
		})
	})

	t.Run("hold and resume", func(t *testing.T) {
		if err := l.Phone().Hold(ctx, rc.SIPCallID); err != nil {
			t.Fatal(err)
		}
		session(t, l, rc.SIPCallID, "Call.OnHold", func(cs phone.CallSession) bool { return cs.Call != nil && cs.Call.OnHold })
		if c, _ := e.stack.Calls().Get(rc.UserCallID); !c.OnHold {
			t.Error("the stack does not see the call held")
		}
		if err := l.Phone().Resume(ctx, rc.SIPCallID); err != nil {
			t.Fatal(err)
		}
		session(t, l, rc.SIPCallID, "Call.OnHold cleared", func(cs phone.CallSession) bool { return cs.Call != nil && !cs.Call.OnHold })
	})

	if err := l.Phone().Hangup(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallEnded, rc.SIPCallID, nil)
	waitFor(t, "the caller sees the end", func() bool {
		select {
		case <-rc.Done():
			return true
		default:
			return false
		}
	})
}

func TestLineReject(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	pe := phonetest.Record(t, l.Phone())
	rc, err := e.stack.Ring(aliceUUID, "5550101", "Spam")
	if err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
	if err := l.Phone().Reject(testCtx(t), rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallFailed, rc.SIPCallID, nil)
	waitFor(t, "the caller gets 603", func() bool { return rc.Status() == 603 })
	waitFor(t, "the channels are gone", func() bool { return len(e.stack.Calls().UserCalls(aliceUUID)) == 0 })
}

func TestLineOutgoingCall(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)
	out, err := l.Phone().Call(ctx, "9000")
	if err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallAccepted, out.SIPCallID, nil)
	cs := pe.WaitCall(phone.EventCallUpdated, out.SIPCallID, func(cs phone.CallSession) bool {
		return cs.Call != nil && len(cs.Call.TalkingTo) == 1
	})
	ch, ok := e.stack.Calls().FindBySIPCallID(out.SIPCallID)
	if !ok {
		t.Fatal("the stack has no channel for the call")
	}
	if cs.CallID != ch.CallID || !cs.Call.IsCaller {
		t.Fatalf("CallID = %q (caller %v), want %q", cs.CallID, cs.Call.IsCaller, ch.CallID)
	}
	if err := l.Phone().Hangup(ctx, out.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallEnded, out.SIPCallID, nil)
}

// TestLineSocketKilledMidCall: the event socket dies while a call is up;
// what happens meanwhile (a hold) comes back through the resync.
func TestLineSocketKilledMidCall(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)
	rc, err := e.stack.Ring(aliceUUID, "5550102", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
	if err := l.Phone().Accept(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))

	e.stack.KillWebsockets()
	if err := l.Phone().Hold(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	cs := session(t, l, rc.SIPCallID, "hold known after the reconnect", func(cs phone.CallSession) bool {
		return cs.Call != nil && cs.Call.OnHold
	})
	if cs.CallID != rc.UserCallID || (!cs.IsActive() && cs.Status != phone.StatusHeld) {
		t.Fatalf("call state lost: %+v", cs)
	}
	waitFor(t, "the socket back", func() bool { return len(e.stack.Websockets()) == 1 })
	if err := l.Phone().Hangup(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallEnded, rc.SIPCallID, nil)
}

// TestLineTokenExpiresMidCall: the session expires during a call; the
// client refreshes it, the socket follows, and call data keeps flowing.
func TestLineTokenExpiresMidCall(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)
	rc, err := e.stack.Ring(aliceUUID, "5550103", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
	if err := l.Phone().Accept(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))

	before := e.stack.Stats().Refreshes
	s, _ := l.Client().Session()
	if !e.stack.ExpireToken(s.Token) {
		t.Fatal("unknown token")
	}
	waitFor(t, "a refresh", func() bool { return e.stack.Stats().Refreshes > before })
	if err := l.Mute(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	session(t, l, rc.SIPCallID, "server mute after the refresh", func(cs phone.CallSession) bool {
		return cs.Call != nil && cs.Call.Muted && cs.CallID == rc.UserCallID
	})
	if cs, _ := l.Phone().Session(rc.SIPCallID); !cs.IsActive() {
		t.Fatalf("the call did not survive: %+v", cs)
	}
}

// TestLineTwoCalls: two simultaneous calls keep their own calld ids and
// peers (matched strictly on sip_call_id).
func TestLineTwoCalls(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)
	var rcs []*wazostandin.RingingCall
	for _, num := range []string{"5550201", "5550202"} {
		rc, err := e.stack.Ring(aliceUUID, num, "Caller "+num)
		if err != nil {
			t.Fatal(err)
		}
		pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
		if err := l.Phone().Accept(ctx, rc.SIPCallID); err != nil {
			t.Fatal(err)
		}
		pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))
		rcs = append(rcs, rc)
	}
	for i, rc := range rcs {
		cs := session(t, l, rc.SIPCallID, "second call's data", func(cs phone.CallSession) bool { return cs.Call != nil })
		if cs.CallID != rc.UserCallID || cs.Call.CallID != rc.UserCallID {
			t.Errorf("call %d: CallID %q / %q, want %q", i, cs.CallID, cs.Call.CallID, rc.UserCallID)
		}
		if _, ok := cs.Call.TalkingTo[rc.PeerCallID]; !ok || len(cs.Call.TalkingTo) != 1 {
			t.Errorf("call %d: talking_to %v, want only %s", i, cs.Call.TalkingTo, rc.PeerCallID)
		}
	}
	// The first call was held by Accept of the second (docs/wazo-protocol.md, Lines and registration).
	session(t, l, rcs[0].SIPCallID, "first call held on the server", func(cs phone.CallSession) bool { return cs.Call.OnHold })
	rcs[0].Hangup()
	pe.WaitCall(phone.EventCallEnded, rcs[0].SIPCallID, nil)
	if cs, _ := l.Phone().Session(rcs[1].SIPCallID); cs.CallID != rcs[1].UserCallID {
		t.Fatalf("the second call lost its calld id: %+v", cs)
	}
}

// TestLineCloseStopsEverything: Close hangs up, unregisters, logs out and
// leaves no goroutine behind. A first line warms the stack's SIP side up
// (it starts its own goroutines on first use) before counting.
func TestLineCloseStopsEverything(t *testing.T) {
	e := newEnv(t)
	cycle := func() {
		l, err := Connect(testCtx(t), e.url, "alice", "secret", WithPinnedCertificate(e.pin), WithLogger(testLogger()),
			WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
		if err != nil {
			t.Fatal(err)
		}
		pe := phonetest.Record(t, l.Phone())
		rc, err := e.stack.Ring(aliceUUID, "5550300", "Customer")
		if err != nil {
			t.Fatal(err)
		}
		pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
		if err := l.Phone().Accept(testCtx(t), rc.SIPCallID); err != nil {
			t.Fatal(err)
		}
		pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))
		before := e.stack.Stats().Revocations
		if err := l.Close(testCtx(t)); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := l.Close(testCtx(t)); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if e.stack.Stats().Revocations <= before {
			t.Error("Close did not revoke the session")
		}
		waitFor(t, "the caller hung up by Close", func() bool {
			select {
			case <-rc.Done():
				return true
			default:
				return false
			}
		})
		if err := l.Mute(testCtx(t), rc.SIPCallID); !errors.Is(err, ErrClosed) {
			t.Errorf("Mute after Close: %v, want ErrClosed", err)
		}
	}
	cycle()
	waitFor(t, "no websocket left", func() bool { return len(e.stack.Websockets()) == 0 })
	runtime.GC()
	base := runtime.NumGoroutine()
	cycle()
	waitFor(t, "goroutines back to the baseline", func() bool { return runtime.NumGoroutine() <= base })
}
