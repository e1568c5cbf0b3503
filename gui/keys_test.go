package gui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/phone"
)

// key sends a key the way the window gets it when no widget has the focus.
func (f *fixture) key(name fyne.KeyName) {
	f.ui.do(func() { f.m.Window().Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name}) })
}

// In every dialog Escape cancels and Enter presses the highlighted button;
// the dialog takes the keys from the number box behind it.
func TestEnterAndEscapeInDialogs(t *testing.T) {
	f := newConfFixture(t)
	alice := f.established("1003", "Alice")
	bob := f.established("1004", "Bob")
	carol := f.established("1005", "Carol")

	// Merge: Escape closes without merging, Enter merges what is ticked.
	f.tap(f.mergeButton())
	f.waitUntil("the merge dialog", func() bool { return f.m.merging != nil })
	f.ui.do(func() {
		if f.m.Window().Canvas().Focused() != nil {
			t.Error("the number box behind the dialog kept the keyboard")
		}
	})
	f.key(fyne.KeyEscape)
	f.waitUntil("the dialog gone", func() bool { return f.m.merging == nil && len(f.m.Window().Canvas().Overlays().List()) == 0 })
	f.ui.do(func() {
		if ops := f.b.opsSoFar(); len(ops) != 0 {
			t.Errorf("Escape merged: %q", ops)
		}
		if f.m.Window().Canvas().Focused() != f.m.dialer.entry {
			t.Error("the keyboard did not go back to the number box")
		}
	})
	f.tap(f.mergeButton())
	f.waitUntil("the merge dialog", func() bool { return f.m.merging != nil })
	f.key(fyne.KeyReturn)
	f.waitForConfOp(fmt.Sprintf("Start %s %s,%s", carol.ID(), alice.ID(), bob.ID()))

	// End conference: Escape keeps it, Enter ends it.
	f.b.publish(conference.Event{Type: conference.EventStarted, Conference: snapshotOf(carol, []phone.CallSession{alice, bob}, alice, bob, carol)})
	f.waitUntil("the conference", func() bool { return f.panel().liveBox.Visible() })
	f.tap(func() *widget.Button { return f.panel().end })
	f.waitUntil("the question", func() bool { return f.m.ending != nil && f.m.modal != nil })
	f.key(fyne.KeyEscape)
	f.waitUntil("the question gone", func() bool { return f.m.modal == nil })
	f.ui.do(func() {
		if slices.Contains(f.b.opsSoFar(), "Hangup conf-1") {
			t.Error("Escape ended the conference")
		}
	})
	f.tap(func() *widget.Button { return f.panel().end })
	f.waitUntil("the question", func() bool { return f.m.modal != nil })
	f.key(fyne.KeyEnter)
	f.waitForConfOp("Hangup conf-1")
}

func TestEscapeClosesTheTransferDialog(t *testing.T) {
	f, id := talkingFixture(t)
	f.tap(func() *widget.Button { return f.row(id).transfer })
	f.waitUntil("the transfer dialog", func() bool { return f.m.transfer != nil })
	f.ui.do(func() {
		if f.m.Window().Canvas().Focused() != f.m.transfer.number {
			t.Error("the transfer dialog's number box does not have the keyboard")
		}
		f.m.transfer.number.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	})
	f.waitUntil("the dialog gone", func() bool { return f.m.transfer == nil && f.m.modal == nil })
	f.ui.do(func() {
		for _, op := range f.e.Ops() {
			if strings.HasPrefix(op, "Transfer") {
				t.Errorf("Escape transferred: %q", op)
			}
		}
	})
}

// With no dialog, Enter answers the ringing call and Escape declines it;
// in the number box, Escape first clears what was typed.
func TestEnterAndEscapeOnRingingCalls(t *testing.T) {
	f := newFixture(t)
	alice := f.e.Ring("1003", "Alice")
	f.waitUntil("Alice's card", func() bool { return f.m.incoming.cards[alice.ID()] != nil })
	f.ui.do(func() {
		f.m.dialer.entry.SetText("12")
		f.m.dialer.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	})
	f.ui.do(func() {
		if slices.Contains(f.e.Ops(), "Reject "+alice.ID()) {
			t.Error("Escape with a number typed declined the call")
		}
		f.m.dialer.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	})
	f.waitForOp("Reject " + alice.ID())

	bob := f.e.Ring("1004", "Bob")
	f.waitUntil("Bob's card", func() bool { return f.m.incoming.cards[bob.ID()] != nil })
	f.ui.do(func() { f.m.Window().Canvas().Unfocus() })
	f.key(fyne.KeyReturn)
	f.waitForOp("Accept " + bob.ID())
}
