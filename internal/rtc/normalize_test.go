package rtc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

func readSDP(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}

	return b
}

// crlf converts LF line ends to CRLF.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func replaceLine(b []byte, old, repl string) []byte {
	lines := strings.Split(string(b), "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimRight(l, "\r"), old) {
			if repl == "" {
				continue
			}
			l = repl
		}
		out = append(out, l)
	}

	return []byte(strings.Join(out, "\n"))
}

func TestNormalize(t *testing.T) {
	asterisk := readSDP(t, "asterisk_offer.sdp")
	freeswitch := readSDP(t, "freeswitch_offer.sdp")
	baresip := readSDP(t, "baresip_offer.sdp")

	tests := []struct {
		name      string
		in        []byte
		wantErr   error
		wantMid   string
		wantDir   Direction
		wantGroup string
		codecs    int // audio rtpmaps expected
	}{
		{name: "asterisk webrtc=yes LF", in: asterisk, wantMid: "audio-0", wantDir: DirectionSendRecv,
			wantGroup: "BUNDLE audio-0", codecs: 4},
		{name: "asterisk webrtc=yes CRLF", in: crlf(asterisk), wantMid: "audio-0", wantDir: DirectionSendRecv,
			wantGroup: "BUNDLE audio-0", codecs: 4},
		{name: "freeswitch no mid no bundle", in: freeswitch, wantMid: "0", wantDir: DirectionSendRecv,
			wantGroup: "BUNDLE 0", codecs: 5},
		{name: "baresip no mid", in: baresip, wantMid: "0", wantDir: DirectionSendRecv,
			wantGroup: "BUNDLE 0", codecs: 2},
		{name: "freeswitch hold sendonly", in: append(bytes.Clone(freeswitch), "a=sendonly\n"...),
			wantMid: "0", wantDir: DirectionSendOnly, wantGroup: "BUNDLE 0", codecs: 5},
		{name: "asterisk inactive", in: replaceLine(asterisk, "a=sendrecv", "a=inactive"),
			wantMid: "audio-0", wantDir: DirectionInactive, wantGroup: "BUNDLE audio-0", codecs: 4},
		{name: "session-level sendonly", in: replaceLine(replaceLine(baresip, "a=sendrecv", ""),
			"a=tool:", "a=sendonly"), wantMid: "0", wantDir: DirectionSendOnly, wantGroup: "BUNDLE 0", codecs: 2},
		{name: "no direction means sendrecv", in: replaceLine(baresip, "a=sendrecv", ""),
			wantMid: "0", wantDir: DirectionSendRecv, wantGroup: "BUNDLE 0", codecs: 2},
		{name: "empty mid replaced", in: replaceLine(asterisk, "a=mid:", "a=mid:"),
			wantMid: "0", wantDir: DirectionSendRecv, wantGroup: "BUNDLE audio-0 0", codecs: 4},
		{name: "bundle without audio mid", in: replaceLine(asterisk, "a=group:", "a=group:BUNDLE video-1"),
			wantMid: "audio-0", wantDir: DirectionSendRecv, wantGroup: "BUNDLE video-1 audio-0", codecs: 4},
		{name: "out-of-order and junk lines", in: replaceLine(
			[]byte("garbage line\n\n"+string(freeswitch)+"\n   \n"), "t=0 0", "t=0 0\ny=unknown-type"),
			wantMid: "0", wantDir: DirectionSendRecv, wantGroup: "BUNDLE 0", codecs: 5},
		{name: "session attribute before c= line", in: replaceLine(freeswitch, "c=IN", "a=foo:bar\nc=IN IP4 198.51.100.7"),
			wantMid: "0", wantDir: DirectionSendRecv, wantGroup: "BUNDLE 0", codecs: 5},

		{name: "bare static and unknown PTs dropped", in: bytes.ReplaceAll(freeswitch,
			[]byte("102 0 8 101 13"), []byte("102 0 18 8 3 101 13 97 x")),
			wantMid: "0", wantDir: DirectionSendRecv, wantGroup: "BUNDLE 0", codecs: 5},
		{name: "only PCMU without rtpmap", in: replaceLine(replaceLine(bytes.ReplaceAll(baresip,
			[]byte("96 101"), []byte("0")), "a=rtpmap", ""), "a=fmtp", ""),
			wantMid: "0", wantDir: DirectionSendRecv, wantGroup: "BUNDLE 0", codecs: 1},

		{name: "no mappable codec", in: bytes.ReplaceAll(baresip, []byte("96 101"), []byte("97 18")),
			wantErr: ErrNoCommonCodec},
		{name: "empty", in: nil, wantErr: ErrEmptySDP},
		{name: "whitespace", in: []byte(" \r\n\r\n"), wantErr: ErrEmptySDP},
		{name: "not sdp", in: []byte("hello world"), wantErr: ErrMalformedSDP},
		{name: "plain RTP/AVP", in: bytes.ReplaceAll(freeswitch, []byte("UDP/TLS/RTP/SAVPF"), []byte("RTP/AVP")),
			wantErr: ErrNotWebRTC},
		{name: "SDES RTP/SAVP", in: bytes.ReplaceAll(freeswitch, []byte("UDP/TLS/RTP/SAVPF"), []byte("RTP/SAVP")),
			wantErr: ErrNotWebRTC},
		{name: "no audio (video only)", in: bytes.ReplaceAll(asterisk, []byte("m=audio"), []byte("m=video")),
			wantErr: ErrNoAudio},
		{name: "audio rejected port 0", in: bytes.ReplaceAll(asterisk, []byte("m=audio 14946"), []byte("m=audio 0")),
			wantErr: ErrNoAudio},
		{name: "no fingerprint", in: replaceLine(asterisk, "a=fingerprint", ""), wantErr: ErrNoFingerprint},
		{name: "no ice-ufrag", in: replaceLine(freeswitch, "a=ice-ufrag", ""), wantErr: ErrNoICECredentials},
		{name: "no ice-pwd", in: replaceLine(baresip, "a=ice-pwd", ""), wantErr: ErrNoICECredentials},
		{name: "no rtcp-mux", in: replaceLine(baresip, "a=rtcp-mux", ""), wantErr: ErrNoRTCPMux},
		{name: "short m-line", in: []byte("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 9\n"), wantErr: ErrMalformedSDP},
		{name: "no v line", in: bytes.ReplaceAll(asterisk, []byte("v=0\n"), nil), wantErr: ErrMalformedSDP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}

				return
			}
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if got.AudioMid != tc.wantMid || got.Direction != tc.wantDir || len(got.Codecs) != tc.codecs {
				t.Fatalf("mid %q dir %v codecs %d, want %q %v %d (fixes %v)",
					got.AudioMid, got.Direction, len(got.Codecs), tc.wantMid, tc.wantDir, tc.codecs, got.Fixes)
			}
			checkNormalized(t, got)
			var parsed sdp.SessionDescription
			if err := parsed.Unmarshal(got.SDP); err != nil {
				t.Fatal(err)
			}
			if g, _ := parsed.Attribute("group"); g != tc.wantGroup {
				t.Fatalf("group %q, want %q", g, tc.wantGroup)
			}
		})
	}
}

// checkNormalized asserts the invariants every Normalize result must hold.
func checkNormalized(t *testing.T, n Normalized) {
	t.Helper()
	var parsed sdp.SessionDescription
	if err := parsed.Unmarshal(n.SDP); err != nil {
		t.Fatalf("result does not parse: %v\n%s", err, n.SDP)
	}
	if bytes.Contains(bytes.ReplaceAll(n.SDP, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("bare LF in result")
	}
	for _, a := range parsed.Attributes {
		if parseDirection(a.Key) != DirectionUnknown {
			t.Fatal("session-level direction left in result")
		}
	}
	group, _ := parsed.Attribute("group")
	if !strings.HasPrefix(group, "BUNDLE ") || !strings.Contains(" "+group+" ", " "+n.AudioMid+" ") {
		t.Fatalf("audio mid %q not in group %q", n.AudioMid, group)
	}
	for _, m := range parsed.MediaDescriptions {
		if mid, _ := m.Attribute("mid"); mid == "" {
			t.Fatalf("m-line %s without mid", m.MediaName.Media)
		}
		dirs := 0
		for _, a := range m.Attributes {
			if parseDirection(a.Key) != DirectionUnknown {
				dirs++
			}
		}
		if dirs != 1 {
			t.Fatalf("m-line has %d direction attributes", dirs)
		}
	}
}

func TestSetDirection(t *testing.T) {
	n, err := Normalize(readSDP(t, "asterisk_offer.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []Direction{DirectionSendOnly, DirectionRecvOnly, DirectionInactive, DirectionSendRecv} {
		out := setDirection(n.SDP, n.AudioMid, d)
		if got := mediaDirection(out, n.AudioMid); got != d {
			t.Fatalf("direction %v, want %v", got, d)
		}
	}
	if out := setDirection(n.SDP, "nope", DirectionInactive); !bytes.Equal(out, n.SDP) {
		t.Fatal("unknown mid changed the SDP")
	}
}

func TestDirectionAnswer(t *testing.T) {
	// RFC 3264 §6.1 table, for an answerer that wants sendrecv and one that holds.
	tests := []struct {
		want, offer, answer Direction
	}{
		{DirectionSendRecv, DirectionSendRecv, DirectionSendRecv},
		{DirectionSendRecv, DirectionSendOnly, DirectionRecvOnly},
		{DirectionSendRecv, DirectionRecvOnly, DirectionSendOnly},
		{DirectionSendRecv, DirectionInactive, DirectionInactive},
		{DirectionSendOnly, DirectionSendRecv, DirectionSendOnly},
		{DirectionSendOnly, DirectionSendOnly, DirectionInactive},
		{DirectionSendOnly, DirectionRecvOnly, DirectionSendOnly},
	}
	for _, tc := range tests {
		if got := tc.want.answerTo(tc.offer); got != tc.answer {
			t.Errorf("%v answering %v = %v, want %v", tc.want, tc.offer, got, tc.answer)
		}
	}
	if holdOffer(DirectionSendRecv) != DirectionSendOnly || holdOffer(DirectionSendOnly) != DirectionInactive {
		t.Error("holdOffer")
	}
}

// FuzzNormalize: Normalize never panics, and what it accepts parses, holds
// the invariants and is a fixed point.
func FuzzNormalize(f *testing.F) {
	for _, name := range []string{"asterisk_offer.sdp", "freeswitch_offer.sdp", "baresip_offer.sdp"} {
		b := readSDP(f, name)
		f.Add(b)
		f.Add(crlf(b))
		f.Add(replaceLine(b, "a=rtcp-mux", ""))
		f.Add(append(bytes.Clone(b), "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"...))
	}
	f.Add([]byte(""))
	f.Add([]byte("v=0\r\nm=audio 1 UDP/TLS/RTP/SAVPF 0\r\n"))
	f.Add([]byte("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\na=sendonly\na=group:BUNDLE\nm=audio 9 UDP/TLS/RTP/SAVPF 0\na=mid:\na=ice-ufrag:a\na=ice-pwd:b\na=fingerprint:sha-256 00\na=rtcp-mux\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		n, err := Normalize(in)
		if err != nil {
			return
		}
		checkNormalized(t, n)
		again, err := Normalize(n.SDP)
		if err != nil {
			t.Fatalf("normalised SDP rejected: %v\n%s", err, n.SDP)
		}
		if !bytes.Equal(again.SDP, n.SDP) || again.AudioMid != n.AudioMid || again.Direction != n.Direction {
			t.Fatalf("not a fixed point:\n%s\n---\n%s", n.SDP, again.SDP)
		}
	})
}
