package windowtest

import (
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// TestWindowAgentSession launches the real window in demo mode (the demo
// user is agent 8000) and reads the agent's line as the keyboard logs the
// agent in and pauses it with a typed reason, and as a supervisor pauses it
// from elsewhere (the demo's button drives the stand-in).
func TestWindowAgentSession(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-agent")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)

	a := startApp(t, bin, "-demo", "-audio", "null")
	win := waitWindow(t, a, windowName, launchTimeout)
	d := &driver{t: t, x: x, app: a, win: win, scratch: t.TempDir(), artifacts: artifacts}
	d.expect("logged-out", []string{"Agent 8000", "Logged out"}, []string{"Available"})

	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "key", "ctrl+shift+l")
	d.expect("logged-in", []string{"Agent 8000", "Logged in", "Available"}, []string{"Logged out"})

	xdo(t, "key", "ctrl+shift+p")
	d.expect("pause-dialog", []string{"Pause the agent", "Reason"}, nil)
	xdo(t, "type", "--delay", "50", "lunch")
	xdo(t, "key", "Return")
	r := d.expect("paused", []string{"Paused", "lunch"}, []string{"Available"})

	d.click(r, "supervisor")
	d.expect("paused-by-supervisor", []string{"Paused", "coaching"}, []string{"lunch"})

	xdo(t, "key", "ctrl+shift+p")
	d.expect("unpaused", []string{"Logged in", "Available"}, []string{"coaching"})
}
