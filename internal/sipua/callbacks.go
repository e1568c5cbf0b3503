package sipua

import (
	"context"
	"sync"
)

// callbackQueue runs one dialog's callbacks one at a time, in the order the
// far end's requests were admitted, on goroutines the UA owns.
//
// sipgo hands every request to its own goroutine, so two INFO digits sent
// back to back can reach our handlers in either order. Each request takes
// a slot when it is admitted (under the dialog lock, after the RFC 3261
// §12.2.2 CSeq check), and the callbacks run in slot order whatever order
// the handlers finish their own work in. No goroutine lives longer than the
// queue has work; none is started once the UA is closing.
type callbackQueue struct {
	ua *UA

	mu      sync.Mutex
	slots   []*callbackSlot
	running bool
}

// callbackSlot is one admitted request's place in the queue: filled with
// the callback to run, or with nil when the request needs none.
type callbackSlot struct {
	fn    func(context.Context)
	ready bool
}

func newCallbackQueue(ua *UA) *callbackQueue { return &callbackQueue{ua: ua} }

// reserve takes the next place in line.
func (q *callbackQueue) reserve() *callbackSlot {
	s := &callbackSlot{}
	q.mu.Lock()
	q.slots = append(q.slots, s)
	q.mu.Unlock()
	return s
}

// fill gives a reserved slot its callback (nil: nothing to run) and makes
// sure a goroutine is draining the queue. It reports false when the UA is
// closed and the callback will not run.
func (q *callbackQueue) fill(s *callbackSlot, fn func(context.Context)) bool {
	q.mu.Lock()
	if s.ready { // filled already: the caller's fallback nil fill
		q.mu.Unlock()
		return true
	}
	s.fn, s.ready = fn, true
	if q.running {
		q.mu.Unlock()
		return true
	}
	q.running = true
	q.mu.Unlock()
	if q.ua.spawn(q.drain) {
		return true
	}
	q.mu.Lock()
	q.slots, q.running = nil, false
	q.mu.Unlock()
	return false
}

// push queues fn after everything already admitted.
func (q *callbackQueue) push(fn func(context.Context)) bool { return q.fill(q.reserve(), fn) }

// drain runs ready callbacks in order and returns at the first slot still
// being prepared (its fill starts the next drain) or when the UA closes.
func (q *callbackQueue) drain(ctx context.Context) {
	for {
		q.mu.Lock()
		if ctx.Err() != nil {
			q.slots, q.running = nil, false
			q.mu.Unlock()
			return
		}
		if len(q.slots) == 0 || !q.slots[0].ready {
			q.running = false
			q.mu.Unlock()
			return
		}
		s := q.slots[0]
		q.slots[0] = nil
		q.slots = q.slots[1:]
		q.mu.Unlock()
		if s.fn != nil {
			s.fn(ctx)
		}
	}
}

// spawn runs f on a goroutine the UA owns, with the UA's context, unless
// the UA is closed; Close cancels that context and waits for f to return.
func (ua *UA) spawn(f func(context.Context)) bool {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	if ua.closed {
		return false
	}
	ua.wg.Add(1)
	go func() {
		defer ua.wg.Done()
		f(ua.ctx)
	}()
	return true
}
