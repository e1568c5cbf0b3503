package sipua

import (
	"fmt"
	"strconv"
	"strings"
)

// ReplacesValue builds the RFC 3891 Replaces value for the dialog
// (callid;to-tag=…;from-tag=…). The tags are seen from the UA that will
// receive the INVITE with Replaces (the transfer target), which is the far
// end of that dialog: its tag is our remote tag (to-tag), ours the from-tag.
func ReplacesValue(callID, localTag, remoteTag string) string {
	return callID + ";to-tag=" + remoteTag + ";from-tag=" + localTag
}

// ReferToValue builds the Refer-To header value for a blind transfer
// (replaces == "") or an attended one, embedding Replaces as an escaped URI
// header (RFC 3515 §2.1, RFC 3891 §3, RFC 5589 §7):
//
//	<sip:1003@pbx?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>
func ReferToValue(targetURI, replaces string) string {
	if replaces == "" {
		return "<" + targetURI + ">"
	}
	return "<" + targetURI + "?Replaces=" + escapeURIHeader(replaces) + ">"
}

// escapeURIHeader percent-encodes s as an RFC 3261 §25.1 hvalue
// (unreserved / hnv-unreserved / escaped).
func escapeURIHeader(s string) string {
	const hnvUnreserved = "[]/?:+$"
	const mark = "-_.!~*'()"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte(mark, c) >= 0 || strings.IndexByte(hnvUnreserved, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// ParseSipfrag reads the status line of a message/sipfrag body (RFC 3420)
// carried by a REFER NOTIFY (RFC 3515 §2.4.5), e.g. "SIP/2.0 200 OK".
func ParseSipfrag(body []byte) (code int, reason string, err error) {
	s := string(body)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, "SIP/2.0 ")
	if !ok {
		return 0, "", fmt.Errorf("sipfrag %q: not a SIP/2.0 status line", truncate(s, 40))
	}
	codeStr, reason, _ := strings.Cut(rest, " ")
	code, err = strconv.Atoi(codeStr)
	if err != nil || code < 100 || code > 699 {
		return 0, "", fmt.Errorf("sipfrag %q: invalid status code", truncate(s, 40))
	}
	return code, strings.TrimSpace(reason), nil
}

// referTarget extracts the URI from a Refer-To header value, dropping the
// angle brackets and header parameters.
func referTarget(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return v[i+1 : i+j]
		}
	}
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
