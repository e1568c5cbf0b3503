package headless

import (
	"context"
	"encoding/json"
	"sync"
)

// commandQueue holds the lines waiting for the worker, in order. It never
// blocks the reader, so quick commands behind a slow one are seen at once.
type commandQueue struct {
	mu     sync.Mutex
	items  []inputLine
	closed bool
	wake   chan struct{}
}

func newCommandQueue() *commandQueue { return &commandQueue{wake: make(chan struct{}, 1)} }

func (q *commandQueue) push(l inputLine) {
	q.mu.Lock()
	q.items = append(q.items, l)
	q.mu.Unlock()
	q.signal()
}

func (q *commandQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *commandQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop returns the next line, waiting for one; ok is false once the queue is
// closed and empty.
func (q *commandQueue) pop() (l inputLine, ok bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			l = q.items[0]
			q.items = q.items[1:]
			q.mu.Unlock()
			return l, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return inputLine{}, false
		}
		<-q.wake
	}
}

// work runs the queued commands one at a time until the queue is closed and
// drained. Once ctx ended (quit, cancellation) the rest are answered with an
// error instead of being run.
func (s *server) work(ctx context.Context) {
	for {
		l, ok := s.queue.pop()
		if !ok {
			return
		}
		if ctx.Err() != nil {
			s.refuse(l)
			continue
		}
		s.handle(ctx, l, "", true)
		s.setBusy("")
	}
}

// dispatch decides where an input line runs and reports whether it asked
// to quit. Only commands that cannot wait on the network, or that must be
// able to end a call whose command is waiting, skip the queue.
func (s *server) dispatch(ctx context.Context, l inputLine) (quit bool) {
	var c command
	if l.err != nil || json.Unmarshal(l.data, &c) != nil {
		return s.handle(ctx, l, "", false) // the error reply
	}
	switch c.Cmd {
	case "quit", "status", "calls":
		return s.handle(ctx, l, "", false)
	case "hangup", "reject":
		busy := s.busyCall()
		if c.Call != "" || (c.Cmd == "hangup" && busy != "") {
			s.others.Add(1)
			go func() {
				defer s.others.Done()
				s.handle(ctx, l, busy, false)
			}()
			return false
		}
	}
	s.queue.push(l)
	return false
}

// setBusy records which call the worker's command acts on ("" for none).
func (s *server) setBusy(id string) {
	s.mu.Lock()
	s.busy = id
	s.mu.Unlock()
}

func (s *server) busyCall() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.busy
}

// refuse answers a queued command that will not run.
func (s *server) refuse(l inputLine) {
	var c command
	_ = json.Unmarshal(l.data, &c)
	s.out.writeFinal(reply{Event: responseEvent, ID: validID(c.ID), Cmd: c.Cmd,
		Error: "The session ended before this command could run."})
}
