package wazoline

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/internal/lograte"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// Line is a Wazo account used as a phone line: the REST client and event
// socket of package wazo plus a phone.Phone registered with the user's
// WebRTC line. It owns every goroutine it starts; Close stops them.
type Line struct {
	cfg config
	log *slog.Logger
	// noisy logs what the server sent that we could not read: rate-limited
	// (internal/lograte), so a server gone wrong cannot flood the log.
	noisy  *slog.Logger
	client *wazo.Client
	phone  *phone.Phone
	sock   *wazo.EventSocket
	user   string // the logged-in user's uuid (token metadata.uuid, docs/wazo-protocol.md, Authentication)

	// inbox carries socket events and resync snapshots to the applier
	// goroutine without ever blocking the socket goroutine.
	inbox    *eventq.Hub[inboxItem]
	inCh     <-chan inboxItem
	inCancel func()
	phCh     <-chan phone.Event
	phCancel func()
	out      *eventq.Hub[Event]
	corr     *correlator // used only by the applier goroutine

	started   chan struct{} // closed when the event socket first starts
	sockUp    atomic.Bool   // the event socket is started now (EventSocketConnected)
	startOnce sync.Once
	stop      chan struct{}
	done      chan struct{}

	mu     sync.Mutex
	closed bool
}

// inboxItem is one socket event or one resync snapshot, in socket order.
type inboxItem struct {
	ev     wazo.Event
	resync bool
	calls  []wazo.Call
}

// Connect signs in to the Wazo server and registers the user's WebRTC line:
//
//  1. wazo-auth login with a client_id, so the session can be refreshed
//     without the password (docs/wazo-protocol.md, Authentication);
//  2. the first WebRTC line of the user from confd (docs/wazo-protocol.md, Lines and registration);
//  3. a phone.Phone for wss://HOST/api/asterisk/ws with SIP domain = the
//     HTTP host name and display name "First Last" (docs/wazo-protocol.md, Lines and registration), trusting the same
//     certificate as the REST client, reading X-Wazo-Call-ID (docs/wazo-protocol.md, Correlating SIP and calld);
//  4. the event socket (subscribed to "*", docs/wazo-protocol.md, Event websocket), whose call events fill
//     each CallSession's server-side data, matched on sip_call_id (docs/wazo-protocol.md, Correlating SIP and calld);
//  5. GET /users/me/calls after every socket reconnect (docs/wazo-protocol.md, Event websocket);
//  6. SIP registration.
//
// server is "host", "host:port" or "https://host:port". Errors are plain
// sentences and wrap ErrLogin, ErrNoLine or ErrRegistration together with
// the cause (wazo.ErrAuthenticationFailed, wazo.ErrNoWebRTCLine,
// wazo.ErrUnreachable, wazo.ErrCertificateMismatch, phone.ErrAuthFailed …).
func Connect(ctx context.Context, server, username, password string, opts ...Option) (*Line, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	l, err := dial(ctx, server, username, password, cfg)
	if err != nil {
		return nil, err
	}
	if err := l.phone.Connect(ctx); err != nil {
		_ = l.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("%w: %w", ErrRegistration, err)
	}
	l.log.Info("wazoline: connected", "server", l.client.BaseURL(), "line", l.phone.Account().Username, "user", l.user)
	return l, nil
}

// dial does steps 1 to 5 of Connect: everything but SIP registration.
func dial(ctx context.Context, server, username, password string, cfg config) (*Line, error) {
	log := cfg.log

	wopts := []wazo.Option{wazo.WithClientID(cfg.clientID), wazo.WithLogger(log)}
	if cfg.tlsConfig != nil {
		wopts = append(wopts, wazo.WithTLSConfig(cfg.tlsConfig))
	}
	if cfg.pin != nil {
		wopts = append(wopts, wazo.WithPinnedCertificate(*cfg.pin))
	}
	client, err := wazo.NewClient(server, wopts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a Wazo server address (expected host, host:port or https://host:port)", ErrLogin, server)
	}
	var sess wazo.Session
	if cfg.refreshToken != "" {
		sess, err = client.LoginWithRefreshToken(ctx, cfg.refreshToken)
	} else {
		sess, err = client.Login(ctx, username, password)
	}
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("%w: %w", ErrLogin, err)
	}
	// From here on a failure must revoke the session it created.
	abandon := func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := client.Logout(cctx); err != nil {
			log.Warn("wazoline: could not log out after a failed connect", "err", err)
		}
		_ = client.Close()
	}

	wl, err := client.WebRTCLine(ctx)
	if err != nil {
		abandon()
		return nil, fmt.Errorf("%w: %w", ErrNoLine, err)
	}
	acct, err := account(client.BaseURL(), wl, sipTLS(cfg))
	if err != nil {
		abandon()
		return nil, fmt.Errorf("%w: %w", ErrNoLine, err)
	}
	popts := []phone.Option{
		phone.WithLogger(log),
		// docs/wazo-protocol.md, Correlating SIP and calld: engines ≥ 26.08 put our leg's calld id in this header, so
		// CallSession.CallID is known before any bus event.
		phone.WithServerCallIDHeader("X-Wazo-Call-ID"),
	}
	// The user's number is the line's extension, not the SIP username
	// (a random string on Wazo): the SDK's callerNumber and
	// dialedExtension name the extension (docs/wazo-protocol.md, Lines and
	// registration).
	if len(wl.Extensions) > 0 && wl.Extensions[0].Exten != "" {
		popts = append(popts, phone.WithOwnNumber(wl.Extensions[0].Exten))
	}
	popts = append(popts, cfg.phoneOpts...)
	// A Wazo line is a WebRTC line (its PJSIP endpoint has webrtc=yes):
	// whatever the options say, our offers are WebRTC.
	popts = append(popts, phone.WithMediaPath(phone.MediaWebRTC))
	p, err := phone.New(acct, popts...)
	if err != nil {
		abandon()
		return nil, fmt.Errorf("%w: %w", ErrNoLine, err)
	}

	l := &Line{
		cfg: cfg, log: log, noisy: lograte.Logger(log), client: client, phone: p, user: sess.UserUUID,
		inbox: eventq.New[inboxItem](), out: eventq.New[Event](),
		started: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}),
	}
	l.corr = newCorrelator(p.SetServerCall, cfg.pendingTTL, nil, log)
	if cfg.setServerCall != nil {
		l.corr.set, l.corr.eager = cfg.setServerCall, true
	}
	// Subscribe before anything can happen so no call is missed.
	l.inCh, l.inCancel = l.inbox.Subscribe()
	l.phCh, l.phCancel = p.Subscribe()
	go l.run()

	l.sock = client.NewEventSocket(wazo.EventSocketConfig{
		Events:  []string{"*"}, // like the SDK (docs/wazo-protocol.md, Event websocket)
		Handler: l.onEvent,
		Resync:  l.resync,
		OnState: l.onSocketState,
		// Without it a silently dead socket would go unnoticed until TCP
		// gave up, many minutes later (docs/reliability.md).
		Heartbeat:        max(cfg.heartbeat, 0),
		HeartbeatTimeout: cfg.heartbeatTimeout,
	})
	l.sock.Start()
	l.waitSocket(ctx)
	return l, nil
}

// account builds the SIP account of docs/wazo-protocol.md, Lines and registration from the REST base URL and the
// confd line.
func account(baseURL string, wl wazo.WebRTCLine, tlsCfg *tls.Config) (phone.Account, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return phone.Account{}, fmt.Errorf("the server address %q has no host name", baseURL)
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return phone.Account{
		Transport: "wss",
		Server:    net.JoinHostPort(u.Hostname(), port),
		WSPath:    "/api/asterisk/ws",
		// docs/wazo-protocol.md, Lines and registration: the SIP domain is the HTTP host name, not a realm from confd.
		Domain:      u.Hostname(),
		Username:    wl.Username,
		Password:    wl.Password,
		DisplayName: wl.DisplayName,
		TLS:         tlsCfg,
	}, nil
}

// waitSocket gives the event socket a chance to start before the line
// registers, so call events of the first call are not dropped (websocketd
// drops events before "start", docs/wazo-protocol.md, Event websocket). A socket that cannot start does not
// stop the phone: it keeps reconnecting and resyncs when it gets through.
func (l *Line) waitSocket(ctx context.Context) {
	t := time.NewTimer(l.cfg.sockStartup)
	defer t.Stop()
	select {
	case <-l.started:
	case <-ctx.Done():
	case <-t.C:
		l.log.Warn("wazoline: the Wazo event socket is not up yet; call details will follow when it connects")
	}
}

// Phone is the engine, for the GUI and headless mode (phone.API).
func (l *Line) Phone() *phone.Phone { return l.phone }

// Client is the REST client, for calld routes the engine has no notion of
// (docs/wazo-protocol.md, Ad-hoc conferences).
func (l *Line) Client() *wazo.Client { return l.client }

// EventSocketConnected reports whether the Wazo event websocket is
// connected and started now (read-only, for the self-test).
func (l *Line) EventSocketConnected() bool { return l.sockUp.Load() }

// UserUUID is the logged-in Wazo user's uuid.
func (l *Line) UserUUID() string { return l.user }

// EventBacklog is the deepest queue of the line's own event hubs (the
// socket's inbox and Subscribe's), as phone.Phone.EventBacklog: a
// diagnostic for soaks and support.
func (l *Line) EventBacklog() int {
	in, _ := l.inbox.Backlog()
	out, _ := l.out.Backlog()
	return max(in, out)
}

// Subscribe returns every Wazo event addressed to the user from now on (in
// order, never blocking the line) and a function that ends the
// subscription. Call events are applied to the phone's CallSessions before
// they are passed on here.
func (l *Line) Subscribe() (<-chan Event, func()) { return l.out.Subscribe() }

// Mute mutes the call like the SDK's Phone.mute (docs/wazo-protocol.md, Calls API): the microphone is
// silenced locally, then calld is told (PUT …/mute/start) when the call's
// calld id is known, so supervisors and other apps see it. The local mute
// is what protects the agent; a refused calld request is only logged.
func (l *Line) Mute(ctx context.Context, id string) error { return l.setMute(ctx, id, true) }

// Unmute reverses Mute (local unmute, then PUT …/mute/stop).
func (l *Line) Unmute(ctx context.Context, id string) error { return l.setMute(ctx, id, false) }

func (l *Line) setMute(ctx context.Context, id string, muted bool) error {
	if l.isClosed() {
		return ErrClosed
	}
	local, remote := l.phone.Unmute, l.client.Unmute
	if muted {
		local, remote = l.phone.Mute, l.client.Mute
	}
	if err := local(ctx, id); err != nil {
		return err
	}
	cs, ok := l.phone.Session(id)
	if !ok || cs.CallID == "" {
		return nil
	}
	if err := remote(ctx, cs.CallID); err != nil {
		l.log.Warn("wazoline: Wazo was not told about the mute change", "call", id, "muted", muted, "err", err)
	}
	return nil
}

// Close hangs up and unregisters the phone, closes the event socket, logs
// out (revoking the refresh token and the tokens, docs/wazo-protocol.md, Authentication) and stops every
// goroutine the line owns. It is safe to call more than once.
func (l *Line) Close(ctx context.Context) error { return l.close(ctx, !l.cfg.staySignedIn) }

// SignOut closes the line and revokes its refresh token: the next sign-in
// needs the password.
func (l *Line) SignOut(ctx context.Context) error { return l.close(ctx, true) }

// RefreshToken is the session's refresh token, for WithRefreshToken at the
// next start ("" without one).
func (l *Line) RefreshToken() string {
	s, _ := l.client.Session()
	return s.RefreshToken
}

func (l *Line) close(ctx context.Context, revoke bool) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()

	var errs []error
	if err := l.phone.Disconnect(ctx); err != nil {
		errs = append(errs, err)
	}
	if l.sock != nil {
		_ = l.sock.Close()
	}
	close(l.stop)
	<-l.done
	l.inCancel()
	l.phCancel()
	l.inbox.Close()
	l.out.Close()
	logout := l.client.Logout
	if !revoke {
		logout = l.client.EndSession
	}
	if err := logout(ctx); err != nil {
		errs = append(errs, fmt.Errorf("logging out of Wazo: %w", err))
	}
	_ = l.client.Close()
	return errors.Join(errs...)
}

func (l *Line) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// onEvent runs on the socket goroutine: it only queues, so a slow phone
// never delays the socket (and its pongs/token renewals).
func (l *Line) onEvent(ev wazo.Event) {
	// Tenant events (chatd presences) name no user: websocketd already
	// checked the token may see them.
	if !ev.ForUser(l.user) && !ev.IsTenantEvent() {
		return
	}
	l.inbox.Publish(inboxItem{ev: ev})
}

// resync runs on the socket goroutine after each reconnect, before newer
// events are delivered (docs/wazo-protocol.md, Event websocket): websocketd dropped whatever happened while
// we were away, so fetch the live calls and queue them behind the events
// already received.
func (l *Line) resync(ctx context.Context) {
	// A few bounded tries: right after a network fault the first request
	// may still hit a dead path, and a lost resync would leave the calls'
	// state stale until their next event.
	var calls []wazo.Call
	var err error
	for attempt, wait := 1, time.Second; ; attempt, wait = attempt+1, 2*wait {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		calls, err = l.client.Calls(actx)
		cancel()
		if err == nil || ctx.Err() != nil || attempt == 3 {
			break
		}
		l.log.Info("wazoline: resync failed, trying again", "err", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	if err != nil {
		l.log.Warn("wazoline: could not resync calls after reconnecting", "err", err)
		return
	}
	l.log.Debug("wazoline: resync", "calls", len(calls))
	l.inbox.Publish(inboxItem{resync: true, calls: calls})
}

func (l *Line) onSocketState(st wazo.SocketState) {
	l.log.Debug("wazoline: event socket", "state", st.String())
	l.sockUp.Store(st == wazo.SocketStarted)
	if st == wazo.SocketStarted {
		l.startOnce.Do(func() { close(l.started) })
	}
}

// run is the applier goroutine: socket events, resyncs and phone events
// are all handled here, one at a time, so the correlator needs no lock and
// events are applied in the order each source produced them.
func (l *Line) run() {
	defer close(l.done)
	tick := time.NewTicker(max(l.cfg.pendingTTL/2, time.Second))
	defer tick.Stop()
	inCh, phCh := l.inCh, l.phCh
	for {
		select {
		case <-l.stop:
			return
		case it, ok := <-inCh:
			if !ok {
				inCh = nil
				continue
			}
			l.handle(it)
		case pe, ok := <-phCh:
			if !ok {
				phCh = nil
				continue
			}
			l.handlePhone(pe)
		case <-tick.C:
			l.corr.expire()
		}
	}
}

func (l *Line) handle(it inboxItem) {
	if it.resync {
		l.corr.resync(l.mine(it.calls))
		// Services that keep other state from events (the desk's presences)
		// refetch it: what came while the socket was down is lost.
		l.out.Publish(Event{Name: EventResynced})
		return
	}
	ev := it.ev
	switch ev.Name {
	case "call_created", "call_answered", "call_updated", "call_ended":
		c, err := ev.Call()
		if err != nil {
			l.noisy.Warn("wazoline: unreadable call event", "event", ev.Name, "err", err)
			break
		}
		if c.UserUUID == "" || c.UserUUID == l.user {
			l.corr.callEvent(ev.Name, c)
		}
	case "call_held", "call_resumed":
		h, err := ev.Hold()
		if err != nil {
			l.noisy.Warn("wazoline: unreadable hold event", "event", ev.Name, "err", err)
			break
		}
		if h.UserUUID == "" || h.UserUUID == l.user {
			l.corr.hold(h.CallID, ev.Name == "call_held")
		}
	}
	l.out.Publish(newEvent(ev))
}

func (l *Line) mine(calls []wazo.Call) []wazo.Call {
	out := calls[:0:0]
	for _, c := range calls {
		if c.UserUUID == "" || c.UserUUID == l.user {
			out = append(out, c)
		}
	}
	return out
}

func (l *Line) handlePhone(pe phone.Event) {
	if pe.Call == nil {
		return
	}
	switch pe.Type {
	case phone.EventCallEnded, phone.EventCallFailed:
		l.corr.finished(pe.Call.SIPCallID)
	default:
		// call_incoming / call_outgoing make the call exist; later events
		// may carry the X-Wazo-Call-ID value learned from a 18x/200.
		l.corr.appeared(pe.Call.SIPCallID, pe.Call.CallID)
	}
}
