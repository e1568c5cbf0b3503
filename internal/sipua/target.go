package sipua

import (
	"fmt"
	"net"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// ParseTarget turns a dial string into a SIP URI.
//
//   - "1002", "+33123456789", "*97" → sip:<user>@domain
//   - "alice@example.com"           → sip:alice@example.com
//   - "sip:…" / "sips:…"            → parsed as is (URI parameters kept)
//
// Surrounding blanks are trimmed; anything else outside the RFC 3261 §25.1
// user/host grammar (inner spaces, CR/LF, quotes, angle brackets, non-ASCII,
// URI headers after "?") is rejected with ErrInvalidTarget, so user input
// can never inject header lines into a request.
func ParseTarget(target, domain string) (sip.Uri, error) {
	invalid := func(why string) (sip.Uri, error) {
		return sip.Uri{}, fmt.Errorf("%w: %q %s", ErrInvalidTarget, target, why)
	}
	t := strings.Trim(target, " \t")
	if t == "" {
		return invalid("is empty")
	}
	for _, r := range t {
		if r < 0x21 || r > 0x7e {
			return invalid("contains spaces, line breaks or non-ASCII characters")
		}
	}
	if strings.ContainsAny(t, "<>\"`{}|\\^[]") && !strings.Contains(t, "@[") {
		return invalid("contains characters not allowed in a SIP address")
	}
	lower := strings.ToLower(t)
	scheme, explicit := "sip", false
	switch {
	case strings.HasPrefix(lower, "sips:"):
		scheme, t, explicit = "sips", t[5:], true
	case strings.HasPrefix(lower, "sip:"):
		t, explicit = t[4:], true
	case strings.Contains(t, ":") && !strings.Contains(t, "@"):
		return invalid("uses an unsupported URI scheme")
	}
	if strings.Contains(t, "?") {
		return invalid("must not carry URI headers")
	}
	var user, host, params string
	switch i := strings.LastIndex(t, "@"); {
	case i >= 0:
		user, host = t[:i], t[i+1:]
		if j := strings.Index(host, ";"); j >= 0 {
			host, params = host[:j], host[j:]
		}
	case explicit:
		// "sip:host[;params]": a URI without user part.
		host = t
		if j := strings.Index(host, ";"); j >= 0 {
			host, params = host[:j], host[j:]
		}
	default:
		user, host = t, domain
	}
	if user == "" && !explicit {
		return invalid("has no user part")
	}
	user = strings.ReplaceAll(user, "#", "%23")
	if user != "" && !isUserPart(user) {
		return invalid("has a user part with characters not allowed in a SIP address")
	}
	hostOnly := host
	if h, p, err := net.SplitHostPort(host); err == nil {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return invalid("has an invalid port")
		}
		hostOnly = h
		if strings.Contains(h, ":") {
			hostOnly = "[" + h + "]"
		}
	}
	if !isHostPart(hostOnly) {
		return invalid("has an invalid host")
	}
	raw := scheme + ":" + host + params
	if user != "" {
		raw = scheme + ":" + user + "@" + host + params
	}
	var u sip.Uri
	if err := sip.ParseUri(raw, &u); err != nil {
		return invalid("is not a valid SIP URI")
	}
	if u.Host == "" {
		return invalid("has no host")
	}
	return u, nil
}

// isUserPart reports whether s only holds RFC 3261 §25.1 "user" characters
// (unreserved / escaped / user-unreserved).
func isUserPart(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// isHostPart accepts a DNS name, an IPv4 address or a bracketed IPv6 address.
func isHostPart(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		ip := net.ParseIP(s[1 : len(s)-1])
		return ip != nil && ip.To4() == nil
	}
	if net.ParseIP(s) != nil {
		return net.ParseIP(s).To4() != nil
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
