// Package localapi is Parley's local control API: while the window runs,
// programs on the same machine (a CRM's desktop connector, a script) place
// and answer calls and follow them, with the commands and events of
// headless mode (docs/headless.md), over HTTP on the loopback interface.
//
//   - GET /v1/ws upgrades to a websocket that carries the headless protocol
//     itself: each text message sent is a command line, each message
//     received is one output line (the "ready" line, events, replies).
//   - POST /v1/commands takes one command object and answers with its reply.
//
// It is off unless the user (or the fleet file's local_api) turns it on,
// listens only on 127.0.0.1 or ::1, refuses requests whose Host or Origin
// is not the local machine (DNS rebinding, a web page in the user's browser)
// and wants a bearer token on every request. docs/local-api.md is the user
// and integrator documentation. The CRM screen pop (open a URL or run a
// command on an incoming call) is Pop, in this package too.
package localapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/phone"
)

// DefaultAddr is where the API listens unless configured otherwise. The
// port is fixed so that a CRM connector can be set up once.
const DefaultAddr = "127.0.0.1:7393"

// MinTokenLength is the shortest bearer token Listen accepts; NewToken makes
// 43-character ones.
const MinTokenLength = 16

// Errors.
var (
	// ErrNotLoopback: the configured address is not on the loopback
	// interface.
	ErrNotLoopback = errors.New("the local API listens only on 127.0.0.1 or ::1")
	// ErrNoToken: no token, or one too short to be a secret.
	ErrNoToken = errors.New("the local API needs a token")
)

// Config configures Listen.
type Config struct {
	// Addr is host:port with host 127.0.0.1, ::1 or localhost (taken as
	// 127.0.0.1); DefaultAddr when empty. Port 0 picks a free one (tests).
	Addr string
	// Token is the bearer token every request must carry
	// (Authorization: Bearer <token>); see NewToken, TokenFile, StoredToken.
	Token string
	// AllowedOrigins lists web origins ("https://crm.example.com"), exactly
	// as a browser sends them, that may call the API from a page, besides
	// the local machine's own. Empty by default: pages on other sites are
	// refused even with the token.
	AllowedOrigins []string
	// Headless are the options main passes to headless.Run for headless
	// mode (conference commands, demo commands), so both front ends offer
	// the same commands.
	Headless []headless.Option
	// MaxSessions bounds the open websockets (default 16).
	MaxSessions int
	// Logger gets one line per refused request; nil logs nothing.
	Logger *slog.Logger
}

// Server is a running local API. Close stops it.
type Server struct {
	api      phone.API
	cfg      Config
	log      *slog.Logger
	tokenSum [sha256.Size]byte
	listener net.Listener
	http     *http.Server

	ctx    context.Context // cancelled by Close: ends every session
	cancel context.CancelFunc
	served chan struct{}

	mu       sync.Mutex
	sessions int
	wg       sync.WaitGroup // the websocket sessions and command runs
}

// Listen binds the loopback address and serves until Close.
func Listen(api phone.API, cfg Config) (*Server, error) {
	if len(cfg.Token) < MinTokenLength {
		return nil, fmt.Errorf("%w of at least %d characters", ErrNoToken, MinTokenLength)
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 16
	}
	addr, err := loopbackAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the local API cannot listen on %s (is another Parley or program using the port?): %w", addr, err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		api:      api,
		cfg:      cfg,
		log:      logger,
		tokenSum: sha256.Sum256([]byte(cfg.Token)),
		listener: ln,
		served:   make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ws", s.serveWebsocket)
	mux.HandleFunc("POST /v1/commands", s.serveCommand)
	s.http = &http.Server{
		Handler:           s.guard(mux),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return s, nil
}

// Addr is the address the API listens on (with the real port when the
// configured one was 0).
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// URL is the API's base URL, "http://127.0.0.1:7393".
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

// Close stops listening, ends every websocket session and running command
// and waits for them.
func (s *Server) Close() error {
	// Under mu, so no begin can slip a wg.Add in after Wait started.
	s.mu.Lock()
	s.cancel()
	s.mu.Unlock()
	err := s.http.Close() // closes the listener and every connection
	<-s.served
	s.wg.Wait()
	return err
}

// loopbackAddr checks that addr is on the loopback interface.
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not host:port", ErrNotLoopback, addr)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("%w, not %q", ErrNotLoopback, host)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// guard applies the checks every request must pass, in this order: the
// peer is local; Host names the local machine, so a page whose DNS name
// was rebound to 127.0.0.1 cannot reach us under its own name; Origin, if
// a browser sent one, is the local machine or an allowed origin; the
// bearer token matches (RFC 6750 §2.1).
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !localPeer(r.RemoteAddr) {
			s.refuse(w, r, http.StatusForbidden, "the local API only answers this machine")
			return
		}
		if !localHost(r.Host) {
			s.refuse(w, r, http.StatusForbidden, "the Host header must be localhost, 127.0.0.1 or [::1]")
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			if !s.allowedOrigin(o) {
				s.refuse(w, r, http.StatusForbidden, "requests from the web origin "+o+" are not allowed (see AllowedOrigins in docs/local-api.md)")
				return
			}
			// CORS (Fetch standard): an allowed page may read the replies.
			// No credentials mode: the token is a header, not a cookie.
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				// The preflight carries no token by design; it learns only
				// that POST with these headers may follow.
				w.Header().Set("Access-Control-Allow-Methods", "POST")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
			s.refuse(w, r, http.StatusUnauthorized, "a valid token is needed: Authorization: Bearer <token>")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, why string) {
	s.log.Warn("local API: request refused", "method", r.Method, "path", r.URL.Path, "status", code, "why", why)
	http.Error(w, why, code)
}

// authorized compares the bearer token in constant time (over hashes, so
// neither the token's content nor its length leaks through timing). A
// browser's WebSocket cannot send headers, so a websocket handshake may
// carry the token as the subprotocol "bearer.<token>" instead, next to
// "parley.v1".
func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return s.tokenIs(strings.TrimSpace(h[len(prefix):]))
	}
	if h == "" && websocket.IsWebSocketUpgrade(r) {
		for _, p := range websocket.Subprotocols(r) {
			if tok, ok := strings.CutPrefix(p, bearerProtocol); ok {
				return s.tokenIs(tok)
			}
		}
	}
	return false
}

func (s *Server) tokenIs(tok string) bool {
	sum := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) == 1
}

func (s *Server) allowedOrigin(origin string) bool {
	for _, o := range s.cfg.AllowedOrigins {
		if origin == o {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" {
		return false
	}
	return localName(u.Hostname())
}

func localPeer(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localHost checks a Host header: a local name, with or without a port.
func localHost(h string) bool {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return localName(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
}

func localName(h string) bool {
	switch strings.ToLower(h) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// begin counts a session or command run; false when Close has begun.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	s.wg.Add(1)
	return true
}
