package gui

import (
	"testing"

	"github.com/parley-voip/parley/phone"
)

func TestCallerText(t *testing.T) {
	tests := []struct {
		name string
		cs   phone.CallSession
		want string
	}{
		{"a number", phone.CallSession{Number: "1002"}, "1002"},
		{"SIP display name", phone.CallSession{Number: "1003", DisplayName: "Alice"}, "Alice (1003)"},
		{"the server's name for the dialled extension", phone.CallSession{Number: "9000",
			Call: &phone.ServerCall{PeerCallerIDName: "Echo Test"}}, "Echo Test (9000)"},
		{"the SIP name wins", phone.CallSession{Number: "1003", DisplayName: "Alice",
			Call: &phone.ServerCall{PeerCallerIDName: "Reception"}}, "Alice (1003)"},
		{"a name that is the number", phone.CallSession{Number: "1004", DisplayName: "1004"}, "1004"},
		{"a SIP name that is the number, a server name", phone.CallSession{Number: "9000", DisplayName: "9000",
			Call: &phone.ServerCall{PeerCallerIDName: "Echo Test"}}, "Echo Test (9000)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := callerText(tt.cs); got != tt.want {
				t.Errorf("callerText = %q, want %q", got, tt.want)
			}
		})
	}
}
