package phone_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

func TestConnectFailuresAreExplained(t *testing.T) {
	testrig.Require(t, "sipp")
	tests := []struct {
		name     string
		account  func(t *testing.T) phone.Account
		want     error
		sentence string
	}{
		{
			name: "wrong password",
			account: func(t *testing.T) phone.Account {
				s := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("registrar_wrong_password.xml")})
				return phone.Account{Transport: "udp", Server: s.Addr(), Domain: "parley.test", Username: "1001", Password: "bad"}
			},
			want:     phone.ErrAuthFailed,
			sentence: "wrong password",
		},
		{
			name: "dead server",
			account: func(t *testing.T) phone.Account {
				return phone.Account{Transport: "tcp", Server: "127.0.0.1:" + itoa(testrig.FreePort(t, "tcp")), Username: "1001", Password: "x"}
			},
			want:     phone.ErrUnreachable,
			sentence: "cannot reach",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := phone.New(tt.account(t), phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Disconnect(context.Background())
			ev := phonetest.Record(t, p)
			ctx, cancel := context.WithTimeout(context.Background(), eventWait)
			defer cancel()
			err = p.Connect(ctx)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Connect error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.sentence) {
				t.Fatalf("error %q does not say %q", err, tt.sentence)
			}
			failed := ev.Next(phone.EventRegisterFailed)
			if failed.Registration.State != phone.RegFailed || failed.Reason == "" {
				t.Fatalf("unexpected failure event %+v", failed.Registration)
			}
		})
	}
}

func TestAccountValidation(t *testing.T) {
	tests := []struct {
		name string
		acct phone.Account
	}{
		{"no transport", phone.Account{Server: "pbx", Username: "1"}},
		{"bad transport", phone.Account{Transport: "carrier-pigeon", Server: "pbx", Username: "1"}},
		{"no server", phone.Account{Transport: "udp", Username: "1"}},
		{"server with spaces", phone.Account{Transport: "udp", Server: "pbx example", Username: "1"}},
		{"no user", phone.Account{Transport: "udp", Server: "pbx"}},
		{"line break in name", phone.Account{Transport: "udp", Server: "pbx", Username: "1", DisplayName: "Eve\r\nX-Evil: 1"}},
	}
	for _, tt := range tests {
		if _, err := phone.New(tt.acct); !errors.Is(err, phone.ErrInvalidAccount) {
			t.Errorf("%s: New error = %v, want ErrInvalidAccount", tt.name, err)
		}
	}
}

// A call over kamailio's WebSocket flow: the phone registers over ws, a
// caller on UDP reaches it through the proxy, we answer, the caller hangs up.
func TestIncomingCallOverWebSocket(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p := newPhone(t, kam, "ws", "dave")
	if reg := p.Registration(); reg.State != phone.RegRegistered {
		t.Fatalf("not registered over ws: %+v", reg)
	}
	if c := kam.Contacts(t, "dave"); len(c) != 1 || !strings.Contains(c[0], "transport=ws") {
		t.Fatalf("contacts for dave = %v, want one ws binding", c)
	}
	ev := phonetest.Record(t, p)
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: scenario("incoming_bye.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "dave"}})
	in := ev.Next(phone.EventCallIncoming)
	if err := p.Accept(context.Background(), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallAccepted)
	ev.Next(phone.EventCallEnded)
	waitSipp(t, sipp)
}
