package rtc

import (
	"net/netip"
	"strconv"
	"strings"
)

// setDefaultDestination writes the default candidate of every ICE m-line into
// its m= port and c= line, replacing the "m=audio 9 ... c=IN IP4 0.0.0.0"
// placeholder pion always writes. It also drops the RTCP-component copies of
// the candidates when RTCP is multiplexed (withoutRTCPCandidates).
//
// RFC 8839 §4.2.1.1 (RFC 5245 §4.3 before it) says the c= and m= lines of a
// data stream carry its default destination, the default candidate of
// component 1; the 0.0.0.0/port 9 placeholder is only meant for an SDP sent
// before any candidate is known (JSEP RFC 8829 §5.2.1, Trickle ICE RFC 8840
// §4.2). SIP without trickle sends its SDP only after gathering, so the
// default candidate is known. Peers built on RFC 5245 check that the default
// destination is among the candidates (RFC 5245 §5.1, RFC 8839 §4.2.5 "ICE
// mismatch") and otherwise turn ICE off for the call: baresip ≤ 1.x (libre's
// icem_verify_support) logs "ice: audio.1: no remote candidates found
// (address = 0.0.0.0:9)", "ICE not supported by peer", stops answering our
// checks ("stunsrv: local candidate not found (checklist=0)") and sends its
// media to 0.0.0.0:9, so ICE never leaves "checking" on our side. pjproject
// answers such an offer with a=ice-mismatch for the same reason.
//
// The default candidate is chosen as RFC 8445 §5.1.4 recommends: the one most
// likely to work for the peer, so relayed before server-reflexive before
// host, a non-loopback address before a loopback one, then the highest
// priority. M-lines with port 0 (rejected) or without candidates are left
// alone. It never fails: an SDP it cannot improve is returned unchanged.
func setDefaultDestination(sdpText []byte) []byte {
	lines := strings.Split(strings.ReplaceAll(string(sdpText), "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines)+1)
	changed := false
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "m=") {
			out = append(out, lines[i])
			i++

			continue
		}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "m=") {
			end++
		}
		section, trimmed := withoutRTCPCandidates(lines[i:end])
		section, ok := sectionWithDefault(section)
		changed = changed || ok || trimmed
		out = append(out, section...)
		i = end
	}
	if !changed {
		return sdpText
	}

	return []byte(strings.Join(out, "\r\n"))
}

// sectionWithDefault returns the media section section (its m= line first)
// with the default candidate in its m= and c= lines, and whether it changed.
func sectionWithDefault(section []string) ([]string, bool) {
	fields := strings.Fields(strings.TrimPrefix(section[0], "m="))
	if len(fields) < 4 || fields[1] == "0" || strings.HasPrefix(fields[1], "0/") {
		return section, false
	}
	var best defaultCand
	found := false
	for _, l := range section[1:] {
		c, ok := parseDefaultCand(l)
		if ok && (!found || c.better(best)) {
			best, found = c, true
		}
	}
	if !found {
		return section, false
	}
	family := "IP4"
	if best.addr.Is6() {
		family = "IP6"
	}
	conn := "c=IN " + family + " " + best.addr.String()
	fields[1] = strconv.Itoa(int(best.port))
	out := append([]string{"m=" + strings.Join(fields, " ")}, section[1:]...)
	for i := 1; i < len(out); i++ {
		if strings.HasPrefix(out[i], "c=") {
			out[i] = conn

			return out, true
		}
	}
	// No media-level c= line (pion always writes one): add it after the m=
	// line, where RFC 8866 §5 puts it (pion writes no i= line).
	return append([]string{out[0], conn}, out[1:]...), true
}

// defaultCand is a component-1 UDP candidate usable as default destination.
type defaultCand struct {
	typeRank int // RFC 8445 §5.1.4: relay 3, srflx 2, prflx 1, host 0
	loopback bool
	priority uint64
	addr     netip.Addr
	port     uint16
}

func (c defaultCand) better(o defaultCand) bool {
	if c.typeRank != o.typeRank {
		return c.typeRank > o.typeRank
	}
	if c.loopback != o.loopback {
		return !c.loopback
	}

	return c.priority > o.priority
}

// parseDefaultCand parses "a=candidate:<foundation> <component> <transport>
// <priority> <address> <port> typ <type> ..." (RFC 8839 §5.1) and keeps only
// component 1 over UDP with an IP address (not an mDNS name).
func parseDefaultCand(line string) (defaultCand, bool) {
	v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "a=candidate:")
	if !ok {
		return defaultCand{}, false
	}
	f := strings.Fields(v)
	if len(f) < 8 || f[1] != "1" || !strings.EqualFold(f[2], "udp") || f[6] != "typ" {
		return defaultCand{}, false
	}
	prio, err := strconv.ParseUint(f[3], 10, 32)
	if err != nil {
		return defaultCand{}, false
	}
	addr, err := netip.ParseAddr(f[4])
	if err != nil || addr.IsUnspecified() {
		return defaultCand{}, false
	}
	port, err := strconv.ParseUint(f[5], 10, 16)
	if err != nil || port == 0 {
		return defaultCand{}, false
	}
	var r int
	switch strings.ToLower(f[7]) {
	case "host":
		r = 0
	case "prflx":
		r = 1
	case "srflx":
		r = 2
	case "relay":
		r = 3
	default:
		return defaultCand{}, false
	}

	return defaultCand{
		typeRank: r, loopback: addr.Unmap().IsLoopback(), priority: prio,
		addr: addr.Unmap(), port: uint16(port),
	}, true
}
