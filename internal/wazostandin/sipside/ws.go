package sipside

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// HandleWS serves GET /api/asterisk/ws: SIP over WebSocket (RFC 7118) on the
// stack's own HTTPS listener, as nginx proxies it to Asterisk on a real stack
// (docs/wazo-protocol.md, Authentication, XCFG). Like that nginx location it answers 403 unless the client asks
// for the "sip" sub-protocol.
//
// sipgo's WS transport upgrades raw connections it accepts from a
// net.Listener, so the handler hijacks the TLS connection, replays the
// already-parsed HTTP request in front of it and hands it to sipgo through an
// in-memory listener (sipListener). TLS stays terminated by the HTTPS server.
func (x *Side) HandleWS(w http.ResponseWriter, r *http.Request) {
	if !hasToken(r.Header.Values("Sec-WebSocket-Protocol"), "sip") {
		http.Error(w, "403 Forbidden", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet || !hasToken(r.Header.Values("Upgrade"), "websocket") {
		http.Error(w, "websocket upgrade required", http.StatusBadRequest)
		return
	}
	if err := x.ensure(); err != nil {
		http.Error(w, "sip service unavailable", http.StatusServiceUnavailable)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "websocket upgrade not supported here", http.StatusInternalServerError)
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		x.log.Warn("wazostandin: sip websocket hijack failed", "err", err)
		return
	}
	_ = conn.SetDeadline(time.Time{}) // the HTTP server's header deadline must not kill the flow

	var head bytes.Buffer
	fmt.Fprintf(&head, "GET %s HTTP/1.1\r\nHost: %s\r\n", r.URL.RequestURI(), r.Host)
	_ = r.Header.Write(&head)
	head.WriteString("\r\n")
	var rest []byte
	if n := brw.Reader.Buffered(); n > 0 {
		rest, _ = brw.Reader.Peek(n)
		rest = append([]byte(nil), rest...)
	}
	flow := conn.RemoteAddr().String()
	rc := &replayConn{Conn: conn, r: io.MultiReader(&head, bytes.NewReader(rest), conn),
		// A closed flow can never be reached again (RFC 7118 §5): forget
		// its registrations at once instead of waiting for qualify.
		onClose: func() { x.reg.dropFlow(flow) }}
	if !x.ln.push(rc) {
		_ = conn.Close()
	}
}

// hasToken reports whether a comma-separated header list holds tok
// (case-insensitive), e.g. Sec-WebSocket-Protocol: "sip, foo".
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), tok) {
				return true
			}
		}
	}
	return false
}
