package windowtest

import (
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// TestWindowCompanyDirectory launches the real window in demo mode and
// reads it: typing a company in the number box proposes the directory's
// contact with its source, and the Tone Bot calling shows its company on
// the ringing card (a reverse lookup in the demo's wazo-dird).
func TestWindowCompanyDirectory(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-directory")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)

	a := startApp(t, bin, "-demo", "-audio", "null")
	win := waitWindow(t, a, windowName, launchTimeout)
	d := &driver{t: t, x: x, app: a, win: win, scratch: t.TempDir(), artifacts: artifacts}
	d.expect("launched", []string{labelRegistered, labelNumberBox, labelNoCalls}, nil)

	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "type", "--delay", "50", "globex")
	d.expect("directory-proposal", []string{"Directory", "Bruno Petit", "Globex", "0499887766"}, nil)
	xdo(t, "key", "ctrl+a", "BackSpace")

	r := d.expect("before-ring-me", []string{labelRingMe, labelNumberBox}, []string{"Bruno Petit"})
	d.click(r, labelRingMe)
	d.expect("ringing-card-company", []string{labelIncoming, "Tone Bot", "Parley Test Lab", labelAnswer, labelDecline}, nil)
}
