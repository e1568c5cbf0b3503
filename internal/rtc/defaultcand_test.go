package rtc

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

func TestSetDefaultDestination(t *testing.T) {
	const pion = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n" +
		"a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host ufrag x\r\n" +
		"a=candidate:1 2 udp 2130706431 127.0.0.1 40000 typ host ufrag x\r\n" +
		"a=candidate:2 1 udp 2130706431 192.0.2.2 40002 typ host ufrag x\r\n" +
		"a=candidate:3 1 udp 1694498815 203.0.113.7 50000 typ srflx raddr 192.0.2.2 rport 40002\r\n" +
		"a=candidate:4 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active\r\n" +
		"a=end-of-candidates\r\n" +
		"m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"
	tests := []struct {
		name, in, wantM, wantC string
	}{
		{name: "srflx before host", in: pion, wantM: "m=audio 50000 ", wantC: "c=IN IP4 203.0.113.7"},
		{name: "host before loopback", in: strings.Replace(pion, "a=candidate:3 ", "a=x-candidate:3 ", 1),
			wantM: "m=audio 40002 ", wantC: "c=IN IP4 192.0.2.2"},
		{name: "loopback only", in: strings.NewReplacer("a=candidate:3 ", "a=x:3 ", "a=candidate:2 ", "a=x:2 ").Replace(pion),
			wantM: "m=audio 40000 ", wantC: "c=IN IP4 127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := string(setDefaultDestination([]byte(tc.in)))
			if !strings.Contains(out, "\r\n"+tc.wantM) || !strings.Contains(out, tc.wantM+"UDP/TLS/RTP/SAVPF 111\r\n"+tc.wantC+"\r\n") {
				t.Fatalf("want %q and %q:\n%s", tc.wantM, tc.wantC, out)
			}
			if !strings.Contains(out, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n") {
				t.Fatalf("rejected m-line changed:\n%s", out)
			}
			if strings.Count(out, "\r\n") != strings.Count(tc.in, "\r\n") {
				t.Fatalf("line count changed:\n%s", out)
			}
		})
	}
	ipv6 := "v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n" +
		"a=candidate:1 1 udp 2130706431 fd00::2 40000 typ host\r\n"
	if out := string(setDefaultDestination([]byte(ipv6))); !strings.Contains(out, "m=audio 40000 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP6 fd00::2\r\n") {
		t.Fatalf("IPv6 default:\n%s", out)
	}
	none := "v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n"
	if out := setDefaultDestination([]byte(none)); string(out) != none {
		t.Fatalf("no candidates: changed to\n%s", out)
	}
}

// Our SDPs carry the default candidate in m=/c= (RFC 8839 §4.2.1.1): baresip
// 1.0 turns ICE off when the default destination (pion's 0.0.0.0:9) is not
// among the candidates.
func TestOfferAndAnswerCarryDefaultCandidate(t *testing.T) {
	a, b := newTestSession(t), newTestSession(t)
	ctx := ctxT(t)
	offer, err := a.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := b.Answer(ctx, readSDP(t, "baresip10_offer.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	for name, sdpText := range map[string][]byte{"offer": offer, "answer": answer} {
		if bytes.Contains(sdpText, []byte("m=audio 9 ")) || bytes.Contains(sdpText, []byte("c=IN IP4 0.0.0.0")) {
			t.Errorf("%s keeps the 0.0.0.0:9 placeholder:\n%s", name, sdpText)
		}
		norm, err := Normalize(sdpText)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, medias, _ := splitSDP(string(norm.SDP), new([]string))
		port := medias[0].port
		var addr string
		for _, l := range medias[0].lines {
			if l.typ == 'c' {
				addr = strings.Fields(l.val)[2]
			}
		}
		if !bytes.Contains(sdpText, []byte(" "+addr+" "+port+" typ ")) {
			t.Errorf("%s: default destination %s:%s is not a candidate:\n%s", name, addr, port, sdpText)
		}
	}
}

// baresip10Shape rewrites a pion SDP the way baresip 1.0 (libre) writes one:
// ICE credentials, a=setup and a=fingerprint at session level, no a=mid, no
// BUNDLE group, no end-of-candidates.
func baresip10Shape(s string) string {
	var session, media []string
	var moved []string
	inMedia := false
	for l := range strings.SplitSeq(strings.TrimRight(s, "\r\n"), "\r\n") {
		switch {
		case strings.HasPrefix(l, "m="):
			inMedia = true
		case strings.HasPrefix(l, "a=mid:"), strings.HasPrefix(l, "a=group:"), l == "a=end-of-candidates":
			continue
		case inMedia && (strings.HasPrefix(l, "a=ice-ufrag:") || strings.HasPrefix(l, "a=ice-pwd:") ||
			strings.HasPrefix(l, "a=setup:") || strings.HasPrefix(l, "a=fingerprint:")):
			moved = append(moved, l)

			continue
		}
		if inMedia {
			media = append(media, l)
		} else {
			session = append(session, l)
		}
	}

	for _, l := range session {
		if strings.HasPrefix(l, "a=fingerprint:") { // pion wrote it at session level already
			moved = slices.DeleteFunc(moved, func(m string) bool { return strings.HasPrefix(m, "a=fingerprint:") })
		}
	}

	return strings.Join(append(append(session, moved...), media...), "\r\n") + "\r\n"
}

// baresip 1.0 answers with a session-level a=setup:active. pion only reads
// a=setup from m-lines; Normalize must move it there, or we would take the
// DTLS client role too and the handshake fails (UnexpectedMessage).
func TestBaresipShapedAnswer(t *testing.T) {
	a, b := newTestSession(t), newTestSession(t)
	ctx := ctxT(t)
	offer, err := a.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := b.Answer(ctx, []byte(baresip10Shape(string(offer))))
	if err != nil {
		t.Fatal(err)
	}
	shaped := baresip10Shape(string(answer))
	if !strings.Contains(shaped, "t=0 0\r\na=") || strings.Contains(shaped, "\r\na=mid:") {
		t.Fatalf("reshape failed:\n%s", shaped)
	}
	if err := a.SetAnswer([]byte(shaped)); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Session{a, b} {
		wctx, cancel := context.WithTimeout(ctx, testTimeout)
		err := s.WaitConnected(wctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestNormalizeMovesSessionSetup(t *testing.T) {
	norm, err := Normalize(readSDP(t, "baresip10_answer.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	_, medias, _ := splitSDP(string(norm.SDP), new([]string))
	if v, ok := medias[0].attr("setup"); !ok || v != "active" {
		t.Fatalf("m-line a=setup = %q, %v:\n%s", v, ok, norm.SDP)
	}
	if bytes.Contains(norm.SDP, []byte("t=0 0\r\na=setup")) || bytes.Count(norm.SDP, []byte("a=setup:")) != 1 {
		t.Fatalf("session-level a=setup left:\n%s", norm.SDP)
	}
}
