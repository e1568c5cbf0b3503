package httpside

import (
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

func (e *httpEnv) dial(t *testing.T, query string, hdr http.Header) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, HandshakeTimeout: 5 * time.Second}
	conn, _, err := d.Dial(strings.Replace(e.srv.URL, "https://", "wss://", 1)+"/api/websocketd/"+query, hdr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	return conn
}

func readOp(t *testing.T, c *websocket.Conn) (map[string]any, error) {
	t.Helper()
	var m map[string]any
	err := c.ReadJSON(&m)
	return m, err
}

func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

func TestWebsocketdCloseCodes(t *testing.T) {
	e := newHTTPEnv(t)
	for _, tc := range []struct {
		name, query string
		send        string
		want        int
	}{
		{"no token", "?version=2", "", CloseNoToken},
		{"bad token", "?token=bogus&version=2", "", CloseAuthFailed},
		{"bad version", "?token=" + e.token + "&version=3", "", CloseProtocolError},
		{"unknown op", "?token=" + e.token + "&version=2", `{"op":"dance"}`, CloseProtocolError},
		{"not json", "?token=" + e.token + "&version=2", `hello`, CloseProtocolError},
		{"subscribe without data", "?token=" + e.token + "&version=2", `{"op":"subscribe"}`, CloseProtocolError},
		{"token refused", "?token=" + e.token + "&version=2", `{"op":"token","data":{"token":"bogus"}}`, CloseAuthFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.dial(t, tc.query, nil)
			if tc.send != "" {
				if m, err := readOp(t, c); err != nil || m["op"] != "init" {
					t.Fatalf("init: %v %v", m, err)
				}
				c.WriteMessage(websocket.TextMessage, []byte(tc.send))
			}
			for {
				_, err := readOp(t, c)
				if err != nil {
					if closeCode(err) != tc.want {
						t.Fatalf("close %v, want %d", err, tc.want)
					}
					return
				}
			}
		})
	}
}

func TestWebsocketdProtocol(t *testing.T) {
	e := newHTTPEnv(t)
	// token in the header, SDK-style extra query parameter (docs/wazo-protocol.md, Calls API)
	c := e.dial(t, "?version=2&userUuid="+hostUUID, http.Header{"X-Auth-Token": {e.token}})
	m, err := readOp(t, c)
	if err != nil || m["op"] != "init" || m["data"].(map[string]any)["version"] != float64(2) {
		t.Fatalf("init %v %v", m, err)
	}
	// an event before start is dropped
	e.s.Calls().NewChannel(callmodel.ChannelSpec{UserUUID: hostUUID, CallerIDName: "before"})
	for _, f := range []string{
		`{"op":"subscribe","data":{"event_name":"call_created"}}`,
		`{"op":"start"}`, // no data key (docs/wazo-protocol.md, Calls API)
		`{"op":"ping","data":{"payload":"hello"}}`,
		`{"op":"token","data":{"token":"` + e.token + `"}}`,
	} {
		c.WriteMessage(websocket.TextMessage, []byte(f))
	}
	want := []string{"subscribe", "start", "pong", "token"}
	for _, op := range want {
		m, err := readOp(t, c)
		if err != nil || m["op"] != op {
			t.Fatalf("want %s, got %v %v", op, m, err)
		}
		if op == "pong" && m["data"].(map[string]any)["payload"] != "hello" {
			t.Fatalf("pong %v", m)
		}
		// websocketd's encoder writes data only when there is some
		// (wazo_websocketd/protocol.py): {"op":"start","code":0}.
		if _, has := m["data"]; has != (op == "pong") || m["code"] != float64(0) {
			t.Fatalf("%s reply is not shaped like the platform's: %v", op, m)
		}
	}
	e.s.Calls().NewChannel(callmodel.ChannelSpec{UserUUID: otherUUID}) // not for us
	e.s.Calls().SetMuted("1700000000.1", true)                         // call_updated: not subscribed
	e.s.Calls().NewChannel(callmodel.ChannelSpec{UserUUID: hostUUID, CallerIDName: "after"})
	m, err = readOp(t, c)
	if err != nil || m["op"] != "event" {
		t.Fatalf("event %v %v", m, err)
	}
	data := m["data"].(map[string]any)
	if data["name"] != "call_created" || data["user_uuid:"+hostUUID] != true || data["data"].(map[string]any)["caller_id_name"] != "after" {
		t.Fatalf("event %v", data)
	}
	// token expiry → 4003 "authentication expired" (wazo-websocketd session.py)
	e.s.ExpireToken(e.token)
	for {
		if _, err := readOp(t, c); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != CloseTokenExpired || ce.Text != "authentication expired" {
				t.Fatalf("close %v, want 4003 authentication expired", err)
			}
			break
		}
	}
}

func TestWebsocketdPingFrames(t *testing.T) {
	e := newHTTPEnv(t, WithPingInterval(20*time.Millisecond))
	c := e.dial(t, "?token="+e.token+"&version=2", nil)
	got := make(chan struct{}, 1)
	c.SetPingHandler(func(string) error {
		select {
		case got <- struct{}{}:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no ping frame")
	}
}
