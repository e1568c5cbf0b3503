package sipua

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
)

// waitCond polls cond (kamailio state is only observable by polling
// kamcmd) until it holds or the test timeout passes.
func waitCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func wsServer(t *testing.T, k *testrig.Kamailio) string {
	t.Helper()
	u, err := url.Parse(k.WSURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func TestKamailioRegister(t *testing.T) {
	testrig.Require(t, "kamailio", "kamcmd")
	k := testrig.StartKamailio(t)
	for _, tc := range []struct {
		transport, server, want string
	}{
		{"udp", k.UDPAddr, "127.0.0.1:"},
		{"tcp", k.TCPAddr, "transport=tcp"},
		{"ws", wsServer(t, k), ".invalid"},
	} {
		t.Run(tc.transport, func(t *testing.T) {
			user := "reg" + tc.transport
			h := newTestHandler()
			ua := newTestUA(t, Config{Transport: tc.transport, Server: tc.server, Domain: "127.0.0.1",
				Username: user, Password: "x"}, h)
			if err := ua.Start(ctxT(t)); err != nil {
				t.Fatalf("Start: %v", err)
			}
			st := ua.RegState()
			if st.Status != RegRegistered || st.Expires <= 0 {
				t.Fatalf("RegState = %+v", st)
			}
			contacts := k.Contacts(t, user)
			if len(contacts) != 1 || !strings.Contains(contacts[0], tc.want) {
				t.Fatalf("contacts = %v, want one containing %q", contacts, tc.want)
			}
			if err := ua.Close(ctxT(t)); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if c := k.Contacts(t, user); len(c) != 0 {
				t.Errorf("contacts after Close = %v", c)
			}
			if ua.RegState().Status != RegUnregistered {
				t.Errorf("state after Close = %v", ua.RegState().Status)
			}
		})
	}
}

// TestKamailioCallOverWebSocket: sipp (UDP) → kamailio → our WS UA.
func TestKamailioCallOverWebSocket(t *testing.T) {
	testrig.Require(t, "kamailio", "kamcmd", "sipp")
	k := testrig.StartKamailio(t)
	h := newTestHandler()
	ua := newTestUA(t, Config{Transport: "ws", Server: wsServer(t, k), Domain: "127.0.0.1",
		Username: "wsuser", Password: "x"}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_answer"),
		Remote: k.UDPAddr, Args: []string{"-s", "wsuser"}})
	in := h.waitIncoming(t)
	if err := in.Ringing(); err != nil {
		t.Fatal(err)
	}
	d, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	select {
	case <-d.Done():
	case <-ctxT(t).Done():
		t.Fatal("BYE over the WebSocket flow not received")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// TestKamailioWebSocketReconnect drops the WS connection under the UA and
// expects it to re-register on a new flow by itself.
func TestKamailioWebSocketReconnect(t *testing.T) {
	testrig.Require(t, "kamailio", "kamcmd")
	k := testrig.StartKamailio(t)
	h := newTestHandler()
	ua := newTestUA(t, Config{Transport: "ws", Server: wsServer(t, k), Domain: "127.0.0.1",
		Username: "wsre", Password: "x", RetryMin: 200 * time.Millisecond}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	received := func() string {
		for _, b := range k.Bindings(t) {
			if b.AOR == "wsre" {
				return b.Received
			}
		}
		return ""
	}
	before := received()
	if before == "" {
		t.Fatal("no binding with a received address")
	}
	ua.reg.mu.Lock()
	flow := ua.reg.flow
	ua.reg.mu.Unlock()
	if err := flow.Close(); err != nil {
		t.Fatal(err)
	}
	h.waitReg(t, RegRegistering)
	h.waitReg(t, RegRegistered)
	waitCond(t, "binding on the new flow", func() bool {
		r := received()
		return r != "" && r != before
	})
}

func TestStartUnreachable(t *testing.T) {
	for _, tr := range []string{"tcp", "ws"} {
		t.Run(tr, func(t *testing.T) {
			port := testrig.FreePort(t, "tcp") // nothing listens there
			ua := newTestUA(t, Config{Transport: tr, Server: "127.0.0.1:" + itoa(port), Username: "1001"}, nil)
			err := ua.Start(ctxT(t))
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("Start err = %v, want ErrUnreachable", err)
			}
			if !strings.Contains(err.Error(), "cannot reach sip server 127.0.0.1:") {
				t.Errorf("error text %q", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := ua.Close(ctx); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}
