package conference

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/parley-voip/parley/phone"
)

// localFakePhone is a fakePhone that can hang calls up and, like the real
// engine, holds every other established call when one is resumed.
type localFakePhone struct {
	*fakePhone
	mu      sync.Mutex
	ops     []string
	hangups []string
}

func newLocalFakePhone(css ...phone.CallSession) *localFakePhone {
	return &localFakePhone{fakePhone: newFakePhone(css...)}
}

func (f *localFakePhone) record(op string) {
	f.mu.Lock()
	f.ops = append(f.ops, op)
	f.mu.Unlock()
}

func (f *localFakePhone) Resume(ctx context.Context, id string) error {
	f.record("resume " + id)
	f.fakePhone.mu.Lock()
	for k, cs := range f.css {
		if k != id && cs.Status == phone.StatusEstablished {
			cs.Paused = true
			f.css[k] = cs
		}
	}
	f.fakePhone.mu.Unlock()
	return f.fakePhone.Resume(ctx, id)
}

func (f *localFakePhone) Hangup(_ context.Context, id string) error {
	f.record("hangup " + id)
	f.end(id)
	return nil
}

// end is the call ending (our hang-up or the party's).
func (f *localFakePhone) end(id string) {
	f.fakePhone.mu.Lock()
	cs, ok := f.css[id]
	cs.Status = phone.StatusEnded
	f.css[id] = cs
	f.fakePhone.mu.Unlock()
	if ok {
		f.hub.Publish(phone.Event{Type: phone.EventCallEnded, Call: &cs})
	}
}

func (f *localFakePhone) opList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ops)
}

// alongsidePhone can resume without holding the others.
type alongsidePhone struct{ *localFakePhone }

func (a alongsidePhone) ResumeAlongside(ctx context.Context, id string) error {
	a.record("alongside " + id)
	return a.fakePhone.Resume(ctx, id)
}

// fakeMixer records the audio engine's conference membership.
type fakeMixer struct {
	mu      sync.Mutex
	members []string
	ended   int
}

func (m *fakeMixer) SetConference(ids ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.members = slices.Clone(ids)
	return nil
}

func (m *fakeMixer) EndConference() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.members = nil
	m.ended++
}

func (m *fakeMixer) get() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.members)
}

func plainCall(sip string, paused bool) phone.CallSession {
	return phone.CallSession{SIPCallID: sip, Number: "n-" + sip, DisplayName: "Party " + sip,
		Status: phone.StatusEstablished, Answered: true, Paused: paused}
}

func sessions(t *testing.T, ph interface {
	Session(string) (phone.CallSession, bool)
}, ids ...string) []phone.CallSession {
	t.Helper()
	var out []phone.CallSession
	for _, id := range ids {
		cs, ok := ph.Session(id)
		if !ok {
			t.Fatalf("no session %s", id)
		}
		out = append(out, cs)
	}
	return out
}

// TestLocalLifecycle: start (participants keyed by SIP Call-ID, all mixed,
// nothing merged), add, remove (hung up, the rest go on), a party hanging
// up alone, and the last one leaving ends it.
func TestLocalLifecycle(t *testing.T) {
	ph := newLocalFakePhone(plainCall("a", false), plainCall("b", true), plainCall("c", true), plainCall("d", true))
	mix := &fakeMixer{}
	l := newLocal(ph, mix)
	defer l.Close()
	log := watchConf(t, l)
	ss := sessions(t, ph, "a", "b", "c", "d")

	c, err := l.Start(context.Background(), ss[0], []phone.CallSession{ss[1], ss[2], ss[0]})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	if s.Backend != "local" || s.Host != "a" || !slices.Equal(s.ParticipantIDs(), []string{"a", "b", "c"}) || len(s.Merged) != 0 {
		t.Fatalf("snapshot %+v", s)
	}
	if p := s.Participants["b"]; p.SIPCallID != "b" || p.Number != "n-b" || p.JoinedAt.IsZero() {
		t.Fatalf("participant b %+v", p)
	}
	if got := mix.get(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("mixed %v", got)
	}
	if isMerged(l, "b") || isMerged(l, "a") {
		t.Fatal("a local conference merges no dialog")
	}
	if got, ok := l.ConferenceOf("a"); !ok || got != c {
		t.Fatal("ConferenceOf the host leg")
	}
	// Without ResumeAlongside only the live host stays; held legs are not
	// resumed (it would hold the host again).
	if ops := ph.opList(); len(ops) != 0 {
		t.Fatalf("phone operations %v", ops)
	}
	if _, err := l.Start(context.Background(), ss[3], ss[:1]); err == nil {
		t.Fatal("a second local conference started")
	}

	if err := c.AddParticipant(context.Background(), ss[3]); err != nil {
		t.Fatal(err)
	}
	if got := mix.get(); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("mixed after add %v", got)
	}
	if err := c.AddParticipant(context.Background(), ss[3]); err == nil {
		t.Fatal("added twice")
	}

	if err := c.RemoveParticipant(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	if got := mix.get(); !slices.Equal(got, []string{"a", "b", "d"}) {
		t.Fatalf("mixed after remove %v", got)
	}
	if !slices.Contains(ph.opList(), "hangup c") {
		t.Fatalf("the removed party was not hung up: %v", ph.opList())
	}

	ph.end("b") // b hangs up alone
	log.wait(t, EventParticipantLeft, func(e Event) bool { return e.Participant.CallID == "b" })
	if got := c.Snapshot().ParticipantIDs(); !slices.Equal(got, []string{"a", "d"}) {
		t.Fatalf("participants after b left %v", got)
	}
	ph.end("a")
	ph.end("d")
	ended := log.wait(t, EventEnded, nil)
	if !ended.Conference.Finished || len(ended.Conference.Participants) != 0 || mix.ended == 0 {
		t.Fatalf("ended %+v (mixer ended %d)", ended.Conference, mix.ended)
	}
	want := []EventType{EventStarted, EventParticipantJoined, EventParticipantJoined, EventParticipantJoined,
		EventParticipantJoined, EventParticipantLeft, EventParticipantLeft, EventParticipantLeft, EventParticipantLeft, EventEnded}
	if got := log.types(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// TestLocalHangup hangs every leg up and leaves no participants.
func TestLocalHangup(t *testing.T) {
	ph := newLocalFakePhone(plainCall("a", true), plainCall("b", false))
	mix := &fakeMixer{}
	l := newLocal(ph, mix)
	defer l.Close()
	log := watchConf(t, l)
	ss := sessions(t, ph, "a", "b")
	c, err := l.Start(context.Background(), ss[0], ss[1:])
	if err != nil {
		t.Fatal(err)
	}
	// A held host is taken off hold, as the Wazo backend does (the phone
	// then holds b at the SIP level: see Local.resume).
	if got, want := ph.opList(), []string{"resume a"}; !slices.Equal(got, want) {
		t.Fatalf("phone operations %v, want %v", got, want)
	}
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	ops := ph.opList()
	if !slices.Contains(ops, "hangup a") || !slices.Contains(ops, "hangup b") {
		t.Fatalf("phone operations %v", ops)
	}
	ev := log.wait(t, EventEnded, nil)
	if ev.Reason != "the conference was ended" || len(ev.Conference.Participants) != 0 || !c.Snapshot().Finished {
		t.Fatalf("ended %+v", ev)
	}
	if mix.get() != nil {
		t.Fatalf("still mixing %v", mix.get())
	}
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatalf("second hangup: %v", err)
	}
	if len(l.Conferences()) != 0 {
		t.Fatal("a finished conference is still live")
	}
}

// TestLocalResumes: every held leg is resumed when the phone can do it
// without holding the others; without it, only a held host is resumed.
func TestLocalResumes(t *testing.T) {
	ph := alongsidePhone{newLocalFakePhone(plainCall("a", true), plainCall("b", true), plainCall("c", false))}
	l := newLocal(ph, &fakeMixer{})
	defer l.Close()
	ss := sessions(t, ph, "a", "b", "c")
	c, err := l.Start(context.Background(), ss[0], ss[1:])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ph.opList(), []string{"alongside a", "alongside b"}; !slices.Equal(got, want) {
		t.Fatalf("operations %v, want %v", got, want)
	}
	// Dialling a new party holds every leg; adding it resumes them all.
	ph.set(plainCall("a", true))
	ph.set(plainCall("b", true))
	ph.set(plainCall("c", true))
	ph.set(plainCall("d", false))
	d, _ := ph.Session("d")
	if err := c.AddParticipant(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if got, want := ph.opList()[2:], []string{"alongside a", "alongside b", "alongside c"}; !slices.Equal(got, want) {
		t.Fatalf("operations after add %v, want %v", got, want)
	}

	ph2 := newLocalFakePhone(plainCall("a", true), plainCall("b", true))
	l2 := newLocal(ph2, &fakeMixer{})
	defer l2.Close()
	ss = sessions(t, ph2, "a", "b")
	if _, err := l2.Start(context.Background(), ss[0], ss[1:]); err != nil {
		t.Fatal(err)
	}
	if got, want := ph2.opList(), []string{"resume a"}; !slices.Equal(got, want) {
		t.Fatalf("operations %v, want %v", got, want)
	}
}

// TestLocalRefusals: unanswered or unknown calls, no other call.
func TestLocalRefusals(t *testing.T) {
	ringing := plainCall("r", false)
	ringing.Answered, ringing.Ringing, ringing.Status = false, true, phone.StatusIncoming
	ph := newLocalFakePhone(plainCall("a", false), ringing)
	l := newLocal(ph, &fakeMixer{})
	defer l.Close()
	a, _ := ph.Session("a")
	for name, others := range map[string][]phone.CallSession{
		"none": nil, "self": {a}, "ringing": {ringing}, "unknown": {{SIPCallID: "zz"}},
	} {
		if _, err := l.Start(context.Background(), a, others); err == nil {
			t.Errorf("%s: started", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if len(l.Conferences()) != 0 {
		t.Fatal("a refused start left a conference")
	}
}
