package phonetest_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// patience bounds every wait; it is generous because the machine is shared.
const patience = 10 * time.Second

func statusOf(t *testing.T, e *phonetest.Engine, id string) phone.Status {
	t.Helper()
	cs, ok := e.Session(id)
	if !ok {
		return phone.StatusEnded
	}
	return cs.Status
}

func TestOperations(t *testing.T) {
	ctx := context.Background()
	type setup struct {
		e        *phonetest.Engine
		incoming string // a ringing incoming call
		talking  string // an established outgoing call
	}
	tests := []struct {
		name       string
		op         func(s setup) error
		wantErr    error
		wantEvents []phone.EventType
		check      func(t *testing.T, s setup)
	}{
		{
			name:       "accept holds the talking call and makes the incoming one active",
			op:         func(s setup) error { return s.e.Accept(ctx, s.incoming) },
			wantEvents: []phone.EventType{phone.EventCallHeld, phone.EventCallAccepted},
			check: func(t *testing.T, s setup) {
				if got := statusOf(t, s.e, s.talking); got != phone.StatusHeld {
					t.Errorf("previous call is %s, want held", got)
				}
				active, ok := s.e.ActiveCall()
				if !ok || active.ID() != s.incoming || active.Status != phone.StatusEstablished || !active.Answered {
					t.Errorf("active call = %+v, want the accepted call established", active)
				}
			},
		},
		{
			name:       "reject ends the incoming call with 603",
			op:         func(s setup) error { return s.e.Reject(ctx, s.incoming) },
			wantEvents: []phone.EventType{phone.EventCallFailed},
			check: func(t *testing.T, s setup) {
				if _, ok := s.e.Session(s.incoming); ok {
					t.Error("rejected call is still listed")
				}
			},
		},
		{
			name:    "reject of an answered call is refused",
			op:      func(s setup) error { return s.e.Reject(ctx, s.talking) },
			wantErr: phone.ErrWrongState,
		},
		{
			name:       "hangup of an answered call ends it",
			op:         func(s setup) error { return s.e.Hangup(ctx, s.talking) },
			wantEvents: []phone.EventType{phone.EventCallEnded},
			check: func(t *testing.T, s setup) {
				if _, ok := s.e.ActiveCall(); ok {
					t.Error("an ended call is still active")
				}
			},
		},
		{
			name:       "hangup of a ringing incoming call declines it",
			op:         func(s setup) error { return s.e.Hangup(ctx, s.incoming) },
			wantEvents: []phone.EventType{phone.EventCallFailed},
		},
		{
			name:       "hold and resume",
			op:         func(s setup) error { return errors.Join(s.e.Hold(ctx, s.talking), s.e.Resume(ctx, s.talking)) },
			wantEvents: []phone.EventType{phone.EventCallHeld, phone.EventCallResumed},
		},
		{
			name:    "hold of a ringing call is refused",
			op:      func(s setup) error { return s.e.Hold(ctx, s.incoming) },
			wantErr: phone.ErrWrongState,
		},
		{
			name: "mute twice emits once, unmute",
			op: func(s setup) error {
				return errors.Join(s.e.Mute(ctx, s.talking), s.e.Mute(ctx, s.talking), s.e.Unmute(ctx, s.talking))
			},
			wantEvents: []phone.EventType{phone.EventCallMuted, phone.EventCallUnmuted},
		},
		{
			name:    "mute of a ringing incoming call is refused",
			op:      func(s setup) error { return s.e.Mute(ctx, s.incoming) },
			wantErr: phone.ErrWrongState,
		},
		{
			name: "dtmf on an established call",
			op:   func(s setup) error { return s.e.SendDTMF(ctx, s.talking, "12#") },
		},
		{
			name:    "dtmf with a letter that is no digit",
			op:      func(s setup) error { return s.e.SendDTMF(ctx, s.talking, "1x") },
			wantErr: phone.ErrDTMFUnavailable,
		},
		{
			name:       "blind transfer holds, transfers and ends the call",
			op:         func(s setup) error { return s.e.Transfer(ctx, s.talking, "1003") },
			wantEvents: []phone.EventType{phone.EventCallHeld, phone.EventCallTransferred, phone.EventCallEnded},
		},
		{
			name:    "transfer to an invalid number",
			op:      func(s setup) error { return s.e.Transfer(ctx, s.talking, "10\n03") },
			wantErr: phone.ErrInvalidNumber,
		},
		{
			name: "attended transfer ends both calls",
			op: func(s setup) error {
				return errors.Join(s.e.Accept(ctx, s.incoming), s.e.AttendedTransfer(ctx, s.talking, s.incoming))
			},
			wantEvents: []phone.EventType{
				phone.EventCallHeld, phone.EventCallAccepted, // accept
				phone.EventCallTransferred, phone.EventCallEnded, phone.EventCallEnded,
			},
			check: func(t *testing.T, s setup) {
				if n := len(s.e.Calls()); n != 0 {
					t.Errorf("%d calls left, want none", n)
				}
			},
		},
		{
			name:    "attended transfer to a ringing call is refused",
			op:      func(s setup) error { return s.e.AttendedTransfer(ctx, s.talking, s.incoming) },
			wantErr: phone.ErrWrongState,
		},
		{
			name:    "unknown call",
			op:      func(s setup) error { return s.e.Hangup(ctx, "nope") },
			wantErr: phone.ErrNoSuchCall,
		},
		{
			name:    "scripted failure",
			op:      func(s setup) error { s.e.Fail("Hold", phone.ErrMediaFailed); return s.e.Hold(ctx, s.talking) },
			wantErr: phone.ErrMediaFailed,
			check: func(t *testing.T, s setup) {
				if got := statusOf(t, s.e, s.talking); got != phone.StatusEstablished {
					t.Errorf("failed hold changed the call to %s", got)
				}
				if err := s.e.Hold(ctx, s.talking); err != nil {
					t.Errorf("Fail covered a second hold: %v", err)
				}
			},
		},
		{
			name:    "cancelled context",
			op:      func(s setup) error { c, cancel := context.WithCancel(ctx); cancel(); return s.e.Hold(c, s.talking) },
			wantErr: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := phonetest.New()
			t.Cleanup(e.Close)
			out, err := e.Call(ctx, "1002")
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Answer(out.ID()); err != nil {
				t.Fatal(err)
			}
			in := e.Ring("1003", "Alice")
			s := setup{e: e, incoming: in.ID(), talking: out.ID()}
			r := phonetest.Record(t, e, phonetest.WithPatience(patience))

			err = tt.op(s)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantEvents != nil {
				r.Expect(tt.wantEvents...)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestCallLifecycle(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := start
	e := phonetest.New(phonetest.WithClock(func() time.Time { return now }))
	t.Cleanup(e.Close)
	r := phonetest.Record(t, e, phonetest.WithPatience(patience))

	cs, err := e.Call(ctx, " +33 1 23 ")
	if err != nil {
		t.Fatal(err)
	}
	if cs.Status != phone.StatusDialing || !cs.IsCaller || cs.Number != "+33123" {
		t.Fatalf("new call = %+v, want dialing to +33123", cs)
	}
	if _, ok := e.ActiveCall(); ok {
		t.Error("an unanswered outgoing call is active")
	}
	if err := e.Progress(cs.ID()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Second)
	if err := e.Answer(cs.ID()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(30 * time.Second)
	if got, _ := e.Session(cs.ID()); got.Duration(now) != 30*time.Second {
		t.Errorf("duration = %v, want 30s", got.Duration(now))
	}
	if err := e.RemoteHangup(cs.ID()); err != nil {
		t.Fatal(err)
	}
	r.Expect(phone.EventCallOutgoing, phone.EventCallProgress, phone.EventCallAccepted, phone.EventCallEnded)
	if len(e.Calls()) != 0 {
		t.Errorf("calls = %v, want none", e.Calls())
	}
	want := []string{"Call  +33 1 23 "}
	if got := e.Ops(); !slices.Equal(got, want) {
		t.Errorf("Ops() = %q, want %q (script methods are not recorded)", got, want)
	}
}

func TestRemoteEnds(t *testing.T) {
	tests := []struct {
		name     string
		script   func(e *phonetest.Engine) string
		wantType phone.EventType
		wantCode int
	}{
		{
			name:     "caller hangs up before answer",
			script:   func(e *phonetest.Engine) string { return e.Ring("1003", "").ID() },
			wantType: phone.EventCallFailed,
			wantCode: 487,
		},
		{
			name: "far end busy",
			script: func(e *phonetest.Engine) string {
				cs, _ := e.Call(context.Background(), "1002")
				_ = e.RemoteReject(cs.ID(), 486, "the line is busy")
				return ""
			},
			wantType: phone.EventCallFailed,
			wantCode: 486,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := phonetest.New()
			t.Cleanup(e.Close)
			ch, cancel := e.Subscribe()
			defer cancel()
			if id := tt.script(e); id != "" {
				if err := e.RemoteHangup(id); err != nil {
					t.Fatal(err)
				}
			}
			timeout := time.After(patience)
			for {
				select {
				case ev := <-ch:
					if ev.Type != tt.wantType {
						continue
					}
					if ev.Code != tt.wantCode || ev.Reason == "" || ev.Call == nil || ev.Call.EndTime.IsZero() {
						t.Fatalf("final event = %+v, want code %d with a reason and an end time", ev, tt.wantCode)
					}
					return
				case <-timeout:
					t.Fatalf("no %s event", tt.wantType)
				}
			}
		})
	}
}

func TestInvalidNumbers(t *testing.T) {
	for _, number := range []string{"", "   ", "10\r\n02", "10\x0002", "sip:@host"} {
		e := phonetest.New()
		if _, err := e.Call(context.Background(), number); !errors.Is(err, phone.ErrInvalidNumber) {
			t.Errorf("Call(%q) error = %v, want ErrInvalidNumber", number, err)
		}
		if n := len(e.Calls()); n != 0 {
			t.Errorf("Call(%q) left %d calls", number, n)
		}
		e.Close()
	}
}

func TestRegistrationEvents(t *testing.T) {
	e := phonetest.New(phonetest.WithAOR("sip:agent@pbx.test"))
	t.Cleanup(e.Close)
	r := phonetest.Record(t, e, phonetest.WithPatience(patience))
	for _, st := range []phone.RegState{phone.RegRegistering, phone.RegRegistered, phone.RegFailed, phone.RegUnregistered} {
		e.SetRegistration(phone.Registration{State: st, Reason: "x"})
	}
	r.Expect(phone.EventRegistering, phone.EventRegistered, phone.EventRegisterFailed, phone.EventUnregistered)
	if got := e.Registration(); got.AOR != "sip:agent@pbx.test" || got.State != phone.RegUnregistered {
		t.Errorf("registration = %+v", got)
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	e := phonetest.New()
	ch, cancel := e.Subscribe()
	defer cancel()
	e.Ring("1003", "")
	e.Close()
	var got []phone.EventType
	timeout := time.After(patience)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				if !slices.Equal(got, []phone.EventType{phone.EventCallIncoming}) {
					t.Errorf("delivered %v before closing, want the queued call_incoming", got)
				}
				if _, err := e.Call(context.Background(), "1002"); !errors.Is(err, phone.ErrClosed) {
					t.Errorf("Call after Close: %v, want ErrClosed", err)
				}
				return
			}
			got = append(got, ev.Type)
		case <-timeout:
			t.Fatal("subscription not closed")
		}
	}
}

// The scripted early media emits what the engine does: call_progress for
// the 183, then call_early_media with EarlyMedia set; the answer clears it.
func TestScriptedEarlyMedia(t *testing.T) {
	e := phonetest.New()
	defer e.Close()
	r := phonetest.Record(t, e)
	cs, err := e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.EarlyMedia(cs.ID()); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Session(cs.ID()); !got.EarlyMedia || got.Answered || got.Status != phone.StatusRinging {
		t.Fatalf("during early media: %+v", got)
	}
	if err := e.Answer(cs.ID()); err != nil {
		t.Fatal(err)
	}
	r.Expect(phone.EventCallOutgoing, phone.EventCallProgress, phone.EventCallEarlyMedia, phone.EventCallAccepted)
	if got, _ := e.Session(cs.ID()); got.EarlyMedia {
		t.Fatalf("EarlyMedia still set once answered: %+v", got)
	}
}

// TestSetServerCallRecording: the double fills the recording flags from the
// server's record_state as the real engine does.
func TestSetServerCallRecording(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	cs := e.Ring("1001", "")
	if e.SetServerCall("nope", phone.ServerCall{}) {
		t.Fatal("unknown call accepted")
	}
	if !e.SetServerCall(cs.ID(), phone.ServerCall{CallID: "7.1", RecordState: phone.RecordPaused}) {
		t.Fatal("SetServerCall refused a live call")
	}
	got, _ := e.Session(cs.ID())
	if got.CallID != "7.1" || got.Recording || !got.RecordingPaused {
		t.Fatalf("after paused: %+v", got)
	}
}
