// Package wazostandin is an embedded stand-in for the parts of a Wazo Platform
// stack a softphone talks to over HTTP and websocket: wazo-auth, wazo-confd,
// wazo-calld (with a call model that owns channels, bridges and ad-hoc
// conferences) and wazo-websocketd v2. It implements the server surface of
// docs/wazo-protocol.md docs/wazo-protocol.md, Stand-in differences and accepts the official SDK's wire
// behaviour of docs/wazo-protocol.md, Calls API. The SIP/B2BUA side drives the call model through
// Stack.Calls() and receives "hang this channel up" requests through
// ChannelHooks.
//
// The stand-in has three parts, each its own package, and Stack wires them:
// callmodel (channels, bridges, conferences, transfers; no HTTP, no SIP),
// sipside (registrar, B2BUA, scripted peers, mixer; drives the call model)
// and httpside (wazo-auth, confd, calld routes, websocketd, event bus).
// directory holds the users the HTTP and SIP sides share. This package
// re-exports their types (api.go) so callers import only wazostandin.
package wazostandin

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
	"github.com/parley-voip/parley/internal/wazostandin/httpside"
	"github.com/parley-voip/parley/internal/wazostandin/presence"
	"github.com/parley-voip/parley/internal/wazostandin/sipside"
)

// Stack is the embedded Wazo server. Create it with New, register users
// with AddUser, then either mount Handler() in your own server (e.g.
// httptest.NewTLSServer) or call Start. Close stops everything it owns.
type Stack struct {
	cfg config

	users *directory.Directory
	bus   *httpside.Bus
	calls *callmodel.Model
	sip   *sipside.Side  // SIP over WSS registrar + B2BUA
	http  *httpside.Side // REST routes and websocketd

	// pres is wazo-chatd's presences; presOnce starts its watcher.
	pres     *presence.Store
	presOnce sync.Once

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	srvMu   sync.Mutex
	srv     *http.Server
	ln      net.Listener
	cert    *x509.Certificate
	tlsCert *tls.Certificate
	closed  bool
}

// New builds a stack. It starts no goroutine until Serve/Start or a
// websocket connection.
func New(opts ...Option) *Stack {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Stack{
		cfg:    cfg,
		users:  directory.New(cfg.tenantUUID),
		ctx:    ctx,
		cancel: cancel,
	}
	// Wiring order follows the arrows: the bus and the directory need
	// nothing, the call model publishes to the bus, the SIP side drives the
	// call model, and the HTTP side serves all of it plus the SIP websocket.
	s.bus = httpside.NewBus(cfg.now, cfg.stackUUID, cfg.log)
	s.calls = callmodel.New(callmodel.Config{
		CallIDBase:    cfg.callIDBase,
		Now:           cfg.now,
		DefaultTenant: cfg.tenantUUID,
		TenantOf: func(userUUID string) (string, bool) {
			u, ok := s.users.User(userUUID)
			return u.TenantUUID, ok
		},
		RecordToggle: func(userUUID string) bool {
			u, ok := s.users.User(userUUID)
			return ok && u.OnlineCallRecord
		},
		Publish: s.bus.Publish,
		Hooks:   cfg.hooks,
		Changed: func() { s.pres.Changed() },
	})
	sip := cfg.sip
	sip.Log, sip.Now = cfg.log, cfg.now
	sip.Calls, sip.Users, sip.Hooks = s.calls, s.users, cfg.hooks
	sip.ListenAddr = s.listenAddr
	sip.CallIDHeader = hasCallIDHeader(cfg.wazoVersion)
	sip.Subscribe = func(fn func()) func() { return s.bus.Subscribe("", func(BusEvent) { fn() }) }
	s.sip = sipside.New(sip)
	s.pres = presence.New(presence.Config{
		Users: s.users, Calls: s.calls, Now: cfg.now, Publish: s.bus.Publish,
		Connected: func(u string) bool { return s.http.HasSession(u) },
	})
	s.http = httpside.New(httpside.Config{
		Log: cfg.log, Now: cfg.now, TokenLifetime: cfg.tokenLifetime,
		StackUUID: cfg.stackUUID, WazoVersion: cfg.wazoVersion, PingInterval: cfg.pingInterval,
		AdhocJoinAfterReply: cfg.adhocLate,
		Users:               s.users, Calls: s.calls, Bus: s.bus, Presence: s.pres,
		SIPWebSocket: http.HandlerFunc(s.sip.HandleWS),
	})
	return s
}

// listenAddr is the address Start or Serve listens on, nil before: the SIP
// side puts its port in Via/Contact.
func (s *Stack) listenAddr() net.Addr {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Handler is the HTTP handler serving every route of docs/wazo-protocol.md, Calls API and the
// websocketd endpoint of docs/wazo-protocol.md, Event websocket.
func (s *Stack) Handler() http.Handler {
	s.startPresence()
	return s.http.Handler()
}

// Calls is the call model the SIP side drives.
func (s *Stack) Calls() *CallModel { return s.calls }

// Serve serves HTTPS on l with the stack's self-signed certificate (generated
// on first use). It blocks until Close; it returns nil after Close.
func (s *Stack) Serve(l net.Listener) error {
	srv, err := s.prepare(l)
	if err != nil {
		return err
	}
	return serveTLS(srv, l)
}

// Start listens on the configured address (default 127.0.0.1:0) and serves
// HTTPS in a goroutine owned by the stack (stopped by Close). It returns the
// base URL, e.g. "https://127.0.0.1:41234".
func (s *Stack) Start() (string, error) {
	l, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		return "", err
	}
	srv, err := s.prepare(l)
	if err != nil {
		_ = l.Close()
		return "", err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := serveTLS(srv, l); err != nil {
			s.cfg.log.Error("wazostandin: serve failed", "err", err)
		}
	}()
	return "https://" + l.Addr().String(), nil
}

func (s *Stack) prepare(l net.Listener) (*http.Server, error) {
	cert, err := s.certificate()
	if err != nil {
		return nil, err
	}
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.srv != nil {
		return nil, ErrAlreadyStarted
	}
	s.srv = &http.Server{
		Handler:           s.http.Handler(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	s.ln = l
	s.startPresence()
	return s.srv, nil
}

func serveTLS(srv *http.Server, l net.Listener) error {
	err := srv.Serve(tls.NewListener(l, srv.TLSConfig))
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// URL is the base URL once Start was called ("" otherwise).
func (s *Stack) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.ln == nil {
		return ""
	}
	return "https://" + s.ln.Addr().String()
}

// Certificate returns the self-signed certificate used by Start/Serve
// (generated on first call).
func (s *Stack) Certificate() (*x509.Certificate, error) {
	if _, err := s.certificate(); err != nil {
		return nil, err
	}
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.cert, nil
}

// TLSCertificate returns the certificate + key used by Start/Serve, for a
// caller that runs its own TLS listener (e.g. the SIP websocket).
func (s *Stack) TLSCertificate() (tls.Certificate, error) {
	c, err := s.certificate()
	if err != nil {
		return tls.Certificate{}, err
	}
	return *c, nil
}

// CertificateSHA256 is the SHA-256 of the certificate's DER bytes: what a
// client pins (wazo.WithPinnedCertificate).
func CertificateSHA256(c *x509.Certificate) [32]byte { return sha256.Sum256(c.Raw) }

func (s *Stack) certificate() (*tls.Certificate, error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.tlsCert != nil {
		return s.tlsCert, nil
	}
	tc, leaf, err := selfSignedCertificate(s.cfg.hostnames, s.cfg.now())
	if err != nil {
		return nil, err
	}
	s.tlsCert, s.cert = tc, leaf
	return tc, nil
}

// Close closes every websocket (code 1001), stops the HTTPS server if Start
// or Serve was used, and waits for the goroutines the stack owns.
func (s *Stack) Close() error {
	s.srvMu.Lock()
	if s.closed {
		s.srvMu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.srv
	s.srvMu.Unlock()

	s.cancel()
	s.http.Close() // websockets closed with 1001
	s.sip.Close()  // BYE nothing: hang up media, close SIP connections and goroutines
	var err error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(ctx)
		cancel()
		if err != nil {
			err = srv.Close()
		}
	}
	s.wg.Wait()
	return err
}

// AddUser registers a user. Missing UUID, tenant, line ids, endpoint uuids
// and line usernames are generated; the stored user is returned.
func (s *Stack) AddUser(u User) (User, error) { return s.users.Add(u) }

// User returns a copy of the user with that uuid.
func (s *Stack) User(userUUID string) (User, bool) { return s.users.User(userUUID) }

// LineByUsername finds the user and SIP line whose digest username is
// given; the SIP registrar uses it to check REGISTER credentials (docs/wazo-protocol.md, Lines and registration).
func (s *Stack) LineByUsername(username string) (User, Line, bool) {
	return s.users.LineByUsername(username)
}

// Subscribe registers fn for the events targeted at userUUID ("" = all
// events). fn runs synchronously while the call model holds its lock: it
// must only record or queue the event, never call back into the stack.
// The returned func unsubscribes.
func (s *Stack) Subscribe(userUUID string, fn func(BusEvent)) (cancel func()) {
	return s.bus.Subscribe(userUUID, fn)
}

// Ring makes a scripted peer call the user (see sipside.Side.Ring): both
// channels appear in the call model, an INVITE goes over the user's
// registered WebSocket flow, and on 200 the model answers and bridges them.
func (s *Stack) Ring(userUUID, fromNumber, fromName string, opts ...RingOption) (*RingingCall, error) {
	// confd's DND: the dialplan does not ring the user's devices.
	if p, err := s.pres.Get(userUUID); err == nil && p.DoNotDisturb {
		return nil, ErrDoNotDisturb
	}
	return s.sip.Ring(userUUID, fromNumber, fromName, opts...)
}

// Peer returns the running scripted peer of a channel (e.g. a PeerRecorder
// whose Heard audio a test analyses), or false when that channel is not a
// live peer.
func (s *Stack) Peer(channelID string) (*Peer, bool) { return s.sip.Peer(channelID) }

// Stats returns wazo-auth counters.
func (s *Stack) Stats() Stats { return s.http.Stats() }

// ExpireToken makes a token expired now (as if its lifetime had passed):
// REST calls with it get 401, GET /token/{t} gets 404 "No such token", and
// websockets using it are closed with 4003 (docs/wazo-protocol.md, Event websocket). Reports whether the
// token was known.
func (s *Stack) ExpireToken(id string) bool { return s.http.ExpireToken(id) }

// RevokeToken deletes a token (like DELETE /token/{t}) and closes the
// websockets using it with 4003.
func (s *Stack) RevokeToken(id string) bool { return s.http.RevokeToken(id) }

// ValidToken reports whether a token is currently valid and returns its
// user uuid.
func (s *Stack) ValidToken(id string) (userUUID string, ok bool) { return s.http.ValidToken(id) }

// KillWebsockets drops every websocketd TCP connection without a close
// frame, as a crashed proxy would (the client sees 1006): a test hook for
// reconnect logic.
func (s *Stack) KillWebsockets() { s.http.KillWebsockets() }

// CloseWebsockets closes every websocketd session with a close frame
// carrying code (e.g. 1011 bus error, 4003 token expired).
func (s *Stack) CloseWebsockets(code int, reason string) { s.http.CloseWebsockets(code, reason) }

// Websockets lists the live websocketd sessions.
func (s *Stack) Websockets() []WebsocketInfo { return s.http.Websockets() }

// The supervisor: what a supervisor's tools do to an agent through
// wazo-agentd's by-number routes, for tests and the demo to change an
// agent's state "from elsewhere". Each publishes the bus events the
// platform does (agent_status_update, agent_paused, agent_unpaused). The
// error is nil or an *AgentError (404 "no such agent", 409 "already
// logged", 409 "not logged in" …).

// SupervisorLogin logs the agent with that number in on extension@context.
func (s *Stack) SupervisorLogin(agentNumber, extension, context string) error {
	return agentResult(s.http.SupervisorLogin(agentNumber, extension, context))
}

// SupervisorLogoff logs the agent with that number off.
func (s *Stack) SupervisorLogoff(agentNumber string) error {
	return agentResult(s.http.SupervisorLogoff(agentNumber))
}

// SupervisorPause pauses the agent with that number, with reason ("" for
// none).
func (s *Stack) SupervisorPause(agentNumber, reason string) error {
	return agentResult(s.http.SupervisorPause(agentNumber, reason))
}

// SupervisorUnpause unpauses the agent with that number.
func (s *Stack) SupervisorUnpause(agentNumber string) error {
	return agentResult(s.http.SupervisorUnpause(agentNumber))
}

// agentResult keeps a nil *AgentError from becoming a non-nil error.
func agentResult(e *AgentError) error {
	if e == nil {
		return nil
	}
	return e
}

// AddPhonebook adds entries to the wazo-dird company phone book (source
// "phonebook" of the "default" profile).
func (s *Stack) AddPhonebook(entries ...PhonebookEntry) { s.http.AddPhonebook(entries...) }

// AddPersonalContact adds a wazo-dird personal contact of userUUID.
func (s *Stack) AddPersonalContact(userUUID string, c PersonalContact) PersonalContact {
	return s.http.AddPersonalContact(userUUID, c)
}

// AddFavorite marks a directory entry (source "phonebook", "wazo" or
// "personal" and its source_entry_id) as a favourite of userUUID.
func (s *Stack) AddFavorite(userUUID, source, entryID string) {
	s.http.AddFavorite(userUUID, source, entryID)
}

// SetDirdDown makes the wazo-dird routes answer 502 Bad Gateway, as nginx
// does when wazo-dird is stopped (false brings it back).
func (s *Stack) SetDirdDown(down bool) { s.http.SetDirdDown(down) }

// AddCDR stores a wazo-call-logd CDR (an older call) and returns it.
func (s *Stack) AddCDR(c CDR) CDR { return s.http.AddCDR(c) }

// CDRs lists every CDR, those of the calls the stack handled included.
func (s *Stack) CDRs() []CDR { return s.http.CDRs() }
