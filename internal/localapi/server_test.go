package localapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

const testToken = "test-token-0123456789abcdef"

func startServer(t *testing.T, cfg Config) (*Server, *phonetest.Engine) {
	t.Helper()
	eng := phonetest.New()
	t.Cleanup(eng.Close)
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	s, err := Listen(eng, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, eng
}

// post sends a command with the given headers; host overrides the Host
// header when set.
func post(t *testing.T, s *Server, body string, header http.Header, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL()+"/v1/commands", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func bearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

func TestRefused(t *testing.T) {
	s, eng := startServer(t, Config{AllowedOrigins: []string{"https://crm.example.com"}})
	const call = `{"cmd":"call","number":"1002"}`
	withOrigin := func(o string) http.Header { h := bearer(testToken); h.Set("Origin", o); return h }
	tests := []struct {
		name   string
		header http.Header
		host   string
		want   int
	}{
		{"no token", http.Header{}, "", http.StatusUnauthorized},
		{"wrong token", bearer("test-token-0123456789abcdeX"), "", http.StatusUnauthorized},
		{"token prefix", bearer(testToken[:20]), "", http.StatusUnauthorized},
		{"basic auth", http.Header{"Authorization": {"Basic " + testToken}}, "", http.StatusUnauthorized},
		{"foreign Origin", withOrigin("https://evil.example.com"), "", http.StatusForbidden},
		{"null Origin", withOrigin("null"), "", http.StatusForbidden},
		{"localhost lookalike Origin", withOrigin("http://localhost.evil.example.com"), "", http.StatusForbidden},
		// DNS rebinding: the page's own name resolved to 127.0.0.1.
		{"foreign Host", bearer(testToken), "evil.example.com:7393", http.StatusForbidden},
		{"foreign Host without token", http.Header{}, "evil.example.com", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := post(t, s, call, tt.header, tt.host)
			if code != tt.want {
				t.Fatalf("status %d (%s), want %d", code, body, tt.want)
			}
		})
	}
	if ops := eng.Ops(); len(ops) != 0 {
		t.Errorf("refused requests reached the phone: %v", ops)
	}

	// The same checks guard the websocket.
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	for name, h := range map[string]http.Header{
		"no token":       {},
		"foreign Origin": withOrigin("https://evil.example.com"),
	} {
		_, resp, err := d.Dial(wsURL(s), h)
		if err == nil || resp == nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) {
			t.Errorf("websocket with %s: %v, %v", name, err, resp)
		}
	}

	// Allowed: the local machine's origins and the listed one.
	for _, o := range []string{"http://localhost:3000", "http://127.0.0.1", "http://[::1]:8080", "https://crm.example.com"} {
		if code, body := post(t, s, `{"cmd":"status"}`, withOrigin(o), ""); code != http.StatusOK {
			t.Errorf("Origin %s: status %d (%s)", o, code, body)
		}
	}
	for _, h := range []string{"localhost", "LOCALHOST:7393", "[::1]:7393"} {
		if code, body := post(t, s, `{"cmd":"status"}`, bearer(testToken), h); code != http.StatusOK {
			t.Errorf("Host %s: status %d (%s)", h, code, body)
		}
	}
}

func TestListenRefuses(t *testing.T) {
	eng := phonetest.New()
	defer eng.Close()
	for _, tt := range []struct {
		cfg  Config
		want error
	}{
		{Config{Addr: "0.0.0.0:0", Token: testToken}, ErrNotLoopback},
		{Config{Addr: "192.0.2.1:0", Token: testToken}, ErrNotLoopback},
		{Config{Addr: "example.com:0", Token: testToken}, ErrNotLoopback},
		{Config{Addr: ":0", Token: testToken}, ErrNotLoopback},
		{Config{Addr: "127.0.0.1:0"}, ErrNoToken},
		{Config{Addr: "127.0.0.1:0", Token: "short"}, ErrNoToken},
	} {
		if s, err := Listen(eng, tt.cfg); !errors.Is(err, tt.want) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Listen(%+v): %v, want %v", tt.cfg, err, tt.want)
		}
	}
}

func wsURL(s *Server) string { return "ws://" + s.Addr().String() + "/v1/ws" }

// wsClient reads the websocket's lines on a goroutine of its own.
type wsClient struct {
	t     *testing.T
	conn  *websocket.Conn
	lines chan map[string]any
}

func dialWS(t *testing.T, s *Server) *wsClient {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	conn, resp, err := d.Dial(wsURL(s), bearer(testToken))
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	c := &wsClient{t: t, conn: conn, lines: make(chan map[string]any, 256)}
	go func() {
		defer close(c.lines)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if bytes.Contains(msg, []byte("\n")) {
				t.Errorf("one message holds several lines: %q", msg)
			}
			var m map[string]any
			if err := json.Unmarshal(msg, &m); err != nil {
				t.Errorf("not JSON: %q", msg)
				continue
			}
			c.lines <- m
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return c
}

func (c *wsClient) send(cmd string) {
	c.t.Helper()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(cmd)); err != nil {
		c.t.Fatal(err)
	}
}

// expect waits for the first line with the event (and, for a response,
// the id); a generous deadline, since the machine may be busy.
func (c *wsClient) expect(event, id string) map[string]any {
	c.t.Helper()
	deadline := time.After(30 * time.Second)
	var seen []string
	for {
		select {
		case m, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("the websocket closed while waiting for %s (saw %v)", event, seen)
			}
			seen = append(seen, m["event"].(string))
			if m["event"] == event && (id == "" || m["id"] == id) {
				return m
			}
		case <-deadline:
			c.t.Fatalf("no %s within 30 s (saw %v)", event, seen)
		}
	}
}

func TestCallOverTheAPI(t *testing.T) {
	s, eng := startServer(t, Config{})
	c := dialWS(t, s)
	c.expect("ready", "")

	// Click-to-call over the websocket: the phone places the call, the
	// reply and the call's events come back.
	c.send(`{"cmd":"call","number":"+33 1 23 45 67 89","id":"c1"}`)
	r := c.expect("response", "c1")
	if r["ok"] != true {
		t.Fatalf("call reply: %v", r)
	}
	id, _ := r["sipCallId"].(string)
	if id == "" {
		t.Fatalf("no sipCallId in %v", r)
	}
	out := c.expect("call_outgoing", "")
	if call, _ := out["call"].(map[string]any); call["sipCallId"] != id {
		t.Errorf("call_outgoing for %v, want %s", out["call"], id)
	}
	if ops := eng.Ops(); !slices.Contains(ops, "Call +33 1 23 45 67 89") {
		t.Errorf("phone ops %v", ops)
	}
	if err := eng.Answer(id); err != nil {
		t.Fatal(err)
	}
	c.expect("call_accepted", "")

	// Hang up with the one-shot POST: the reply comes in the response, the
	// event on the websocket.
	code, body := post(t, s, `{"cmd": "hangup",
		"id": "h1"}`, bearer(testToken), "")
	if code != http.StatusOK {
		t.Fatalf("hangup: %d %s", code, body)
	}
	var reply map[string]any
	if err := json.Unmarshal([]byte(body), &reply); err != nil || reply["event"] != "response" || reply["id"] != "h1" || reply["sipCallId"] != id || reply["ok"] != true {
		t.Fatalf("hangup reply %s: %v", body, err)
	}
	c.expect("call_ended", "")

	// A command that fails: 422 with the headless error sentence.
	code, body = post(t, s, `{"cmd":"hold","id":"x"}`, bearer(testToken), "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `"ok":false`) || !strings.Contains(body, `"error"`) {
		t.Errorf("hold without a call: %d %s", code, body)
	}
	// Not one command object: 400.
	for _, bad := range []string{``, `[1]`, `{"cmd":"status"}{"cmd":"quit"}`, `{"cmd":`} {
		if code, body := post(t, s, bad, bearer(testToken), ""); code != http.StatusBadRequest {
			t.Errorf("body %q: %d %s", bad, code, body)
		}
	}

	// An incoming call reaches the websocket; accept answers it.
	in := eng.Ring("1003", "Alice")
	ev := c.expect("call_incoming", "")
	if call, _ := ev["call"].(map[string]any); call["sipCallId"] != in.ID() || call["displayName"] != "Alice" {
		t.Errorf("call_incoming %v", ev)
	}
	c.send(`{"cmd":"accept","id":"a1"}`)
	if r := c.expect("response", "a1"); r["ok"] != true || r["sipCallId"] != in.ID() {
		t.Errorf("accept reply %v", r)
	}
	c.expect("call_accepted", "")

	// quit ends this connection only.
	c.send(`{"cmd":"quit","id":"q"}`)
	c.expect("response", "q")
	deadline := time.After(30 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-c.lines:
		case <-deadline:
			t.Fatal("the websocket stayed open after quit")
		}
	}
	if code, _ := post(t, s, `{"cmd":"status"}`, bearer(testToken), ""); code != http.StatusOK {
		t.Errorf("the API stopped with the session: %d", code)
	}
	if _, ok := eng.Session(in.ID()); !ok {
		t.Error("quit on the API touched the call")
	}
}

func TestCloseEndsSessions(t *testing.T) {
	eng := phonetest.New()
	defer eng.Close()
	s, err := Listen(eng, Config{Addr: "127.0.0.1:0", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	c := dialWS(t, s)
	c.expect("ready", "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-c.lines:
		case <-deadline:
			t.Fatal("the websocket stayed open after Close")
		}
	}
	if _, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second); err == nil {
		t.Error("still listening after Close")
	}
}

// TestBrowserClients: a page of an allowed origin can call the API as a
// browser does: CORS preflight, then POST with the token; the websocket
// with the token as a subprotocol, since browsers cannot set its headers.
func TestBrowserClients(t *testing.T) {
	const crm = "https://crm.example.com"
	s, eng := startServer(t, Config{AllowedOrigins: []string{crm}})

	pre, err := http.NewRequest("OPTIONS", s.URL()+"/v1/commands", nil)
	if err != nil {
		t.Fatal(err)
	}
	pre.Header.Set("Origin", crm)
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != crm ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	// A preflight from a foreign origin is refused like anything else.
	pre.Header.Set("Origin", "https://evil.example.com")
	if resp, err := http.DefaultClient.Do(pre); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign preflight: %v %v", resp, err)
	}

	h := bearer(testToken)
	h.Set("Origin", crm)
	req, _ := http.NewRequest("POST", s.URL()+"/v1/commands", strings.NewReader(`{"cmd":"call","number":"1002"}`))
	req.Header = h
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != crm {
		t.Fatalf("POST from the CRM page: %d %v", resp.StatusCode, resp.Header)
	}

	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, Subprotocols: []string{"parley.v1", "bearer." + testToken}}
	conn, resp, err := d.Dial(wsURL(s), http.Header{"Origin": {crm}})
	if err != nil {
		t.Fatalf("websocket with the token as subprotocol: %v %v", err, resp)
	}
	defer conn.Close()
	if conn.Subprotocol() != "parley.v1" {
		t.Errorf("chosen subprotocol %q, want parley.v1 (never the token)", conn.Subprotocol())
	}
	d.Subprotocols = []string{"parley.v1", "bearer.wrong-token-0123456789"}
	if _, resp, err := d.Dial(wsURL(s), http.Header{"Origin": {crm}}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("websocket with a wrong token subprotocol: %v %v", err, resp)
	}
	if ops := eng.Ops(); len(ops) != 1 {
		t.Errorf("phone ops %v, want the one call", ops)
	}
}

// TestStatusCanTakeCalls: the local API's status answers "can I take calls
// right now?" as headless mode does, and says why not.
func TestStatusCanTakeCalls(t *testing.T) {
	s, eng := startServer(t, Config{Token: testToken})
	for _, tt := range []struct {
		reg  phone.Registration
		want bool
	}{
		{phone.Registration{State: phone.RegRegistered}, true},
		{phone.Registration{State: phone.RegFailed, Reason: "lost contact with the sip server"}, false},
	} {
		eng.SetRegistration(tt.reg)
		code, body := post(t, s, `{"cmd":"status"}`, bearer(testToken), "")
		if code != http.StatusOK {
			t.Fatalf("status %d (%s)", code, body)
		}
		var r struct {
			CanTakeCalls *bool  `json:"can_take_calls"`
			Reason       string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		if r.CanTakeCalls == nil || *r.CanTakeCalls != tt.want || (!tt.want && !strings.Contains(r.Reason, tt.reg.Reason)) {
			t.Errorf("%s: reply %s, want can_take_calls %v with the reason", tt.reg.State, body, tt.want)
		}
	}
}
