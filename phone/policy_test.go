package phone_test

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

func TestOutgoingRedirectFollowed(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice")
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("uas_redirect.xml"), Args: []string{"-s", "bob"}})
	cs, err := p.Call(context.Background(), "sip:bob@"+sipp.Addr())
	if err != nil {
		t.Fatal(err)
	}
	prog := ev.Next(phone.EventCallProgress)
	if prog.Code != 302 || prog.Reason != "the call is being redirected to sip:1003@"+sipp.Addr() {
		t.Fatalf("redirect progress = %d %q", prog.Code, prog.Reason)
	}
	acc := ev.Next(phone.EventCallAccepted)
	if acc.Call.ID() != cs.ID() {
		t.Fatalf("the redirected call is %q, not the call placed (%q)", acc.Call.ID(), cs.ID())
	}
	if err := p.Hangup(context.Background(), cs.ID()); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallEnded)
	waitSipp(t, sipp)
}

func TestOutgoingRedirectReported(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice", phone.WithRedirects(0))
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("uas_redirect_report.xml"), Args: []string{"-s", "bob"}})
	if _, err := p.Call(context.Background(), "sip:bob@"+sipp.Addr()); err != nil {
		t.Fatal(err)
	}
	failed := ev.Next(phone.EventCallFailed)
	want := "the call was redirected to sip:1003@redirect.test (Parley is set not to follow redirects)"
	if failed.Code != 302 || failed.Reason != want {
		t.Fatalf("call_failed %d %q, want 302 %q", failed.Code, failed.Reason, want)
	}
	waitSipp(t, sipp)
}

func TestAutoAnswer(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	tests := []struct {
		name     string
		mode     phone.AutoAnswerMode
		scenario string // incoming_bye: a plain call; incoming_wait_bye: Answer-Mode: Auto
	}{
		{"always answers a plain call", phone.AutoAnswerAlways, "incoming_bye.xml"},
		{"intercom answers Answer-Mode: Auto", phone.AutoAnswerIntercom, "incoming_wait_bye.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			p := newPhone(t, kam, "udp", "alice", phone.WithAutoAnswer(tt.mode, 100*time.Millisecond))
			ev := phonetest.Record(t, p)
			sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario(tt.scenario), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
			in := ev.Next(phone.EventCallIncoming)
			acc := ev.Next(phone.EventCallAccepted) // nobody called Accept
			if acc.Call.ID() != in.Call.ID() {
				t.Fatalf("accepted %q, want %q", acc.Call.ID(), in.Call.ID())
			}
			if tt.scenario == "incoming_wait_bye.xml" {
				if err := p.Hangup(context.Background(), in.Call.ID()); err != nil {
					t.Fatal(err)
				}
			}
			ev.Next(phone.EventCallEnded)
			waitSipp(t, sipp)
		})
	}
}

// An intercom policy leaves a plain call ringing for the user: Reject
// must still find it ringing (had it been auto-answered, Reject would fail
// and sipp would see a 200 instead of the 603 it expects).
func TestAutoAnswerIntercomLeavesPlainCallsRinging(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "udp", "alice", phone.WithAutoAnswer(phone.AutoAnswerIntercom, 0))
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenarioWith(t, "incoming_reject.xml", "[code]", "603"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := ev.Next(phone.EventCallIncoming)
	if in.Call.AutoAnswer {
		t.Fatal("a plain call is flagged for auto-answer")
	}
	if err := p.Reject(context.Background(), in.Call.ID()); err != nil {
		t.Fatalf("Reject: %v", err)
	}
	waitSipp(t, sipp)
}

// A line that does not register still takes calls on its fixed port: a
// sipp caller reaches it directly, and no REGISTER ever reaches the server.
func TestNoRegisterFixedPortTakesDirectCalls(t *testing.T) {
	testrig.Require(t, "sipp")
	server, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	port := testrig.FreePort(t, "udp")
	p, err := phone.New(phone.Account{Transport: "udp", Server: server.LocalAddr().String(), Username: "alice", RegisterExpiry: -1},
		phone.WithLocalIP("127.0.0.1"), phone.WithLocalPort(port), phone.WithMedia(rtc.Config{IncludeLoopback: true}),
		phone.WithAutoAnswer(phone.AutoAnswerAlways, 0), phone.WithQualityInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Disconnect(context.Background()) })
	ev := phonetest.Record(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	defer cancel()
	if err := p.Connect(ctx); err != nil {
		t.Fatalf("Connect without registering: %v", err)
	}
	if st := p.Registration().State; st != phone.RegDirect {
		t.Fatalf("registration state %s without registering, want %s", st, phone.RegDirect)
	}
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_bye.xml"), Remote: "127.0.0.1:" + itoa(port), Args: []string{"-s", "alice"}})
	ev.Next(phone.EventCallAccepted)
	ev.Next(phone.EventCallEnded)
	waitSipp(t, sipp)
	_ = server.SetReadDeadline(time.Now())
	buf := make([]byte, 4096)
	if n, _, err := server.ReadFrom(buf); err == nil {
		t.Fatalf("the server received a request from a line that does not register: %q", buf[:n])
	}
}

// otherIPv4 is an address of a non-loopback interface, or "" if there is none.
func otherIPv4() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}

var candRE = regexp.MustCompile(`(?m)^a=candidate:\S+ (\d+) \S+ \d+ (\S+) (\d+) typ (\S+)`)

// TestLocalIPPlacesSIPAndMedia sends an INVITE to a bare socket and reads
// it: Contact, Via, the SDP c= line and every ICE candidate must use the
// chosen address, though loopback candidates are allowed (so without the
// placement the other interface's address would be offered as well).
// With rtcp-mux only component 1 is listed (RFC 5761 §5.1.3, RFC 8843).
func TestLocalIPPlacesSIPAndMedia(t *testing.T) {
	ips := []string{"127.0.0.1"}
	if o := otherIPv4(); o != "" {
		ips = append(ips, o)
	} else {
		t.Log("no non-loopback IPv4 interface: only 127.0.0.1 is checked")
	}
	for _, ip := range ips {
		t.Run(ip, func(t *testing.T) {
			server, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			p, err := phone.New(phone.Account{Transport: "udp", Server: server.LocalAddr().String(), Username: "alice", RegisterExpiry: -1},
				phone.WithLocalIP(ip), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = p.Disconnect(ctx)
			})
			if err := p.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Call(context.Background(), "1002"); err != nil {
				t.Fatal(err)
			}
			_ = server.SetReadDeadline(time.Now().Add(eventWait))
			buf := make([]byte, 16384)
			n, _, err := server.ReadFrom(buf)
			if err != nil {
				t.Fatalf("no INVITE: %v", err)
			}
			msg := string(buf[:n])
			t.Logf("INVITE over UDP: %d bytes", n)
			if !strings.HasPrefix(msg, "INVITE ") {
				t.Fatalf("first message is not an INVITE: %q", msg)
			}
			for _, want := range []string{"Contact: <sip:alice@" + ip + ":", "SIP/2.0/UDP " + ip + ":", "\r\nc=IN IP4 " + ip + "\r\n"} {
				if !strings.Contains(msg, want) {
					t.Errorf("INVITE lacks %q:\n%s", want, msg)
				}
			}
			cands := candRE.FindAllStringSubmatch(msg, -1)
			if len(cands) == 0 {
				t.Fatalf("no ICE candidates in the offer:\n%s", msg)
			}
			for _, c := range cands {
				if c[2] != ip {
					t.Errorf("candidate on %s, want %s: %s", c[2], ip, c[0])
				}
				if c[1] != "1" && strings.Contains(msg, "a=rtcp-mux") {
					t.Errorf("component %s candidate with rtcp-mux: %s", c[1], c[0])
				}
			}
		})
	}
}

func TestLocalIPMustBeThisMachines(t *testing.T) {
	p, err := phone.New(phone.Account{Transport: "udp", Server: "127.0.0.1:9", Username: "alice", RegisterExpiry: -1},
		phone.WithLocalIP("192.0.2.254"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Disconnect(context.Background())
	if err := p.Connect(context.Background()); !errors.Is(err, phone.ErrInvalidAccount) {
		t.Fatalf("Connect = %v, want ErrInvalidAccount", err)
	}
}

// baresip, an independent stack, calls a tls line that does not register
// straight on its listener (self-signed certificate generated at start):
// the call is auto-answered and its WebRTC media connects.
func TestIncomingTLSCallFromBaresip(t *testing.T) {
	testrig.Require(t, "baresip")
	port := testrig.FreePort(t, "tcp")
	p, err := phone.New(phone.Account{Transport: "tls", Server: "127.0.0.1:9", Username: "alice", RegisterExpiry: -1},
		phone.WithLocalIP("127.0.0.1"), phone.WithLocalPort(port), webrtcWithBaresip(),
		phone.WithAutoAnswer(phone.AutoAnswerAlways, 0), phone.WithQualityInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Disconnect(ctx)
	})
	ev := phonetest.Record(t, p)
	if err := p.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	bob := testrig.StartBaresip(t, testrig.BaresipOptions{User: "bob", WebRTC: true, ExtraConfig: []string{"jitter_buffer_delay 0-10"}})
	if _, err := bob.Command(bctx(t), "dial", "sip:alice@127.0.0.1:"+itoa(port)+";transport=tls"); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallIncoming)
	ev.Next(phone.EventCallAccepted)
	mustEvent(t, bob, "CALL_ESTABLISHED")
	ev.Next(phone.EventMediaConnected)
	if _, err := bob.Command(bctx(t), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallEnded)
}
