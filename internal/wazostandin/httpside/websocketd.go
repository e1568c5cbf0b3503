package httpside

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-voip/parley/wazo/wire"
)

// websocketd close codes (docs/wazo-protocol.md, Event websocket, WSD session.py).
const (
	CloseNoToken       = wire.CloseNoToken
	CloseAuthFailed    = wire.CloseAuthFailed
	CloseTokenExpired  = wire.CloseTokenExpired
	CloseProtocolError = wire.CloseProtocolError
	CloseBusError      = 1011
)

const wsWriteTimeout = 10 * time.Second

// closeReasonExpired is websocketd's close reason with code 4003 when the
// token expires (wazo-websocketd session.py, _CLOSE_CODE_AUTH_EXPIRED).
const closeReasonExpired = "authentication expired"

// KillWebsockets drops every websocketd TCP connection without a close
// frame, as a crashed proxy would (the client sees 1006): a test hook for
// reconnect logic.
func (s *Side) KillWebsockets() { s.ws.each(func(ss *wsSession) { ss.request(wsCtrl{kill: true}) }) }

// CloseWebsockets closes every websocketd session with a close frame
// carrying code (e.g. 1011 bus error, 4003 token expired).
func (s *Side) CloseWebsockets(code int, reason string) {
	s.ws.each(func(ss *wsSession) { ss.request(wsCtrl{code: code, reason: reason}) })
}

// WebsocketInfo describes a live websocketd session.
type WebsocketInfo struct {
	UserUUID      string
	Token         string
	Started       bool
	Subscriptions []string
	// RemoteAddr is the client's address as the server sees it (tests that
	// fail one connection among several use it).
	RemoteAddr string
}

// Websockets lists the live websocketd sessions.
func (s *Side) Websockets() []WebsocketInfo {
	var out []WebsocketInfo
	s.ws.each(func(ss *wsSession) {
		ss.mu.Lock()
		out = append(out, WebsocketInfo{UserUUID: ss.userUUID, Token: ss.tokenID, Started: ss.started,
			Subscriptions: slices.Clone(ss.subs), RemoteAddr: ss.conn.RemoteAddr().String()})
		ss.mu.Unlock()
	})
	return out
}

type wsCtrl struct {
	code    int
	reason  string
	kill    bool
	recheck bool
}

// wsSession is one websocketd v2 connection (docs/wazo-protocol.md, Event websocket-docs/wazo-protocol.md, Event websocket). The HTTP handler
// goroutine owns it (run); a reader goroutine feeds it frames.
type wsSession struct {
	s    *Side
	conn *websocket.Conn

	ctrl chan wsCtrl
	wake chan struct{}

	mu        sync.Mutex // guards the fields below (read by Websockets)
	tokenID   string
	userUUID  string
	tenant    string
	acl       []string
	expiresAt time.Time
	started   bool
	subs      []string
	queue     []BusEvent
}

func (ss *wsSession) request(c wsCtrl) {
	select {
	case ss.ctrl <- c:
	default: // a control request is already pending; the session is going away or rechecking
	}
}

// handleWebsocket: GET /api/websocketd/?token=T&version=2 (docs/wazo-protocol.md, Event websocket).
// The token may also come in X-Auth-Token; userUuid and other query
// parameters are ignored (docs/wazo-protocol.md, Calls API).
func (s *Side) handleWebsocket(w http.ResponseWriter, r *http.Request) {
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered with an HTTP error
	}
	ss := &wsSession{s: s, conn: conn, ctrl: make(chan wsCtrl, 1), wake: make(chan struct{}, 1)}
	conn.SetReadLimit(64 << 10)
	if !s.ws.add(ss) {
		ss.closeWith(websocket.CloseGoingAway, "server shutdown")
		return
	}
	defer s.ws.remove(ss)

	q := r.URL.Query()
	version := q.Get("version")
	if version == "" {
		version = "1" // WSD default
	}
	if version != "1" && version != "2" {
		ss.closeWith(CloseProtocolError, "unsupported version")
		return
	}
	tokenID := q.Get("token")
	if tokenID == "" {
		tokenID = r.Header.Get("X-Auth-Token")
	}
	if tokenID == "" {
		ss.closeWith(CloseNoToken, "no token")
		return
	}
	t, ok := s.tokens.lookup(tokenID)
	if !ok || !aclMatches(t.ACL, "websocketd", t.UserUUID) {
		ss.closeWith(CloseAuthFailed, "authentication failed")
		return
	}
	ss.tokenID, ss.userUUID, ss.acl, ss.expiresAt = t.ID, t.UserUUID, t.ACL, t.ExpiresAt
	ss.tenant = t.TenantUUID
	ss.run(version)
}

func (ss *wsSession) closeWith(code int, reason string) {
	_ = ss.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = ss.conn.Close()
}

// send writes a server frame: {op, code} and data only when there is some,
// as websocketd's encoder does (wazo_websocketd/protocol.py).
func (ss *wsSession) send(op string, data any) error {
	code := 0
	m := wire.Message{Op: op, Code: &code}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			return err
		}
		m.Data = raw
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return ss.sendRaw(b)
}

func (ss *wsSession) sendRaw(b []byte) error {
	_ = ss.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
	return ss.conn.WriteMessage(websocket.TextMessage, b)
}

func (ss *wsSession) run(version string) {
	s := ss.s
	unsubscribe := s.bus.Subscribe(ss.userUUID, func(ev BusEvent) {
		ss.mu.Lock()
		ss.queue = append(ss.queue, ev)
		ss.mu.Unlock()
		select {
		case ss.wake <- struct{}{}:
		default:
		}
	})
	defer unsubscribe()

	in := make(chan []byte)
	readerDone := make(chan struct{})
	go func() { // reader: owned by run, which waits for it below
		defer close(readerDone)
		defer close(in)
		for {
			_, msg, err := ss.conn.ReadMessage()
			if err != nil {
				return
			}
			select {
			case in <- msg:
			case <-s.ctx.Done():
				return
			}
		}
	}()
	defer func() {
		_ = ss.conn.Close()
		<-readerDone
	}()

	ver := 2
	if version == "1" {
		ver = 1
	}
	if err := ss.send(wire.OpInit, map[string]any{"version": ver}); err != nil {
		return
	}
	ping := time.NewTicker(s.cfg.PingInterval)
	defer ping.Stop()
	expiry := time.NewTimer(ss.untilExpiry())
	defer expiry.Stop()

	for {
		select {
		case <-s.ctx.Done():
			ss.closeWith(websocket.CloseGoingAway, "server shutdown")
			return
		case msg, ok := <-in:
			if !ok {
				return
			}
			if code, reason := ss.handle(msg); code != 0 {
				ss.closeWith(code, reason)
				return
			}
			ss.mu.Lock()
			exp := ss.expiresAt
			ss.mu.Unlock()
			expiry.Reset(max(time.Until(exp), 0)) // the token may have changed
		case <-ss.wake:
			if err := ss.flush(); err != nil {
				return
			}
		case <-ping.C:
			// docs/wazo-protocol.md, Event websocket: server WS ping frames; the client's pong is automatic.
			if err := ss.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteTimeout)); err != nil {
				return
			}
		case <-expiry.C:
			if !ss.tokenValid() {
				ss.closeWith(CloseTokenExpired, closeReasonExpired)
				return
			}
			expiry.Reset(max(ss.untilExpiry(), time.Second))
		case c := <-ss.ctrl:
			switch {
			case c.kill:
				_ = ss.conn.Close()
				return
			case c.recheck:
				if !ss.tokenValid() {
					ss.closeWith(CloseTokenExpired, closeReasonExpired)
					return
				}
			default:
				ss.closeWith(c.code, c.reason)
				return
			}
		}
	}
}

func (ss *wsSession) untilExpiry() time.Duration {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return max(ss.expiresAt.Sub(ss.s.now()), 0)
}

func (ss *wsSession) tokenValid() bool {
	ss.mu.Lock()
	id := ss.tokenID
	ss.mu.Unlock()
	_, ok := ss.s.tokens.lookup(id)
	return ok
}

// flush delivers queued bus events. Events that arrive before "start" are
// dropped, not queued (docs/wazo-protocol.md, Event websocket); after start only subscribed names ("*" = all)
// whose required_acl the token grants are sent (WSD bus.py).
func (ss *wsSession) flush() error {
	ss.mu.Lock()
	q := ss.queue
	ss.queue = nil
	started := ss.started
	subs := slices.Clone(ss.subs)
	acl := ss.acl
	user := ss.userUUID
	tenant := ss.tenant
	ss.mu.Unlock()
	if !started {
		return nil
	}
	for _, ev := range q {
		if !slices.Contains(subs, "*") && !slices.Contains(subs, ev.Name) {
			continue
		}
		if ev.UserUUID == "" && ev.TenantUUID != "" && tenant != "" && ev.TenantUUID != tenant {
			continue // another tenant's tenant event
		}
		if ev.RequiredACL != "" && !aclMatches(acl, ev.RequiredACL, user) {
			continue
		}
		if err := ss.send(wire.OpEvent, ev.Message); err != nil {
			return err
		}
	}
	return nil
}

// handle processes one client frame (docs/wazo-protocol.md, Event websocket). It returns a close code when
// the session must end: 4004 for non-JSON, missing/unknown op or a missing
// field an op needs; 4002 for a refused token. "start" without "data" is
// accepted (docs/wazo-protocol.md, Calls API).
func (ss *wsSession) handle(msg []byte) (int, string) {
	var frame wire.Message
	if err := json.Unmarshal(msg, &frame); err != nil {
		return CloseProtocolError, "invalid json"
	}
	op := frame.Op
	if op == "" {
		return CloseProtocolError, "missing op"
	}
	field := func(name string) (string, bool) {
		var data map[string]json.RawMessage
		if err := json.Unmarshal(frame.Data, &data); err != nil {
			return "", false
		}
		var v string
		if err := json.Unmarshal(data[name], &v); err != nil {
			return "", false
		}
		return v, true
	}
	switch op {
	case wire.OpSubscribe:
		name, ok := field("event_name")
		if !ok {
			return CloseProtocolError, "subscribe needs data.event_name"
		}
		ss.mu.Lock()
		if !slices.Contains(ss.subs, name) {
			ss.subs = append(ss.subs, name)
		}
		ss.mu.Unlock()
		if ss.send(wire.OpSubscribe, nil) != nil {
			return websocket.CloseAbnormalClosure, ""
		}
	case wire.OpStart:
		ss.mu.Lock()
		ss.started = true
		ss.queue = nil // events before start are dropped
		ss.mu.Unlock()
		if ss.send(wire.OpStart, nil) != nil {
			return websocket.CloseAbnormalClosure, ""
		}
	case wire.OpPing:
		payload, ok := field("payload")
		if !ok {
			return CloseProtocolError, "ping needs data.payload"
		}
		if ss.send(wire.OpPong, map[string]any{"payload": payload}) != nil {
			return websocket.CloseAbnormalClosure, ""
		}
	case wire.OpToken:
		id, ok := field("token")
		if !ok {
			return CloseProtocolError, "token needs data.token"
		}
		t, valid := ss.s.tokens.lookup(id)
		if !valid || t.UserUUID != ss.userUUID || !aclMatches(t.ACL, "websocketd", t.UserUUID) {
			return CloseAuthFailed, "authentication failed"
		}
		ss.mu.Lock()
		ss.tokenID, ss.acl, ss.expiresAt = t.ID, t.ACL, t.ExpiresAt
		ss.mu.Unlock()
		if ss.send(wire.OpToken, nil) != nil {
			return websocket.CloseAbnormalClosure, ""
		}
	default:
		return CloseProtocolError, "unknown op"
	}
	return 0, ""
}
