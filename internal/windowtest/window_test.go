package windowtest

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
)

// The words the window is expected to show, as the GUI writes them (gui/).
// If one is renamed there, the step that looks for it fails naming it.
const (
	labelRegistered = "Registered as"                    // registration line
	labelNumberBox  = "Number, extension or SIP address" // the entry's placeholder while idle
	labelNoCalls    = "No calls"                         // the empty call list
	labelConnected  = "Connected"                        // an established call's status; a held call's row shows none
	labelHangUp     = "Hang up"
	labelHold       = "Hold"
	labelResume     = "Resume"
	labelMute       = "Mute"
	labelOnHold     = "On hold" // the held call's badge
	labelRingMe     = "Tone Bot call me"
	labelIncoming   = "Incoming call" // the ringing card's (and row's) status
	labelAnswer     = "Answer"
	labelDecline    = "Decline"
	labelMerge      = "Merge" // the focused call's button
	labelConference = "Conference (2 participants)"
	labelRemove     = "Remove"
	labelEndConf    = "End conference"
	labelEndAsk     = "End the conference?" // the confirmation, where the window asks
	labelJoining    = "joining"             // a participant being brought into the conference
	echoNumber      = "9000"
	windowName      = "Parley"
	launchTimeout   = 30 * time.Second
)

// TestWindowDemoCallConferenceFlow launches the real window in demo mode and
// works it as an agent would: dial the echo line from the keyboard, take a
// second call while the first is up, merge both into a conference, end it.
// Each step waits for the words that step must show (and, where it matters,
// for words that must be gone), and keeps a screenshot.
func TestWindowDemoCallConferenceFlow(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)

	// -audio null: calls carry silence, no sound server needed; the window,
	// not the audio, is under test here.
	a := startApp(t, bin, "-demo", "-audio", "null")
	win := waitWindow(t, a, windowName, launchTimeout)
	t.Logf("window %s mapped %v after exec, %dx%d at (%d,%d)", win.id, time.Since(a.started).Round(time.Millisecond), win.w, win.h, win.x, win.y)
	d := &driver{t: t, x: x, app: a, win: win, scratch: t.TempDir(), artifacts: artifacts}

	// Launched: signed in to the demo stack and registered, number box
	// empty, no calls.
	d.expect("launched", []string{labelRegistered, labelNumberBox, labelNoCalls}, nil)
	t.Logf("registered, as read from the window, %v after exec", time.Since(a.started).Round(time.Millisecond))

	// The number box has the keyboard focus at launch: typing goes into it
	// without clicking it. X itself gives keys to the focused X window, and
	// without a window manager nobody focuses it, so focus it at the X level
	// (Fyne's own focus is what is under test).
	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "type", "--delay", "50", echoNumber)
	d.expect("number-typed", []string{echoNumber}, []string{labelNumberBox})
	xdo(t, "key", "Return")

	// One call: the echo line answers, with the call's controls. (The row
	// names it by number only: the demo's outgoing calls carry no name.)
	d.expect("echo-call", []string{echoNumber, labelConnected, labelHangUp, labelHold, labelMute}, []string{labelNoCalls, labelNumberBox})

	// A second call comes in while the first is up: a card with Answer and
	// Decline, and the first call's controls are still there.
	r := d.expect("before-ring-me", []string{labelRingMe}, []string{labelIncoming})
	d.click(r, labelRingMe)
	r = d.expect("second-incoming", []string{labelIncoming, labelAnswer, labelDecline, labelHangUp, labelHold, labelMute}, nil)

	// Answer it: two calls, the first one held. With two rows, the window
	// at its default size shows only the top of the second one, so its
	// controls are checked after scrolling the call list, as an agent
	// would have to.
	d.click(r, labelAnswer)
	r = d.expect("two-calls", []string{echoNumber, labelOnHold, labelResume, labelConnected, labelMerge}, []string{labelDecline, labelAnswer})
	d.scroll(r, labelResume, 10)
	r = d.expect("two-calls-scrolled", []string{labelHold, labelHangUp, labelMerge}, nil)

	// Merge them: the conference panel lists both participants. Wait until
	// the merge has settled (no participant still joining, no other call
	// left on hold): until then rows come and go, and the End conference
	// button read here would move before the click lands.
	d.click(r, labelMerge)
	r = d.expect("conference", []string{labelConference, labelRemove + "*2", labelEndConf}, []string{labelJoining, labelResume})

	// End it: every call is over and the window is idle again. The window
	// may ask first (it hangs up every party); then confirm with the
	// dialog's own End conference, not the panel's behind it.
	d.click(r, labelEndConf)
	idle := d.expectation([]string{labelNoCalls, labelNumberBox}, []string{labelHangUp, labelEndConf, labelAnswer})
	r = d.until("end-conference", func(r *reading) string {
		if len(r.find(labelEndAsk)) > 0 {
			return ""
		}
		return idle(r)
	})
	if asked := r.find(labelEndAsk); len(asked) > 0 {
		d.clickBelow(r, labelEndConf, asked[0])
	}
	d.until("idle", idle)

	// Not judged (see app.stop), but logged: a hang or a panic here is
	// worth seeing in the test log.
	t.Log(a.stop(stopGrace))
}
