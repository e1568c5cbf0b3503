// Package codec holds the audio codecs Parley speaks on the wire and the
// description of a negotiated codec shared by the media and audio layers.
package codec

import "strings"

// Params describes the audio codec negotiated for one call's RTP stream.
// It is the contract between internal/rtc (which negotiates it through SDP)
// and audio (which encodes and decodes frames for it).
type Params struct {
	// Name is the SDP encoding name, upper-cased as in RFC 3551 (OPUS, PCMU,
	// PCMA, G722).
	Name string
	// ClockRate is the RTP clock rate in Hz: the rate in the rtpmap and the
	// unit of RTP timestamps (48000 for Opus, 8000 for G.711 and for G.722,
	// whose audio is sampled at 16 kHz: see AudioRate).
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
	NameG722 = "G722"
)

// Is reports whether p is the codec with the given encoding name, ignoring case.
func (p Params) Is(name string) bool { return strings.EqualFold(p.Name, name) }

// AudioRate is the rate in Hz at which the codec samples audio. It equals
// ClockRate except for G.722: RFC 3551 §4.5.2 keeps its RTP clock at
// 8000 Hz (the rate of the original rtpmap, so "G722/8000" and 160
// timestamp units per 20 ms) although it codes 16 kHz audio. Timestamps,
// jitter and RFC 4733 durations use ClockRate; resampling uses AudioRate.
func (p Params) AudioRate() uint32 {
	if p.Is(NameG722) {
		return g722AudioRate
	}
	return p.ClockRate
}
