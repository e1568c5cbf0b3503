package rtc

import "strings"

// withoutRTCPCandidates drops the component-2 (RTCP) ICE candidates of a
// media section that multiplexes RTCP with RTP.
//
// pion lists every gathered candidate twice, once per component, though a
// session with RTCPMuxPolicyRequire has no RTCP socket: the component-2
// line is the same address and port. With a=rtcp-mux only component 1 is
// used (RFC 5761 §5.1.3: with multiplexing ICE needs no RTCP component;
// RFC 8829 §5.2.1: candidates for the RTCP component are omitted when
// rtcp-mux is required), and dropping the copies keeps a SIP INVITE a few
// hundred bytes smaller, away from the UDP size limit of RFC 3261 §18.1.1
// (docs/decisions/0003-large-sip-over-udp.md).
func withoutRTCPCandidates(section []string) ([]string, bool) {
	muxed := false
	for _, l := range section {
		if strings.TrimSpace(l) == "a=rtcp-mux" {
			muxed = true

			break
		}
	}
	if !muxed {
		return section, false
	}
	out := section[:0:0]
	changed := false
	for _, l := range section {
		if strings.HasPrefix(l, "a=candidate:") {
			// a=candidate:<foundation> <component-id> ... (RFC 8839 §5.1)
			if f := strings.Fields(strings.TrimPrefix(l, "a=candidate:")); len(f) > 1 && f[1] != "1" {
				changed = true

				continue
			}
		}
		out = append(out, l)
	}

	return out, changed
}
