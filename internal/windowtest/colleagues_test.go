package windowtest

import (
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// TestWindowColleagues launches the real window in demo mode, opens the
// colleagues with Ctrl+Shift+U and reads them: names, extensions,
// presence and line state; the search narrows the list; Call on the first
// row (Alice, who answers) shows her line "On a call".
func TestWindowColleagues(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-colleagues")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)

	a := startApp(t, bin, "-demo", "-audio", "null")
	win := waitWindow(t, a, windowName, launchTimeout)
	d := &driver{t: t, x: x, app: a, win: win, scratch: t.TempDir(), artifacts: artifacts}
	d.expect("launched", []string{labelRegistered, labelNoCalls}, nil)

	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "key", "ctrl+shift+u")
	cw := waitWindow(t, a, "colleagues", launchTimeout)
	c := &driver{t: t, x: x, app: a, win: cw, scratch: t.TempDir(), artifacts: artifacts, step: 10}
	c.expect("listed", []string{"Alice Martin", "1101", "David Moreau", "Do not disturb", "Emma Petit", "Offline", "Idle", "My presence"}, nil)

	// The search box has the focus when the window opens.
	xdo(t, "type", "--delay", "50", "emma")
	c.expect("searched", []string{"Emma Petit", "1 colleague"}, []string{"Alice Martin"})
	xdo(t, "key", "ctrl+a", "BackSpace")
	r := c.expect("all again", []string{"Alice Martin", "5 colleagues"}, nil)

	c.click(r, "Call") // the first row's: Alice
	c.expect("alice on a call", []string{"Alice Martin", "On a call", "Transfer", "Consult"}, nil)
}
