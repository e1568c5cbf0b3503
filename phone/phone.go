package phone

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/internal/sipua"
)

// Phone is one SIP line and its calls.
type Phone struct {
	account Account
	cfg     config
	log     *slog.Logger
	events  *eventq.Hub[Event]

	mu       sync.Mutex
	ua       *sipua.UA
	reg      Registration
	calls    map[string]*call
	order    []string // call ids, oldest first
	activeID string
	closed   bool
	wg       sync.WaitGroup // every goroutine the phone starts
	// draining is set (under mu) just before Disconnect waits on wg: a SIP
	// callback that arrives after that starts nothing, so wg.Add never runs
	// concurrently with wg.Wait.
	draining bool
}

var _ API = (*Phone)(nil)

// New prepares a phone for the account. Nothing touches the network until
// Connect.
func New(account Account, opts ...Option) (*Phone, error) {
	if err := account.Validate(); err != nil {
		return nil, err
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	p := &Phone{
		account: account,
		cfg:     cfg,
		log:     cfg.logger.With("aor", account.AOR()),
		events:  eventq.New[Event](),
		calls:   make(map[string]*call),
		reg:     Registration{State: RegUnregistered, AOR: account.AOR()},
	}
	return p, nil
}

// EventBacklog is the deepest queue of events published to a subscriber
// and not yet read by it (eventq.Hub.Backlog): a diagnostic for soaks and
// support, where a number that only grows names a listener that stopped.
func (p *Phone) EventBacklog() int {
	d, _ := p.events.Backlog()
	return d
}

// Account returns the line's settings.
func (p *Phone) Account() Account { return p.account }

// Connect registers the line. It returns once the first registration attempt
// has an outcome: nil when registered; ErrAuthFailed or ErrUnreachable (or a
// SIP status error) otherwise. After a transient failure the line keeps
// trying in the background and reports progress as events.
func (p *Phone) Connect(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	if p.ua != nil {
		p.mu.Unlock()
		return ErrAlreadyStarted
	}
	if p.cfg.localIP != "" {
		if _, err := checkLocalIP(p.cfg.localIP); err != nil {
			p.mu.Unlock()
			return err
		}
	}
	var listenTLS *tls.Config
	if p.cfg.listenCert != nil {
		listenTLS = &tls.Config{Certificates: []tls.Certificate{*p.cfg.listenCert}, MinVersion: tls.VersionTLS12}
	}
	ua, err := sipua.New(sipua.Config{
		Transport:      strings.ToLower(p.account.Transport),
		Server:         p.account.Server,
		WSPath:         p.account.WSPath,
		Domain:         p.account.Domain,
		Username:       p.account.Username,
		AuthUsername:   p.account.AuthUsername,
		Password:       p.account.Password,
		DisplayName:    p.account.DisplayName,
		RegisterExpiry: p.account.RegisterExpiry,
		KeepAlive:      p.cfg.keepAlive,
		TLSConfig:      p.account.TLS,
		UserAgent:      p.cfg.userAgent,
		LocalIP:        p.cfg.localIP,
		LocalPort:      p.cfg.localPort,
		MaxRedirects:   p.cfg.maxRedirects,
		ListenTLS:      listenTLS,
	}, (*uaHandler)(p), sipua.WithLogger(p.cfg.logger))
	if err != nil {
		p.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrInvalidAccount, err)
	}
	p.ua = ua
	p.mu.Unlock()

	if err := ua.Start(ctx); err != nil {
		return translateSIPError(err)
	}
	if p.account.RegisterExpiry < 0 {
		p.setRegistration(Registration{State: RegDirect, AOR: p.account.AOR()}, EventUnregistered)
		return nil
	}
	// The registered event is queued behind the SIP layer's callbacks; make
	// Registration() true as soon as Connect returns, as callers expect.
	if st := ua.RegState(); st.Status == sipua.RegRegistered {
		p.mu.Lock()
		if p.reg.State != RegRegistered {
			p.reg = Registration{State: RegRegistered, AOR: p.account.AOR(), Contact: st.Contact, Expires: st.Expires}
		}
		p.mu.Unlock()
	}
	return nil
}

// Disconnect hangs up every call, unregisters and releases the line. The
// phone cannot be connected again; make a new one.
func (p *Phone) Disconnect(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	ids := slices.Clone(p.order)
	ua := p.ua
	p.mu.Unlock()

	for _, id := range ids {
		if err := p.Hangup(ctx, id); err != nil && !errors.Is(err, ErrNoSuchCall) {
			p.log.Warn("hang up on disconnect", "call", id, "err", err)
		}
	}
	var err error
	if ua != nil {
		err = ua.Close(ctx)
	}
	p.mu.Lock()
	p.draining = true
	p.mu.Unlock()
	p.wg.Wait()
	p.setRegistration(Registration{State: RegUnregistered, AOR: p.account.AOR()}, EventUnregistered)
	p.events.Close()
	return err
}

// Subscribe implements API.
func (p *Phone) Subscribe() (<-chan Event, func()) { return p.events.Subscribe() }

// Registration implements API.
func (p *Phone) Registration() Registration {
	p.mu.Lock()
	reg, ua := p.reg, p.ua
	p.mu.Unlock()
	// Answered keep-alives raise no event; read when the flow last proved
	// itself from the SIP layer.
	if ua != nil && reg.State == RegRegistered {
		if st := ua.RegState(); st.Status == sipua.RegRegistered && st.Verified.After(reg.Verified) {
			reg.Verified = st.Verified
		}
	}
	return reg
}

// Calls implements API.
func (p *Phone) Calls() []CallSession {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]CallSession, 0, len(p.order))
	for _, id := range p.order {
		out = append(out, p.calls[id].snapshot())
	}
	return out
}

// ActiveCall implements API.
func (p *Phone) ActiveCall() (CallSession, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.calls[p.activeID]
	if !ok {
		return CallSession{}, false
	}
	return c.snapshot(), true
}

// Session implements API.
func (p *Phone) Session(id string) (CallSession, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.calls[id]
	if !ok {
		return CallSession{}, false
	}
	return c.snapshot(), true
}

// SetServerCall stores server-side data about a call (Wazo's calld Call) and
// reports it as call_updated. It is how a line that has a call-control API
// fills CallSession.CallID and CallSession.Call. Unknown ids are ignored
// and reported false: server events can outlive the call they describe.
func (p *Phone) SetServerCall(sipCallID string, sc ServerCall) bool {
	p.mu.Lock()
	c, ok := p.calls[sipCallID]
	if !ok {
		p.mu.Unlock()
		return false
	}
	c.session.ApplyServerCall(sc)
	snap := c.snapshot()
	p.mu.Unlock()
	p.emit(Event{Type: EventCallUpdated, Call: &snap})
	return true
}

// SetConference marks a call as the host leg of a conference the user hosts
// (CallSession.Conference, the SDK's setIsConference) and reports it as
// call_updated. It returns false for an unknown call.
func (p *Phone) SetConference(sipCallID string, on bool) bool {
	p.mu.Lock()
	c, ok := p.calls[sipCallID]
	if !ok || c.session.Conference == on {
		p.mu.Unlock()
		return ok
	}
	c.session.Conference = on
	snap := c.snapshot()
	p.mu.Unlock()
	p.emit(Event{Type: EventCallUpdated, Call: &snap})
	return true
}

// ownNumber is the user's number: WithOwnNumber, else the SIP username.
func (p *Phone) ownNumber() string { return p.ownNumberOr(p.account.Username) }

func (p *Phone) ownNumberOr(fallback string) string {
	if p.cfg.ownNumber != "" {
		return p.cfg.ownNumber
	}
	return fallback
}

// emit publishes an event stamped with the current time.
func (p *Phone) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	p.events.Publish(ev)
}

func (p *Phone) setRegistration(r Registration, typ EventType) {
	p.mu.Lock()
	p.reg = r
	p.mu.Unlock()
	rc := r
	p.emit(Event{Type: typ, Registration: &rc, Code: r.Code, Reason: r.Reason, ReasonCode: r.ReasonCode})
}

// lookup returns the call with the id, or a plain error.
func (p *Phone) lookup(id string) (*call, error) {
	c, ok := p.calls[id]
	if !ok || c.ended {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchCall, id)
	}
	return c, nil
}

// goTracked runs f on a goroutine the phone waits for in Disconnect. It
// reports false, and does not run f, once Disconnect is draining.
func (p *Phone) goTracked(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.draining {
		return false
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
	return true
}
