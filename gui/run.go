//go:build cgo

package gui

import (
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
	m.Window().ShowAndRun()
	finish(guard, m)
	return nil
}

// RunSignIn opens the sign-in window, filled in with saved, and once
// connect has signed in, the main window on the line it returned. With
// saved.Automatic the sign-in starts at once, so saved details connect
// without a click, and any failure is shown where the user can fix it. It
// returns when the user closes the last window; like Run, it must be called
// from the main goroutine. opts apply to the main window, after the line's
// own options.
func RunSignIn(connect Connector, saved SignIn, opts ...Option) error {
	a := newApp(opts)
	guard := newQuitGuard()
	var m *MainWindow
	s := newSignInScreen(a, connect, saved, guard.do, func(line *Line) {
		m = openMainWindow(a, line.API, guard, append(append([]Option(nil), line.Options...), opts...))
		m.Window().Show()
	})
	guard.onQuit(s.stopFromSignal)
	guard.watch(a)
	// Not the master window: closing that quits Fyne, and the sign-in
	// window closes once the main window (the master) is open. Closing it
	// before that quits anyway, as it is then the last window.
	s.win.Show()
	s.focusFirstEmpty()
	if saved.Automatic {
		s.submit(true)
	}
	a.Run()
	finish(guard, m)
	s.wait()
	return nil
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

// openMainWindow builds the main window, sized, with its tray and actions;
// on the Fyne thread. The caller shows it.
func openMainWindow(a fyne.App, api phone.API, guard *quitGuard, opts []Option) *MainWindow {
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
	m.Window().SetMaster()
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
