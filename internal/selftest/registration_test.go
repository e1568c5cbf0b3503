package selftest

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-voip/parley/phone"
)

type socketState bool

func (s socketState) EventSocketConnected() bool { return bool(s) }

// fixedPhone is a line whose registration does not change.
type fixedPhone struct{ reg phone.Registration }

func (p fixedPhone) Registration() phone.Registration { return p.reg }
func (p fixedPhone) Subscribe() (<-chan phone.Event, func()) {
	ch := make(chan phone.Event)
	return ch, func() {}
}

func TestRegistrationAndSocketVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		reg    phone.Registration
		socket EventSocket
		regSt  Status
		regSay string
		advice string
		sockSt Status
	}{
		{"registered, socket up", phone.Registration{State: phone.RegRegistered, AOR: "sip:1001@pbx"}, socketState(true), StatusOK, "Registered as sip:1001@pbx", "", StatusOK},
		{"wrong password, socket down", phone.Registration{State: phone.RegFailed, Code: 403, Reason: "wrong password"}, socketState(false), StatusFailed, "wrong password (SIP 403)", "username and password", StatusFailed},
		{"server gone", phone.Registration{State: phone.RegFailed, Reason: "the server does not answer"}, nil, StatusFailed, "does not answer", "keeps retrying", StatusSkipped},
		{"direct", phone.Registration{State: phone.RegDirect}, nil, StatusOK, "not to register", "", StatusSkipped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Result
			c := New(Config{Phone: fixedPhone{tc.reg}, Socket: tc.socket})
			emit := func(r Result) { got = append(got, r) }
			c.checkRegistration(context.Background(), emit)
			c.checkWebSocket(context.Background(), emit)
			reg, sock := got[0], got[1]
			if reg.Status != tc.regSt || !strings.Contains(reg.Summary, tc.regSay) || !strings.Contains(reg.Advice, tc.advice) {
				t.Errorf("registration %+v, want %s saying %q, advising %q", reg, tc.regSt, tc.regSay, tc.advice)
			}
			if sock.Status != tc.sockSt {
				t.Errorf("websocket %+v, want %s", sock, tc.sockSt)
			}
		})
	}
}
