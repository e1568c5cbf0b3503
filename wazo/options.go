package wazo

import (
	"crypto/sha256"
	"crypto/tls"
	"fmt"
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
	var t *tls.Config
	if cfg.tlsConfig != nil {
		t = cfg.tlsConfig.Clone()
	} else {
		t = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.pin != nil {
		pin := *cfg.pin
		// Pinning: the certificate is checked against the pin instead of a
		// CA chain (self-signed Wazo certificates have no chain).
		t.InsecureSkipVerify = true
		t.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return ErrCertificateMismatch
			}
			if sha256.Sum256(cs.PeerCertificates[0].Raw) != pin {
				return fmt.Errorf("%w (got SHA-256 %x)", ErrCertificateMismatch, sha256.Sum256(cs.PeerCertificates[0].Raw))
			}
			return nil
		}
	}
	return t
}
