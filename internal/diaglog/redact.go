package diaglog

import (
	"regexp"
)

var (
	// Authorization: Digest username="1001", realm=..., response="…"
	// (RFC 3261 §22.2, §22.3), Proxy-Authorization (§22.3), and Wazo's
	// X-Auth-Token; the WWW-/Proxy-Authenticate challenges are harmless
	// and kept. The value ends at the line end, whose CR is kept.
	authHeader = regexp.MustCompile(`(?im)^((?:proxy-)?authorization|x-auth-token)[ \t]*:[^\r\n]*`)
	// The same inside a quoted log value, where line ends are written \r\n
	// and quotes \" (strconv.Quote, slog's text handler).
	authQuoted = regexp.MustCompile(`(?i)(\\n)((?:proxy-)?authorization|x-auth-token)[ \t]*:(?:[^\\"]|\\")*`)
	// a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY (RFC 4568 §9.1).
	cryptoLine = regexp.MustCompile(`(?im)^a=crypto:[^\r\n]*`)
	// Inline key material in any other form.
	inlineKey = regexp.MustCompile(`(?i)inline:[A-Za-z0-9+/=|:^]+`)
	// "password":"…", password=…, token=… in text.
	keyValue = regexp.MustCompile(`(?i)("?(?:password|passwd|secret|token|access_token|refresh_token|authorization)"?\s*[:=]\s*)("[^"]*"|[^\s,&;}\\]+)`)
)

// RedactText removes credentials from free text: SIP Authorization and
// Proxy-Authorization header values, a=crypto lines and inline SDES keys,
// and password=/token= pairs.
func RedactText(s string) string {
	s = authHeader.ReplaceAllString(s, "$1: (redacted)")
	s = authQuoted.ReplaceAllString(s, "$1$2: (redacted)")
	s = cryptoLine.ReplaceAllString(s, "a=crypto:(redacted)")
	s = inlineKey.ReplaceAllString(s, "inline:(redacted)")
	return keyValue.ReplaceAllString(s, `${1}(redacted)`)
}
