package rtpmedia_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/rtpmedia"
	"github.com/parley-voip/parley/internal/testrig"
)

// Two sessions in one process, each with the real audio pipeline: every
// profile and codec carries each side's tones to the other, and a digit
// sent by one is reported once by the other.
func TestLoopbackCall(t *testing.T) {
	for _, tc := range []struct {
		name        string
		alice, bob  rtpmedia.Config
		wantSecure  bool
		wantCodec   string
		wantDTMFPT  uint8
		wantInOffer []string
		editOffer   func([]byte) []byte
	}{
		{name: "plain PCMU", alice: rtpmedia.Config{Codecs: []string{"pcmu"}}, wantCodec: "PCMU", wantDTMFPT: 101,
			wantInOffer: []string{"m=audio", "RTP/AVP 0 101", "a=rtcp-mux", "a=ptime:20", "a=maxptime:20", "a=sendrecv"}},
		{name: "plain PCMA without mux", alice: rtpmedia.Config{Codecs: []string{"pcma"}, NoRTCPMux: true}, wantCodec: "PCMA", wantDTMFPT: 101,
			wantInOffer: []string{"RTP/AVP 8 101"}},
		{name: "opus AVPF", alice: rtpmedia.Config{AVPF: true}, wantCodec: "OPUS", wantDTMFPT: 110,
			wantInOffer: []string{"RTP/AVPF 111 9 0 8 110 101", "a=rtpmap:111 opus/48000/2"}},
		{name: "SRTP mandatory 80", alice: rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcmu"}},
			bob: rtpmedia.Config{SRTP: rtpmedia.SRTPOptional}, wantSecure: true, wantCodec: "PCMU", wantDTMFPT: 101,
			wantInOffer: []string{"RTP/SAVP 0 101", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:", "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"}},
		{name: "SRTP 32-bit tag", alice: rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcma"}},
			bob: rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory}, wantSecure: true, wantCodec: "PCMA", wantDTMFPT: 101,
			editOffer: only32},
		{name: "SRTP best effort opus", alice: rtpmedia.Config{SRTP: rtpmedia.SRTPOptional},
			bob: rtpmedia.Config{SRTP: rtpmedia.SRTPOptional}, wantSecure: true, wantCodec: "OPUS", wantDTMFPT: 110,
			wantInOffer: []string{"RTP/AVP 111", "a=crypto:1 "}},
		{name: "SRTP best effort ignored", alice: rtpmedia.Config{SRTP: rtpmedia.SRTPOptional, Codecs: []string{"pcma"}},
			wantCodec: "PCMA", wantDTMFPT: 101, wantInOffer: []string{"RTP/AVP 8 101", "a=crypto:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alice, bob := newSession(t, tc.alice), newSession(t, tc.bob)
			offer, err := alice.CreateOffer(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			if tc.editOffer != nil {
				offer = tc.editOffer(offer)
			}
			for _, w := range tc.wantInOffer {
				if !bytes.Contains(offer, []byte(w)) {
					t.Errorf("offer lacks %q:\n%s", w, offer)
				}
			}
			answer, err := bob.Answer(ctxT(t), offer)
			if err != nil {
				t.Fatal(err)
			}
			if tc.editOffer != nil && !answered32.Match(answer) {
				t.Fatalf("the 32-bit suite was not answered:\n%s", answer)
			}
			if err := alice.SetAnswer(answer); err != nil {
				t.Fatalf("%v\n%s", err, answer)
			}
			for _, s := range []*rtpmedia.Session{alice, bob} {
				if s.Secure() != tc.wantSecure {
					t.Errorf("secure %v, want %v", s.Secure(), tc.wantSecure)
				}
				if c := s.Codec(); c.Name != tc.wantCodec || c.DTMFPayloadType != tc.wantDTMFPT {
					t.Errorf("codec %+v, want %s with DTMF PT %d", c, tc.wantCodec, tc.wantDTMFPT)
				}
				if err := s.WaitConnected(ctxT(t)); err != nil {
					t.Fatal(err)
				}
			}
			ae, arec := toneEngine(t, aliceTones...)
			be, brec := toneEngine(t, bobTones...)
			openAudio(t, ae, "a", alice)
			openAudio(t, be, "b", bob)
			audiotest.Hear(t, "alice hears bob", arec, bobTones, aliceTones...)
			audiotest.Hear(t, "bob hears alice", brec, aliceTones, bobTones...)

			digits := make(chan rune, 8)
			bob.OnDTMF(func(d rune) { digits <- d })
			for _, d := range "5#" {
				if err := alice.SendDTMF(ctxT(t), d, 0); err != nil {
					t.Fatal(err)
				}
			}
			for _, want := range "5#" {
				select {
				case got := <-digits:
					if got != want {
						t.Fatalf("bob got digit %q, want %q", got, want)
					}
				case <-time.After(wait):
					t.Fatalf("bob got no digit %q", want)
				}
			}
			select {
			case d := <-digits:
				t.Fatalf("digit %q reported twice or spurious", d)
			case <-time.After(300 * time.Millisecond):
			}
			if st := alice.Stats(); st.PacketsReceived == 0 || st.PacketsSent == 0 || st.SRTPAuthFailures != 0 {
				t.Errorf("alice stats %+v", st)
			}
		})
	}
}

// Hold both ways by re-offer (RFC 3264 §8.4): the holder offers sendonly,
// the held side answers recvonly and stops sending, and resume brings the
// audio back.
func TestHoldAndResume(t *testing.T) {
	alice, bob := newSession(t, rtpmedia.Config{Codecs: []string{"pcmu"}}), newSession(t, rtpmedia.Config{})
	exchange(t, alice, bob)
	ae, arec := toneEngine(t, aliceTones...)
	be, brec := toneEngine(t, bobTones...)
	openAudio(t, ae, "a", alice)
	openAudio(t, be, "b", bob)
	audiotest.Hear(t, "alice hears bob", arec, bobTones)

	reoffer := func(from, to *rtpmedia.Session, dir rtc.Direction) {
		t.Helper()
		o, err := from.Reoffer(ctxT(t), dir)
		if err != nil {
			t.Fatal(err)
		}
		a, err := to.AnswerReoffer(ctxT(t), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := from.SetAnswer(a); err != nil {
			t.Fatal(err)
		}
	}
	reoffer(alice, bob, rtc.DirectionSendOnly)
	if alice.LocalDirection() != rtc.DirectionSendOnly || bob.LocalDirection() != rtc.DirectionRecvOnly ||
		bob.RemoteDirection() != rtc.DirectionSendOnly {
		t.Fatalf("hold: alice %v, bob %v (remote %v)", alice.LocalDirection(), bob.LocalDirection(), bob.RemoteDirection())
	}
	audiotest.Quiet(t, "alice while holding bob", arec)
	audiotest.Hear(t, "bob still hears alice's hold side", brec, aliceTones)

	// Bob holds too: alice already holds him, so he offers inactive.
	reoffer(bob, alice, rtc.DirectionSendOnly)
	if bob.LocalDirection() != rtc.DirectionInactive || alice.LocalDirection() != rtc.DirectionInactive {
		t.Fatalf("double hold: alice %v, bob %v", alice.LocalDirection(), bob.LocalDirection())
	}
	audiotest.Quiet(t, "bob on double hold", brec)
	reoffer(bob, alice, rtc.DirectionSendRecv)
	reoffer(alice, bob, rtc.DirectionSendRecv)
	if alice.LocalDirection() != rtc.DirectionSendRecv || bob.LocalDirection() != rtc.DirectionSendRecv {
		t.Fatalf("resume: alice %v, bob %v", alice.LocalDirection(), bob.LocalDirection())
	}
	audiotest.Hear(t, "alice hears bob after resume", arec, bobTones)
	audiotest.Hear(t, "bob hears alice after resume", brec, aliceTones)
}

var (
	cryptoKey  = regexp.MustCompile(`inline:[A-Za-z0-9+/=]+`)
	crypto80   = regexp.MustCompile(`(?m)^a=crypto:1 AES_CM_128_HMAC_SHA1_80 .*\r\n`)
	answered32 = regexp.MustCompile(`(?m)^a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:`)
)

// only32 leaves the _32 suite alone in an offer, so the answerer must
// take it (RFC 4568 §6.2.2: 32-bit SRTP tag, 80-bit SRTCP tag).
func only32(offer []byte) []byte { return crypto80.ReplaceAll(offer, nil) }

// A peer whose SRTP key is not the one it announced: its packets fail
// authentication, are counted and dropped, nothing plays, nothing crashes.
func TestSRTPWrongKeyCountsAuthFailures(t *testing.T) {
	alice := newSession(t, rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcmu"}})
	bob := newSession(t, rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory})
	offer, err := alice.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	answer, err := bob.Answer(ctxT(t), offer)
	if err != nil {
		t.Fatal(err)
	}
	// Alice gets a key that is not bob's.
	forged := cryptoKey.ReplaceAll(answer, []byte("inline:"+strings.Repeat("QUJD", 10)))
	if err := alice.SetAnswer(forged); err != nil {
		t.Fatal(err)
	}
	ae, arec := toneEngine(t)
	be, _ := toneEngine(t, bobTones...)
	openAudio(t, ae, "a", alice)
	openAudio(t, be, "b", bob)
	audiotest.WaitFor(t, wait, "SRTP authentication failures", func() bool { return alice.Stats().SRTPAuthFailures >= 25 })
	audiotest.Silent(t, "alice with the wrong key", arec.Wait(t, arec.Len(), audiotest.Rate/2))
	if st := alice.Stats(); st.PacketsReceived != 0 {
		t.Errorf("unauthenticated packets were accepted: %+v", st)
	}
}

// Offers this package must refuse, each with the error the engine can
// show or use to pick the other media path.
func TestRefusedOffers(t *testing.T) {
	const webrtcOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 4000 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=fingerprint:sha-256 AA:BB\r\n"
	const savp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
	const avp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	const g729 = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\n"
	for _, tc := range []struct {
		name  string
		cfg   rtpmedia.Config
		offer string
		want  error
	}{
		{"webrtc", rtpmedia.Config{}, webrtcOffer, rtpmedia.ErrNotPlainRTP},
		{"savp on a plain line", rtpmedia.Config{}, savp, rtpmedia.ErrSRTPRefused},
		{"avp on an srtp line", rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory}, avp, rtpmedia.ErrSRTPRequired},
		{"no common codec", rtpmedia.Config{}, g729, rtc.ErrNoCommonCodec},
		{"empty", rtpmedia.Config{}, "", rtc.ErrEmptySDP},
		{"garbage", rtpmedia.Config{}, "hello", rtc.ErrMalformedSDP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSession(t, tc.cfg)
			if _, err := s.Answer(ctxT(t), []byte(tc.offer)); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// The RTP port is even and inside the configured range, RTCP on port+1;
// a range whose pairs are all taken fails with ErrNoPorts.
func TestPortRange(t *testing.T) {
	first := testrig.FreePortRange(t, 6)
	lo := uint16(first+1) &^ 1 // even
	cfg := rtpmedia.Config{PortMin: lo, PortMax: lo + 3}
	seen := map[uint16]bool{}
	for range 2 {
		p := newSession(t, cfg).LocalAddr().Port()
		if p%2 != 0 || p < lo || p > lo+2 || seen[p] {
			t.Fatalf("port %d in %d-%d (seen %v)", p, lo, lo+3, seen)
		}
		seen[p] = true
	}
	cfg.LocalIP = loopback
	if s, err := rtpmedia.NewSession(cfg); !errors.Is(err, rtpmedia.ErrNoPorts) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("a third session in a two-pair range: %v", err)
	}
}

// RTCP reports flow both ways and feed the figures call quality is made of.
func TestRTCPStats(t *testing.T) {
	cfg := rtpmedia.Config{Codecs: []string{"pcmu"}, RTCPInterval: 200 * time.Millisecond, NoRTCPMux: true}
	alice, bob := newSession(t, cfg), newSession(t, cfg)
	exchange(t, alice, bob)
	ae, _ := toneEngine(t, aliceTones...)
	be, _ := toneEngine(t, bobTones...)
	openAudio(t, ae, "a", alice)
	openAudio(t, be, "b", bob)
	audiotest.WaitFor(t, wait, "an RTT from receiver reports", func() bool {
		st := alice.Stats()
		return st.RTT > 0 && st.PacketsReceived > 50
	})
	st := alice.Stats()
	if st.RTT > time.Second || st.PacketsLost != 0 || st.RemotePacketsLost != 0 || st.Jitter > 200*time.Millisecond {
		t.Errorf("implausible loopback stats: %+v", st)
	}
}

// Early media from one fork, the 200 from another (RFC 3960 §3.1): the
// final answer's address and keys replace the early ones and the device
// that answered is heard.
func TestReplaceAnswerFromAnotherFork(t *testing.T) {
	cfg := rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcmu"}}
	alice, early, final := newSession(t, cfg), newSession(t, cfg), newSession(t, cfg)
	offer, err := alice.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	a1, err := early.Answer(ctxT(t), offer)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := final.Answer(ctxT(t), offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.SetAnswer(a1); err != nil {
		t.Fatal(err)
	}
	ae, arec := toneEngine(t, aliceTones...)
	ee, _ := toneEngine(t, 500)
	fe, frec := toneEngine(t, bobTones...)
	openAudio(t, ae, "a", alice)
	openAudio(t, ee, "e", early)
	openAudio(t, fe, "f", final)
	audiotest.Hear(t, "alice hears the early fork", arec, []float64{500})
	if err := alice.ReplaceAnswer(a2); err != nil {
		t.Fatal(err)
	}
	audiotest.Hear(t, "alice hears the answering fork", arec, bobTones, 500)
	audiotest.Hear(t, "the answering fork hears alice", frec, aliceTones)
	// The early fork keeps sending with its own key: its packets fail
	// authentication and never take the latch.
	audiotest.WaitFor(t, wait, "the early fork's packets refused", func() bool { return alice.Stats().SRTPAuthFailures > 0 })
}

// Latching on loopback: bob's answer names an address nobody listens on
// (TEST-NET, RFC 5737), as a peer behind NAT would write its private one.
// Alice sends where bob's media comes from, so bob hears her; with
// latching off she keeps sending to the dead address.
func TestLatching(t *testing.T) {
	for _, latch := range []bool{true, false} {
		t.Run(fmt.Sprintf("latching %v", latch), func(t *testing.T) {
			alice := newSession(t, rtpmedia.Config{Codecs: []string{"pcmu"}, NoLatching: !latch})
			bob := newSession(t, rtpmedia.Config{})
			offer, err := alice.CreateOffer(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			answer, err := bob.Answer(ctxT(t), offer)
			if err != nil {
				t.Fatal(err)
			}
			answer = regexp.MustCompile(`(?m)^c=IN IP4 .*$`).ReplaceAll(answer, []byte("c=IN IP4 192.0.2.1\r"))
			if err := alice.SetAnswer(answer); err != nil {
				t.Fatalf("%v\n%s", err, answer)
			}
			ae, arec := toneEngine(t, aliceTones...)
			be, brec := toneEngine(t, bobTones...)
			openAudio(t, ae, "a", alice)
			openAudio(t, be, "b", bob)
			audiotest.Hear(t, "alice hears bob", arec, bobTones)
			if latch {
				audiotest.Hear(t, "bob hears alice", brec, aliceTones)
				return
			}
			audiotest.Silent(t, "bob without latching", brec.Wait(t, brec.Len(), audiotest.Rate))
		})
	}
}
