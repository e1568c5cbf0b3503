package phonetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone"
)

// Subscriber is anything that publishes phone events: a *phone.Phone, an
// *Engine, any phone.API.
type Subscriber interface {
	Subscribe() (<-chan phone.Event, func())
}

// DefaultPatience bounds every wait of a Recorder unless WithPatience says
// otherwise. It is a ceiling for a broken build on a busy machine, not a
// performance assertion.
const DefaultPatience = 20 * time.Second

// RecorderOption configures Record.
type RecorderOption func(*Recorder)

// WithPatience sets how long a Recorder waits before it fails the test.
func WithPatience(d time.Duration) RecorderOption {
	return func(r *Recorder) { r.patience = d }
}

// Recorder collects every event of one subscription, from Record on, so a
// test can wait for events in order (Next, Expect) or look for one among all
// it has seen (WaitCall). Its goroutine ends at the test's cleanup.
type Recorder struct {
	t        testing.TB
	patience time.Duration

	mu      sync.Mutex
	events  []phone.Event
	closed  bool          // the subscription ended
	changed chan struct{} // closed and replaced on every change
	cursor  int           // Next and Expect consume from here
}

// Record subscribes to src at once; events published afterwards are kept.
func Record(t testing.TB, src Subscriber, opts ...RecorderOption) *Recorder {
	t.Helper()
	r := &Recorder{t: t, patience: DefaultPatience, changed: make(chan struct{})}
	for _, o := range opts {
		o(r)
	}
	ch, stop := src.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			r.mu.Lock()
			r.events = append(r.events, ev)
			r.signalLocked()
			r.mu.Unlock()
		}
		r.mu.Lock()
		r.closed = true
		r.signalLocked()
		r.mu.Unlock()
	}()
	t.Cleanup(func() { stop(); <-done })
	return r
}

func (r *Recorder) signalLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// await calls find under the lock until it reports true, the subscription
// ends or patience runs out; what names the wait in the failure.
func (r *Recorder) await(what string, find func() bool) {
	r.t.Helper()
	deadline := time.NewTimer(r.patience)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		if find() {
			r.mu.Unlock()
			return
		}
		closed, changed := r.closed, r.changed
		r.mu.Unlock()
		if closed {
			r.t.Fatalf("the event stream closed while waiting for %s; saw %s", what, r.History())
		}
		select {
		case <-changed:
		case <-deadline.C:
			r.t.Fatalf("no %s within %s; saw %s", what, r.patience, r.History())
		}
	}
}

// Next returns the next event, after those already taken by Next or Expect,
// whose type is one of types, skipping the others.
func (r *Recorder) Next(types ...phone.EventType) phone.Event {
	r.t.Helper()
	var got phone.Event
	r.await(fmt.Sprint(types), func() bool {
		for r.cursor < len(r.events) {
			ev := r.events[r.cursor]
			r.cursor++
			if slices.Contains(types, ev.Type) {
				got = ev
				return true
			}
		}
		return false
	})
	return got
}

// NextTypes returns the types of the next n events, skipping none.
func (r *Recorder) NextTypes(n int) []phone.EventType {
	r.t.Helper()
	var got []phone.EventType
	r.await(fmt.Sprintf("%d more events", n), func() bool {
		for len(got) < n && r.cursor < len(r.events) {
			got = append(got, r.events[r.cursor].Type)
			r.cursor++
		}
		return len(got) == n
	})
	return got
}

// Expect fails the test unless the next events are exactly want, in order.
func (r *Recorder) Expect(want ...phone.EventType) {
	r.t.Helper()
	if got := r.NextTypes(len(want)); !slices.Equal(got, want) {
		r.t.Fatalf("events = %v, want %v", got, want)
	}
}

// WaitCall returns the call of the first event recorded so far or later of
// type typ for the dialog sipCallID whose call satisfies ok (nil: any). It
// does not move Next's cursor.
func (r *Recorder) WaitCall(typ phone.EventType, sipCallID string, ok func(phone.CallSession) bool) phone.CallSession {
	r.t.Helper()
	var got phone.CallSession
	r.await(string(typ)+" for "+sipCallID, func() bool {
		for _, ev := range r.events {
			if ev.Type == typ && ev.Call != nil && ev.Call.SIPCallID == sipCallID && (ok == nil || ok(*ev.Call)) {
				got = *ev.Call
				return true
			}
		}
		return false
	})
	return got
}

// Events returns every event recorded so far.
func (r *Recorder) Events() []phone.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// History renders the events recorded so far, for failure messages.
func (r *Recorder) History() string {
	var b strings.Builder
	for _, ev := range r.Events() {
		fmt.Fprintf(&b, "%s(%d %q) ", ev.Type, ev.Code, ev.Reason)
	}
	return strings.TrimSpace(b.String())
}
