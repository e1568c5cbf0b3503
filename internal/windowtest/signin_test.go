package windowtest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/testrig"
)

// Words of the sign-in window (gui/signin.go).
const (
	signInWindowName = "Parley: sign in"
	labelSignInTitle = "Sign in to your phone line"
	labelServer      = "Server"
	labelLogin       = "Login"
	labelNotTrusted  = "does not trust the certificate"
	labelTrust       = "Trust this certificate"
	labelWrongLogin  = "Wrong login or password."
	// mainWindowName matches the main window only, not "Parley: sign in"
	// (xdotool takes a regular expression).
	mainWindowName = "^Parley$"
)

// TestWindowFirstSignIn starts the real window with no account and signs in
// to a Wazo stand-in as a new user would: type the server, login and a
// wrong password, read the error, correct it, meet the self-signed
// certificate, trust it, and land registered in the main window.
func TestWindowFirstSignIn(t *testing.T) {
	testrig.Require(t, "Xvfb", "xdotool", "import", "tesseract")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stack, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	bin := buildParley(t, t.TempDir())
	artifacts := artifactDir(t, "window-signin")
	t.Logf("screenshots in %s", artifacts)
	x := testrig.StartXvfb(t)

	a := startApp(t, bin, "-audio", "null")
	win := waitWindow(t, a, signInWindowName, launchTimeout)
	d := &driver{t: t, x: x, app: a, win: win, scratch: t.TempDir(), artifacts: artifacts}
	d.expect("first-start", []string{labelSignInTitle, labelServer, labelLogin}, nil)

	// The cursor starts in the server field: type straight away.
	xdo(t, "windowfocus", "--sync", win.id)
	xdo(t, "type", "--delay", "40", stack.Host())
	xdo(t, "key", "Tab")
	xdo(t, "type", "--delay", "40", stack.Username())
	xdo(t, "key", "Tab")
	xdo(t, "type", "--delay", "40", "not-the-password")
	xdo(t, "key", "Return")
	r := d.expect("certificate", []string{labelNotTrusted, labelTrust}, nil)

	// Trust the certificate: signs in again, now with the pin, and the
	// password is wrong.
	d.click(r, labelTrust)
	d.expect("wrong-password", []string{labelWrongLogin}, []string{labelNotTrusted})

	// The cursor is back in the password field: select it all, retype.
	xdo(t, "key", "ctrl+a")
	xdo(t, "type", "--delay", "40", stack.Password())
	xdo(t, "key", "Return")

	main := waitWindow(t, a, mainWindowName, stepTimeout)
	m := &driver{t: t, x: x, app: a, win: main, scratch: t.TempDir(), artifacts: artifacts, step: d.step}
	m.expect("signed-in", []string{labelRegistered, labelNumberBox, labelNoCalls}, nil)
	if err := waitNoWindow(signInWindowName, stepTimeout); err != nil {
		t.Errorf("the sign-in window stayed: %v", err)
	}
	t.Log(a.stop(stopGrace))
}
