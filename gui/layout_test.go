package gui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/phone"
)

// At the smallest size, with everything that used to squeeze the calls
// (a conference, more calls, a ringing card, a notice, the dial pad), every
// control of the call the agent is on is inside the window.
func TestFocusedCallControlsOnScreenAtMinimumSize(t *testing.T) {
	f := newConfFixture(t)
	alice := f.established("1003", "Alice")
	bob := f.established("1004", "Bob")
	f.b.publish(conference.Event{Type: conference.EventStarted, Conference: snapshotOf(bob, []phone.CallSession{alice}, alice, bob)})
	f.waitUntil("the conference", func() bool { return len(f.panel().participants.rows) == 2 })
	_ = f.established("1005", "Carol")
	dave := f.established("1006", "Dave") // the focused call
	f.e.Ring("1007", "Eve")
	f.waitUntil("Eve's card", func() bool { return len(f.m.incoming.cards) == 1 })
	f.ui.do(func() {
		f.m.setNotice("The line to 1002 is poor (MOS 3.2 · 5.0 % loss · 12 ms jitter): the other party may not hear you well.")
		f.m.dialer.pad.toggle()
	})

	win := f.m.Window()
	f.ui.do(func() { win.Resize(fyne.NewSize(minWindowWidth, minWindowHeight)) })
	f.waitUntil("Dave focused", func() bool { return f.m.calls.focused == dave.ID() })
	f.ui.do(func() {
		min := win.Content().MinSize()
		if min.Width > minWindowWidth || min.Height > minWindowHeight {
			t.Errorf("the window cannot be made %dx%d: its content needs %v", minWindowWidth, minWindowHeight, min)
		}
		canvas := win.Canvas().Size()
		r := f.row(dave.ID())
		for _, b := range []*widget.Button{r.hold, r.mute, r.keypad, r.transfer, r.conference, r.hangup} {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.cell(b))
			size := b.Size()
			if !b.Visible() || size.IsZero() || pos.X < 0 || pos.Y < 0 ||
				pos.X+size.Width > canvas.Width || pos.Y+size.Height > canvas.Height {
				t.Errorf("%q is off-screen at %v+%v in a %v window", b.Text, pos, size, canvas)
			}
		}
	})

	// Hold and Resume, Mute and Unmute swap in place: Hang up stays put.
	var before fyne.Position
	f.ui.do(func() {
		r := f.row(dave.ID())
		before = fyne.CurrentApp().Driver().AbsolutePositionForObject(r.cell(r.hangup))
	})
	if err := f.e.Hold(context.Background(), dave.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("Dave held", func() bool { return f.row(dave.ID()).resume.Visible() })
	f.ui.do(func() {
		r := f.row(dave.ID())
		if after := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.cell(r.hangup)); after != before {
			t.Errorf("Hang up moved from %v to %v when the call was held", before, after)
		}
	})
}

func TestWindowSizeIsRemembered(t *testing.T) {
	def := fyne.NewSize(420, 680)
	tests := []struct {
		name  string
		saved fyne.Size
		want  fyne.Size
	}{
		{"nothing saved", fyne.Size{}, def},
		{"a size saved", fyne.NewSize(800, 900), fyne.NewSize(800, 900)},
		{"too small to be a real size", fyne.NewSize(120, 40), def},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			rememberSize(a.Preferences(), tt.saved)
			if got := rememberedSize(a.Preferences(), def); got != tt.want {
				t.Errorf("remembered %v, want %v", got, tt.want)
			}
		})
	}
}

// Resting the pointer on a control shows what it does, with its key, on a
// layer that takes no clicks; leaving hides it, and the click still works.
func TestTooltips(t *testing.T) {
	f, id := talkingFixture(t)
	var cell *tipButton
	f.ui.do(func() { cell = f.row(id).tipped[f.row(id).hangup] })
	f.ui.do(func() { cell.MouseIn(&desktop.MouseEvent{}) })
	f.waitUntil("the Hang up tip", func() bool {
		return f.m.tips.box.Visible() && f.m.tips.text.Text == "End the call ("+shortcutModifierName+"+E)"
	})
	f.ui.do(func() {
		tip := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.m.tips.box)
		under := fyne.CurrentApp().Driver().AbsolutePositionForObject(cell)
		if tip.Y < under.Y+cell.Size().Height && tip.Y+f.m.tips.box.Size().Height > under.Y {
			t.Errorf("the tip at %v covers its button at %v", tip, under)
		}
		cell.MouseOut()
		if f.m.tips.box.Visible() {
			t.Error("the tip stayed after the pointer left")
		}
		cell.MouseIn(&desktop.MouseEvent{})
		test.Tap(cell)
		if f.m.tips.box.Visible() {
			t.Error("the tip stayed after a click")
		}
	})
	f.waitForOp("Hangup " + id)
	f.ui.do(func() {
		q := f.row(id)
		if q != nil && q.qualityCell.tip != qualityTip {
			t.Error("the quality line has no tip")
		}
	})
}
