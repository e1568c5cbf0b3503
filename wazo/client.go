// Package wazo is a pure API client for Wazo Platform (wazo-auth,
// wazo-confd, wazo-calld REST and the wazo-websocketd v2 event socket), as
// described in docs/wazo-protocol.md. It has no SIP, media or
// GUI code.
package wazo

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

const maxResponse = 4 << 20

// Client talks to one Wazo stack at https://HOST[:port]. It holds the
// session, refreshes it (on 401 / 404 "No such token", and proactively
// before expiry) and tells listeners (the event socket) about new tokens.
// Safe for concurrent use. Close stops its timer and waits for its
// goroutines.
type Client struct {
	base      *url.URL
	hc        *http.Client
	tlsConfig *tls.Config
	log       *slog.Logger
	clientID  string
	expSecs   int
	userAgent string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	sess       *Session
	loginToken string // the token from Login (revoked on Logout too)
	refreshing *refreshCall
	listeners  map[int]func(Session)
	nextID     int
	timer      *time.Timer
	closed     bool
}

type refreshCall struct {
	done chan struct{}
	err  error
}

// NewClient builds a client for server ("host", "host:port" or
// "https://host:port").
func NewClient(server string, opts ...Option) (*Client, error) {
	cfg := clientConfig{expiration: time.Hour, userAgent: "parley"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("wazo: invalid server address %q", server)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("wazo: invalid server address %q: want https://host[:port]", server)
	}
	base := &url.URL{Scheme: u.Scheme, Host: u.Host}
	tlsCfg := cfg.effectiveTLS()
	hc := cfg.httpClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tlsCfg
		hc = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	} else if tr, ok := hc.Transport.(*http.Transport); ok && (cfg.tlsConfig != nil || cfg.pin != nil) {
		c := *hc
		t2 := tr.Clone()
		t2.TLSClientConfig = tlsCfg
		c.Transport = t2
		hc = &c
	}
	exp := int(cfg.expiration / time.Second)
	if exp < 1 {
		exp = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{
		base: base, hc: hc, tlsConfig: tlsCfg, log: cfg.log, clientID: cfg.clientID,
		expSecs: exp, userAgent: cfg.userAgent, ctx: ctx, cancel: cancel, listeners: map[int]func(Session){},
	}, nil
}

// BaseURL is "https://host[:port]".
func (c *Client) BaseURL() string { return c.base.String() }

// Session returns the current session (ok=false before Login).
func (c *Client) Session() (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return Session{}, false
	}
	return *c.sess, true
}

// SetSession installs a stored session (e.g. resumed from disk). No token
// listener is called.
func (c *Client) SetSession(s Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := s
	c.sess = &cp
	c.scheduleLocked()
}

// OnTokenChanged registers fn, called (in the refreshing goroutine) after
// every successful Login or refresh. The event socket uses it to send
// op:"token" (docs/wazo-protocol.md, Authentication, Event websocket). The returned func unregisters.
func (c *Client) OnTokenChanged(fn func(Session)) (remove func()) {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.listeners[id] = fn
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.listeners, id)
		c.mu.Unlock()
	}
}

// Close stops the proactive refresh timer and every goroutine the client
// owns. It does not log out.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.hc.CloseIdleConnections()
	return nil
}

// ---- HTTP machinery ----

type request struct {
	method string
	path   string
	query  url.Values
	body   any
	auth   bool // send X-Auth-Token, refresh-and-replay on 401 / "No such token"
	basic  *[2]string
	token  string // explicit X-Auth-Token (no refresh)
	out    any
}

type response struct {
	status int
	body   []byte
}

// do runs rq; with rq.auth a 401, or a 404 whose reason[0] is "No such
// token", triggers one shared refresh and one replay (docs/wazo-protocol.md, Authentication).
func (c *Client) do(ctx context.Context, rq request) (*response, error) {
	for attempt := 0; ; attempt++ {
		tok := rq.token
		if rq.auth {
			s, ok := c.Session()
			if !ok {
				return nil, ErrNotLoggedIn
			}
			tok = s.Token
		}
		resp, err := c.send(ctx, rq, tok)
		if err != nil {
			return nil, err
		}
		if rq.auth && attempt == 0 && tokenRejected(resp) {
			c.log.Debug("wazo: token rejected, refreshing", "path", rq.path, "status", resp.status)
			if err := c.refresh(ctx, tok); err != nil {
				return nil, err
			}
			continue
		}
		if resp.status >= 400 {
			return resp, c.apiError(rq, resp)
		}
		if rq.out != nil && len(bytes.TrimSpace(resp.body)) > 0 {
			if err := json.Unmarshal(resp.body, rq.out); err != nil {
				return resp, fmt.Errorf("%w: %s %s: %v", ErrBadResponse, rq.method, rq.path, err)
			}
		}
		return resp, nil
	}
}

func tokenRejected(r *response) bool {
	if r.status == http.StatusUnauthorized {
		return true
	}
	if r.status != http.StatusNotFound {
		return false
	}
	var env struct {
		Reason []string `json:"reason"`
	}
	return json.Unmarshal(r.body, &env) == nil && len(env.Reason) > 0 && env.Reason[0] == "No such token"
}

func (c *Client) send(ctx context.Context, rq request, tok string) (*response, error) {
	u := *c.base
	u.Path = rq.path
	if rq.query != nil {
		u.RawQuery = rq.query.Encode()
	}
	var body io.Reader
	if rq.body != nil {
		b, err := json.Marshal(rq.body)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if tok != "" {
		req.Header.Set("X-Auth-Token", tok)
	}
	if rq.basic != nil {
		req.SetBasicAuth(rq.basic[0], rq.basic[1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.netError(ctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, c.netError(ctx, err)
	}
	return &response{status: resp.StatusCode, body: b}, nil
}

// NetError is a transport failure: "cannot reach the Wazo server at
// https://…: connection refused". It matches ErrUnreachable (and
// ErrCertificateMismatch for a pin failure).
type NetError struct {
	URL    string
	Reason string
	Err    error
}

func (e *NetError) Error() string {
	return fmt.Sprintf("cannot reach the Wazo server at %s: %s", e.URL, e.Reason)
}

// Unwrap exposes ErrUnreachable and the underlying error.
func (e *NetError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

func (c *Client) netError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	reason := err.Error()
	var dns *net.DNSError
	var unk x509.UnknownAuthorityError
	var host x509.HostnameError
	var nerr net.Error
	switch {
	case errors.Is(err, ErrCertificateMismatch):
		reason = "its certificate does not match the pinned certificate"
		if ce := certificateProblem(err); ce != nil {
			err = ce
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		reason = "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		reason = "no route to host"
	case errors.As(err, &dns):
		reason = "host name not found"
	case errors.As(err, &unk), errors.As(err, &host):
		reason = "its certificate is not trusted (pin the server certificate)"
		if ce := certificateProblem(err); ce != nil {
			err = ce
		}
	case errors.As(err, &nerr) && nerr.Timeout():
		reason = "timed out"
	}
	return &NetError{URL: c.base.String(), Reason: reason, Err: err}
}

func (c *Client) apiError(rq request, r *response) error {
	e := &APIError{Status: r.status, Method: rq.method, Path: rq.path}
	var env struct {
		Message string         `json:"message"`
		ErrorID string         `json:"error_id"`
		Details map[string]any `json:"details"`
		Reason  []string       `json:"reason"`
		Error   string         `json:"error"` // wazo-agentd's {"error": "..."} (wazo_agentd/http.py)
	}
	if json.Unmarshal(r.body, &env) == nil {
		e.Message, e.ErrorID, e.Details, e.Reason = env.Message, env.ErrorID, env.Details, env.Reason
		if e.Message == "" {
			e.Message = env.Error
		}
	} else {
		var list []string // confd errors are a list of messages
		if json.Unmarshal(r.body, &list) == nil {
			e.Message = strings.Join(list, "; ")
		}
	}
	e.kind = kindFor(r.status, e.ErrorID)
	if k, ok := agentdErrors[env.Error]; ok {
		e.kind = k
	}
	return e
}
