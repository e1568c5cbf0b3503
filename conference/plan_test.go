package conference

import (
	"errors"
	"slices"
	"testing"

	"github.com/parley-voip/parley/phone"
)

// TestPlan: the one merge plan both front ends use (the GUI passes no
// chosen calls; headless passes its "host" and "calls").
func TestPlan(t *testing.T) {
	est := func(id string, held bool) phone.CallSession {
		st := phone.StatusEstablished
		if held {
			st = phone.StatusHeld
		}
		return phone.CallSession{SIPCallID: id, Status: st, Answered: true, Paused: held}
	}
	ringing := phone.CallSession{SIPCallID: "r", Status: phone.StatusIncoming}
	calls := []phone.CallSession{est("a", true), ringing, est("b", false), est("c", true)}
	tests := []struct {
		name       string
		calls      []phone.CallSession
		active     string
		chosen     []string
		wantHost   string
		wantOthers []string
		wantErr    error
	}{
		{"one call", []phone.CallSession{est("a", false), ringing}, "a", nil, "", nil, ErrTooFewCalls},
		{"default: active hosts, every other connected call joins", calls, "b", nil, "b", []string{"a", "c"}, nil},
		{"default: held active hosts", calls, "c", nil, "c", []string{"a", "b"}, nil},
		{"default: no active, the one not held hosts", calls, "", nil, "b", []string{"a", "c"}, nil},
		{"chosen", calls, "b", []string{"c"}, "b", []string{"c"}, nil},
		{"chosen twice and the host", calls, "b", []string{"c", "c", "b"}, "b", []string{"c"}, nil},
		{"chosen unknown", calls, "b", []string{"x"}, "", nil, ErrNoSuchCall},
		{"chosen only the host", calls, "b", []string{"b"}, "", nil, ErrNoCalls},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Plan(tt.calls, tt.active, tt.chosen)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			var ids []string
			for _, cs := range p.Others {
				ids = append(ids, cs.SIPCallID)
			}
			if p.Host.SIPCallID != tt.wantHost || !slices.Equal(ids, tt.wantOthers) {
				t.Fatalf("plan %q %q, want %q %q", p.Host.SIPCallID, ids, tt.wantHost, tt.wantOthers)
			}
		})
	}
}

// TestPlanOn: a host the user named is never swapped for another call.
func TestPlanOn(t *testing.T) {
	est := func(id string) phone.CallSession {
		return phone.CallSession{SIPCallID: id, Status: phone.StatusEstablished, Answered: true}
	}
	ringing := phone.CallSession{SIPCallID: "r", Status: phone.StatusIncoming}
	calls := []phone.CallSession{est("a"), ringing, est("b"), est("c")}
	tests := []struct {
		name       string
		host       string
		chosen     []string
		wantHost   string
		wantOthers []string
		wantErr    error
	}{
		{"named host, every other connected call", "c", nil, "c", []string{"a", "b"}, nil},
		{"named host and calls", "a", []string{"b"}, "a", []string{"b"}, nil},
		{"a ringing host is refused", "r", nil, "", nil, ErrHostNotConnected},
		{"a ringing host is refused with calls too", "r", []string{"a"}, "", nil, ErrHostNotConnected},
		{"an unknown host", "x", nil, "", nil, ErrNoSuchCall},
		{"nothing else connected", "a", nil, "", nil, ErrTooFewCalls},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := calls
			if tt.name == "nothing else connected" {
				in = []phone.CallSession{est("a"), ringing}
			}
			p, err := PlanOn(in, tt.host, tt.chosen)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			var ids []string
			for _, cs := range p.Others {
				ids = append(ids, cs.SIPCallID)
			}
			if p.Host.SIPCallID != tt.wantHost || !slices.Equal(ids, tt.wantOthers) {
				t.Fatalf("plan %q %q, want %q %q", p.Host.SIPCallID, ids, tt.wantHost, tt.wantOthers)
			}
		})
	}
}
