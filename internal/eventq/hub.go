// Package eventq delivers values to any number of subscribers, each in order,
// without ever blocking the publisher: every subscriber has its own queue that
// grows as needed, drained by a goroutine the subscription owns.
//
// This is how the phone engine keeps its promise that a slow listener (a GUI
// busy redrawing, a headless client not reading stdin) never stalls the SIP
// stack and never misses an event.
package eventq

import "sync"

// Hub fans values out to subscribers. The zero value is not usable; call New.
type Hub[T any] struct {
	mu     sync.Mutex
	subs   map[*subscriber[T]]struct{}
	closed bool
}

// New returns an empty hub.
func New[T any]() *Hub[T] {
	return &Hub[T]{subs: make(map[*subscriber[T]]struct{})}
}

type subscriber[T any] struct {
	mu      sync.Mutex
	queue   []T
	closing bool // the hub closed: deliver what is queued, then close out
	wake    chan struct{}
	done    chan struct{}
	out     chan T
	stopped sync.Once
}

// Subscribe starts a subscription. Values published from now on arrive on the
// returned channel in publication order. The cancel function ends the
// subscription and closes the channel; it is safe to call more than once.
// After the hub is closed, the channel is closed once the queue is drained.
func (h *Hub[T]) Subscribe() (<-chan T, func()) {
	s := &subscriber[T]{
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
		out:  make(chan T),
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(s.out)
		return s.out, func() {}
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	go s.run()
	cancel := func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
		s.stop()
	}
	return s.out, cancel
}

// Publish queues v for every current subscriber. It never blocks on a reader.
func (h *Hub[T]) Publish(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	for s := range h.subs {
		s.mu.Lock()
		s.queue = append(s.queue, v)
		s.mu.Unlock()
		s.poke()
	}
}

// Backlog reports how many values are queued for the current
// subscriptions and not yet taken by their readers: the deepest queue and
// the sum. It is a diagnostic (a soak samples it): a queue that only grows
// is a reader that stopped reading, and its memory with it.
func (h *Hub[T]) Backlog() (deepest, total int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.mu.Lock()
		n := len(s.queue)
		s.mu.Unlock()
		total += n
		deepest = max(deepest, n)
	}
	return deepest, total
}

// Close ends every subscription after its queued values are delivered.
// Later Publish calls are ignored.
func (h *Hub[T]) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	subs := h.subs
	h.subs = map[*subscriber[T]]struct{}{}
	h.mu.Unlock()
	for s := range subs {
		s.finish()
	}
}

func (s *subscriber[T]) stop() { s.stopped.Do(func() { close(s.done) }) }

// finish asks run to deliver what is queued, then close the channel.
func (s *subscriber[T]) finish() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.poke()
}

func (s *subscriber[T]) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber[T]) run() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return
			}
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		v := s.queue[0]
		var zero T
		s.queue[0] = zero // let the garbage collector have it
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- v:
		case <-s.done:
			return
		}
	}
}
