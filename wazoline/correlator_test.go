package wazoline

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// fakeEngine stands in for phone.Phone.SetServerCall: it only knows the
// calls a step made appear, like the engine's calls map.
type fakeEngine struct {
	calls map[string]*phone.ServerCall // sip → last ServerCall (nil = none yet)
	sets  int
}

func (f *fakeEngine) set(sip string, sc phone.ServerCall) bool {
	if _, ok := f.calls[sip]; !ok {
		return false
	}
	f.sets++
	cp := sc
	f.calls[sip] = &cp
	return true
}

// step is one thing happening to the correlator.
type step struct {
	event  string    // call_created/answered/updated/ended
	call   wazo.Call // for event
	appear string    // sip id the engine starts (call_incoming/outgoing)
	create string    // sip id the engine has, not announced yet
	header string    // X-Wazo-Call-ID value with appear
	finish string    // sip id the engine ends
	hold   string    // call_id of call_held
	resume string    // call_id of call_resumed
	resync []wazo.Call
	wait   time.Duration // advance the clock, then expire
}

// want is the engine's view of one call at the end.
type want struct {
	callID    string
	status    string
	talkingTo string // one peer id expected in talking_to ("" = none)
	onHold    bool
	none      bool // no server data at all
}

func call(id, sip, status string, peers ...string) wazo.Call {
	c := wazo.Call{CallID: id, SIPCallID: sip, Status: status, UserUUID: "me", TalkingTo: map[string]*string{}}
	for _, p := range peers {
		c.TalkingTo[p] = nil
	}
	return c
}

func ptr(n int) *int { return &n }

func TestCorrelator(t *testing.T) {
	tests := []struct {
		name        string
		steps       []step
		want        map[string]want
		wantPending int
		wantSets    *int // SetServerCall calls expected (nil: not checked)
	}{
		{
			name: "events after the INVITE apply at once",
			steps: []step{
				{appear: "sipA"},
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
				{event: "call_answered", call: call("1.1", "sipA", "Up")},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
			},
			want: map[string]want{"sipA": {callID: "1.1", status: "Up", talkingTo: "9.9"}},
		},
		{
			name: "event before the INVITE waits for the call",
			steps: []step{
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
				{appear: "sipA"},
			},
			want: map[string]want{"sipA": {callID: "1.1", status: "Ringing"}},
		},
		{
			name: "buffered event for a call that never comes expires",
			steps: []step{
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
				{wait: time.Minute},
				{appear: "sipA"},
			},
			want: map[string]want{"sipA": {none: true}},
		},
		{
			name: "pending event is kept until then",
			steps: []step{
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
			},
			wantPending: 1,
		},
		{
			name: "two calls keep their own calld ids, events interleaved",
			steps: []step{
				{appear: "sipA"},
				{event: "call_created", call: call("2.2", "sipB", "Ringing")},
				{event: "call_created", call: call("1.1", "sipA", "Up")},
				{appear: "sipB"},
				{event: "call_updated", call: call("2.2", "sipB", "Up", "8.8")},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
			},
			want: map[string]want{
				"sipA": {callID: "1.1", status: "Up", talkingTo: "9.9"},
				"sipB": {callID: "2.2", status: "Up", talkingTo: "8.8"},
			},
		},
		{
			name: "late call_created does not undo call_updated",
			steps: []step{
				{appear: "sipA"},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
			},
			want: map[string]want{"sipA": {callID: "1.1", status: "Up", talkingTo: "9.9"}},
		},
		{
			name: "call_ended of an old channel does not clear the newer one",
			steps: []step{
				{appear: "sipA"},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
				{event: "call_updated", call: call("1.5", "sipA", "Up", "7.7")},
				{event: "call_ended", call: call("1.1", "sipA", "Up")},
			},
			want: map[string]want{"sipA": {callID: "1.5", status: "Up", talkingTo: "7.7"}},
		},
		{
			name: "stale update after call_ended is ignored",
			steps: []step{
				{appear: "sipA"},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
				{event: "call_ended", call: call("1.1", "sipA", "Down")},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
			},
			want: map[string]want{"sipA": {callID: "1.1", status: "Down"}},
		},
		{
			name: "call_ended for one call leaves the other alone",
			steps: []step{
				{appear: "sipA"}, {appear: "sipB"},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
				{event: "call_updated", call: call("2.2", "sipB", "Up", "8.8")},
				{event: "call_ended", call: call("1.1", "sipA", "Down")},
				{finish: "sipA"},
				{event: "call_updated", call: call("1.1", "sipA", "Up")}, // late, dropped
			},
			want: map[string]want{"sipB": {callID: "2.2", status: "Up", talkingTo: "8.8"}},
		},
		{
			name: "events after the engine finished the call are not buffered",
			steps: []step{
				{appear: "sipA"},
				{finish: "sipA"},
				{event: "call_updated", call: call("1.1", "sipA", "Up")},
			},
			wantPending: 0,
		},
		{
			name: "hold and resume find the dialog through call_id",
			steps: []step{
				{appear: "sipA"}, {appear: "sipB"},
				{event: "call_updated", call: call("1.1", "sipA", "Up", "9.9")},
				{event: "call_updated", call: call("2.2", "sipB", "Up", "8.8")},
				{hold: "1.1"},
				{hold: "2.2"},
				{resume: "2.2"},
			},
			want: map[string]want{
				"sipA": {callID: "1.1", status: "Up", talkingTo: "9.9", onHold: true},
				"sipB": {callID: "2.2", status: "Up", talkingTo: "8.8"},
			},
		},
		{
			name: "hold with only the X-Wazo-Call-ID header known",
			steps: []step{
				{appear: "sipA", header: "1.1"},
				{hold: "1.1"},
			},
			want: map[string]want{"sipA": {callID: "1.1", onHold: true}},
		},
		{
			name: "hold for an unknown channel is ignored",
			steps: []step{
				{appear: "sipA"},
				{hold: "5.5"},
			},
			want: map[string]want{"sipA": {none: true}},
		},
		{
			name: "resync restores state missed while the socket was down",
			steps: []step{
				{appear: "sipA"}, {appear: "sipB"},
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
				{resync: []wazo.Call{
					call("1.1", "sipA", "Up", "9.9"),
					call("2.2", "sipB", "Up", "8.8"),
					call("3.3", "", "Up"), // not SIP: skipped
				}},
			},
			want: map[string]want{
				"sipA": {callID: "1.1", status: "Up", talkingTo: "9.9"},
				"sipB": {callID: "2.2", status: "Up", talkingTo: "8.8"},
			},
		},
		{
			name: "resync does not revive a channel known to have ended",
			steps: []step{
				{appear: "sipA"},
				{event: "call_updated", call: call("1.5", "sipA", "Up", "7.7")},
				{event: "call_ended", call: call("1.1", "sipA", "Down")},
				{resync: []wazo.Call{call("1.1", "sipA", "Up", "9.9")}},
			},
			want: map[string]want{"sipA": {callID: "1.5", status: "Up", talkingTo: "7.7"}},
		},
		{
			name: "nothing is set before the engine announced the call",
			steps: []step{
				{create: "sipA"},
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
				{event: "call_answered", call: call("1.1", "sipA", "Up")},
			},
			want:        map[string]want{"sipA": {none: true}},
			wantPending: 1,
			wantSets:    ptr(0),
		},
		{
			name: "announced call gets only the latest buffered data",
			steps: []step{
				{create: "sipA"},
				{event: "call_created", call: call("1.1", "sipA", "Ringing")},
				{event: "call_answered", call: call("1.1", "sipA", "Up")},
				{appear: "sipA"},
			},
			want:     map[string]want{"sipA": {callID: "1.1", status: "Up"}},
			wantSets: ptr(1),
		},
		{
			name: "events without sip_call_id are ignored",
			steps: []step{
				{appear: "sipA"},
				{event: "call_created", call: call("1.1", "", "Ringing")},
			},
			want: map[string]want{"sipA": {none: true}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			eng := &fakeEngine{calls: map[string]*phone.ServerCall{}}
			c := newCorrelator(eng.set, 30*time.Second, func() time.Time { return now }, nil)
			for _, s := range tc.steps {
				switch {
				case s.event != "":
					c.callEvent(s.event, s.call)
				case s.create != "":
					eng.calls[s.create] = nil
				case s.appear != "":
					eng.calls[s.appear] = nil
					c.appeared(s.appear, s.header)
					if s.header != "" && eng.calls[s.appear] == nil {
						// The engine stores the header value itself.
						eng.calls[s.appear] = &phone.ServerCall{CallID: s.header}
					}
				case s.finish != "":
					delete(eng.calls, s.finish)
					c.finished(s.finish)
				case s.hold != "":
					c.hold(s.hold, true)
				case s.resume != "":
					c.hold(s.resume, false)
				case s.resync != nil:
					c.resync(s.resync)
				case s.wait > 0:
					now = now.Add(s.wait)
					c.expire()
				}
			}
			for sip, w := range tc.want {
				got, ok := eng.calls[sip]
				if !ok {
					t.Fatalf("%s: the engine has no such call", sip)
				}
				if w.none {
					if got != nil {
						t.Fatalf("%s: got server data %+v, want none", sip, *got)
					}
					continue
				}
				if got == nil {
					t.Fatalf("%s: no server data, want call_id %s", sip, w.callID)
				}
				if got.CallID != w.callID || got.Status != w.status || got.OnHold != w.onHold {
					t.Errorf("%s: got call_id=%s status=%s on_hold=%v, want %s %s %v", sip, got.CallID, got.Status, got.OnHold, w.callID, w.status, w.onHold)
				}
				if w.talkingTo != "" {
					if _, ok := got.TalkingTo[w.talkingTo]; !ok {
						t.Errorf("%s: talking_to %v lacks %s", sip, got.TalkingTo, w.talkingTo)
					}
				}
			}
			if tc.wantSets != nil && eng.sets != *tc.wantSets {
				t.Errorf("SetServerCall called %d times, want %d", eng.sets, *tc.wantSets)
			}
			if p := c.pending(); p != tc.wantPending {
				t.Errorf("pending = %d, want %d", p, tc.wantPending)
			}
		})
	}
}

func TestToServerCall(t *testing.T) {
	peer := "user-2"
	at := "2026-01-02T03:04:05.678+0000"
	c := wazo.Call{
		CallID: "1.1", SIPCallID: "sip", Status: "Up", OnHold: true, Muted: true,
		TalkingTo:    map[string]*string{"9.9": &peer, "8.8": nil},
		CreationTime: "2026-01-02T03:04:05.123456+00:00", AnswerTime: &at,
	}
	c.LineID, c.IsVideo, c.Parked = ptr(7), true, true
	sc := toServerCall(c)
	if sc.CallID != "1.1" || sc.SIPCallID == nil || *sc.SIPCallID != "sip" || !sc.OnHold || !sc.Muted {
		t.Fatalf("fields not copied: %+v", sc)
	}
	if u := sc.TalkingTo["9.9"]; u == nil || *u != peer || len(sc.TalkingTo) != 2 {
		t.Fatalf("talking_to = %v", sc.TalkingTo)
	}
	if u, ok := sc.TalkingTo["8.8"]; !ok || u != nil {
		t.Fatalf("a null peer must stay null: %v", sc.TalkingTo)
	}
	if sc.CreationTime == nil || sc.AnswerTime == nil || sc.HangupTime != nil {
		t.Fatalf("times: creation %v answer %v hangup %v", sc.CreationTime, sc.AnswerTime, sc.HangupTime)
	}
	if sc.LineID == nil || *sc.LineID != 7 || !sc.IsVideo || !sc.Parked || sc.UserUUID != nil || sc.DialedExtension != nil || sc.ConversationID != nil {
		t.Fatalf("line_id/is_video/parked/nulls: %+v", sc)
	}
	// The JSON keeps calld's names and nulls.
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	for _, k := range []string{"user_uuid", "dialed_extension", "conversation_id", "hangup_time"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if m["line_id"] != float64(7) || m["is_video"] != true || m["parked"] != true {
		t.Errorf("json %s", raw)
	}
}

// TestCorrelatorBothEngines runs every call event on both correlation
// paths: an engine 26.08+ gives the calld id in X-Wazo-Call-ID with the
// INVITE, an older one only in the events (docs/wazo-protocol.md,
// Correlating SIP and calld). Each event must reach the dialog either way,
// before or after the engine announced the call.
func TestCorrelatorBothEngines(t *testing.T) {
	for _, engine := range []struct{ name, header string }{{"25.14 (no header)", ""}, {"26.08 (X-Wazo-Call-ID)", "1.1"}} {
		for _, ev := range []struct{ name, status string }{
			{"call_created", "Ringing"}, {"call_answered", "Up"}, {"call_updated", "Up"}, {"call_ended", "Up"},
		} {
			for _, early := range []bool{false, true} {
				name := engine.name + "/" + ev.name + "/after the INVITE"
				if early {
					name = engine.name + "/" + ev.name + "/before the INVITE"
				}
				t.Run(name, func(t *testing.T) {
					eng := &fakeEngine{calls: map[string]*phone.ServerCall{}}
					now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
					c := newCorrelator(eng.set, 30*time.Second, func() time.Time { return now }, nil)
					appear := func() {
						eng.calls["sipA"] = nil
						c.appeared("sipA", engine.header)
					}
					cl := call("1.1", "sipA", ev.status, "9.9")
					cl.CallerIDNumber, cl.PeerCallerIDNumber = "1001", "5550100"
					if ev.name == "call_ended" {
						// calld's call_ended swaps caller and peer
						// (wazo-calld plugins/calls/services.py).
						cl.CallerIDNumber, cl.PeerCallerIDNumber = "5550100", "1001"
					}
					if early {
						eng.calls["sipA"] = nil // the engine has it, not announced yet
						if ev.name == "call_ended" {
							// A channel's first event cannot be its end:
							// call_created came first.
							c.callEvent("call_created", call("1.1", "sipA", "Ringing"))
						}
						c.callEvent(ev.name, cl)
						appear()
					} else {
						appear()
						c.callEvent(ev.name, cl)
					}
					got := eng.calls["sipA"]
					if early && ev.name == "call_ended" {
						// The channel died before the engine announced its
						// dialog: the SIP side ends it; nothing is kept.
						if got != nil && got.CallID != engine.header || c.pending() != 0 {
							t.Fatalf("ended early: engine got %+v, pending %d", got, c.pending())
						}
						return
					}
					if got == nil || got.CallID != "1.1" || got.Status != ev.status {
						t.Fatalf("engine got %+v, want call_id 1.1 status %s", got, ev.status)
					}
					if got.CallerIDNumber != "1001" || got.PeerCallerIDNumber != "5550100" {
						t.Fatalf("caller %q peer %q, want 1001 / 5550100", got.CallerIDNumber, got.PeerCallerIDNumber)
					}
					if c.pending() != 0 {
						t.Fatalf("pending %d", c.pending())
					}
				})
			}
		}
	}
}
