package gui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/parley-voip/parley/internal/version"
	"github.com/parley-voip/parley/phone"
)

// shortcut is one keyboard command of the main window (docs/shortcuts.md).
// Ctrl is the platform's shortcut modifier (Cmd on macOS).
type shortcut struct {
	name string // what it does, as the docs and tooltips say it
	key  fyne.KeyName
	mod  fyne.KeyModifier
	run  func()
}

// shortcuts lists the window's keyboard commands. They act on what the
// window shows: the oldest ringing call, the active call, the held calls
// in list order. Fyne thread only.
func (m *MainWindow) shortcuts() []shortcut {
	ctrl := fyne.KeyModifierShortcutDefault
	list := []shortcut{
		{lang.L("Answer the ringing call"), fyne.KeyA, ctrl | fyne.KeyModifierShift, m.answerRinging},
		{lang.L("Decline the ringing call"), fyne.KeyD, ctrl | fyne.KeyModifierShift, m.declineRinging},
		{lang.L("Hang up the active call"), fyne.KeyE, ctrl, func() { m.onActive(lang.L("hang up"), m.api.Hangup) }},
		{lang.L("Hold or resume the active call"), fyne.KeyH, ctrl, m.toggleHold},
		{lang.L("Mute or unmute the active call"), fyne.KeyM, ctrl, m.toggleMute},
		{lang.L("Switch to the next call"), fyne.KeyN, ctrl, m.switchCall},
		{lang.L("Go to the number box"), fyne.KeyL, ctrl, func() { m.win.Canvas().Focus(m.dialer.entry) }},
		{lang.L("Redial the last number"), fyne.KeyR, ctrl, m.redial},
		{lang.L("Show or hide the dial pad"), fyne.KeyK, ctrl, m.dialer.pad.toggle},
		{lang.L("Show the call history"), fyne.KeyH, ctrl | fyne.KeyModifierShift, m.showHistory},
		{lang.L("Show the contacts"), fyne.KeyC, ctrl | fyne.KeyModifierShift, m.showContacts},
	}
	list = append(list, m.deskShortcuts()...)
	if m.desk != nil { // Wazo lines only
		list = append(list, shortcut{lang.L("Show the colleagues"), fyne.KeyU, ctrl | fyne.KeyModifierShift, m.showColleagues})
	}
	return list
}

// addMenu gives the window its menu: the keyboard commands under Call, so
// they are listed with their keys and work whatever has the focus (Fyne
// runs main-menu shortcuts before the focused widget sees the keys), and
// Help with the shortcuts and About. Fyne thread only.
func (m *MainWindow) addMenu() {
	var items []*fyne.MenuItem
	for _, s := range m.shortcuts() {
		run := s.run
		item := fyne.NewMenuItem(s.name, func() {
			if !m.closed {
				run()
			}
		})
		item.Shortcut = &desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}
		items = append(items, item)
	}
	quit := fyne.NewMenuItem(lang.L("Quit"), m.confirmQuit) // asks first with live calls
	quit.IsQuit = true
	items = append(items, fyne.NewMenuItemSeparator(), quit)
	help := fyne.NewMenu(lang.L("Help"),
		fyne.NewMenuItem(lang.L("Keyboard shortcuts"), m.showShortcuts),
		fyne.NewMenuItem(lang.L("About Parley"), m.showAbout),
	)
	if m.selfTest != nil {
		help.Items = append([]*fyne.MenuItem{fyne.NewMenuItem(lang.L("Check my setup…"), m.showSelfTest)}, help.Items...)
	}
	m.win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu(lang.X("menu.call", "Call"), items...), m.settingsMenu(), help))
}

func (m *MainWindow) showShortcuts() {
	var lines []string
	all := m.shortcuts()
	if m.agent != nil && m.agent.shown {
		all = append(all, m.agentShortcuts()...)
	}
	for _, s := range all {
		lines = append(lines, shortcutText(s)+"  "+s.name)
	}
	dialog.ShowInformation(lang.L("Keyboard shortcuts"), strings.Join(lines, "\n"), m.win)
}

func (m *MainWindow) showAbout() {
	dialog.ShowInformation(lang.L("About Parley"), aboutText(version.Get()), m.win)
}

// aboutText is the About box: the one product version with its build, and
// the licences (Parley's, and where the third-party notices are shipped).
func aboutText(v version.Info) string {
	return v.String() + "\n" +
		lang.L("A softphone for Wazo Platform and SIP servers.") + "\n\n" +
		lang.L("Parley is licensed under the Apache License 2.0 (LICENSE).") + "\n" +
		lang.L("It is built with Fyne, sipgo, pion/webrtc, miniaudio (malgo) and gorilla/websocket,\n"+
			"among others; their licences are in THIRD_PARTY_NOTICES.txt, installed with Parley\n"+
			"(/usr/share/doc/parley on Linux, the install folder on Windows, Resources in the macOS app).")
}

// shortcutText writes a shortcut the way menus show it: "Ctrl+Shift+A".
func shortcutText(s shortcut) string {
	var parts []string
	if s.mod&fyne.KeyModifierShortcutDefault != 0 {
		parts = append(parts, shortcutModifierName)
	}
	if s.mod&fyne.KeyModifierShift != 0 {
		parts = append(parts, lang.L("Shift"))
	}
	return strings.Join(append(parts, string(s.key)), "+")
}

// oldestRinging is the call ringing here the longest, if any. Fyne thread.
func (m *MainWindow) oldestRinging() (string, bool) {
	for _, cs := range m.shown.calls {
		if cs.Status == phone.StatusIncoming && !cs.Ignored {
			return cs.ID(), true
		}
	}
	return "", false
}

func (m *MainWindow) answerRinging() {
	if id, ok := m.oldestRinging(); ok {
		m.answerFromCard(id)
	}
}

func (m *MainWindow) declineRinging() {
	if id, ok := m.oldestRinging(); ok {
		m.declineFromCard(id)
	}
}

// activeShown is the active call as last shown. Fyne thread only.
func (m *MainWindow) activeShown() (phone.CallSession, bool) {
	for _, cs := range m.shown.calls {
		if cs.ID() == m.shown.active {
			return cs, true
		}
	}
	return phone.CallSession{}, false
}

func (m *MainWindow) onActive(what string, op func(ctx context.Context, id string) error) {
	if cs, ok := m.activeShown(); ok {
		m.onCall(what, op)(cs.ID())
	}
}

func (m *MainWindow) toggleHold() {
	cs, ok := m.activeShown()
	switch {
	case !ok || !cs.IsActive():
	case cs.Paused:
		m.onCall(lang.L("resume the call"), m.api.Resume)(cs.ID())
	default:
		m.onCall(lang.L("hold the call"), m.api.Hold)(cs.ID())
	}
}

func (m *MainWindow) toggleMute() {
	cs, ok := m.activeShown()
	switch {
	case !ok || cs.Status == phone.StatusIncoming:
	case cs.Muted:
		m.onCall(lang.L("unmute the call"), m.api.Unmute)(cs.ID())
	default:
		m.onCall(lang.L("mute the call"), m.api.Mute)(cs.ID())
	}
}

// switchCall resumes the next established call after the active one, in
// list order, which holds the active call (phone.API.Resume).
func (m *MainWindow) switchCall() {
	var talking []phone.CallSession
	for _, cs := range m.shown.calls {
		if cs.IsActive() {
			talking = append(talking, cs)
		}
	}
	if len(talking) < 2 {
		return
	}
	next := talking[0]
	for i, cs := range talking {
		if cs.ID() == m.shown.active {
			next = talking[(i+1)%len(talking)]
		}
	}
	m.onCall(lang.L("switch to the call"), m.api.Resume)(next.ID())
}
