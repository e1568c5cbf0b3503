package wazo

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

func startSocket(t *testing.T, c *Client, evs *events, resyncs *atomic.Int32) (*EventSocket, *atomic.Int32) {
	t.Helper()
	var started atomic.Int32
	s := c.NewEventSocket(EventSocketConfig{
		Handler: evs.add,
		Resync:  func(ctx context.Context) { resyncs.Add(1) },
		OnState: func(st SocketState) {
			if st == SocketStarted {
				started.Add(1)
			}
		},
		MinDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond,
	})
	s.Start()
	t.Cleanup(func() { s.Close() })
	waitFor(t, "socket started", func() bool { return started.Load() >= 1 })
	return s, &started
}

func TestEventSocketEventsAndReconnect(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	evs := &events{}
	var resyncs atomic.Int32
	_, started := startSocket(t, c, evs, &resyncs)
	if ws := e.stack.Websockets(); len(ws) != 1 || !ws[0].Started || ws[0].Subscriptions[0] != "*" {
		t.Fatalf("server view %+v", ws)
	}
	if resyncs.Load() != 0 {
		t.Fatal("no resync on the first connection")
	}
	m := e.stack.Calls()
	h1, p1 := aliceCall(t, m, aliceUUID)
	waitFor(t, "call_updated with talking_to", func() bool {
		_, ok := evs.find(func(ev Event) bool {
			if ev.Name != "call_updated" {
				return false
			}
			cl, err := ev.Call()
			return err == nil && cl.CallID == h1 && len(cl.TalkingTo) == 1 && cl.TalkingToIDs()[0] == p1 && cl.SIPCallID != ""
		})
		return ok
	})
	if ev, _ := evs.find(func(ev Event) bool { return ev.Name == "call_created" }); !ev.ForUser(aliceUUID) {
		t.Fatalf("call_created envelope %s", ev.Raw)
	}

	// The server kills the socket: reconnect, re-subscribe, resync.
	e.stack.KillWebsockets()
	waitFor(t, "reconnect", func() bool { return started.Load() >= 2 && resyncs.Load() >= 1 })
	waitFor(t, "server sees a started socket", func() bool {
		ws := e.stack.Websockets()
		return len(ws) == 1 && ws[0].Started && len(ws[0].Subscriptions) == 1
	})
	// Conference events flow on the new connection and decode.
	_, p2 := aliceCall(t, m, aliceUUID)
	cid, err := c.CreateAdhocConference(ctx(t), h1, []string{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "participant_joined p2", func() bool {
		_, ok := evs.find(func(ev Event) bool {
			ce, err := ev.Conference()
			return ev.Name == "conference_adhoc_participant_joined" && err == nil && ce.ConferenceID == cid && ce.CallID == p2
		})
		return ok
	})
	if err := c.DeleteAdhocConference(ctx(t), cid); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "conference deleted", func() bool {
		_, ok := evs.find(func(ev Event) bool { return ev.Name == "conference_adhoc_deleted" })
		return ok
	})
	ended, _ := evs.find(func(ev Event) bool { return ev.Name == "call_ended" })
	if cl, err := ended.Call(); err != nil || cl.ReasonCode == nil {
		t.Fatalf("call_ended %s", ended.Raw)
	}
}

func TestEventSocketTokenExpiry4003(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	evs := &events{}
	var resyncs atomic.Int32
	_, started := startSocket(t, c, evs, &resyncs)
	s, _ := c.Session()
	e.stack.ExpireToken(s.Token) // the server closes with 4003
	waitFor(t, "refresh + reconnect", func() bool { return started.Load() >= 2 && e.stack.Stats().Refreshes == 1 })
	now, _ := c.Session()
	waitFor(t, "server uses the new token", func() bool {
		ws := e.stack.Websockets()
		return len(ws) == 1 && ws[0].Token == now.Token && ws[0].Started
	})
	// events still flow
	e.stack.Calls().NewChannel(wazostandin.ChannelSpec{UserUUID: aliceUUID})
	waitFor(t, "event after 4003", func() bool {
		_, ok := evs.find(func(ev Event) bool { return ev.Name == "call_created" })
		return ok
	})
}

func TestEventSocketTokenRenewal(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	evs := &events{}
	var resyncs atomic.Int32
	_, started := startSocket(t, c, evs, &resyncs)
	if err := c.Refresh(ctx(t)); err != nil {
		t.Fatal(err)
	}
	now, _ := c.Session()
	waitFor(t, "op:token accepted", func() bool {
		ws := e.stack.Websockets()
		return len(ws) == 1 && ws[0].Token == now.Token
	})
	// same connection (no reconnect) and the old token may now expire
	old := started.Load()
	e.stack.Calls().NewChannel(wazostandin.ChannelSpec{UserUUID: aliceUUID})
	waitFor(t, "event after renewal", func() bool {
		_, ok := evs.find(func(ev Event) bool { return ev.Name == "call_created" })
		return ok
	})
	if started.Load() != old || resyncs.Load() != 0 {
		t.Fatalf("renewal must not reconnect: started %d resyncs %d", started.Load(), resyncs.Load())
	}
}

func TestEventSocketHeartbeatAndClose(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	var started atomic.Int32
	s := c.NewEventSocket(EventSocketConfig{Heartbeat: 20 * time.Millisecond,
		OnState: func(st SocketState) {
			if st == SocketStarted {
				started.Add(1)
			}
		}})
	s.Start()
	waitFor(t, "started", func() bool { return started.Load() == 1 })
	time.Sleep(100 * time.Millisecond) // several ping/pong rounds; a missing pong would reconnect
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "server sees the close", func() bool { return len(e.stack.Websockets()) == 0 })
	if started.Load() != 1 {
		t.Fatalf("heartbeat caused reconnects: %d", started.Load())
	}
}
