package conference

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

const waitLong = 30 * time.Second

// fakePhone is a phoneView whose sessions the test sets.
type fakePhone struct {
	hub *eventq.Hub[phone.Event]
	mu  sync.Mutex
	css map[string]phone.CallSession
}

func newFakePhone(css ...phone.CallSession) *fakePhone {
	f := &fakePhone{hub: eventq.New[phone.Event](), css: map[string]phone.CallSession{}}
	for _, cs := range css {
		f.css[cs.SIPCallID] = cs
	}
	return f
}

func (f *fakePhone) Session(id string) (phone.CallSession, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cs, ok := f.css[id]
	return cs, ok
}

func (f *fakePhone) Resume(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cs := f.css[id]
	cs.Paused = false
	f.css[id] = cs
	return nil
}

func (f *fakePhone) Subscribe() (<-chan phone.Event, func()) { return f.hub.Subscribe() }

func (f *fakePhone) SetConference(id string, on bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	cs, ok := f.css[id]
	if ok {
		cs.Conference = on
		f.css[id] = cs
	}
	return ok
}

func (f *fakePhone) set(cs phone.CallSession) {
	f.mu.Lock()
	f.css[cs.SIPCallID] = cs
	f.mu.Unlock()
	f.hub.Publish(phone.Event{Type: phone.EventCallUpdated, Call: &cs})
}

// bridged is an established session whose server side talks to peer.
func bridged(sip, own, peer string) phone.CallSession {
	return phone.CallSession{SIPCallID: sip, CallID: own, Number: "n-" + peer, DisplayName: "Party " + peer,
		Status: phone.StatusEstablished, Answered: true,
		Call: &phone.ServerCall{CallID: own, SIPCallID: &sip, TalkingTo: map[string]*string{peer: nil}}}
}

// fakeLine feeds wazoline events.
type fakeLine struct{ hub *eventq.Hub[wazoline.Event] }

func newFakeLine() *fakeLine { return &fakeLine{hub: eventq.New[wazoline.Event]()} }

func (l *fakeLine) subscribe() (<-chan wazoline.Event, func()) { return l.hub.Subscribe() }

func (l *fakeLine) send(name, conf, call string) {
	l.hub.Publish(wazoline.Event{Name: name, ConferenceID: conf, CallID: call})
}

// fakeCalld records requests and lets a hook run "while the server handles
// the request" (calld publishes events before it answers, docs/wazo-protocol.md, Ad-hoc conferences).
type fakeCalld struct {
	mu     sync.Mutex
	reqs   []string
	during func(op string)
	err    error
	confID string
}

func (c *fakeCalld) do(op string) error {
	c.mu.Lock()
	c.reqs = append(c.reqs, op)
	during, err := c.during, c.err
	c.mu.Unlock()
	if during != nil {
		during(op)
	}
	return err
}

func (c *fakeCalld) CreateAdhocConference(_ context.Context, host string, ps []string) (string, error) {
	if err := c.do("create " + host + " " + join(ps)); err != nil {
		return "", err
	}
	return c.confID, nil
}
func (c *fakeCalld) AddAdhocParticipant(_ context.Context, conf, call string) error {
	return c.do("add " + conf + " " + call)
}
func (c *fakeCalld) RemoveAdhocParticipant(_ context.Context, conf, call string) error {
	return c.do("remove " + conf + " " + call)
}
func (c *fakeCalld) DeleteAdhocConference(_ context.Context, conf string) error {
	return c.do("delete " + conf)
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

// eventLog records conference events.
type eventLog struct {
	mu  sync.Mutex
	evs []Event
}

func watchConf(t *testing.T, b Backend) *eventLog {
	t.Helper()
	ch, stop := b.Subscribe()
	l := &eventLog{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			l.mu.Lock()
			l.evs = append(l.evs, ev)
			l.mu.Unlock()
		}
	}()
	t.Cleanup(func() { stop(); <-done })
	return l
}

func (l *eventLog) types() []EventType {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []EventType
	for _, e := range l.evs {
		out = append(out, e.Type)
	}
	return out
}

// wait returns the first event of typ satisfying ok (nil = any).
func (l *eventLog) wait(t *testing.T, typ EventType, ok func(Event) bool) Event {
	t.Helper()
	var got Event
	waitFor(t, string(typ), func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, e := range l.evs {
			if e.Type == typ && (ok == nil || ok(e)) {
				got = e
				return true
			}
		}
		return false
	})
	return got
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isMerged is MergedInto without the id.
func isMerged(b Backend, sipCallID string) bool {
	_, ok := b.MergedInto(sipCallID)
	return ok
}
