package rtpmedia

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"

	"github.com/parley-voip/parley/internal/rtc"
)

// remoteMedia is one audio m-line of the far end's SDP.
type remoteMedia struct {
	index     int
	proto     string // "RTP/AVP", "RTP/SAVP"...
	secure    bool   // an SAVP profile (RFC 3711 §2)
	rtp, rtcp netip.AddrPort
	mux       bool
	maps      []rtc.RTPMap // in m= order
	ptime     time.Duration
	maxptime  time.Duration
	dir       rtc.Direction
	cryptos   []cryptoAttr // the usable a=crypto lines, in order
}

// mline is the skeleton of any m-line, to reject it in an answer with
// port 0 (RFC 3264 §6: the answer has as many m-lines as the offer).
type mline struct {
	media, proto string
	format       string
}

// remoteSDP is the far end's session description.
type remoteSDP struct {
	lines []mline
	audio []remoteMedia // usable audio m-lines, in order
	// webrtc is set when an audio m-line is DTLS-SRTP (a fingerprint or a
	// UDP/TLS profile): internal/rtc's business.
	webrtc bool
}

// plainProfile reports whether proto is a plain RTP profile this package
// speaks and whether it is a secure one (RFC 3711 §2, RFC 5124).
func plainProfile(proto string) (secure, ok bool) {
	switch proto {
	case "RTP/AVP", "RTP/AVPF":
		return false, true
	case "RTP/SAVP", "RTP/SAVPF":
		return true, true
	}
	return false, false
}

// parseRemote reads an offer or answer.
func parseRemote(b []byte) (*remoteSDP, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, rtc.ErrEmptySDP
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(b)); err != nil {
		return nil, fmt.Errorf("%w: %w", rtc.ErrMalformedSDP, err)
	}
	_, sessFP := sd.Attribute("fingerprint")
	sessDir := attrDirection(sd.Attributes)
	out := &remoteSDP{}
	for i, md := range sd.MediaDescriptions {
		proto := strings.ToUpper(strings.Join(md.MediaName.Protos, "/"))
		f := ""
		if len(md.MediaName.Formats) > 0 {
			f = md.MediaName.Formats[0]
		}
		out.lines = append(out.lines, mline{media: md.MediaName.Media, proto: strings.Join(md.MediaName.Protos, "/"), format: f})
		if md.MediaName.Media != "audio" || md.MediaName.Port.Value == 0 {
			continue
		}
		secure, plain := plainProfile(proto)
		_, fp := md.Attribute("fingerprint")
		if !plain || fp || sessFP {
			if strings.Contains(proto, "TLS") || fp || sessFP {
				out.webrtc = true
			}
			continue
		}
		rm, err := parseAudio(&sd, md, sessDir)
		if err != nil {
			return nil, err
		}
		rm.index, rm.proto, rm.secure = i, strings.Join(md.MediaName.Protos, "/"), secure
		out.audio = append(out.audio, rm)
	}
	return out, nil
}

func parseAudio(sd *sdp.SessionDescription, md *sdp.MediaDescription, sessDir rtc.Direction) (remoteMedia, error) {
	var rm remoteMedia
	ci := md.ConnectionInformation
	if ci == nil {
		ci = sd.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return rm, fmt.Errorf("%w: no c= line for audio", rtc.ErrMalformedSDP)
	}
	ip, err := netip.ParseAddr(ci.Address.Address)
	if err != nil {
		return rm, fmt.Errorf("%w: connection address %q", rtc.ErrMalformedSDP, ci.Address.Address)
	}
	ip = ip.Unmap()
	port := md.MediaName.Port.Value
	rm.rtp = netip.AddrPortFrom(ip, uint16(port))
	rm.rtcp = netip.AddrPortFrom(ip, uint16(port+1)) // RFC 3550 §11
	rm.dir = attrDirection(md.Attributes)
	if rm.dir == rtc.DirectionUnknown {
		rm.dir = sessDir
	}
	if rm.dir == rtc.DirectionUnknown {
		rm.dir = rtc.DirectionSendRecv
	}
	// RFC 3264 §8.4: c=0.0.0.0 is the old (RFC 2543) way to hold; the far
	// end receives nothing.
	if ip.IsUnspecified() {
		rm.dir = rtc.MakeDirection(rm.dir.Sends(), false)
	}
	rtpmaps := map[uint8]rtc.RTPMap{}
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap":
			if m, ok := parseRTPMap(a.Value); ok {
				rtpmaps[m.PayloadType] = m
			}
		case "rtcp-mux":
			rm.mux = true
		case "rtcp": // RFC 3605: port [nettype addrtype address]
			f := strings.Fields(a.Value)
			if len(f) == 0 {
				continue
			}
			p, err := strconv.Atoi(f[0])
			if err != nil || p <= 0 || p > 65535 {
				continue
			}
			addr := ip
			if len(f) == 4 {
				if x, err := netip.ParseAddr(f[3]); err == nil {
					addr = x.Unmap()
				}
			}
			rm.rtcp = netip.AddrPortFrom(addr, uint16(p))
		case "ptime":
			rm.ptime = parseMillis(a.Value)
		case "maxptime":
			rm.maxptime = parseMillis(a.Value)
		case "crypto":
			if c, err := parseCrypto(a.Value); err == nil {
				rm.cryptos = append(rm.cryptos, c)
			}
		}
	}
	for _, f := range md.MediaName.Formats {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 127 {
			continue
		}
		pt := uint8(n)
		if m, ok := rtpmaps[pt]; ok {
			rm.maps = append(rm.maps, m)
			continue
		}
		// RFC 3551 §6: static payload types need no rtpmap.
		switch pt {
		case 0:
			rm.maps = append(rm.maps, rtc.RTPMap{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1})
		case 8:
			rm.maps = append(rm.maps, rtc.RTPMap{PayloadType: 8, Name: "PCMA", ClockRate: 8000, Channels: 1})
		case 9:
			rm.maps = append(rm.maps, rtc.RTPMap{PayloadType: 9, Name: "G722", ClockRate: 8000, Channels: 1})
		}
	}
	return rm, nil
}

// parseRTPMap reads "<pt> <name>/<rate>[/<channels>]".
func parseRTPMap(v string) (rtc.RTPMap, bool) {
	ptS, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return rtc.RTPMap{}, false
	}
	pt, err := strconv.Atoi(ptS)
	if err != nil || pt < 0 || pt > 127 {
		return rtc.RTPMap{}, false
	}
	parts := strings.Split(strings.TrimSpace(rest), "/")
	if len(parts) < 2 {
		return rtc.RTPMap{}, false
	}
	rate, err := strconv.Atoi(parts[1])
	if err != nil || rate <= 0 {
		return rtc.RTPMap{}, false
	}
	ch := 1
	if len(parts) > 2 {
		if c, err := strconv.Atoi(parts[2]); err == nil && c > 0 {
			ch = c
		}
	}
	return rtc.RTPMap{PayloadType: uint8(pt), Name: parts[0], ClockRate: uint32(rate), Channels: uint16(ch)}, true
}

func parseMillis(v string) time.Duration {
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n * float64(time.Millisecond))
}

func attrDirection(attrs []sdp.Attribute) rtc.Direction {
	for _, a := range attrs {
		if d := rtc.ParseDirection(a.Key); d != rtc.DirectionUnknown {
			return d
		}
	}
	return rtc.DirectionUnknown
}

// sdpWriter builds our SDP text (RFC 8866 order: v o s c t, then m-lines).
type sdpWriter struct{ b strings.Builder }

func (w *sdpWriter) line(format string, args ...any) {
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteString("\r\n")
}

func addrType(ip netip.Addr) string {
	if ip.Is4() {
		return "IP4"
	}
	return "IP6"
}

// header writes the session part. version is the o= version, increased
// with every SDP we send in the session (RFC 3264 §8).
func (w *sdpWriter) header(sessID, version uint64, ip netip.Addr) {
	w.line("v=0")
	w.line("o=parley %d %d IN %s %s", sessID, version, addrType(ip), ip)
	w.line("s=parley")
	w.line("c=IN %s %s", addrType(ip), ip)
	w.line("t=0 0")
}

// audioLine is our audio m-line.
type audioLine struct {
	port    uint16
	proto   string
	codecs  []rtc.RTPMap // audio codecs, then telephone-events
	fmtp    map[uint8]string
	ptime   time.Duration
	mux     bool
	rtcp    uint16 // a=rtcp port (RFC 3605) when not muxed
	cryptos []cryptoAttr
	dir     rtc.Direction
}

func (w *sdpWriter) audio(a audioLine) {
	pts := make([]string, len(a.codecs))
	for i, c := range a.codecs {
		pts[i] = strconv.Itoa(int(c.PayloadType))
	}
	w.line("m=audio %d %s %s", a.port, a.proto, strings.Join(pts, " "))
	for _, c := range a.codecs {
		if c.Channels > 1 {
			w.line("a=rtpmap:%d %s/%d/%d", c.PayloadType, c.Name, c.ClockRate, c.Channels)
		} else {
			w.line("a=rtpmap:%d %s/%d", c.PayloadType, c.Name, c.ClockRate)
		}
		if f := a.fmtp[c.PayloadType]; f != "" {
			w.line("a=fmtp:%d %s", c.PayloadType, f)
		}
	}
	// RFC 4566 §6: ptime is the packet time we would like, maxptime the
	// most we take: the audio pipeline's jitter buffer works on 20 ms
	// frames, so both say what it was built for.
	w.line("a=ptime:%d", a.ptime.Milliseconds())
	w.line("a=maxptime:%d", a.ptime.Milliseconds())
	if a.mux {
		w.line("a=rtcp-mux")
	} else if a.rtcp != 0 {
		w.line("a=rtcp:%d", a.rtcp)
	}
	for _, c := range a.cryptos {
		w.line("a=crypto:%s", c.attr())
	}
	w.line("a=%s", a.dir)
}

// rejected writes an m-line refused in an answer (RFC 3264 §6).
func (w *sdpWriter) rejected(m mline) {
	f := m.format
	if f == "" {
		f = "0"
	}
	w.line("m=%s 0 %s %s", m.media, m.proto, f)
}

func (w *sdpWriter) bytes() []byte { return []byte(w.b.String()) }

// IsPlainOffer reports whether an offer belongs to this package: it has a
// usable plain audio m-line (RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF) and
// nothing of DTLS-SRTP (no UDP/TLS profile, no a=fingerprint). The phone
// engine picks the media path of an incoming call with it; anything else,
// including SDP it cannot read, goes to internal/rtc, which answers or
// refuses it as before.
func IsPlainOffer(offer []byte) bool {
	r, err := parseRemote(offer)
	return err == nil && !r.webrtc && len(r.audio) > 0
}
