//go:build cgo

package gui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/parley-voip/parley/assets"
	"github.com/parley-voip/parley/phone"
)

// Run opens the main window on api and returns when the user closes it. It
// must be called from the main goroutine, as Fyne requires.
func Run(api phone.API, opts ...Option) error {
	a := newApp(opts)
	guard := newQuitGuard()
	m := openMainWindow(a, api, guard, opts)
	guard.watch(a)
	if !m.startHidden(defaultRunConfig(opts)) {
		m.Window().Show()
	}
	a.Run()
	finish(guard, m)
	return nil
}

// RunSignIn opens the sign-in window, filled in with saved, and once
// connect has signed in, the main window on the line it returned. With
// saved.Automatic the sign-in starts at once, so saved details connect
// without a click, and any failure is shown where the user can fix it.
// Settings → Sign out closes the line (Line.Close) and opens the sign-in
// window again, to switch accounts. It returns when the user closes the
// last window; like Run, it must be called from the main goroutine. opts
// apply to the main window, after the line's own options.
func RunSignIn(connect Connector, saved SignIn, opts ...Option) error {
	r := &signInRun{a: newApp(opts), guard: newQuitGuard(), connect: connect, opts: opts, cfg: defaultRunConfig(opts), saved: saved.Saved, note: saved.Note, noKeyring: saved.NoKeyring}
	r.guard.watch(r.a)
	r.signIn(saved, r.cfg.minimized && saved.Automatic && trayAvailable())
	r.a.Run()
	r.guard.stop()
	for _, m := range r.windows {
		if !m.closed {
			m.shutdown()
		}
		m.wait()
	}
	for _, s := range r.screens {
		s.wait()
	}
	r.closing.Wait() // lines signed out of, still hanging up
	return nil
}

// signInRun is one RunSignIn: its windows, in the order they opened.
type signInRun struct {
	a         fyne.App
	guard     *quitGuard
	connect   Connector
	opts      []Option
	cfg       runConfig
	saved     []SignIn
	note      string
	noKeyring bool
	// windows and screens belong to the Fyne thread.
	windows []*MainWindow
	screens []*signInScreen
	closing sync.WaitGroup
}

// signIn opens a sign-in window; Fyne thread only. hidden keeps it out of
// sight unless signing in fails (a minimized start with saved details).
func (r *signInRun) signIn(saved SignIn, hidden bool) {
	var s *signInScreen
	s = newSignInScreen(r.a, r.connect, saved, r.guard.do, func(line *Line) {
		var m *MainWindow
		opts := append(append([]Option(nil), line.Options...), r.opts...)
		opts = append(opts, withSignOut(func() { r.signOut(m, line, s.form()) }))
		// Not the master window: closing the master quits Fyne, and
		// signing out closes this one. Closing the last window quits all
		// the same, and the main window closes the others it opened.
		m = newMainWindowFor(r.a, line.API, r.guard, opts)
		r.windows = append(r.windows, m)
		if !m.startHidden(r.cfg) {
			m.Window().Show()
		}
	})
	r.guard.onQuit(s.stopFromSignal)
	r.screens = append(r.screens, s)
	if hidden {
		s.hidden = true
	} else {
		s.win.Show()
	}
	s.focusFirstEmpty()
	if saved.Automatic {
		s.submit(true)
	}
}

// remember puts the account just used first among the saved ones, as the
// connector saved it.
func (r *signInRun) remember(used SignIn) {
	list := []SignIn{used}
	for _, a := range r.saved {
		if a.Kind != used.Kind || a.Server != used.Server || a.Username != used.Username {
			list = append(list, a)
		}
	}
	r.saved = list
}

// signOut closes m and its line and asks for an account again, the one
// just used filled in; Fyne thread only.
func (r *signInRun) signOut(m *MainWindow, line *Line, last SignIn) {
	last.Password, last.Automatic, last.Note, last.NoKeyring = "", false, r.note, r.noKeyring
	r.remember(last)
	last.Saved = r.saved
	r.signIn(last, false) // first: closing m must not leave no window
	m.leaving = true
	m.win.Close()
	if line.Close != nil {
		r.closing.Add(1)
		go func() {
			defer r.closing.Done()
			line.Close()
		}()
	}
}

// newApp starts Fyne in the language opts choose (WithLanguage) or the
// system's; a translation that cannot load leaves the English texts.
func newApp(opts []Option) fyne.App {
	if err := useLanguage(defaultRunConfig(opts).language); err != nil {
		fyne.LogError("Could not load Parley's translations", err)
	}
	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	return a
}

// openMainWindow is newMainWindowFor made the master window: closing it
// quits Parley.
func openMainWindow(a fyne.App, api phone.API, guard *quitGuard, opts []Option) *MainWindow {
	m := newMainWindowFor(a, api, guard, opts)
	m.Window().SetMaster()
	return m
}

// newMainWindowFor builds the main window, sized, with its tray and
// actions; on the Fyne thread. The caller shows it.
func newMainWindowFor(a fyne.App, api phone.API, guard *quitGuard, opts []Option) *MainWindow {
	cfg := defaultRunConfig(opts)
	m := newMainWindow(a, api, guard.do, opts...)
	if !cfg.traySet && trayAvailable() {
		m.tray = m.setUpTray()
	}
	for _, action := range cfg.actions {
		m.AddAction(action)
	}
	size := cfg.size
	if !cfg.sizeSet {
		size = rememberedSize(a.Preferences(), size)
	}
	m.Window().Resize(size)
	guard.onQuit(m.stop)
	return m
}

// finish runs on the main goroutine once Fyne's loop returned.
func finish(guard *quitGuard, m *MainWindow) {
	guard.stop()
	if m == nil {
		return
	}
	if !m.closed {
		// Quit without closing the window (a signal, the app menu's Quit):
		// OnClosed never ran, so release what it would have.
		m.shutdown()
	}
	m.wait()
}
