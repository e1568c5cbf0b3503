package rtpmedia_test

import (
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"github.com/parley-voip/parley/internal/rtpmedia"
)

// stunServer runs pion/turn's server on loopback, which answers STUN
// Binding requests (RFC 5389 §7.3) as any STUN server does.
func stunServer(t *testing.T) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := turn.NewServer(turn.ServerConfig{PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: pc}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

// stunNAT forwards what reaches its inside socket to server from one
// outside socket per inside source, and the answers back: a NAT that does
// not preserve ports, so the mapped ports differ from the session's.
// It returns its inside address and a function giving the ports of its
// outside sockets.
func stunNAT(t *testing.T, server netip.AddrPort) (netip.AddrPort, func() map[int]bool) {
	t.Helper()
	inside := udpListen(t)
	var mu sync.Mutex
	outside := map[netip.AddrPort]*net.UDPConn{}
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := inside.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			mu.Lock()
			o, ok := outside[from]
			if !ok {
				o = udpListen(t)
				outside[from] = o
				go func() {
					b := make([]byte, 2048)
					for {
						k, _, err := o.ReadFromUDPAddrPort(b)
						if err != nil {
							return
						}
						_, _ = inside.WriteToUDPAddrPort(b[:k], from)
					}
				}()
			}
			mu.Unlock()
			_, _ = o.WriteToUDPAddrPort(buf[:n], server)
		}
	}()
	ports := func() map[int]bool {
		mu.Lock()
		defer mu.Unlock()
		p := map[int]bool{}
		for _, o := range outside {
			p[o.LocalAddr().(*net.UDPAddr).Port] = true
		}
		return p
	}
	return inside.LocalAddr().(*net.UDPAddr).AddrPort(), ports
}

var (
	offerPort = regexp.MustCompile(`(?m)^m=audio (\d+) `)
	rtcpPort  = regexp.MustCompile(`(?m)^a=rtcp:(\d+)`)
)

func sdpPort(t *testing.T, re *regexp.Regexp, sdp []byte) int {
	t.Helper()
	m := re.FindSubmatch(sdp)
	if m == nil {
		t.Fatalf("no %s in\n%s", re, sdp)
	}
	p, _ := strconv.Atoi(string(m[1]))
	return p
}

// With a STUN server configured, the offer advertises the RTP and RTCP
// sockets' mapped addresses (here behind a non-port-preserving NAT); a
// STUN server that never answers leaves the local address, and the
// session opens all the same.
func TestSTUNMappedAddress(t *testing.T) {
	nat, natPorts := stunNAT(t, stunServer(t))
	s := newSession(t, rtpmedia.Config{Codecs: []string{"pcmu"}, NoRTCPMux: true, STUNServers: []string{"stun:" + nat.String()}})
	offer, err := s.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	m, rtcp := sdpPort(t, offerPort, offer), sdpPort(t, rtcpPort, offer)
	if got := s.LocalAddr().Port(); int(got) != m {
		t.Errorf("LocalAddr %s, offer's m= port %d", s.LocalAddr(), m)
	}
	if mapped := natPorts(); len(mapped) != 2 || !mapped[m] || !mapped[rtcp] || m == rtcp {
		t.Errorf("m= port %d, a=rtcp %d: not the NAT's two mappings %v\n%s", m, rtcp, mapped, offer)
	}

	// A STUN "server" that never answers.
	silent := udpListen(t)
	q := newSession(t, rtpmedia.Config{Codecs: []string{"pcmu"}, NoRTCPMux: true, STUNTimeout: 300 * time.Millisecond,
		STUNServers: []string{"stun:" + silent.LocalAddr().String()}})
	offer, err = q.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if m, rtcp := sdpPort(t, offerPort, offer), sdpPort(t, rtcpPort, offer); rtcp != m+1 || !regexp.MustCompile(`(?m)^c=IN IP4 127\.0\.0\.1`).Match(offer) {
		t.Errorf("without a STUN answer the offer should carry the local pair\n%s", offer)
	}
}
