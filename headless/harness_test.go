package headless_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/phone/phonetest"
)

// patience bounds every wait; generous because the machine is shared.
const patience = 10 * time.Second

// line is one output line, decoded loosely: replies and events share it.
type line struct {
	Event     string          `json:"event"`
	ID        json.RawMessage `json:"id"`
	Cmd       string          `json:"cmd"`
	OK        *bool           `json:"ok"`
	Error     string          `json:"error"`
	SIPCallID string          `json:"sipCallId"`
	Call      *struct {
		SIPCallID string `json:"sipCallId"`
		Status    string `json:"sipStatus"`
		Number    string `json:"number"`
	} `json:"call"`
	Calls        []json.RawMessage `json:"calls"`
	Active       string            `json:"active"`
	Registration *struct {
		State string `json:"state"`
	} `json:"registration"`
	Result       json.RawMessage `json:"result"`
	Reason       string          `json:"reason"`
	CanTakeCalls *bool           `json:"can_take_calls"`
	raw          string
}

// output collects what Run writes and lets a test wait for lines.
type output struct {
	mu      sync.Mutex
	pending []byte
	lines   []string
	changed chan struct{} // closed and replaced on every write
	writes  int           // number of Write calls, to prove lines are whole
	torn    bool          // a Write that was not exactly one line
	gate    chan struct{} // when not nil, Write blocks until it is closed
	// ready is Run's first line, kept apart so tests see commands' output.
	ready string
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	gate := o.gate
	o.mu.Unlock()
	if gate != nil {
		<-gate
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes++
	if len(p) == 0 || p[len(p)-1] != '\n' || strings.Count(string(p), "\n") != 1 {
		o.torn = true
	}
	o.pending = append(o.pending, p...)
	for {
		i := strings.IndexByte(string(o.pending), '\n')
		if i < 0 {
			break
		}
		l := string(o.pending[:i])
		o.pending = o.pending[i+1:]
		if o.ready == "" && len(o.lines) == 0 && strings.Contains(l, `"event":"ready"`) {
			o.ready = l
			continue
		}
		o.lines = append(o.lines, l)
	}
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

func (o *output) snapshot() ([]string, <-chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.lines...), o.changed
}

// session is one Run under test.
type session struct {
	t    *testing.T
	e    *phonetest.Engine
	in   *io.PipeWriter
	out  *output
	done chan error
}

func start(t *testing.T, e *phonetest.Engine, opts ...headless.Option) *session {
	t.Helper()
	return startWith(t, e, newOutput(), opts...)
}

func startWith(t *testing.T, e *phonetest.Engine, out *output, opts ...headless.Option) *session {
	t.Helper()
	pr, pw := io.Pipe()
	s := &session{t: t, e: e, in: pw, out: out, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { s.done <- headless.Run(ctx, e, pr, out, opts...) }()
	t.Cleanup(func() {
		cancel()
		_ = pw.Close()
		select {
		case <-s.done:
		case <-time.After(patience):
			t.Error("Run did not return after cancel")
		}
	})
	return s
}

func (s *session) send(lines ...string) {
	s.t.Helper()
	for _, l := range lines {
		if _, err := io.WriteString(s.in, l+"\n"); err != nil {
			s.t.Fatalf("writing %q: %v", l, err)
		}
	}
}

// ready returns once Run has subscribed to the phone's events (it does so
// before reading its first command), so events emitted next are seen.
func (s *session) ready() {
	s.t.Helper()
	s.send(`{"cmd":"status","id":"ready"}`)
	s.reply("ready")
}

// waitFor waits until pred holds for the decoded output and returns it.
func (s *session) waitFor(what string, pred func([]line) bool) []line {
	s.t.Helper()
	deadline := time.After(patience)
	for {
		raw, changed := s.out.snapshot()
		lines := make([]line, 0, len(raw))
		for _, r := range raw {
			var l line
			if err := json.Unmarshal([]byte(r), &l); err != nil {
				s.t.Fatalf("output line %q is not JSON: %v", r, err)
			}
			l.raw = r
			lines = append(lines, l)
		}
		if pred(lines) {
			return lines
		}
		select {
		case <-changed:
		case <-deadline:
			s.t.Fatalf("waited in vain for %s; output so far:\n%s", what, strings.Join(raw, "\n"))
		}
	}
}

// reply waits for the reply to the command with this string id.
func (s *session) reply(id string) line {
	s.t.Helper()
	return s.replyRaw(`"` + id + `"`)
}

// replyRaw waits for the reply whose id is this raw JSON.
func (s *session) replyRaw(id string) line {
	s.t.Helper()
	var found line
	s.waitFor("the reply to "+id, func(ls []line) bool {
		for _, l := range ls {
			if l.Event == "response" && string(l.ID) == id {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

// event waits for the n-th (1-based) event of this type.
func (s *session) event(typ string, n int) line {
	s.t.Helper()
	var found line
	s.waitFor(fmt.Sprintf("event %s #%d", typ, n), func(ls []line) bool {
		seen := 0
		for _, l := range ls {
			if l.Event == typ {
				seen++
				if seen == n {
					found = l
					return true
				}
			}
		}
		return false
	})
	return found
}

// finish closes the input and returns what Run returned.
func (s *session) finish() error {
	s.t.Helper()
	_ = s.in.Close()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(patience):
		s.t.Fatal("Run did not return after EOF")
		return nil
	}
}
