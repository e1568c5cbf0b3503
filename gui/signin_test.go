package gui

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone/phonetest"
)

// scriptedConnector answers sign-ins with the outcomes queued, and records
// what it was asked.
type scriptedConnector struct {
	mu       sync.Mutex
	asked    []SignIn
	outcomes []error // nil: success
	// hold, when set, keeps each attempt connecting until it is cancelled.
	hold bool
}

func (c *scriptedConnector) connect(ctx context.Context, s SignIn) (*Line, error) {
	c.mu.Lock()
	c.asked = append(c.asked, s)
	hold := c.hold
	var err error
	if len(c.outcomes) > 0 {
		err, c.outcomes = c.outcomes[0], c.outcomes[1:]
	}
	c.mu.Unlock()
	if hold {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	return &Line{API: phonetest.New()}, nil
}

func (c *scriptedConnector) requests() []SignIn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]SignIn(nil), c.asked...)
}

type signInFixture struct {
	t    *testing.T
	ui   *fyneThread
	s    *signInScreen
	c    *scriptedConnector
	line chan *Line
}

func newSignInFixture(t *testing.T, c *scriptedConnector, saved SignIn) *signInFixture {
	t.Helper()
	a := test.NewTempApp(t)
	f := &signInFixture{t: t, ui: &fyneThread{}, c: c, line: make(chan *Line, 1)}
	f.ui.do(func() {
		f.s = newSignInScreen(a, c.connect, saved, f.ui.do, func(l *Line) { f.line <- l })
		f.s.win.Resize(fyne.NewSize(420, 560))
		f.s.win.Show()
		f.s.focusFirstEmpty()
	})
	t.Cleanup(func() {
		f.ui.do(func() {
			if !f.s.closed {
				f.s.win.Close()
			}
		})
		f.s.wait()
		select {
		case l := <-f.line:
			l.API.(*phonetest.Engine).Close()
		default:
		}
	})
	return f
}

func (f *signInFixture) waitUntil(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(patience)
	for {
		var ok bool
		f.ui.do(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var texts []string
			f.ui.do(func() { texts = textsIn(f.s.win.Content()) })
			f.t.Fatalf("waited in vain for %s; the window shows %q", what, texts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *signInFixture) typeInto(e *dialogEntry, text string) {
	f.ui.do(func() {
		e.SetText("")
		test.Type(e, text)
	})
}

func (f *signInFixture) tap(b *widget.Button) {
	f.t.Helper()
	f.ui.do(func() {
		if !usable(b) {
			f.t.Fatalf("button %q is not there to tap", b.Text)
		}
		test.Tap(b)
	})
}

func (f *signInFixture) shows(fragment string) func() bool {
	return func() bool { return containsText(textsIn(f.s.win.Content()), fragment) }
}

func TestSignInAsksForWhatIsMissing(t *testing.T) {
	f := newSignInFixture(t, &scriptedConnector{}, SignIn{})
	f.ui.do(func() {
		if f.s.win.Canvas().Focused() != f.s.wazo.server {
			t.Error("the cursor is not in the server field on first start")
		}
	})
	f.typeInto(f.s.wazo.server, "wazo.example.com")
	f.tap(f.s.signIn)
	f.waitUntil("the missing login", f.shows("Enter your login."))
	f.ui.do(func() {
		if f.s.win.Canvas().Focused() != f.s.wazo.username {
			t.Error("the cursor did not move to the login")
		}
	})
	if n := len(f.c.requests()); n != 0 {
		t.Fatalf("signed in %d times with a form half filled", n)
	}
}

func TestSignInWrongPasswordThenRight(t *testing.T) {
	c := &scriptedConnector{outcomes: []error{&SignInError{
		Problem: "Wrong login or password.", Next: "Check them and try again.", Field: "password",
	}}}
	f := newSignInFixture(t, c, SignIn{Kind: AccountWazo, Server: "wazo.example.com", Username: "alice"})
	f.ui.do(func() {
		if f.s.win.Canvas().Focused() != f.s.wazo.password {
			t.Error("with server and login saved, the cursor is not in the password field")
		}
	})
	f.typeInto(f.s.wazo.password, "wrong")
	f.ui.do(func() { f.s.wazo.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) }) // Enter signs in
	f.waitUntil("the error", f.shows("Wrong login or password."))
	f.waitUntil("what to do", f.shows("Check them and try again."))
	f.typeInto(f.s.wazo.password, "secret")
	f.tap(f.s.signIn)
	select {
	case <-f.line:
	case <-time.After(patience):
		t.Fatal("the second sign-in never opened the line")
	}
	got := f.c.requests()
	if len(got) != 2 || !reflect.DeepEqual(got[1], SignIn{Kind: AccountWazo, Server: "wazo.example.com", Username: "alice", Password: "secret"}) {
		t.Fatalf("sign-ins asked: %+v", got)
	}
	f.ui.do(func() {
		if !f.s.closed {
			t.Error("the sign-in window stayed open after signing in")
		}
	})
}

func TestSignInTrustsTheCertificateShown(t *testing.T) {
	cert := &Certificate{Fingerprint: "AB:CD:EF", Pin: "abcdef", IssuedTo: "wazo.example.com"}
	c := &scriptedConnector{outcomes: []error{&SignInError{
		Problem: "This computer does not trust the certificate of wazo.example.com.", Certificate: cert,
	}}}
	f := newSignInFixture(t, c, SignIn{Kind: AccountWazo, Server: "wazo.example.com", Username: "alice", Password: "pw", Automatic: true})
	f.ui.do(func() { f.s.submit(true) })
	f.waitUntil("the fingerprint", f.shows("AB:CD:EF"))
	f.waitUntil("whom it was issued to", f.shows("Issued to: wazo.example.com"))
	f.tap(f.s.trust)
	select {
	case <-f.line:
	case <-time.After(patience):
		t.Fatal("trusting the certificate did not sign in")
	}
	got := f.c.requests()
	if len(got) != 2 || got[1].CertificatePin != "abcdef" || got[0].CertificatePin != "" {
		t.Fatalf("sign-ins asked: %+v", got)
	}
}

func TestSignInCancel(t *testing.T) {
	c := &scriptedConnector{hold: true}
	f := newSignInFixture(t, c, SignIn{Kind: AccountSIP, Transport: "tcp", Server: "pbx.example.com", Username: "1001", Password: "pw", Media: "srtp"})
	f.ui.do(func() {
		if f.s.transport.Selected != "TCP" || !f.s.sipForm.Visible() || f.s.wazoForm.Visible() {
			t.Errorf("saved SIP account shown as transport %q, SIP form %v", f.s.transport.Selected, f.s.sipForm.Visible())
		}
	})
	f.tap(f.s.signIn)
	f.waitUntil("signing in", f.shows("Signing in to pbx.example.com"))
	f.ui.do(func() {
		if !f.s.signIn.Disabled() {
			t.Error("Sign in can be pressed again while signing in")
		}
	})
	f.tap(f.s.cancel)
	f.waitUntil("cancelled", f.shows("Sign-in cancelled."))
	f.ui.do(func() {
		if f.s.signIn.Disabled() || f.s.cancel.Visible() {
			t.Error("after Cancel the form is not usable again")
		}
	})
	if got := f.c.requests(); len(got) != 1 || got[0].Transport != "tcp" || got[0].Kind != AccountSIP || got[0].Media != "srtp" {
		t.Fatalf("sign-ins asked: %+v", got)
	}
}

func TestSignInAutomaticRetryIsAnnounced(t *testing.T) {
	c := &scriptedConnector{outcomes: []error{&SignInError{
		Problem: "Cannot reach wazo.example.com: connection refused.", Next: "Check the server address and your network connection.",
		Field: "server", Retry: true,
	}}}
	f := newSignInFixture(t, c, SignIn{Kind: AccountWazo, Server: "wazo.example.com", Username: "alice", Password: "pw", Automatic: true})
	f.ui.do(func() { f.s.submit(true) })
	f.waitUntil("the retry notice", f.shows("Parley tries again in 15s."))
	f.ui.do(func() {
		if f.s.retry == nil {
			t.Error("no retry armed")
		}
		f.s.stopRetry()
	})
}

func TestSignInPlainErrorReadsAsASentence(t *testing.T) {
	c := &scriptedConnector{outcomes: []error{errors.New("the demo server could not start")}}
	f := newSignInFixture(t, c, SignIn{})
	f.tap(f.s.demo)
	f.waitUntil("the error", func() bool {
		return f.shows("Could not sign in: something went wrong (technical")() && f.shows("the demo server could not start).")()
	})
	if got := f.c.requests(); len(got) != 1 || got[0].Kind != AccountDemo {
		t.Fatalf("sign-ins asked: %+v", got)
	}
}

func TestSignInWithAKeptSessionNeedsNoPassword(t *testing.T) {
	c := &scriptedConnector{outcomes: []error{
		&SignInError{Problem: "Your Wazo session has ended.", Next: "Enter your password to sign in again.", Field: "password"},
	}}
	f := newSignInFixture(t, c, SignIn{Kind: AccountWazo, Server: "wazo.example.com", Username: "alice", Remembered: true, Automatic: true})
	f.ui.do(func() { f.s.submit(true) })
	f.waitUntil("the ended session", f.shows("Enter your password to sign in again."))
	if got := c.requests(); len(got) != 1 || got[0].Password != "" {
		t.Fatalf("sign-ins asked: %+v", got)
	}
	// From now on the password is needed.
	f.tap(f.s.signIn)
	f.waitUntil("the missing password", f.shows("Enter your password."))
	if n := len(c.requests()); n != 1 {
		t.Fatalf("signed in again without a password (%d attempts)", n)
	}
}
