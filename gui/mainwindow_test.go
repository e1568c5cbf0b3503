package gui

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/internal/sipua"
	"github.com/parley-voip/parley/phone"
)

func TestIncomingCallAccepted(t *testing.T) {
	f := newFixture(t)
	in := f.e.Ring("1003", "Alice")

	f.waitUntil("the ringing card with the caller", func() bool {
		texts := f.cardTexts()
		return containsText(texts, "Incoming call") && containsText(texts, "Alice") && containsText(texts, "1003")
	})
	f.tap(func() *widget.Button { return f.m.incoming.cards[in.ID()].answer })
	f.waitForOp("Accept " + in.ID())

	f.waitUntil("the card gone and the call established in the list", func() bool {
		row := f.row(in.ID())
		return len(f.cardTexts()) == 0 && row != nil &&
			strings.Contains(row.details.Text, "Connected") && strings.Contains(row.badges.Text, "Active")
	})
	f.ui.do(func() {
		if got := f.m.Window().Title(); got != "Parley — 1 call" {
			t.Errorf("title = %q, want the number of calls", got)
		}
		if row := f.row(in.ID()); !row.hangup.Visible() || !row.hold.Visible() || row.hold.Disabled() {
			t.Error("an established call should offer Hang up and Hold")
		}
	})
}

func TestIncomingCallRejected(t *testing.T) {
	f := newFixture(t)
	in := f.e.Ring("1003", "Alice")
	f.waitUntil("the ringing card", func() bool { return f.m.incoming.cards[in.ID()] != nil })

	f.tap(func() *widget.Button { return f.m.incoming.cards[in.ID()].decline })
	f.waitForOp("Reject " + in.ID())
	f.waitUntil("no card, no call", func() bool {
		return len(f.cardTexts()) == 0 && len(f.m.calls.rows) == 0 && f.m.Window().Title() == "Parley"
	})
}

func TestCallerHangsUpWhileRinging(t *testing.T) {
	f := newFixture(t)
	in := f.e.Ring("1003", "Alice")
	f.waitUntil("the ringing card", func() bool { return containsText(f.cardTexts(), "Alice") })

	if err := f.e.RemoteHangup(in.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the card gone and the missed call said", func() bool {
		return len(f.cardTexts()) == 0 && f.m.notice.Text == "Missed call from Alice (1003)." &&
			f.m.Window().Title() == "Parley — 1 missed"
	})
	for _, op := range f.e.Ops() {
		t.Errorf("the window called %q on its own", op)
	}

	// The missed call is in the recent calls, one click from calling back,
	// which tells the title the agent has seen it.
	f.waitUntil("the missed call listed", func() bool {
		return len(f.m.recent.calls) == 1 && f.m.recent.calls[0].kind == "Missed" && containsText(f.visibleTexts(), "Missed · Alice (1003)")
	})
	f.tap(func() *widget.Button {
		for _, b := range test.LaidOutObjects(f.m.recent.box) {
			if b, ok := b.(*widget.Button); ok && b.Text == "Call back" {
				return b
			}
		}
		return nil
	})
	f.waitForOp("Call 1003")
	f.waitUntil("the title without the missed call", func() bool { return f.m.Window().Title() == "Parley — 1 call" })
}

// A call declined here is not a missed call.
func TestDeclinedCallIsNotMissed(t *testing.T) {
	f := newFixture(t)
	in := f.e.Ring("1003", "Alice")
	f.waitUntil("the ringing card", func() bool { return f.m.incoming.cards[in.ID()] != nil })
	f.tap(func() *widget.Button { return f.m.incoming.cards[in.ID()].decline })
	f.waitUntil("the declined call listed", func() bool {
		return len(f.m.recent.calls) == 1 && f.m.recent.calls[0].kind == "Declined"
	})
	f.ui.do(func() {
		if f.m.recent.missed != 0 || strings.Contains(f.m.notice.Text, "Missed") {
			t.Errorf("a declined call counted as missed: %q", f.m.notice.Text)
		}
	})
}

// Call (or Enter) with nothing typed redials; so does Ctrl+R.
func TestRedial(t *testing.T) {
	f := newFixture(t)
	f.ui.do(func() { test.Type(f.m.dialer.entry, "1002") })
	tapCall(f)
	f.waitForOp("Call 1002")
	f.waitUntil("the call listed", func() bool { return len(f.m.calls.rows) == 1 })
	id := f.e.Calls()[0].ID()
	if err := f.e.RemoteHangup(id); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the call gone", func() bool { return len(f.m.calls.rows) == 0 })
	pressEnter(f)
	f.waitUntil("the second call", func() bool { return countOps(f.e.Ops(), "Call 1002") == 2 })
	f.waitUntil("it listed", func() bool { return len(f.m.calls.rows) == 1 })
	if err := f.e.RemoteHangup(f.e.Calls()[0].ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the call gone", func() bool { return len(f.m.calls.rows) == 0 })
	f.press("Redial the last number", fyne.KeyR, fyne.KeyModifierShortcutDefault)
	f.waitUntil("the third call", func() bool { return countOps(f.e.Ops(), "Call 1002") == 3 })
}

func countOps(ops []string, op string) int {
	n := 0
	for _, o := range ops {
		if o == op {
			n++
		}
	}
	return n
}

func TestSeveralRingingCalls(t *testing.T) {
	f := newFixture(t)
	first := f.e.Ring("1003", "Alice")
	second := f.e.Ring("1004", "Bob")
	f.waitUntil("a dialog for each call", func() bool {
		texts := f.cardTexts()
		return len(f.m.incoming.cards) == 2 && containsText(texts, "Alice") && containsText(texts, "Bob")
	})

	f.tap(func() *widget.Button { return f.m.incoming.cards[second.ID()].answer })
	f.waitUntil("only the first call still ringing", func() bool {
		_, stillOpen := f.m.incoming.cards[first.ID()]
		texts := f.cardTexts()
		return len(f.m.incoming.cards) == 1 && stillOpen && containsText(texts, "Alice") && !containsText(texts, "Bob")
	})
}

func TestAnswerFailureIsShownOnTheCard(t *testing.T) {
	f := newFixture(t)
	f.e.Fail("Accept", fmt.Errorf("%w: no microphone", phone.ErrMediaFailed))
	in := f.e.Ring("1003", "Alice")
	f.waitUntil("the ringing card", func() bool { return f.m.incoming.cards[in.ID()] != nil })

	f.tap(func() *widget.Button { return f.m.incoming.cards[in.ID()].answer })
	f.waitUntil("the error on the card, buttons usable again", func() bool {
		dlg := f.m.incoming.cards[in.ID()]
		return dlg != nil && dlg.status.Visible() && !dlg.answer.Disabled() &&
			dlg.status.Text == "Could not answer the call: the audio connection could not be established (no microphone)."
	})
}

func TestDialling(t *testing.T) {
	tests := []struct {
		name      string
		typed     string
		submit    func(f *fixture)
		failWith  error
		wantOp    string
		wantError string // shown under the entry; "" when the call goes out
	}{
		{name: "button", typed: "1002", submit: tapCall, wantOp: "Call 1002"},
		{name: "enter key", typed: "1002", submit: pressEnter, wantOp: "Call 1002"},
		{name: "invalid number", typed: "10 ab", submit: tapCall, wantOp: "Call 10 ab", wantError: "That number cannot be dialled: a space is not allowed in an extension."},
		{name: "empty", typed: "", submit: pressEnter, wantError: "Type a number to call."},
		{name: "phone not connected", typed: "1002", submit: tapCall, failWith: phone.ErrNotConnected, wantOp: "Call 1002", wantError: "Could not place the call: the phone is not connected."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.failWith != nil {
				f.e.Fail("Call", tt.failWith)
			}
			f.ui.do(func() { test.Type(f.m.dialer.entry, tt.typed) })
			tt.submit(f)
			if tt.wantOp != "" {
				f.waitForOp(tt.wantOp)
			}
			if tt.wantError != "" {
				f.waitUntil("the error under the entry", func() bool {
					return f.m.dialer.errors.Visible() && f.m.dialer.errors.Text == tt.wantError && !f.m.dialer.button.Disabled()
				})
				return
			}
			f.waitUntil("the call listed and the entry cleared", func() bool {
				calls := f.e.Calls()
				return len(calls) == 1 && f.row(calls[0].ID()) != nil &&
					strings.Contains(f.row(calls[0].ID()).details.Text, "Calling") &&
					f.m.dialer.entry.Text == "" && !f.m.dialer.errors.Visible()
			})
		})
	}
}

func tapCall(f *fixture) { f.tap(func() *widget.Button { return f.m.dialer.button }) }

func pressEnter(f *fixture) {
	f.ui.do(func() { f.m.dialer.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
}

func TestRegistrationStatus(t *testing.T) {
	tests := []struct {
		reg            phone.Registration
		wantText       string
		wantImportance widget.Importance
	}{
		{phone.Registration{State: phone.RegRegistering}, "Registering…", widget.MediumImportance},
		{phone.Registration{State: phone.RegRegistered, AOR: "sip:1001@pbx.test"}, "Registered as sip:1001@pbx.test", widget.SuccessImportance},
		{phone.Registration{State: phone.RegFailed, Code: 403, Reason: "the server rejected the username or password"},
			"Not registered: the server rejected the username or password (retrying)", widget.DangerImportance},
		{phone.Registration{State: phone.RegUnregistered}, "Not registered", widget.DangerImportance},
		{phone.Registration{State: phone.RegDirect, AOR: "sip:1001@lab"}, "Ready: sip:1001@lab takes calls sent to this computer (not registering)", widget.SuccessImportance},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(string(tt.reg.State), func(t *testing.T) {
			f.e.SetRegistration(tt.reg)
			f.waitUntil(fmt.Sprintf("the status %q", tt.wantText), func() bool {
				l := f.m.registration.label
				return l.Text == tt.wantText && l.Importance == tt.wantImportance
			})
		})
	}
}

func TestCallControls(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.e.Call(ctx, "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Answer(first.ID()); err != nil {
		t.Fatal(err)
	}
	id := first.ID()
	rowHas := func(what string, pred func(r *callRow) bool) {
		t.Helper()
		f.waitUntil(what, func() bool { r := f.row(id); return r != nil && pred(r) })
	}
	rowHas("the established call", func(r *callRow) bool { return usable(r.hold) })

	steps := []struct {
		button func(r *callRow) *widget.Button
		op     string
		then   string
		pred   func(r *callRow) bool
	}{
		{func(r *callRow) *widget.Button { return r.hold }, "Hold", "held", func(r *callRow) bool {
			return strings.Contains(r.badges.Text, "On hold") && r.resume.Visible() && !r.hold.Visible()
		}},
		{func(r *callRow) *widget.Button { return r.resume }, "Resume", "resumed", func(r *callRow) bool {
			return !strings.Contains(r.badges.Text, "On hold") && r.hold.Visible()
		}},
		{func(r *callRow) *widget.Button { return r.mute }, "Mute", "muted", func(r *callRow) bool {
			return strings.Contains(r.badges.Text, "Muted") && r.unmute.Visible() && !r.mute.Visible()
		}},
		{func(r *callRow) *widget.Button { return r.unmute }, "Unmute", "unmuted", func(r *callRow) bool {
			return !strings.Contains(r.badges.Text, "Muted") && r.mute.Visible()
		}},
	}
	for _, s := range steps {
		f.tap(func() *widget.Button { return s.button(f.row(id)) })
		f.waitForOp(s.op + " " + id)
		rowHas("the call "+s.then, s.pred)
	}

	// A second call holds the first; Resume on the held one makes it active.
	second := f.e.Ring("1004", "Bob")
	f.waitUntil("the second call's card", func() bool { return f.m.incoming.cards[second.ID()] != nil })
	f.tap(func() *widget.Button { return f.m.incoming.cards[second.ID()].answer })
	f.waitForOp("Accept " + second.ID())
	rowHas("the first call held", func(r *callRow) bool { return r.resume.Visible() && !strings.Contains(r.badges.Text, "Active") })
	f.tap(func() *widget.Button { return f.row(id).resume })
	rowHas("the first call active again", func(r *callRow) bool { return strings.Contains(r.badges.Text, "Active") })
	f.waitUntil("the second call held", func() bool {
		r := f.row(second.ID())
		return r != nil && strings.Contains(r.badges.Text, "On hold")
	})
	f.ui.do(func() {
		if got := f.m.Window().Title(); got != "Parley — 2 calls" {
			t.Errorf("title = %q", got)
		}
	})

	f.tap(func() *widget.Button { return f.row(id).hangup })
	f.waitForOp("Hangup " + id)
	f.waitUntil("the call gone and the outcome shown", func() bool {
		return f.row(id) == nil && strings.Contains(f.m.notice.Text, "ended: you hung up.")
	})
}

func TestActionErrorsAreShown(t *testing.T) {
	f := newFixture(t)
	cs, err := f.e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Answer(cs.ID()); err != nil {
		t.Fatal(err)
	}
	f.e.Fail("Hold", fmt.Errorf("hold: %w", &sipua.StatusError{Code: 488, Reason: "Not Acceptable Here"}))
	f.waitUntil("the call", func() bool { return f.row(cs.ID()) != nil && usable(f.row(cs.ID()).hold) })
	f.tap(func() *widget.Button { return f.row(cs.ID()).hold })
	f.waitUntil("the error", func() bool {
		return f.m.notice.Visible() && f.m.notice.Importance == widget.DangerImportance &&
			f.m.notice.Text == "Could not hold the call: the far end cannot accept the audio settings of this call (SIP 488)."
	})
}

func TestClosingTheWindowStopsThePump(t *testing.T) {
	f := newFixture(t)
	f.ui.do(f.m.Window().Close)
	f.m.wait() // returns only once the pump goroutine has ended
	f.e.Ring("1003", "Alice")
	f.ui.do(func() {
		if len(f.m.incoming.cards) != 0 {
			t.Error("a closed window showed a ringing card")
		}
	})
}

// TestScreenshot is a smoke test of rendering the whole window, dialog
// included. It compares no golden image: those break with every font change.
func TestScreenshot(t *testing.T) {
	f := newFixture(t)
	f.e.SetRegistration(phone.Registration{State: phone.RegRegistered})
	out, _ := f.e.Call(context.Background(), "1002")
	_ = f.e.Answer(out.ID())
	f.e.Ring("1003", "Alice")
	f.waitUntil("a call and a ringing card", func() bool { return len(f.m.calls.rows) == 1 && len(f.m.incoming.cards) == 1 })

	path := filepath.Join(t.TempDir(), "main-window.png")
	f.ui.do(func() {
		img := f.m.Window().Canvas().Capture()
		if b := img.Bounds(); b.Dx() == 0 || b.Dy() == 0 {
			t.Fatalf("captured an empty image (%v)", b)
		}
		file, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		if err := png.Encode(file, img); err != nil {
			t.Fatal(err)
		}
	})
	info, err := os.Stat(path)
	if err != nil || info.Size() == 0 {
		t.Fatalf("screenshot %s: size %v, err %v", path, info, err)
	}
}

func TestWarningStaysShown(t *testing.T) {
	const text = "No sound device works on this computer: calls will be silent."
	f := newFixture(t, WithWarning(text))
	f.waitUntil("the warning", func() bool { return containsText(f.visibleTexts(), text) })
	out, _ := f.e.Call(context.Background(), "1002")
	_ = f.e.Answer(out.ID())
	f.waitUntil("the call, with the warning still shown", func() bool {
		return f.row(out.ID()) != nil && containsText(f.visibleTexts(), text)
	})
}

func TestEarlyMediaIsToldApartFromRinging(t *testing.T) {
	f := newFixture(t)
	cs, err := f.e.Call(context.Background(), "0800123456")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Progress(cs.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("ringing", func() bool { return containsText(f.visibleTexts(), "Ringing…") })
	if err := f.e.EarlyMedia(cs.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("early media", func() bool {
		texts := f.visibleTexts()
		return containsText(texts, "Not answered yet: sound from the network") && !containsText(texts, "Ringing…")
	})
	if err := f.e.Answer(cs.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("connected", func() bool {
		texts := f.visibleTexts()
		return containsText(texts, "Connected") && !containsText(texts, "sound from the network")
	})
}
