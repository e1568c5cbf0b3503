package sipua

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Large requests on a UDP line (RFC 3261 §18.1.1): a request larger than
// 1300 bytes (path MTU unknown) MUST go over a congestion-controlled
// transport. sipgo does not switch by itself, so the UA does it per request:
// when the next hop accepts a TCP connection, the request goes over TCP
// (top Via SIP/2.0/TCP; the responses come back on that connection,
// §18.2.2); when it does not (many trunks and test peers only listen on
// UDP), it still goes over UDP and IP fragments it, as
// docs/decisions/0003-large-sip-over-udp.md explains.
const (
	udpSizeLimit = 1300
	// tcpProbeTimeout bounds the connection attempt that tells whether the
	// next hop listens on TCP; a filtered port costs this much once per
	// tcpProbeMemory.
	tcpProbeTimeout = time.Second
	tcpProbeMemory  = 30 * time.Minute
)

// tcpRoutes remembers which next hops accept TCP, so that only the first
// large request to a hop pays for the probe.
type tcpRoutes struct {
	mu    sync.Mutex
	known map[string]tcpRoute
	// dial opens the probe connection (net.DialTimeout; tests may stub it).
	dial func(addr string, timeout time.Duration) (net.Conn, error)
}

type tcpRoute struct {
	ok    bool
	until time.Time
}

func newTCPRoutes() *tcpRoutes {
	return &tcpRoutes{known: map[string]tcpRoute{}, dial: func(addr string, timeout time.Duration) (net.Conn, error) {
		return net.DialTimeout("tcp", addr, timeout)
	}}
}

// reachable reports whether addr accepts TCP connections, probing at most
// once per tcpProbeMemory.
func (r *tcpRoutes) reachable(addr string) bool {
	now := time.Now()
	r.mu.Lock()
	if k, ok := r.known[addr]; ok && now.Before(k.until) {
		r.mu.Unlock()
		return k.ok
	}
	r.mu.Unlock()
	c, err := r.dial(addr, tcpProbeTimeout)
	ok := err == nil
	if ok {
		_ = c.Close()
	}
	r.mu.Lock()
	r.known[addr] = tcpRoute{ok: ok, until: now.Add(tcpProbeMemory)}
	r.mu.Unlock()
	return ok
}

// forget drops what is known about addr (the TCP send failed after all).
func (r *tcpRoutes) forget(addr string) {
	r.mu.Lock()
	r.known[addr] = tcpRoute{ok: false, until: time.Now().Add(tcpProbeMemory)}
	r.mu.Unlock()
}

// routeLarge moves req to TCP when it is too large for UDP and the next hop
// listens on TCP. It returns the next hop it moved req to ("" when req
// stays as it is). Call it after the top Via is in place.
func (ua *UA) routeLarge(req *sip.Request) string {
	if ua.cfg.Transport != "udp" || ua.tcpRoutes == nil || len(req.String()) <= udpSizeLimit {
		return ""
	}
	hop := nextHop(req)
	if hop == "" || !ua.tcpRoutes.reachable(hop) {
		return ""
	}
	req.SetTransport("TCP")
	req.SetDestination(hop)
	req.Laddr = sip.Addr{} // the UDP socket's address; TCP picks its own
	if via := req.Via(); via != nil {
		via.Transport = "TCP"
	}
	ua.log.Debug("large request sent over tcp", "method", string(req.Method), "bytes", len(req.String()), "hop", hop)
	return hop
}

// nextHop is where req goes first (RFC 3261 §8.1.2): its set destination
// (the outbound proxy), else the first Route (loose routing), else the
// Request-URI; host:port with the default port 5060.
func nextHop(req *sip.Request) string {
	if d := req.MessageData.Destination(); d != "" {
		if _, _, err := net.SplitHostPort(d); err == nil {
			return d
		}
		return net.JoinHostPort(d, "5060")
	}
	u := req.Recipient
	if r := req.GetHeader("Route"); r != nil {
		var ru sip.Uri
		v := strings.TrimSpace(r.Value())
		if i := strings.IndexByte(v, ','); i >= 0 {
			v = v[:i]
		}
		v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">")
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
		if err := sip.ParseUri(v, &ru); err == nil && ru.Host != "" {
			u = ru
		}
	}
	if u.Host == "" {
		return ""
	}
	if tp := u.UriParams.GetOr("transport", ""); tp != "" && !strings.EqualFold(tp, "udp") && !strings.EqualFold(tp, "tcp") {
		return ""
	}
	port := u.Port
	if port == 0 {
		port = 5060
	}
	return net.JoinHostPort(u.Host, strconv.Itoa(port))
}

// sendRequest starts a client transaction for req, over TCP when
// routeLarge says so, and over UDP again if that TCP send fails at once.
func (ua *UA) sendRequest(ctx context.Context, req *sip.Request) (sip.ClientTransaction, error) {
	dest := req.Destination()
	hop := ua.routeLarge(req)
	if hop == "" && ua.cfg.Transport == "udp" && req.Transport() != ua.cfg.sipTransport() {
		// moved to TCP by an earlier attempt (digest retry, redirect) that
		// no longer applies
		ua.restoreUDP(req)
	}
	tx, err := ua.client.TransactionRequest(ctx, req, noBuild)
	if err != nil && hop != "" {
		ua.log.Debug("tcp send failed, sending over udp", "hop", hop, "err", err)
		ua.tcpRoutes.forget(hop)
		req.SetDestination(dest)
		ua.restoreUDP(req)
		tx, err = ua.client.TransactionRequest(ctx, req, noBuild)
	}
	return tx, err
}

// restoreUDP puts req back on the line's UDP socket.
func (ua *UA) restoreUDP(req *sip.Request) {
	ua.applyLocal(req)
	if via := req.Via(); via != nil {
		via.Transport = ua.cfg.sipTransport()
	}
}
