package headless_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// world is the state a command test starts from: one answered outgoing call
// to 1002 (active) and one incoming call from 1003 ringing.
type world struct {
	e       *phonetest.Engine
	talking string
	ringing string
}

func newWorld(t *testing.T) world {
	t.Helper()
	e := phonetest.New()
	t.Cleanup(e.Close)
	out, err := e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Answer(out.ID()); err != nil {
		t.Fatal(err)
	}
	in := e.Ring("1003", "Alice")
	return world{e: e, talking: out.ID(), ringing: in.ID()}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name    string
		command func(w world) string
		replyID string               // raw JSON id of the reply, `"r1"` when empty
		wantOp  func(w world) string // the phone operation the command must cause
		check   func(t *testing.T, w world, r line)
	}{
		{
			name:    "call",
			command: func(world) string { return `{"cmd":"call","number":"1004","id":"r1"}` },
			wantOp:  func(world) string { return "Call 1004" },
			check: func(t *testing.T, w world, r line) {
				if r.Call == nil || r.Call.Number != "1004" || r.Call.Status != "dialing" || r.SIPCallID != r.Call.SIPCallID {
					t.Errorf("reply call = %+v (sipCallId %q), want the new dialing call", r.Call, r.SIPCallID)
				}
			},
		},
		{
			name:    "accept named call",
			command: func(w world) string { return `{"cmd":"accept","call":"` + w.ringing + `","id":"r1"}` },
			wantOp:  func(w world) string { return "Accept " + w.ringing },
		},
		{
			name:    "accept without call takes the only ringing call",
			command: func(world) string { return `{"cmd":"accept","id":"r1"}` },
			wantOp:  func(w world) string { return "Accept " + w.ringing },
			check: func(t *testing.T, w world, r line) {
				if r.SIPCallID != w.ringing {
					t.Errorf("reply sipCallId = %q, want %q", r.SIPCallID, w.ringing)
				}
			},
		},
		{
			name:    "reject without call",
			command: func(world) string { return `{"cmd":"reject","id":"r1"}` },
			wantOp:  func(w world) string { return "Reject " + w.ringing },
		},
		{
			name:    "hangup without call takes the active call",
			command: func(world) string { return `{"cmd":"hangup","id":"r1"}` },
			wantOp:  func(w world) string { return "Hangup " + w.talking },
		},
		{
			name:    "hold",
			command: func(world) string { return `{"cmd":"hold","id":"r1"}` },
			wantOp:  func(w world) string { return "Hold " + w.talking },
		},
		{
			name:    "resume",
			command: func(w world) string { return `{"cmd":"resume","call":"` + w.talking + `","id":"r1"}` },
			wantOp:  func(w world) string { return "Resume " + w.talking },
		},
		{
			name:    "mute",
			command: func(world) string { return `{"cmd":"mute","id":"r1"}` },
			wantOp:  func(w world) string { return "Mute " + w.talking },
		},
		{
			name:    "unmute",
			command: func(world) string { return `{"cmd":"unmute","id":"r1"}` },
			wantOp:  func(w world) string { return "Unmute " + w.talking },
		},
		{
			name:    "dtmf",
			command: func(world) string { return `{"cmd":"dtmf","digits":"12#","id":"r1"}` },
			wantOp:  func(w world) string { return "SendDTMF " + w.talking + " 12#" },
		},
		{
			name:    "transfer",
			command: func(world) string { return `{"cmd":"transfer","target":"1005","id":"r1"}` },
			wantOp:  func(w world) string { return "Transfer " + w.talking + " 1005" },
		},
		{
			name: "attended transfer",
			command: func(w world) string {
				if err := w.e.Accept(context.Background(), w.ringing); err != nil {
					panic(err)
				}
				return `{"cmd":"attended_transfer","call":"` + w.talking + `","target_call":"` + w.ringing + `","id":"r1"}`
			},
			wantOp: func(w world) string { return "AttendedTransfer " + w.talking + " " + w.ringing },
		},
		{
			name:    "calls",
			command: func(world) string { return `{"cmd":"calls","id":"r1"}` },
			check: func(t *testing.T, w world, r line) {
				if len(r.Calls) != 2 || r.Active != w.talking {
					t.Errorf("calls reply = %s, want 2 calls, active %s", r.raw, w.talking)
				}
			},
		},
		{
			name: "status",
			command: func(w world) string {
				w.e.SetRegistration(phone.Registration{State: phone.RegRegistered})
				return `{"cmd":"status","id":"r1"}`
			},
			check: func(t *testing.T, w world, r line) {
				if r.Registration == nil || r.Registration.State != "registered" || len(r.Calls) != 2 {
					t.Errorf("status reply = %s, want registered with 2 calls", r.raw)
				}
			},
		},
		{
			name:    "numeric id is echoed as it is",
			command: func(world) string { return `{"cmd":"calls","id":42}` },
			replyID: `42`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			before := len(w.e.Ops())
			s := start(t, w.e)
			cmd := tt.command(w)
			s.send(cmd)
			id := tt.replyID
			if id == "" {
				id = `"r1"`
			}
			r := s.replyRaw(id)
			if r.OK == nil || !*r.OK || r.Error != "" {
				t.Fatalf("reply = %s, want ok", r.raw)
			}
			if tt.wantOp != nil {
				ops := w.e.Ops()[before:]
				if want := tt.wantOp(w); !slices.Contains(ops, want) {
					t.Errorf("phone operations = %q, want %q among them", ops, want)
				}
			}
			if tt.check != nil {
				tt.check(t, w, r)
			}
			if err := s.finish(); err != nil {
				t.Errorf("Run = %v after EOF, want nil", err)
			}
		})
	}
}

func TestErrorReplies(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		wantID    string // raw JSON, "" when the reply can carry none
		wantError string // a fragment of the plain-language error
	}{
		{"not JSON", `hello`, "", "not valid JSON"},
		{"truncated JSON", `{"cmd":"call","id":"r1"`, "", "not valid JSON"},
		{"array", `[1,2]`, "", "must be a JSON object"},
		{"string", `"status"`, "", "must be a JSON object"},
		{"null", `null`, "", `no "cmd" field`},
		{"no cmd", `{"id":"r1"}`, `"r1"`, `no "cmd" field`},
		{"unknown command", `{"cmd":"fly","id":"r1"}`, `"r1"`, `unknown command "fly"`},
		{"wrong field type", `{"cmd":"call","number":1002,"id":"r1"}`, `"r1"`, `"number" field must be a string`},
		{"call without number", `{"cmd":"call","id":"r1"}`, `"r1"`, `needs a "number"`},
		{"dtmf without digits", `{"cmd":"dtmf","id":"r1"}`, `"r1"`, `needs a "digits"`},
		{"transfer without target", `{"cmd":"transfer","id":"r1"}`, `"r1"`, `needs a "target"`},
		{"attended transfer without target call", `{"cmd":"attended_transfer","id":"r1"}`, `"r1"`, `needs a "target_call"`},
		{"invalid number", `{"cmd":"call","number":"10\n02","id":"r1"}`, `"r1"`, "Invalid number"},
		{"unknown call", `{"cmd":"hangup","call":"nope","id":"r1"}`, `"r1"`, "No such call"},
		{"wrong state", `{"cmd":"hold","call":"RINGING","id":"r1"}`, `"r1"`, "not in a state"},
		{"accept with two calls ringing", `{"cmd":"accept","id":"r1","two":true}`, `"r1"`, "2 calls are ringing"},
		{"hangup with no active call", `{"cmd":"hangup","id":"r1","idle":true}`, `"r1"`, "no active call to hang up"},
		{"phone failure", `{"cmd":"mute","id":"r1","fail":true}`, `"r1"`, "audio connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			cmd := strings.ReplaceAll(tt.line, "RINGING", w.ringing)
			switch {
			case strings.Contains(cmd, `"two":true`):
				w.e.Ring("1006", "")
			case strings.Contains(cmd, `"idle":true`):
				_ = w.e.RemoteHangup(w.talking)
			case strings.Contains(cmd, `"fail":true`):
				w.e.Fail("Mute", fmt.Errorf("%w: the microphone is gone", phone.ErrMediaFailed))
			}
			s := start(t, w.e)
			s.send(cmd, `{"cmd":"calls","id":"after"}`)
			s.reply("after") // the reader kept going
			// The reply to the bad line: "calls" is answered at once and may
			// come first (Run's doc).
			var r line
			for _, l := range s.waitFor("both replies", func(ls []line) bool {
				n := 0
				for _, l := range ls {
					if l.Event == "response" {
						n++
					}
				}
				return n >= 2
			}) {
				if l.Event == "response" && string(l.ID) != `"after"` {
					r = l
					break
				}
			}
			if r.OK == nil || *r.OK {
				t.Fatalf("reply = %s, want ok:false", r.raw)
			}
			if string(r.ID) != tt.wantID {
				t.Errorf("reply id = %s, want %q", r.ID, tt.wantID)
			}
			if !strings.Contains(strings.ToLower(r.Error), strings.ToLower(tt.wantError)) {
				t.Errorf("error = %q, want it to mention %q", r.Error, tt.wantError)
			}
			if !strings.HasSuffix(r.Error, ".") || strings.ToUpper(r.Error[:1]) != r.Error[:1] {
				t.Errorf("error = %q, want a sentence", r.Error)
			}
		})
	}
}

func TestLongLineIsSkipped(t *testing.T) {
	w := newWorld(t)
	s := start(t, w.e, headless.WithMaxLineBytes(100))
	s.send(`{"cmd":"call","number":"`+strings.Repeat("1", 5000)+`","id":"long"}`, `{"cmd":"calls","id":"after"}`)
	lines := s.waitFor("two replies", func(ls []line) bool { return countReplies(ls) == 2 })
	first := firstReply(lines)
	if first.OK == nil || *first.OK || !strings.Contains(first.Error, "longer than 100 bytes") {
		t.Errorf("first reply = %s, want a too-long error", first.raw)
	}
	if got := w.e.Ops(); slices.ContainsFunc(got, func(op string) bool { return strings.HasPrefix(op, "Call 111") }) {
		t.Errorf("the long line was executed: %q", got)
	}
}

func TestEventsAndReplies(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	s := start(t, e)
	s.ready()

	// A client sees the ring, then answers it.
	in := e.Ring("1003", "Alice")
	incoming := s.event("call_incoming", 1)
	if incoming.Call == nil || incoming.Call.SIPCallID != in.ID() {
		t.Fatalf("call_incoming = %s", incoming.raw)
	}
	s.send(`{"cmd":"call","number":"1002","id":"c1"}`)
	c1 := s.reply("c1")
	out := c1.SIPCallID
	if err := e.Answer(out); err != nil {
		t.Fatal(err)
	}
	s.event("call_accepted", 1)
	s.send(`{"cmd":"accept","id":"a1"}`, `{"cmd":"hangup","id":"h1"}`, `{"cmd":"calls","id":"l1"}`)
	lines := s.waitFor("the hangup's call_ended", func(ls []line) bool {
		return countReplies(ls) == 5 && slices.ContainsFunc(ls, func(l line) bool { return l.Event == "call_ended" })
	})

	var events, replies []string
	for _, l := range lines {
		if l.Event == "response" {
			replies = append(replies, strings.Trim(string(l.ID), `"`))
			if l.OK == nil || !*l.OK {
				t.Errorf("reply %s failed", l.raw)
			}
		} else {
			events = append(events, l.Event)
		}
	}
	// Replies to queued commands come in command order ("calls" is
	// answered at once, beside the queue, so it may overtake the hangup);
	// events come in the order the phone made them, whatever the
	// interleaving with replies.
	queued := slices.DeleteFunc(slices.Clone(replies), func(id string) bool { return id == "l1" })
	if want := []string{"ready", "c1", "a1", "h1"}; !slices.Equal(queued, want) || !slices.Contains(replies, "l1") {
		t.Errorf("replies in order %v, want %v with l1 anywhere after ready", replies, want)
	}
	want := []string{"call_incoming", "call_outgoing", "call_accepted", "call_held", "call_accepted", "call_ended"}
	if !slices.Equal(events, want) {
		t.Errorf("events = %v, want %v", events, want)
	}
	// The reply to "call" names the call its events talk about.
	for _, l := range lines {
		if l.Event == "call_outgoing" && l.Call.SIPCallID != out {
			t.Errorf("call_outgoing for %s, reply said %s", l.Call.SIPCallID, out)
		}
	}
	// The call the agent picked up without naming it is the one hung up.
	if ops := e.Ops(); !slices.Contains(ops, "Hangup "+in.ID()) {
		t.Errorf("ops = %q, want the accepted call hung up", ops)
	}
	s.out.mu.Lock()
	torn := s.out.torn
	s.out.mu.Unlock()
	if torn {
		t.Error("a Write carried something other than exactly one line")
	}
}

func TestSlowOutputLosesNothing(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	out := newOutput()
	s := startWith(t, e, out)
	s.ready()
	gate := make(chan struct{})
	out.mu.Lock()
	out.gate = gate
	out.mu.Unlock()

	// With the output stuck, the phone keeps going and events pile up.
	const n = 500
	for i := range n {
		e.Emit(phone.Event{Type: phone.EventDTMFReceived, Digit: fmt.Sprint(i % 10), Reason: fmt.Sprint(i)})
	}
	s.send(`{"cmd":"status","id":"s1"}`)
	close(gate)

	lines := s.waitFor("every event", func(ls []line) bool { return len(ls) == n+2 })
	next := 0
	for _, l := range lines {
		if l.Event != "dtmf_received" {
			continue
		}
		if l.Reason != fmt.Sprint(next) {
			t.Fatalf("event %d carries %q: events lost or reordered", next, l.Reason)
		}
		next++
	}
	if next != n {
		t.Errorf("got %d events, want %d", next, n)
	}
}

func TestShutdown(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr error
	}{
		{"EOF after a command", `{"cmd":"status","id":"last"}` + "\n", nil},
		{"EOF in the middle of the last line", `{"cmd":"status","id":"last"}`, nil},
		{"quit", `{"cmd":"quit","id":"last"}` + "\n" + `{"cmd":"call","number":"1002","id":"never"}` + "\n", nil},
		{"blank lines are ignored", "\n  \r\n" + `{"cmd":"status","id":"last"}` + "\r\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := phonetest.New()
			t.Cleanup(e.Close)
			var out bytes.Buffer
			err := headless.Run(context.Background(), e, strings.NewReader(tt.input), &out)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run = %v, want %v", err, tt.wantErr)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) > 0 && strings.HasPrefix(lines[0], `{"event":"ready"`) {
				lines = lines[1:]
			}
			if len(lines) != 1 || !strings.Contains(lines[0], `"id":"last"`) || !strings.Contains(lines[0], `"ok":true`) {
				t.Errorf("output = %q, want exactly the last command's reply", out.String())
			}
			if ops := e.Ops(); len(ops) != 0 {
				t.Errorf("ops = %q, want none", ops)
			}
		})
	}
}

func TestCancelStopsRun(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- headless.Run(ctx, e, pr, io.Discard) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestBrokenOutputEndsRun(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	pr, pw := io.Pipe()
	defer pw.Close()
	done := make(chan error, 1)
	go func() { done <- headless.Run(context.Background(), e, pr, failingWriter{}) }()
	go func() { _, _ = io.WriteString(pw, `{"cmd":"status"}`+"\n") }()
	if err := <-done; !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Run = %v, want the write error", err)
	}
}

func TestWithCommand(t *testing.T) {
	type args struct {
		Host string `json:"host"`
	}
	conferenceStart := func(_ context.Context, raw json.RawMessage) (any, error) {
		var a args
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, err
		}
		if a.Host == "" {
			return nil, errors.New(`the "conference_start" command needs a "host" field`)
		}
		return map[string]string{"conference": "conf-1", "host": a.Host}, nil
	}
	broken := func(context.Context, json.RawMessage) (any, error) { panic("boom") }

	e := phonetest.New()
	t.Cleanup(e.Close)
	s := start(t, e, headless.WithCommand("conference_start", conferenceStart), headless.WithCommand("broken", broken))
	s.send(`{"cmd":"conference_start","host":"h1","id":"ok"}`, `{"cmd":"conference_start","id":"bad"}`, `{"cmd":"broken","id":"panic"}`)

	if r := s.reply("ok"); r.OK == nil || !*r.OK || string(r.Result) != `{"conference":"conf-1","host":"h1"}` {
		t.Errorf("reply = %s, want ok with the handler's result", r.raw)
	}
	if r := s.reply("bad"); r.OK == nil || *r.OK || !strings.Contains(r.Error, `needs a "host"`) {
		t.Errorf("reply = %s, want the handler's error", r.raw)
	}
	if r := s.reply("panic"); r.OK == nil || *r.OK || !strings.Contains(r.Error, "Internal error") {
		t.Errorf("reply = %s, want an internal error", r.raw)
	}
}

func countReplies(ls []line) int {
	n := 0
	for _, l := range ls {
		if l.Event == "response" {
			n++
		}
	}
	return n
}

func firstReply(ls []line) line {
	for _, l := range ls {
		if l.Event == "response" {
			return l
		}
	}
	return line{}
}

// The first line tells a script where the phone stands, so it need not wait
// for a registration event that happened before Run started.
func TestFirstLineIsReady(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	e.SetRegistration(phone.Registration{State: phone.RegRegistered, AOR: "sip:1001@pbx"})
	e.Ring("1002", "Bob")
	var out bytes.Buffer
	if err := headless.Run(context.Background(), e, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	var r struct {
		Event        string              `json:"event"`
		Registration phone.Registration  `json:"registration"`
		Calls        []phone.CallSession `json:"calls"`
	}
	if err := json.Unmarshal([]byte(first), &r); err != nil {
		t.Fatalf("first line %q: %v", first, err)
	}
	if r.Event != "ready" || r.Registration.State != phone.RegRegistered || len(r.Calls) != 1 || r.Calls[0].Number != "1002" {
		t.Fatalf("first line %q does not describe the phone", first)
	}
}
