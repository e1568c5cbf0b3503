package rtc

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"
)

// Default values used when a Config field is left zero.
const (
	DefaultGatherTimeout = 3 * time.Second // like the Wazo SDK's iceGatheringTimeout
	// DTMFPayloadType is the payload type Parley offers telephone-event/8000
	// on, for the 8 kHz codecs (PCMU, PCMA) and peers that know no other rate.
	DTMFPayloadType = 101
	// DTMFOpusPayloadType is the payload type Parley offers
	// telephone-event/48000 on, next to Opus (the PT browsers use too).
	DTMFOpusPayloadType = 110
)

// NetworkType selects the candidate families ICE gathers (RFC 8445 §5.1.1).
type NetworkType = webrtc.NetworkType

// Network types accepted in Config.NetworkTypes.
const (
	NetworkUDP4 = webrtc.NetworkTypeUDP4
	NetworkUDP6 = webrtc.NetworkTypeUDP6
)

// Config describes one call's media session. The zero value is usable.
type Config struct {
	// Codecs lists the audio codecs to offer and accept, in preference order,
	// among "opus", "pcmu", "pcma", "g722" (case-insensitive). Default opus,
	// pcmu, pcma: G.722 is offered only when asked for.
	// telephone-event (RFC 4733, events 0-16) is always added at each
	// codec's RTP clock: /48000 on PT 110 with Opus, /8000 on PT 101.
	// When answering, the offerer's order among these wins (RFC 3264 §6.1).
	Codecs []string
	// ICEServers are stun: URLs (RFC 7064). Default none (host candidates only).
	ICEServers []string
	// TURN lists relays for the media's ICE relay candidates (RFC 8656;
	// URLs per RFC 7065). Default none. Their credentials are passed to pion
	// only and never logged.
	TURN []TURNServer
	// IncludeLoopback adds 127.0.0.1 candidates (tests on one machine).
	IncludeLoopback bool
	// NetworkTypes restricts gathering; default UDP over IPv4 only, which keeps
	// gathering fast and matches what PBXes are usually configured for.
	NetworkTypes []NetworkType
	// GatherTimeout bounds the wait for ICE gathering before an SDP is
	// returned (SIP has no trickle ICE). Default 3 s.
	GatherTimeout time.Duration
	// PortMin and PortMax bound the local UDP ports (both zero: any ephemeral port).
	PortMin, PortMax uint16
}

// TURNServer is one TURN relay with its long-term credential (RFC 8489 §9.2).
type TURNServer struct {
	// URL is a turn: or turns: URL (RFC 7065 §3.1), e.g. "turn:host:3478"
	// or "turn:host:3478?transport=tcp".
	URL string
	// Username and Credential are the long-term credential's name and password.
	Username, Credential string
}

// String names the server without its credential, for logs and errors.
func (t TURNServer) String() string { return t.URL }

// Option adjusts a Session beyond Config.
type Option func(*options)

type options struct {
	settingEngine []func(*webrtc.SettingEngine)
	log           *slog.Logger
}

// WithLogger sends this package's and pion's logs to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithSettingEngine lets the caller adjust pion's SettingEngine after Config
// has been applied (NAT address rewrite, interface filter, ICE timeouts...).
func WithSettingEngine(fn func(*webrtc.SettingEngine)) Option {
	return func(o *options) {
		if fn != nil {
			o.settingEngine = append(o.settingEngine, fn)
		}
	}
}

// codecSpec maps a Config codec name to what pion registers.
type codecSpec struct {
	name string
	cap  webrtc.RTPCodecCapability
	pt   webrtc.PayloadType
}

// codecByName returns the registration for a Config codec name.
//
// Opus is registered without fmtp on purpose: pion only negotiates partially
// matching codecs (same name, conflicting fmtp such as useinbandfec=0 against
// our useinbandfec=1) when no codec matches exactly, so a remote Opus line
// with other fmtp values would lose Opus to PCMU. An empty fmtp never conflicts.
func codecByName(name string) (codecSpec, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "opus":
		// RFC 7587 §7: always opus/48000/2 in SDP.
		return codecSpec{name: "opus", pt: 111, cap: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
		}}, true
	case "pcmu":
		return codecSpec{name: "pcmu", pt: 0, cap: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1,
		}}, true
	case "pcma":
		return codecSpec{name: "pcma", pt: 8, cap: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypePCMA, ClockRate: 8000, Channels: 1,
		}}, true
	case "g722":
		// RFC 3551 §4.5.2: G722/8000 (static PT 9) for 16 kHz audio; the
		// RTP clock, and so the timestamps, run at 8000 Hz.
		return codecSpec{name: "g722", pt: 9, cap: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeG722, ClockRate: 8000, Channels: 1,
		}}, true
	}

	return codecSpec{}, false
}

// dtmfCodecs are the telephone-event formats to register (RFC 4733 §2.3,
// §7.1.1), one per RTP clock of the configured codecs: events share the
// audio's SSRC and timestamp space (RFC 4733 §2.1), so their clock must be
// the audio's clock: 48000 with Opus (RFC 7587 §4.1), 8000 for G.711. The
// /8000 format is registered even for an Opus-only configuration: many peers
// (baresip, older PBXes) offer only telephone-event/8000 next to Opus, and
// without it DTMF would be lost with them.
//
// pion matches a remote format on name, clock rate and fmtp (a remote
// "0-15" does not conflict with our "0-16"), so the two registrations on
// different PTs never shadow each other.
func dtmfCodecs(specs []codecSpec) []webrtc.RTPCodecParameters {
	var out []webrtc.RTPCodecParameters
	for _, c := range specs {
		if c.cap.ClockRate == 48000 {
			out = append(out, dtmfCodec(DTMFOpusPayloadType, 48000))

			break
		}
	}

	return append(out, dtmfCodec(DTMFPayloadType, 8000))
}

func dtmfCodec(pt webrtc.PayloadType, rate uint32) webrtc.RTPCodecParameters {
	return webrtc.RTPCodecParameters{
		PayloadType: pt,
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: mimeTelephoneEvent, ClockRate: rate, Channels: 1, SDPFmtpLine: "0-16",
		},
	}
}

const mimeTelephoneEvent = "audio/telephone-event"

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, []codecSpec, error) {
	if len(c.Codecs) == 0 {
		c.Codecs = []string{"opus", "pcmu", "pcma"}
	}
	specs := make([]codecSpec, 0, len(c.Codecs))
	seen := map[string]bool{}
	for _, n := range c.Codecs {
		spec, ok := codecByName(n)
		if !ok {
			return c, nil, fmt.Errorf("%w: %q (use opus, pcmu, pcma or g722)", ErrUnknownCodec, n)
		}
		if !seen[spec.name] {
			seen[spec.name] = true
			specs = append(specs, spec)
		}
	}
	for _, u := range c.ICEServers {
		if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") {
			return c, nil, fmt.Errorf("%w: ICE server %q is not a stun: URL", ErrBadConfig, u)
		}
	}
	for _, t := range c.TURN {
		if !strings.HasPrefix(t.URL, "turn:") && !strings.HasPrefix(t.URL, "turns:") {
			return c, nil, fmt.Errorf("%w: TURN server %q is not a turn: or turns: URL", ErrBadConfig, t.URL)
		}
		if t.Username == "" {
			return c, nil, fmt.Errorf("%w: TURN server %q has no username", ErrBadConfig, t.URL)
		}
	}
	if len(c.NetworkTypes) == 0 {
		c.NetworkTypes = []NetworkType{NetworkUDP4}
	}
	if c.GatherTimeout <= 0 {
		c.GatherTimeout = DefaultGatherTimeout
	}
	if (c.PortMin == 0) != (c.PortMax == 0) || c.PortMin > c.PortMax {
		return c, nil, fmt.Errorf("%w: port range %d-%d", ErrBadConfig, c.PortMin, c.PortMax)
	}
	return c, specs, nil
}
