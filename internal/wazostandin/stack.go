// Package wazostandin is an embedded stand-in for the parts of a Wazo Platform
// stack a softphone talks to over HTTP and websocket: wazo-auth, wazo-confd,
// wazo-calld (with a call model that owns channels, bridges and ad-hoc
// conferences) and wazo-websocketd v2. It implements the server surface of
// docs/wazo-protocol.md docs/wazo-protocol.md, Stand-in differences and accepts the official SDK's wire
// behaviour of docs/wazo-protocol.md, Calls API. The SIP/B2BUA side drives the call model through
// Stack.Calls() and receives "hang this channel up" requests through
// ChannelHooks.
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
)

// Stack is the embedded Wazo server. Create it with New, register users
// with AddUser, then either mount Handler() in your own server (e.g.
// httptest.NewTLSServer) or call Start. Close stops everything it owns.
type Stack struct {
	cfg config

	mu         sync.Mutex
	users      map[string]*User // by uuid
	nextLineID int

	tokens *tokenStore
	calls  *CallModel
	bus    *eventBus
	ws     *wsRegistry

	handler http.Handler
	sip     *sipSide // SIP over WSS registrar + B2BUA (sip_side.go)

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
		users:  map[string]*User{},
		ctx:    ctx,
		cancel: cancel,
	}
	s.bus = newEventBus(s)
	s.tokens = newTokenStore(s)
	s.ws = newWSRegistry()
	s.calls = newCallModel(s)
	s.sip = newSIPSide(s)
	s.handler = s.routes()
	return s
}

// Handler is the HTTP handler serving every route of docs/wazo-protocol.md, Calls API and the
// websocketd endpoint of docs/wazo-protocol.md, Event websocket.
func (s *Stack) Handler() http.Handler { return s.handler }

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
		Handler:           s.handler,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	s.ln = l
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
	s.ws.closeAll()
	s.sip.close() // BYE nothing: hang up media, close SIP connections and goroutines
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

func (s *Stack) now() time.Time { return s.cfg.now() }
