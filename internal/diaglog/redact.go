package diaglog

import (
	"regexp"
	"strings"
)

var (
	// Authorization: Digest username="1001", realm=..., response="…"
	// (RFC 3261 §22.2, §22.3); also Bearer tokens, and the WWW-/Proxy-
	// Authenticate challenges are harmless and kept.
	authHeader = regexp.MustCompile(`(?im)^((?:proxy-)?authorization|x-auth-token)\s*:.*$`)
	// a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY (RFC 4568 §9.1).
	cryptoLine = regexp.MustCompile(`(?im)^a=crypto:.*$`)
	// Inline key material in any other form.
	inlineKey = regexp.MustCompile(`(?i)inline:[A-Za-z0-9+/=|:^]+`)
	// "password":"…", password=…, token=… in text.
	keyValue = regexp.MustCompile(`(?i)("?(?:password|passwd|secret|token|access_token|refresh_token|authorization)"?\s*[:=]\s*)("[^"]*"|[^\s,&;}]+)`)
)

// RedactText removes credentials from free text: SIP Authorization and
// Proxy-Authorization header values, a=crypto lines and inline SDES keys,
// and password=/token= pairs.
func RedactText(s string) string {
	// "." matches the CR of a CRLF line end: keep it.
	s = authHeader.ReplaceAllStringFunc(s, func(line string) string {
		name, _, _ := strings.Cut(line, ":")
		return name + ": (redacted)" + crOf(line)
	})
	s = cryptoLine.ReplaceAllStringFunc(s, func(line string) string { return "a=crypto:(redacted)" + crOf(line) })
	s = inlineKey.ReplaceAllString(s, "inline:(redacted)")
	return keyValue.ReplaceAllString(s, `${1}(redacted)`)
}

func crOf(line string) string {
	if strings.HasSuffix(line, "\r") {
		return "\r"
	}
	return ""
}
