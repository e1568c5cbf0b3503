package rtpmedia

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
)

// SRTPMode chooses how SDES-SRTP (RFC 4568) is offered.
type SRTPMode int

// SRTP modes. Whatever the mode, an offer of RTP/SAVP with a usable
// a=crypto is answered with SRTP (except SRTPOff, which refuses it);
// SRTPMandatory refuses plain RTP.
const (
	// SRTPOff offers RTP/AVP without a=crypto and answers only plain RTP.
	SRTPOff SRTPMode = iota
	// SRTPOptional offers RTP/AVP with a=crypto lines ("best effort" SRTP,
	// what baresip's mediaenc=srtp and PJSIP's use_srtp=1 do): a peer that
	// answers a=crypto gets SRTP, one that ignores it plain RTP. Answering,
	// it accepts both.
	SRTPOptional
	// SRTPMandatory offers RTP/SAVP (RFC 3711 §2, RFC 4568 §6) and refuses
	// media that is not encrypted.
	SRTPMandatory
)

func (m SRTPMode) String() string {
	switch m {
	case SRTPOff:
		return "off"
	case SRTPOptional:
		return "optional"
	case SRTPMandatory:
		return "mandatory"
	}
	return "unknown"
}

// Default values used when a Config field is left zero.
const (
	// PTime is the packet time written as a=ptime and a=maxptime: the
	// audio pipeline sends and its jitter buffer expects 20 ms frames.
	PTime               = 20 * time.Millisecond
	DefaultRTCPInterval = 5 * time.Second // RFC 3550 §6.2 minimum
	// DefaultSTUNTimeout is Config.STUNTimeout's default.
	DefaultSTUNTimeout = 2 * time.Second
	// DefaultKeepAliveInterval is Config.KeepAliveInterval's default.
	DefaultKeepAliveInterval = 15 * time.Second
)

// Config describes one call's plain RTP media. The zero value is usable
// (all interfaces, any port, plain RTP, Opus, PCMU, PCMA).
type Config struct {
	// Codecs lists the audio codecs to offer and accept, in preference
	// order, among "opus", "pcmu", "pcma" and "g722" (the last only once
	// internal/codec implements it). Default opus, pcmu, pcma (and g722
	// when available, after Opus). telephone-event is always added.
	Codecs []string
	// LocalIP is the address the RTP and RTCP sockets bind to. Default the
	// unspecified IPv4 address (all interfaces).
	LocalIP netip.Addr
	// AdvertiseIP is the address written in c= (a STUN-discovered public
	// address, say). Default LocalIP, or when that is unspecified the
	// address of the interface the default route leaves from.
	AdvertiseIP netip.Addr
	// STUNServers are stun: URLs (RFC 7064, as rtc.Config.ICEServers;
	// stuns: ones are skipped, STUN over TLS is not UDP). Without
	// AdvertiseIP, the RTP and RTCP sockets ask the first that answers for
	// their public (mapped) addresses, which go in c=, m= and a=rtcp. None
	// answering within STUNTimeout is not an error: the local address is
	// advertised, as without STUN.
	STUNServers []string
	// STUNTimeout bounds the STUN queries of one session (default 2 s).
	STUNTimeout time.Duration
	// PortMin and PortMax bound the RTP port (even) and its RTCP port+1
	// (RFC 3550 §11). Both zero: any ephemeral pair.
	PortMin, PortMax uint16
	// SRTP chooses between plain RTP and SDES-SRTP (default SRTPOff).
	SRTP SRTPMode
	// AVPF offers the RTP/AVPF (or RTP/SAVPF) profile (RFC 4585) instead of
	// RTP/AVP. Answering, AVPF offers are accepted whatever this says.
	AVPF bool
	// NoRTCPMux stops offering a=rtcp-mux (RFC 5761). RTCP on port+1 is
	// always ready, so offering mux costs nothing with peers that ignore it.
	NoRTCPMux bool
	// NoLatching keeps sending to the address the SDP names even when
	// media arrives from elsewhere. Latching ("comedia") is what gets audio
	// to a peer behind NAT; only a peer that sends from another port than
	// it receives on (not symmetric, against RFC 4961) needs this.
	NoLatching bool
	// RTCPInterval is the mean time between RTCP reports (default 5 s,
	// randomised by ±50 % as RFC 3550 §6.3.1 wants).
	RTCPInterval time.Duration
	// KeepAliveInterval is how long the RTP port may stay silent before a
	// keep-alive packet goes out on it (default 15 s, under the 30 s UDP
	// binding lifetime of the shortest-lived NATs, RFC 6263 §4.6).
	KeepAliveInterval time.Duration
}

// Option adjusts a Session beyond Config.
type Option func(*options)

type options struct {
	log *slog.Logger
}

// WithLogger sends this package's logs to l (default: discarded). SDES
// keys are never logged, at any level.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// Sentinel errors of this package; the others are internal/rtc's (the
// phone engine tests for those whichever media path a call uses).
var (
	// ErrNotPlainRTP: the offer is WebRTC (DTLS-SRTP with a fingerprint);
	// it belongs to internal/rtc.
	ErrNotPlainRTP = errors.New("the far end offers WebRTC media (DTLS-SRTP), not plain RTP")
	// ErrSRTPRequired: SRTP is mandatory here and the far end offered or
	// answered plain RTP, or no crypto suite Parley supports.
	ErrSRTPRequired = errors.New("the far end does not offer encrypted media (SRTP) this line requires")
	// ErrSRTPRefused: the far end offered only encrypted media (RTP/SAVP)
	// and this line is set to plain RTP.
	ErrSRTPRefused = errors.New("the far end requires encrypted media (SRTP), which this line has turned off")
	// ErrNoPorts: no free RTP/RTCP port pair in the range.
	ErrNoPorts = errors.New("no free RTP port pair in the configured range")
)

func (c Config) withDefaults() (Config, []codecDef, error) {
	specs, err := codecsFor(c.Codecs)
	if err != nil {
		return c, nil, err
	}
	if !c.LocalIP.IsValid() {
		c.LocalIP = netip.IPv4Unspecified()
	}
	if c.RTCPInterval <= 0 {
		c.RTCPInterval = DefaultRTCPInterval
	}
	if c.STUNTimeout <= 0 {
		c.STUNTimeout = DefaultSTUNTimeout
	}
	if c.KeepAliveInterval <= 0 {
		c.KeepAliveInterval = DefaultKeepAliveInterval
	}
	if (c.PortMin == 0) != (c.PortMax == 0) || c.PortMin > c.PortMax || (c.PortMax != 0 && c.PortMax-c.PortMin < 1) {
		return c, nil, fmt.Errorf("%w: port range %d-%d", rtc.ErrBadConfig, c.PortMin, c.PortMax)
	}
	if c.SRTP < SRTPOff || c.SRTP > SRTPMandatory {
		return c, nil, fmt.Errorf("%w: SRTP mode %d", rtc.ErrBadConfig, c.SRTP)
	}
	return c, specs, nil
}
