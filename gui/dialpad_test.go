package gui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// talkingFixture is a window with one established call.
func talkingFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t)
	cs, err := f.e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Answer(cs.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the call to be talking", func() bool { return f.m.talking == cs.ID() })
	return f, cs.ID()
}

// tonesSent is the keys sent as tones to call id, in order.
func (f *fixture) tonesSent(id string) string {
	var keys string
	for _, op := range f.e.Ops() {
		if k, ok := strings.CutPrefix(op, "SendDTMF "+id+" "); ok {
			keys += k
		}
	}
	return keys
}

func (f *fixture) waitForTones(id, want string) {
	f.t.Helper()
	f.waitUntil("tones "+want+" sent", func() bool { return f.tonesSent(id) == want })
}

// An IVR asks to "press 5, then #": typed into the number box during the
// call, the digits are tones for that call, in order, and never a new call
// that would put the customer on hold. Letters still type a new address.
func TestDigitsTypedDuringACallAreTones(t *testing.T) {
	f, id := talkingFixture(t)
	f.ui.do(func() { test.Type(f.m.dialer.entry, "5#123456789*0") })
	f.waitForTones(id, "5#123456789*0")
	f.ui.do(func() {
		if got := f.m.dialer.entry.Text; got != "" {
			t.Errorf("the digits also went into the number box: %q", got)
		}
		if got := f.m.dialer.entry.PlaceHolder; got != "Tones sent: 5#123456789*0" {
			t.Errorf("echo %q", got)
		}
	})
	if slices.ContainsFunc(f.e.Ops(), func(op string) bool { return strings.HasPrefix(op, "Call 5") }) {
		t.Fatalf("a digit started a new call: %q", f.e.Ops())
	}
	f.ui.do(func() { test.Type(f.m.dialer.entry, "alice") })
	f.ui.do(func() {
		if got := f.m.dialer.entry.Text; got != "alice" {
			t.Errorf("letters typed during a call: entry %q, want %q", got, "alice")
		}
	})
}

// The dial pad types the number when no call is talking, sends tones when
// one is, and digits typed while the call is held go to the number box.
func TestDialPad(t *testing.T) {
	f := newFixture(t)
	f.tap(func() *widget.Button { return f.m.dialer.keypad })
	f.ui.do(func() {
		if !f.m.dialer.pad.visible() {
			t.Fatal("the keypad button did not show the pad")
		}
	})
	for _, k := range "1002" {
		f.tap(func() *widget.Button { return f.m.dialer.pad.keys[k] })
	}
	f.ui.do(func() {
		if got := f.m.dialer.entry.Text; got != "1002" {
			t.Fatalf("pad typed %q, want 1002", got)
		}
	})
	tapCall(f)
	f.waitForOp("Call 1002")
	calls := f.e.Calls()
	if len(calls) != 1 {
		t.Fatalf("calls %v", calls)
	}
	id := calls[0].ID()
	if err := f.e.Answer(id); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the call to be talking", func() bool { return f.m.talking == id })
	f.ui.do(func() {
		if f.m.dialer.entry.PlaceHolder != placeholderTalking {
			t.Errorf("placeholder %q while talking", f.m.dialer.entry.PlaceHolder)
		}
	})
	for _, k := range "42" {
		f.tap(func() *widget.Button { return f.m.dialer.pad.keys[k] })
	}
	f.waitForTones(id, "42")

	if err := f.e.Hold(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the held call to take no tones", func() bool { return f.m.talking == "" })
	f.ui.do(func() {
		test.Type(f.m.dialer.entry, "7")
		if got := f.m.dialer.entry.PlaceHolder; got != placeholderIdle {
			t.Errorf("the tone echo stayed after the call was held: %q", got)
		}
	})
	f.ui.do(func() {
		if got := f.m.dialer.entry.Text; got != "7" {
			t.Errorf("digit typed while held: entry %q, want 7", got)
		}
	})
	if got := f.tonesSent(id); got != "42" {
		t.Errorf("tones sent to the held call: %q", got)
	}
}

// A tone the engine refuses is reported in plain words.
func TestToneFailureIsShown(t *testing.T) {
	f, id := talkingFixture(t)
	f.e.Fail("SendDTMF", context.DeadlineExceeded)
	f.ui.do(func() { test.Type(f.m.dialer.entry, "5") })
	f.waitForOp("SendDTMF " + id + " 5")
	f.waitUntil("the failure notice", func() bool {
		return f.m.notice.Visible() && strings.HasPrefix(f.m.notice.Text, "Could not send the tone")
	})
}

// Pressing Hold or Mute must not move Hang up from under the pointer: the
// button pairs share fixed-width slots.
func TestHangUpStaysPutWhenHoldingAndMuting(t *testing.T) {
	f, id := talkingFixture(t)
	var before fyne.Position
	f.waitUntil("the row laid out", func() bool {
		r := f.row(id)
		if r == nil || !r.hold.Visible() {
			return false
		}
		test.LaidOutObjects(f.m.Window().Content())
		before = r.hangup.Position()
		return true
	})
	f.tap(func() *widget.Button { return f.row(id).hold })
	f.waitUntil("held", func() bool { return f.row(id).resume.Visible() })
	f.tap(func() *widget.Button { return f.row(id).mute })
	f.waitUntil("muted", func() bool { return f.row(id).unmute.Visible() })
	f.ui.do(func() {
		test.LaidOutObjects(f.m.Window().Content())
		if after := f.row(id).hangup.Position(); after != before {
			t.Errorf("Hang up moved from %v to %v", before, after)
		}
	})
}

// A notice about the last call ("the line is busy") goes once a new call
// starts or connects: it is no longer true of what the window shows.
func TestCallOutcomeNoticeClears(t *testing.T) {
	f := newFixture(t)
	first, err := f.e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.RemoteReject(first.ID(), 486, "Busy Here"); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the busy notice", func() bool { return f.m.notice.Visible() && f.m.notice.Text != "" })
	busy := ""
	f.ui.do(func() { busy = f.m.notice.Text })
	in := f.e.Ring("1003", "Alice")
	if err := f.e.Accept(context.Background(), in.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the notice cleared with Alice connected", func() bool {
		return !f.m.notice.Visible() && f.m.talking == in.ID()
	})
	if busy == "" {
		t.Fatal("no notice for the busy line")
	}
}

// The engine's call_quality reports show on the talking call's row, and a
// drop below "fair" warns the agent once, in plain words.
func TestCallQualityIsShown(t *testing.T) {
	f, id := talkingFixture(t)
	cs, _ := f.e.Session(id)
	report := func(mos float64, lost int64) {
		f.e.Emit(phone.Event{Type: phone.EventCallQuality, Call: &cs,
			Quality: &phone.Quality{MOS: mos, PacketsReceived: 1000 - uint64(lost), PacketsLost: lost, Jitter: 12 * time.Millisecond}})
	}
	report(4.3, 0)
	f.waitUntil("a good quality line", func() bool {
		r := f.row(id)
		return r.quality.Visible() && r.quality.Text == "Quality: Good · MOS 4.3 · 0.0 % loss · 12 ms jitter" && !f.m.notice.Visible()
	})
	report(3.2, 50)
	want := "The line to 1002 is poor (MOS 3.2 · 5.0 % loss · 12 ms jitter): the other party may not hear you well."
	f.waitUntil("the poor-quality warning", func() bool {
		r := f.row(id)
		return r.quality.Importance == widget.WarningImportance && f.m.notice.Visible() && f.m.notice.Text == want
	})
	f.ui.do(func() { f.m.setNotice("") })
	report(3.1, 60)
	f.waitUntil("the row updated", func() bool { return strings.Contains(f.row(id).quality.Text, "MOS 3.1") })
	f.ui.do(func() {
		if f.m.notice.Visible() {
			t.Errorf("warned twice for the same drop: %q", f.m.notice.Text)
		}
	})
}

// A number pasted from a CRM shows as it will be dialled.
func TestPastedNumberIsCleaned(t *testing.T) {
	tests := []struct{ pasted, want string }{
		{"+33 (0)1 23-45 67 89", "+33123456789"},
		{"tel:+1 555 0100", "+15550100"},
		{"sip:1002@pbx.example.com", "sip:1002@pbx.example.com"},
		{"support", "support"},
	}
	for _, tt := range tests {
		t.Run(tt.pasted, func(t *testing.T) {
			f := newFixture(t)
			f.ui.do(func() {
				clip := test.NewClipboard()
				clip.SetContent(tt.pasted)
				f.m.dialer.entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
				if got := f.m.dialer.entry.Text; got != tt.want {
					t.Errorf("pasting %q shows %q, want %q", tt.pasted, got, tt.want)
				}
			})
		})
	}
}
