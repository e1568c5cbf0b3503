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
	cfg := defaultRunConfig(opts)
	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	guard := newQuitGuard()
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
	guard.watch(a, m)
	m.Window().ShowAndRun()
	guard.stop()
	if !m.closed {
		// Quit without closing the window (a signal, the app menu's Quit):
		// OnClosed never ran, so release what it would have.
		m.shutdown()
	}
	m.wait()
	return nil
}
