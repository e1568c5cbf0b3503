package rtpmedia_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/rtpmedia"
	"github.com/parley-voip/parley/internal/sipua"
	"github.com/parley-voip/parley/internal/testrig"
)

// baresipTone is what baresip plays (from a WAV, through aufile).
const baresipTone = 1000

// peer is baresip registered at kamailio with the classic SIP media
// profile: plain RTP, or SDES-SRTP with its srtp module (mediaenc srtp is
// RTP/AVP with a=crypto, srtp-mand RTP/SAVP).
type peer struct {
	b   *testrig.Baresip
	kam *testrig.Kamailio
}

func startPeer(t *testing.T, kam *testrig.Kamailio, mediaenc string, autoAnswer bool) peer {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "source.wav")
	if err := testrig.WriteWAV(src, testrig.Tone(48000, baresipTone, 0.3, 30)); err != nil {
		t.Fatal(err)
	}
	o := testrig.BaresipOptions{
		User: "bob", Registrar: kam.UDPAddr, AutoAnswer: autoAnswer,
		SourceWAV: src, RecordWAV: filepath.Join(dir, "heard.wav"),
		SIPTrace: os.Getenv("PARLEY_TEST_LOG") != "",
		// See phone/baresip_test.go: release DTMF packets at once.
		ExtraConfig: []string{"jitter_buffer_delay 0-10"},
	}
	if mediaenc != "" {
		o.ExtraConfig = append(o.ExtraConfig, "module srtp.so")
		o.AccountParams = ";mediaenc=" + mediaenc
	}
	return peer{b: testrig.StartBaresip(t, o), kam: kam}
}

func (p peer) event(t *testing.T, typ string) testrig.BaresipEvent {
	t.Helper()
	ev, err := p.b.WaitEvent(ctxT(t), typ)
	if err != nil {
		t.Fatalf("baresip %s: %v\n%s", typ, err, p.b.Log())
	}
	return ev
}

// heardUs checks baresip's recording of the call for our tones.
func (p peer) heardUs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	path, err := p.b.SaveRecording(ctx)
	if err != nil {
		t.Fatalf("baresip recording: %v\n%s", err, p.b.Log())
	}
	w, err := testrig.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	mono := w.Samples
	if w.Channels > 1 {
		mono = make([]int16, len(w.Samples)/w.Channels)
		for i := range mono {
			mono[i] = w.Samples[i*w.Channels]
		}
	}
	if len(mono) < 2*w.Rate {
		t.Fatalf("baresip recorded only %d samples", len(mono))
	}
	x := mono[w.Rate/2 : len(mono)-w.Rate/4]
	problem := func(x []int16) string {
		rep := dsp.CheckTones(x, dsp.ToneCheck{Rate: w.Rate, Expected: aliceTones, MinDBFS: -30, UnexpectedDBFS: -26})
		if !rep.OK() {
			return rep.String()
		}
		if l := dsp.TonedBFS(x, w.Rate, baresipTone); l > -45 {
			return fmt.Sprintf("its own %d Hz at %.1f dBFS", baresipTone, l)
		}
		return ""
	}
	last := "no audio"
	for at := 0; at+w.Rate/2 <= len(x); at += w.Rate / 4 {
		if last = problem(x[at : at+w.Rate/2]); last == "" {
			return
		}
	}
	t.Errorf("baresip did not hear our tones: %s", last)
}

type uaHandler struct{ incoming chan *sipua.Incoming }

func (h *uaHandler) OnRegistration(sipua.RegState) {}
func (h *uaHandler) OnIncoming(_ context.Context, in *sipua.Incoming) {
	h.incoming <- in
}

// newUA registers alice at kamailio: the SIP side of the test, driven by
// hand (the session is SDP in, SDP out).
func newUA(t *testing.T, kam *testrig.Kamailio) (*sipua.UA, *uaHandler) {
	t.Helper()
	h := &uaHandler{incoming: make(chan *sipua.Incoming, 4)}
	ua, err := sipua.New(sipua.Config{Transport: "udp", Server: kam.UDPAddr, Domain: "127.0.0.1",
		Username: "alice", Password: "x", LocalIP: "127.0.0.1"}, h, sipua.WithLogger(testLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = ua.Close(ctx)
	})
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("register: %v", err)
	}
	kam.WaitContacts(t, "alice", 1, wait)
	return ua, h
}

// dtmfToBaresip sends digits and checks that baresip decodes each once.
func dtmfToBaresip(t *testing.T, s *rtpmedia.Session, p peer, digits string) {
	t.Helper()
	for _, d := range digits {
		if err := s.SendDTMF(ctxT(t), d, 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range digits {
		if ev := p.event(t, "CALL_DTMF_START"); ev.Param != string(want) {
			t.Fatalf("baresip decoded DTMF %q, want %q", ev.Param, string(want))
		}
	}
}

// Calls both ways with baresip, through kamailio, in each profile and
// codec: each side hears the other's tones, baresip decodes our DTMF.
func TestBaresipCalls(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	for _, tc := range []struct {
		name     string
		mediaenc string // baresip's
		cfg      rtpmedia.Config
		incoming bool
		secure   bool
		edit     func([]byte) []byte // our offer, before it leaves
	}{
		{name: "plain PCMU to baresip", cfg: rtpmedia.Config{Codecs: []string{"pcmu"}}},
		{name: "plain PCMA from baresip", cfg: rtpmedia.Config{Codecs: []string{"pcma"}}, incoming: true},
		{name: "plain Opus to baresip", cfg: rtpmedia.Config{Codecs: []string{"opus"}}},
		{name: "plain Opus from baresip", cfg: rtpmedia.Config{Codecs: []string{"opus"}}, incoming: true},
		{name: "SRTP mandatory to baresip", mediaenc: "srtp-mand", secure: true,
			cfg: rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcmu"}}},
		{name: "SRTP 32-bit tag to baresip", mediaenc: "srtp-mand", secure: true, edit: only32,
			cfg: rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcma"}}},
		{name: "SRTP mandatory from baresip", mediaenc: "srtp-mand", secure: true, incoming: true,
			cfg: rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"opus"}}},
		{name: "SRTP best effort from baresip", mediaenc: "srtp", secure: true, incoming: true,
			cfg: rtpmedia.Config{SRTP: rtpmedia.SRTPOptional, Codecs: []string{"pcma"}}},
		{name: "SRTP best effort to baresip", mediaenc: "srtp", secure: true,
			cfg: rtpmedia.Config{SRTP: rtpmedia.SRTPOptional}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			bob := startPeer(t, kam, tc.mediaenc, true)
			ua, h := newUA(t, kam)
			s := newSession(t, tc.cfg)
			var dlg *sipua.Dialog
			if tc.incoming {
				if _, err := bob.b.Command(ctxT(t), "dial", "sip:alice@"+kam.UDPAddr); err != nil {
					t.Fatal(err)
				}
				var in *sipua.Incoming
				select {
				case in = <-h.incoming:
				case <-ctxT(t).Done():
					t.Fatalf("no call from baresip\n%s", bob.b.Log())
				}
				answer, err := s.Answer(ctxT(t), in.SDP)
				if err != nil {
					t.Fatalf("answer: %v\n%s", err, in.SDP)
				}
				if dlg, err = in.Answer(answer); err != nil {
					t.Fatal(err)
				}
			} else {
				offer, err := s.CreateOffer(ctxT(t))
				if err != nil {
					t.Fatal(err)
				}
				if tc.edit != nil {
					offer = tc.edit(offer)
				}
				if dlg, err = ua.Dial(ctxT(t), "sip:bob@"+kam.UDPAddr, offer, sipua.DialOptions{}); err != nil {
					t.Fatalf("dial: %v\n%s", err, bob.b.Log())
				}
				if err := s.SetAnswer(dlg.RemoteSDP()); err != nil {
					t.Fatalf("%v\n%s", err, dlg.RemoteSDP())
				}
				if tc.edit != nil && !answered32.Match(dlg.RemoteSDP()) {
					t.Fatalf("baresip did not answer the 32-bit suite:\n%s", dlg.RemoteSDP())
				}
			}
			bob.event(t, "CALL_ESTABLISHED")
			if s.Secure() != tc.secure {
				t.Fatalf("secure = %v, want %v", s.Secure(), tc.secure)
			}
			t.Logf("codec %+v, secure %v", s.Codec(), s.Secure())
			digits := make(chan rune, 16)
			s.OnDTMF(func(d rune) { digits <- d })
			e, rec := toneEngine(t, aliceTones...)
			openAudio(t, e, "a", s)
			audiotest.Hear(t, "we hear baresip", rec, []float64{baresipTone}, aliceTones...)
			dtmfToBaresip(t, s, bob, "1#")
			// And baresip's digit reaches us, once.
			if _, err := bob.b.Command(ctxT(t), "sndcode", "9"); err != nil {
				t.Fatal(err)
			}
			select {
			case d := <-digits:
				if d != '9' {
					t.Fatalf("we decoded %q, want 9", d)
				}
			case <-ctxT(t).Done():
				t.Fatal("baresip's DTMF never arrived")
			}
			time.Sleep(3 * time.Second) // let baresip record us (heardUs wants 2 s)
			if st := s.Stats(); st.SRTPAuthFailures != 0 || st.PacketsReceived == 0 {
				t.Errorf("stats %+v", st)
			}
			select {
			case d := <-digits:
				t.Errorf("digit %q reported twice or spurious", d)
			default:
			}
			if err := dlg.Bye(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			bob.event(t, "CALL_CLOSED")
			bob.heardUs(t)
		})
	}
}

// natRelay is the far end's NAT: what baresip sends to inside leaves from
// outside towards us, and what reaches outside goes back to baresip.
type natRelay struct {
	inside, outside *net.UDPConn
	us              netip.AddrPort
	peer            atomic.Pointer[netip.AddrPort] // baresip's RTP source
}

func startRelay(t *testing.T, us netip.AddrPort) *natRelay {
	t.Helper()
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	r := &natRelay{inside: listen(), outside: listen(), us: us}
	done := make(chan struct{}, 2)
	t.Cleanup(func() {
		_ = r.inside.Close()
		_ = r.outside.Close()
		<-done
		<-done
	})
	go func() {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 2048)
		for {
			n, from, err := r.inside.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			r.peer.Store(&from)
			_, _ = r.outside.WriteToUDPAddrPort(buf[:n], r.us)
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 2048)
		for {
			n, _, err := r.outside.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			if p := r.peer.Load(); p != nil {
				_, _ = r.inside.WriteToUDPAddrPort(buf[:n], *p)
			}
		}
	}()
	return r
}

func (r *natRelay) port(c *net.UDPConn) int { return c.LocalAddr().(*net.UDPAddr).Port }

var mPort = regexp.MustCompile(`(?m)^m=audio \d+`)
var cLine = regexp.MustCompile(`(?m)^c=IN IP4 [0-9.]+`)

// Latching (comedia): baresip sits behind a NAT that its SDP knows
// nothing about. Its answer advertises an address we cannot reach
// (TEST-NET, RFC 5737), its media reaches us from the NAT's public side.
// We send where its media comes from, so it hears us.
func TestBaresipBehindNATGetsOurAudio(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	bob := startPeer(t, kam, "", true)
	ua, _ := newUA(t, kam)
	s := newSession(t, rtpmedia.Config{Codecs: []string{"pcmu"}, NoRTCPMux: true})
	relay := startRelay(t, s.LocalAddr())
	offer, err := s.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	// baresip sends into its NAT: our offer (as its SIP ALG would have it)
	// names the relay's inside.
	offer = mPort.ReplaceAll(offer, []byte("m=audio "+strconv.Itoa(relay.port(relay.inside))))
	dlg, err := ua.Dial(ctxT(t), "sip:bob@"+kam.UDPAddr, offer, sipua.DialOptions{})
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, bob.b.Log())
	}
	answer := cLine.ReplaceAll(dlg.RemoteSDP(), []byte("c=IN IP4 192.0.2.1"))
	if !bytes.Contains(answer, []byte("192.0.2.1")) {
		t.Fatalf("answer not rewritten:\n%s", answer)
	}
	if err := s.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	bob.event(t, "CALL_ESTABLISHED")
	e, rec := toneEngine(t, aliceTones...)
	openAudio(t, e, "a", s)
	audiotest.Hear(t, "we hear baresip through its NAT", rec, []float64{baresipTone}, aliceTones...)
	dtmfToBaresip(t, s, bob, "7")
	time.Sleep(2 * time.Second)
	if err := dlg.Bye(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	bob.event(t, "CALL_CLOSED")
	bob.heardUs(t)
}

// baresip with SRTP whose key we do not have: our side counts the
// authentication failures, plays nothing and keeps running; hanging up
// works as usual.
func TestBaresipWrongSRTPKey(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	bob := startPeer(t, kam, "srtp-mand", true)
	ua, _ := newUA(t, kam)
	s := newSession(t, rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcmu"}})
	offer, err := s.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	dlg, err := ua.Dial(ctxT(t), "sip:bob@"+kam.UDPAddr, offer, sipua.DialOptions{})
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, bob.b.Log())
	}
	forged := cryptoKey.ReplaceAll(dlg.RemoteSDP(), []byte("inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk"))
	if bytes.Equal(forged, dlg.RemoteSDP()) {
		t.Fatalf("no key in the answer:\n%s", dlg.RemoteSDP())
	}
	if err := s.SetAnswer(forged); err != nil {
		t.Fatal(err)
	}
	bob.event(t, "CALL_ESTABLISHED")
	e, rec := toneEngine(t, aliceTones...)
	openAudio(t, e, "a", s)
	audiotest.WaitFor(t, wait, "SRTP authentication failures", func() bool { return s.Stats().SRTPAuthFailures >= 25 })
	audiotest.Silent(t, "audio with a wrong key", rec.Wait(t, rec.Len(), audiotest.Rate/2))
	if err := dlg.Bye(ctxT(t)); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	bob.event(t, "CALL_CLOSED")
}

// dialogMedia answers the far end's re-INVITEs with the session.
type dialogMedia struct{ s *rtpmedia.Session }

func (h dialogMedia) OnReInvite(ctx context.Context, offer []byte) ([]byte, int) {
	a, err := h.s.AnswerReoffer(ctx, offer)
	if err != nil {
		return nil, 488
	}
	return a, 200
}
func (dialogMedia) OnBye(context.Context)                            {}
func (dialogMedia) OnRefer(context.Context, string) bool             { return false }
func (dialogMedia) OnInfo(context.Context, string, []byte)           {}
func (dialogMedia) OnNotify(context.Context, string, string, []byte) {}

// Hold and resume both ways with baresip (RFC 3264 §8.4): its hold
// re-INVITE (sendonly) is answered recvonly and its audio stops reaching
// us; ours makes it answer recvonly, and resuming brings audio back.
func TestBaresipHold(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	bob := startPeer(t, kam, "srtp-mand", true)
	ua, _ := newUA(t, kam)
	s := newSession(t, rtpmedia.Config{SRTP: rtpmedia.SRTPMandatory, Codecs: []string{"pcmu"}})
	offer, err := s.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	dlg, err := ua.Dial(ctxT(t), "sip:bob@"+kam.UDPAddr, offer, sipua.DialOptions{})
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, bob.b.Log())
	}
	dlg.SetHandler(dialogMedia{s: s})
	if err := s.SetAnswer(dlg.RemoteSDP()); err != nil {
		t.Fatal(err)
	}
	bob.event(t, "CALL_ESTABLISHED")
	e, rec := toneEngine(t, aliceTones...)
	openAudio(t, e, "a", s)
	audiotest.Hear(t, "we hear baresip", rec, []float64{baresipTone})

	// We hold baresip.
	for _, dir := range []rtc.Direction{rtc.DirectionSendOnly, rtc.DirectionSendRecv} {
		o, err := s.Reoffer(ctxT(t), dir)
		if err != nil {
			t.Fatal(err)
		}
		a, err := dlg.ReInvite(ctxT(t), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetAnswer(a); err != nil {
			t.Fatal(err)
		}
		if s.LocalDirection() != dir {
			t.Fatalf("after offering %v: %v (answer %s)", dir, s.LocalDirection(), a)
		}
		if dir == rtc.DirectionSendOnly {
			audiotest.Quiet(t, "while we hold baresip", rec)
		}
	}
	audiotest.Hear(t, "baresip after our resume", rec, []float64{baresipTone})

	// baresip holds us.
	if _, err := bob.b.Command(ctxT(t), "hold", ""); err != nil {
		t.Fatal(err)
	}
	audiotest.WaitFor(t, wait, "baresip's hold", func() bool { return s.LocalDirection() == rtc.DirectionRecvOnly })
	audiotest.Quiet(t, "while baresip holds us", rec)
	if _, err := bob.b.Command(ctxT(t), "resume", ""); err != nil {
		t.Fatal(err)
	}
	audiotest.WaitFor(t, wait, "baresip's resume", func() bool { return s.LocalDirection() == rtc.DirectionSendRecv })
	audiotest.Hear(t, "baresip after its resume", rec, []float64{baresipTone})
	if err := dlg.Bye(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	bob.event(t, "CALL_CLOSED")
}
