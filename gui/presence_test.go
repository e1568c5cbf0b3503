package gui

import (
	"errors"
	"slices"
	"testing"

	"github.com/parley-voip/parley/phone"
)

func TestDoNotDisturbDeclinesRingingCalls(t *testing.T) {
	f := newFixture(t)
	first := f.e.Ring("1003", "Alice")
	f.waitUntil("the ringing card", func() bool { return len(f.m.incoming.cards) == 1 })
	f.ui.do(func() { f.m.setDoNotDisturb(true) })
	f.waitForOp("Reject " + first.ID())
	f.ui.do(func() {
		if !f.m.dndLine.Visible() || !f.m.dndItem.Checked {
			t.Error("do-not-disturb is on but the window does not say so")
		}
		if !f.m.app.Preferences().Bool(dndPreference) {
			t.Error("do-not-disturb is not kept for the next start")
		}
	})
	second := f.e.Ring("1004", "Bob")
	f.waitForOp("Reject " + second.ID())

	f.ui.do(func() { f.m.setDoNotDisturb(false) })
	third := f.e.Ring("1005", "Carol")
	f.waitUntil("a call rings again", func() bool { return f.m.incoming.cards[third.ID()] != nil })
	if slices.Contains(f.e.Ops(), "Reject "+third.ID()) {
		t.Fatal("a call was declined with do-not-disturb off")
	}
}

func TestTrayStatus(t *testing.T) {
	registered := phone.Registration{State: phone.RegRegistered}
	tests := []struct {
		reg           phone.Registration
		calls, missed int
		dnd           bool
		want          string
	}{
		{registered, 0, 0, false, "Ready for calls"},
		{registered, 2, 1, false, "Ready for calls · 2 calls · 1 missed"},
		{registered, 1, 0, true, "Do not disturb · 1 call"},
		{phone.Registration{State: phone.RegFailed}, 0, 3, false, "Offline: calls cannot reach you · 3 missed"},
		{phone.Registration{State: phone.RegRegistering}, 0, 0, false, "Connecting…"},
		{phone.Registration{State: phone.RegDirect}, 0, 0, false, "Ready for calls"},
	}
	for _, tt := range tests {
		if got := trayStatus(tt.reg, tt.calls, tt.missed, tt.dnd); got != tt.want {
			t.Errorf("trayStatus(%v, %d, %d, %v) = %q, want %q", tt.reg.State, tt.calls, tt.missed, tt.dnd, got, tt.want)
		}
	}
}

type fakeAutostart struct {
	on   bool
	fail error
}

func (a *fakeAutostart) Enabled() (bool, error) { return a.on, nil }
func (a *fakeAutostart) Enable() error {
	if a.fail != nil {
		return a.fail
	}
	a.on = true
	return nil
}
func (a *fakeAutostart) Disable() error { a.on = false; return nil }

func TestStartAtLoginToggle(t *testing.T) {
	a := &fakeAutostart{}
	f := newFixture(t, WithAutostart(a))
	item := f.menuItem("Start Parley when I log in")
	f.ui.do(func() { item.Action() })
	f.ui.do(func() {
		if !a.on || !item.Checked {
			t.Errorf("after the first toggle: enabled %v, checked %v", a.on, item.Checked)
		}
		item.Action()
		if a.on || item.Checked {
			t.Errorf("after the second toggle: enabled %v, checked %v", a.on, item.Checked)
		}
		a.fail = errors.New("the autostart folder is read-only")
		item.Action()
	})
	f.waitUntil("the error", func() bool {
		return f.m.notice.Visible() && f.m.notice.Text == "Could not change starting at login: something went wrong (technical detail: the autostart folder is read-only)."
	})
}
