package phone

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"
)

// Account is a SIP line's settings. A Wazo account is turned into one of
// these by the wazoline package after it reads the WebRTC line from confd.
type Account struct {
	// Transport is "udp", "tcp", "tls", "ws" or "wss".
	Transport string `json:"transport"`
	// Server is the registrar/proxy as host[:port].
	Server string `json:"server"`
	// WSPath is the WebSocket path for ws/wss ("/api/asterisk/ws" on Wazo).
	WSPath string `json:"wsPath,omitempty"`
	// Domain is the SIP domain of the address of record; defaults to the
	// server's host.
	Domain       string `json:"domain,omitempty"`
	Username     string `json:"username"`
	AuthUsername string `json:"authUsername,omitempty"`
	Password     string `json:"password,omitempty"`
	DisplayName  string `json:"displayName,omitempty"`
	// RegisterExpiry is the registration lifetime we ask for (default 600 s,
	// as sip.js does).
	RegisterExpiry time.Duration `json:"registerExpiry,omitempty"`
	// TLS configures certificate checks for tls and wss.
	TLS *tls.Config `json:"-"`
}

// Validate reports what is missing or wrong, in plain language.
func (a Account) Validate() error {
	switch strings.ToLower(a.Transport) {
	case "udp", "tcp", "tls", "ws", "wss":
	case "":
		return fmt.Errorf("%w: choose a transport (udp, tcp, tls, ws or wss)", ErrInvalidAccount)
	default:
		return fmt.Errorf("%w: unknown transport %q (use udp, tcp, tls, ws or wss)", ErrInvalidAccount, a.Transport)
	}
	if a.Server == "" {
		return fmt.Errorf("%w: the server address is empty", ErrInvalidAccount)
	}
	host := a.Server
	if h, _, err := net.SplitHostPort(a.Server); err == nil {
		host = h
	}
	if host == "" || strings.ContainsAny(a.Server, " \r\n\t/") {
		return fmt.Errorf("%w: %q is not a server address (expected host or host:port)", ErrInvalidAccount, a.Server)
	}
	if a.Username == "" {
		return fmt.Errorf("%w: the username is empty", ErrInvalidAccount)
	}
	for name, v := range map[string]string{"username": a.Username, "display name": a.DisplayName, "domain": a.Domain, "auth username": a.AuthUsername} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return fmt.Errorf("%w: the %s contains a line break", ErrInvalidAccount, name)
		}
	}
	return nil
}

// AOR is the line's address of record, sip:user@domain.
func (a Account) AOR() string {
	d := a.Domain
	if d == "" {
		d = a.Server
		if h, _, err := net.SplitHostPort(a.Server); err == nil {
			d = h
		}
	}
	return "sip:" + a.Username + "@" + d
}
