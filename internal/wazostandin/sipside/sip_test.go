package sipside

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/sipua"
	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// waitLong bounds every wait of these tests; they assert outcomes, never
// durations, so it only guards against hangs.
const waitLong = 30 * time.Second

type sipEnv struct {
	st   *testStack
	user directory.User
	line directory.Line
	host string // 127.0.0.1:port
	pool *x509.CertPool
	evs  *evWatch
}

func newSIPEnv(t *testing.T, opts ...testOption) *sipEnv {
	t.Helper()
	st := newTestStack(t, opts...)
	t.Cleanup(func() { _ = st.Close() })
	u, err := st.AddUser(directory.User{Username: "alice", Password: "secret", Firstname: "Alice", Lastname: "Liddell",
		Lines: []directory.Line{{WebRTC: true, Username: "alicesip", Password: "sippass",
			Extensions: []directory.Extension{{Exten: "1000", Context: "default"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	url := st.srv.URL
	pool := x509.NewCertPool()
	pool.AddCert(st.srv.Certificate())
	w := &evWatch{}
	cancel := st.Subscribe(u.UUID, w.add)
	t.Cleanup(cancel)
	t.Logf("stack at %s", url)
	return &sipEnv{st: st, user: u, line: u.Lines[0], host: strings.TrimPrefix(url, "https://"), pool: pool, evs: w}
}

type testPhone struct{ incoming chan *sipua.Incoming }

func (p *testPhone) OnRegistration(sipua.RegState) {}
func (p *testPhone) OnIncoming(_ context.Context, in *sipua.Incoming) {
	select {
	case p.incoming <- in:
	default:
		_ = in.Reject(486, "")
	}
}

func (e *sipEnv) phone(t *testing.T, password string, expiry time.Duration) (*sipua.UA, *testPhone, error) {
	t.Helper()
	p := &testPhone{incoming: make(chan *sipua.Incoming, 4)}
	ua, err := sipua.New(sipua.Config{
		Transport: "wss", Server: e.host, WSPath: "/api/asterisk/ws", Domain: "127.0.0.1",
		Username: e.line.Username, Password: password, RegisterExpiry: expiry,
		TLSConfig: &tls.Config{RootCAs: e.pool, ServerName: "127.0.0.1"},
	}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ua.Close(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	return ua, p, ua.Start(ctx)
}

// evWatch records bus events and waits for one that matches.
type evWatch struct {
	mu  sync.Mutex
	evs []busEvent
}

func (w *evWatch) add(ev busEvent) {
	w.mu.Lock()
	w.evs = append(w.evs, ev)
	w.mu.Unlock()
}

// wait returns the first event named name whose data satisfies match.
func (w *evWatch) wait(t *testing.T, name string, match func(d map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		evs := append([]busEvent(nil), w.evs...)
		w.mu.Unlock()
		for _, ev := range evs {
			if ev.Name != name {
				continue
			}
			var d map[string]any
			if json.Unmarshal(ev.Data, &d) == nil && (match == nil || match(d)) {
				return d
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s event arrived", name)
	return nil
}

// peerOf waits until the user's channel id is bridged (call_updated with
// one talking_to entry) and returns the peer's channel id.
func (e *sipEnv) peerOf(t *testing.T, id string) string {
	t.Helper()
	m := e.evs.wait(t, "call_updated", func(m map[string]any) bool {
		tt, _ := m["talking_to"].(map[string]any)
		return m["call_id"] == id && len(tt) == 1
	})
	for k := range m["talking_to"].(map[string]any) {
		return k
	}
	return ""
}

func callIs(id string) func(map[string]any) bool {
	return func(d map[string]any) bool { return d["call_id"] == id }
}

// clientMedia is the softphone's media: a real rtc.Session, decoding what it
// receives and optionally sending a tone.
type clientMedia struct {
	sess *rtc.Session

	mu  sync.Mutex
	pcm []int16

	stop chan struct{}
	wg   sync.WaitGroup
}

func newClientMedia(t *testing.T) *clientMedia {
	t.Helper()
	s, err := rtc.NewSession(rtc.Config{IncludeLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	c := &clientMedia{sess: s, stop: make(chan struct{})}
	t.Cleanup(c.close)
	return c
}

func (c *clientMedia) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.wg.Wait()
	_ = c.sess.Close()
}

// start decodes incoming audio and, when toneHz > 0, sends that tone.
func (c *clientMedia) start(t *testing.T, toneHz float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := c.sess.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	enc, dec, err := codec.New(c.sess.Codec())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, codec.MaxFrameSamples)
	c.sess.SetRTPHandler(func(p *rtp.Packet) {
		n, err := dec.Decode(p.Payload, buf)
		if err != nil {
			return
		}
		c.mu.Lock()
		c.pcm = append(c.pcm, buf[:n]...)
		c.mu.Unlock()
	})
	if toneHz <= 0 {
		return
	}
	gen, err := dsp.NewToneGen(codec.SampleRate, 0.4, toneHz)
	if err != nil {
		t.Fatal(err)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		frame := make([]int16, codec.FrameSamples)
		out := make([]byte, codec.MaxPayload)
		for {
			select {
			case <-c.stop:
				return
			case <-tk.C:
				gen.Fill(frame)
				if n, err := enc.Encode(frame, out); err == nil && n > 0 {
					_ = c.sess.SendAudio(out[:n], 20*time.Millisecond)
				}
			}
		}
	}()
}

// next waits for n more samples than now and returns them.
func (c *clientMedia) next(t *testing.T, n int) []int16 {
	t.Helper()
	c.mu.Lock()
	from := len(c.pcm)
	c.mu.Unlock()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		if len(c.pcm) >= from+n {
			out := append([]int16(nil), c.pcm[from:from+n]...)
			c.mu.Unlock()
			return out
		}
		c.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("audio did not arrive (%d samples wanted)", n)
	return nil
}

// hasTone reports whether freq is clearly present in x (RMS of that
// component ≥ 0.03 of full scale, i.e. about -30 dBFS).
func hasTone(x []int16, freq float64) bool { return dsp.ToneRMS(x, codec.SampleRate, freq) >= 0.03 }

func TestSIPWebSocketNeedsSubprotocol(t *testing.T) {
	e := newSIPEnv(t)
	cli := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.pool}}}
	for _, tc := range []struct {
		name     string
		protocol string
		want     int
	}{
		{"sip sub-protocol", "sip", http.StatusSwitchingProtocols},
		{"sip among others", "foo, sip", http.StatusSwitchingProtocols},
		{"no sub-protocol", "", http.StatusForbidden},
		{"other sub-protocol", "chat", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "https://"+e.host+"/api/asterisk/ws", nil)
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
			req.Header.Set("Sec-WebSocket-Version", "13")
			req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			if tc.protocol != "" {
				req.Header.Set("Sec-WebSocket-Protocol", tc.protocol)
			}
			res, err := cli.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tc.want {
				b, _ := io.ReadAll(io.LimitReader(res.Body, 200))
				t.Fatalf("status %d (%s), want %d", res.StatusCode, b, tc.want)
			}
			if tc.want == http.StatusSwitchingProtocols && res.Header.Get("Sec-WebSocket-Protocol") != "sip" {
				t.Fatalf("Sec-WebSocket-Protocol %q, want sip", res.Header.Get("Sec-WebSocket-Protocol"))
			}
		})
	}
}

func TestSIPRegister(t *testing.T) {
	e := newSIPEnv(t)
	for _, tc := range []struct {
		name     string
		password string
		expiry   time.Duration
		wantErr  error
		granted  time.Duration
	}{
		{"right password", "sippass", 600 * time.Second, nil, 600 * time.Second},
		{"expiry clamped up", "sippass", 10 * time.Second, nil, 60 * time.Second},
		{"expiry clamped down", "sippass", 7200 * time.Second, nil, 3600 * time.Second},
		{"wrong password", "nope", 600 * time.Second, sipua.ErrAuthFailed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ua, _, err := e.phone(t, tc.password, tc.expiry)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Start: %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			rs := ua.RegState()
			if rs.Status != sipua.RegRegistered || rs.Expires != tc.granted {
				t.Fatalf("reg state %+v, want registered for %v", rs, tc.granted)
			}
			if _, ok := e.st.side.reg.lookup(e.line.Username); !ok {
				t.Fatal("registrar has no binding")
			}
			// Close un-registers (expires=0) and drops the flow.
			ctx, cancel := context.WithTimeout(context.Background(), waitLong)
			defer cancel()
			if err := ua.Close(ctx); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(waitLong)
			for {
				if _, ok := e.st.side.reg.lookup(e.line.Username); !ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("binding survived the un-REGISTER")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// TestSIPNoCallIDHeaderBefore2608: an engine older than 26.08 rings the
// user without X-Wazo-Call-ID (wazo-js-sdk WebRTCPhone.ts
// _createCallSession).
func TestSIPNoCallIDHeaderBefore2608(t *testing.T) {
	e := newSIPEnv(t, withoutCallIDHeader())
	_, phone, err := e.phone(t, "sippass", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Ring(e.user.UUID, "1001", "Tone Bot", WithRingTone(ToneBotHz)); err != nil {
		t.Fatal(err)
	}
	select {
	case in := <-phone.incoming:
		if got := in.Header("X-Wazo-Call-ID"); got != "" {
			t.Fatalf("X-Wazo-Call-ID %q on an engine without it", got)
		}
	case <-time.After(waitLong):
		t.Fatal("no INVITE reached the phone")
	}
}

// TestSIPIncomingCall: a tone peer rings the user; answering yields the
// calld events and the peer's 440 Hz at the client; hold/resume re-INVITEs
// give call_held/call_resumed; BYE ends both channels.
func TestSIPIncomingCall(t *testing.T) {
	e := newSIPEnv(t)
	_, phone, err := e.phone(t, "sippass", 0)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := e.st.Ring(e.user.UUID, "1001", "Tone Bot", WithRingTone(ToneBotHz))
	if err != nil {
		t.Fatal(err)
	}
	var in *sipua.Incoming
	select {
	case in = <-phone.incoming:
	case <-time.After(waitLong):
		t.Fatal("no INVITE reached the phone")
	}
	if got := in.Header("X-Wazo-Call-ID"); got != rc.UserCallID {
		t.Fatalf("X-Wazo-Call-ID %q, want %q", got, rc.UserCallID)
	}
	if in.From.User != "1001" || in.From.DisplayName != "Tone Bot" || in.CallID != rc.SIPCallID {
		t.Fatalf("from %+v call-id %s", in.From, in.CallID)
	}
	created := e.evs.wait(t, "call_created", callIs(rc.UserCallID))
	if created["status"] != callmodel.StatusRinging || created["sip_call_id"] != rc.SIPCallID {
		t.Fatalf("call_created %v", created)
	}

	cm := newClientMedia(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	answer, err := cm.sess.Answer(ctx, in.SDP)
	if err != nil {
		t.Fatal(err)
	}
	d, err := in.Answer(answer)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-rc.Answered():
	case <-time.After(waitLong):
		t.Fatal("the stack did not see the answer")
	}
	e.evs.wait(t, "call_answered", callIs(rc.UserCallID))
	e.evs.wait(t, "call_updated", func(d map[string]any) bool {
		tt, _ := d["talking_to"].(map[string]any)
		_, ok := tt[rc.PeerCallID]
		return d["call_id"] == rc.UserCallID && ok
	})

	cm.start(t, 0)
	cm.next(t, codec.SampleRate/2) // let the decoder settle
	got := cm.next(t, codec.SampleRate/2)
	if f := dsp.DominantFrequency(got, codec.SampleRate); f < 430 || f > 450 || !hasTone(got, ToneBotHz) {
		t.Fatalf("heard %.1f Hz at %.3f RMS, want the peer's 440 Hz", f, dsp.ToneRMS(got, codec.SampleRate, ToneBotHz))
	}

	for _, tc := range []struct {
		dir   rtc.Direction
		event string
		want  rtc.Direction
	}{
		{rtc.DirectionSendOnly, "call_held", rtc.DirectionRecvOnly},
		{rtc.DirectionSendRecv, "call_resumed", rtc.DirectionSendRecv},
	} {
		offer, err := cm.sess.Reoffer(ctx, tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		ans, err := d.ReInvite(ctx, offer)
		if err != nil {
			t.Fatalf("re-INVITE %v: %v", tc.dir, err)
		}
		if err := cm.sess.SetAnswer(ans); err != nil {
			t.Fatal(err)
		}
		n, err := rtc.Normalize(ans)
		if err != nil || n.Direction != tc.want {
			t.Fatalf("answer direction %v (%v), want %v", n.Direction, err, tc.want)
		}
		e.evs.wait(t, tc.event, callIs(rc.UserCallID))
	}

	if err := d.Bye(ctx); err != nil {
		t.Fatal(err)
	}
	e.evs.wait(t, "call_ended", callIs(rc.UserCallID))
	select {
	case <-rc.Done():
	case <-time.After(waitLong):
		t.Fatal("ring did not end after BYE")
	}
	select {
	case <-rc.Peer.Done():
	case <-time.After(waitLong):
		t.Fatal("peer not stopped after BYE")
	}
	if _, ok := e.st.Calls().Get(rc.PeerCallID); ok {
		t.Fatal("peer channel still up")
	}
}

// TestSIPIncomingNotAnswered covers the endings of a ringing call.
func TestSIPIncomingNotAnswered(t *testing.T) {
	e := newSIPEnv(t)
	_, phone, err := e.phone(t, "sippass", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		end       func(in *sipua.Incoming, rc *RingingCall)
		wantCode  int
		wantCause float64
	}{
		{"user declines", func(in *sipua.Incoming, _ *RingingCall) { _ = in.Reject(603, "") }, 603, callmodel.CauseCallRejected},
		{"user busy", func(in *sipua.Incoming, _ *RingingCall) { _ = in.Reject(486, "") }, 486, callmodel.CauseUserBusy},
		{"peer gives up", func(in *sipua.Incoming, rc *RingingCall) {
			_ = in.Ringing()
			rc.Hangup()
			select {
			case <-in.Canceled():
			case <-time.After(waitLong):
			}
		}, 487, callmodel.CauseNormalClearing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := e.st.Ring(e.user.UUID, "2000", "Caller")
			if err != nil {
				t.Fatal(err)
			}
			var in *sipua.Incoming
			select {
			case in = <-phone.incoming:
			case <-time.After(waitLong):
				t.Fatal("no INVITE")
			}
			tc.end(in, rc)
			select {
			case <-rc.Done():
			case <-time.After(waitLong):
				t.Fatal("ring did not end")
			}
			if rc.Status() != tc.wantCode {
				t.Fatalf("final status %d, want %d", rc.Status(), tc.wantCode)
			}
			ended := e.evs.wait(t, "call_ended", callIs(rc.UserCallID))
			if ended["reason_code"] != tc.wantCause {
				t.Fatalf("reason_code %v, want %v", ended["reason_code"], tc.wantCause)
			}
		})
	}
}

// dial places an outgoing call from the phone and returns the dialog and
// media, with the answer applied.
func dial(t *testing.T, ua *sipua.UA, exten string) (*sipua.Dialog, *clientMedia, error) {
	t.Helper()
	cm := newClientMedia(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	offer, err := cm.sess.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ua.Dial(ctx, exten, offer, sipua.DialOptions{})
	if err != nil {
		return nil, cm, err
	}
	if err := cm.sess.SetAnswer(d.RemoteSDP()); err != nil {
		t.Fatal(err)
	}
	return d, cm, nil
}

func TestSIPOutgoing(t *testing.T) {
	e := newSIPEnv(t)
	ua, _, err := e.phone(t, "sippass", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		exten    string
		wantCode int // 0: answered
	}{
		{"7777", 404},
		{"1003", 486},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			_, _, err := dial(t, ua, tc.exten)
			var se *sipua.StatusError
			if !errors.As(err, &se) || se.Code != tc.wantCode {
				t.Fatalf("Dial %s: %v, want status %d", tc.exten, err, tc.wantCode)
			}
		})
	}

	t.Run("recorder hears us", func(t *testing.T) {
		d, cm, err := dial(t, ua, "1005")
		if err != nil {
			t.Fatal(err)
		}
		peer, ok := e.st.Peer(e.peerOf(t, d.Header("X-Wazo-Call-ID")))
		if !ok || peer.Spec().Kind != PeerRecorder {
			t.Fatal("no recorder peer on the call")
		}
		cm.start(t, 800)
		deadline := time.Now().Add(waitLong)
		for {
			h := peer.Heard()
			if n := len(h); n >= codec.SampleRate && hasTone(h[n-codec.SampleRate/2:], 800) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the recorder never heard our 800 Hz")
			}
			time.Sleep(20 * time.Millisecond)
		}
		got := cm.next(t, codec.SampleRate/4)
		if dsp.RMS(got) > 0.01 {
			t.Fatalf("silent peer sent %.3f RMS", dsp.RMS(got))
		}
	})

	t.Run("echo", func(t *testing.T) {
		d, cm, err := dial(t, ua, "9000")
		if err != nil {
			t.Fatal(err)
		}
		id := d.Header("X-Wazo-Call-ID")
		c, ok := e.st.Calls().Get(id)
		if !ok || c.SIPCallID == nil || *c.SIPCallID != d.CallID() {
			t.Fatalf("X-Wazo-Call-ID %q does not name the leg of Call-ID %s (%+v)", id, d.CallID(), c)
		}
		e.evs.wait(t, "call_updated", func(m map[string]any) bool {
			tt, _ := m["talking_to"].(map[string]any)
			return m["call_id"] == id && len(tt) == 1
		})
		cm.start(t, 1000)
		cm.next(t, codec.SampleRate/2)
		got := cm.next(t, codec.SampleRate/2)
		if !hasTone(got, 1000) {
			t.Fatalf("echo returned %.1f Hz at %.3f RMS, want our 1000 Hz", dsp.DominantFrequency(got, codec.SampleRate),
				dsp.ToneRMS(got, codec.SampleRate, 1000))
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		if err := d.Bye(ctx); err != nil {
			t.Fatal(err)
		}
		e.evs.wait(t, "call_ended", callIs(id))
	})
}

// TestSIPConference: the user talks to 1001 and 1002, then makes an ad-hoc
// conference through calld's model: the leg to 1002 gets BYE and the host
// leg hears both peers mixed; each peer hears the other, not itself.
func TestSIPConference(t *testing.T) {
	e := newSIPEnv(t)
	ua, _, err := e.phone(t, "sippass", 0)
	if err != nil {
		t.Fatal(err)
	}
	d1, cm1, err := dial(t, ua, "1001")
	if err != nil {
		t.Fatal(err)
	}
	d2, cm2, err := dial(t, ua, "1002")
	if err != nil {
		t.Fatal(err)
	}
	host := d1.Header("X-Wazo-Call-ID")
	leg2 := d2.Header("X-Wazo-Call-ID")
	p1, p2 := e.peerOf(t, host), e.peerOf(t, leg2)
	cm1.start(t, 0)
	cm2.start(t, 0)
	cm2.next(t, codec.SampleRate/4)

	if _, err := e.st.Calls().CreateAdhoc(e.user.UUID, host, []string{p1, p2}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d2.Done():
		if byRemote, _, _ := d2.EndReason(); !byRemote {
			t.Fatal("discarded leg ended locally, want a BYE from the stack")
		}
	case <-time.After(waitLong):
		t.Fatal("the discarded host leg got no BYE")
	}
	e.evs.wait(t, "call_ended", callIs(leg2))
	select {
	case <-d1.Done():
		t.Fatal("host leg ended")
	default:
	}

	cm1.next(t, codec.SampleRate/2)
	got := cm1.next(t, codec.SampleRate/2)
	for _, f := range []float64{ToneBotHz, ChordE5Hz} {
		if !hasTone(got, f) {
			t.Fatalf("host leg: %.2f Hz at %.3f RMS, want both peers mixed", f, dsp.ToneRMS(got, codec.SampleRate, f))
		}
	}

	peer1, ok := e.st.Peer(p1)
	if !ok {
		t.Fatal("peer 1001 not running")
	}
	heard := peer1.Heard()
	if len(heard) < codec.SampleRate/2 {
		t.Fatal("peer 1001 heard nothing")
	}
	tail := heard[len(heard)-codec.SampleRate/2:]
	if !hasTone(tail, ChordE5Hz) || hasTone(tail, ToneBotHz) {
		t.Fatalf("peer 1001 hears chord %.3f / itself %.3f RMS: want mix-minus",
			dsp.ToneRMS(tail, codec.SampleRate, ChordE5Hz), dsp.ToneRMS(tail, codec.SampleRate, ToneBotHz))
	}
}

// TestSIPModelHangsUp: calls the model ends on its own get BYE or CANCEL-
// like endings on the SIP side (ChannelHooks, docs/wazo-protocol.md, Calls API and Ad-hoc conferences).
func TestSIPModelHangsUp(t *testing.T) {
	e := newSIPEnv(t)
	ua, _, err := e.phone(t, "sippass", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("calld hangup sends BYE", func(t *testing.T) {
		d, _, err := dial(t, ua, "1001")
		if err != nil {
			t.Fatal(err)
		}
		id := d.Header("X-Wazo-Call-ID")
		peer := []string{e.peerOf(t, id)}
		if err := e.st.Calls().UserHangup(e.user.UUID, id); err != nil {
			t.Fatal(err)
		}
		select {
		case <-d.Done():
			if byRemote, _, _ := d.EndReason(); !byRemote {
				t.Fatal("ended locally, want BYE from the stack")
			}
		case <-time.After(waitLong):
			t.Fatal("no BYE after calld hangup")
		}
		for _, p := range peer {
			if _, ok := e.st.Calls().Get(p); ok {
				t.Fatalf("peer channel %s still up", p)
			}
		}
	})
	t.Run("user cancels a no-answer peer", func(t *testing.T) {
		cm := newClientMedia(t)
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		offer, err := cm.sess.CreateOffer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dctx, dcancel := context.WithCancel(ctx)
		var callID string
		_, err = ua.Dial(dctx, "1004", offer, sipua.DialOptions{
			OnDialog:   func(d *sipua.Dialog) { callID = d.CallID() },
			OnProgress: func(code int, _ string, _ []byte) { dcancel() },
		})
		dcancel()
		if !errors.Is(err, sipua.ErrCanceled) {
			t.Fatalf("Dial: %v, want canceled", err)
		}
		e.evs.wait(t, "call_ended", func(d map[string]any) bool { return d["sip_call_id"] == callID })
	})
	t.Run("conference delete sends BYE to the host", func(t *testing.T) {
		d1, _, err := dial(t, ua, "1001")
		if err != nil {
			t.Fatal(err)
		}
		d2, _, err := dial(t, ua, "1002")
		if err != nil {
			t.Fatal(err)
		}
		host, leg2 := d1.Header("X-Wazo-Call-ID"), d2.Header("X-Wazo-Call-ID")
		parts := []string{e.peerOf(t, host), e.peerOf(t, leg2)}
		conf, err := e.st.Calls().CreateAdhoc(e.user.UUID, host, parts)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-d2.Done():
		case <-time.After(waitLong):
			t.Fatal("discarded leg got no BYE")
		}
		e.st.side.mu.Lock()
		peer2 := e.st.side.peers[parts[1]]
		e.st.side.mu.Unlock()
		if peer2 == nil {
			t.Fatal("peer 1002 is not running in the conference")
		}
		// calld hangs the removed participant up (docs/wazo-protocol.md, Ad-hoc conferences): its peer stops.
		if err := e.st.Calls().RemoveAdhocParticipant(e.user.UUID, conf, parts[1]); err != nil {
			t.Fatal(err)
		}
		select {
		case <-peer2.Done():
		case <-time.After(waitLong):
			t.Fatal("removed participant's peer still running")
		}
		// Deleting the conference hangs up everyone: the host gets BYE.
		if err := e.st.Calls().DeleteAdhoc(e.user.UUID, conf); err != nil {
			t.Fatal(err)
		}
		select {
		case <-d1.Done():
		case <-time.After(waitLong):
			t.Fatal("host leg got no BYE")
		}
		e.evs.wait(t, "conference_adhoc_deleted", nil)
		for _, p := range parts {
			if _, ok := e.st.Calls().Get(p); ok {
				t.Fatalf("peer %s still up", p)
			}
		}
	})
}

func TestSIPQualify(t *testing.T) {
	e := newSIPEnv(t, WithQualifyInterval(20*time.Millisecond))
	if _, _, err := e.phone(t, "sippass", 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitLong)
	for e.st.side.qualified.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no OPTIONS answered on the registered flow")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := e.st.side.reg.lookup(e.line.Username); !ok {
		t.Fatal("binding lost")
	}
}

// TestSIPCloseWithLiveCalls: Close returns with calls in every state.
func TestSIPCloseWithLiveCalls(t *testing.T) {
	e := newSIPEnv(t)
	ua, phone, err := e.phone(t, "sippass", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dial(t, ua, "1001"); err != nil { // answered
		t.Fatal(err)
	}
	rc, err := e.st.Ring(e.user.UUID, "2000", "Caller") // ringing towards the user
	if err != nil {
		t.Fatal(err)
	}
	select {
	case in := <-phone.incoming:
		_ = in.Ringing()
	case <-time.After(waitLong):
		t.Fatal("no INVITE")
	}
	progress := make(chan struct{}, 1)
	go func() { // ringing from the user (no-answer peer); ends when the stack closes
		cm := newClientMedia(t)
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		offer, err := cm.sess.CreateOffer(ctx)
		if err != nil {
			return
		}
		_, _ = ua.Dial(ctx, "1004", offer, sipua.DialOptions{OnProgress: func(int, string, []byte) {
			select {
			case progress <- struct{}{}:
			default:
			}
		}})
	}()
	select {
	case <-progress:
	case <-time.After(waitLong):
		t.Fatal("no 180 from 1004")
	}
	closed := make(chan error, 1)
	go func() { closed <- e.st.Close() }()
	select {
	case <-closed:
	case <-time.After(waitLong):
		t.Fatal("Close hangs with live calls")
	}
	select {
	case <-rc.Done():
	case <-time.After(waitLong):
		t.Fatal("ringing call not ended by Close")
	}
}
