package gui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// fakeConferences is a conference.Backend and the panel's conferenceControl
// at once: it records what the window asks and publishes only the events the
// test sends, so each test says what the server did. Start marks the other
// calls as merged before returning, as the real backends do before they ask
// the server.
type fakeConferences struct {
	hub *eventq.Hub[conference.Event]

	mu     sync.Mutex
	ops    []string
	merged map[string]string // SIP Call-ID → conference id, "" while pending
	// answerLate: Start leaves its merges pending, as when the server
	// hangs the legs up before it answers; confirm ends the wait.
	answerLate bool
	fail       map[string]error // next call of an op ("Start", "Add"…) fails
}

func newFakeConferences() *fakeConferences {
	return &fakeConferences{hub: eventq.New[conference.Event](), merged: map[string]string{}, fail: map[string]error{}}
}

// confirm is the server's late answer: every pending merge is into confID.
func (b *fakeConferences) confirm(confID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sip, id := range b.merged {
		if id == "" {
			b.merged[sip] = confID
		}
	}
}

func (b *fakeConferences) record(op string, args ...string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ops = append(b.ops, strings.Join(append([]string{op}, args...), " "))
	err := b.fail[op]
	delete(b.fail, op)
	return err
}

func (b *fakeConferences) failNext(op string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail[op] = err
}

func (b *fakeConferences) opsSoFar() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.ops)
}

func (b *fakeConferences) publish(ev conference.Event) { b.hub.Publish(ev) }

func (b *fakeConferences) Start(_ context.Context, host phone.CallSession, others []phone.CallSession) (*conference.Conference, error) {
	ids := make([]string, 0, len(others))
	for _, cs := range others {
		ids = append(ids, cs.SIPCallID)
	}
	if err := b.record("Start", host.SIPCallID, strings.Join(ids, ",")); err != nil {
		return nil, err
	}
	b.mu.Lock()
	for _, id := range ids {
		b.merged[id] = "conf-1"
		if b.answerLate {
			b.merged[id] = ""
		}
	}
	b.mu.Unlock()
	// The window follows events, not the returned conference, which only
	// package conference can make.
	return nil, nil
}

func (b *fakeConferences) Conference(string) (*conference.Conference, bool) { return nil, false }
func (b *fakeConferences) Conferences() []*conference.Conference            { return nil }
func (b *fakeConferences) ConferenceOf(string) (*conference.Conference, bool) {
	return nil, false
}

func (b *fakeConferences) MergedInto(sip string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id, ok := b.merged[sip]
	return id, ok
}

func (b *fakeConferences) Subscribe() (<-chan conference.Event, func()) { return b.hub.Subscribe() }

func (b *fakeConferences) Close() error {
	b.hub.Close()
	return nil
}

func (b *fakeConferences) add(_ context.Context, confID string, call phone.CallSession) error {
	return b.record("Add", confID, call.SIPCallID)
}

func (b *fakeConferences) remove(_ context.Context, confID, participantID string) error {
	return b.record("Remove", confID, participantID)
}

func (b *fakeConferences) hangup(_ context.Context, confID string) error {
	return b.record("Hangup", confID)
}

// confFixture is a window with a conference panel on a fake backend.
type confFixture struct {
	*fixture
	b *fakeConferences
}

func newConfFixture(t *testing.T) *confFixture {
	t.Helper()
	b := newFakeConferences()
	e := phonetest.New()
	tr := conference.NewTracker(e, b)
	// Cleanups run last first: the window closes before the tracker.
	t.Cleanup(func() { tr.Close(); _ = b.Close() })
	f := newFixtureOn(t, e, WithConferences(tr), withConferenceControl(b))
	return &confFixture{fixture: f, b: b}
}

// established rings a call from number and answers it, which puts every
// other call on hold (phonetest does what the real engine does).
func (f *confFixture) established(number, name string) phone.CallSession {
	f.t.Helper()
	cs := f.e.Ring(number, name)
	if err := f.e.Accept(context.Background(), cs.ID()); err != nil {
		f.t.Fatal(err)
	}
	f.waitUntil(name+"'s call connected", func() bool {
		row := f.row(cs.ID())
		return row != nil && strings.Contains(row.details.Text, "Connected")
	})
	return cs
}

func (f *confFixture) waitForConfOp(op string) {
	f.t.Helper()
	deadline := time.Now().Add(patience)
	for !slices.Contains(f.b.opsSoFar(), op) {
		if time.Now().After(deadline) {
			f.t.Fatalf("the window never asked the backend %q; it asked %q", op, f.b.opsSoFar())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// snapshotOf is a live conference hosted on host with the parties of calls,
// keyed by made-up remote channel ids "chan-<number>".
func snapshotOf(host phone.CallSession, merged []phone.CallSession, calls ...phone.CallSession) conference.Snapshot {
	s := conference.Snapshot{ID: "conf-1", Backend: "wazo", Host: host.SIPCallID, HostCallID: "host-chan",
		Participants: map[string]conference.Participant{}, Started: true, Confirmed: true, StartedAt: time.Now()}
	for _, cs := range calls {
		s.Participants["chan-"+cs.Number] = conference.Participant{CallID: "chan-" + cs.Number, SIPCallID: cs.SIPCallID,
			Number: cs.Number, DisplayName: cs.DisplayName, JoinedAt: time.Now()}
	}
	for _, cs := range merged {
		s.Merged = append(s.Merged, cs.SIPCallID)
	}
	return s
}

func (f *confFixture) panel() *conferencePanel { return f.m.conf }

// mergeButton is the focused call's Merge (or Add) button, nil with no
// call. Fyne thread only.
func (f *confFixture) mergeButton() func() *widget.Button {
	return func() *widget.Button {
		if row := f.row(f.m.calls.focused); row != nil {
			return row.conference
		}
		return nil
	}
}

func (f *confFixture) addButton(sip string) func() *widget.Button {
	return func() *widget.Button {
		if row := f.panel().adds.rows[sip]; row != nil && f.panel().liveBox.Visible() {
			return row.button
		}
		return nil
	}
}

func (f *confFixture) removeButton(participant string) func() *widget.Button {
	return func() *widget.Button {
		if row := f.panel().participants.rows[participant]; row != nil && f.panel().liveBox.Visible() {
			return row.button
		}
		return nil
	}
}

func TestNoConferencePanelWithoutBackend(t *testing.T) {
	f := newFixture(t)
	f.ui.do(func() {
		if f.m.conf != nil {
			t.Error("a window without a conference backend shows a conference panel")
		}
	})
}

func TestMergeButtonNeedsTwoEstablishedCalls(t *testing.T) {
	f := newConfFixture(t)
	f.ui.do(func() {
		if f.panel().box.Visible() && f.panel().liveBox.Visible() {
			t.Error("with no conference, the conference panel shows")
		}
	})
	f.established("1003", "Alice")
	ringing := f.e.Ring("1005", "Carol") // ringing calls cannot be merged
	f.waitUntil("Carol ringing", func() bool { return f.m.incoming.cards[ringing.ID()] != nil })
	f.ui.do(func() {
		if b := f.mergeButton()(); b == nil || !b.Disabled() || b.Text != "Merge" {
			t.Error("Merge is enabled with one established call")
		}
	})
	f.established("1004", "Bob")
	f.waitUntil("Merge enabled with two established calls", func() bool {
		return !f.mergeButton()().Disabled()
	})
}

func TestMergeStartsConferenceOnActiveCall(t *testing.T) {
	f := newConfFixture(t)
	alice := f.established("1003", "Alice")
	bob := f.established("1004", "Bob") // Alice is held, Bob is the active call
	carol := f.established("1005", "Carol")
	if err := f.e.Resume(context.Background(), bob.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("Bob active again", func() bool { return strings.Contains(f.row(bob.ID()).badges.Text, "Active") })

	f.tap(f.mergeButton())
	f.waitUntil("the merge dialog", func() bool { return f.m.merging != nil })
	f.ui.do(func() {
		for _, cs := range []phone.CallSession{alice, bob, carol} {
			if c := f.m.merging.checks[cs.ID()]; c == nil || !c.Checked {
				t.Errorf("%s is not ticked to merge by default", cs.DisplayName)
			}
		}
	})
	f.tap(func() *widget.Button { return f.m.merging.merge })
	f.waitForConfOp(fmt.Sprintf("Start %s %s,%s", bob.ID(), alice.ID(), carol.ID()))
}

// Merging three calls, the agent can leave one out, but not all but one.
func TestMergeChosenCalls(t *testing.T) {
	f := newConfFixture(t)
	alice := f.established("1003", "Alice")
	bob := f.established("1004", "Bob")
	carol := f.established("1005", "Carol") // the active call
	f.tap(func() *widget.Button { return f.row(carol.ID()).conference })
	f.waitUntil("the merge dialog", func() bool { return f.m.merging != nil })
	f.ui.do(func() {
		test.Tap(f.m.merging.checks[alice.ID()])
		test.Tap(f.m.merging.checks[bob.ID()])
		if !f.m.merging.merge.Disabled() || !f.m.merging.status.Visible() {
			t.Error("Merge is offered with one call ticked")
		}
		test.Tap(f.m.merging.checks[alice.ID()])
	})
	f.tap(func() *widget.Button { return f.m.merging.merge })
	f.waitForConfOp(fmt.Sprintf("Start %s %s", carol.ID(), alice.ID()))
}

// TestConferenceLifeCycle follows a conference from the merge to its end:
// what the panel shows after each event, what each button asks, and how the
// merged call's end is worded.
func TestConferenceLifeCycle(t *testing.T) {
	f := newConfFixture(t)
	alice := f.established("1003", "Alice")
	bob := f.established("1004", "Bob")
	f.tap(f.mergeButton())
	f.waitForConfOp(fmt.Sprintf("Start %s %s", bob.ID(), alice.ID()))

	f.b.publish(conference.Event{Type: conference.EventStarted, Conference: snapshotOf(bob, []phone.CallSession{alice}, alice, bob)})
	f.waitUntil("the conference with both participants", func() bool {
		texts := f.visibleTexts()
		return containsText(texts, "Conference (2 participants)") &&
			containsText(texts, "Alice (1003)") && containsText(texts, "Bob (1004)") &&
			len(f.panel().participants.rows) == 2 && f.mergeButton()().Text == "Add"
	})

	// The server hangs up our dialog with Alice: she is in the conference now.
	if err := f.e.RemoteHangup(alice.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("Alice's call reported as merged", func() bool {
		return f.row(alice.ID()) == nil && strings.Contains(f.m.notice.Text, "merged into the conference")
	})
	f.ui.do(func() {
		if strings.Contains(f.m.notice.Text, "hung up") || f.m.notice.Importance == widget.DangerImportance {
			t.Errorf("a merged call is shown as ended: %q", f.m.notice.Text)
		}
		if len(f.panel().adds.rows) != 0 {
			t.Errorf("calls in the conference are offered for adding: %v", f.panel().adds.order)
		}
	})

	// A new call can be added; the host leg cannot.
	carol := f.established("1005", "Carol")
	f.waitUntil("an Add button for Carol", func() bool {
		return f.panel().adds.rows[carol.ID()] != nil && containsText(f.visibleTexts(), "Add")
	})
	f.tap(f.addButton(carol.ID()))
	f.waitForConfOp("Add conf-1 " + carol.ID())

	f.tap(f.removeButton("chan-1003"))
	f.waitForConfOp("Remove conf-1 chan-1003")
	left := snapshotOf(bob, []phone.CallSession{alice}, bob)
	p := left.Participants["chan-1003"]
	f.b.publish(conference.Event{Type: conference.EventParticipantLeft, Conference: left, Participant: &p})
	f.waitUntil("Alice gone from the panel", func() bool {
		texts := f.visibleTexts()
		return containsText(texts, "Conference (1 participant)") && f.panel().participants.rows["chan-1003"] == nil
	})

	f.tap(func() *widget.Button { return f.panel().end })
	f.waitUntil("the question before ending", func() bool {
		return containsText(f.overlayTexts(), "hangs up the participant and your own call")
	})
	f.tapOverlay("End conference")
	f.waitForConfOp("Hangup conf-1")
	ended := snapshotOf(bob, []phone.CallSession{alice})
	ended.Finished, ended.EndedAt = true, time.Now()
	f.b.publish(conference.Event{Type: conference.EventEnded, Conference: ended, Reason: "the conference was ended"})
	f.waitUntil("the conference panel gone", func() bool {
		// (visibleTexts also lists texts inside hidden containers.)
		return !f.panel().liveBox.Visible() && len(f.panel().participants.rows) == 0 &&
			f.m.notice.Text == conferenceEndedText
	})
}

// The server may hang a merged dialog up before it answers the merge
// request: the window must not call that an ended call, then or later.
func TestMergedEndBeforeTheServerAnswers(t *testing.T) {
	f := newConfFixture(t)
	f.b.answerLate = true
	alice := f.established("1003", "Alice")
	bob := f.established("1004", "Bob")
	f.tap(f.mergeButton())
	f.waitForConfOp(fmt.Sprintf("Start %s %s", bob.ID(), alice.ID()))
	if err := f.e.RemoteHangup(alice.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("Alice's row gone", func() bool { return f.row(alice.ID()) == nil })
	f.ui.do(func() {
		if strings.Contains(f.m.notice.Text, "hung up") {
			t.Errorf("while the server has not answered, the merged call is shown as ended: %q", f.m.notice.Text)
		}
	})
	f.b.confirm("conf-1")
	f.waitUntil("the call reported as merged", func() bool {
		return strings.Contains(f.m.notice.Text, "Alice (1003) was merged into the conference")
	})
}

func TestConferenceErrorsShown(t *testing.T) {
	f := newConfFixture(t)
	alice := f.established("1003", "Alice")
	bob := f.established("1004", "Bob")

	// The backend's errors already say what failed: shown once, as a sentence.
	f.b.failNext("Start", fmt.Errorf("%w: %w", conference.ErrStart, conference.ErrAlreadyConference))
	f.tap(f.mergeButton())
	f.waitUntil("the start error", func() bool {
		return f.m.notice.Text == "Could not start the conference: the call you are on is already part of a conference."
	})
	f.waitUntil("Merge usable again", func() bool { return !f.mergeButton()().Disabled() })

	f.b.publish(conference.Event{Type: conference.EventStarted, Conference: snapshotOf(bob, nil, alice, bob)})
	f.waitUntil("the conference", func() bool { return len(f.panel().participants.rows) == 2 })

	// Other errors are worded like the window's other actions.
	f.b.failNext("Hangup", fmt.Errorf("%w: %w", conference.ErrHangup, conference.ErrClosed))
	f.tap(func() *widget.Button { return f.panel().end })
	f.waitUntil("the question", func() bool { return containsText(f.overlayTexts(), "End conference") })
	f.tapOverlay("End conference")
	f.waitUntil("the hangup error", func() bool {
		return f.m.notice.Text == "Could not end the conference: conferences are no longer available: the line was closed." &&
			f.m.notice.Importance == widget.DangerImportance
	})
}

func TestMergePlan(t *testing.T) {
	est := func(id string, paused bool) phone.CallSession {
		return phone.CallSession{SIPCallID: id, Status: phone.StatusEstablished, Paused: paused}
	}
	ringing := phone.CallSession{SIPCallID: "r", Status: phone.StatusIncoming}
	tests := []struct {
		name       string
		calls      []phone.CallSession
		active     string
		wantHost   string
		wantOthers []string
		wantOK     bool
	}{
		{"one call", []phone.CallSession{est("a", false), ringing}, "a", "", nil, false},
		{"active host", []phone.CallSession{est("a", true), ringing, est("b", false)}, "b", "b", []string{"a"}, true},
		{"held active host", []phone.CallSession{est("a", true), est("b", true)}, "a", "a", []string{"b"}, true},
		{"no active: the one not held", []phone.CallSession{est("a", true), est("b", false)}, "", "b", []string{"a"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := conference.Plan(tt.calls, tt.active, nil)
			host, ok := plan.Host, err == nil
			var ids []string
			for _, cs := range plan.Others {
				ids = append(ids, cs.SIPCallID)
			}
			if ok != tt.wantOK || host.SIPCallID != tt.wantHost || !slices.Equal(ids, tt.wantOthers) {
				t.Errorf("mergePlan = %q %q %v, want %q %q %v", host.SIPCallID, ids, ok, tt.wantHost, tt.wantOthers, tt.wantOK)
			}
		})
	}
}

// The window's own control finds conferences in the backend; one the
// backend does not know is reported, not called.
func TestBackendControlUnknownConference(t *testing.T) {
	c := backendControl{newFakeConferences()}
	ctx := context.Background()
	for name, err := range map[string]error{
		"add":    c.add(ctx, "gone", phone.CallSession{SIPCallID: "a"}),
		"remove": c.remove(ctx, "gone", "chan-1"),
		"hangup": c.hangup(ctx, "gone"),
	} {
		if !errors.Is(err, conference.ErrNoSuchConf) {
			t.Errorf("%s on an unknown conference: %v, want ErrNoSuchConf", name, err)
		}
	}
	if got := conferenceErrorText("end the conference", conference.ErrNoSuchConf); got != "Could not end the conference: there is no such conference." {
		t.Errorf("error text = %q", got)
	}
}
