package sipua

import (
	"sync"

	"github.com/emiago/sipgo/sip"
)

// largeUDPMessage is the biggest SIP message we send over UDP, in bytes,
// plus sipgo's 200-byte margin.
const largeUDPMessage = 8192 + 200

var udpLimitOnce sync.Once

// allowLargeUDPMessages lets INVITEs and 200s carrying WebRTC SDP go out over
// UDP.
//
// A WebRTC offer (ICE candidates, DTLS fingerprint, several codecs) puts an
// INVITE at 1.5–2 KB. RFC 3261 §18.1.1 asks a UA to switch to TCP above 1300
// bytes, but sipgo v1.7.2 does not (a TODO in transport_layer.go): it refuses
// the message with ErrUDPMTUCongestion instead, so every UDP call would fail.
// Sending the datagram and letting IP fragment it is what deployed softphones
// do with WebRTC SDP over UDP, and what UDP accounts on real PBXes accept.
//
// sip.UDPMTUSize is a sipgo package global; it is written once per process,
// before any transport exists, and only ever raised. See
// docs/decisions/0003-large-sip-over-udp.md.
func allowLargeUDPMessages() {
	udpLimitOnce.Do(func() {
		if sip.UDPMTUSize < largeUDPMessage {
			sip.UDPMTUSize = largeUDPMessage
		}
	})
}
