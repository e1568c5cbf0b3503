package rtpmedia

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ephemeralTries bounds the attempts at an even/odd pair of ephemeral
// ports when no range is configured.
const ephemeralTries = 32

// listenPair binds the RTP socket on an even port and RTCP on the next
// one (RFC 3550 §11), within [min, max] when a range is set. Ports in a
// range are tried from a random even start, so that calls do not all fight
// for the first pair.
func listenPair(ip netip.Addr, minPort, maxPort uint16) (rtpConn, rtcpConn *net.UDPConn, err error) {
	if maxPort == 0 {
		for range ephemeralTries {
			a, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
			if err != nil {
				return nil, nil, fmt.Errorf("rtp socket: %w", err)
			}
			port := a.LocalAddr().(*net.UDPAddr).Port
			if port%2 == 0 && port < 65535 {
				if b, err := listenAt(ip, port+1); err == nil {
					return a, b, nil
				}
			}
			_ = a.Close()
		}
		return nil, nil, ErrNoPorts
	}
	first := int(minPort+1) &^ 1 // first even port ≥ min
	pairs := (int(maxPort) - first + 1) / 2
	if pairs <= 0 {
		return nil, nil, fmt.Errorf("%w: %d-%d holds no even/odd pair", ErrNoPorts, minPort, maxPort)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	start := int(binary.BigEndian.Uint32(b[:]) % uint32(pairs))
	for i := range pairs {
		port := first + 2*((start+i)%pairs)
		a, err := listenAt(ip, port)
		if err != nil {
			if isAddrInUse(err) {
				continue
			}
			return nil, nil, fmt.Errorf("rtp socket: %w", err)
		}
		c, err := listenAt(ip, port+1)
		if err != nil {
			_ = a.Close()
			continue
		}
		return a, c, nil
	}
	return nil, nil, fmt.Errorf("%w: %d-%d", ErrNoPorts, minPort, maxPort)
}

func listenAt(ip netip.Addr, port int) (*net.UDPConn, error) {
	return net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
}

func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }

// defaultRouteIP is the address of the interface the default route leaves
// from (a connected UDP socket sends nothing), for c= when bound to all
// interfaces; loopback when there is no route.
func defaultRouteIP() netip.Addr {
	c, err := net.Dial("udp4", "192.0.2.1:9") // RFC 5737 TEST-NET-1: never reached
	if err != nil {
		return netip.MustParseAddr("127.0.0.1")
	}
	defer func() { _ = c.Close() }()
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok {
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			return ip.Unmap()
		}
	}
	return netip.MustParseAddr("127.0.0.1")
}
