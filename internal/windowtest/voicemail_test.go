package windowtest

import (
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// TestWindowVoicemailAndRecording reads the real window in demo mode: the
// message-waiting line counts the demo mailbox's new message and one more
// left meanwhile, Ctrl+Shift+V opens the Voicemail window listing them,
// and on a call Record shows the red badge, Ctrl+Shift+R pauses it.
func TestWindowVoicemailAndRecording(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-voicemail")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)

	a := startApp(t, bin, "-demo", "-audio", "null")
	win := waitWindow(t, a, windowName, launchTimeout)
	d := &driver{t: t, x: x, app: a, win: win, scratch: t.TempDir(), artifacts: artifacts}
	r := d.expect("launched", []string{"1 new voicemail message", "leave me a voicemail"}, nil)
	d.click(r, "leave me a voicemail")
	d.expect("message-left", []string{"2 new voicemail messages"}, []string{"1 new voicemail message"})

	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "key", "ctrl+shift+v")
	vmWin := waitWindow(t, a, "voicemail", launchTimeout)
	vm := &driver{t: t, x: x, app: a, win: vmWin, scratch: t.TempDir(), artifacts: artifacts}
	vm.expect("voicemail-window", []string{"3 messages, 2 new", "Tone Bot", "Chord Bot", "Mark read", "Delete"}, nil)
	// Out of the way of the main window (no window manager: both at 0,0).
	xdo(t, "windowmove", vmWin.id, "500", "0")

	r = d.expect("main-again", []string{"Tone Bot call me"}, nil)
	d.click(r, "Tone Bot call me")
	d.expect("ringing", []string{"Answer"}, nil)
	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "key", "ctrl+shift+a")
	r = d.expect("answered", []string{"Connected", "Record"}, nil)
	d.click(r, "Record")
	d.expect("recording", []string{"Recording", "Stop recording", "Pause recording"}, nil)
	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "key", "ctrl+shift+r")
	d.expect("paused", []string{"Recording paused", "Resume recording"}, []string{"Pause recording"})
}
