package rtc

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/pion/sdp/v3"
)

// maxSDPSize bounds the work done on a hostile or broken SDP body. Real
// single-audio offers are 1-3 KiB; SIP over UDP cannot carry more than 64 KiB.
const maxSDPSize = 64 << 10

// Normalized is a far-end SDP made acceptable to pion, plus what the session
// needs to know about its audio stream.
type Normalized struct {
	// SDP is the rewritten description: CRLF line ends, RFC 8866 line order,
	// an a=mid on every m-line, the audio mid in a=group:BUNDLE and an
	// explicit direction attribute on every m-line.
	SDP []byte
	// AudioMid is the mid of the audio m-line Parley uses (the first audio
	// m-line with a non-zero port).
	AudioMid string
	// Direction is the audio direction the far end declared (RFC 3264 §5.1;
	// session-level attribute or sendrecv when the m-line has none).
	Direction Direction
	// Codecs are the audio codecs of that m-line, in m-line (preference) order.
	Codecs []RTPMap
	// Fixes lists what was changed, for debug logging ("added a=mid:0"...).
	Fixes []string
}

// RTPMap is one a=rtpmap entry (RFC 8866 §6.6).
type RTPMap struct {
	PayloadType uint8
	Name        string // as written ("opus", "PCMU", "telephone-event")
	ClockRate   uint32
	Channels    uint16
}

// sdpLine is one "x=value" line.
type sdpLine struct {
	typ byte
	val string
}

func (l sdpLine) attr() (key, value string) {
	if l.typ != 'a' {
		return "", ""
	}
	key, value, _ = strings.Cut(l.val, ":")

	return key, value
}

// mediaSection is one m= line and the lines that follow it.
type mediaSection struct {
	media string // "audio", "video"...
	port  string
	proto string
	lines []sdpLine // without the m= line
	mline sdpLine
}

func (m *mediaSection) attr(key string) (string, bool) {
	for _, l := range m.lines {
		if k, v := l.attr(); k == key {
			return v, true
		}
	}

	return "", false
}

// Normalize rewrites a far-end SDP (offer or answer) so that pion v4 accepts
// it and negotiates audio, or explains in plain language why the call cannot
// work. It never panics. What it does, and why:
//
//   - tolerates "\n" or "\r\n" line ends, blank lines and trailing spaces, and
//     drops lines that are not "x=value" (pion's parser rejects the whole body);
//   - puts lines in the RFC 8866 §5 order pion's strict lexer expects;
//   - adds a=mid to m-lines that lack one (FreeSWITCH, baresip): pion refuses
//     a remote description without mids (pion #879; JSEP RFC 8829 §5.10);
//   - adds the audio mid to a=group:BUNDLE (RFC 8843): without the group pion
//     silently rejects the audio m-line with port 0 (pion PR #2563);
//   - moves a session-level direction attribute onto the m-lines and makes the
//     RFC 3264 §5.1 default (sendrecv) explicit: pion ignores m-lines without
//     a direction attribute;
//   - refuses plain RTP, SDES-SRTP and SDPs without ICE credentials,
//     DTLS fingerprint or rtcp-mux, which a PeerConnection cannot talk to.
func Normalize(raw []byte) (Normalized, error) {
	return normalize(raw, nil)
}

// normalize is Normalize; an m-line without a=mid gets wantMids[i] when
// given (an answer must reuse the offer's mids, RFC 8843 §7.3).
func normalize(raw []byte, wantMids []string) (Normalized, error) {
	var out Normalized
	if len(strings.TrimSpace(string(raw))) == 0 {
		return out, ErrEmptySDP
	}
	if len(raw) > maxSDPSize {
		return out, fmt.Errorf("%w: %d bytes is too large", ErrMalformedSDP, len(raw))
	}

	session, medias, err := splitSDP(string(raw), &out.Fixes)
	if err != nil {
		return out, err
	}

	audio := -1
	for i := range medias {
		if medias[i].media == "audio" && medias[i].port != "0" {
			audio = i

			break
		}
	}
	if audio < 0 {
		return out, ErrNoAudio
	}
	if err := checkTransport(session, &medias[audio]); err != nil {
		return out, err
	}

	for i := range medias {
		codecs := fixFormats(&medias[i], &out.Fixes)
		if i == audio {
			out.Codecs = codecs
		}
	}
	if len(out.Codecs) == 0 {
		return Normalized{}, ErrNoCommonCodec
	}
	ensureMids(medias, wantMids, &out.Fixes)
	out.AudioMid, _ = medias[audio].attr("mid")
	session = ensureBundle(session, out.AudioMid, &out.Fixes)
	session, out.Direction = explicitDirections(session, medias, audio, &out.Fixes)
	session = mediaLevelSetup(session, medias, &out.Fixes)

	out.SDP = joinSDP(session, medias)

	// Final check with the parser pion itself uses, so that SetRemoteDescription
	// cannot fail on syntax after we said the SDP is fine.
	var parsed sdp.SessionDescription
	if err := parsed.Unmarshal(out.SDP); err != nil {
		return Normalized{}, fmt.Errorf("%w: %w", ErrMalformedSDP, err)
	}

	return out, nil
}

// RFC 8866 §5 order of session-level and media-level line types; pion/sdp's
// lexer is a state machine over this order. r= repeats belong with t=.
const (
	sessionOrder = "vosiuepcbtrzka"
	mediaOrder   = "icbka"
)

func sessionRank(t byte) int {
	if t == 'r' {
		t = 't'
	}

	return strings.IndexByte(sessionOrder, t)
}

func splitSDP(raw string, fixes *[]string) ([]sdpLine, []mediaSection, error) {
	var (
		session []sdpLine
		medias  []mediaSection
		dropped int
	)
	for text := range strings.SplitSeq(raw, "\n") {
		text = strings.TrimRight(text, "\r\t ")
		if text == "" {
			continue
		}
		if len(text) < 2 || text[1] != '=' || text[0] < 'a' || text[0] > 'z' {
			dropped++

			continue
		}
		line := sdpLine{typ: text[0], val: text[2:]}
		switch {
		case line.typ == 'm':
			fields := strings.Fields(line.val)
			if len(fields) < 4 {
				return nil, nil, fmt.Errorf("%w: bad m-line %q", ErrMalformedSDP, truncate(text))
			}
			port, _, _ := strings.Cut(fields[1], "/")
			medias = append(medias, mediaSection{
				media: strings.ToLower(fields[0]), port: port, proto: fields[2], mline: line,
			})
		case len(medias) == 0:
			if sessionRank(line.typ) < 0 {
				dropped++

				continue
			}
			session = append(session, line)
		default:
			if strings.IndexByte(mediaOrder, line.typ) < 0 {
				dropped++

				continue
			}
			m := &medias[len(medias)-1]
			m.lines = append(m.lines, line)
		}
	}
	if dropped > 0 {
		*fixes = append(*fixes, fmt.Sprintf("dropped %d unparsable lines", dropped))
	}
	if len(session) == 0 || !slices.ContainsFunc(session, func(l sdpLine) bool { return l.typ == 'v' }) {
		return nil, nil, fmt.Errorf("%w: no v= line", ErrMalformedSDP)
	}

	// Stable sort keeps the relative order of attributes (rtpmap/fmtp pairs,
	// candidates), which carries meaning.
	slices.SortStableFunc(session, func(a, b sdpLine) int { return sessionRank(a.typ) - sessionRank(b.typ) })
	for i := range medias {
		slices.SortStableFunc(medias[i].lines, func(a, b sdpLine) int {
			return strings.IndexByte(mediaOrder, a.typ) - strings.IndexByte(mediaOrder, b.typ)
		})
	}

	return session, medias, nil
}

func truncate(s string) string {
	const limit = 80
	if len(s) > limit {
		return s[:limit] + "…"
	}

	return s
}

func sessionAttr(session []sdpLine, key string) (string, bool) {
	for _, l := range session {
		if k, v := l.attr(); k == key {
			return v, true
		}
	}

	return "", false
}

// checkTransport refuses audio that a PeerConnection cannot talk to.
func checkTransport(session []sdpLine, audio *mediaSection) error {
	proto := strings.ToUpper(audio.proto)
	// RFC 5764 §8 / RFC 8842: DTLS-SRTP protos are UDP/TLS/RTP/SAVP(F) and
	// TCP/DTLS/RTP/SAVPF; RTP/AVP(F) is plain RTP, RTP/SAVP(F) is SDES-SRTP.
	if !strings.Contains(proto, "TLS/RTP/SAVP") {
		return fmt.Errorf("%w (transport %s)", ErrNotWebRTC, audio.proto)
	}
	if _, ok := audio.attr("fingerprint"); !ok {
		if _, ok := sessionAttr(session, "fingerprint"); !ok {
			return ErrNoFingerprint
		}
	}
	for _, key := range []string{"ice-ufrag", "ice-pwd"} {
		if v, ok := audio.attr(key); ok && v != "" {
			continue
		}
		if v, ok := sessionAttr(session, key); ok && v != "" {
			continue
		}

		return ErrNoICECredentials
	}
	if _, ok := audio.attr("rtcp-mux"); !ok {
		return ErrNoRTCPMux
	}

	return nil
}

// ensureMids gives every m-line an a=mid (RFC 5888 §4), unique in the SDP.
func ensureMids(medias []mediaSection, wantMids []string, fixes *[]string) {
	used := map[string]bool{}
	for i := range medias {
		if v, ok := medias[i].attr("mid"); ok && validMid(v) {
			used[v] = true
		}
	}
	for i := range medias {
		m := &medias[i]
		if v, ok := m.attr("mid"); ok && validMid(v) {
			continue
		}
		// Drop an empty or invalid "a=mid:" so that the one we add is the only one.
		m.lines = slices.DeleteFunc(m.lines, func(l sdpLine) bool { k, _ := l.attr(); return k == "mid" })
		mid := strconv.Itoa(i)
		if i < len(wantMids) && wantMids[i] != "" {
			mid = wantMids[i]
		}
		for n := 0; used[mid]; n++ {
			mid = "m" + strconv.Itoa(i) + "-" + strconv.Itoa(n)
		}
		used[mid] = true
		m.lines = append(m.lines, sdpLine{typ: 'a', val: "mid:" + mid})
		*fixes = append(*fixes, "added a=mid:"+mid)
	}
}

// staticRTPMap returns the RFC 3551 §6 static payload types pion knows
// without an a=rtpmap line.
func staticRTPMap(pt uint8) (RTPMap, bool) {
	switch pt {
	case 0:
		return RTPMap{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1}, true
	case 8:
		return RTPMap{PayloadType: 8, Name: "PCMA", ClockRate: 8000, Channels: 1}, true
	case 9:
		return RTPMap{PayloadType: 9, Name: "G722", ClockRate: 8000, Channels: 1}, true
	}

	return RTPMap{}, false
}

// fixFormats drops from an RTP m-line the formats pion cannot map to a codec:
// anything but PCMU/PCMA/G722 without an a=rtpmap (RFC 3551 static types
// such as 3 GSM, 18 G729, 13 CN are often sent bare, and pion then refuses
// the whole SDP with "payload type not found"). It returns the m-line's
// codecs in m-line order, which is the preference order (RFC 3264 §5.1).
func fixFormats(m *mediaSection, fixes *[]string) []RTPMap {
	if !strings.Contains(strings.ToUpper(m.proto), "RTP/") {
		return nil
	}
	maps := map[uint8]RTPMap{}
	for _, rm := range parseRTPMaps(m.lines) {
		if _, dup := maps[rm.PayloadType]; !dup {
			maps[rm.PayloadType] = rm
		}
	}
	fields := strings.Fields(m.mline.val)
	keep := slices.Clone(fields[:3])
	var codecs []RTPMap
	var dropped []string
	for _, f := range fields[3:] {
		pt, err := strconv.ParseUint(f, 10, 7)
		rm, ok := maps[uint8(pt)]
		if !ok {
			rm, ok = staticRTPMap(uint8(pt))
		}
		if err != nil || !ok || slices.ContainsFunc(codecs, func(c RTPMap) bool { return c.PayloadType == rm.PayloadType }) {
			dropped = append(dropped, f)

			continue
		}
		keep = append(keep, f)
		codecs = append(codecs, rm)
	}
	if len(codecs) == 0 {
		return nil // leave the m-line alone; for audio, Normalize refuses it
	}
	if len(dropped) > 0 {
		*fixes = append(*fixes, "dropped payload types without rtpmap: "+strings.Join(dropped, " "))
	}
	m.mline.val = strings.Join(keep, " ")

	return codecs
}

// validMid reports whether v is a usable identification-tag (RFC 5888 §4:
// a token, so non-empty and without white space).
func validMid(v string) bool {
	return v != "" && !strings.ContainsFunc(v, unicode.IsSpace)
}

// ensureBundle makes sure the audio mid is in an a=group:BUNDLE (RFC 8843 §7).
func ensureBundle(session []sdpLine, mid string, fixes *[]string) []sdpLine {
	for i, l := range session {
		k, v := l.attr()
		if k != "group" {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 || fields[0] != "BUNDLE" {
			continue
		}
		if slices.Contains(fields[1:], mid) {
			return session
		}
		session[i].val = "group:" + strings.Join(append(fields, mid), " ")
		*fixes = append(*fixes, "added "+mid+" to a=group:BUNDLE")

		return session
	}
	*fixes = append(*fixes, "added a=group:BUNDLE "+mid)

	// First session attribute, as pion's own SDPs and its SIP examples do.
	at := len(session)
	for i, l := range session {
		if l.typ == 'a' {
			at = i

			break
		}
	}

	return slices.Insert(session, at, sdpLine{typ: 'a', val: "group:BUNDLE " + mid})
}

// explicitDirections moves a session-level direction onto the m-lines that
// have none (RFC 8866 §6.7: the media-level attribute wins), defaults to
// sendrecv (RFC 3264 §5.1), keeps a single direction per m-line and returns
// the audio direction.
func explicitDirections(
	session []sdpLine, medias []mediaSection, audio int, fixes *[]string,
) ([]sdpLine, Direction) {
	sessionDir := DirectionUnknown
	session = slices.DeleteFunc(session, func(l sdpLine) bool {
		k, _ := l.attr()
		d := parseDirection(k)
		if d != DirectionUnknown && sessionDir == DirectionUnknown {
			sessionDir = d
		}

		return d != DirectionUnknown
	})
	if sessionDir != DirectionUnknown {
		*fixes = append(*fixes, "moved session-level a="+sessionDir.String()+" to the m-lines")
	}
	fallback := sessionDir
	if fallback == DirectionUnknown {
		fallback = DirectionSendRecv
	}

	audioDir := fallback
	for i := range medias {
		m := &medias[i]
		found := DirectionUnknown
		m.lines = slices.DeleteFunc(m.lines, func(l sdpLine) bool {
			k, _ := l.attr()
			d := parseDirection(k)
			if d == DirectionUnknown {
				return false
			}
			if found == DirectionUnknown {
				found = d

				return false
			}

			return true // a second direction attribute: the first one counts.
		})
		if found == DirectionUnknown {
			found = fallback
			m.lines = append(m.lines, sdpLine{typ: 'a', val: found.String()})
		}
		if i == audio {
			audioDir = found
		}
	}

	return session, audioDir
}

// mediaLevelSetup moves a session-level a=setup onto the m-lines that have
// none. RFC 4145 §4 (and RFC 8842 §5) allow the attribute at session or media
// level, the media-level one winning (RFC 8866 §5), and baresip/libre writes
// it at session level only ("a=setup:active" in its answers). pion reads
// a=setup only from the m-lines (dtlsRoleFromSDP) and, finding none, falls
// back to its own answering role, DTLS client: after our offer
// (setup:actpass) both ends then start as client, each answers the other's
// ClientHello with an UnexpectedMessage alert and the call has no media.
// Credentials and fingerprint need no such move: pion reads them at session
// level too.
func mediaLevelSetup(session []sdpLine, medias []mediaSection, fixes *[]string) []sdpLine {
	setup, ok := sessionAttr(session, "setup")
	if !ok {
		return session
	}
	session = slices.DeleteFunc(session, func(l sdpLine) bool { k, _ := l.attr(); return k == "setup" })
	for i := range medias {
		if _, has := medias[i].attr("setup"); !has {
			medias[i].lines = append(medias[i].lines, sdpLine{typ: 'a', val: "setup:" + setup})
		}
	}
	*fixes = append(*fixes, "moved session-level a=setup:"+setup+" to the m-lines")

	return session
}

// setDirection returns sdpText with the direction attribute of the m-line
// whose mid is mid replaced by dir (added when missing). Used on SDPs that
// went through Normalize or that pion generated.
func setDirection(sdpText []byte, mid string, dir Direction) []byte {
	lines := strings.Split(strings.ReplaceAll(string(sdpText), "\r\n", "\n"), "\n")
	start, end := -1, len(lines)
	for i, l := range lines {
		if !strings.HasPrefix(l, "m=") {
			continue
		}
		if start >= 0 {
			end = i

			break
		}
		for _, l2 := range lines[i+1:] {
			if strings.HasPrefix(l2, "m=") {
				break
			}
			if l2 == "a=mid:"+mid {
				start = i

				break
			}
		}
	}
	if start < 0 {
		return sdpText
	}
	replaced := false
	for i := start + 1; i < end; i++ {
		key, _, _ := strings.Cut(strings.TrimPrefix(lines[i], "a="), ":")
		if strings.HasPrefix(lines[i], "a=") && parseDirection(key) != DirectionUnknown {
			lines[i] = "a=" + dir.String()
			replaced = true
		}
	}
	if !replaced {
		// Insert after the last line of the section, before a trailing "".
		at := end
		if end == len(lines) && lines[end-1] == "" {
			at = end - 1
		}
		lines = slices.Insert(lines, at, "a="+dir.String())
	}

	return []byte(strings.Join(lines, "\r\n"))
}

// mediaDirection returns the direction attribute of the m-line with that mid.
func mediaDirection(sdpText []byte, mid string) Direction {
	var parsed sdp.SessionDescription
	if err := parsed.Unmarshal(sdpText); err != nil {
		return DirectionUnknown
	}
	for _, m := range parsed.MediaDescriptions {
		if v, _ := m.Attribute("mid"); v != mid {
			continue
		}
		for _, a := range m.Attributes {
			if d := parseDirection(a.Key); d != DirectionUnknown {
				return d
			}
		}
	}

	return DirectionUnknown
}

// parseRTPMaps reads the a=rtpmap lines of one m-line (RFC 8866 §6.6), in order.
func parseRTPMaps(lines []sdpLine) []RTPMap {
	var maps []RTPMap
	for _, l := range lines {
		if k, v := l.attr(); k == "rtpmap" {
			if m, ok := parseRTPMap(v); ok {
				maps = append(maps, m)
			}
		}
	}

	return maps
}

// parseRTPMap parses "<pt> <name>/<rate>[/<channels>]".
func parseRTPMap(v string) (RTPMap, bool) {
	ptText, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return RTPMap{}, false
	}
	pt, err := strconv.ParseUint(ptText, 10, 7)
	if err != nil {
		return RTPMap{}, false
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 || parts[0] == "" {
		return RTPMap{}, false
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil {
		return RTPMap{}, false
	}
	m := RTPMap{PayloadType: uint8(pt), Name: parts[0], ClockRate: uint32(rate), Channels: 1}
	if len(parts) > 2 {
		if ch, err := strconv.ParseUint(parts[2], 10, 16); err == nil && ch > 0 {
			m.Channels = uint16(ch)
		}
	}

	return m, true
}

// audioRTPMaps returns the rtpmaps of the m-line with that mid in sdpText
// (an SDP pion generated, or one that went through Normalize).
func audioRTPMaps(sdpText []byte, mid string) []RTPMap {
	session, medias, err := splitSDP(string(sdpText), new([]string))
	_ = session
	if err != nil {
		return nil
	}
	for i := range medias {
		if v, _ := medias[i].attr("mid"); v == mid {
			return fixFormats(&medias[i], new([]string))
		}
	}

	return nil
}

func joinSDP(session []sdpLine, medias []mediaSection) []byte {
	var b strings.Builder
	write := func(l sdpLine) {
		b.WriteByte(l.typ)
		b.WriteByte('=')
		b.WriteString(l.val)
		b.WriteString("\r\n")
	}
	for _, l := range session {
		write(l)
	}
	for i := range medias {
		write(medias[i].mline)
		for _, l := range medias[i].lines {
			write(l)
		}
	}

	return []byte(b.String())
}
