// Package codec holds the audio codecs Parley speaks on the wire and the
// description of a negotiated codec shared by the media and audio layers.
package codec

import "strings"

// Params describes the audio codec negotiated for one call's RTP stream.
// It is the contract between internal/rtc (which negotiates it through SDP)
// and audio (which encodes and decodes frames for it).
type Params struct {
	// Name is the SDP encoding name, upper-cased as in RFC 3551 (OPUS, PCMU, PCMA).
	Name string
	// ClockRate is the RTP clock rate in Hz (48000 for Opus, 8000 for G.711).
	ClockRate uint32
	// Channels is the channel count in the rtpmap (2 for Opus per RFC 7587 §7).
	Channels uint16
	// PayloadType is the negotiated RTP payload type.
	PayloadType uint8
	// DTMFPayloadType is the negotiated telephone-event payload type (RFC 4733),
	// or 0 when the far end did not accept telephone-event.
	DTMFPayloadType uint8
	// DTMFClockRate is the clock rate of that telephone-event format: the
	// unit of its event durations (RFC 4733 §2.3.5). It equals ClockRate
	// unless the far end offered telephone-event only at another rate.
	DTMFClockRate uint32
}

// Known encoding names.
const (
	NameOpus = "OPUS"
	NamePCMU = "PCMU"
	NamePCMA = "PCMA"
)

// Is reports whether p is the codec with the given encoding name, ignoring case.
func (p Params) Is(name string) bool { return strings.EqualFold(p.Name, name) }
