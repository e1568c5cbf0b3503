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
	m.trayStatus = fyne.NewMenuItem("", nil)
	m.trayStatus.Disabled = true // a status line, not a command
	m.trayDND = fyne.NewMenuItem(lang.L("Do not disturb"), func() {
		if !m.closed {
			m.setDoNotDisturb(!m.dnd)
		}
	})
	m.trayMenu = fyne.NewMenu("Parley", m.trayStatus, fyne.NewMenuItemSeparator(), show, m.trayDND, fyne.NewMenuItemSeparator(), quit)
	if m.vm != nil { // the message-waiting count, under Show Parley
		m.trayMenu.Items = append(m.trayMenu.Items[:4], append([]*fyne.MenuItem{m.vm.trayItem}, m.trayMenu.Items[4:]...)...)
	}
	m.trayStatus.Label = trayStatus(m.shown.registration, len(m.shown.calls), m.recent.missed, m.dnd)
	m.trayDND.Checked = m.dnd
	desk.SetSystemTrayMenu(m.trayMenu)
	m.showAgentInTray() // agent.go
	desk.SetSystemTrayIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	desk.SetSystemTrayWindow(m.win)
	// SetSystemTrayWindow makes closing hide the window; Parley asks first.
	m.win.SetCloseIntercept(m.confirmClose)
	return true
}
