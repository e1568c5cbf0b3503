package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/parley-voip/parley/assets"
)

// withTray says whether the desktop shows tray icons, for tests; Run asks
// the desktop (trayAvailable).
func withTray(on bool) Option { return func(c *runConfig) { c.tray, c.traySet = on, true } }

// setUpTray gives Parley a tray icon with Show Parley and Quit, if the app
// can have one. It reports whether it did. Fyne thread only.
func (m *MainWindow) setUpTray() bool {
	desk, ok := m.app.(desktop.App)
	if !ok {
		return false
	}
	show := fyne.NewMenuItem(lang.L("Show Parley"), func() {
		if !m.closed {
			m.fromTray()
		}
	})
	quit := fyne.NewMenuItem(lang.L("Quit"), func() {
		if m.closed {
			return
		}
		if len(m.shown.calls) > 0 {
			m.fromTray() // the question needs the window
		}
		m.confirmQuit()
	})
	quit.IsQuit = true
	desk.SetSystemTrayMenu(fyne.NewMenu("Parley", show, fyne.NewMenuItemSeparator(), quit))
	desk.SetSystemTrayIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	desk.SetSystemTrayWindow(m.win)
	// SetSystemTrayWindow makes closing hide the window; Parley asks first.
	m.win.SetCloseIntercept(m.confirmClose)
	return true
}
