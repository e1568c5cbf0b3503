package sipua

import (
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by New when a Config field is zero.
const (
	DefaultRegisterExpiry = 600 * time.Second // sip.js Registerer default
	DefaultKeepAlive      = 15 * time.Second
	DefaultRejectCode     = 603
	DefaultRetryMin       = time.Second
	DefaultRetryMax       = 60 * time.Second
	// DefaultRetryUnreachable caps the retry backoff while the server
	// cannot be reached at all (docs/decisions/0020-g-flow-watchdog.md).
	DefaultRetryUnreachable = 3 * time.Second
	DefaultUserAgent        = "Parley"
	DefaultMaxRedirects     = 5                // hops; PJSIP and baresip stop at a similar small number
	defaultRequestTimeout   = 32 * time.Second // 64*T1, RFC 3261 Timer B/F
)

// Config describes one SIP account/line. It is passed by value to New.
type Config struct {
	// Transport is "udp", "tcp", "tls", "ws" or "wss".
	Transport string
	// Server is the registrar/outbound proxy host:port. Every out-of-dialog
	// request goes there (as sip.js does with its single WebSocket).
	Server string
	// WSPath is the HTTP path of the WebSocket endpoint, e.g.
	// "/api/asterisk/ws". The sub-protocol is always "sip" (RFC 7118).
	WSPath string
	// Domain is the SIP domain (AOR host); default: host of Server.
	Domain string
	// Username is the AOR user part.
	Username string
	// AuthUsername is the digest user; default Username.
	AuthUsername string
	Password     string
	DisplayName  string
	// RegisterExpiry is the requested registration lifetime (default 600s).
	// The registration is refreshed at 90 % of the expiry the server grants.
	// Negative disables registration (direct peer-to-peer use and tests).
	RegisterExpiry time.Duration
	// KeepAlive is the OPTIONS keep-alive period while registered, on
	// every transport; default 15s, negative disables the pings (on
	// connection transports the flow is still watched and re-registered
	// when it drops). A keep-alive without an answer marks the line failed
	// and re-registers.
	KeepAlive time.Duration
	// TLSConfig verifies tls/wss servers (RootCAs, ServerName). nil uses the
	// system roots.
	TLSConfig *tls.Config
	// UserAgent is the User-Agent header value.
	UserAgent string
	// LocalIP is the address to bind and advertise; default: the local
	// address the OS routes towards Server.
	LocalIP string
	// LocalPort is the SIP listen port (0 = ephemeral): the UDP socket, or
	// the tcp/tls listener that accepts connections from the registrar and
	// peers (outgoing connections still use ephemeral source ports). Not
	// used on ws/wss, where nothing can connect to a browser-like client.
	LocalPort int
	// ListenTLS is the server side of the tls listener (Certificates). nil
	// or without a certificate: a self-signed certificate for LocalIP is
	// generated at Start (see listen.go).
	ListenTLS *tls.Config
	// MaxRedirects bounds how many 3xx redirects one Dial follows
	// (RFC 3261 §8.1.3.4); 0 means DefaultMaxRedirects, negative means
	// none: a 3xx then ends the Dial with a *StatusError carrying the
	// Contacts.
	MaxRedirects int
	// RejectCode is used by Incoming.Reject when code is 0 (default 603).
	RejectCode int
	// RetryMin and RetryMax bound the registration retry backoff (default
	// 1s doubling to 60s, with ±20 % jitter). RetryUnreachable (default
	// 3s) caps it while the server cannot be reached at all.
	RetryMin, RetryMax, RetryUnreachable time.Duration
}

func (c *Config) setDefaults() {
	c.Transport = strings.ToLower(strings.TrimSpace(c.Transport))
	if c.Transport == "" {
		c.Transport = "udp"
	}
	if c.Domain == "" {
		if h, _, err := net.SplitHostPort(c.Server); err == nil {
			c.Domain = h
		} else {
			c.Domain = c.Server
		}
	}
	if c.AuthUsername == "" {
		c.AuthUsername = c.Username
	}
	if c.RegisterExpiry == 0 {
		c.RegisterExpiry = DefaultRegisterExpiry
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	if c.RejectCode == 0 {
		c.RejectCode = DefaultRejectCode
	}
	if c.MaxRedirects == 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	if c.RetryMin <= 0 {
		c.RetryMin = DefaultRetryMin
	}
	if c.RetryMax <= 0 {
		c.RetryMax = DefaultRetryMax
	}
	if c.RetryMax < c.RetryMin {
		c.RetryMax = c.RetryMin
	}
	if c.RetryUnreachable <= 0 {
		c.RetryUnreachable = DefaultRetryUnreachable
	}
	c.RetryUnreachable = max(c.RetryUnreachable, c.RetryMin)
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if (c.Transport == "ws" || c.Transport == "wss") && c.WSPath == "" {
		c.WSPath = "/"
	}
}

func (c *Config) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, a...)...)
	}
	switch c.Transport {
	case "udp", "tcp", "tls", "ws", "wss":
	default:
		return bad("unknown transport %q (use udp, tcp, tls, ws or wss)", c.Transport)
	}
	if c.Server == "" {
		return bad("no sip server given")
	}
	host, port, err := net.SplitHostPort(c.Server)
	if err != nil || host == "" {
		return bad("sip server %q must be host:port", c.Server)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return bad("sip server %q has an invalid port", c.Server)
	}
	if c.Username == "" {
		return bad("no sip username given")
	}
	if !isUserPart(c.Username) {
		return bad("sip username %q contains characters not allowed in a SIP URI", c.Username)
	}
	if !isHostPart(c.Domain) {
		return bad("sip domain %q is not a valid host name", c.Domain)
	}
	for name, v := range map[string]string{
		"display name": c.DisplayName, "user agent": c.UserAgent,
		"auth username": c.AuthUsername, "password": c.Password, "websocket path": c.WSPath,
	} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return bad("%s contains a line break", name)
		}
	}
	if strings.Contains(c.DisplayName, `"`) {
		return bad("display name must not contain a double quote")
	}
	if c.WSPath != "" && !strings.HasPrefix(c.WSPath, "/") {
		return bad("websocket path %q must start with /", c.WSPath)
	}
	if c.LocalIP != "" && net.ParseIP(c.LocalIP) == nil {
		return bad("local ip %q is not an IP address", c.LocalIP)
	}
	if c.LocalPort < 0 || c.LocalPort > 65535 {
		return bad("local port %d is not a port number", c.LocalPort)
	}
	if c.RejectCode < 300 || c.RejectCode > 699 {
		return bad("reject code %d is not a final error code", c.RejectCode)
	}
	return nil
}

// aor returns user@domain for messages.
func (c *Config) aor() string { return c.Username + "@" + c.Domain }

func (c *Config) connectionOriented() bool { return c.Transport != "udp" }

func (c *Config) isWebSocket() bool { return c.Transport == "ws" || c.Transport == "wss" }

// sipTransport is the upper-case transport name sipgo uses on messages.
func (c *Config) sipTransport() string { return strings.ToUpper(c.Transport) }
