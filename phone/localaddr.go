package phone

import (
	"fmt"
	"net"

	"github.com/pion/webrtc/v4"

	"github.com/parley-voip/parley/internal/rtc"
)

// mediaAt keeps a call's ICE host candidates, hence its SDP c= line and
// RTP socket, on the local address the SIP side uses (WithLocalIP): pion
// gathers one host candidate per interface address and binds it there,
// so filtering the addresses places the media (pion SettingEngine
// SetIPFilter). A loopback address needs loopback candidates enabled.
func mediaAt(ip net.IP) rtc.Option {
	return rtc.WithSettingEngine(func(se *webrtc.SettingEngine) {
		se.SetIPFilter(func(a net.IP) bool { return a.Equal(ip) })
		if ip.IsLoopback() {
			se.SetIncludeLoopbackCandidate(true)
		}
	})
}

// checkLocalIP makes sure media can be placed on ip: it must be an address
// of one of this machine's interfaces (a loopback alias such as 127.0.0.2
// works for SIP but is not listed on the interface, so ICE would find no
// candidate and the call would have no audio).
func checkLocalIP(s string) (net.IP, error) {
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("%w: the local address %q is not an IP address", ErrInvalidAccount, s)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("%w: cannot list this machine's addresses: %v", ErrInvalidAccount, err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return ip, nil
		}
	}
	return nil, fmt.Errorf("%w: the local address %s is not an address of this machine's network interfaces", ErrInvalidAccount, s)
}
