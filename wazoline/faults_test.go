package wazoline

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// connectVia signs alice in through addr (a relay in front of the stack):
// REST, the event socket and SIP over WSS all take that path.
func (e *env) connectVia(t *testing.T, addr string) *Line {
	t.Helper()
	l, err := Connect(testCtx(t), "https://"+addr, "alice", "secret",
		WithPinnedCertificate(e.pin), WithLogger(testLogger()),
		WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = l.Close(testCtx(t)) })
	return l
}

// eventCounter counts the line's events per name and call id.
type eventCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func countEvents(t *testing.T, l *Line) *eventCounter {
	c := &eventCounter{n: map[string]int{}}
	evs, stop := l.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range evs {
			var d struct {
				CallID string `json:"call_id"`
			}
			_ = json.Unmarshal(ev.Data, &d)
			key := ev.Name + "/" + d.CallID
			c.mu.Lock()
			c.n[key]++
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() { stop(); <-done })
	return c
}

func (c *eventCounter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// TestLineEventSocketFaultsMidCall kills the Wazo event websocket under a
// connected call, in the two ways a network does it: a TCP reset (the
// client hears about it at once) and a black hole (the path goes silent,
// nothing ever closes: only the heartbeat can tell). Only the websocket's
// connection is hit; SIP over WSS and REST go on. Each time the line must
// notice, reconnect, resync what changed meanwhile, keep the call, and not
// hand any event over twice.
func TestLineEventSocketFaultsMidCall(t *testing.T) {
	e := newEnv(t)
	relay := testrig.StartTCPRelay(t, e.url[len("https://"):])
	l := e.connectVia(t, relay.Addr)
	count := countEvents(t, l)
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)
	rc, err := e.stack.Ring(aliceUUID, "5550180", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
	if err := l.Phone().Accept(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))
	m := e.stack.Calls()

	for i, tc := range []struct {
		name string
		hit  func(serverSeen string) bool
	}{
		{"tcp reset", relay.ResetConn},
		{"black hole", relay.BlackHoleConn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var socks []wazostandin.WebsocketInfo
			waitFor(t, "one started websocket", func() bool {
				socks = e.stack.Websockets()
				return len(socks) == 1 && socks[0].Started && l.EventSocketConnected()
			})
			old := socks[0].RemoteAddr
			start := time.Now()
			if !tc.hit(old) {
				t.Fatalf("the relay does not carry the websocket from %s", old)
			}
			waitFor(t, "the line to notice the dead socket", func() bool { return !l.EventSocketConnected() })
			noticed := time.Since(start)
			// Changed while the line is away: websocketd drops these events
			// for it, the resync after the reconnect must bring the state.
			muted := i%2 == 0
			if err := m.SetMuted(rc.UserCallID, muted); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a new websocket, started", func() bool {
				for _, s := range e.stack.Websockets() {
					if s.RemoteAddr != old && s.Started {
						return l.EventSocketConnected()
					}
				}
				return false
			})
			back := time.Since(start)
			session(t, l, rc.SIPCallID, "the mute change resynced", func(cs phone.CallSession) bool {
				return cs.Call != nil && cs.Call.Muted == muted
			})
			t.Logf("%s: noticed after %v, event socket back after %v", tc.name, noticed.Round(10*time.Millisecond), back.Round(10*time.Millisecond))

			// Live again: one hold, delivered once.
			key := "call_held/" + rc.UserCallID
			before := count.get(key)
			if err := m.SetHold(rc.UserCallID, true); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the hold event", func() bool { return count.get(key) > before })
			if err := m.SetHold(rc.UserCallID, false); err != nil {
				t.Fatal(err)
			}
			rkey := "call_resumed/" + rc.UserCallID
			waitFor(t, "the resume event", func() bool { return count.get(rkey) > 0 })
			if n := count.get(key) - before; n != 1 {
				t.Errorf("call_held delivered %d times after the reconnect, want once", n)
			}
			if cs, _ := l.Phone().Session(rc.SIPCallID); !cs.IsActive() {
				t.Fatalf("the call did not survive: %+v", cs)
			}
			if st := l.Phone().Registration().State; st != phone.RegRegistered {
				t.Errorf("registration = %s after an event-socket fault, want registered (SIP was not hit)", st)
			}
		})
	}
	if n := count.get("call_created/" + rc.UserCallID); n > 1 {
		t.Errorf("call_created delivered %d times", n)
	}
	if err := l.Phone().Hangup(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallEnded, rc.SIPCallID, nil)
}

// TestLineAllFlowsDieMidCall: every connection the line has open dies
// silently at once (a NAT that lost its bindings, a VPN that reconnected):
// the event socket, SIP over WSS and the pooled REST connections. New
// connections get through. The line must notice both sockets, come back
// on new connections, resync what changed meanwhile (over a new REST
// connection, not the dead pooled one) and keep the call.
func TestLineAllFlowsDieMidCall(t *testing.T) {
	e := newEnv(t)
	relay := testrig.StartTCPRelay(t, e.url[len("https://"):])
	l, err := Connect(testCtx(t), "https://"+relay.Addr, "alice", "secret",
		WithPinnedCertificate(e.pin), WithLogger(testLogger()),
		WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0),
			phone.WithKeepAlive(2*time.Second))) // short only to keep the test fast
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = l.Close(testCtx(t)) })
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)
	rc, err := e.stack.Ring(aliceUUID, "5550181", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
	if err := l.Phone().Accept(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallUpdated, rc.SIPCallID, talksTo(rc.PeerCallID))
	// A REST call now leaves an idle pooled connection behind.
	if _, err := l.Client().Calls(ctx); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	if n := relay.BlackHoleCurrent(); n < 2 {
		t.Fatalf("only %d connections to fail", n)
	}
	waitFor(t, "the line to notice the dead event socket", func() bool { return !l.EventSocketConnected() })
	if err := e.stack.Calls().SetMuted(rc.UserCallID, true); err != nil {
		t.Fatal(err)
	}
	pe.Next(phone.EventRegisterFailed)
	t.Logf("SIP flow loss shown after %v", time.Since(start).Round(10*time.Millisecond))
	pe.Next(phone.EventRegistered)
	t.Logf("registered again after %v", time.Since(start).Round(10*time.Millisecond))
	session(t, l, rc.SIPCallID, "the mute change resynced", func(cs phone.CallSession) bool {
		return cs.Call != nil && cs.Call.Muted
	})
	t.Logf("event socket back and resynced after %v", time.Since(start).Round(10*time.Millisecond))
	if cs, _ := l.Phone().Session(rc.SIPCallID); !cs.IsActive() {
		t.Fatalf("the call did not survive: %+v", cs)
	}
	if err := l.Phone().Hangup(ctx, rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallEnded, rc.SIPCallID, nil)
}
