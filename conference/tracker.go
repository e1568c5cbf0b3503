package conference

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
)

// PhoneEvents is the part of the phone the tracker follows.
type PhoneEvents interface {
	Subscribe() (<-chan phone.Event, func())
}

// Update is one change a front end shows, in the one order every front end
// sees: either a phone event or a conference event, never both.
type Update struct {
	Phone      *phone.Event
	Conference *Event
	// Merged is set on the call_ended (or call_failed) of a dialog the
	// server hung up because it was folded into a conference: for the agent
	// the conversation goes on, in ConferenceID. ConferenceID is "" only if
	// the server never confirmed the conference within the ready timeout.
	Merged       bool
	ConferenceID string
	// Live are the live conferences right after this change, oldest first.
	Live []Snapshot
}

// Tracker is the one view of a line's conferences that every front end
// reads: the live conferences with their participants, the set of dialogs
// merged into them, and a single ordered stream of phone and conference
// events in which the end of a merged dialog already says it was merged.
//
// Why it exists: the phone and the backend publish on two streams that are
// not ordered with each other, and a merged dialog's BYE can arrive before
// the server has answered the request that caused it. Without the tracker
// each front end had to guess, reorder, or reword what it had shown.
//
// The tracker may be made without a backend (b nil): it then forwards the
// phone's events alone, so a front end has one code path with or without
// conferences.
type Tracker struct {
	b   Backend
	cfg config
	hub *eventq.Hub[Update]

	mu     sync.Mutex
	live   []Snapshot        // oldest first
	merged map[string]string // SIP Call-ID → conference id, as published

	stop context.CancelFunc
	done chan struct{}
}

// mergePoll is how often a held call_ended re-asks the backend whether its
// merge was confirmed. Backends record merges in a map and publish no event
// when a failed merge is forgotten, so polling (only while holding) is what
// notices both outcomes.
const mergePoll = 20 * time.Millisecond

// NewTracker starts following ph and b (which may be nil). Close stops it.
// The options used are WithReadyTimeout (how long a merged dialog's end
// waits for the server's confirmation; default 5 s) and WithClock.
func NewTracker(ph PhoneEvents, b Backend, opts ...Option) *Tracker {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	ctx, stop := context.WithCancel(context.Background())
	t := &Tracker{b: b, cfg: cfg, hub: eventq.New[Update](), merged: map[string]string{}, stop: stop, done: make(chan struct{})}
	// Subscribe here, before returning, so that nothing published after
	// NewTracker returns can be missed; then seed with what already runs.
	phoneEvents, stopPhone := ph.Subscribe()
	var confEvents <-chan Event
	stopConf := func() {}
	if b != nil {
		confEvents, stopConf = b.Subscribe()
		for _, c := range b.Conferences() {
			if c != nil {
				t.apply(Event{Conference: c.Snapshot()})
			}
		}
	}
	go func() {
		defer close(t.done)
		defer t.hub.Close()
		defer stopPhone()
		defer stopConf()
		t.run(ctx, phoneEvents, confEvents)
	}()
	return t
}

// Backend is the backend the tracker follows (nil without conferences);
// front ends run conference actions on it.
func (t *Tracker) Backend() Backend { return t.b }

// Subscribe returns every update from now on, in order, and a function that
// ends the subscription. The channel closes after Close.
func (t *Tracker) Subscribe() (<-chan Update, func()) { return t.hub.Subscribe() }

// Live returns the live conferences, oldest first.
func (t *Tracker) Live() []Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	return cloneSnapshots(t.live)
}

// MergedInto reports whether the tracker has published sipCallID as merged
// into a conference, and which.
func (t *Tracker) MergedInto(sipCallID string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id, ok := t.merged[sipCallID]
	return id, ok
}

// Close stops following the phone and the backend and closes every
// subscription once its queue is delivered. It does not close the backend.
func (t *Tracker) Close() {
	t.stop()
	<-t.done
}

func (t *Tracker) run(ctx context.Context, phoneEvents <-chan phone.Event, confEvents <-chan Event) {
	// held are phone events not yet published, oldest first: the head waits
	// while it is the end of a dialog whose merge the server has not
	// confirmed yet, and everything behind it waits too, so the order is
	// kept.
	var held []phone.Event
	var heldSince time.Time
	var poll *time.Ticker
	var pollC <-chan time.Time
	defer func() {
		if poll != nil {
			poll.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-phoneEvents:
			if !ok {
				phoneEvents = nil
				if confEvents == nil && len(held) == 0 {
					return
				}
				continue
			}
			held = append(held, ev)
		case ev, ok := <-confEvents:
			if !ok {
				confEvents = nil
				continue
			}
			t.apply(ev)
			t.hub.Publish(Update{Conference: &ev, Live: t.Live()})
		case <-pollC:
		}
		var waiting bool
		held, waiting = t.release(held, &heldSince)
		switch {
		case waiting && poll == nil:
			poll = time.NewTicker(mergePoll)
			pollC = poll.C
		case !waiting && poll != nil:
			poll.Stop()
			poll, pollC = nil, nil
		}
		if phoneEvents == nil && len(held) == 0 && confEvents == nil {
			return
		}
	}
}

// release publishes held phone events from the head until one must wait
// for the server; it returns what is still held and whether it waits.
func (t *Tracker) release(held []phone.Event, since *time.Time) ([]phone.Event, bool) {
	for len(held) > 0 {
		ev := held[0]
		u := Update{Phone: &ev}
		if sip := endedDialog(ev); sip != "" && t.b != nil {
			confID, merged := t.b.MergedInto(sip)
			if merged && confID == "" {
				if since.IsZero() {
					*since = time.Now()
				}
				if time.Since(*since) < t.cfg.readyTimeout {
					return held, true
				}
			}
			u.Merged, u.ConferenceID = merged, confID
			if merged {
				t.markMerged(sip, confID)
			}
		}
		*since = time.Time{}
		u.Live = t.Live()
		t.hub.Publish(u)
		held[0] = phone.Event{}
		held = held[1:]
	}
	return held, false
}

// endedDialog is the SIP Call-ID of the dialog ev ends, if it ends one.
func endedDialog(ev phone.Event) string {
	if ev.Call == nil || (ev.Type != phone.EventCallEnded && ev.Type != phone.EventCallFailed) {
		return ""
	}
	return ev.Call.SIPCallID
}

func (t *Tracker) markMerged(sip, confID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.merged[sip] = confID
}

// apply records the snapshot a conference event carries; a finished
// conference leaves the live list, and its merged dialogs are remembered
// (their ends may still be on the way).
func (t *Tracker) apply(ev Event) {
	s := ev.Conference
	if s.ID == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, sip := range s.Merged {
		t.merged[sip] = s.ID
	}
	at := slices.IndexFunc(t.live, func(l Snapshot) bool { return l.ID == s.ID })
	switch {
	case s.Finished && at >= 0:
		t.live = slices.Delete(t.live, at, at+1)
	case s.Finished:
	case at >= 0:
		t.live[at] = s
	default:
		t.live = append(t.live, s)
	}
}

func cloneSnapshots(in []Snapshot) []Snapshot {
	out := make([]Snapshot, len(in))
	for i, s := range in {
		out[i] = s.clone()
	}
	return out
}
