package conference

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// Tones of the three calling peers: far enough apart to be told apart in a
// mix (internal/wazostandin's chord notes and the Tone Bot's A4).
const (
	toneA = wazostandin.ToneBotHz // 440
	toneB = wazostandin.ChordE5Hz // 659.25
	toneC = wazostandin.ChordC5Hz // 523.25
)

func testLogger() *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// stackEnv is the demo stack, the demo user's Wazo line and its conference
// backend, plus recorders of every phone, Wazo and conference event.
type stackEnv struct {
	d     *demo.Demo
	line  *wazoline.Line
	conf  *Wazo
	phone *phonetest.Recorder
	wazo  *wazoLog
	log   *eventLog
	audio *recordingAudio
}

func newStackEnv(t *testing.T, opts ...wazostandin.Option) *stackEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	d, err := demo.Start(context.Background(), demo.WithLogger(testLogger()), demo.WithStackOptions(opts...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	audio := newRecordingAudio()
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(),
		wazoline.WithPinnedCertificate(d.CertificateSHA256()), wazoline.WithLogger(testLogger()),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}),
			phone.WithQualityInterval(0), phone.WithAudio(audio)))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() {
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})
	e := &stackEnv{d: d, line: line, audio: audio, phone: phonetest.Record(t, line.Phone()), wazo: watchWazo(t, line)}
	e.conf, err = NewWazo(line, WithLogger(testLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.conf.Close() })
	e.log = watchConf(t, e.conf)
	return e
}

// party is one scripted peer calling the agent, accepted and bridged.
type party struct {
	rc   *wazostandin.RingingCall
	sip  string // the agent's dialog with it
	peer string // its channel (the remote call id)
	tone float64
}

// ring makes a tone peer call the agent and accepts it (which holds the
// previous call, as the SDK's accept does; calld conferences held legs).
func (e *stackEnv) ring(t *testing.T, number, name string, tone float64) party {
	t.Helper()
	rc, err := e.d.Stack().Ring(e.d.UserUUID(), number, name, wazostandin.WithRingTone(tone))
	if err != nil {
		t.Fatal(err)
	}
	e.phone.WaitCall(phone.EventCallIncoming, rc.SIPCallID, nil)
	if err := e.line.Phone().Accept(context.Background(), rc.SIPCallID); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	e.phone.WaitCall(phone.EventCallUpdated, rc.SIPCallID, func(cs phone.CallSession) bool {
		return cs.Call != nil && slices.Contains(cs.Call.TalkingToIDs(), rc.PeerCallID)
	})
	return party{rc: rc, sip: rc.SIPCallID, peer: rc.PeerCallID, tone: tone}
}

func (e *stackEnv) session(t *testing.T, p party) phone.CallSession {
	t.Helper()
	cs, ok := e.line.Phone().Session(p.sip)
	if !ok {
		t.Fatalf("no session %s", p.sip)
	}
	return cs
}

// hears waits until p's peer has heard every tone of want and none of
// notWant in its last half second (the stack's mix-minus bridge: nobody
// hears themselves).
func hears(t *testing.T, p party, want []float64, notWant []float64) {
	t.Helper()
	hearsFrom(t, "peer "+p.rc.Peer.Exten(), p.rc.Peer.Heard, want, notWant)
}

// hearsFrom is hears for any recording (the agent's host leg too).
func hearsFrom(t *testing.T, who string, rec func() []int16, want []float64, notWant []float64) {
	t.Helper()
	var last string
	deadline := time.Now().Add(waitLong)
	for {
		heard := rec()
		if len(heard) >= codec.SampleRate {
			tail := heard[len(heard)-codec.SampleRate/2:]
			ok := true
			last = ""
			for _, f := range want {
				if r := dsp.ToneRMS(tail, codec.SampleRate, f); r < 0.03 {
					ok = false
					last += " missing " + ftoa(f) + " Hz"
				}
			}
			for _, f := range notWant {
				if r := dsp.ToneRMS(tail, codec.SampleRate, f); r >= 0.03 {
					ok = false
					last += " unexpected " + ftoa(f) + " Hz"
				}
			}
			if ok {
				levels := ""
				for _, f := range slices.Concat(want, notWant) {
					levels += " " + ftoa(f) + "Hz=" + strconv.FormatFloat(dsp.ToneRMS(tail, codec.SampleRate, f), 'f', 3, 64)
				}
				t.Logf("%s hears:%s", who, levels)
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s hears the wrong mix:%s", who, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

func done(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestWazoConferenceLifecycle: 3 parties merged, a 4th added, one removed,
// one hanging up alone, the last one leaving ends it (docs/wazo-protocol.md, Ad-hoc conferences, docs/wazo-protocol.md, Stand-in differences).
// joinOrders are the two orders of the 201 and the participants' joined
// events: the stand-in's default (joined first) and a real calld's
// (joined after the reply, wazo-calld plugins/adhoc_conferences/stasis.py).
// The backend must not depend on either.
var joinOrders = []struct {
	name string
	opts []wazostandin.Option
}{
	{"joined before the 201", nil},
	{"joined after the 201", []wazostandin.Option{wazostandin.WithAdhocJoinedAfterReply()}},
}

func TestWazoConferenceLifecycle(t *testing.T) {
	for _, o := range joinOrders {
		t.Run(o.name, func(t *testing.T) { testWazoConferenceLifecycle(t, o.opts...) })
	}
}

func testWazoConferenceLifecycle(t *testing.T, opts ...wazostandin.Option) {
	e := newStackEnv(t, opts...)
	ctx := context.Background()
	a := e.ring(t, "2001", "Alice", toneA)
	b := e.ring(t, "2002", "Bob", toneB)

	// Merge: host = the held call with Alice, other = Bob (the usual two
	// calls, "merge").
	c, err := e.conf.Start(ctx, e.session(t, a), []phone.CallSession{e.session(t, b)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	id := c.ID()
	e.wazo.wait(t, "conference_adhoc_created", id, "")
	for _, p := range []party{a, b} {
		e.log.wait(t, EventParticipantJoined, func(ev Event) bool { return ev.Participant.CallID == p.peer })
	}
	s := c.Snapshot()
	if !slices.Equal(s.ParticipantIDs(), sorted(a.peer, b.peer)) || s.Host != a.sip || !s.Started || s.Finished {
		t.Fatalf("after start: %+v", s)
	}
	waitFor(t, "conference_adhoc_created applied", func() bool { return c.Snapshot().Confirmed })
	// The host leg is marked as the SDK marks its host session.
	if cs := e.session(t, a); !cs.Conference {
		t.Fatal("the host leg is not marked conference")
	}
	if p := s.Participants[b.peer]; p.Number != "2002" || p.SIPCallID != b.sip {
		t.Fatalf("participant Bob %+v", p)
	}
	// Bob's dialog was discarded by calld: merged, not a plain end.
	e.phone.WaitCall(phone.EventCallEnded, b.sip, nil)
	if id2, ok := e.conf.MergedInto(b.sip); !ok || id2 != id {
		t.Fatalf("Bob's leg merged into %q %v, want %q", id2, ok, id)
	}
	e.log.wait(t, EventCallMerged, func(ev Event) bool { return ev.SIPCallID == b.sip })
	if isMerged(e.conf, a.sip) {
		t.Fatal("the host leg is marked merged")
	}
	// The host leg talks to every member.
	e.phone.WaitCall(phone.EventCallUpdated, a.sip, talksToAll(a.peer, b.peer))
	// Audio through the stack's mixing bridge.
	hears(t, a, []float64{toneB}, []float64{toneA})
	hears(t, b, []float64{toneA}, []float64{toneB})
	if cs := e.session(t, a); cs.Paused {
		t.Fatal("the host leg is still held after the merge")
	}
	hearsFrom(t, "the agent (host leg)", func() []int16 { return e.audio.Heard(a.sip) }, []float64{toneA, toneB}, []float64{toneC})

	// Add a fourth party.
	cc := e.ring(t, "2003", "Carol", toneC)
	if err := c.AddParticipant(ctx, e.session(t, cc)); err != nil {
		t.Fatalf("AddParticipant: %v", err)
	}
	e.log.wait(t, EventParticipantJoined, func(ev Event) bool { return ev.Participant.CallID == cc.peer })
	e.phone.WaitCall(phone.EventCallEnded, cc.sip, nil)
	if !isMerged(e.conf, cc.sip) {
		t.Fatal("Carol's leg is not marked merged")
	}
	e.phone.WaitCall(phone.EventCallUpdated, a.sip, talksToAll(a.peer, b.peer, cc.peer))
	if got := c.Snapshot().ParticipantIDs(); !slices.Equal(got, sorted(a.peer, b.peer, cc.peer)) {
		t.Fatalf("participants %v", got)
	}
	hears(t, cc, []float64{toneA, toneB}, []float64{toneC})
	hears(t, a, []float64{toneB, toneC}, []float64{toneA})

	// Errors from a live stack: 409s.
	if _, err := e.conf.Start(ctx, e.session(t, a), []phone.CallSession{e.session(t, a)}); !errors.Is(err, ErrNoCalls) {
		t.Fatalf("start with no other call: %v", err)
	}
	if err := c.AddParticipant(ctx, e.session(t, a)); !errors.Is(err, wazo.ErrParticipantAlreadyInConference) {
		t.Fatalf("adding a member again: %v", err)
	} else {
		t.Logf("adding a member again: %v", err)
	}
	d := e.ring(t, "2004", "Dave", toneA)
	if _, err := e.conf.Start(ctx, e.session(t, a), []phone.CallSession{e.session(t, d)}); !errors.Is(err, wazo.ErrHostAlreadyInConference) {
		t.Fatalf("second conference on the same host: %v", err)
	} else {
		t.Logf("second conference on the same host: %v", err)
	}
	if isMerged(e.conf, d.sip) {
		t.Fatal("a refused start left Dave's leg marked merged")
	}
	d.rc.Hangup()
	e.phone.WaitCall(phone.EventCallEnded, d.sip, nil)

	// Remove Carol: calld hangs her up, the conference goes on.
	if err := c.RemoveParticipant(ctx, cc.peer); err != nil {
		t.Fatalf("RemoveParticipant: %v", err)
	}
	waitFor(t, "Carol hung up", func() bool { return done(cc.rc.Done()) })
	e.log.wait(t, EventParticipantLeft, func(ev Event) bool { return ev.Participant.CallID == cc.peer })
	e.wazo.wait(t, "conference_adhoc_participant_left", id, cc.peer)
	if s := c.Snapshot(); s.Finished || !slices.Equal(s.ParticipantIDs(), sorted(a.peer, b.peer)) {
		t.Fatalf("after remove: %+v", s)
	}
	hears(t, a, []float64{toneB}, []float64{toneA, toneC})

	// Bob hangs up on his own: he leaves the list, the conference goes on.
	b.rc.Hangup()
	e.log.wait(t, EventParticipantLeft, func(ev Event) bool { return ev.Participant.CallID == b.peer })
	if s := c.Snapshot(); s.Finished || !slices.Equal(s.ParticipantIDs(), []string{a.peer}) {
		t.Fatalf("after Bob left: %+v", s)
	}

	// Alice, the last participant, leaves: calld ends everything.
	a.rc.Hangup()
	ended := e.log.wait(t, EventEnded, nil)
	e.wazo.wait(t, "conference_adhoc_deleted", id, "")
	if !ended.Conference.Finished || len(ended.Conference.Participants) != 0 {
		t.Fatalf("ended: %+v", ended.Conference)
	}
	e.phone.WaitCall(phone.EventCallEnded, a.sip, nil)
	if len(e.conf.Conferences()) != 0 {
		t.Fatal("a finished conference is still listed")
	}
}

// TestWazoConferenceFourAtOnceAndHangup: host + three parties in one Start,
// then Hangup ends it for everybody (docs/wazo-protocol.md, Ad-hoc conferences: Delete).
func TestWazoConferenceFourAtOnceAndHangup(t *testing.T) {
	for _, o := range joinOrders {
		t.Run(o.name, func(t *testing.T) { testWazoConferenceFourAtOnceAndHangup(t, o.opts...) })
	}
}

func testWazoConferenceFourAtOnceAndHangup(t *testing.T, opts ...wazostandin.Option) {
	e := newStackEnv(t, opts...)
	ctx := context.Background()
	a := e.ring(t, "3001", "Alice", toneA)
	b := e.ring(t, "3002", "Bob", toneB)
	c3 := e.ring(t, "3003", "Carol", toneC)

	c, err := e.conf.Start(ctx, e.session(t, c3), []phone.CallSession{e.session(t, a), e.session(t, b)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	for _, p := range []party{a, b, c3} {
		e.log.wait(t, EventParticipantJoined, func(ev Event) bool { return ev.Participant.CallID == p.peer })
	}
	for _, p := range []party{a, b} {
		e.phone.WaitCall(phone.EventCallEnded, p.sip, nil)
		if !isMerged(e.conf, p.sip) {
			t.Fatalf("%s not merged", p.sip)
		}
	}
	e.phone.WaitCall(phone.EventCallUpdated, c3.sip, talksToAll(a.peer, b.peer, c3.peer))
	if got := c.Snapshot().ParticipantIDs(); !slices.Equal(got, sorted(a.peer, b.peer, c3.peer)) {
		t.Fatalf("participants %v", got)
	}
	if cf, ok := e.conf.ConferenceOf(c3.sip); !ok || cf != c {
		t.Fatal("ConferenceOf(host leg) does not find it")
	}
	hears(t, a, []float64{toneB, toneC}, []float64{toneA})
	hears(t, b, []float64{toneA, toneC}, []float64{toneB})
	hears(t, c3, []float64{toneA, toneB}, []float64{toneC})
	hearsFrom(t, "the agent (host leg)", func() []int16 { return e.audio.Heard(c3.sip) }, []float64{toneA, toneB, toneC}, nil)

	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	s := c.Snapshot()
	if !s.Finished || len(s.Participants) != 0 || s.EndedAt.IsZero() {
		t.Fatalf("after Hangup: %+v", s)
	}
	e.wazo.wait(t, "conference_adhoc_deleted", c.ID(), "")
	for _, p := range []party{a, b, c3} {
		waitFor(t, "peer hung up", func() bool { return done(p.rc.Done()) })
	}
	e.phone.WaitCall(phone.EventCallEnded, c3.sip, nil)
	if isMerged(e.conf, c3.sip) {
		t.Fatal("the host leg's end is reported as a merge")
	}
	if n := count(e.log.types(), EventEnded); n != 1 {
		t.Fatalf("%d ended events, want 1", n)
	}
	// Operations on a finished conference say so plainly.
	if err := c.RemoveParticipant(ctx, a.peer); !errors.Is(err, ErrFinished) {
		t.Fatalf("remove after hangup: %v", err)
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("second Hangup: %v", err)
	}
}

func count(ts []EventType, typ EventType) int {
	n := 0
	for _, x := range ts {
		if x == typ {
			n++
		}
	}
	return n
}

func sorted(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }

func talksToAll(ids ...string) func(phone.CallSession) bool {
	return func(cs phone.CallSession) bool {
		if cs.Call == nil {
			return false
		}
		for _, id := range ids {
			if _, ok := cs.Call.TalkingTo[id]; !ok {
				return false
			}
		}
		return true
	}
}

// wazoLog records the line's Wazo events.
type wazoLog struct {
	mu  sync.Mutex
	evs []wazoline.Event
}

func watchWazo(t *testing.T, line *wazoline.Line) *wazoLog {
	ch, stop := line.Subscribe()
	l := &wazoLog{}
	fin := make(chan struct{})
	go func() {
		defer close(fin)
		for ev := range ch {
			l.mu.Lock()
			l.evs = append(l.evs, ev)
			l.mu.Unlock()
		}
	}()
	t.Cleanup(func() { stop(); <-fin })
	return l
}

func (l *wazoLog) wait(t *testing.T, name, conf, call string) {
	t.Helper()
	waitFor(t, name, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, ev := range l.evs {
			if ev.Name == name && ev.ConferenceID == conf && (call == "" || ev.CallID == call) {
				return true
			}
		}
		return false
	})
}
