package rtpmedia

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/rtc"
)

// codecDef is one audio codec as written in SDP.
type codecDef struct {
	name      string // Config name: opus, pcmu, pcma, g722
	enc       string // SDP encoding name (RFC 3551 §6, RFC 7587 §7)
	pt        uint8  // payload type we offer
	rate      uint32 // RTP clock rate as written in the rtpmap
	channels  uint16
	fmtp      string
	static    bool // an RFC 3551 static payload type: no rtpmap needed
	mandatory bool // always compiled in (needs no probe of internal/codec)
}

// params is the codec.Params the audio pipeline builds its codec from.
func (c codecDef) params(pt uint8) codec.Params {
	return codec.Params{Name: strings.ToUpper(c.enc), ClockRate: c.rate, Channels: c.channels, PayloadType: pt}
}

// knownCodecs in default preference order.
//
// G.722 is the hook for internal/codec's G.722: RFC 3551 §4.5.2 writes it
// as G722/8000 on static PT 9 although it samples at 16 kHz (an error of
// RFC 1890 kept for compatibility), so its codec.Params carry ClockRate
// 8000, the RTP clock, and the codec package must know the audio is 16 kHz.
// It is offered only once codec.NewDecoder accepts Params{Name: "G722"}.
func knownCodecs() []codecDef {
	return []codecDef{
		{name: "opus", enc: "opus", pt: 111, rate: 48000, channels: 2, fmtp: "useinbandfec=1", mandatory: true},
		{name: "g722", enc: "G722", pt: 9, rate: 8000, channels: 1, static: true},
		{name: "pcmu", enc: "PCMU", pt: 0, rate: 8000, channels: 1, static: true, mandatory: true},
		{name: "pcma", enc: "PCMA", pt: 8, rate: 8000, channels: 1, static: true, mandatory: true},
	}
}

// available reports whether internal/codec can encode and decode c.
func (c codecDef) available() bool {
	if c.mandatory {
		return true
	}
	_, err := codec.NewDecoder(c.params(c.pt))
	return !errors.Is(err, codec.ErrUnsupported) && err == nil
}

func codecByName(name string) (codecDef, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, c := range knownCodecs() {
		if c.name == n {
			return c, true
		}
	}
	return codecDef{}, false
}

// codecsFor resolves Config.Codecs.
func codecsFor(names []string) ([]codecDef, error) {
	var out []codecDef
	if len(names) == 0 {
		for _, c := range knownCodecs() {
			if c.available() {
				out = append(out, c)
			}
		}
		return out, nil
	}
	seen := map[string]bool{}
	for _, n := range names {
		c, ok := codecByName(n)
		if !ok || !c.available() {
			return nil, fmt.Errorf("%w: %q (use opus, g722, pcmu or pcma)", rtc.ErrUnknownCodec, n)
		}
		if !seen[c.name] {
			seen[c.name] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// Telephone-event payload types, as internal/rtc offers them.
const (
	dtmfPT8k  = rtc.DTMFPayloadType
	dtmfPT48k = rtc.DTMFOpusPayloadType
)

// matches reports whether the remote rtpmap m is codec c.
func (c codecDef) matches(m rtc.RTPMap) bool {
	return strings.EqualFold(m.Name, c.enc) && m.ClockRate == c.rate
}
