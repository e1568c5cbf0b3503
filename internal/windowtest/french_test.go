package windowtest

import (
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// TestWindowInFrench launches the real window with -lang fr on a C locale
// machine and reads it: the choice goes from the flag through to Fyne, and
// a call shows its controls in French. The phrases are the ones without
// accents, which tesseract's English model reads reliably.
func TestWindowInFrench(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-french")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)

	a := startApp(t, bin, "-demo", "-audio", "null", "-lang", "fr")
	win := waitWindow(t, a, windowName, launchTimeout)
	d := &driver{t: t, x: x, app: a, win: win, scratch: t.TempDir(), artifacts: artifacts}
	d.expect("launched", []string{"Aucun appel", "poste ou adresse SIP", "Appeler"}, []string{labelNoCalls, labelNumberBox})

	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "type", "--delay", "50", echoNumber)
	d.expect("number-typed", []string{echoNumber}, []string{"poste ou adresse SIP"})
	xdo(t, "key", "Return")
	d.expect("echo-call", []string{echoNumber, "En communication", "Raccrocher", "Attente", "Muet", "Clavier"}, []string{labelHangUp, labelConnected})
}
