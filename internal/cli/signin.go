package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/secrets"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// signInFlow connects the lines the sign-in window asks for and owns them:
// the one in use is closed when Parley exits.
type signInFlow struct {
	// ctx lives as long as Parley: a line outlives the sign-in attempt
	// that opened it.
	ctx    context.Context
	base   Settings
	logger *slog.Logger
	stderr io.Writer
	// started runs once a line is up (links to dial, the hand-over socket).
	started func(*session)
	// secrets keeps the password of an account signed in from the window;
	// nil keeps nothing (the next start asks again).
	secrets secrets.Store

	mu   sync.Mutex
	sess *session
}

// connect is the gui.Connector.
func (f *signInFlow) connect(attempt context.Context, in gui.SignIn) (*gui.Line, error) {
	s := f.base
	if in.Kind == gui.AccountDemo {
		s.Demo = true
	} else {
		s = settingsFor(f.base, in)
	}
	if f.secrets != nil {
		s.Wazo.StaySignedIn = true
	}
	// A saved account starting up keeps retrying a server that is down
	// (the window shows "retrying"); one the user just typed in says it
	// cannot be reached, in the sign-in window.
	s.FailUnreachable = !in.Automatic
	// The session runs under Parley's context; the attempt's cancellation
	// (Cancel, a closed window) only aborts it while it connects.
	ctx, cancel := context.WithCancel(f.ctx)
	detach := context.AfterFunc(attempt, cancel)
	sess, err := startSession(ctx, s, f.logger, true)
	if !detach() {
		// Cancelled while connecting: whatever came up goes down again.
		if sess != nil {
			sess.close()
		}
		cancel()
		return nil, attempt.Err()
	}
	if err != nil {
		cancel()
		return nil, signInError(in, err)
	}
	closeLine := sess.close
	sess.close = func() {
		closeLine()
		cancel()
	}
	if !in.Automatic && in.Kind != gui.AccountDemo {
		if err := saveAccount(s); err != nil {
			// The line works; only the next start will ask again.
			fmt.Fprintln(f.stderr, "parley:", err)
		}
		if err := rememberAccount(s); err != nil {
			fmt.Fprintln(f.stderr, "parley: the account is not in the saved accounts list:", err)
		}
		if f.secrets != nil {
			if err := f.secrets.Set(accountID(s), secrets.Password, s.Account.Password); err != nil {
				fmt.Fprintln(f.stderr, "parley: the password could not be kept in the keyring, so the next start asks for it:", err)
			}
			if s.Wazo.Server == "" && s.Line.TURN != "" && s.Line.TURNPassword != "" {
				if err := f.secrets.Set(accountID(s), secrets.TURNPassword, s.Line.TURNPassword); err != nil {
					fmt.Fprintln(f.stderr, "parley: the TURN password could not be kept in the keyring, so the next start asks for it:", err)
				}
			}
		}
	}
	if f.secrets != nil && sess.refreshToken != nil {
		// Signed in once, signed in at the next start too (the Wazo SDK's
		// offline session), until the user signs out.
		if tok := sess.refreshToken(); tok != "" {
			if err := f.secrets.Set(accountID(s), secrets.RefreshToken, tok); err != nil {
				fmt.Fprintln(f.stderr, "parley: the Wazo session is not kept for the next start:", err)
			}
		}
	}
	// started may wrap sess.close: before the session is published.
	f.started(sess)
	f.mu.Lock()
	f.sess = sess
	f.mu.Unlock()
	return &gui.Line{API: sess.api, Options: sess.guiOptions(), Close: func() { f.closeLine(sess, s) }}, nil
}

// closeLine signs out of sess to switch accounts: a Wazo session is
// revoked and its refresh token forgotten, so the next sign-in asks for
// the password.
func (f *signInFlow) closeLine(sess *session, s Settings) {
	f.mu.Lock()
	if f.sess == sess {
		f.sess = nil
	}
	f.mu.Unlock()
	if sess.signOut == nil {
		sess.close()
		return
	}
	sess.signOut()
	if f.secrets != nil {
		_ = f.secrets.Delete(accountID(s), secrets.RefreshToken)
	}
}

// savedAccounts are the accounts signed in from the window before, for
// the sign-in window to offer, with the passwords the keyring has.
func (f *signInFlow) savedAccounts() []gui.SignIn {
	list, err := readAccountList(accountListPath(f.base.ConfigPath))
	if err != nil {
		fmt.Fprintln(f.stderr, "parley: the saved accounts list cannot be read:", err)
		return nil
	}
	out := make([]gui.SignIn, 0, len(list))
	for _, a := range list {
		in := a.signIn()
		if f.secrets != nil {
			if pw, err := f.secrets.Get(secrets.AccountID(a.Username, a.sipServer(), a.wazoServer()), secrets.Password); err == nil {
				in.Password = pw
			}
			if in.TURN != "" {
				if pw, err := f.secrets.Get(secrets.AccountID(a.Username, a.sipServer(), a.wazoServer()), secrets.TURNPassword); err == nil {
					in.TURNPassword = pw
				}
			}
		}
		out = append(out, in)
	}
	return out
}

// close closes the line in use, if any.
func (f *signInFlow) close() {
	f.mu.Lock()
	sess := f.sess
	f.sess = nil
	f.mu.Unlock()
	if sess != nil {
		sess.close()
	}
}

// accountID names the account in the secret store.
func accountID(s Settings) string {
	return secrets.AccountID(s.Account.Username, s.Account.Server, s.Wazo.Server)
}

// openSecrets picks where passwords are kept: the OS keyring when this
// session has one, else nowhere (each start asks), with the reason to tell
// the user. A password still in the account file moves to the keyring.
func openSecrets(ctx context.Context, s *Settings, stderr io.Writer) (store secrets.Store, keyring keyringState) {
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	avail := secrets.Detect(dctx)
	cancel()
	if !avail.Available {
		fmt.Fprintln(stderr, "parley:", avail.Reason, "Parley asks for the password each time it starts.")
		return nil, noKeyring
	}
	store = secrets.NewKeyring()
	useSecrets(store, s, stderr)
	return store, keyringAvailable
}

// keyringState says whether passwords can be kept.
type keyringState bool

const (
	keyringAvailable keyringState = true
	noKeyring        keyringState = false
)

// useSecrets moves a password still in the account file into store, and
// fills in the saved password when the settings have none.
func useSecrets(store secrets.Store, s *Settings, stderr io.Writer) {
	if s.ConfigPath != "" && s.Account.Password != "" {
		if _, moved, err := secrets.MigrateAccountFile(s.ConfigPath, store); err != nil {
			fmt.Fprintln(stderr, "parley: the password stays in the account file:", err)
		} else if moved {
			fmt.Fprintln(stderr, "parley: moved the password from", s.ConfigPath, "to the keyring")
		}
	}
	if s.Account.Password == "" && s.hasCredentials() {
		if pw, err := store.Get(accountID(*s), secrets.Password); err == nil {
			s.Account.Password = pw
		} else if !errors.Is(err, secrets.ErrNotFound) {
			fmt.Fprintln(stderr, "parley: cannot read the password from the keyring:", err)
		}
	}
	if s.Line.TURN != "" && s.Line.TURNPassword == "" && s.hasCredentials() {
		if pw, err := store.Get(accountID(*s), secrets.TURNPassword); err == nil {
			s.Line.TURNPassword = pw
		} else if !errors.Is(err, secrets.ErrNotFound) {
			fmt.Fprintln(stderr, "parley: cannot read the TURN password from the keyring:", err)
		}
	}
	if s.Wazo.Server != "" && s.hasCredentials() {
		if tok, err := store.Get(accountID(*s), secrets.RefreshToken); err == nil {
			s.Wazo.RefreshToken = tok
		}
	}
}

// settingsFor is base with the account the sign-in window gathered.
func settingsFor(base Settings, in gui.SignIn) Settings {
	s := base
	s.Demo = false
	switch in.Kind {
	case gui.AccountWazo:
		s.Wazo = WazoSettings{Server: in.Server, CertificatePin: in.CertificatePin, StaySignedIn: base.Wazo.StaySignedIn}
		if in.Password == "" && in.Server == base.Wazo.Server && in.Username == base.Account.Username {
			// The kept session signs in; the password is not needed.
			s.Wazo.RefreshToken = base.Wazo.RefreshToken
		}
		s.Account = phone.Account{Username: in.Username, Password: in.Password}
		s.Line.STUN = nil
		s.Line.TURN, s.Line.TURNUser, s.Line.TURNPassword = "", "", ""
	default:
		s.Wazo = WazoSettings{}
		acct := phone.Account{
			Transport: in.Transport, Server: in.Server, Username: in.Username,
			AuthUsername: in.AuthUsername, Password: in.Password, DisplayName: in.DisplayName,
		}
		if base.Wazo.Server == "" && base.Account.Server == in.Server {
			// Keep what the form does not show (domain, WebSocket path,
			// expiry) when the server is the one the file named.
			acct.Domain, acct.WSPath, acct.RegisterExpiry = base.Account.Domain, base.Account.WSPath, base.Account.RegisterExpiry
		}
		s.Account = acct
		s.Line.Media = in.Media
		s.Line.STUN = nil
		if in.STUN != "" {
			s.Line.STUN = []string{in.STUN}
		}
		s.Line.TURN, s.Line.TURNUser, s.Line.TURNPassword = in.TURN, in.TURNUser, in.TURNPassword
	}
	return s
}

// savedSignIn is what the sign-in window starts with: the account the
// file, flags or environment gave, if any.
func savedSignIn(s Settings) gui.SignIn {
	if s.Wazo.Server != "" {
		return gui.SignIn{Kind: gui.AccountWazo, Server: s.Wazo.Server, Username: s.Account.Username,
			Password: s.Account.Password, CertificatePin: s.Wazo.CertificatePin, Remembered: s.Wazo.RefreshToken != ""}
	}
	in := gui.SignIn{Kind: gui.AccountWazo}
	if s.Account.Server != "" {
		in = gui.SignIn{Kind: gui.AccountSIP, Server: s.Account.Server, Username: s.Account.Username,
			Password: s.Account.Password, Transport: s.Account.Transport, AuthUsername: s.Account.AuthUsername,
			DisplayName: s.Account.DisplayName, Media: s.Line.Media}
		if len(s.Line.STUN) > 0 {
			in.STUN = s.Line.STUN[0]
		}
		in.TURN, in.TURNUser, in.TURNPassword = s.Line.TURN, s.Line.TURNUser, s.Line.TURNPassword
	}
	return in
}

// saveAccount writes the account to the account file so the next start
// fills the form in. The password is not written: Parley never keeps it
// in a plain file it wrote itself (the keyring has it, or the next start
// asks for it). What the
// form does not show (local port, redirects, auto-answer…) is kept as the
// file had it, so neither flags nor the fleet file's values end up in it.
func saveAccount(s Settings) error {
	if s.ConfigPath == "" {
		return nil
	}
	var f accountFile
	if old, err := os.ReadFile(s.ConfigPath); err == nil {
		if err := json.Unmarshal(old, &f); err != nil {
			f = accountFile{} // unreadable: replaced by what signed in
		}
	}
	f.Transport = s.Account.Transport
	f.Server = s.Account.Server
	f.WSPath = s.Account.WSPath
	f.Domain = s.Account.Domain
	f.Username = s.Account.Username
	f.AuthUsername = s.Account.AuthUsername
	f.Password = ""
	f.DisplayName = s.Account.DisplayName
	f.RegisterExpiry = int(s.Account.RegisterExpiry.Seconds())
	f.STUN = s.Line.STUN
	f.TURN = nil
	if s.Wazo.Server == "" && s.Line.TURN != "" {
		// The password goes to the keyring (signInFlow.connect), never here.
		f.TURN = &turnFile{URL: s.Line.TURN, Username: s.Line.TURNUser}
	}
	f.Media = ""
	if s.Wazo.Server == "" && s.Line.Media != "auto" {
		f.Media = s.Line.Media
	}
	f.Wazo = nil
	if s.Wazo.Server != "" {
		f.Wazo = &struct {
			Server         string `json:"server"`
			CertificatePin string `json:"certificate_sha256"`
		}{s.Wazo.Server, s.Wazo.CertificatePin}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.ConfigPath), 0o700); err != nil {
		return fmt.Errorf("saving the account: %w", err)
	}
	// Write a new file and rename it over the old one, so a crash never
	// leaves half an account file.
	tmp, err := os.CreateTemp(filepath.Dir(s.ConfigPath), ".account-*.json")
	if err != nil {
		return fmt.Errorf("saving the account: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the account: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the account: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.ConfigPath); err != nil {
		return fmt.Errorf("saving the account: %w", err)
	}
	return nil
}

// signInError tells why a sign-in failed the way the user can act on it.
func signInError(in gui.SignIn, err error) error {
	server := in.Server
	var ce *wazo.CertificateError
	var netErr *wazo.NetError
	switch {
	case errors.As(err, &ce):
		certificate := &gui.Certificate{
			Fingerprint: wazo.FormatFingerprint(ce.SHA256),
			Pin:         hex.EncodeToString(ce.SHA256[:]),
			IssuedTo:    strings.Join(ce.DNSNames, ", "),
		}
		if certificate.IssuedTo == "" {
			certificate.IssuedTo = ce.Subject
		}
		if errors.Is(err, wazo.ErrCertificateMismatch) {
			return &gui.SignInError{
				Reason: gui.ReasonChangedCert, Server: server,
				Problem:     "The certificate of " + server + " has changed since you trusted it.",
				Next:        "Ask your administrator whether it was renewed. Trust the new one only if its fingerprint below is the one they give you.",
				Certificate: certificate, Err: err,
			}
		}
		return &gui.SignInError{
			Reason: gui.ReasonUntrustedCert, Server: server,
			Problem:     "This computer does not trust the certificate of " + server + ".",
			Next:        "Wazo servers often use their own certificate. Trust it only if the fingerprint below is the one your administrator gives you.",
			Certificate: certificate, Err: err,
		}
	case errors.Is(err, wazo.ErrAuthenticationFailed), errors.Is(err, phone.ErrAuthFailed):
		return &gui.SignInError{
			Reason:  gui.ReasonWrongPassword,
			Problem: "Wrong login or password.",
			Next:    "Check them and try again. If you have forgotten your password, ask your administrator.",
			Field:   "password", Err: err,
		}
	case errors.Is(err, wazo.ErrSessionExpired):
		return &gui.SignInError{
			Reason:  gui.ReasonSessionEnded,
			Problem: "Your Wazo session has ended (you signed out elsewhere, or your administrator ended it).",
			Next:    "Enter your password to sign in again.",
			Field:   "password", Err: err,
		}
	case errors.Is(err, wazo.ErrNoWebRTCLine):
		return &gui.SignInError{
			Reason:  gui.ReasonNoWebRTCLine,
			Problem: "Your Wazo account has no WebRTC line, which Parley needs to make calls.",
			Next:    "Ask your administrator to add a line with the webrtc template to your user, then sign in again.",
			Err:     err,
		}
	case errors.As(err, &netErr):
		return &gui.SignInError{
			Reason: gui.ReasonUnreachable, Server: server, Detail: netErr.Reason,
			Problem: "Cannot reach " + server + ": " + netErr.Reason + ".",
			Next:    "Check the server address and your network connection.",
			Field:   "server", Retry: true, Err: err,
		}
	case errors.Is(err, wazo.ErrUnreachable), errors.Is(err, phone.ErrUnreachable):
		return &gui.SignInError{
			Reason: gui.ReasonUnreachable, Server: server,
			Problem: "Cannot reach " + server + ".",
			Next:    "Check the server address and your network connection.",
			Field:   "server", Retry: true, Err: err,
		}
	case errors.Is(err, phone.ErrInvalidAccount), errors.Is(err, rtc.ErrBadConfig):
		return &gui.SignInError{
			Reason: gui.ReasonInvalidAccount, Detail: strings.TrimSuffix(err.Error(), "."),
			Problem: capitalise(err.Error()) + ".",
			Next:    "Correct the account details and try again.",
			Err:     err,
		}
	case errors.Is(err, wazoline.ErrRegistration):
		return &gui.SignInError{
			Reason: gui.ReasonRegistrationRefused, Detail: strings.TrimSuffix(err.Error(), "."),
			Problem: capitalise(err.Error()) + ".",
			Next:    "The server accepted your login but not the phone line. Try again; if it keeps failing, tell your administrator.",
			Retry:   true, Err: err,
		}
	}
	return err
}

func capitalise(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
