package gui

import (
	"testing"

	"github.com/parley-voip/parley/phone"
)

func TestRecentKind(t *testing.T) {
	tests := []struct {
		name     string
		cs       phone.CallSession
		declined bool
		want     callKind
	}{
		{"rang, nobody answered", phone.CallSession{}, false, "Missed"},
		{"rang, declined here", phone.CallSession{}, true, "Declined"},
		{"rang, answered on another device", phone.CallSession{AnsweredElsewhere: true}, false, "Answered elsewhere"},
		{"answered here", phone.CallSession{Answered: true}, false, "Incoming"},
		{"placed, answered", phone.CallSession{IsCaller: true, Answered: true}, false, "Outgoing"},
		{"placed, never answered", phone.CallSession{IsCaller: true}, false, "Not connected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recentKind(tt.cs, tt.declined); got != tt.want {
				t.Errorf("recentKind = %q, want %q", got, tt.want)
			}
		})
	}
}
