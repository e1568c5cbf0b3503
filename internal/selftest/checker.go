package selftest

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/phone"
)

// DefaultTimeout bounds each check (a server that never answers, a STUN
// server behind a firewall that drops packets).
const DefaultTimeout = 8 * time.Second

// Target is the server the line talks to: the Wazo stack (HTTPS) or the SIP
// registrar/proxy.
type Target struct {
	// Address is host:port (a missing port gets the transport's default).
	Address string
	// Transport is "https" for a Wazo stack, or the SIP account's transport
	// (udp, tcp, tls, ws, wss).
	Transport string
	// Pin, when set, is the SHA-256 of the one certificate the user chose
	// to trust (wazo.PinnedTLS); otherwise the system roots (or RootCAs)
	// must vouch for it. Verification is never switched off.
	Pin     *[sha256.Size]byte
	RootCAs *x509.CertPool
}

// Registrar is the part of phone.API the registration check reads.
type Registrar interface {
	Registration() phone.Registration
	Subscribe() (<-chan phone.Event, func())
}

// EventSocket reports whether the Wazo event websocket is connected
// (wazoline.Line implements it).
type EventSocket interface {
	EventSocketConnected() bool
}

// Config is what the checks look at. Nil or empty parts make their checks
// say "not checked" rather than fail.
type Config struct {
	Server Target
	Phone  Registrar
	// Socket is nil on a plain SIP line (no event websocket).
	Socket EventSocket
	// STUN lists stun: URLs (rtc.Config.ICEServers).
	STUN []string
	// TURN lists the line's relays (rtc.Config.TURN), gathered from like a
	// call does; their credentials are never part of a Result.
	TURN []rtc.TURNServer
	// Audio is the sound host; nil when audio is off, AudioOff then
	// saying why (default: switched off with -audio off).
	Audio        audio.Host
	AudioOff     Message
	Input        string // device ID or name, empty: default
	Output       string
	MicDuration  time.Duration // default 1 s
	ToneDuration time.Duration // default 1 s
	// InCall, when it returns true, keeps the microphone and speaker
	// checks off the devices a call is using.
	InCall func() bool
	// IncludeLoopback lets ICE gather 127.0.0.1 (tests on one machine).
	IncludeLoopback bool
	Timeout         time.Duration // per check, default DefaultTimeout
	Resolver        *net.Resolver
	Logger          *slog.Logger
}

// Checker runs the checks of one Config.
type Checker struct {
	cfg Config
}

// New returns a Checker for cfg.
func New(cfg Config) *Checker {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MicDuration <= 0 {
		cfg.MicDuration = time.Second
	}
	if cfg.ToneDuration <= 0 {
		cfg.ToneDuration = time.Second
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Checker{cfg: cfg}
}

// Run runs every check, the independent ones at once, and calls report
// with each result as it comes (from several goroutines, one at a time).
// It returns when all are done or ctx ends; the results are in All order.
// A check cut short by ctx reports "not checked".
func (c *Checker) Run(ctx context.Context, report func(Result)) []Result {
	var mu sync.Mutex
	got := make(map[string]Result)
	emit := func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil && r.Status != StatusSkipped && r.Status != StatusOK {
			r = result(r.ID, StatusSkipped, msg("The check was stopped before it finished."), Message{})
		}
		got[r.ID] = r
		if report != nil {
			report(r)
		}
	}
	groups := []func(context.Context, func(Result)){
		c.checkServer,
		c.checkCertificate,
		c.checkRegistration,
		c.checkWebSocket,
		c.checkICE,
		c.checkAudio, // microphone, then speaker: one device at a time
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g(ctx, emit)
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	var out []Result
	for _, info := range All() {
		if r, ok := got[info.ID]; ok {
			out = append(out, r)
		}
	}
	return out
}

// bounded is ctx limited to one check's timeout.
func (c *Checker) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.cfg.Timeout)
}
