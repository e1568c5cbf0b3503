package headless_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// pendingAccept is a phone whose Accept waits, like one whose 200 OK waits
// for an ACK, until its context ends or the call is hung up.
type pendingAccept struct {
	*phonetest.Engine
	mu       sync.Mutex
	started  chan struct{} // closed when Accept is waiting
	hangups  map[string]chan struct{}
	acceptID string
}

func newPendingAccept(e *phonetest.Engine) *pendingAccept {
	return &pendingAccept{Engine: e, started: make(chan struct{}), hangups: map[string]chan struct{}{}}
}

func (p *pendingAccept) Accept(ctx context.Context, id string) error {
	p.mu.Lock()
	h := make(chan struct{})
	p.hangups[id] = h
	p.acceptID = id
	p.mu.Unlock()
	close(p.started)
	select {
	case <-h:
		return errors.New("you hung up before the call was answered")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pendingAccept) Hangup(ctx context.Context, id string) error {
	p.mu.Lock()
	h := p.hangups[id]
	delete(p.hangups, id)
	p.mu.Unlock()
	if h != nil {
		close(h)
	}
	return p.Engine.Hangup(ctx, id)
}

func startAPI(t *testing.T, api phone.API) (*session, context.CancelFunc) {
	t.Helper()
	pr, pw := io.Pipe()
	s := &session{t: t, in: pw, out: newOutput(), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { s.done <- headless.Run(ctx, api, pr, s.out) }()
	t.Cleanup(func() {
		cancel()
		_ = pw.Close()
		select {
		case <-s.done:
		case <-time.After(patience):
			t.Error("Run did not return after cancel")
		}
	})
	return s, cancel
}

// indexOf returns the position of the reply with this id in the output.
func indexOf(ls []line, id string) int {
	for i, l := range ls {
		if l.Event == "response" && string(l.ID) == `"`+id+`"` {
			return i
		}
	}
	return -1
}

// TestCommandsDoNotWaitForAPendingAccept: while an accept waits on the
// network, status and calls are answered, a hangup without "call" ends the
// call being accepted (which ends the accept), and queued commands keep
// their order behind it.
func TestCommandsDoNotWaitForAPendingAccept(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	ring := e.Ring("1003", "Alice")
	api := newPendingAccept(e)
	s, _ := startAPI(t, api)
	s.send(`{"cmd":"accept","id":"acc"}`, `{"cmd":"mute","call":"`+ring.ID()+`","id":"queued"}`)
	select {
	case <-api.started:
	case <-time.After(patience):
		t.Fatal("accept never started")
	}
	s.send(`{"cmd":"status","id":"st"}`, `{"cmd":"calls","id":"ls"}`)
	st := s.reply("st")
	if st.OK == nil || !*st.OK || st.Registration == nil {
		t.Fatalf("status = %s", st.raw)
	}
	s.reply("ls")
	s.send(`{"cmd":"hangup","id":"hup"}`)
	if h := s.reply("hup"); h.OK == nil || !*h.OK || h.SIPCallID != ring.ID() {
		t.Fatalf("hangup = %s, want it to end the call being accepted", h.raw)
	}
	acc := s.reply("acc")
	if acc.OK == nil || *acc.OK || !strings.Contains(acc.Error, "hung up") {
		t.Errorf("accept = %s", acc.raw)
	}
	s.reply("queued")
	ls := s.waitFor("all replies", func(ls []line) bool { return indexOf(ls, "queued") >= 0 })
	// No order between "hup" and "acc": the hangup ends the accept, whose
	// reply is written when it returns, on its own goroutine, while the
	// hangup's is written when Hangup returns; either can come first.
	for _, order := range [][2]string{{"st", "acc"}, {"acc", "queued"}} {
		if indexOf(ls, order[0]) > indexOf(ls, order[1]) {
			t.Errorf("reply %q came after %q", order[0], order[1])
		}
	}
}

// TestQuitDuringPendingAccept: quit ends the session at once; the accept's
// context ends, it replies, and the queued command behind it is refused.
func TestQuitDuringPendingAccept(t *testing.T) {
	e := phonetest.New()
	t.Cleanup(e.Close)
	e.Ring("1003", "Alice")
	api := newPendingAccept(e)
	s, _ := startAPI(t, api)
	s.send(`{"cmd":"accept","id":"acc"}`, `{"cmd":"status","id":"late","call":"x"}`, `{"cmd":"hold","call":"x","id":"queued"}`)
	<-api.started
	s.send(`{"cmd":"quit","id":"q"}`)
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(patience):
		t.Fatal("quit waited for the pending accept")
	}
	ls := s.waitFor("replies", func(ls []line) bool { return indexOf(ls, "queued") >= 0 && indexOf(ls, "acc") >= 0 })
	if q := ls[indexOf(ls, "queued")]; q.OK == nil || *q.OK || !strings.Contains(q.Error, "session ended") {
		t.Errorf("queued command = %s", q.raw)
	}
	for _, op := range e.Ops() {
		if strings.HasPrefix(op, "Hold") {
			t.Errorf("hold ran after quit: %q", e.Ops())
		}
	}
}
