package wazoline

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/parley-voip/parley/phone"
)

// Option configures Connect.
type Option func(*config)

type config struct {
	pin       *[32]byte
	tlsConfig *tls.Config
	clientID  string
	// refreshToken signs in without the password (WithRefreshToken);
	// staySignedIn keeps it valid when the line closes (WithStaySignedIn).
	refreshToken string
	staySignedIn bool
	log          *slog.Logger
	phoneOpts    []phone.Option
	pendingTTL   time.Duration
	sockStartup  time.Duration
	// heartbeat and heartbeatTimeout: the event socket's ping period and
	// pong deadline (WithEventHeartbeat).
	heartbeat, heartbeatTimeout time.Duration
	// setServerCall replaces Phone.SetServerCall (tests of the event path
	// without a SIP side).
	setServerCall func(sipCallID string, sc phone.ServerCall) bool
}

func defaultConfig() config {
	return config{
		// docs/wazo-protocol.md, Authentication: an offline token with a client_id is what lets the
		// client refresh the session without the password.
		clientID: "parley",
		log:      slog.New(slog.DiscardHandler),
		// docs/wazo-protocol.md, Correlating SIP and calld: a call_created can beat the SIP INVITE it describes; keep
		// such events this long waiting for the call to appear.
		pendingTTL: 30 * time.Second,
		// How long Connect waits for the event socket's first start before
		// registering anyway (the socket keeps reconnecting on its own).
		sockStartup: 10 * time.Second,
		// A half-open event socket (a dead path that never closes) is
		// noticed only by a missing pong; 4 s + 4 s tells the agent within
		// 8 s that call details stopped flowing, for a few bytes every 4 s.
		heartbeat:        4 * time.Second,
		heartbeatTimeout: 4 * time.Second,
	}
}

// WithEventHeartbeat sets how often the event socket pings websocketd
// (op "ping", docs/wazo-protocol.md, Event websocket) and how long it waits
// for the pong before it calls the connection dead and reconnects (default
// 4 s and 4 s). every <= 0 turns the heartbeat off.
func WithEventHeartbeat(every, timeout time.Duration) Option {
	return func(c *config) { c.heartbeat, c.heartbeatTimeout = every, timeout }
}

// WithPinnedCertificate trusts exactly the server certificate whose DER
// bytes hash to sha256sum, for REST, the event socket and SIP over WSS alike
// (self-signed Wazo installs, docs/wazo-protocol.md, URL layout).
func WithPinnedCertificate(sha256sum [32]byte) Option {
	return func(c *config) { p := sha256sum; c.pin = &p }
}

// WithTLSConfig sets the TLS settings (e.g. RootCAs) for REST, the event
// socket and SIP over WSS. It is cloned, never modified.
func WithTLSConfig(cfg *tls.Config) Option { return func(c *config) { c.tlsConfig = cfg } }

// WithRefreshToken signs in with the refresh token of an earlier session
// (Line.RefreshToken) instead of the password, which Connect then ignores;
// a revoked or expired token fails with wazo.ErrSessionExpired, and the
// caller asks for the password again.
func WithRefreshToken(token string) Option { return func(c *config) { c.refreshToken = token } }

// WithStaySignedIn makes Close keep the session's refresh token valid, so
// the next start can sign in with it (Line.RefreshToken); SignOut still
// revokes it.
func WithStaySignedIn() Option { return func(c *config) { c.staySignedIn = true } }

// WithClientID sets the wazo-auth client_id used for the offline (refreshable)
// session (docs/wazo-protocol.md, Authentication). Default "parley".
func WithClientID(id string) Option { return func(c *config) { c.clientID = id } }

// WithLogger sets the structured logger for the line, the REST client and
// the phone engine (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithPhoneOptions passes options to phone.New (audio, media, local IP …).
// They are applied after the line's own, so they win.
func WithPhoneOptions(opts ...phone.Option) Option {
	return func(c *config) { c.phoneOpts = append(c.phoneOpts, opts...) }
}
