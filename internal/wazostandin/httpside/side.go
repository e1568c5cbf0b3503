// Package httpside is the stand-in's HTTP face: wazo-auth tokens and ACLs,
// the wazo-confd, wazo-calld and wazo-agentd routes a softphone uses (the
// agent session: agentd.go, agents.go), and wazo-websocketd
// v2 fed by the event bus. The calld routes are thin: each validates its
// request and calls the call model, which owns every channel, bridge and
// conference. The SIP websocket is served on the same listener but handled
// by the SIP side, which the stack passes in as a plain http.Handler.
package httpside

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
	"github.com/parley-voip/parley/internal/wazostandin/presence"
)

// Config is what the HTTP side serves and with what.
type Config struct {
	Log           *slog.Logger     // default: discard
	Now           func() time.Time // default: time.Now
	TokenLifetime time.Duration    // 0 = honour the client's "expiration"
	StackUUID     string           // xivo_uuid / origin_uuid / confd infos uuid
	WazoVersion   string           // confd /infos wazo_version
	PingInterval  time.Duration    // websocketd ping frames (default 60 s)
	// AdhocJoinAfterReply: POST conferences/adhoc answers its 201 before
	// the channels enter the bridge, as real calld does, so
	// conference_adhoc_participant_joined follows the reply
	// (callmodel.Model.StartAdhoc).
	AdhocJoinAfterReply bool

	Users *directory.Directory
	Calls *callmodel.Model
	Bus   *Bus
	// Presence serves wazo-chatd's presences (nil: no chatd routes).
	Presence *presence.Store
	// SIPWebSocket serves /api/asterisk/ws (nil: 404).
	SIPWebSocket http.Handler
}

// Side serves the HTTP routes. Create it with New; Close closes the
// websockets and waits for their goroutines.
type Side struct {
	cfg      Config
	users    *directory.Directory
	calls    *callmodel.Model
	bus      *Bus
	tokens   *tokenStore
	agents   *agentd // wazo-agentd's login and pause state (agents.go)
	ws       *wsRegistry
	upgrader websocket.Upgrader
	handler  http.Handler
	dird     *dirdStore // wazo-dird data (dird.go)
	cdrs     *cdrStore  // wazo-call-logd CDRs (calllogd.go)
	unsubCDR func()

	// ctx ends every websocket session (Close).
	ctx    context.Context
	cancel context.CancelFunc
}

// New builds the HTTP side. It starts no goroutine until a websocket
// connects.
func New(cfg Config) *Side {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 60 * time.Second // WSD websocket.ping_interval (docs/wazo-protocol.md, Event websocket)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Side{
		cfg: cfg, users: cfg.Users, calls: cfg.Calls, bus: cfg.Bus,
		tokens: newTokenStore(cfg.Now),
		agents: newAgentd(cfg.Users, cfg.Bus, cfg.Now, cfg.StackUUID),
		ws:     newWSRegistry(),
		// Browsers (the SDK) connect from any origin; the token is the auth.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		ctx:      ctx, cancel: cancel,
		dird:     newDirdStore(),
		cdrs:     newCDRStore(),
		unsubCDR: func() {},
	}
	if cfg.Bus != nil {
		s.unsubCDR = cfg.Bus.Subscribe("", s.cdrs.onBusEvent)
	}
	s.handler = s.routes()
	return s
}

// Handler serves every route of docs/wazo-protocol.md, Calls API and the
// websocketd endpoint of docs/wazo-protocol.md, Event websocket.
func (s *Side) Handler() http.Handler { return s.handler }

// Close closes every websocket (code 1001) and waits for their goroutines.
func (s *Side) Close() {
	s.unsubCDR()
	s.cancel()
	s.ws.closeAll()
}

func (s *Side) now() time.Time { return s.cfg.Now() }

// routes builds the mux (docs/wazo-protocol.md, Calls API, Event websocket).
func (s *Side) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/0.1/token", s.handleCreateToken)
	mux.HandleFunc("/api/auth/0.1/token/{token}", s.handleToken)
	mux.HandleFunc("DELETE /api/auth/0.1/users/{user}/tokens/{client_id}", s.handleDeleteRefreshToken)
	mux.HandleFunc("/api/auth/0.1/status", s.handleStatus)
	mux.HandleFunc("GET /api/confd/1.1/infos", s.handleConfdInfos)
	mux.HandleFunc("GET /api/confd/1.1/users/{uuid}", s.handleConfdUser)
	mux.HandleFunc("GET /api/confd/1.1/users/{uuid}/lines/{line_id}/associated/endpoints/sip", s.handleConfdMergedSIP)
	mux.HandleFunc("PUT /api/confd/1.1/users/{uuid}/services/dnd", s.handleConfdDND)
	s.calldRoutes(mux)
	s.agentdRoutes(mux)
	s.dirdRoutes(mux)
	s.callLogdRoutes(mux)
	s.chatdRoutes(mux)
	s.dirdSourceRoutes(mux)
	mux.HandleFunc("GET /api/websocketd/{$}", s.handleWebsocket)
	mux.HandleFunc("GET /api/websocketd", s.handleWebsocket)
	// SIP over WebSocket (RFC 7118), exact path as nginx's location (docs/wazo-protocol.md, Authentication, XCFG).
	if s.cfg.SIPWebSocket != nil {
		mux.Handle("/api/asterisk/ws", s.cfg.SIPWebSocket)
	}
	return mux
}
