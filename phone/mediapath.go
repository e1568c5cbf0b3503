package phone

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/rtpmedia"
)

// MediaPath chooses the media of the calls this phone offers: WebRTC (ICE
// and DTLS-SRTP, internal/rtc) or classic SIP media (plain RTP or
// SDES-SRTP, internal/rtpmedia). Incoming calls are answered on the path
// their offer asks for whatever the setting (docs/media.md, Choosing the
// path), except that MediaSRTP refuses unencrypted offers.
type MediaPath int

// Media paths for WithMediaPath.
const (
	// MediaWebRTC offers UDP/TLS/RTP/SAVPF with ICE and DTLS-SRTP, what
	// Wazo and other webrtc=yes lines expect. The engine's default.
	MediaWebRTC MediaPath = iota
	// MediaAuto follows the SIP transport: ws and wss lines are WebRTC
	// lines (a browser transport, RFC 7118), udp, tcp and tls lines get
	// MediaRTP.
	MediaAuto
	// MediaRTP offers plain RTP (RTP/AVP). On a tls line the offer also
	// carries a=crypto keys ("best effort" SDES-SRTP, as PJSIP's
	// use_srtp=1 and baresip's mediaenc=srtp do): a peer that answers with
	// keys gets SRTP, one that ignores them plain RTP. On udp and tcp the
	// keys would travel in clear text, so none are offered. Offers of
	// RTP/SAVP are answered with SRTP.
	MediaRTP
	// MediaSRTP offers RTP/SAVP with a=crypto (SDES-SRTP, RFC 4568) and
	// refuses calls whose media is not encrypted. Meant for tls lines: SDES
	// keys are only as private as the signalling.
	MediaSRTP
)

// String is the setting's name: webrtc, auto, rtp or srtp.
func (m MediaPath) String() string {
	switch m {
	case MediaWebRTC:
		return "webrtc"
	case MediaAuto:
		return "auto"
	case MediaRTP:
		return "rtp"
	case MediaSRTP:
		return "srtp"
	}
	return fmt.Sprintf("MediaPath(%d)", int(m))
}

// ParseMediaPath reads webrtc, auto, rtp or srtp ("" is webrtc, the
// engine's default).
func ParseMediaPath(s string) (MediaPath, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "webrtc":
		return MediaWebRTC, nil
	case "auto":
		return MediaAuto, nil
	case "rtp":
		return MediaRTP, nil
	case "srtp":
		return MediaSRTP, nil
	}
	return MediaWebRTC, fmt.Errorf("unknown media %q (use webrtc, auto, rtp or srtp)", s)
}

// WithMediaPath chooses the media of outgoing calls (default MediaWebRTC).
// Codecs and the port range of WithMedia apply to both paths.
func WithMediaPath(m MediaPath) Option { return func(c *config) { c.mediaPath = m } }

// offerPath is the path our own offers take (outgoing calls, and incoming
// INVITEs without SDP): the setting, with MediaAuto resolved from the
// account's transport.
func (p *Phone) offerPath() MediaPath {
	m := p.cfg.mediaPath
	if m != MediaAuto {
		return m
	}
	switch strings.ToLower(p.account.Transport) {
	case "ws", "wss":
		return MediaWebRTC
	}
	return MediaRTP
}

// srtpMode is the classic session's SDES mode. Offering, it follows the
// path (see MediaRTP, MediaSRTP); answering, anything goes on MediaRTP and
// MediaWebRTC lines (an answer takes what the offer has), and MediaSRTP
// keeps refusing plain RTP.
func (p *Phone) srtpMode(offering bool) rtpmedia.SRTPMode {
	path := p.offerPath()
	switch {
	case path == MediaSRTP:
		return rtpmedia.SRTPMandatory
	case !offering:
		return rtpmedia.SRTPOptional
	case strings.EqualFold(p.account.Transport, "tls"):
		return rtpmedia.SRTPOptional
	}
	return rtpmedia.SRTPOff
}

// newOfferMedia is the media session of a call we make the offer for.
func (p *Phone) newOfferMedia() (rtc.CallMedia, error) {
	if p.offerPath() == MediaWebRTC {
		return p.newWebRTCMedia()
	}
	return p.newClassicMedia(p.srtpMode(true))
}

// newAnswerMedia is the media session answering offer: the offer's
// profile decides (DTLS-SRTP → WebRTC, RTP/AVP, RTP/SAVP → classic).
func (p *Phone) newAnswerMedia(offer []byte) (rtc.CallMedia, error) {
	if !rtpmedia.IsPlainOffer(offer) {
		return p.newWebRTCMedia()
	}
	return p.newClassicMedia(p.srtpMode(false))
}

// newClassicMedia opens a plain RTP session with the codecs and port
// range of WithMedia and the local address of WithLocalIP.
func (p *Phone) newClassicMedia(mode rtpmedia.SRTPMode) (rtc.CallMedia, error) {
	cfg := rtpmedia.Config{
		Codecs:      p.cfg.media.Codecs,
		STUNServers: p.cfg.media.ICEServers,
		PortMin:     p.cfg.media.PortMin,
		PortMax:     p.cfg.media.PortMax,
		SRTP:        mode,
	}
	if ip, err := netip.ParseAddr(p.cfg.localIP); err == nil {
		cfg.LocalIP = ip
	}
	s, err := rtpmedia.NewSession(cfg, rtpmedia.WithLogger(p.cfg.logger))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMediaFailed, err)
	}
	return s, nil
}

// isClassic reports whether a call's media is on the classic path (plain
// RTP or SDES-SRTP). A call never changes path: a re-INVITE cannot turn
// WebRTC into plain RTP or the reverse (docs/media.md).
func isClassic(m rtc.CallMedia) bool {
	_, ok := m.(*rtpmedia.Session)
	return ok
}

// MediaSecurity describes how a call's media is protected, for front ends
// ("Encrypted (DTLS-SRTP)", "Encrypted (SRTP)", "Not encrypted").
type MediaSecurity string

// Media security values in CallSession.Media.
const (
	MediaSecurityNone     MediaSecurity = ""          // no media yet
	MediaSecurityDTLSSRTP MediaSecurity = "dtls-srtp" // WebRTC: keys from the DTLS handshake (RFC 5764)
	MediaSecuritySRTP     MediaSecurity = "srtp"      // SDES-SRTP: keys in the SDP (RFC 4568)
	MediaSecurityPlain    MediaSecurity = "rtp"       // plain RTP: not encrypted
)

// securityOf is the protection of a negotiated session.
func securityOf(m rtc.CallMedia) MediaSecurity {
	c, ok := m.(*rtpmedia.Session)
	switch {
	case m == nil:
		return MediaSecurityNone
	case !ok:
		return MediaSecurityDTLSSRTP
	case c.Secure():
		return MediaSecuritySRTP
	}
	return MediaSecurityPlain
}
