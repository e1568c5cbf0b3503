package rtpmedia

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/rtc"
)

const key30 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz" // 30 bytes (RFC 4568 §9.1 example)

func TestParseCrypto(t *testing.T) {
	for _, tc := range []struct {
		in    string
		ok    bool
		suite string
		tag   int
	}{
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30, true, suite80, 1},
		{"2 aes_cm_128_hmac_sha1_32 inline:" + key30 + "|2^20", true, suite32, 2},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^20|1:4", false, "", 0},               // MKI
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + ";inline:" + key30, false, "", 0},        // two keys
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + " UNENCRYPTED_SRTP", false, "", 0},       // session param
		{"1 AES_256_CM_HMAC_SHA1_80 inline:" + key30, false, "", 0},                             // suite
		{"1 AES_CM_128_HMAC_SHA1_80 inline:QUJD", false, "", 0},                                 // short key
		{"x AES_CM_128_HMAC_SHA1_80 inline:" + key30, false, "", 0},                             // tag
		{"1 AES_CM_128_HMAC_SHA1_80 " + key30, false, "", 0},                                    // no inline:
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + strings.TrimRight(key30, "="), true, suite80, 1}, // no padding
	} {
		c, err := parseCrypto(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (c.suite != tc.suite || c.tag != tc.tag || len(c.key) != 30)) {
			t.Errorf("parseCrypto(%q) = %v, %v", tc.in, c, err)
		}
		if err == nil && strings.Contains(fmt.Sprint(c), key30[:10]) {
			t.Errorf("a crypto attribute prints its key: %v", c)
		}
	}
}

func TestParseRemote(t *testing.T) {
	const head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	for _, tc := range []struct {
		name, sdp string
		check     func(t *testing.T, r *remoteSDP)
	}{
		{"static PTs, rtcp attr, session direction",
			strings.Replace(head, "t=0 0\r\n", "t=0 0\r\na=sendonly\r\n", 1) +
				"m=audio 5004 RTP/AVP 8 0 9 101\r\na=rtpmap:101 telephone-event/8000\r\na=rtcp:6000 IN IP4 10.0.0.2\r\na=ptime:30\r\n",
			func(t *testing.T, r *remoteSDP) {
				a := r.audio[0]
				if len(a.maps) != 4 || a.maps[0].Name != "PCMA" || a.maps[2].Name != "G722" || a.maps[3].PayloadType != 101 {
					t.Errorf("maps %+v", a.maps)
				}
				if a.rtcp != netip.MustParseAddrPort("10.0.0.2:6000") || a.rtp != netip.MustParseAddrPort("10.0.0.1:5004") {
					t.Errorf("addresses %v %v", a.rtp, a.rtcp)
				}
				if a.dir != rtc.DirectionSendOnly || a.ptime.Milliseconds() != 30 || a.secure || a.mux {
					t.Errorf("%+v", a)
				}
			}},
		{"old-style hold",
			strings.Replace(head, "c=IN IP4 10.0.0.1", "c=IN IP4 0.0.0.0", 1) + "m=audio 5004 RTP/AVP 0\r\n",
			func(t *testing.T, r *remoteSDP) {
				if d := r.audio[0].dir; d != rtc.DirectionSendOnly {
					t.Errorf("c=0.0.0.0 sendrecv read as %v", d)
				}
			}},
		{"video rejected, SAVP audio with crypto and mux",
			head + "m=video 5006 RTP/AVP 96\r\nm=audio 5004 RTP/SAVP 0\r\na=rtcp-mux\r\na=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:" + key30 + "\r\na=recvonly\r\n",
			func(t *testing.T, r *remoteSDP) {
				if len(r.lines) != 2 || len(r.audio) != 1 {
					t.Fatalf("%+v", r)
				}
				a := r.audio[0]
				if a.index != 1 || !a.secure || !a.mux || len(a.cryptos) != 1 || a.cryptos[0].tag != 3 || a.dir != rtc.DirectionRecvOnly {
					t.Errorf("%+v", a)
				}
			}},
		{"webrtc",
			head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 AA\r\n",
			func(t *testing.T, r *remoteSDP) {
				if !r.webrtc || len(r.audio) != 0 {
					t.Errorf("%+v", r)
				}
			}},
		{"SAVPF with fingerprint is webrtc too",
			head + "a=fingerprint:sha-256 AA\r\nm=audio 9 RTP/SAVPF 111\r\n",
			func(t *testing.T, r *remoteSDP) {
				if !r.webrtc || len(r.audio) != 0 {
					t.Errorf("%+v", r)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseRemote([]byte(tc.sdp))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r)
		})
	}
}
