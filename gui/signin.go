package gui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// AccountKind says which sign-in form the user filled in.
type AccountKind string

// Account kinds.
const (
	AccountWazo AccountKind = "wazo"
	AccountSIP  AccountKind = "sip"
	// AccountDemo is the built-in demo server: no form to fill.
	AccountDemo AccountKind = "demo"
)

// SignIn is what the sign-in screen asks for.
type SignIn struct {
	Kind AccountKind
	// Server is the Wazo stack, or the SIP registrar/proxy, as host[:port].
	Server   string
	Username string
	Password string
	// SIP accounts only.
	Transport    string // udp, tcp, tls, ws or wss
	AuthUsername string
	DisplayName  string
	STUN         string // a stun: URL, or empty
	// TURN is a turn: or turns: relay URL (RFC 7065), or empty; TURNUser
	// and TURNPassword its credential (the password goes to the keyring).
	TURN, TURNUser, TURNPassword string
	// CertificatePin is the hex SHA-256 of a Wazo server certificate the
	// user chose to trust.
	CertificatePin string
	// Note is shown under the form's title for as long as the window is
	// open; NoKeyring shows the window's own note that passwords cannot be
	// kept.
	Note      string
	NoKeyring bool
	// Saved lists accounts signed in before, newest first, for the form's
	// "Saved accounts" choice (with their passwords when the keyring has
	// them). Only the first SignIn given to RunSignIn carries it.
	Saved []SignIn
	// Media is how calls placed on a SIP account carry audio: "auto",
	// "webrtc", "rtp" or "srtp" (docs/media.md); empty is "auto".
	Media string
	// Remembered: the connector keeps a session for this account (a Wazo
	// refresh token), so signing in needs no password until it fails.
	Remembered bool
	// Automatic marks a sign-in Parley started by itself with saved
	// details (at start-up), not one the user asked for by pressing Sign in.
	Automatic bool
}

// Line is a connected phone line and what the window offers with it.
type Line struct {
	API     phone.API
	Options []Option
	// Close hangs up and releases the line, when the user signs out to
	// switch accounts; called off the Fyne thread. nil: the caller closes
	// it when Parley exits.
	Close func()
}

// Connector signs in with what the sign-in screen gathered. It runs off the
// Fyne thread; ctx ends when the user presses Cancel or quits. Its error
// is shown in the window: a *SignInError says it in plain words, with what
// to do next; any other error is shown as it is.
type Connector func(ctx context.Context, s SignIn) (*Line, error)

// SignInError is a failed sign-in, told the way the user can act on it.
type SignInError struct {
	// Problem says what went wrong, Next what to do about it.
	Problem, Next string
	// Field is the form field to put the cursor in: "server", "username"
	// or "password"; empty leaves it where it is.
	Field string
	// Certificate is set when the server's certificate is not trusted: the
	// screen shows its fingerprint and offers to trust it.
	Certificate *Certificate
	// Retry marks a failure that may go away by itself (the server is
	// unreachable): an automatic sign-in tries again after a while.
	Retry bool
	// Reason, Server and Detail let the window word the failure in the
	// user's language (signinwords.go); Detail is the cause the engine
	// gave ("connection refused").
	Reason SignInReason
	Server string
	Detail string
	Err    error
}

func (e *SignInError) Error() string { return e.Problem }
func (e *SignInError) Unwrap() error { return e.Err }

// Certificate describes a server certificate the user may choose to trust.
type Certificate struct {
	// Fingerprint is its SHA-256 as people compare it (AB:CD:…); Pin is
	// the same in the form SignIn.CertificatePin takes.
	Fingerprint, Pin string
	// IssuedTo names whom it was issued for.
	IssuedTo string
}

// retryAfter is how long an automatic sign-in waits after the server could
// not be reached before it tries again.
const retryAfter = 15 * time.Second

// signInScreen is the first-run and start-up window: it asks for an
// account, signs in, and tells the user, in words, why that failed.
type signInScreen struct {
	win     fyne.Window
	onUI    func(func())
	connect Connector
	// done receives the line once signed in, on the Fyne thread.
	done func(*Line)

	kind      *widget.RadioGroup
	wazoForm  *fyne.Container
	sipForm   *fyne.Container
	wazo      struct{ server, username, password *dialogEntry }
	sip       struct{ server, username, authUser, password, display, stun, turn, turnUser, turnPassword *dialogEntry }
	transport *widget.Select
	media     *widget.Select

	status   *widget.Label
	next     *widget.Label
	progress *widget.ProgressBarInfinite
	scroll   *container.Scroll
	cert     *fyne.Container
	certText *widget.Label
	trust    *widget.Button
	signIn   *widget.Button
	demo     *widget.Button
	cancel   *widget.Button
	pending  *Certificate
	// saved are the accounts offered by accounts (nil without any).
	saved    []SignIn
	accounts *widget.Select
	// remembered: see SignIn.Remembered; cleared once a sign-in fails.
	remembered bool
	// hidden: the window has not been shown (a minimized start); a
	// failure shows it.
	hidden    bool
	lastPin   string
	automatic bool

	// busy is the sign-in in flight; stopAttempt cancels it. closed is set
	// once the window is gone. All three belong to the Fyne thread.
	busy        bool
	stopAttempt context.CancelFunc
	closed      bool
	// life ends with the screen (closed, or a quit signal): every attempt
	// runs under it. stopFromSignal may be called from any goroutine.
	life           context.Context
	stopFromSignal context.CancelFunc
	// retry is the automatic retry timer, if one is armed.
	retry *time.Timer
	wg    sync.WaitGroup
}

const (
	wazoChoice = "Wazo Platform"
	sipChoice  = "SIP account"
)

var sipTransports = []string{"UDP", "TCP", "TLS", "WS", "WSS"}

// newSignInScreen builds the sign-in window, pre-filled with saved.
func newSignInScreen(a fyne.App, connect Connector, saved SignIn, onUI func(func()), done func(*Line)) *signInScreen {
	s := &signInScreen{win: a.NewWindow(lang.L("Parley: sign in")), onUI: onUI, connect: connect, done: done}
	s.life, s.stopFromSignal = context.WithCancel(context.Background())
	entry := func(placeholder, text string, password bool) *dialogEntry {
		e := newDialogEntry()
		e.Password = password
		e.PlaceHolder = placeholder
		e.SetText(text)
		e.OnSubmitted = func(string) { s.submit(false) }
		return e
	}
	s.wazo.server = entry("wazo.example.com", "", false)
	s.wazo.username = entry(lang.L("Your Wazo login"), "", false)
	s.wazo.password = entry(lang.L("Password"), "", true)
	s.sip.server = entry(lang.L("sip.example.com or sip.example.com:5060"), "", false)
	s.sip.username = entry(lang.L("Extension or SIP user"), "", false)
	s.sip.authUser = entry(lang.L("Only if different from the user"), "", false)
	s.sip.password = entry(lang.L("Password"), "", true)
	s.sip.display = entry(lang.L("Your name, as callers see it"), "", false)
	s.sip.stun = entry(lang.L("stun:stun.example.com (optional)"), "", false)
	s.sip.turn = entry(lang.L("turn:turn.example.com:3478 (optional)"), "", false)
	s.sip.turnUser = entry(lang.L("Only with a TURN server"), "", false)
	s.sip.turnPassword = entry(lang.L("TURN password"), "", true)
	s.transport = widget.NewSelect(sipTransports, nil)
	s.transport.SetSelected("UDP")
	s.media = widget.NewSelect(mediaChoices(), nil)
	s.media.SetSelected(mediaChoices()[0])

	s.wazoForm = container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Server")), s.wazo.server,
		widget.NewLabel(lang.L("Login")), s.wazo.username,
		widget.NewLabel(lang.L("Password")), s.wazo.password,
	)
	s.sipForm = container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Transport")), s.transport,
		widget.NewLabel(lang.L("Server")), s.sip.server,
		widget.NewLabel(lang.L("User")), s.sip.username,
		widget.NewLabel(lang.L("Auth user")), s.sip.authUser,
		widget.NewLabel(lang.L("Password")), s.sip.password,
		widget.NewLabel(lang.L("Name")), s.sip.display,
		widget.NewLabel("STUN"), s.sip.stun,
		widget.NewLabel("TURN"), s.sip.turn,
		widget.NewLabel(lang.L("TURN user")), s.sip.turnUser,
		widget.NewLabel(lang.L("TURN password")), s.sip.turnPassword,
		widget.NewLabel(lang.L("Media")), s.media,
	)
	s.kind = widget.NewRadioGroup([]string{lang.L(wazoChoice), lang.L(sipChoice)}, func(choice string) { s.showForm(choice) })
	s.kind.Horizontal = true
	s.kind.Required = true

	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.next = widget.NewLabel("")
	s.next.Wrapping = fyne.TextWrapWord
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.certText = widget.NewLabel("")
	s.certText.Wrapping = fyne.TextWrapWord
	s.certText.TextStyle = fyne.TextStyle{Monospace: true}
	s.trust = widget.NewButtonWithIcon(lang.L("Trust this certificate and sign in"), theme.ConfirmIcon(), s.trustCertificate)
	s.cert = container.NewVBox(s.certText, s.trust)
	s.cert.Hide()

	s.signIn = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), func() { s.submit(false) })
	s.signIn.Importance = widget.HighImportance
	s.demo = widget.NewButton(lang.L("Try the demo"), s.startDemo)
	s.cancel = widget.NewButton(lang.L("Cancel"), s.cancelAttempt)
	s.cancel.Hide()

	title := widget.NewLabelWithStyle(lang.L("Sign in to your phone line"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	content := container.NewVBox(title)
	if len(saved.Saved) > 0 {
		s.saved = saved.Saved
		labels := make([]string, len(saved.Saved))
		for i, a := range saved.Saved {
			labels[i] = savedLabel(a)
		}
		s.accounts = widget.NewSelect(labels, func(label string) {
			for i, l := range labels {
				if l == label {
					choice := s.saved[i]
					choice.Note = ""
					s.fill(choice)
					s.focusFirstEmpty()
				}
			}
		})
		s.accounts.PlaceHolder = lang.L("Saved accounts")
		content.Add(s.accounts)
	}
	if saved.NoKeyring && saved.Note == "" {
		saved.Note = noKeyringNote()
	}
	if saved.Note != "" {
		note := widget.NewLabel(saved.Note)
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.WarningImportance
		content.Add(note)
	}
	content.Objects = append(content.Objects,
		s.kind,
		container.NewStack(s.wazoForm, s.sipForm),
		container.NewHBox(s.signIn, s.cancel, s.demo),
		s.progress,
		s.status,
		s.next,
		s.cert,
	)
	s.scroll = container.NewVScroll(content)
	s.win.SetContent(container.NewPadded(s.scroll))
	s.win.Resize(fyne.NewSize(440, 600))
	s.win.SetOnClosed(s.closing)
	s.fill(saved)
	return s
}

// fill puts saved details in the form and the cursor where typing starts.
func (s *signInScreen) fill(saved SignIn) {
	s.automatic = saved.Automatic
	s.remembered = saved.Remembered
	s.lastPin = saved.CertificatePin
	switch saved.Kind {
	case AccountSIP:
		s.kind.SetSelected(lang.L(sipChoice))
		s.sip.server.SetText(saved.Server)
		s.sip.username.SetText(saved.Username)
		s.sip.authUser.SetText(saved.AuthUsername)
		s.sip.password.SetText(saved.Password)
		s.sip.display.SetText(saved.DisplayName)
		s.sip.stun.SetText(saved.STUN)
		s.sip.turn.SetText(saved.TURN)
		s.sip.turnUser.SetText(saved.TURNUser)
		s.sip.turnPassword.SetText(saved.TURNPassword)
		if t := strings.ToUpper(saved.Transport); t != "" {
			s.transport.SetSelected(t)
		}
		if i := slices.Index(mediaValues, saved.Media); i >= 0 {
			s.media.SetSelected(mediaChoices()[i])
		}
	default:
		s.kind.SetSelected(lang.L(wazoChoice))
		s.wazo.server.SetText(saved.Server)
		s.wazo.username.SetText(saved.Username)
		s.wazo.password.SetText(saved.Password)
	}
}

// mediaValues are the media settings the SIP form offers, in the order
// of mediaChoices.
var mediaValues = []string{"auto", "webrtc", "rtp", "srtp"}

func mediaChoices() []string {
	return []string{lang.L("Automatic"), lang.L("WebRTC"), lang.L("Plain RTP (not encrypted)"), lang.L("SRTP (encrypted)")}
}

// mediaValue is the media setting chosen in the SIP form.
func (s *signInScreen) mediaValue() string {
	if i := slices.Index(mediaChoices(), s.media.Selected); i > 0 {
		return mediaValues[i]
	}
	return ""
}

// savedLabel names a saved account in the choice.
func savedLabel(a SignIn) string {
	if a.Kind == AccountSIP {
		return "SIP · " + a.Username + "@" + a.Server
	}
	return lang.L("Wazo · {{.User}} on {{.Server}}", map[string]any{"User": a.Username, "Server": a.Server})
}

// focusFirstEmpty puts the cursor in the first field still to fill.
func (s *signInScreen) focusFirstEmpty() {
	fields := []*dialogEntry{s.wazo.server, s.wazo.username, s.wazo.password}
	if s.kind.Selected == lang.L(sipChoice) {
		fields = []*dialogEntry{s.sip.server, s.sip.username, s.sip.password}
	}
	for _, f := range fields {
		if f.Text == "" {
			s.win.Canvas().Focus(f)
			return
		}
	}
	s.win.Canvas().Focus(fields[0])
}

func (s *signInScreen) showForm(choice string) {
	if choice == lang.L(sipChoice) {
		s.wazoForm.Hide()
		s.sipForm.Show()
	} else {
		s.sipForm.Hide()
		s.wazoForm.Show()
	}
	s.setMessage("", "", widget.MediumImportance)
	s.cert.Hide()
}

// form reads what the user typed.
func (s *signInScreen) form() SignIn {
	trim := func(e *dialogEntry) string { return strings.TrimSpace(e.Text) }
	if s.kind.Selected == lang.L(sipChoice) {
		return SignIn{
			Kind: AccountSIP, Transport: strings.ToLower(s.transport.Selected), Media: s.mediaValue(),
			Server: trim(s.sip.server), Username: trim(s.sip.username), AuthUsername: trim(s.sip.authUser),
			Password: s.sip.password.Text, DisplayName: trim(s.sip.display), STUN: trim(s.sip.stun),
			TURN: trim(s.sip.turn), TURNUser: trim(s.sip.turnUser), TURNPassword: s.sip.turnPassword.Text,
		}
	}
	return SignIn{Kind: AccountWazo, Server: trim(s.wazo.server), Username: trim(s.wazo.username),
		Password: s.wazo.password.Text, CertificatePin: s.lastPin}
}

// missing names the first required field left empty, in words and as the
// entry to focus.
func (s *signInScreen) missing(f SignIn) (string, *dialogEntry) {
	server, user, pass := s.wazo.server, s.wazo.username, s.wazo.password
	if f.Kind == AccountSIP {
		server, user, pass = s.sip.server, s.sip.username, s.sip.password
	}
	switch {
	case f.Server == "":
		return lang.L("Enter the server address."), server
	case f.Username == "":
		return lang.L("Enter your login."), user
	case f.Password == "":
		return lang.L("Enter your password."), pass
	}
	return "", nil
}

// submit starts a sign-in with the form's details; automatic marks one
// Parley started by itself.
func (s *signInScreen) submit(automatic bool) {
	if s.busy || s.closed {
		return
	}
	f := s.form()
	if what, field := s.missing(f); what != "" && !(s.remembered && f.Password == "" && field == s.passwordEntry()) {
		s.setMessage(what, "", widget.DangerImportance)
		s.win.Canvas().Focus(field)
		return
	}
	f.Automatic = automatic
	s.attempt(f, lang.L("Signing in to {{.Server}}…", map[string]any{"Server": f.Server}))
}

func (s *signInScreen) startDemo() {
	if s.busy || s.closed {
		return
	}
	s.attempt(SignIn{Kind: AccountDemo}, lang.L("Starting the demo server…"))
}

// attempt runs the connector off the Fyne thread and shows its outcome.
func (s *signInScreen) attempt(f SignIn, doing string) {
	s.stopRetry()
	ctx, cancel := context.WithCancel(s.life)
	s.busy, s.stopAttempt = true, cancel
	s.setBusy(true)
	s.cert.Hide()
	s.setMessage(doing, "", widget.MediumImportance)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		line, err := s.connect(ctx, f)
		s.onUI(func() { s.finished(ctx, cancel, f, line, err) })
	}()
}

// finished shows an attempt's outcome; on the Fyne thread.
func (s *signInScreen) finished(ctx context.Context, cancel context.CancelFunc, f SignIn, line *Line, err error) {
	cancelled := ctx.Err() != nil
	cancel()
	s.busy, s.stopAttempt = false, nil
	if s.closed {
		// The user closed the window meanwhile; a line it opened is closed
		// by its owner, the connector's caller, when Parley exits.
		return
	}
	s.setBusy(false)
	if err == nil && line != nil {
		s.closed = true
		s.done(line)
		s.win.Close()
		return
	}
	if cancelled {
		s.setMessage(lang.L("Sign-in cancelled."), "", widget.MediumImportance)
		return
	}
	s.showError(f, err)
}

// passwordEntry is the password field of the form shown.
func (s *signInScreen) passwordEntry() *dialogEntry {
	if s.kind.Selected == sipChoice {
		return s.sip.password
	}
	return s.wazo.password
}

func (s *signInScreen) showError(f SignIn, err error) {
	s.remembered = false // the kept session did not do: ask for the password
	if s.hidden {
		s.hidden = false
		s.win.Show()
	}
	var se *SignInError
	if !errors.As(err, &se) {
		se = &SignInError{Problem: signInFailure(err), Next: lang.L("Check the details and try again."), Err: err}
	}
	problem, next := se.words()
	if se.Retry && f.Automatic {
		next = strings.TrimSpace(next + " " + lang.L("Parley tries again in {{.Delay}}.", map[string]any{"Delay": retryAfter.String()}))
		s.armRetry()
	}
	s.setMessage(problem, next, widget.DangerImportance)
	if c := se.Certificate; c != nil {
		s.pending = c
		text := lang.L("SHA-256 fingerprint:") + "\n" + fingerprintLines(c.Fingerprint)
		if c.IssuedTo != "" {
			text = lang.L("Issued to: {{.Name}}", map[string]any{"Name": c.IssuedTo}) + "\n" + text
		}
		s.certText.SetText(text)
		s.cert.Show()
		s.scroll.ScrollToBottom() // the Trust button, under the fingerprint
	}
	if e := s.fieldEntry(f.Kind, se.Field); e != nil {
		s.win.Canvas().Focus(e)
	}
}

func (s *signInScreen) fieldEntry(kind AccountKind, field string) *dialogEntry {
	wazo := kind != AccountSIP
	switch field {
	case "server":
		if wazo {
			return s.wazo.server
		}
		return s.sip.server
	case "username":
		if wazo {
			return s.wazo.username
		}
		return s.sip.username
	case "password":
		if wazo {
			return s.wazo.password
		}
		return s.sip.password
	}
	return nil
}

// trustCertificate pins the certificate shown and signs in again. The pin
// covers this one certificate only: verification stays on, and a server
// that later presents another certificate is refused again.
func (s *signInScreen) trustCertificate() {
	if s.pending == nil {
		return
	}
	s.lastPin = s.pending.Pin
	s.pending = nil
	s.submit(false)
}

func (s *signInScreen) cancelAttempt() {
	if s.stopAttempt != nil {
		s.stopAttempt()
	}
}

func (s *signInScreen) setBusy(busy bool) {
	for _, w := range []fyne.Disableable{s.signIn, s.demo, s.trust, s.kind, s.transport, s.media} {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if busy {
		s.cancel.Show()
		s.progress.Show()
		s.progress.Start()
	} else {
		s.cancel.Hide()
		s.progress.Stop()
		s.progress.Hide()
	}
}

func (s *signInScreen) setMessage(problem, next string, importance widget.Importance) {
	s.status.Importance = importance
	s.status.SetText(problem)
	s.status.Hidden = problem == ""
	s.next.SetText(next)
	s.next.Hidden = next == ""
	s.status.Refresh()
	s.next.Refresh()
}

// armRetry signs in again after retryAfter, unless the user acts first.
func (s *signInScreen) armRetry() {
	s.stopRetry()
	s.retry = time.AfterFunc(retryAfter, func() {
		s.onUI(func() {
			if !s.closed && !s.busy {
				s.submit(true)
			}
		})
	})
}

func (s *signInScreen) stopRetry() {
	if s.retry != nil {
		s.retry.Stop()
		s.retry = nil
	}
}

// closing runs when the window closes, on the Fyne thread.
func (s *signInScreen) closing() {
	s.closed = true
	s.stopRetry()
	s.stopFromSignal()
}

// wait returns once no sign-in attempt runs; off the Fyne thread, after
// the window closed.
func (s *signInScreen) wait() { s.wg.Wait() }

// fingerprintLines breaks a colon-separated fingerprint into lines of
// eight bytes, so it wraps between bytes and reads like a grid to compare.
func fingerprintLines(fp string) string {
	bytes := strings.Split(fp, ":")
	var lines []string
	for len(bytes) > 8 {
		lines = append(lines, strings.Join(bytes[:8], ":"))
		bytes = bytes[8:]
	}
	return strings.Join(append(lines, strings.Join(bytes, ":")), "\n")
}

// signInFailure reads an error that is not a *SignInError as a sentence.
func signInFailure(err error) string {
	if strings.TrimSpace(err.Error()) == "" {
		return lang.L("Could not sign in.")
	}
	return lang.L("Could not sign in: {{.Reason}}.", map[string]any{"Reason": errorText(err)})
}
