package rtc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

const testTimeout = 30 * time.Second

func testLogger() *slog.Logger {
	if os.Getenv("RTC_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// loopbackOnly keeps ICE on 127.0.0.1 so tests are fast and deterministic.
func loopbackOnly() Option {
	return WithSettingEngine(func(se *webrtc.SettingEngine) {
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	})
}

func newTestSession(t *testing.T, codecs ...string) *Session {
	t.Helper()
	s, err := NewSession(Config{Codecs: codecs, IncludeLoopback: true}, loopbackOnly(), WithLogger(testLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	return s
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)

	return ctx
}

// rtpSink collects received audio packets.
type rtpSink struct {
	mu   sync.Mutex
	pkts []*rtp.Packet
	ch   chan struct{}
}

func newSink(s *Session) *rtpSink {
	k := &rtpSink{ch: make(chan struct{}, 1)}
	s.SetRTPHandler(func(p *rtp.Packet) {
		k.mu.Lock()
		k.pkts = append(k.pkts, p)
		k.mu.Unlock()
		select {
		case k.ch <- struct{}{}:
		default:
		}
	})

	return k
}

func (k *rtpSink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()

	return len(k.pkts)
}

func (k *rtpSink) reset() {
	k.mu.Lock()
	k.pkts = nil
	k.mu.Unlock()
}

// waitFor polls cond until true or ctx ends. No timing assertion: only a
// generous upper bound.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// connect runs a full offer/answer between a (offerer) and b and waits for both.
func connect(t *testing.T, a, b *Session) {
	t.Helper()
	ctx := ctxT(t)
	offer, err := a.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := b.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
}

// sendUntil sends frames from s every 20 ms until want packets reached sink
// (the first frames may be sent before the far end's SRTP is ready).
// Returns the frames sent.
func sendUntil(ctx context.Context, t *testing.T, s *Session, sink *rtpSink, want int, frame func(i int) []byte) int {
	t.Helper()
	i := 0
	for sink.count() < want {
		if err := s.SendAudio(frame(i), 20*time.Millisecond); err != nil {
			t.Fatalf("SendAudio: %v", err)
		}
		i++
		select {
		case <-ctx.Done():
			t.Fatalf("only %d/%d packets arrived after %d sent", sink.count(), want, i)
		case <-time.After(20 * time.Millisecond):
		}
	}

	return i
}

func frameFor(tag byte, size int) func(int) []byte {
	return func(i int) []byte {
		b := bytes.Repeat([]byte{tag}, size)
		b[0], b[1] = byte(i>>8), byte(i)

		return b
	}
}

// checkStream asserts payload bytes and sequence/timestamp continuity.
func checkStream(t *testing.T, k *rtpSink, tag byte, size int, pt uint8, tsStep uint32) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, p := range k.pkts {
		if len(p.Payload) != size || p.Payload[2] != tag || p.PayloadType != pt {
			t.Fatalf("packet %d: pt %d payload % x", i, p.PayloadType, p.Payload[:min(4, len(p.Payload))])
		}
		if i == 0 {
			continue
		}
		prev := k.pkts[i-1]
		idx := int(p.Payload[0])<<8 | int(p.Payload[1])
		prevIdx := int(prev.Payload[0])<<8 | int(prev.Payload[1])
		if p.SequenceNumber != prev.SequenceNumber+1 || idx != prevIdx+1 {
			t.Fatalf("sequence gap: seq %d→%d frame %d→%d", prev.SequenceNumber, p.SequenceNumber, prevIdx, idx)
		}
		if p.Timestamp-prev.Timestamp != tsStep {
			t.Fatalf("timestamp step %d, want %d", p.Timestamp-prev.Timestamp, tsStep)
		}
	}
}

func TestCallLoopback(t *testing.T) {
	tests := []struct {
		name      string
		a, b      []string
		wantCodec string
		wantPT    uint8
		rate      uint32
		dtmfPT    uint8 // telephone-event at the codec's clock (RFC 4733 §2.1)
	}{
		{name: "opus", wantCodec: "OPUS", wantPT: 111, rate: 48000, dtmfPT: DTMFOpusPayloadType},
		{name: "pcmu preferred", a: []string{"pcmu", "opus"}, wantCodec: "PCMU", wantPT: 0, rate: 8000, dtmfPT: DTMFPayloadType},
		{name: "pcma only on answerer", b: []string{"pcma"}, wantCodec: "PCMA", wantPT: 8, rate: 8000, dtmfPT: DTMFPayloadType},
		// RFC 3551 §4.5.2: 160 timestamp units per 20 ms although G.722 is 16 kHz audio.
		{name: "g722 preferred", a: []string{"g722", "opus"}, b: []string{"opus", "pcmu", "g722"}, wantCodec: "G722", wantPT: 9, rate: 8000, dtmfPT: DTMFPayloadType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newTestSession(t, tc.a...), newTestSession(t, tc.b...)
			sinkA, sinkB := newSink(a), newSink(b)
			connect(t, a, b)
			for _, s := range []*Session{a, b} {
				c := s.Codec()
				if c.Name != tc.wantCodec || c.PayloadType != tc.wantPT || c.ClockRate != tc.rate ||
					c.DTMFPayloadType != tc.dtmfPT || c.DTMFClockRate != tc.rate {
					t.Fatalf("codec %+v, want %s/%d pt %d", c, tc.wantCodec, tc.rate, tc.wantPT)
				}
				if s.State() != StateConnected || s.LocalDirection() != DirectionSendRecv ||
					s.RemoteDirection() != DirectionSendRecv {
					t.Fatalf("state %v dirs %v/%v", s.State(), s.LocalDirection(), s.RemoteDirection())
				}
			}
			ctx := ctxT(t)
			sendUntil(ctx, t, a, sinkB, 10, frameFor(0xA1, 80))
			sendUntil(ctx, t, b, sinkA, 10, frameFor(0xB2, 160))
			step := tc.rate / 50
			checkStream(t, sinkB, 0xA1, 80, tc.wantPT, step)
			checkStream(t, sinkA, 0xB2, 160, tc.wantPT, step)
		})
	}
}

// sendFor sends n frames every 20 ms.
func sendFor(t *testing.T, s *Session, n int, tag byte) {
	t.Helper()
	f := frameFor(tag, 40)
	for i := range n {
		if err := s.SendAudio(f(i), 20*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHoldResume(t *testing.T) {
	a, b := newTestSession(t), newTestSession(t)
	sinkA, sinkB := newSink(a), newSink(b)
	connect(t, a, b)
	ctx := ctxT(t)

	// A holds B: offer sendonly, B must answer recvonly (RFC 3264 §6.1).
	offer, err := a.Reoffer(ctx, DirectionSendOnly)
	if err != nil {
		t.Fatal(err)
	}
	if mediaDirection(offer, "0") != DirectionSendOnly {
		t.Fatalf("hold offer is not sendonly:\n%s", offer)
	}
	answer, err := b.AnswerReoffer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if d := mediaDirection(answer, "0"); d != DirectionRecvOnly {
		t.Fatalf("answer to hold is %v", d)
	}
	if err := a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	assertDirs(t, a, DirectionSendOnly, DirectionRecvOnly)
	assertDirs(t, b, DirectionRecvOnly, DirectionSendOnly)

	// Media direction is honoured: A still sends, B sends nothing.
	sinkA.reset()
	sinkB.reset()
	sendFor(t, b, 10, 0xB0)
	sendUntil(ctx, t, a, sinkB, 5, frameFor(0xA0, 40))
	if n := sinkA.count(); n != 0 {
		t.Fatalf("A received %d packets from B while B is recvonly", n)
	}
	if s := b.Stats(); s.PacketsSent != 0 {
		t.Fatalf("B (recvonly) sent %d packets", s.PacketsSent)
	}

	// Resume.
	offer, err = a.Reoffer(ctx, DirectionSendRecv)
	if err != nil {
		t.Fatal(err)
	}
	answer, err = b.AnswerReoffer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	assertDirs(t, a, DirectionSendRecv, DirectionSendRecv)
	assertDirs(t, b, DirectionSendRecv, DirectionSendRecv)
	sinkA.reset()
	sinkB.reset()
	sendUntil(ctx, t, b, sinkA, 5, frameFor(0xB1, 40))
	sendUntil(ctx, t, a, sinkB, 5, frameFor(0xA1, 40))
	if a.State() != StateConnected || b.State() != StateConnected {
		t.Fatal("connection did not survive hold/resume")
	}
}

func assertDirs(t *testing.T, s *Session, local, remote Direction) {
	t.Helper()
	if s.LocalDirection() != local || s.RemoteDirection() != remote {
		t.Fatalf("local %v remote %v, want %v %v", s.LocalDirection(), s.RemoteDirection(), local, remote)
	}
}

// TestAnswerReofferDirections: the far end (B) re-offers each direction; A
// answers per RFC 3264 §6.1, ICE/DTLS survive and media follows.
func TestAnswerReofferDirections(t *testing.T) {
	a, b := newTestSession(t), newTestSession(t)
	sinkA, sinkB := newSink(a), newSink(b)
	connect(t, a, b)
	ctx := ctxT(t)
	ufrag := func(sdpText []byte) string {
		for l := range strings.SplitSeq(string(sdpText), "\r\n") {
			if strings.HasPrefix(l, "a=ice-ufrag:") || strings.HasPrefix(l, "a=fingerprint:") {
				return l
			}
		}

		return ""
	}
	var firstUfrag string

	tests := []struct {
		offer, answer Direction
	}{
		{DirectionSendOnly, DirectionRecvOnly},
		{DirectionInactive, DirectionInactive},
		{DirectionRecvOnly, DirectionSendOnly},
		{DirectionSendRecv, DirectionSendRecv},
		{DirectionSendRecv, DirectionSendRecv}, // re-offer without changes
	}
	for _, tc := range tests {
		t.Run(tc.offer.String(), func(t *testing.T) {
			offer, err := b.Reoffer(ctx, DirectionSendRecv)
			if err != nil {
				t.Fatal(err)
			}
			// B's Reoffer only knows hold/resume; write the direction under test.
			offer = setDirection(offer, "0", tc.offer)
			b.mu.Lock()
			b.offered = tc.offer
			b.mu.Unlock()
			answer, err := a.AnswerReoffer(ctx, offer)
			if err != nil {
				t.Fatal(err)
			}
			if d := mediaDirection(answer, "0"); d != tc.answer {
				t.Fatalf("answer %v, want %v", d, tc.answer)
			}
			if firstUfrag == "" {
				firstUfrag = ufrag(answer)
			} else if ufrag(answer) != firstUfrag {
				t.Fatal("ICE credentials changed: ICE restart")
			}
			if err := b.SetAnswer(answer); err != nil {
				t.Fatal(err)
			}
			assertDirs(t, a, tc.answer, tc.offer)
			assertDirs(t, b, tc.offer, tc.answer)

			sinkA.reset()
			sinkB.reset()
			if tc.answer.Sends() {
				sendUntil(ctx, t, a, sinkB, 3, frameFor(0xA3, 40))
			} else {
				sendFor(t, a, 5, 0xA3)
			}
			if tc.offer.Sends() {
				sendUntil(ctx, t, b, sinkA, 3, frameFor(0xB3, 40))
			} else {
				sendFor(t, b, 5, 0xB3)
			}
			if !tc.answer.Sends() && sinkB.count() != 0 {
				t.Fatalf("B received %d packets while A is %v", sinkB.count(), tc.answer)
			}
			if !tc.offer.Sends() && sinkA.count() != 0 {
				t.Fatalf("A received %d packets while B is %v", sinkA.count(), tc.offer)
			}
		})
	}
}

func TestDTMF(t *testing.T) {
	a, b := newTestSession(t), newTestSession(t)
	connect(t, a, b)
	ctx := ctxT(t)

	digitsTo := func(s *Session) (func() string, *sync.Mutex) {
		var mu sync.Mutex
		var got []rune
		s.OnDTMF(func(d rune) {
			mu.Lock()
			got = append(got, d)
			mu.Unlock()
		})

		return func() string { mu.Lock(); defer mu.Unlock(); return string(got) }, &mu
	}
	gotA, _ := digitsTo(a)
	gotB, _ := digitsTo(b)
	// The audio sink must see no telephone-event packets.
	sinkB := newSink(b)

	// The first packets can be lost while SRTP starts: prime with audio.
	sendUntil(ctx, t, a, sinkB, 2, frameFor(0xA4, 40))
	sendUntil(ctx, t, b, newSink(a), 2, frameFor(0xB4, 40))
	sinkB.reset()

	const seq = "123*#0ABCD9"
	for _, d := range seq {
		if err := a.SendDTMF(ctx, d, 60*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(ctx, t, "digits at B", func() bool { return len(gotB()) >= len(seq) })
	for _, d := range "42#" {
		if err := b.SendDTMF(ctx, d, 0); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(ctx, t, "digits at A", func() bool { return len(gotA()) >= 3 })
	time.Sleep(200 * time.Millisecond) // let end-packet retransmissions arrive
	if gotB() != seq || gotA() != "42#" {
		t.Fatalf("B got %q want %q; A got %q want 42#", gotB(), seq, gotA())
	}
	if n := sinkB.count(); n != 0 {
		t.Fatalf("%d telephone-event packets reached the audio handler", n)
	}
	if err := a.SendDTMF(ctx, 'x', 0); !errors.Is(err, ErrBadDTMFDigit) {
		t.Fatalf("bad digit: %v", err)
	}
}

func TestDTMFNotNegotiated(t *testing.T) {
	a := newTestSession(t)
	if err := a.SendDTMF(context.Background(), '1', 0); !errors.Is(err, ErrNotNegotiated) {
		t.Fatalf("before negotiation: %v", err)
	}
	b := newTestSession(t)
	ctx := ctxT(t)
	offer, err := a.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A far end that does not offer telephone-event.
	for _, pt := range []string{"101", "110"} {
		offer = replaceLine(replaceLine(offer, "a=rtpmap:"+pt+" ", ""), "a=fmtp:"+pt+" ", "")
	}
	if bytes.Contains(offer, []byte("telephone-event")) {
		t.Fatalf("telephone-event still offered:\n%s", offer)
	}
	if _, err := b.Answer(ctx, offer); err != nil {
		t.Fatal(err)
	}
	if c := b.Codec(); c.DTMFPayloadType != 0 {
		t.Fatalf("DTMF PT %d negotiated without telephone-event in the offer", c.DTMFPayloadType)
	}
	if err := b.SendDTMF(ctx, '1', 0); !errors.Is(err, ErrDTMFNotNegotiated) {
		t.Fatalf("err %v", err)
	}
}

func TestStats(t *testing.T) {
	a, b := newTestSession(t), newTestSession(t)
	sinkA, sinkB := newSink(a), newSink(b)
	connect(t, a, b)
	ctx := ctxT(t)
	sendUntil(ctx, t, a, sinkB, 20, frameFor(0xA5, 100))
	sendUntil(ctx, t, b, sinkA, 20, frameFor(0xB5, 100))
	sa, sb := a.Stats(), b.Stats()
	if sa.PacketsSent == 0 || sa.BytesSent == 0 || sb.PacketsReceived < 20 || sb.BytesReceived < 2000 ||
		sa.PacketsReceived < 20 {
		t.Fatalf("stats A %+v B %+v", sa, sb)
	}
	// RTT needs an RTCP SR→RR round trip (reports every second): wait for it,
	// keeping media flowing.
	waitFor(ctx, t, "RTT from RTCP", func() bool {
		_ = a.SendAudio(frameFor(0xA5, 100)(0), 20*time.Millisecond)
		_ = b.SendAudio(frameFor(0xB5, 100)(0), 20*time.Millisecond)

		return a.Stats().RTT > 0 && b.Stats().RTT > 0
	})
	t.Logf("A %+v", a.Stats())
}

func TestFarEndShapedOffers(t *testing.T) {
	// Asterisk webrtc=yes: a=mid:audio-0 + BUNDLE; FreeSWITCH: no mid, no BUNDLE.
	tests := []struct {
		name    string
		reshape func(string) string
		mid     string
	}{
		{name: "asterisk", mid: "audio-0", reshape: func(s string) string {
			s = strings.ReplaceAll(s, "a=mid:0\r\n", "a=mid:audio-0\r\n")

			return strings.ReplaceAll(s, "a=group:BUNDLE 0\r\n", "a=group:BUNDLE audio-0\r\n")
		}},
		{name: "freeswitch", mid: "0", reshape: func(s string) string {
			var out []string
			for l := range strings.SplitSeq(s, "\r\n") {
				if strings.HasPrefix(l, "a=mid:") || strings.HasPrefix(l, "a=group:") ||
					strings.HasPrefix(l, "a=msid") || strings.HasPrefix(l, "a=sendrecv") {
					continue
				}
				out = append(out, l)
			}

			return strings.Join(out, "\n") // and LF line ends
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			far, b := newTestSession(t), newTestSession(t)
			ctx := ctxT(t)
			offer, err := far.CreateOffer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			answer, err := b.Answer(ctx, []byte(tc.reshape(string(offer))))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(answer, []byte("m=audio ")) || bytes.Contains(answer, []byte("m=audio 0 ")) {
				t.Fatalf("audio rejected:\n%s", answer)
			}
			if !bytes.Contains(answer, []byte("a=mid:"+tc.mid+"\r\n")) ||
				!bytes.Contains(answer, []byte("a=setup:active")) {
				t.Fatalf("answer mid/setup wrong:\n%s", answer)
			}
			if tc.mid != "0" {
				return // the pion far end cannot take a renamed mid back
			}
			if err := far.SetAnswer(answer); err != nil {
				t.Fatal(err)
			}
			if err := b.WaitConnected(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAnswerErrors(t *testing.T) {
	b := newTestSession(t)
	ctx := ctxT(t)
	plain := bytes.ReplaceAll(readSDP(t, "freeswitch_offer.sdp"), []byte("UDP/TLS/RTP/SAVPF"), []byte("RTP/AVP"))
	if _, err := b.Answer(ctx, plain); !errors.Is(err, ErrNotWebRTC) {
		t.Fatalf("plain RTP: %v", err)
	}
	g722 := bytes.ReplaceAll(readSDP(t, "baresip_offer.sdp"), []byte("opus/48000/2"), []byte("G722/8000"))
	if _, err := b.Answer(ctx, g722); !errors.Is(err, ErrNoCommonCodec) {
		t.Fatalf("no common codec: %v", err)
	}
	// The session is still usable after refused offers.
	if _, err := b.Answer(ctx, readSDP(t, "asterisk_offer.sdp")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Answer(ctx, readSDP(t, "asterisk_offer.sdp")); !errors.Is(err, ErrWrongState) {
		t.Fatalf("second Answer: %v", err)
	}
	if err := b.WaitConnected(func() context.Context {
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		t.Cleanup(cancel)

		return c
	}()); !errors.Is(err, ErrConnectFailed) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitConnected to an unreachable far end: %v", err)
	}
}

func TestCloseNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		a, err := NewSession(Config{IncludeLoopback: true}, loopbackOnly(), WithLogger(testLogger()))
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewSession(Config{IncludeLoopback: true}, loopbackOnly(), WithLogger(testLogger()))
		if err != nil {
			t.Fatal(err)
		}
		connect(t, a, b)
		sinkB := newSink(b)
		sendUntil(ctxT(t), t, a, sinkB, 3, frameFor(1, 10))
		for _, s := range []*Session{a, b} {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal("second Close:", err)
			}
			if s.State() != StateClosed {
				t.Fatal("state after Close:", s.State())
			}
			if err := s.SendDTMF(context.Background(), '1', 0); !errors.Is(err, ErrClosed) {
				t.Fatal(err)
			}
		}
	}()
	ctx := ctxT(t)
	waitFor(ctx, t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Codecs: []string{"g729"}},
		{ICEServers: []string{"turn:example.org"}},
		{TURN: []TURNServer{{URL: "stun:example.org", Username: "u"}}},
		{TURN: []TURNServer{{URL: "turn:example.org"}}},
		{PortMin: 20000},
	} {
		if _, err := NewSession(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		} else {
			_ = fmt.Sprint(err)
		}
	}
}
