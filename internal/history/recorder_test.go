package history

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// clock is a settable time source shared by the engine and the store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// scenario plays one call on the engine and returns its id.
type scenario func(t *testing.T, eng *phonetest.Engine, c *clock) string

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var bg = context.Background()

func TestRecorderOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		play       scenario
		mergedInto func(string) (string, bool)
		want       Entry // only the fields checked below
		talk       time.Duration
	}{
		{
			name: "incoming answered, caller hangs up",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs := eng.Ring("0612345678", "Marc")
				c.t = c.t.Add(3 * time.Second)
				must(t, eng.Accept(bg, cs.ID()))
				c.t = c.t.Add(42 * time.Second)
				must(t, eng.RemoteHangup(cs.ID()))
				return cs.ID()
			},
			want: Entry{Direction: DirectionIn, Number: "0612345678", DisplayName: "Marc", Outcome: OutcomeAnswered, LastStatus: "ended", Reason: "the other party hung up"},
			talk: 42 * time.Second,
		},
		{
			name: "incoming missed",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs := eng.Ring("1002", "")
				c.t = c.t.Add(20 * time.Second)
				must(t, eng.RemoteHangup(cs.ID()))
				return cs.ID()
			},
			want: Entry{Direction: DirectionIn, Number: "1002", Outcome: OutcomeMissed, SIPStatus: 487},
		},
		{
			name: "incoming declined",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs := eng.Ring("1002", "Bob")
				must(t, eng.Reject(bg, cs.ID()))
				return cs.ID()
			},
			want: Entry{Direction: DirectionIn, Number: "1002", DisplayName: "Bob", Outcome: OutcomeRejected, SIPStatus: 603},
		},
		{
			name: "incoming answered on another device",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs := eng.Ring("1002", "Bob")
				cs.Status, cs.Ringing, cs.AnsweredElsewhere, cs.SIPStatus = phone.StatusFailed, false, true, 487
				eng.Emit(phone.Event{Type: phone.EventCallFailed, Time: c.t, Call: &cs, Code: 487, Reason: "the call was answered on another device"})
				return cs.ID()
			},
			want: Entry{Direction: DirectionIn, Outcome: OutcomeElsewhere, Number: "1002", DisplayName: "Bob"},
		},
		{
			name: "outgoing answered, we hang up",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs, err := eng.Call(bg, "+33 1 23 45 67 89")
				must(t, err)
				must(t, eng.Progress(cs.ID()))
				c.t = c.t.Add(5 * time.Second)
				must(t, eng.Answer(cs.ID()))
				c.t = c.t.Add(time.Minute)
				must(t, eng.Hangup(bg, cs.ID()))
				return cs.ID()
			},
			want: Entry{Direction: DirectionOut, Number: "+33123456789", Outcome: OutcomeAnswered, Reason: "you hung up"},
			talk: time.Minute,
		},
		{
			name: "outgoing busy",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs, err := eng.Call(bg, "1003")
				must(t, err)
				must(t, eng.RemoteReject(cs.ID(), 486, "the line is busy"))
				return cs.ID()
			},
			want: Entry{Direction: DirectionOut, Number: "1003", Outcome: OutcomeBusy, SIPStatus: 486, Reason: "the line is busy"},
		},
		{
			name: "outgoing declined by the far end",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs, err := eng.Call(bg, "1003")
				must(t, err)
				must(t, eng.RemoteReject(cs.ID(), 603, "the call was declined"))
				return cs.ID()
			},
			want: Entry{Direction: DirectionOut, Outcome: OutcomeRejected, SIPStatus: 603, Number: "1003"},
		},
		{
			name: "outgoing not answered",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs, err := eng.Call(bg, "1003")
				must(t, err)
				must(t, eng.RemoteHangup(cs.ID()))
				return cs.ID()
			},
			want: Entry{Direction: DirectionOut, Outcome: OutcomeNoAnswer, SIPStatus: 480, Number: "1003"},
		},
		{
			name: "outgoing cancelled by us",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs, err := eng.Call(bg, "1003")
				must(t, err)
				must(t, eng.Hangup(bg, cs.ID()))
				return cs.ID()
			},
			want: Entry{Direction: DirectionOut, Outcome: OutcomeCancelled, SIPStatus: 487, Number: "1003"},
		},
		{
			name: "outgoing failed",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs, err := eng.Call(bg, "1003")
				must(t, err)
				must(t, eng.RemoteReject(cs.ID(), 404, "the number does not exist"))
				return cs.ID()
			},
			want: Entry{Direction: DirectionOut, Outcome: OutcomeFailed, SIPStatus: 404, Reason: "the number does not exist", Number: "1003"},
		},
		{
			name: "blind transfer",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs := eng.Ring("0612345678", "Marc")
				must(t, eng.Accept(bg, cs.ID()))
				c.t = c.t.Add(10 * time.Second)
				must(t, eng.Transfer(bg, cs.ID(), "1004"))
				return cs.ID()
			},
			want: Entry{Direction: DirectionIn, Outcome: OutcomeTransferred, TransferredTo: "1004", Number: "0612345678", DisplayName: "Marc"},
			talk: 10 * time.Second,
		},
		{
			name: "merged into a conference (backend asked on call_ended)",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs := eng.Ring("0612345678", "Marc")
				must(t, eng.Accept(bg, cs.ID()))
				must(t, eng.RemoteHangup(cs.ID())) // the server hangs up a merged leg
				return cs.ID()
			},
			mergedInto: func(string) (string, bool) { return "conf-1", true },
			want:       Entry{Direction: DirectionIn, Outcome: OutcomeMerged, ConferenceID: "conf-1", Number: "0612345678", DisplayName: "Marc"},
		},
		{
			name: "not merged: backend says no",
			play: func(t *testing.T, eng *phonetest.Engine, c *clock) string {
				cs := eng.Ring("0612345678", "Marc")
				must(t, eng.Accept(bg, cs.ID()))
				must(t, eng.RemoteHangup(cs.ID()))
				return cs.ID()
			},
			mergedInto: func(string) (string, bool) { return "", false },
			want:       Entry{Direction: DirectionIn, Outcome: OutcomeAnswered, Number: "0612345678", DisplayName: "Marc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: t0}
			eng := phonetest.New(phonetest.WithClock(c.now))
			defer eng.Close()
			s := openTemp(t, Config{Now: c.now})
			rec := NewRecorder(s, RecorderConfig{Line: "sip:1001@parley.test", MergedInto: tt.mergedInto})
			events, stop := eng.Subscribe()
			defer stop()
			id := tt.play(t, eng, c)
			drain(t, rec, events)

			e, err := s.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if e.State != StateEnded || !e.StartTime.Equal(t0) || e.EndTime.IsZero() || e.Line != "sip:1001@parley.test" || e.Source != SourceLocal {
				t.Errorf("entry = %+v", e)
			}
			check := []struct {
				field    string
				got, exp any
			}{
				{"direction", e.Direction, tt.want.Direction},
				{"number", e.Number, tt.want.Number},
				{"name", e.DisplayName, tt.want.DisplayName},
				{"outcome", e.Outcome, tt.want.Outcome},
				{"talk time", e.Duration(), tt.talk},
			}
			if tt.want.SIPStatus != 0 {
				check = append(check, struct {
					field    string
					got, exp any
				}{"sip status", e.SIPStatus, tt.want.SIPStatus})
			}
			for _, f := range []struct {
				field    string
				got, exp string
			}{
				{"reason", e.Reason, tt.want.Reason},
				{"last status", e.LastStatus, tt.want.LastStatus},
				{"transferred to", e.TransferredTo, tt.want.TransferredTo},
				{"conference", e.ConferenceID, tt.want.ConferenceID},
			} {
				if f.exp != "" {
					check = append(check, struct {
						field    string
						got, exp any
					}{f.field, f.got, f.exp})
				}
			}
			for _, ch := range check {
				if ch.got != ch.exp {
					t.Errorf("%s = %v, want %v", ch.field, ch.got, ch.exp)
				}
			}
		})
	}
}

// drain hands events to the recorder until the call's final event
// (call_ended or call_failed) has been recorded.
func drain(t *testing.T, rec *Recorder, events <-chan phone.Event) {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		select {
		case ev := <-events:
			if err := rec.Handle(ev); err != nil {
				t.Fatalf("Handle(%s): %v", ev.Type, err)
			}
			if ev.Type == phone.EventCallEnded || ev.Type == phone.EventCallFailed {
				return
			}
		case <-deadline:
			t.Fatal("the call's final event never came")
		}
	}
}

// The conference's call_merged event and the phone's call_ended come on two
// streams: either may be first.
func TestRecorderMergedEitherOrder(t *testing.T) {
	for _, mergedFirst := range []bool{true, false} {
		eng := phonetest.New()
		s := openTemp(t, Config{})
		rec := NewRecorder(s, RecorderConfig{})
		events, stop := eng.Subscribe()
		cs := eng.Ring("0612345678", "Marc")
		must(t, eng.Accept(bg, cs.ID()))
		if mergedFirst {
			must(t, rec.Merged(cs.ID(), "conf-7"))
		}
		must(t, eng.RemoteHangup(cs.ID()))
		drain(t, rec, events)
		if !mergedFirst {
			must(t, rec.Merged(cs.ID(), "conf-7"))
		}
		e, err := s.Get(cs.ID())
		must(t, err)
		if e.Outcome != OutcomeMerged || e.ConferenceID != "conf-7" {
			t.Errorf("merged first %v: outcome %q conference %q", mergedFirst, e.Outcome, e.ConferenceID)
		}
		stop()
		eng.Close()
	}
}

func TestRecorderMergedIgnoresUnansweredCalls(t *testing.T) {
	eng := phonetest.New()
	defer eng.Close()
	s := openTemp(t, Config{})
	rec := NewRecorder(s, RecorderConfig{})
	events, stop := eng.Subscribe()
	defer stop()
	cs := eng.Ring("1002", "")
	must(t, eng.RemoteHangup(cs.ID()))
	drain(t, rec, events)
	must(t, rec.Merged(cs.ID(), "conf-1"))
	if e, _ := s.Get(cs.ID()); e.Outcome != OutcomeMissed {
		t.Errorf("a missed call became %q", e.Outcome)
	}
}

// A recorder started while a call is going on records it from the first
// event it sees.
func TestRecorderJoinsMidCall(t *testing.T) {
	eng := phonetest.New()
	defer eng.Close()
	s := openTemp(t, Config{})
	cs := eng.Ring("1002", "Bob")
	must(t, eng.Accept(bg, cs.ID()))
	rec := NewRecorder(s, RecorderConfig{})
	events, stop := eng.Subscribe()
	defer stop()
	must(t, eng.Hold(bg, cs.ID()))
	must(t, eng.Hangup(bg, cs.ID()))
	drain(t, rec, events)
	e, err := s.Get(cs.ID())
	must(t, err)
	if e.Outcome != OutcomeAnswered || e.Number != "1002" || e.AnswerTime.IsZero() {
		t.Errorf("entry = %+v", e)
	}
}

// Start subscribes before it returns, takes the line from the registration,
// reports each write through Changed and stops with its context.
func TestRecorderStart(t *testing.T) {
	eng := phonetest.New(phonetest.WithAOR("sip:2001@pbx.example"))
	defer eng.Close()
	eng.SetRegistration(phone.Registration{State: phone.RegRegistered, AOR: "sip:2001@pbx.example"})
	s := openTemp(t, Config{})
	changes := make(chan Entry, 16)
	rec := NewRecorder(s, RecorderConfig{Changed: func(e Entry) { changes <- e }})
	ctx, cancel := context.WithCancel(bg)
	wait := rec.Start(ctx, eng)

	cs := eng.Ring("1002", "Bob")
	must(t, eng.Reject(bg, cs.ID()))
	var states []string
	timeout := time.After(time.Minute)
	for len(states) < 2 {
		select {
		case e := <-changes:
			states = append(states, string(e.State))
			if e.Line != "sip:2001@pbx.example" {
				t.Errorf("line = %q", e.Line)
			}
		case <-timeout:
			t.Fatalf("only %d changes reported", len(states))
		}
	}
	if fmt.Sprint(states) != "[in_progress ended]" {
		t.Errorf("changes = %v", states)
	}
	e, err := s.Get(cs.ID())
	must(t, err)
	if e.Outcome != OutcomeRejected {
		t.Errorf("entry = %+v", e)
	}
	cancel()
	stopped := make(chan struct{})
	go func() { wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("the recorder did not stop with its context")
	}
}

func TestClassify(t *testing.T) {
	in := phone.CallSession{}
	out := phone.CallSession{IsCaller: true}
	answered := phone.CallSession{Answered: true}
	tests := []struct {
		name        string
		cs          phone.CallSession
		code        int
		transferred bool
		merged      bool
		want        Outcome
	}{
		{"in cancelled by caller", in, 487, false, false, OutcomeMissed},
		{"in declined 603", in, 603, false, false, OutcomeRejected},
		{"in declined busy", in, 486, false, false, OutcomeRejected},
		{"in unusable SDP", in, 488, false, false, OutcomeFailed},
		{"in answer failed", in, 0, false, false, OutcomeFailed},
		{"in server error", in, 500, false, false, OutcomeFailed},
		{"in elsewhere", phone.CallSession{AnsweredElsewhere: true}, 487, false, false, OutcomeElsewhere},
		{"out cancelled", out, 487, false, false, OutcomeCancelled},
		{"out busy", out, 486, false, false, OutcomeBusy},
		{"out busy everywhere", out, 600, false, false, OutcomeBusy},
		{"out declined", out, 603, false, false, OutcomeRejected},
		{"out timeout", out, 408, false, false, OutcomeNoAnswer},
		{"out unavailable", out, 480, false, false, OutcomeNoAnswer},
		{"out not found", out, 404, false, false, OutcomeFailed},
		{"out code from snapshot", phone.CallSession{IsCaller: true, SIPStatus: 486}, 0, false, false, OutcomeBusy},
		{"answered", answered, 0, false, false, OutcomeAnswered},
		{"transferred", answered, 0, true, false, OutcomeTransferred},
		{"merged wins", answered, 0, true, true, OutcomeMerged},
	}
	for _, tt := range tests {
		if got := Classify(tt.cs, tt.code, tt.transferred, tt.merged); got != tt.want {
			t.Errorf("%s: Classify = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Merged from the conference's goroutine racing call_ended on the
// recorder's: the merge is never lost, whichever wins.
func TestRecorderMergedRacesEnd(t *testing.T) {
	eng := phonetest.New()
	defer eng.Close()
	s := openTemp(t, Config{})
	ended := make(chan string, 64)
	rec := NewRecorder(s, RecorderConfig{Changed: func(e Entry) {
		if e.State == StateEnded {
			ended <- e.ID
		}
	}})
	ctx, cancel := context.WithCancel(bg)
	wait := rec.Start(ctx, eng)
	defer func() { cancel(); wait() }()
	for i := range 20 {
		cs := eng.Ring(fmt.Sprint(1000+i), "")
		must(t, eng.Accept(bg, cs.ID()))
		merged := make(chan error, 1)
		go func() { merged <- rec.Merged(cs.ID(), "conf") }()
		must(t, eng.RemoteHangup(cs.ID()))
		must(t, <-merged)
		// Merged has returned; once the end is recorded too, both are in.
		timeout := time.After(time.Minute)
		for done := false; !done; {
			select {
			case id := <-ended:
				done = id == cs.ID()
			case <-timeout:
				t.Fatal("call never recorded as ended")
			}
		}
		e, err := s.Get(cs.ID())
		must(t, err)
		if e.Outcome != OutcomeMerged {
			t.Fatalf("call %d: outcome %q, want merged", i, e.Outcome)
		}
	}
}

// A party the network does not name gets the name NameFor finds; a name
// from the network is kept.
func TestRecorderNameFor(t *testing.T) {
	eng := phonetest.New()
	defer eng.Close()
	s := openTemp(t, Config{})
	book := map[string]string{"0612345678": "Marc (contacts)", "1002": "Support (contacts)"}
	rec := NewRecorder(s, RecorderConfig{NameFor: func(n string) (string, bool) {
		name, ok := book[n]
		return name, ok
	}})
	events, stop := eng.Subscribe()
	defer stop()
	tests := []struct{ number, network, want string }{
		{"0612345678", "", "Marc (contacts)"},
		{"1002", "Reception", "Reception"},
		{"0799999999", "", ""},
	}
	for _, tt := range tests {
		cs := eng.Ring(tt.number, tt.network)
		must(t, eng.Reject(bg, cs.ID()))
		drain(t, rec, events)
		e, err := s.Get(cs.ID())
		must(t, err)
		if e.DisplayName != tt.want {
			t.Errorf("%s (network name %q): name %q, want %q", tt.number, tt.network, e.DisplayName, tt.want)
		}
	}
	if got, _ := s.Search("contacts", 0); len(got) != 1 {
		t.Errorf("search by the contact's name found %d entries", len(got))
	}
}

// HandleMerged takes the merge from the event stream itself (the
// conference tracker's updates), with no MergedInto.
func TestRecorderHandleMerged(t *testing.T) {
	for _, merged := range []bool{true, false} {
		eng := phonetest.New()
		s := openTemp(t, Config{})
		rec := NewRecorder(s, RecorderConfig{})
		events, stop := eng.Subscribe()
		cs := eng.Ring("0612345678", "Marc")
		must(t, eng.Accept(bg, cs.ID()))
		must(t, eng.RemoteHangup(cs.ID()))
		for done := false; !done; {
			select {
			case ev := <-events:
				done = ev.Type == phone.EventCallEnded
				must(t, rec.HandleMerged(ev, merged && done, "conf-9"))
			case <-time.After(time.Minute):
				t.Fatal("no call_ended")
			}
		}
		e, err := s.Get(cs.ID())
		must(t, err)
		want, conf := OutcomeAnswered, ""
		if merged {
			want, conf = OutcomeMerged, "conf-9"
		}
		if e.Outcome != want || e.ConferenceID != conf {
			t.Errorf("merged %v: outcome %q conference %q", merged, e.Outcome, e.ConferenceID)
		}
		stop()
		eng.Close()
	}
}
