package sipua

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-voip/parley/internal/testrig"
)

// Fault injection against a real kamailio through user-space relays (the
// kernel here has no netem, docs/testing.md): the path to the registrar
// dies under a registered line and a connected call. The line must say so
// at once (failed, not registered), re-register when the path is back,
// take calls again, and leave the call alone.

// waitRegWhere waits for a registration event satisfying ok.
func (h *testHandler) waitRegWhere(t *testing.T, what string, ok func(RegState) bool) RegState {
	t.Helper()
	deadline := time.After(testTimeout)
	for {
		select {
		case s := <-h.regs:
			if ok(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("no registration event: %s", what)
			return RegState{}
		}
	}
}

func flowLost(s RegState) bool {
	return s.Status == RegFailed && s.Retrying && errors.Is(s.Err, ErrFlowLost)
}

func waitDone(t *testing.T, d *Dialog) {
	t.Helper()
	select {
	case <-d.Done():
	case <-ctxT(t).Done():
		t.Fatal("the call never ended")
	}
}

// callIn has sipp call user through kamailio and answers; the call lasts
// hold (sipp hangs up then).
func callIn(t *testing.T, k *testrig.Kamailio, h *testHandler, user string, hold time.Duration) (*Dialog, *testrig.Sipp) {
	t.Helper()
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_answer_long"),
		Remote: k.UDPAddr, Args: []string{"-s", user, "-d", itoa(int(hold / time.Millisecond))}})
	in := h.waitIncoming(t)
	d, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	return d, s
}

// TestFlowFailureMidCall: UDP black-holed, and WebSocket flows
// black-holed (half-open: nothing closes) or reset, each while a call is
// up. Keep-alives are short only to keep the test fast. (Plain TCP through
// the relay would need NAT handling of TCP Contacts in the rig's
// kamailio; TCP resets are in TestServerRestart.)
func TestFlowFailureMidCall(t *testing.T) {
	testrig.Require(t, "kamailio", "kamcmd", "sipp")
	k := testrig.StartKamailio(t)
	wsHost := func() string {
		u, err := url.Parse(k.WSURL)
		if err != nil {
			t.Fatal(err)
		}
		return u.Host
	}()
	for _, tc := range []struct {
		name, transport, target string
		// fail breaks the path of the current flow; restore (if any)
		// mends it.
		fail, restore func(udp *testrig.UDPRelay, tcp *testrig.TCPRelay)
		// byeLost: the far end's in-dialog requests cannot follow us to a
		// new WebSocket flow (the proxy routes them to the dead one, as
		// kamailio's ;alias does; docs/reliability.md). We still hang up.
		byeLost bool
	}{
		{name: "udp black hole", transport: "udp", target: k.UDPAddr,
			fail:    func(u *testrig.UDPRelay, _ *testrig.TCPRelay) { u.Drop() },
			restore: func(u *testrig.UDPRelay, _ *testrig.TCPRelay) { u.Restore() }},
		{name: "ws half-open", transport: "ws", target: wsHost, byeLost: true,
			fail: func(_ *testrig.UDPRelay, r *testrig.TCPRelay) { r.BlackHoleCurrent() }},
		{name: "ws reset", transport: "ws", target: wsHost, byeLost: true,
			fail: func(_ *testrig.UDPRelay, r *testrig.TCPRelay) { r.Reset() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				udp    *testrig.UDPRelay
				tcp    *testrig.TCPRelay
				server string
			)
			if tc.transport == "udp" {
				udp = testrig.StartUDPRelay(t, tc.target)
				server = udp.Addr
			} else {
				tcp = testrig.StartTCPRelay(t, tc.target)
				server = tcp.Addr
			}
			user := "flt" + strings.NewReplacer(" ", "", "-", "").Replace(tc.name)
			h := newTestHandler()
			ua := newTestUA(t, Config{Transport: tc.transport, Server: server, Domain: "127.0.0.1",
				Username: user, Password: "x", KeepAlive: 2 * time.Second, RetryMin: 200 * time.Millisecond}, h)
			if err := ua.Start(ctxT(t)); err != nil {
				t.Fatalf("Start: %v", err)
			}
			if st := ua.RegState(); st.Status != RegRegistered || st.Verified.IsZero() {
				t.Fatalf("RegState after Start = %+v", st)
			}
			d, s := callIn(t, k, h, user, 20*time.Second)

			start := time.Now()
			tc.fail(udp, tcp)
			lost := h.waitRegWhere(t, "flow lost", flowLost)
			noticed := time.Since(start)
			if st := ua.RegState(); st.Status == RegRegistered {
				t.Fatalf("RegState = %+v right after the flow was lost", st)
			}
			t.Logf("%s: reason %q", tc.name, lost.Err)
			if tc.restore != nil {
				// While the path is dead, no event may claim the line is back.
				select {
				case st := <-h.regs:
					if st.Status == RegRegistered || st.Status == RegRegistering {
						t.Fatalf("state %v while the path is still dead", st.Status)
					}
				case <-time.After(2 * time.Second):
				}
				start = time.Now()
				tc.restore(udp, tcp)
			}
			h.waitReg(t, RegRegistered)
			back := time.Since(start)
			t.Logf("%s: lost noticed after %v, registered again %v after the path was back", tc.name,
				noticed.Round(10*time.Millisecond), back.Round(10*time.Millisecond))

			select {
			case <-d.Done():
				t.Fatal("the call ended with the flow")
			default:
			}
			if tc.byeLost {
				// Our BYE goes out on the new flow and is answered.
				if err := d.Bye(ctxT(t)); err != nil {
					t.Fatalf("hanging up after the recovery: %v", err)
				}
				_, _ = s.Wait(ctxT(t)) // sipp counts the call as failed: its BYE plan was cut short
			} else {
				// The caller hangs up in the end; its BYE must still reach us.
				waitDone(t, d)
				if _, err := s.Wait(ctxT(t)); err != nil {
					t.Fatal(err)
				}
			}
			// And the line takes new calls.
			s2 := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_answer"),
				Remote: k.UDPAddr, Args: []string{"-s", user}})
			in := h.waitIncoming(t)
			d2, err := in.Answer([]byte(testSDP))
			if err != nil {
				t.Fatalf("Answer after recovery: %v", err)
			}
			waitDone(t, d2)
			if _, err := s2.Wait(ctxT(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestServerRestart: kamailio stops (every binding lost) and starts again
// on the same ports. The line shows the outage and is registered again
// within seconds of the server's return, and takes calls.
func TestServerRestart(t *testing.T) {
	testrig.Require(t, "kamailio", "kamcmd", "sipp")
	k := testrig.StartKamailio(t)
	wsURL, err := url.Parse(k.WSURL)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		name string
		ua   *UA
		h    *testHandler
	}
	var lines []line
	for _, tr := range []struct{ transport, server string }{
		{"udp", k.UDPAddr}, {"tcp", k.TCPAddr}, {"ws", wsURL.Host},
	} {
		h := newTestHandler()
		ua := newTestUA(t, Config{Transport: tr.transport, Server: tr.server, Domain: "127.0.0.1",
			Username: "rst" + tr.transport, Password: "x", KeepAlive: 2 * time.Second}, h)
		if err := ua.Start(ctxT(t)); err != nil {
			t.Fatalf("Start %s: %v", tr.transport, err)
		}
		lines = append(lines, line{tr.transport, ua, h})
	}
	k.Stop(t)
	for _, l := range lines {
		l.h.waitRegWhere(t, l.name+": the outage shown", func(s RegState) bool { return s.Status == RegFailed })
		if st := l.ua.RegState(); st.Status == RegRegistered {
			t.Fatalf("%s: registered while the server is down: %+v", l.name, st)
		}
	}
	// Stay down long enough for the backoff to grow.
	time.Sleep(6 * time.Second)
	k.Start(t)
	back := time.Now()
	for _, l := range lines {
		l.h.waitReg(t, RegRegistered)
		t.Logf("%s: registered again %v after the server was back", l.name, time.Since(back).Round(10*time.Millisecond))
	}
	for _, l := range lines {
		s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_answer"),
			Remote: k.UDPAddr, Args: []string{"-s", "rst" + l.name}})
		in := l.h.waitIncoming(t)
		d, err := in.Answer([]byte(testSDP))
		if err != nil {
			t.Fatalf("%s: Answer after the restart: %v", l.name, err)
		}
		waitDone(t, d)
		if _, err := s.Wait(ctxT(t)); err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
	}
}

// TestServerIgnoringKeepAlives: a registrar that answers REGISTER but never
// OPTIONS. Each unanswered keep-alive marks the line lost, and each
// re-REGISTER is answered at once; after a few such rounds the UA stops
// pinging instead of flapping the line forever.
func TestServerIgnoringKeepAlives(t *testing.T) {
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	var options atomic.Int32
	go func() { // owned by the test: ends when pc closes
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFromUDP(buf)
			if err != nil {
				return
			}
			msg, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
			req, ok := msg.(*sip.Request)
			if err != nil || !ok {
				continue
			}
			if req.Method == sip.OPTIONS {
				options.Add(1)
				continue // ignored
			}
			if req.Method == sip.REGISTER {
				req.SetSource(from.String())
				res := sip.NewResponseFromRequest(req, 200, "OK", nil)
				if ct := req.Contact(); ct != nil {
					cc := ct.Clone()
					cc.Params = sip.NewParams()
					cc.Params.Add("expires", "300")
					res.AppendHeader(cc)
				}
				_, _ = pc.WriteToUDP([]byte(res.String()), from)
			}
		}
	}()
	h := newTestHandler()
	ua := newTestUA(t, Config{Transport: "udp", Server: pc.LocalAddr().String(), Domain: "parley.test",
		Username: "1001", KeepAlive: 200 * time.Millisecond}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	for i := 0; i < pingsIgnoredMax; i++ {
		h.waitRegWhere(t, "a keep-alive loss", flowLost)
		h.waitReg(t, RegRegistered)
	}
	seen := options.Load()
	// The pings are off now: a further period brings neither an OPTIONS
	// nor a loss (twice the keep-alive timeout, so one would show).
	deadline := time.After(2 * keepAliveTimeout)
	for {
		select {
		case st := <-h.regs:
			if st.Status != RegRegistered {
				t.Fatalf("state %v after the pings should have stopped", st.Status)
			}
			continue
		case <-deadline:
		}
		break
	}
	if n := options.Load(); n != seen {
		t.Errorf("%d more OPTIONS after the pings should have stopped", n-seen)
	}
	if st := ua.RegState(); st.Status != RegRegistered {
		t.Errorf("RegState = %+v", st)
	}
}
