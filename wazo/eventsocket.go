package wazo

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/parley-voip/parley/internal/lograte"
	"github.com/parley-voip/parley/wazo/wire"
)

// websocketd close codes, from the one wire definition the stand-in uses too
// (docs/wazo-protocol.md, Event websocket).
const (
	CloseNoToken       = wire.CloseNoToken
	CloseAuthFailed    = wire.CloseAuthFailed
	CloseTokenExpired  = wire.CloseTokenExpired
	CloseProtocolError = wire.CloseProtocolError
)

// SocketState is reported to EventSocketConfig.OnState.
type SocketState int

// Socket states.
const (
	SocketConnecting SocketState = iota
	SocketStarted                // init → subscribe → start acknowledged
	SocketDisconnected
)

func (s SocketState) String() string {
	return [...]string{"connecting", "started", "disconnected"}[s]
}

// EventSocketConfig configures an EventSocket.
type EventSocketConfig struct {
	// Events to subscribe to; default ["*"] like the SDK (docs/wazo-protocol.md, Event websocket).
	Events []string
	// Handler receives events in order, on the socket's goroutine.
	Handler func(Event)
	// Resync runs on the socket's goroutine after every reconnect, once the
	// new connection is started, before any newer event is delivered. The
	// Wazo line does GET /users/me/calls there so nothing is missed.
	Resync func(ctx context.Context)
	// OnState is told about connection state changes (optional).
	OnState func(SocketState)
	// Heartbeat enables the app-level op:"ping" every interval (docs/wazo-protocol.md, Event websocket, off
	// by default like Wazo.Websocket.open); no pong within
	// HeartbeatTimeout (default 5 s) of a ping closes the socket and
	// reconnects. It is what notices a silently dead path (a half-open TCP
	// connection that no read or write ever fails on): a dead socket is
	// known at most Heartbeat + HeartbeatTimeout after it died.
	Heartbeat        time.Duration
	HeartbeatTimeout time.Duration
	// Reconnect backoff: MinDelay (default 1 s) ×1.3 per failure up to
	// MaxDelay (default 10 s), ±20 % jitter (reconnecting-websocket, docs/wazo-protocol.md, Event websocket).
	MinDelay time.Duration
	MaxDelay time.Duration
	// ConnectTimeout bounds the websocket handshake (default 4 s).
	ConnectTimeout time.Duration
}

// EventSocket is the wazo-websocketd v2 client (docs/wazo-protocol.md, Event websocket). One goroutine owns
// the connection, reconnects with backoff, re-subscribes on every init,
// renews the token with op:"token" when the Client refreshes it, and
// refreshes the token itself on close 4002/4003. Close stops it (code 1000).
type EventSocket struct {
	c   *Client
	cfg EventSocketConfig
	// noisy logs frames and events we could not read: rate-limited
	// (internal/lograte), so a server gone wrong cannot flood the log.
	noisy *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	tokens chan struct{} // token changed (cap 1)
	remove func()

	startOnce sync.Once
	closeOnce sync.Once
}

// NewEventSocket creates the event socket; call Start to connect.
func (c *Client) NewEventSocket(cfg EventSocketConfig) *EventSocket {
	if len(cfg.Events) == 0 {
		cfg.Events = []string{"*"}
	}
	if cfg.MinDelay <= 0 {
		cfg.MinDelay = time.Second
	}
	if cfg.MaxDelay < cfg.MinDelay {
		cfg.MaxDelay = max(10*time.Second, cfg.MinDelay)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 4 * time.Second
	}
	if cfg.HeartbeatTimeout <= 0 {
		cfg.HeartbeatTimeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(c.ctx)
	s := &EventSocket{c: c, cfg: cfg, noisy: lograte.Logger(c.log), ctx: ctx, cancel: cancel, done: make(chan struct{}), tokens: make(chan struct{}, 1)}
	s.remove = c.OnTokenChanged(func(Session) {
		select {
		case s.tokens <- struct{}{}:
		default:
		}
	})
	return s
}

// Start launches the owner goroutine (once).
func (s *EventSocket) Start() {
	s.startOnce.Do(func() { go s.run() })
}

// Close closes the socket with code 1000, stops reconnecting and waits for
// the owner goroutine.
func (s *EventSocket) Close() error {
	s.closeOnce.Do(func() {
		s.remove()
		s.cancel()
		s.startOnce.Do(func() { close(s.done) }) // never started
		<-s.done
	})
	return nil
}

func (s *EventSocket) state(st SocketState) {
	if s.cfg.OnState != nil {
		s.cfg.OnState(st)
	}
}

func (s *EventSocket) run() {
	defer close(s.done)
	log := s.c.log
	delay := s.cfg.MinDelay
	connectedOnce := false
	for {
		if s.ctx.Err() != nil {
			return
		}
		s.state(SocketConnecting)
		started, code, used, err := s.session(connectedOnce)
		if s.ctx.Err() != nil {
			return
		}
		s.state(SocketDisconnected)
		if started {
			connectedOnce = true
			delay = s.cfg.MinDelay
		}
		// Whatever killed the socket (a dead path, a NAT that lost its
		// bindings) has likely killed the idle pooled REST connections too,
		// and a request on one would wait for the client timeout: the
		// resync after the reconnect must open a fresh one.
		s.c.hc.CloseIdleConnections()
		switch code {
		case CloseAuthFailed, CloseTokenExpired:
			// docs/wazo-protocol.md, Event websocket: token refused or expired → refresh, then reconnect.
			log.Info("wazo: event socket token refused, refreshing", "code", code)
			if rerr := s.c.refresh(s.ctx, used); rerr != nil {
				log.Warn("wazo: event socket cannot refresh the token", "err", rerr)
			}
		case CloseProtocolError:
			log.Error("wazo: event socket protocol error (4004)", "err", err)
		case CloseNoToken:
			log.Error("wazo: event socket was opened without a token (4001)")
		case websocket.CloseInternalServerErr:
			log.Warn("wazo: event socket: server lost its bus connection (1011)")
		default:
			log.Info("wazo: event socket disconnected", "err", err)
		}
		// Jittered backoff (±20 %); a token change skips the wait (docs/wazo-protocol.md, Event websocket:
		// updateToken while disconnected reconnects).
		d := time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64()))
		t := time.NewTimer(d)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-s.tokens:
			t.Stop()
		}
		delay = min(time.Duration(float64(delay)*1.3), s.cfg.MaxDelay)
	}
}

func (s *EventSocket) url(tok string) string {
	u := url.URL{Scheme: "wss", Host: s.c.base.Host, Path: "/api/websocketd/"}
	if s.c.base.Scheme == "http" {
		u.Scheme = "ws"
	}
	u.RawQuery = url.Values{"token": {tok}, "version": {"2"}}.Encode()
	return u.String()
}

// session runs one connection. It returns whether it reached "started",
// the close code (0 if none), the last token given to the server, and the
// error that ended it.
func (s *EventSocket) session(reconnect bool) (started bool, code int, used string, err error) {
	sess, ok := s.c.Session()
	if !ok {
		return false, 0, "", ErrNotLoggedIn
	}
	used = sess.Token
	dialer := websocket.Dialer{
		TLSClientConfig:  s.c.tlsConfig,
		HandshakeTimeout: s.cfg.ConnectTimeout,
		Proxy:            http.ProxyFromEnvironment,
	}
	conn, resp, err := dialer.DialContext(s.ctx, s.url(used), nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return false, 0, used, s.c.netError(s.ctx, err)
	}
	conn.SetReadLimit(4 << 20)

	frames := make(chan wire.Message, 64)
	readErr := make(chan error, 1)
	readerDone := make(chan struct{})
	// sessionDone: the loop below has returned.
	sessionDone := make(chan struct{})
	go func() { // reader, owned by this session (waited for below)
		defer close(readerDone)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			var f wire.Message
			if err := json.Unmarshal(msg, &f); err != nil {
				s.noisy.Warn("wazo: unreadable websocketd frame", "err", err, "frame", string(msg))
				continue
			}
			select {
			case frames <- f:
			case <-s.ctx.Done():
				return
			case <-sessionDone: // e.g. the heartbeat gave up with frames queued
				return
			}
		}
	}()
	defer func() {
		close(sessionDone)
		_ = conn.Close()
		<-readerDone
	}()
	write := func(op string, data any) error {
		m := wire.Message{Op: op}
		if data != nil {
			raw, err := json.Marshal(data)
			if err != nil {
				return err
			}
			m.Data = raw
		}
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return conn.WriteJSON(m)
	}

	var hb <-chan time.Time
	if s.cfg.Heartbeat > 0 {
		t := time.NewTicker(s.cfg.Heartbeat)
		defer t.Stop()
		hb = t.C
	}
	// pongDue fires HeartbeatTimeout after a ping that got no pong yet (nil:
	// no ping outstanding). A timer of its own, rather than a check at the
	// next tick, so the dead socket is noticed as soon as the deadline
	// passes.
	var pongDue <-chan time.Time
	var pongTimer *time.Timer
	defer func() {
		if pongTimer != nil {
			pongTimer.Stop()
		}
	}()

	for {
		select {
		case <-s.ctx.Done():
			// Normal closure (docs/wazo-protocol.md, Event websocket: the SDK closes with 1000).
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			select {
			case <-readErr:
			case <-time.After(time.Second):
			}
			return started, 0, used, s.ctx.Err()
		case err := <-readErr:
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return started, ce.Code, used, err
			}
			return started, 0, used, err
		case f := <-frames:
			switch f.Op {
			case wire.OpInit:
				// Re-subscribe on every init (docs/wazo-protocol.md, Event websocket), then start.
				for _, name := range s.cfg.Events {
					if err := write(wire.OpSubscribe, map[string]string{"event_name": name}); err != nil {
						return started, 0, used, err
					}
				}
				if err := write(wire.OpStart, nil); err != nil {
					return started, 0, used, err
				}
			case wire.OpStart:
				started = true
				s.state(SocketStarted)
				if reconnect && s.cfg.Resync != nil {
					s.cfg.Resync(s.ctx)
				}
				// A refresh may have happened while connecting.
				if cur, ok := s.c.Session(); ok && cur.Token != used {
					if err := write(wire.OpToken, map[string]string{"token": cur.Token}); err != nil {
						return started, 0, used, err
					}
					used = cur.Token
				}
			case wire.OpEvent:
				ev, err := parseEvent(f.Data)
				if err != nil {
					s.noisy.Warn("wazo: bad event", "err", err)
					continue
				}
				if s.cfg.Handler != nil {
					s.cfg.Handler(ev)
				}
			case wire.OpPong:
				if pongTimer != nil {
					pongTimer.Stop()
				}
				pongDue = nil
			case wire.OpSubscribe, wire.OpToken:
			default:
				s.c.log.Debug("wazo: unknown websocketd op", "op", f.Op)
			}
		case <-s.tokens:
			cur, ok := s.c.Session()
			if ok && cur.Token != used {
				// docs/wazo-protocol.md, Event websocket: renew on the live socket.
				if err := write(wire.OpToken, map[string]string{"token": cur.Token}); err != nil {
					return started, 0, used, err
				}
				used = cur.Token
			}
		case <-pongDue:
			s.c.log.Warn("wazo: event socket heartbeat timed out: no pong", "within", s.cfg.HeartbeatTimeout)
			return started, 0, used, ErrHeartbeatTimeout
		case <-hb:
			if pongDue == nil {
				if err := write(wire.OpPing, map[string]string{"payload": "pong"}); err != nil {
					return started, 0, used, err
				}
				pongTimer = time.NewTimer(s.cfg.HeartbeatTimeout)
				pongDue = pongTimer.C
			}
		}
	}
}
