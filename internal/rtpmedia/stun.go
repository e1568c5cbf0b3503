package rtpmedia

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/pion/stun/v4"
)

// STUN failures are logged, never returned: the session falls back to its
// local address.
var (
	errNoSTUNAnswer  = errors.New("no STUN answer")
	errBadSTUNServer = errors.New("unusable STUN server")
)

// mapped is what STUN says the far end will see of our sockets.
type mapped struct {
	ip        netip.Addr
	rtp, rtcp uint16
}

// discover asks the configured STUN servers for the public addresses of
// the RTP and RTCP sockets (RFC 5389 §7 Binding), before the session's
// readers own the sockets. The RTP socket's answer gives the IP and m=
// port; RTCP's its a=rtcp port, or port+1 of the mapped RTP port when the
// RTCP query fails (a port-preserving NAT). Nothing answering is logged
// and the local address is used, as PJSIP and baresip do.
func discover(cfg Config, rtpConn, rtcpConn *net.UDPConn, log *slog.Logger) (mapped, bool) {
	deadline := time.Now().Add(cfg.STUNTimeout)
	for _, u := range cfg.STUNServers {
		server, err := stunServerAddr(u)
		if err != nil {
			log.Debug("STUN server skipped", "url", u, "err", err)
			continue
		}
		rtp, err := stunBinding(rtpConn, server, deadline)
		if err != nil {
			log.Debug("STUN query failed", "server", server, "err", err)
			continue
		}
		m := mapped{ip: rtp.Addr(), rtp: rtp.Port(), rtcp: rtp.Port() + 1}
		if rtcp, err := stunBinding(rtcpConn, server, deadline); err == nil && rtcp.Addr() == rtp.Addr() {
			m.rtcp = rtcp.Port()
		}
		log.Info("public media address from STUN", "server", server, "rtp", rtp, "rtcp_port", m.rtcp)
		return m, true
	}
	log.Warn("no STUN server answered: advertising the local media address", "servers", len(cfg.STUNServers))
	return mapped{}, false
}

// stunServerAddr resolves a stun: URL (RFC 7064: stun:host[:port],
// default port 3478) to a UDP address.
func stunServerAddr(u string) (netip.AddrPort, error) {
	hostport, ok := strings.CutPrefix(u, "stun:")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("%w: %q is not a stun: URL", errBadSTUNServer, u)
	}
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		hostport = net.JoinHostPort(hostport, "3478")
	}
	a, err := net.ResolveUDPAddr("udp4", hostport)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%w: %w", errBadSTUNServer, err)
	}
	return a.AddrPort(), nil
}

// stunBinding sends Binding requests from conn to server, retransmitted
// after 500 ms and then doubling (RFC 5389 §7.2.1), until one is answered
// or the deadline passes, and returns the XOR-MAPPED-ADDRESS (or
// MAPPED-ADDRESS). Packets that are not the answer are dropped: nothing
// has been negotiated yet, so no media is due.
func stunBinding(conn *net.UDPConn, server netip.AddrPort, deadline time.Time) (netip.AddrPort, error) {
	defer func() { _ = conn.SetReadDeadline(time.Time{}) }()
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("build STUN request: %w", err)
	}
	buf := make([]byte, 1500)
	rto := 500 * time.Millisecond
	for time.Now().Before(deadline) {
		if _, err := conn.WriteToUDPAddrPort(req.Raw, server); err != nil {
			return netip.AddrPort{}, fmt.Errorf("send STUN request: %w", err)
		}
		_ = conn.SetReadDeadline(minTime(time.Now().Add(rto), deadline))
		rto *= 2
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break // retransmit
				}
				return netip.AddrPort{}, fmt.Errorf("read STUN answer: %w", err)
			}
			if from.Port() != server.Port() || from.Addr().Unmap() != server.Addr().Unmap() || !stun.IsMessage(buf[:n]) {
				continue
			}
			res := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
			if res.Decode() != nil || res.TransactionID != req.TransactionID || res.Type != stun.BindingSuccess {
				continue
			}
			var xor stun.XORMappedAddress
			if xor.GetFrom(res) == nil {
				if a, ok := netip.AddrFromSlice(xor.IP); ok {
					return netip.AddrPortFrom(a.Unmap(), uint16(xor.Port)), nil
				}
			}
			var plain stun.MappedAddress
			if plain.GetFrom(res) == nil {
				if a, ok := netip.AddrFromSlice(plain.IP); ok {
					return netip.AddrPortFrom(a.Unmap(), uint16(plain.Port)), nil
				}
			}
			return netip.AddrPort{}, fmt.Errorf("%w: answer without a mapped address", errNoSTUNAnswer)
		}
	}
	return netip.AddrPort{}, errNoSTUNAnswer
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
