package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/demo"
)

// colleaguesStandIn is the window on the real engine signed in to the
// demo stand-in (its colleagues never change on their own), with the
// line's Desk.
func colleaguesStandIn(t *testing.T) *standIn {
	t.Helper()
	_, d, line := demoLine(t, demo.WithComings(0))
	dk := desk.New(line)
	t.Cleanup(dk.Close)
	tracker := conference.NewTracker(line.API(), nil)
	t.Cleanup(tracker.Close)
	f := newRealFixture(t, line.API(), WithConferences(tracker), WithDesk(dk))
	s := &standIn{fixture: f, demo: d, line: line}
	s.waitUntil("registered", func() bool { return strings.HasPrefix(f.m.registration.label.Text, "Registered") })
	return s
}

// shownColleague is the colleague at exten as the window lists it.
// Fyne thread only.
func shownColleague(w *colleaguesWindow, exten string) (desk.Colleague, bool) {
	for _, c := range w.shown {
		if c.Extension == exten {
			return c, true
		}
	}
	return desk.Colleague{}, false
}

// rowFor renders the list row of exten the way the list does and returns
// its name and detail labels and its buttons. Fyne thread only.
func rowFor(w *colleaguesWindow, exten string) (name, detail string, call, transfer, consult *widget.Button) {
	for i, c := range w.shown {
		if c.Extension != exten {
			continue
		}
		o := w.newRow()
		w.updateRow(i, o)
		row := o.(*fyne.Container)
		texts := row.Objects[0].(*fyne.Container)
		buttons := row.Objects[2].(*fyne.Container)
		return texts.Objects[0].(*widget.Label).Text, texts.Objects[1].(*widget.Label).Text,
			buttons.Objects[0].(*widget.Button), buttons.Objects[1].(*widget.Button), buttons.Objects[2].(*widget.Button)
	}
	return "", "", nil, nil, nil
}

// TestColleaguesWindowStandIn: Ctrl+Shift+U opens the window; it lists
// the demo colleagues with presence and line state; a presence change on
// the server and a call ringing at a colleague's extension show within
// the wait; search narrows the list; one click calls; with a call
// active, Transfer and Consult show; choosing Away sets it on the server
// and the event brings it back to the selector.
func TestColleaguesWindowStandIn(t *testing.T) {
	s := colleaguesStandIn(t)
	s.ui.do(func() {
		for _, sc := range s.m.shortcuts() {
			if sc.key == fyne.KeyU && sc.mod == fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift {
				sc.run()
			}
		}
	})
	var w *colleaguesWindow
	s.waitUntil("the colleagues listed", func() bool {
		w = s.m.colleaguesWin
		return w != nil && len(w.shown) == len(demo.Colleagues())
	})
	s.ui.do(func() {
		name, detail, _, transfer, _ := rowFor(w, "1102")
		if name != "Bruno Lefèvre · 1102" || !strings.Contains(detail, "Away") || !strings.Contains(detail, "Back at 2 pm") || !strings.Contains(detail, "Idle") || transfer.Visible() {
			t.Errorf("bruno's row %q %q transfer visible %v", name, detail, transfer.Visible())
		}
		if _, detail, _, _, _ := rowFor(w, "1104"); !strings.HasPrefix(detail, "Do not disturb") {
			t.Errorf("david's row %q", detail)
		}
	})

	// A presence change on the server.
	bruno, _ := s.demo.ColleagueUUID("1102")
	status := ""
	if err := s.demo.Stack().SetPresence(bruno, "available", &status); err != nil {
		t.Fatal(err)
	}
	s.waitUntil("bruno available in the window", func() bool {
		_, detail, _, _, _ := rowFor(w, "1102")
		return strings.HasPrefix(detail, "Available · Idle")
	})

	// Search.
	s.ui.do(func() { w.search.SetText("chloe") })
	s.ui.do(func() {
		if len(w.shown) != 1 || w.shown[0].Extension != "1103" {
			t.Errorf("search chloe: %+v", w.shown)
		}
	})

	// One click calls Chloé (she never answers): her line rings.
	s.ui.do(func() {
		_, _, call, _, _ := rowFor(w, "1103")
		test.Tap(call)
	})
	s.waitUntil("the call to 1103 placed", func() bool {
		for _, cs := range s.m.shown.calls {
			if cs.Number == "1103" {
				return true
			}
		}
		return false
	})
	s.waitUntil("chloé ringing in the window", func() bool {
		c, ok := shownColleague(w, "1103")
		return ok && c.Line == desk.LineRinging
	})
	s.ui.do(func() {
		for _, cs := range s.m.shown.calls {
			if cs.Number == "1103" {
				s.m.onCall("hang up", s.m.api.Hangup)(cs.ID())
			}
		}
	})
	s.waitUntil("chloé idle again", func() bool {
		c, ok := shownColleague(w, "1103")
		return ok && c.Line == desk.LineIdle && len(s.m.shown.calls) == 0
	})

	// With a call to Alice active, the other rows offer Transfer and
	// Consult; Alice's own row does not.
	s.ui.do(func() { w.search.SetText("") })
	s.ui.do(func() {
		_, _, call, _, _ := rowFor(w, "1101")
		test.Tap(call)
	})
	s.waitUntil("alice talking", func() bool {
		c, ok := shownColleague(w, "1101")
		active, live := s.m.activeShown()
		return ok && c.Line == desk.LineTalking && live && active.IsActive()
	})
	s.ui.do(func() {
		_, _, _, transfer, consult := rowFor(w, "1102")
		if !transfer.Visible() || !consult.Visible() {
			t.Errorf("transfer %v consult %v with a call active", transfer.Visible(), consult.Visible())
		}
		if _, _, _, transfer, _ := rowFor(w, "1101"); transfer.Visible() {
			t.Error("transfer offered to the colleague the call is with")
		}
	})

	// My presence.
	s.ui.do(func() { w.mine.SetSelected("Away") })
	s.waitUntil("the stand-in holds away", func() bool {
		p, err := s.demo.Stack().Presence(s.demo.UserUUID())
		return err == nil && p.State == "away"
	})
	s.waitUntil("the event back in the service", func() bool {
		return w.svc.Me().Presence == desk.PresenceAway && w.mine.Selected == "Away"
	})

	// Do not disturb is Settings → Do not disturb: on here and on the
	// server's DND service (colleagues see it, chatd's state stays away);
	// Settings turning it off is reflected in the selector; Available
	// turns it off again and is stored.
	s.ui.do(func() { w.mine.SetSelected("Do not disturb") })
	s.waitUntil("do-not-disturb on here and on the server", func() bool {
		p, err := s.demo.Stack().Presence(s.demo.UserUUID())
		return s.m.dnd && s.m.dndItem.Checked && err == nil && p.DoNotDisturb && w.svc.Me().DND
	})
	if p, _ := s.demo.Stack().Presence(s.demo.UserUUID()); p.State != "away" {
		t.Fatalf("do-not-disturb changed chatd's state to %q", p.State)
	}
	s.ui.do(func() { s.m.setDoNotDisturb(false) })
	s.waitUntil("the selector follows Settings, the server too", func() bool {
		p, _ := s.demo.Stack().Presence(s.demo.UserUUID())
		return w.mine.Selected == "Away" && !p.DoNotDisturb
	})
	s.ui.do(func() { w.mine.SetSelected("Available") })
	s.waitUntil("available stored", func() bool {
		p, err := s.demo.Stack().Presence(s.demo.UserUUID())
		return err == nil && p.State == "available" && !s.m.dnd
	})
}

// TestColleagueDetail: how a colleague's presence and line read.
func TestColleagueDetail(t *testing.T) {
	for _, tc := range []struct {
		c    desk.Colleague
		want string
	}{
		{desk.Colleague{Presence: desk.PresenceAvailable, Line: desk.LineIdle}, "Available · Idle"},
		{desk.Colleague{Presence: desk.PresenceAway, Status: "Lunch", Line: desk.LineTalking}, "Away · “Lunch” · On a call"},
		{desk.Colleague{Presence: desk.PresenceAvailable, DND: true, Line: desk.LineRinging}, "Do not disturb · Ringing"},
		{desk.Colleague{Presence: desk.PresenceInvisible, DND: true, Line: desk.LineIdle}, "Offline"},
		{desk.Colleague{Presence: desk.PresenceUnavailable, Line: desk.LineOffline}, "Offline"},
		{desk.Colleague{Presence: desk.PresenceInvisible, Line: desk.LineTalking}, "Offline · On a call"},
		{desk.Colleague{Presence: desk.PresenceAvailable, Line: desk.LineHolding}, "Available · On hold"},
		{desk.Colleague{Presence: desk.PresenceAvailable, Line: desk.LineCalling}, "Available · Calling"},
	} {
		if got := colleagueDetail(tc.c); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}
