package rtc

import "github.com/pion/webrtc/v4"

// State is the media connection state (ICE + DTLS together, as the W3C
// RTCPeerConnectionState).
type State int

// States.
const (
	StateNew State = iota
	StateConnecting
	StateConnected
	StateDisconnected
	StateFailed
	StateClosed
)

// String returns the lower-case state name.
func (s State) String() string {
	switch s {
	case StateNew:
		return "new"
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateFailed:
		return "failed"
	case StateClosed:
		return "closed"
	}

	return "unknown"
}

func stateFromPion(s webrtc.PeerConnectionState) State {
	switch s {
	case webrtc.PeerConnectionStateConnecting:
		return StateConnecting
	case webrtc.PeerConnectionStateConnected:
		return StateConnected
	case webrtc.PeerConnectionStateDisconnected:
		return StateDisconnected
	case webrtc.PeerConnectionStateFailed:
		return StateFailed
	case webrtc.PeerConnectionStateClosed:
		return StateClosed
	case webrtc.PeerConnectionStateNew, webrtc.PeerConnectionStateUnknown:
	}

	return StateNew
}
