package gui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/internal/version"
)

// menuItem finds a main-menu item by label. Fyne thread only.
func (f *fixture) menuItem(label string) *fyne.MenuItem {
	for _, menu := range f.m.Window().MainMenu().Items {
		for _, it := range menu.Items {
			if it.Label == label {
				return it
			}
		}
	}
	f.t.Fatalf("no menu item %q", label)
	return nil
}

// press runs the shortcut the menu shows for label, checking its keys.
func (f *fixture) press(label string, key fyne.KeyName, mod fyne.KeyModifier) {
	f.t.Helper()
	f.ui.do(func() {
		it := f.menuItem(label)
		sc, ok := it.Shortcut.(*desktop.CustomShortcut)
		if !ok || sc.KeyName != key || sc.Modifier != mod {
			f.t.Fatalf("%q has shortcut %v, want %s with modifiers %d", label, it.Shortcut, key, mod)
		}
		it.Action()
	})
}

// The keyboard commands act on what the window shows: answer and decline
// the oldest ringing call, hold, mute and hang up the active one, switch
// between calls; Enter in an empty number box answers, Escape clears it.
func TestKeyboardShortcuts(t *testing.T) {
	ctrl, shift := fyne.KeyModifierShortcutDefault, fyne.KeyModifierShift
	f := newFixture(t)
	alice := f.e.Ring("1003", "Alice")
	bob := f.e.Ring("1004", "Bob")
	f.waitUntil("two ringing cards", func() bool { return len(f.m.incoming.cards) == 2 })

	f.press("Answer the ringing call", fyne.KeyA, ctrl|shift)
	f.waitForOp("Accept " + alice.ID())
	f.waitUntil("Alice talking", func() bool { return f.m.talking == alice.ID() })
	f.press("Decline the ringing call", fyne.KeyD, ctrl|shift)
	f.waitForOp("Reject " + bob.ID())

	f.press("Mute or unmute the active call", fyne.KeyM, ctrl)
	f.waitForOp("Mute " + alice.ID())
	f.waitUntil("muted", func() bool { return f.row(alice.ID()).unmute.Visible() })
	f.press("Mute or unmute the active call", fyne.KeyM, ctrl)
	f.waitForOp("Unmute " + alice.ID())

	f.press("Hold or resume the active call", fyne.KeyH, ctrl)
	f.waitForOp("Hold " + alice.ID())
	f.waitUntil("held", func() bool { return f.row(alice.ID()).resume.Visible() })
	f.press("Hold or resume the active call", fyne.KeyH, ctrl)
	f.waitForOp("Resume " + alice.ID())

	out, err := f.e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Answer(out.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the new call active", func() bool { return f.m.shown.active == out.ID() })
	f.press("Switch to the next call", fyne.KeyN, ctrl)
	f.waitForOp("Resume " + alice.ID())
	f.waitUntil("Alice active again", func() bool { return f.m.shown.active == alice.ID() })

	f.press("Hang up the active call", fyne.KeyE, ctrl)
	f.waitForOp("Hangup " + alice.ID())

	carol := f.e.Ring("1005", "Carol")
	f.waitUntil("Carol's card", func() bool { return f.m.incoming.cards[carol.ID()] != nil })
	pressEnter(f)
	f.waitForOp("Accept " + carol.ID())

	f.ui.do(func() {
		test.Type(f.m.dialer.entry, "sip:dave")
		f.m.dialer.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if got := f.m.dialer.entry.Text; got != "" {
			t.Errorf("Escape left %q in the number box", got)
		}
	})
	f.ui.do(func() {
		f.m.dialer.entry.FocusLost()
		f.menuItem("Go to the number box").Action()
		if f.m.Window().Canvas().Focused() != f.m.dialer.entry {
			t.Error("Ctrl+L did not focus the number box")
		}
		if !strings.HasPrefix(shortcutText(f.m.shortcuts()[0]), "Ctrl+Shift+") {
			t.Errorf("menu text %q", shortcutText(f.m.shortcuts()[0]))
		}
	})
}

// Closing the window, or Quit, with live calls asks first; "Keep my calls"
// keeps everything, "Hang up and quit" closes. With no call it just quits.
// Without a tray there is no "Keep running in the tray".
func TestClosingWithLiveCallsAsks(t *testing.T) {
	f := newFixture(t, withTray(false))
	twoCalls(f)
	f.ui.do(func() { f.menuItem("Quit").Action() })
	f.ui.do(func() {
		if f.m.closed || !containsText(f.overlayTexts(), "Quitting hangs up all 2 calls.") {
			t.Fatalf("closed %v, dialog %q", f.m.closed, f.overlayTexts())
		}
		f.tapText("Keep my calls")
		if f.m.closed {
			t.Fatal("Keep my calls closed the window")
		}
		f.m.confirmClose()
		if containsText(f.overlayTexts(), "Keep running in the tray") {
			t.Error("the tray is offered without a tray")
		}
		f.tapText("Hang up and quit")
		if !f.m.closed {
			t.Fatal("Hang up and quit left the window open")
		}
	})
}

func TestClosingWithNoCallQuits(t *testing.T) {
	f := newFixture(t, withTray(false))
	f.waitUntil("the first render", func() bool { return f.m.shown.at != (time.Time{}) })
	f.ui.do(func() {
		f.m.confirmClose()
		if !f.m.closed {
			t.Fatal("closing with no call asked instead of quitting")
		}
	})
}

// With a tray, closing the window keeps Parley running: asked with live
// calls, at once without; a ringing call brings the window back. Quit still
// quits.
func TestClosingToTheTray(t *testing.T) {
	f := newFixture(t, withTray(true))
	twoCalls(f)
	f.ui.do(func() {
		f.m.confirmClose()
		f.tapText("Keep running in the tray")
		if f.m.closed || !f.m.hidden {
			t.Fatalf("closed %v, hidden %v: want the window in the tray", f.m.closed, f.m.hidden)
		}
	})
	f.e.Ring("1005", "Carol")
	f.waitUntil("the window back for the ringing call", func() bool { return !f.m.hidden })
	for _, cs := range f.e.Calls() {
		if err := f.e.RemoteHangup(cs.ID()); err != nil {
			t.Fatal(err)
		}
	}
	f.waitUntil("no calls", func() bool { return len(f.m.shown.calls) == 0 })
	f.ui.do(func() {
		f.m.confirmClose()
		if f.m.closed || !f.m.hidden || len(f.m.Window().Canvas().Overlays().List()) != 0 {
			t.Fatalf("with no call and a tray, closing should hide without asking (closed %v, hidden %v)", f.m.closed, f.m.hidden)
		}
		f.menuItem("Quit").Action()
		if !f.m.closed {
			t.Fatal("Quit with no call did not quit")
		}
	})
}

func twoCalls(f *fixture) {
	f.t.Helper()
	for _, n := range []string{"1002", "1003"} {
		cs, err := f.e.Call(context.Background(), n)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := f.e.Answer(cs.ID()); err != nil {
			f.t.Fatal(err)
		}
	}
	f.waitUntil("two calls shown", func() bool { return len(f.m.shown.calls) == 2 })
}

// tapText taps the visible dialog button labelled text. Fyne thread only.
func (f *fixture) tapText(text string) {
	f.t.Helper()
	for _, o := range f.m.Window().Canvas().Overlays().List() {
		for _, obj := range test.LaidOutObjects(o) {
			if b, ok := obj.(*widget.Button); ok && b.Visible() && b.Text == text {
				test.Tap(b)
				return
			}
		}
	}
	f.t.Fatalf("no button %q in %q", text, f.overlayTexts())
}

func TestAboutSaysVersionAndLicences(t *testing.T) {
	text := aboutText(version.Get())
	for _, want := range []string{"Parley " + version.String(), "Apache License 2.0", "THIRD_PARTY_NOTICES.txt"} {
		if !strings.Contains(text, want) {
			t.Errorf("the About box lacks %q:\n%s", want, text)
		}
	}
}
