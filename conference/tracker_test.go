package conference

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
)

// mergeBackend is a Backend whose merged set the test writes, as the real
// backends do around their requests: pending ("") before asking the
// server, the conference id once it answered, forgotten when it refused.
type mergeBackend struct {
	hub *eventq.Hub[Event]

	mu     sync.Mutex
	merged map[string]string
	confs  []*Conference
}

func newMergeBackend() *mergeBackend {
	return &mergeBackend{hub: eventq.New[Event](), merged: map[string]string{}}
}

func (b *mergeBackend) setMerged(sip, confID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.merged[sip] = confID
}

func (b *mergeBackend) forget(sip string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.merged, sip)
}

func (b *mergeBackend) Start(context.Context, phone.CallSession, []phone.CallSession) (*Conference, error) {
	return nil, ErrStart
}
func (b *mergeBackend) Conference(string) (*Conference, bool) { return nil, false }
func (b *mergeBackend) Conferences() []*Conference {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.confs)
}
func (b *mergeBackend) ConferenceOf(string) (*Conference, bool) { return nil, false }
func (b *mergeBackend) MergedInto(sip string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id, ok := b.merged[sip]
	return id, ok
}
func (b *mergeBackend) Subscribe() (<-chan Event, func()) { return b.hub.Subscribe() }
func (b *mergeBackend) Close() error                      { b.hub.Close(); return nil }

// trackerRig is a tracker on a fake phone and backend, with one
// subscription read into a log.
type trackerRig struct {
	ph *fakePhone
	b  *mergeBackend
	tr *Tracker

	mu      sync.Mutex
	updates []Update
	closed  chan struct{}
}

func newTrackerRig(t *testing.T, opts ...Option) *trackerRig {
	t.Helper()
	r := &trackerRig{ph: newFakePhone(), b: newMergeBackend(), closed: make(chan struct{})}
	r.tr = NewTracker(r.ph, r.b, opts...)
	ch, stop := r.tr.Subscribe()
	go func() {
		defer close(r.closed)
		for u := range ch {
			r.mu.Lock()
			r.updates = append(r.updates, u)
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { stop(); r.tr.Close(); _ = r.b.Close() })
	return r
}

func (r *trackerRig) phoneEvent(typ phone.EventType, sip string) {
	r.ph.hub.Publish(phone.Event{Type: typ, Call: &phone.CallSession{SIPCallID: sip}})
}

func (r *trackerRig) got() []Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.updates)
}

func (r *trackerRig) waitCount(t *testing.T, n int) []Update {
	t.Helper()
	waitFor(t, "updates", func() bool { return len(r.got()) >= n })
	return r.got()
}

// describe renders updates as short strings, so orders compare at a glance.
func describe(us []Update) []string {
	var out []string
	for _, u := range us {
		switch {
		case u.Phone != nil:
			s := string(u.Phone.Type) + " " + u.Phone.Call.SIPCallID
			if u.Merged {
				s += " merged into " + u.ConferenceID
			}
			out = append(out, s)
		case u.Conference != nil:
			out = append(out, string(u.Conference.Type)+" "+u.Conference.Conference.ID)
		}
	}
	return out
}

func TestTrackerWordsTheEndOfEveryDialog(t *testing.T) {
	tests := []struct {
		name string
		// before runs before the dialog's call_ended; after runs once the
		// tracker has seen it (the server answering late).
		before, after func(b *mergeBackend)
		want          string
	}{
		{
			name: "a real hang-up",
			want: "call_ended sip-a",
		},
		{
			name:   "merged, the server had already answered",
			before: func(b *mergeBackend) { b.setMerged("sip-a", "conf-1") },
			want:   "call_ended sip-a merged into conf-1",
		},
		{
			name:   "merged, the BYE came before the server's answer",
			before: func(b *mergeBackend) { b.setMerged("sip-a", "") },
			after:  func(b *mergeBackend) { b.setMerged("sip-a", "conf-2") },
			want:   "call_ended sip-a merged into conf-2",
		},
		{
			name:   "the merge was refused after all",
			before: func(b *mergeBackend) { b.setMerged("sip-a", "") },
			after:  func(b *mergeBackend) { b.forget("sip-a") },
			want:   "call_ended sip-a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTrackerRig(t)
			if tt.before != nil {
				tt.before(r.b)
			}
			r.phoneEvent(phone.EventCallEnded, "sip-a")
			// An event behind the end must never overtake it.
			r.phoneEvent(phone.EventCallHeld, "sip-b")
			if tt.after != nil {
				// Give the tracker time to see (and hold) the end first;
				// the assertion below does not depend on how long.
				time.Sleep(50 * time.Millisecond)
				if got := r.got(); len(got) != 0 {
					t.Fatalf("published %v before the server answered", describe(got))
				}
				tt.after(r.b)
			}
			got := describe(r.waitCount(t, 2))
			if want := []string{tt.want, "call_held sip-b"}; !slices.Equal(got, want) {
				t.Errorf("updates = %q, want %q", got, want)
			}
			if _, merged := r.tr.MergedInto("sip-a"); merged != (tt.want != "call_ended sip-a") {
				t.Errorf("MergedInto(sip-a) merged = %v after %q", merged, tt.want)
			}
		})
	}
}

// A server that never confirms does not hold the phone's events forever.
func TestTrackerStopsWaitingForAnUnconfirmedMerge(t *testing.T) {
	r := newTrackerRig(t, WithReadyTimeout(100*time.Millisecond))
	r.b.setMerged("sip-a", "")
	r.phoneEvent(phone.EventCallEnded, "sip-a")
	r.phoneEvent(phone.EventCallAccepted, "sip-b")
	got := describe(r.waitCount(t, 2))
	if want := []string{"call_ended sip-a merged into ", "call_accepted sip-b"}; !slices.Equal(got, want) {
		t.Errorf("updates = %q, want %q", got, want)
	}
}

func TestTrackerFollowsConferences(t *testing.T) {
	r := newTrackerRig(t)
	one := Snapshot{ID: "c1", Host: "host", Participants: map[string]Participant{"p1": {CallID: "p1"}}, Started: true}
	two := Snapshot{ID: "c2", Host: "other", Participants: map[string]Participant{}, Started: true}
	r.b.hub.Publish(Event{Type: EventStarted, Conference: one})
	r.b.hub.Publish(Event{Type: EventStarted, Conference: two})
	merged := one
	merged.Merged = []string{"sip-a"}
	r.b.hub.Publish(Event{Type: EventCallMerged, Conference: merged, SIPCallID: "sip-a"})
	ended := one
	ended.Finished = true
	r.b.hub.Publish(Event{Type: EventEnded, Conference: ended})

	got := r.waitCount(t, 4)
	lives := make([][]string, len(got))
	for i, u := range got {
		for _, s := range u.Live {
			lives[i] = append(lives[i], s.ID)
		}
	}
	want := [][]string{{"c1"}, {"c1", "c2"}, {"c1", "c2"}, {"c2"}}
	for i := range want {
		if !slices.Equal(lives[i], want[i]) {
			t.Errorf("update %d (%s): live %v, want %v", i, describe(got[i:i+1]), lives[i], want[i])
		}
	}
	if live := r.tr.Live(); len(live) != 1 || live[0].ID != "c2" {
		t.Errorf("Live() = %v, want c2 alone", live)
	}
	// A merged dialog stays known after its conference ended: its end may
	// still be on its way.
	if id, ok := r.tr.MergedInto("sip-a"); !ok || id != "c1" {
		t.Errorf("MergedInto(sip-a) = %q %v, want c1", id, ok)
	}
	// The snapshots handed out are copies.
	got[0].Live[0].Participants["p9"] = Participant{}
	if _, leaked := r.tr.Live()[0].Participants["p9"]; leaked {
		t.Error("a subscriber's change leaked into the tracker")
	}
}

// Conferences already running when the tracker starts are in Live at once.
func TestTrackerSeedsRunningConferences(t *testing.T) {
	b := newMergeBackend()
	c := newConference(nil, newRegistry(), "wazo", "c0", phone.CallSession{SIPCallID: "host"}, time.Now())
	b.confs = []*Conference{c}
	tr := NewTracker(newFakePhone(), b)
	defer tr.Close()
	if live := tr.Live(); len(live) != 1 || live[0].ID != "c0" {
		t.Errorf("Live() = %v, want c0", live)
	}
}

// Without a backend the tracker forwards the phone's events, and Close ends
// every subscription.
func TestTrackerWithoutBackend(t *testing.T) {
	ph := newFakePhone()
	tr := NewTracker(ph, nil)
	ch, stop := tr.Subscribe()
	defer stop()
	ph.hub.Publish(phone.Event{Type: phone.EventRegistered})
	select {
	case u := <-ch:
		if u.Phone == nil || u.Phone.Type != phone.EventRegistered || u.Merged || u.Live == nil {
			t.Errorf("update = %+v, want the registered event with an empty live list", u)
		}
	case <-time.After(waitLong):
		t.Fatal("no update")
	}
	if tr.Backend() != nil {
		t.Error("Backend() is not nil")
	}
	tr.Close()
	for range ch { // closed by Close, or this test hangs
	}
}
