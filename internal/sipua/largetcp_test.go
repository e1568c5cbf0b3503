package sipua

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/testrig"
)

// largeSDP is an offer past RFC 3261 §18.1.1's 1300 bytes.
var largeSDP = testSDP + strings.Repeat("a=x-padding:0123456789abcdef0123456789abcdef0123456789abcdef\r\n", 24)

// A UDP line's large INVITE goes over TCP when the next hop listens on it
// (sipp checks the Via says TCP), and over UDP when it does not.
func TestLargeRequestOverTCP(t *testing.T) {
	testrig.Require(t, "sipp")
	for _, tc := range []struct {
		name, transport, scenario string
	}{
		{"next hop listens on tcp", "t1", "uas_busy_tcp_via"},
		{"udp only: stays on udp", "u1", "uas_busy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario(tc.scenario), Transport: tc.transport})
			if tc.transport == "t1" {
				waitTCPListening(t, s.Addr())
			}
			ua, _ := startUA(t, Config{Transport: "udp", Server: s.Addr()})
			_, err := ua.Dial(ctxT(t), "1002", []byte(largeSDP), DialOptions{})
			var se *StatusError
			if !errors.As(err, &se) || se.Code != 486 {
				t.Fatalf("Dial err = %v, want StatusError 486", err)
			}
			if _, err := s.Wait(ctxT(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// waitTCPListening waits until addr accepts connections (sipp has started).
func waitTCPListening(t *testing.T, addr string) {
	t.Helper()
	ctx := ctxT(t)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never listened: %v", addr, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestNextHop(t *testing.T) {
	tests := []struct {
		name, dest, route, ruri, want string
	}{
		{"outbound proxy", "pbx.example:5070", "", "sip:1002@x", "pbx.example:5070"},
		{"first route", "", "<sip:10.0.0.1;lr>, <sip:10.0.0.2;lr>", "sip:1002@x", "10.0.0.1:5060"},
		{"request uri", "", "", "sip:1002@10.0.0.3:5080", "10.0.0.3:5080"},
		{"tls route is not ours to switch", "", "<sip:10.0.0.1;transport=tls;lr>", "sip:1002@x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u sip.Uri
			if err := sip.ParseUri(tt.ruri, &u); err != nil {
				t.Fatal(err)
			}
			req := sip.NewRequest(sip.INVITE, u)
			if tt.dest != "" {
				req.SetDestination(tt.dest)
			}
			if tt.route != "" {
				req.AppendHeader(sip.NewHeader("Route", tt.route))
			}
			if got := nextHop(req); got != tt.want {
				t.Errorf("nextHop = %q, want %q", got, tt.want)
			}
		})
	}
}
