package wazo

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client.
type Option func(*clientConfig)

type clientConfig struct {
	httpClient *http.Client
	tlsConfig  *tls.Config
	pin        *[32]byte
	clientID   string
	log        *slog.Logger
	expiration time.Duration
	userAgent  string
}

// WithHTTPClient uses hc for REST calls. TLS options still apply when its
// Transport is an *http.Transport (it is cloned, not modified).
func WithHTTPClient(hc *http.Client) Option { return func(c *clientConfig) { c.httpClient = hc } }

// WithTLSConfig sets the TLS configuration for REST and the event socket.
func WithTLSConfig(cfg *tls.Config) Option { return func(c *clientConfig) { c.tlsConfig = cfg } }

// WithPinnedCertificate trusts exactly the server certificate whose DER
// bytes hash to sha256sum, e.g. a self-signed Wazo install (docs/wazo-protocol.md, Authentication). Chain
// verification is replaced by the pin check; any other certificate fails
// with ErrCertificateMismatch.
func WithPinnedCertificate(sha256sum [32]byte) Option {
	return func(c *clientConfig) { p := sha256sum; c.pin = &p }
}

// WithClientID logs in with access_type offline and this client_id so the
// session can be refreshed with a refresh token (docs/wazo-protocol.md, Authentication).
func WithClientID(id string) Option { return func(c *clientConfig) { c.clientID = id } }

// WithLogger sets the structured logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *clientConfig) { c.log = l } }

// WithExpiration sets the requested token lifetime (default 3600 s, the
// SDK's default; the server allows 1 s … 10 years).
func WithExpiration(d time.Duration) Option { return func(c *clientConfig) { c.expiration = d } }

// WithUserAgent sets the User-Agent of REST calls.
func WithUserAgent(ua string) Option { return func(c *clientConfig) { c.userAgent = ua } }

func (cfg *clientConfig) effectiveTLS() *tls.Config {
	if cfg.pin != nil {
		return PinnedTLS(cfg.tlsConfig, *cfg.pin)
	}
	if cfg.tlsConfig != nil {
		return cfg.tlsConfig.Clone()
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}
}
