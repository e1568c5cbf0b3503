package gui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// Autostart turns starting Parley at login on and off (internal/autostart
// implements it per system).
type Autostart interface {
	Enabled() (bool, error)
	Enable() error
	Disable() error
}

// WithAutostart offers Settings → Start Parley when I log in.
func WithAutostart(a Autostart) Option { return func(c *runConfig) { c.autostart = a } }

// WithStartMinimized starts the window hidden in the tray (when the
// desktop has one): the login start (-minimized) should not put a window
// in front of the agent's other work.
func WithStartMinimized() Option { return func(c *runConfig) { c.minimized = true } }

// dndPreference keeps do-not-disturb across restarts: an agent who left
// for lunch with it on must find it still on, not ringing for nobody.
const dndPreference = "do-not-disturb"

// setDoNotDisturb turns do-not-disturb on or off; Fyne thread only. While
// it is on, calls that ring are declined at once (the caller hears the
// line's decline, which Wazo and most PBXes send to voicemail), and the
// window says so where the registration is shown. On a Wazo line it also
// sets the server's do-not-disturb (confd's DND service), so that
// colleagues see it and Wazo rings none of the user's devices.
func (m *MainWindow) setDoNotDisturb(on bool) {
	if m.desk != nil && on != m.dnd {
		svc := m.desk.Colleagues()
		m.act(lang.L("set do-not-disturb on the server"), func(ctx context.Context) error { return svc.SetMyDoNotDisturb(ctx, on) })
	}
	m.dnd = on
	m.app.Preferences().SetBool(dndPreference, on)
	if on {
		m.dndLine.Show()
	} else {
		m.dndLine.Hide()
	}
	m.refreshSettingsMenu()
	m.updateTray()
	if m.colleaguesWin != nil { // the presence selector shows it too
		m.colleaguesWin.showMine(m.colleaguesWin.svc.Me())
	}
	if on {
		m.declineWhileAway(m.shown.calls)
	}
}

// declineWhileAway declines the calls ringing while do-not-disturb is on.
func (m *MainWindow) declineWhileAway(calls []phone.CallSession) {
	if !m.dnd {
		return
	}
	for _, cs := range calls {
		if cs.Status != phone.StatusIncoming || m.declined[cs.ID()] {
			continue
		}
		m.declineFromCard(cs.ID())
	}
}

func (m *MainWindow) toggleAutostart() {
	if m.autostart == nil {
		return
	}
	on, err := m.autostart.Enabled()
	if err == nil {
		if on {
			err = m.autostart.Disable()
		} else {
			err = m.autostart.Enable()
		}
	}
	if err != nil {
		m.setNotice(failureText(lang.L("change starting at login"), err), widget.DangerImportance)
	}
	m.refreshSettingsMenu()
}

// settingsMenu is the window's Settings menu.
func (m *MainWindow) settingsMenu() *fyne.Menu {
	m.dndItem = fyne.NewMenuItem(lang.L("Do not disturb"), func() { m.setDoNotDisturb(!m.dnd) })
	items := []*fyne.MenuItem{m.dndItem}
	if m.autostart != nil {
		m.autostartItem = fyne.NewMenuItem(lang.L("Start Parley when I log in"), m.toggleAutostart)
		items = append(items, m.autostartItem)
	}
	if m.callSettings != nil {
		items = append(items, fyne.NewMenuItem(lang.L("Call settings…"), m.showCallSettings))
	}
	if audio := m.audioMenuItem(); audio != nil {
		items = append(items, audio)
	}
	if m.signOut != nil {
		items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(lang.L("Sign out and switch account…"), m.confirmSignOut))
	}
	m.settings = fyne.NewMenu(lang.L("Settings"), items...)
	m.refreshSettingsMenu()
	return m.settings
}

func (m *MainWindow) refreshSettingsMenu() {
	if m.settings == nil {
		return
	}
	m.dndItem.Checked = m.dnd
	if m.autostartItem != nil {
		on, _ := m.autostart.Enabled()
		m.autostartItem.Checked = on
	}
	m.settings.Refresh()
}

// trayStatus is the first line of the tray menu: whether calls can come
// in, the calls going on and the missed ones, readable without opening the
// window.
func trayStatus(reg phone.Registration, calls, missed int, dnd bool) string {
	var parts []string
	switch {
	case dnd:
		parts = append(parts, lang.L("Do not disturb"))
	case reg.State == phone.RegRegistered || reg.State == phone.RegDirect:
		parts = append(parts, lang.L("Ready for calls"))
	case reg.State == phone.RegRegistering:
		parts = append(parts, lang.L("Connecting…"))
	default:
		parts = append(parts, lang.L("Offline: calls cannot reach you"))
	}
	if calls > 0 {
		parts = append(parts, lang.N("{{.Count}} calls", calls, map[string]any{"Count": calls}))
	}
	if missed > 0 {
		parts = append(parts, lang.N("{{.Count}} missed", missed, map[string]any{"Count": missed}))
	}
	return strings.Join(parts, " · ")
}

// updateTray shows the state in the tray menu, when it changed.
func (m *MainWindow) updateTray() {
	if m.trayMenu == nil {
		return
	}
	status := trayStatus(m.shown.registration, len(m.shown.calls), m.recent.missed, m.dnd)
	changed := m.trayStatus.Label != status || m.trayDND.Checked != m.dnd
	if !changed {
		return
	}
	m.trayStatus.Label = status
	m.trayDND.Checked = m.dnd
	if desk, ok := m.app.(desktop.App); ok {
		desk.SetSystemTrayMenu(m.trayMenu)
	}
}

// startHidden keeps the new main window in the tray when asked to start
// minimized and there is a tray to find it in; Fyne thread only.
func (m *MainWindow) startHidden(cfg runConfig) bool {
	if !cfg.minimized || !m.tray {
		return false
	}
	m.hidden = true
	return true
}

// confirmSignOut signs out, asking first when calls would be hung up.
func (m *MainWindow) confirmSignOut() {
	if m.signOut == nil || m.leaving {
		return
	}
	n := len(m.shown.calls)
	if n == 0 {
		m.signOut()
		return
	}
	dialog.ShowConfirm(lang.L("Sign out?"), lang.N("Signing out hangs up all {{.Count}} calls.", n, map[string]any{"Count": n}), func(ok bool) {
		if ok && !m.closed {
			m.signOut()
		}
	}, m.win)
}
