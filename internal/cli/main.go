package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/internal/autostart"
	"github.com/parley-voip/parley/internal/instance"
	"github.com/parley-voip/parley/internal/localapi"
	"github.com/parley-voip/parley/internal/macurl"
	"github.com/parley-voip/parley/internal/version"
	"github.com/parley-voip/parley/phone"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Main runs Parley and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s, err := Parse(args, os.Getenv, stderr)
	if err != nil {
		if errors.Is(err, ErrUsage) {
			return exitUsage
		}
		fmt.Fprintln(stderr, "parley:", err)
		return exitFailure
	}
	if s.ShowVersion {
		fmt.Fprintln(stdout, version.Get())
		return exitOK
	}
	if err := prefillAccountFile(s); err != nil {
		// Not fatal: the account still works from the fleet file this run.
		fmt.Fprintln(stderr, "parley:", err)
	}
	if s.ShowConfig {
		if err := showConfig(stdout, s); err != nil {
			fmt.Fprintln(stderr, "parley:", err)
			return exitFailure
		}
		return exitOK
	}
	fleetNotes(stderr, s)
	level := slog.LevelWarn
	if s.Verbose {
		level = slog.LevelDebug
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	var diag *diagnostics
	if !s.Headless {
		// The window's "Save diagnostics" has the recent log and SIP
		// messages (selftest.go).
		diag = newDiagnostics()
	}
	logger := diag.teeLogger(handler)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if s.Headless {
		return runHeadless(ctx, s, logger, stdin, stdout, stderr)
	}
	return runGUI(ctx, s, logger, stderr, diag)
}

// startSession connects the line the settings describe.
func startSession(ctx context.Context, s Settings, logger *slog.Logger, connectNow bool) (*session, error) {
	sound, extra, err := withSound(ctx, s, logger)
	if err != nil {
		return nil, err
	}
	var sess *session
	switch {
	case s.Demo:
		sess, err = startDemo(ctx, s, logger, extra...)
	case s.Wazo.Server != "":
		sess, err = startWazo(ctx, s, logger, extra...)
	default:
		sess, err = startSIP(ctx, s, logger, connectNow, extra...)
		if err == nil && sound != nil {
			// No conference API on a plain SIP server: Parley mixes.
			err = withLocalConferences(sess, sound, logger)
		}
	}
	if err != nil {
		if sound != nil {
			sound.close()
		}
		return nil, err
	}
	attachSound(ctx, sess, sound)
	sess.settings = s
	return sess, nil
}

func runHeadless(ctx context.Context, s Settings, logger *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) int {
	if s.HasAccount() && !s.hasCredentials() && !s.Demo {
		fmt.Fprintf(stderr, "parley: the account in %s has no username yet: add your username and password there (or pass -user/-password)\n", s.ConfigPath)
		return exitUsage
	}
	if !s.HasAccount() && !s.Demo {
		fmt.Fprintln(stderr, "parley: no account: pass -config FILE, or -server/-user/-password, or -wazo HOST -user/-password, or set PARLEY_SERVER, PARLEY_USER and PARLEY_PASSWORD; -demo tries Parley without one")
		return exitUsage
	}
	sess, err := startSession(ctx, s, logger, true)
	if err != nil {
		fmt.Fprintln(stderr, "parley:", err)
		return exitFailure
	}
	defer sess.close()
	if s.Dial != "" {
		go dialWhenReady(ctx, sess.api, s.Dial, stderr)
	}
	// With conferences, headless.WithConferences (in sess.commands) has Run
	// write the tracker's stream: conference events among the phone's.
	err = headless.Run(ctx, sess.api, stdin, stdout, sess.commands...)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "parley:", err)
		return exitFailure
	}
	return exitOK
}

func runGUI(ctx context.Context, s Settings, logger *slog.Logger, stderr io.Writer, diag *diagnostics) int {
	// First thing: on macOS the link that launched the app arrives as an
	// Apple Event while the app starts (nil channel elsewhere).
	links := macurl.Listen()
	// A link clicked while Parley runs goes to the running instance, which
	// is registered already, instead of starting a second phone.
	sockPath := instance.DefaultPath(os.Getenv)
	if s.Dial != "" {
		link := s.Dial
		if !strings.HasPrefix(link, "sip:") && !strings.HasPrefix(link, "sips:") {
			link = "tel:" + link
		}
		if ok, err := instance.Forward(sockPath, link); ok {
			fmt.Fprintf(stderr, "parley: handed %s to the Parley already running\n", link)
			return exitOK
		} else if err != nil {
			logger.Warn("link hand-over", "err", err)
		}
	}
	// The call history lives as long as this Parley; a store that cannot
	// open (another Parley holds it, a read-only disk) costs the history,
	// not the phone.
	hist, histErr := openHistory()
	var windowOpts []gui.Option
	if s.Language != "" {
		windowOpts = append(windowOpts, gui.WithLanguage(s.Language))
	}
	if histErr != nil {
		logger.Warn("no call history this time", "err", histErr)
		windowOpts = append(windowOpts, gui.WithWarningAbout(gui.WarningNoHistory, histErr))
	} else {
		defer hist.Close()
		windowOpts = append(windowOpts, gui.WithHistory(hist))
	}
	if s.Minimized {
		windowOpts = append(windowOpts, gui.WithStartMinimized())
	}
	if s.ConfigPath != "" {
		windowOpts = append(windowOpts, gui.WithCallSettings(callSettingsFile{path: s.ConfigPath, locked: s.Fleet.Locked}))
	}
	if entry, err := autostart.New(); err == nil {
		windowOpts = append(windowOpts, gui.WithAutostart(entry))
	}
	book, err := openContacts()
	if err != nil {
		// Unreadable contacts are kept as they are for the user to fix;
		// the phone works without names.
		logger.Warn("no contacts this time", "err", err)
		windowOpts = append(windowOpts, gui.WithWarningAbout(gui.WarningNoContacts, err))
		book = nil
	} else {
		windowOpts = append(windowOpts, gui.WithContacts(book))
	}
	// Links clicked while Parley runs (macOS Apple Events, the hand-over
	// socket) go to the line in use, whichever account that is by then.
	line := newCurrentLine()
	if links != nil {
		go dialLinks(ctx, line, links, stderr)
	}
	if later, err := instance.Listen(ctx, sockPath); err != nil {
		logger.Warn("links clicked later will start another Parley", "err", err)
	} else {
		go dialLinks(ctx, line, later, stderr)
	}
	dialOnce := s.Dial
	// What to do once a line is up: record its calls, start the local API
	// and screen pop, dial the link that started Parley.
	started := func(sess *session) {
		attachSelfTest(sess, diag, logger)
		if hist != nil {
			recordHistory(ctx, sess, hist, book, logger)
		}
		sess.warnings = append(sess.warnings, startIntegration(sess, s.Integration, logger, stderr, localapi.DefaultTokenPath())...)
		line.set(sess.api)
		closeLine := sess.close
		sess.close = func() {
			line.clear(sess.api)
			closeLine()
		}
		if dialOnce != "" {
			go dialWhenReady(ctx, sess.api, dialOnce, stderr)
			dialOnce = ""
		}
	}
	if s.Demo {
		sess, err := startSession(ctx, s, logger, false)
		if err != nil {
			fmt.Fprintln(stderr, "parley:", err)
			return exitFailure
		}
		started(sess)
		defer func() { sess.close() }() // started wraps close
		if err := gui.Run(sess.api, append(sess.guiOptions(), windowOpts...)...); err != nil {
			fmt.Fprintln(stderr, "parley:", err)
			return exitFailure
		}
		return exitOK
	}
	// Every other start goes through the sign-in window: with saved
	// details it signs in by itself, and a failure (a wrong password, an
	// unreachable server, an untrusted certificate) is shown there, with
	// the form to fix it, instead of one line on a terminal nobody sees.
	store, keyring := openSecrets(ctx, &s, stderr)
	flow := &signInFlow{ctx: ctx, base: s, logger: logger, stderr: stderr, started: started, secrets: store}
	defer flow.close()
	saved := savedSignIn(s)
	saved.NoKeyring = keyring == noKeyring
	saved.Automatic = s.hasCredentials() && (s.Account.Password != "" || s.Wazo.RefreshToken != "")
	saved.Saved = flow.savedAccounts()
	if err := gui.RunSignIn(flow.connect, saved, windowOpts...); err != nil {
		fmt.Fprintln(stderr, "parley:", err)
		return exitFailure
	}
	return exitOK
}

// retriable reports whether a failed Connect is worth waiting out: the
// server may come back, but a wrong password or bad settings will not fix
// themselves.
func retriable(err error) bool {
	return !errors.Is(err, phone.ErrAuthFailed) && !errors.Is(err, phone.ErrInvalidAccount) && !errors.Is(err, phone.ErrClosed)
}
