package rtc

// Direction is the direction attribute of the audio stream (RFC 3264 §5.1,
// RFC 8866 §6.7), always from the point of view of the side that wrote it.
type Direction int

// Directions. The zero value is DirectionUnknown.
const (
	DirectionUnknown Direction = iota
	DirectionSendRecv
	DirectionSendOnly
	DirectionRecvOnly
	DirectionInactive
)

// String returns the SDP attribute name ("sendrecv"...).
func (d Direction) String() string {
	switch d {
	case DirectionSendRecv:
		return "sendrecv"
	case DirectionSendOnly:
		return "sendonly"
	case DirectionRecvOnly:
		return "recvonly"
	case DirectionInactive:
		return "inactive"
	case DirectionUnknown:
	}

	return "unknown"
}

// parseDirection maps an SDP attribute key to a Direction (DirectionUnknown
// when key is not a direction attribute).
func parseDirection(key string) Direction {
	switch key {
	case "sendrecv":
		return DirectionSendRecv
	case "sendonly":
		return DirectionSendOnly
	case "recvonly":
		return DirectionRecvOnly
	case "inactive":
		return DirectionInactive
	}

	return DirectionUnknown
}

// makeDirection builds a Direction from its two halves.
func makeDirection(send, recv bool) Direction {
	switch {
	case send && recv:
		return DirectionSendRecv
	case send:
		return DirectionSendOnly
	case recv:
		return DirectionRecvOnly
	}

	return DirectionInactive
}

// Sends reports whether the writer of d sends media. Unknown counts as
// sendrecv, the RFC 3264 §5.1 default when no attribute is present.
func (d Direction) Sends() bool {
	return d == DirectionSendRecv || d == DirectionSendOnly || d == DirectionUnknown
}

// Receives reports whether the writer of d receives media.
func (d Direction) Receives() bool {
	return d == DirectionSendRecv || d == DirectionRecvOnly || d == DirectionUnknown
}

// Reverse is the same stream seen from the other side: what one side sends,
// the other receives (sendonly ⇄ recvonly).
func (d Direction) Reverse() Direction {
	return makeDirection(d.Receives(), d.Sends())
}

// answerTo returns the direction an answerer whose own wish is d must put in
// its answer to an offer with direction offered (RFC 3264 §6.1): it may only
// send if the offerer receives and only receive if the offerer sends.
//
//	offer sendonly → recvonly, recvonly → sendonly, inactive → inactive,
//	sendrecv → d.
func (d Direction) answerTo(offered Direction) Direction {
	return makeDirection(d.Sends() && offered.Receives(), d.Receives() && offered.Sends())
}

// holdOffer returns the direction to offer when putting the far end on hold
// (RFC 3264 §8.4) given the direction the far end last declared: sendonly,
// or inactive when the far end already holds us (it does not receive), as
// sip.js's hold modifier does (recvonly → inactive).
func holdOffer(remote Direction) Direction {
	if remote.Receives() {
		return DirectionSendOnly
	}

	return DirectionInactive
}
