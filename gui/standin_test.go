package gui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// standIn is the window on the real phone engine, signed in to the embedded
// Wazo stand-in over HTTPS, the event websocket and SIP over WSS, with
// calld's ad-hoc conferences: what an agent's Parley runs in demo mode.
type standIn struct {
	*fixture
	demo *demo.Demo
	line *wazoline.Line
}

func newStandIn(t *testing.T) *standIn {
	t.Helper()
	return newStandInWith(t, nil)
}

// newStandInWith is newStandIn with more window options made from the
// line (nil: none).
func newStandInWith(t *testing.T, more func(*wazoline.Line) []Option) *standIn {
	t.Helper()
	// The stand-in and the line live as long as this context: the test's
	// whole run, ended by the cleanup that runs last.
	_, d, line := demoLine(t)
	backend, err := conference.NewWazo(line)
	if err != nil {
		t.Fatal(err)
	}
	tracker := conference.NewTracker(line.API(), backend)
	t.Cleanup(func() { tracker.Close(); _ = backend.Close() })
	opts := []Option{WithConferences(tracker)}
	if more != nil {
		opts = append(opts, more(line)...)
	}
	f := newRealFixture(t, line.API(), opts...)
	s := &standIn{fixture: f, demo: d, line: line}
	s.waitUntil("registered", func() bool { return strings.HasPrefix(f.m.registration.label.Text, "Registered") })
	return s
}

// demoLine starts the demo stand-in and signs a real Wazo line in to it,
// both closed when the test ends; ctx lives as long as the test.
func demoLine(t *testing.T, opts ...demo.Option) (context.Context, *demo.Demo, *wazoline.Line) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(), wazoline.WithPinnedCertificate(d.CertificateSHA256()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = line.Close(ctx)
	})
	return ctx, d, line
}

// focused is the call at the top of the window. Fyne thread only.
func (s *standIn) focused() (phone.CallSession, *callRow) {
	for _, cs := range s.m.shown.calls {
		if cs.ID() == s.m.calls.focused {
			return cs, s.row(cs.ID())
		}
	}
	return phone.CallSession{}, nil
}

// dialByKeyboard types number in the number box and presses Enter, then
// waits for the call to be connected and focused.
func (s *standIn) dialByKeyboard(number string) phone.CallSession {
	s.t.Helper()
	s.ui.do(func() {
		s.m.Window().Canvas().Focus(s.m.dialer.entry)
		test.Type(s.m.dialer.entry, number)
	})
	pressEnter(s.fixture)
	var cs phone.CallSession
	s.waitUntil(number+" connected and focused", func() bool {
		c, row := s.focused()
		cs = c
		return row != nil && c.Number == number && c.Status == phone.StatusEstablished
	})
	return cs
}

func (s *standIn) ring(from string) {
	s.t.Helper()
	if _, err := s.demo.RingMe(from); err != nil {
		s.t.Fatal(err)
	}
}

// cardFrom is the ringing card of the call from number. Fyne thread only.
func (s *standIn) cardFrom(number string) *incomingCard {
	for _, cs := range s.m.shown.calls {
		if cs.Number == number && cs.Status == phone.StatusIncoming {
			return s.m.incoming.cards[cs.ID()]
		}
	}
	return nil
}

// The call window's flows on the real engine and the Wazo stand-in: keypad
// digits reach the far end as RFC 4733 events, two calls ring while one
// talks, the keyboard answers one and declines the other, the agent merges
// chosen calls, adds one, removes one and ends the conference after
// confirming.
func TestWindowOnTheWazoStandIn(t *testing.T) {
	s := newStandIn(t)

	echo := s.dialByKeyboard("9000")
	s.ui.do(func() { test.Type(s.m.dialer.entry, "5#1") })
	s.waitUntil("the far end to receive 5#1 as RFC 4733 events", func() bool {
		cs, ok := s.line.API().Session(echo.ID())
		if !ok || cs.Call == nil {
			return false
		}
		for _, id := range cs.Call.TalkingToIDs() {
			if p, ok := s.demo.Stack().Peer(id); ok && p.Digits() == "5#1" {
				return true
			}
		}
		return false
	})
	s.ui.do(func() {
		if got := s.m.dialer.entry.Text; got != "" {
			t.Errorf("the tones also went into the number box: %q", got)
		}
	})

	// Two calls ring while the echo call talks; its controls stay usable.
	s.ring("1001")
	s.waitUntil("1001 ringing", func() bool { return s.cardFrom("1001") != nil })
	s.ring("1002")
	s.waitUntil("two ringing cards", func() bool { return len(s.m.incoming.cards) == 2 })
	s.ui.do(func() {
		cs, row := s.focused()
		if cs.ID() != echo.ID() || row.hangup.Disabled() || row.hold.Disabled() || row.mute.Disabled() {
			t.Error("the call in progress lost its controls while calls ring")
		}
	})
	// Enter in the empty number box answers the call ringing longest;
	// Escape declines the other.
	pressEnter(s.fixture)
	s.waitUntil("1001 answered and focused, the echo call held", func() bool {
		cs, _ := s.focused()
		echoNow, _ := s.m.shownCall(echo.ID())
		return cs.Number == "1001" && cs.Status == phone.StatusEstablished && echoNow.Paused
	})
	s.ui.do(func() { s.m.dialer.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	s.waitUntil("1002 declined", func() bool {
		return len(s.m.incoming.cards) == 0 && len(s.m.recent.calls) > 0 && s.m.recent.calls[0].kind == "Declined"
	})

	// Merge chosen calls: with three connected, leave the echo call out.
	s.ring("1002")
	s.waitUntil("1002 ringing", func() bool { return s.cardFrom("1002") != nil })
	s.tap(func() *widget.Button { return s.cardFrom("1002").answer })
	s.waitUntil("1002 focused, two calls held", func() bool {
		cs, _ := s.focused()
		return cs.Number == "1002" && cs.IsActive() && len(s.m.shown.calls) == 3
	})
	s.tap(func() *widget.Button { _, row := s.focused(); return row.conference })
	s.waitUntil("the merge dialog, every call ticked", func() bool {
		if s.m.merging == nil || len(s.m.merging.checks) != 3 {
			return false
		}
		for _, c := range s.m.merging.checks {
			if !c.Checked {
				return false
			}
		}
		return true
	})
	s.ui.do(func() { test.Tap(s.m.merging.checks[echo.ID()]) })
	s.tap(func() *widget.Button { return s.m.merging.merge })
	s.waitUntil("a conference of 1001 and 1002, the echo call left out and held", func() bool {
		_, row := s.focused()
		echoNow, ok := s.m.shownCall(echo.ID())
		return s.m.shown.conference.live && s.m.shown.conference.size == 2 && row != nil &&
			row.who.Text == "Conference (2 participants)" && len(s.m.shown.calls) == 2 && ok && echoNow.Paused
	})

	// Add: switch to the echo call, bring it in; the conference is live
	// again at once, not left on hold.
	s.tap(func() *widget.Button { return s.row(echo.ID()).resume })
	s.waitUntil("the echo call focused", func() bool { cs, _ := s.focused(); return cs.ID() == echo.ID() && !cs.Paused })
	s.tap(func() *widget.Button { return s.row(echo.ID()).conference })
	s.waitUntil("three in the conference, not on hold", func() bool {
		cs, row := s.focused()
		return s.m.shown.conference.size == 3 && cs.SIPCallID == s.m.shown.conference.host && !cs.Paused &&
			row.who.Text == "Conference (3 participants)"
	})

	// Remove one: the conference goes on.
	var remove *widget.Button
	s.ui.do(func() {
		for _, id := range s.m.conf.participants.order {
			if row := s.m.conf.participants.rows[id]; strings.Contains(row.label.Text, "1002") {
				remove = row.button
			}
		}
	})
	if remove == nil {
		t.Fatal("no Remove for 1002 in the conference panel")
	}
	s.tap(func() *widget.Button { return remove })
	s.waitUntil("two left, the conference live", func() bool {
		return s.m.shown.conference.live && s.m.shown.conference.size == 2
	})

	// End: asked first; Escape keeps it, Enter ends it.
	s.tap(func() *widget.Button { return s.m.conf.end })
	s.waitUntil("the question", func() bool { return s.m.ending != nil && s.m.modal != nil })
	s.key(fyne.KeyEscape)
	s.waitUntil("the question gone", func() bool { return s.m.modal == nil })
	s.ui.do(func() {
		if !s.m.shown.conference.live {
			t.Fatal("Escape ended the conference")
		}
	})
	s.tap(func() *widget.Button { return s.m.conf.end })
	s.waitUntil("the question", func() bool { return s.m.modal != nil })
	s.key(fyne.KeyReturn)
	s.waitUntil("the conference ended, said so", func() bool {
		return !s.m.shown.conference.live && len(s.m.shown.calls) == 0 && s.m.notice.Text == conferenceEndedText
	})
}

// Blind and attended transfers on the real engine: calld's transfer API
// on this Wazo line.
func TestTransfersOnTheWazoStandIn(t *testing.T) {
	s := newStandIn(t)

	customer := s.dialByKeyboard("9000")
	s.tap(func() *widget.Button { return s.row(customer.ID()).transfer })
	s.waitUntil("the transfer dialog", func() bool { return s.m.transfer != nil })
	s.ui.do(func() { test.Type(s.m.transfer.number, "1001") })
	s.tap(func() *widget.Button { return s.m.transfer.now })
	s.waitUntil("the call handed over, said so", func() bool {
		return len(s.m.shown.calls) == 0 && strings.Contains(s.m.notice.Text, "1001")
	})

	customer = s.dialByKeyboard("9000")
	s.tap(func() *widget.Button { return s.row(customer.ID()).transfer })
	s.waitUntil("the transfer dialog", func() bool { return s.m.transfer != nil })
	s.ui.do(func() { test.Type(s.m.transfer.number, "1002") })
	s.tap(func() *widget.Button { return s.m.transfer.first })
	var consult phone.CallSession
	s.waitUntil("talking to 1002 first, the customer held", func() bool {
		cs, row := s.focused()
		consult = cs
		waiting, _ := s.m.shownCall(customer.ID())
		return cs.Number == "1002" && cs.Status == phone.StatusEstablished && waiting.Paused && row.complete.Visible()
	})
	s.tap(func() *widget.Button { return s.row(consult.ID()).complete })
	// (The list can empty before the events that say why reach the window.)
	s.waitUntil("both calls gone once the transfer completes, said so", func() bool {
		n := s.m.notice
		return len(s.m.shown.calls) == 0 && n.Importance != widget.DangerImportance &&
			strings.Contains(n.Text, "ended: the call was transferred")
	})

	// Closing with a live call asks; Keep my calls keeps it.
	s.dialByKeyboard("9000")
	s.ui.do(func() { s.m.confirmClose() })
	s.waitUntil("the question", func() bool { return s.m.closing != nil })
	s.tap(func() *widget.Button { return s.m.closing.keep })
	s.ui.do(func() {
		if s.m.closed || len(s.m.shown.calls) != 1 {
			t.Errorf("Keep my calls: closed %v, %d calls", s.m.closed, len(s.m.shown.calls))
		}
	})
}
