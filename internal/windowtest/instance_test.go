package windowtest

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// TestWindowSecondLaunchHandsTheLinkOver starts Parley, then launches it a
// second time the way the desktop does for a clicked link (parley
// tel:+3312345678): the second one hands the number to the first and
// exits, and the first one dials it.
func TestWindowSecondLaunchHandsTheLinkOver(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-instance")
	x := testrig.StartXvfb(t)
	home := t.TempDir()

	first := startAppIn(t, home, bin, "-demo", "-audio", "null")
	win := waitWindow(t, first, mainWindowName, launchTimeout)
	d := &driver{t: t, x: x, app: first, win: win, scratch: t.TempDir(), artifacts: artifacts}
	d.expect("first", []string{labelRegistered, labelNumberBox}, nil)

	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "tel:+3312345678")
	second.Env = appEnv(t, home)
	out, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("the second launch failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "handed tel:+3312345678 to the Parley already running") {
		t.Fatalf("the second launch says:\n%s", out)
	}
	// The first one dials it: the number shows in its window (as a call,
	// then, the demo having no such number, in the recent calls).
	d.expect("dialled", []string{"3312345678"}, nil)
	if first.exited() {
		t.Fatal("the first Parley exited")
	}
	t.Log(first.stop(stopGrace))
}
