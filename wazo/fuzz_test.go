package wazo

// Fuzz campaigns for what a Wazo stack (or whatever answers in its place)
// sends: websocketd frames and REST bodies. Run them with scripts/fuzz.sh
// (docs/testing.md, "Fuzzing").

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-voip/parley/wazo/wire"
)

// eventSeeds are real websocketd frames (docs/wazo-protocol.md, Event
// websocket).
var eventSeeds = []string{
	`{"op":"init","code":0,"data":{}}`,
	`{"op":"start","code":0}`,
	`{"op":"pong","data":{"payload":"pong"}}`,
	`{"op":"event","data":{"name":"call_created","origin_uuid":"o","required_acl":"events.calls.u","tenant_uuid":"t","user_uuid:u":true,` +
		`"data":{"call_id":"1.1","user_uuid":"u","status":"Ringing","talking_to":{"1.2":"u2"},"sip_call_id":"abc","creation_time":"2026-01-01T00:00:00.000+0000","is_caller":true,"on_hold":false,"muted":false}}}`,
	`{"op":"event","data":{"name":"call_held","user_uuid:*":true,"data":{"call_id":"1.1","user_uuid":"u"}}}`,
	`{"op":"event","data":{"name":"call_dtmf_created","data":{"call_id":"1.1","digit":"5","user_uuid":"u"}}}`,
	`{"op":"event","data":{"name":"conference_adhoc_participant_joined","data":{"conference_id":"c","call_id":"1.3"}}}`,
	`{"op":"event","data":{"name":"transfer_created","data":{"id":"t","initiator_uuid":"u","transferred_call":"1.1","initiator_call":"1.2","recipient_call":null,"status":"starting","flow":"attended"}}}`,
	`{"op":"event","data":{"name":"call_ended","data":null}}`,
	`{"op":"event","data":[]}`,
}

// FuzzEventFrame runs one websocketd frame through the decoding the event
// socket does (EventSocket.session: wire.Message, parseEvent) and every
// typed decoder a consumer may call on the event.
func FuzzEventFrame(f *testing.F) {
	for _, s := range eventSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m wire.Message
		if json.Unmarshal(b, &m) != nil {
			return
		}
		ev, err := parseEvent(m.Data)
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("parseEvent error not ErrBadResponse: %v", err)
			}
			return
		}
		_ = ev.ForUser("u")
		_ = ev.IsCallEvent()
		check := func(err error) {
			if err != nil && !errors.Is(err, ErrBadResponse) {
				t.Fatalf("decoder error not ErrBadResponse: %v", err)
			}
		}
		c, err := ev.Call()
		check(err)
		_, _, _ = c.TalkingToIDs(), c.IsUp(), c.IsRinging()
		_, err = ev.Hold()
		check(err)
		_, err = ev.DTMF()
		check(err)
		_, err = ev.Conference()
		check(err)
		_, err = ev.Transfer()
		check(err)
	})
}

// fuzzReply is what the fuzzed server answers next.
type fuzzReply struct {
	mu     sync.Mutex
	status int
	body   []byte
}

func (r *fuzzReply) set(status int, body []byte) {
	r.mu.Lock()
	r.status, r.body = status, body
	r.mu.Unlock()
}

func (r *fuzzReply) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	r.mu.Lock()
	status, body := r.status, r.body
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FuzzRESTBody has a server answer every request with the fuzzed status
// and body, and calls the client's decoding methods against it: each one
// returns (an error or a value) within its deadline and never panics.
func FuzzRESTBody(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"call_id":"1.1","status":"Up","talking_to":{"1.2":"u"}}]}`,
		`{"items":[{"id":"t","status":"answered"}]}`,
		`{"data":{"token":"tok","metadata":{"uuid":"u","tenant_uuid":"t"},"acl":["a"],"utc_expires_at":"2026-01-01T00:00:00.000000","expires_at":"x"}}`,
		`{"uuid":"u","firstname":"A","lines":[{"id":1,"protocol":"sip"}]}`,
		`{"id":1,"name":"n","auth_section_options":[["username","a"]],"endpoint_section_options":[["webrtc","yes"]]}`,
		`{"reason":["No such token"],"message":"x"}`,
		`{"conference_id":"c"}`, `null`, `[]`, ``, `{`,
	} {
		for _, st := range []uint16{200, 201, 400, 401, 404, 503} {
			f.Add(st, []byte(s))
		}
	}
	reply := &fuzzReply{status: 200}
	srv := httptest.NewServer(reply)
	f.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, WithHTTPClient(srv.Client()))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = c.Close() })
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		st := 200 + int(status)%400 // 200…599
		reply.set(st, body)
		c.SetSession(Session{Token: "tok", UserUUID: "u", ExpiresAt: time.Now().Add(time.Hour)})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		calls := []func() error{
			func() error { _, err := c.Calls(ctx); return err },
			func() error { _, err := c.Transfers(ctx); return err },
			func() error { _, err := c.User(ctx); return err },
			func() error { _, err := c.Infos(ctx); return err },
			func() error { _, err := c.Lines(ctx); return err },
			func() error { _, err := c.SIPEndpoint(ctx, 1); return err },
			func() error { _, err := c.WebRTCLine(ctx); return err },
			func() error { _, err := c.CreateAdhocConference(ctx, "1.1", []string{"1.2"}); return err },
			func() error { _, err := c.CreateTransfer(ctx, TransferRequest{}); return err },
			func() error { return c.Hold(ctx, "1.1") },
			func() error { _, err := c.Login(ctx, "u", "p"); return err },
		}
		for i, call := range calls {
			if err := call(); err != nil && ctx.Err() != nil {
				t.Fatalf("call %d blocked until the deadline: %v", i, err)
			}
		}
	})
}

// countingHandler counts WARN+ records by message.
type countingHandler struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelWarn {
		h.n[r.Message]++
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func (h *countingHandler) count(msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[msg]
}

// TestGarbageFramesLoggedOnce: a websocketd that sends 200 unreadable
// frames and 200 unreadable events is logged once for each kind, and the
// event after them is still delivered.
func TestGarbageFramesLoggedOnce(t *testing.T) {
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.WriteJSON(wire.Message{Op: wire.OpInit})
		for {
			var m wire.Message
			if conn.ReadJSON(&m) != nil {
				return
			}
			if m.Op != wire.OpStart {
				continue
			}
			_ = conn.WriteJSON(wire.Message{Op: wire.OpStart})
			for i := 0; i < 200; i++ {
				_ = conn.WriteMessage(websocket.TextMessage, []byte("not json at all {"))
				_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"op":"event","data":"a string, not an event"}`))
			}
			_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"op":"event","data":{"name":"call_held","data":{"call_id":"1.1"}}}`))
		}
	}))
	defer srv.Close()
	logs := &countingHandler{n: map[string]int{}}
	c, err := NewClient(srv.URL, WithLogger(slog.New(logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetSession(Session{Token: "tok", UserUUID: "u", ExpiresAt: time.Now().Add(time.Hour)})
	got := make(chan Event, 1)
	s := c.NewEventSocket(EventSocketConfig{Handler: func(ev Event) {
		select {
		case got <- ev:
		default:
		}
	}})
	s.Start()
	defer s.Close()
	select {
	case ev := <-got:
		if ev.Name != "call_held" {
			t.Fatalf("first event delivered: %q", ev.Name)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the event after the garbage was never delivered")
	}
	for _, msg := range []string{"wazo: unreadable websocketd frame", "wazo: bad event"} {
		if n := logs.count(msg); n != 1 {
			t.Errorf("%q logged %d times for 200, want 1", msg, n)
		}
	}
}
