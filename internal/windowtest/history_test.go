package windowtest

import (
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

const (
	historyWindowName = "Parley: call history"
	labelInterrupted  = "ended unexpectedly"
)

// TestWindowHistorySurvivesKill places a call in the real window, kills
// Parley with SIGKILL in the middle of it, starts it again on the same
// configuration directory, and finds the call in the recent list and in the
// call history, marked as ended unexpectedly.
func TestWindowHistorySurvivesKill(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-history")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)
	home := t.TempDir()

	first := startAppIn(t, home, bin, "-demo", "-audio", "null")
	win := waitWindow(t, first, mainWindowName, launchTimeout)
	d := &driver{t: t, x: x, app: first, win: win, scratch: t.TempDir(), artifacts: artifacts}
	d.expect("launched", []string{labelRegistered, labelNumberBox}, nil)
	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "type", "--delay", "50", echoNumber)
	xdo(t, "key", "Return")
	d.expect("in-call", []string{echoNumber, labelConnected, labelHangUp}, nil)
	t.Log(first.stop(0)) // SIGKILL: no chance to write anything more
	if err := waitNoWindow(mainWindowName, stepTimeout); err != nil {
		t.Fatal(err)
	}

	second := startAppIn(t, home, bin, "-demo", "-audio", "null")
	win = waitWindow(t, second, mainWindowName, launchTimeout)
	d2 := &driver{t: t, x: x, app: second, win: win, scratch: t.TempDir(), artifacts: artifacts, step: d.step}
	d2.expect("restarted", []string{labelRegistered, "Recent calls", echoNumber}, nil)
	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "key", "ctrl+shift+h")
	hw := waitWindow(t, second, historyWindowName, stepTimeout)
	d3 := &driver{t: t, x: x, app: second, win: hw, scratch: t.TempDir(), artifacts: artifacts, step: d2.step}
	d3.expect("history", []string{echoNumber, labelInterrupted, "Call back"}, nil)
	t.Log(second.stop(stopGrace))
}
