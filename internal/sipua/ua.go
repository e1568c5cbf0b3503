package sipua

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/lograte"
)

// Handler receives UA-level events. Each callback runs on a goroutine of
// its own or on the UA's event goroutine, never while the UA holds a lock,
// so it may block and may call back into the UA. OnRegistration calls are
// delivered one at a time, in order.
type Handler interface {
	// OnRegistration reports every registration state change.
	OnRegistration(RegState)
	// OnIncoming reports a new out-of-dialog INVITE. The call rings until
	// one of Incoming's actions is used or the caller cancels. ctx ends
	// when the UA closes.
	OnIncoming(ctx context.Context, in *Incoming)
}

// UA is one SIP line: registration, outgoing and incoming calls. Create it
// with New, then Start; Close releases everything it started.
type UA struct {
	cfg Config
	h   Handler
	log *slog.Logger

	dialogs   *Registry
	events    *eventQueue
	toTags    *toTagger // one To tag per incoming INVITE (totag.go)
	tcpRoutes *tcpRoutes

	mu       sync.Mutex
	state    RegState
	started  bool
	closed   bool
	contact  sip.ContactHeader // guarded by mu; updated by the registrar
	sua      *sipgo.UserAgent
	client   *sipgo.Client
	srv      *sipgo.Server
	dialogUA *sipgo.DialogUA
	reg      *registrar
	udpConn  net.PacketConn
	// listener accepts tcp/tls connections on listenPort (listen.go).
	listener   net.Listener
	listenPort int
	localIP    string
	viaHost    string
	// ackTimeout overrides ackWait's 64×T1 (tests only).
	ackTimeout time.Duration
	// ctx is the UA's lifetime: every goroutine the UA starts and every
	// callback it runs gets it, and Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Option adjusts a UA beyond its Config.
type Option func(*uaOptions)

type uaOptions struct {
	log *slog.Logger
}

// WithLogger sends the UA's and sipgo's logs to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(o *uaOptions) { o.log = l } }

// New validates cfg and returns a UA that is not started yet. h may be nil
// (events are then dropped and incoming calls rejected).
func New(cfg Config, h Handler, opts ...Option) (*UA, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	o := uaOptions{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	allowLargeUDPMessages()
	ua := &UA{
		cfg:     cfg,
		h:       h,
		log:     o.log.With("component", "sipua", "aor", cfg.aor()),
		dialogs: NewRegistry(),
		toTags:  newToTagger(),
		// RFC 3261 §18.1.1 (largetcp.go)
		tcpRoutes: newTCPRoutes(),
	}
	ua.ctx, ua.cancel = context.WithCancel(context.Background())
	ua.events = newEventQueue()
	return ua, nil
}

// Dialogs exposes the dialog registry (read-only use: Lookup, Len, All).
func (ua *UA) Dialogs() *Registry { return ua.dialogs }

// Config returns the effective configuration (defaults applied).
func (ua *UA) Config() Config { return ua.cfg }

// Start opens the transport and starts the registration loop. It returns
// after the first registration outcome: nil once registered, ErrAuthFailed,
// ErrUnreachable or *StatusError otherwise (wrapped; use errors.Is/As). On
// transient failures the loop keeps retrying in the background until
// Close. ctx only bounds this first wait. With a negative RegisterExpiry no
// registration is attempted and Start returns once listening.
func (ua *UA) Start(ctx context.Context) error {
	ua.mu.Lock()
	if ua.closed {
		ua.mu.Unlock()
		return ErrClosed
	}
	if ua.started {
		ua.mu.Unlock()
		return errors.New("sipua: Start called twice")
	}
	ua.started = true
	ua.mu.Unlock()

	if err := ua.setup(); err != nil {
		ua.teardown()
		return err
	}
	lctx := ua.ctx
	ua.wg.Add(1)
	go func() {
		defer ua.wg.Done()
		ua.events.run(lctx)
	}()

	if ua.cfg.RegisterExpiry < 0 {
		return nil
	}
	first := make(chan error, 1)
	ua.reg = newRegistrar(ua)
	ua.wg.Add(1)
	go func() {
		defer ua.wg.Done()
		ua.reg.run(lctx, first)
	}()
	select {
	case err := <-first:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sipgoPeerFault lists sipgo's log messages whose cause is a peer's input.
// sipgo logs every datagram or stream chunk it cannot parse at ERROR with
// the whole input as an attribute (sipgo v1.7.2 sip/transport_udp.go
// parseAndHandle, transport_tcp.go and transport_ws.go parseStream): whoever
// can send us a UDP packet would otherwise decide how much ERROR we log and
// what it says. lograte logs these at WARN, once per interval, clipped.
var sipgoPeerFault = []string{
	"failed to parse",   // transport_udp.go, transport_tcp.go, transport_ws.go
	"Read filter error", // our read filter (toTagger) refused the input
	"Fail to upgrade",   // transport_ws.go: a bad WebSocket handshake
}

// setup builds the sipgo stack, the listener and our handlers.
func (ua *UA) setup() error {
	cfg := &ua.cfg
	localIP := cfg.LocalIP
	if localIP == "" {
		ip, err := routeLocalIP(cfg.Server)
		if err != nil {
			return fmt.Errorf("%w: cannot reach sip server %s: %v", ErrUnreachable, cfg.Server, err)
		}
		localIP = ip
	}
	ua.localIP = localIP
	ua.viaHost = localIP
	if cfg.isWebSocket() {
		// RFC 7118 §5.2: a WebSocket client cannot be reached on its own
		// address; sip.js uses a random .invalid host in Via and Contact.
		ua.viaHost = randomToken(12) + ".invalid"
	}

	// sipgo's own logs are rate-limited: what a peer sends must not decide
	// how much ERROR we log (sipgoPeerFault).
	sipLog := lograte.Logger(ua.log, lograte.WithDemote(sipgoPeerFault...))
	wsPath := cfg.WSPath
	tpOpts := []sip.TransportLayerOption{
		sip.WithTransportLayerLogger(sipLog),
		sip.WithTransportLayerReadFilter(ua.toTags.filter),
		sip.WithTransportLayerTransports(sip.TransportsConfig{
			WS: &sip.TransportWS{DialURI: func(addr string) string { return "ws://" + addr + wsPath }},
			WSS: &sip.TransportWSS{TransportWS: &sip.TransportWS{
				DialURI: func(addr string) string { return "wss://" + addr + wsPath },
			}},
		}),
	}
	txOpts := []sip.TransactionLayerOption{
		sip.WithTransactionLayerLogger(sipLog),
		sip.WithTransactionLayerUnhandledResponseHandler(ua.onUnhandledResponse),
		// A dropped WS/TCP flow must fail pending transactions at once so the
		// registrar notices and reconnects (instead of waiting for Timer F).
		sip.WithTransactionLayerTerminateOnConnClose(),
	}
	sua, err := sipgo.NewUA(
		sipgo.WithUserAgent(cfg.UserAgent),
		sipgo.WithUserAgentHostname(cfg.Domain),
		sipgo.WithUserAgenTLSConfig(cfg.TLSConfig),
		sipgo.WithUserAgentTransportLayerOptions(tpOpts...),
		sipgo.WithUserAgentTransactionLayerOptions(txOpts...),
	)
	if err != nil {
		return fmt.Errorf("sipua: create sip stack: %w", err)
	}
	ua.sua = sua

	port := 0
	if cfg.Transport == "udp" {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(localIP, strconv.Itoa(cfg.LocalPort)))
		if err != nil {
			return fmt.Errorf("sipua: listen udp on %s: %w", localIP, err)
		}
		ua.udpConn = pc
		port = pc.LocalAddr().(*net.UDPAddr).Port
	}
	if cfg.Transport == "tcp" || cfg.Transport == "tls" {
		l, generated, err := listenConnection(cfg, localIP)
		if err != nil {
			return err
		}
		if generated {
			ua.log.Info("tls listener uses a self-signed certificate generated at start", "addr", l.Addr().String())
		}
		ua.listener = l
		ua.listenPort = l.Addr().(*net.TCPAddr).Port
	}
	clientOpts := []sipgo.ClientOption{
		sipgo.WithClientLogger(sipLog),
		sipgo.WithClientHostname(ua.viaHost),
		sipgo.WithClientNAT(), // RFC 3581 rport: learn our public port
	}
	if port != 0 {
		// Send from the listening socket so replies and new requests reach us
		// on the port we advertise.
		clientOpts = append(clientOpts,
			sipgo.WithClientConnectionAddr(net.JoinHostPort(localIP, strconv.Itoa(port))),
			sipgo.WithClientPort(port))
	}
	client, err := sipgo.NewClient(sua, clientOpts...)
	if err != nil {
		return fmt.Errorf("sipua: create sip client: %w", err)
	}
	ua.client = client
	srv, err := sipgo.NewServer(sua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		return fmt.Errorf("sipua: create sip server: %w", err)
	}
	ua.srv = srv
	ua.registerHandlers()

	ua.mu.Lock()
	if ua.listener != nil {
		port = ua.listenPort
	}
	ua.contact = ua.initialContact(port)
	ua.dialogUA = &sipgo.DialogUA{Client: client, ContactHDR: ua.contact}
	ua.mu.Unlock()

	if ua.udpConn != nil {
		pc := ua.udpConn
		ua.wg.Add(1)
		go func() {
			defer ua.wg.Done()
			_ = srv.ServeUDP(pc) // returns when pc is closed in teardown
		}()
		// ServeUDP registers the socket in sipgo's pool asynchronously; requests
		// sent before that would open a second socket on the same port.
		key := pc.LocalAddr().String()
		for i := 0; i < 1000; i++ {
			if c, err := sua.TransportLayer().GetConnection("udp", key); err == nil {
				_, _ = c.TryClose()
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if ua.listener != nil {
		l := ua.listener
		serve := srv.ServeTCP
		if cfg.Transport == "tls" {
			serve = srv.ServeTLS
		}
		ua.wg.Add(1)
		go func() {
			defer ua.wg.Done()
			_ = serve(l) // returns when l is closed in teardown
		}()
	}
	return nil
}

// initialContact builds our Contact before any registration feedback.
func (ua *UA) initialContact(port int) sip.ContactHeader {
	c := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: ua.cfg.Username, Host: ua.localIP, Port: port}}
	switch ua.cfg.Transport {
	case "tcp":
		c.Address.UriParams = sip.HeaderParams{{K: "transport", V: "tcp"}}
	case "tls":
		c.Address.UriParams = sip.HeaderParams{{K: "transport", V: "tls"}}
	case "ws", "wss":
		// sip.js style; Asterisk/kamailio route back over the flow.
		c.Address.User = randomToken(8)
		c.Address.Host = ua.viaHost
		c.Address.Port = 0
		c.Address.UriParams = sip.HeaderParams{{K: "transport", V: "ws"}}
	}
	return c
}

// Contact returns the Contact currently advertised.
func (ua *UA) Contact() sip.ContactHeader {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return *ua.contact.Clone()
}

func (ua *UA) setContact(c sip.ContactHeader) {
	ua.mu.Lock()
	ua.contact = c
	if ua.dialogUA != nil {
		ua.dialogUA.ContactHDR = c
	}
	ua.mu.Unlock()
}

// RegState returns the current registration state.
func (ua *UA) RegState() RegState {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return ua.state
}

func (ua *UA) setRegState(s RegState) {
	ua.mu.Lock()
	prev := ua.state
	ua.state = s
	ua.mu.Unlock()
	if prev.Status == s.Status && prev.Contact == s.Contact && prev.Expires == s.Expires && prev.Err == s.Err {
		return
	}
	ua.log.Debug("registration state", "status", s.Status.String(), "code", s.Code, "err", s.Err)
	if ua.h != nil {
		ua.events.push(func() { ua.h.OnRegistration(s) })
	}
}

// Close hangs up active dialogs, unregisters (own Contact with expires=0,
// not "Contact: *", which would also remove the user's other devices),
// stops every goroutine and closes the transports. ctx bounds the BYEs and
// the un-REGISTER.
func (ua *UA) Close(ctx context.Context) error {
	ua.mu.Lock()
	if ua.closed {
		ua.mu.Unlock()
		return nil
	}
	ua.closed = true
	started := ua.started
	cancel := ua.cancel
	reg := ua.reg
	ua.mu.Unlock()
	if !started {
		cancel()
		return nil
	}

	var wg sync.WaitGroup
	for _, d := range ua.dialogs.All() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = d.Bye(ctx)
		}()
	}
	wg.Wait()

	var err error
	if reg != nil {
		reg.stop() // stops the loop and its keep-alive before un-REGISTER
		err = reg.unregister(ctx)
	}
	cancel() // ends callbacks still running; the BYEs above are done
	ua.teardown()
	ua.wg.Wait()
	ua.setRegStateSync(RegState{Status: RegUnregistered})
	return err
}

// setRegStateSync stores the state without queueing a callback (the event
// goroutine is gone after Close) and calls the handler directly.
func (ua *UA) setRegStateSync(s RegState) {
	ua.mu.Lock()
	prev := ua.state
	ua.state = s
	ua.mu.Unlock()
	if prev.Status != s.Status && ua.h != nil {
		ua.h.OnRegistration(s)
	}
}

func (ua *UA) teardown() {
	if ua.srv != nil {
		_ = ua.srv.Close()
	}
	if ua.sua != nil {
		_ = ua.sua.Close()
	}
	if ua.udpConn != nil {
		_ = ua.udpConn.Close()
	}
	if ua.listener != nil {
		_ = ua.listener.Close()
	}
}

// isClosed reports whether Close was called.
func (ua *UA) isClosed() bool {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return ua.closed
}

// serverDestination is where out-of-dialog requests go (outbound proxy).
func (ua *UA) serverDestination() string { return ua.cfg.Server }

// applyLocal sets the local send address (UDP: our listening socket).
func (ua *UA) applyLocal(req *sip.Request) {
	req.SetTransport(ua.cfg.sipTransport())
	if ua.udpConn != nil {
		a := ua.udpConn.LocalAddr().(*net.UDPAddr)
		req.Laddr = sip.Addr{IP: a.IP, Port: a.Port, Hostname: a.IP.String()}
	}
}

// fromHeader is our identity (AOR) with tag.
func (ua *UA) fromHeader(tag string) *sip.FromHeader {
	f := &sip.FromHeader{
		DisplayName: ua.cfg.DisplayName,
		Address:     sip.Uri{Scheme: "sip", User: ua.cfg.Username, Host: ua.cfg.Domain},
		Params:      sip.NewParams(),
	}
	if tag != "" {
		f.Params.Add("tag", tag)
	}
	return f
}

// routeLocalIP returns the local address the OS would use towards server
// (no packet is sent: UDP "connect" only selects a route).
func routeLocalIP(server string) (string, error) {
	c, err := net.Dial("udp", server)
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String(), nil
}

func randomToken(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// friendlyTransportError turns a transport failure into plain language.
func (ua *UA) unreachable(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		msg = "connection refused"
	case strings.Contains(msg, "timed out"), strings.Contains(msg, "timeout"), errors.Is(err, sip.ErrTransactionTimeout):
		msg = "no answer (timeout)"
	case strings.Contains(msg, "certificate"):
		msg = "TLS certificate not trusted: " + msg
	}
	return fmt.Errorf("%w: cannot reach sip server %s: %s", ErrUnreachable, ua.cfg.Server, msg)
}

// eventQueue runs callbacks one at a time, in order, on one goroutine, so
// slow handlers never block sipgo's goroutines nor our locks.
type eventQueue struct {
	mu    sync.Mutex
	items []func()
	wake  chan struct{}
}

func newEventQueue() *eventQueue { return &eventQueue{wake: make(chan struct{}, 1)} }

func (q *eventQueue) push(f func()) {
	q.mu.Lock()
	q.items = append(q.items, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) run(ctx context.Context) {
	for {
		q.mu.Lock()
		items := q.items
		q.items = nil
		q.mu.Unlock()
		for _, f := range items {
			f()
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
	}
}

// waitFinal waits for the final response of tx.
func waitFinal(ctx context.Context, tx sip.ClientTransaction, onProvisional func(*sip.Response)) (*sip.Response, error) {
	for {
		select {
		case res := <-tx.Responses():
			if res == nil {
				continue
			}
			if res.IsProvisional() {
				if onProvisional != nil {
					onProvisional(res)
				}
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, err
			}
			return nil, errNoResponse
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// noBuild is a ClientRequestOption that leaves a fully built request as is.
func noBuild(*sipgo.Client, *sip.Request) error { return nil }

func (ua *UA) contactString() string {
	c := ua.Contact()
	return c.Address.String()
}

// LocalAddr returns the host:port advertised in our Contact.
func (ua *UA) LocalAddr() string {
	c := ua.Contact()
	return c.Address.HostPort()
}
