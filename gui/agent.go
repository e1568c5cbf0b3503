package gui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
)

// agentView is the call-centre agent's session in the window: a line under
// the registration line that always says where the agent stands ("Agent
// 8000 · Logged in · Paused: lunch"), the Agent menu, and a line in the
// tray menu. It exists only on a Wazo line (a desk) and shows only when the
// account is an agent. Fyne thread only, except agent.
type agentView struct {
	agent *desk.Agent
	// label's tip says the extension and the queues (agentTip).
	label *tipLabel
	// menu is the Agent menu, in the main menu while shown; trayLine the
	// tray menu's agent line, in the tray menu while shown.
	menu     *fyne.Menu
	shown    bool
	trayLine *fyne.MenuItem
	state    desk.AgentState
	// failure is the notice an agent action's failure put up: a new
	// state makes it stale, so showAgent takes it down.
	failure string
	// pausing is the open pause dialog (tests read it).
	pausing *dialog.FormDialog
	reason  *widget.SelectEntry
}

// setUpAgent adds the agent's line to top (under the registration line) and
// follows the agent's state. Without a desk it does nothing. Fyne thread
// only; after addMenu.
func (m *MainWindow) setUpAgent(d *desk.Desk, top *fyne.Container) {
	if d == nil {
		return
	}
	v := &agentView{agent: d.Agent(), label: newTipLabel(m.tips, "")}
	v.label.Wrapping = fyne.TextWrapWord
	v.label.Hide()
	v.trayLine = fyne.NewMenuItem("", nil)
	v.trayLine.Disabled = true // a status line, not a command
	var items []*fyne.MenuItem
	for _, s := range m.agentShortcuts() {
		run := s.run
		item := fyne.NewMenuItem(s.name, func() {
			if !m.closed {
				run()
			}
		})
		item.Shortcut = &desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}
		items = append(items, item)
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(lang.L("Pause with a reason…"), func() {
		if !m.closed {
			m.openPause()
		}
	}))
	v.menu = fyne.NewMenu(lang.X("menu.agent", "Agent"), items...)
	m.agent = v
	objs := top.Objects
	top.Objects = append([]fyne.CanvasObject{objs[0], v.label}, objs[1:]...)
	top.Refresh()

	// Subscribe first, then show the state: no change falls between.
	ch, cancel := v.agent.Subscribe()
	m.showAgent(v.agent.State())
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer cancel()
		for {
			select {
			case <-m.ctx.Done():
				return
			case s, ok := <-ch:
				if !ok {
					return
				}
				m.onUI(func() {
					if !m.closed {
						m.showAgent(s)
					}
				})
			}
		}
	}()
}

// agentShortcuts are the Agent menu's keyboard commands (docs/shortcuts.md).
func (m *MainWindow) agentShortcuts() []shortcut {
	ctrl := fyne.KeyModifierShortcutDefault
	return []shortcut{
		{lang.L("Log in or out as an agent"), fyne.KeyL, ctrl | fyne.KeyModifierShift, m.toggleAgentLogin},
		{lang.L("Pause or unpause the agent"), fyne.KeyP, ctrl | fyne.KeyModifierShift, m.toggleAgentPause},
	}
}

// showAgent renders s: the line, the menu, the tray. Fyne thread only.
func (m *MainWindow) showAgent(s desk.AgentState) {
	v := m.agent
	v.state = s
	if v.failure != "" && m.notice.Text == v.failure {
		m.setNotice("")
	}
	v.failure = ""
	visible := s.Loaded && s.HasAgent
	text, importance := agentText(s)
	v.label.Importance = importance
	v.label.tip = agentTip(s)
	v.label.SetText(text)
	v.trayLine.Label = text
	if visible {
		v.label.Show()
	} else {
		v.label.Hide()
	}
	if mm := m.win.MainMenu(); mm != nil && visible != v.shown {
		if visible {
			// Before Settings and Help, after Call.
			mm.Items = append(mm.Items[:1], append([]*fyne.Menu{v.menu}, mm.Items[1:]...)...)
		} else {
			for i, it := range mm.Items {
				if it == v.menu {
					mm.Items = append(mm.Items[:i], mm.Items[i+1:]...)
					break
				}
			}
		}
		v.shown = visible
		mm.Refresh()
	}
	m.showAgentInTray()
}

// showAgentInTray puts the agent's line in the tray menu, under its status
// line, while the agent view is shown. Fyne thread only.
func (m *MainWindow) showAgentInTray() {
	v := m.agent
	if v == nil || m.trayMenu == nil {
		return
	}
	at := -1
	for i, it := range m.trayMenu.Items {
		if it == v.trayLine {
			at = i
		}
	}
	switch {
	case v.shown && at < 0:
		m.trayMenu.Items = append(m.trayMenu.Items[:1], append([]*fyne.MenuItem{v.trayLine}, m.trayMenu.Items[1:]...)...)
	case !v.shown && at >= 0:
		m.trayMenu.Items = append(m.trayMenu.Items[:at], m.trayMenu.Items[at+1:]...)
	}
	if d, ok := m.app.(desktop.App); ok {
		d.SetSystemTrayMenu(m.trayMenu)
	}
}

// agentText is the agent's line and its colour: green when taking calls,
// orange when paused, plain when logged out.
func agentText(s desk.AgentState) (string, widget.Importance) {
	n := map[string]any{"Number": s.Number}
	switch {
	case !s.Loaded || !s.HasAgent:
		return "", widget.MediumImportance
	case s.Problem != "":
		n["Problem"] = strings.TrimSuffix(s.Problem, ".")
		return lang.L("Agent {{.Number}} · state unknown: {{.Problem}}", n), widget.WarningImportance
	case !s.LoggedIn:
		return lang.L("Agent {{.Number}} · Logged out", n), widget.MediumImportance
	case s.Paused && s.PauseReason != "":
		n["Reason"] = s.PauseReason
		return lang.L("Agent {{.Number}} · Logged in · Paused: {{.Reason}}", n), widget.WarningImportance
	case s.Paused:
		return lang.L("Agent {{.Number}} · Logged in · Paused", n), widget.WarningImportance
	}
	return lang.L("Agent {{.Number}} · Logged in · Available", n), widget.SuccessImportance
}

// agentTip tells what the line leaves out: where the agent is logged in
// and its queues, or how to log in.
func agentTip(s desk.AgentState) string {
	if !s.LoggedIn {
		keys := shortcutText(shortcut{key: fyne.KeyL, mod: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift})
		return lang.L("Log in from the Agent menu ({{.Keys}}) to take queue calls.", map[string]any{"Keys": keys})
	}
	var queues []string
	for _, q := range s.Queues {
		name := q.DisplayName
		if name == "" {
			name = q.Name
		}
		queues = append(queues, name)
	}
	n := map[string]any{"Extension": s.Extension, "Queues": strings.Join(queues, ", ")}
	if len(queues) == 0 {
		return lang.L("Logged in on extension {{.Extension}}, in no queue.", n)
	}
	return lang.L("Logged in on extension {{.Extension}}, in the queues {{.Queues}}.", n)
}

// agentFailure words an agent action's failure in the window's language.
func agentFailure(what string, err error) string {
	var reason string
	switch {
	case errors.Is(err, desk.ErrAgentLoggedOut):
		reason = lang.L("the agent is not logged in")
	case errors.Is(err, desk.ErrAgentLoggedIn):
		reason = lang.L("the agent is already logged in")
	case errors.Is(err, desk.ErrNoAgent):
		reason = lang.L("this account has no agent")
	case errors.Is(err, desk.ErrAgentLine):
		reason = lang.L("the agent cannot be logged in on this line")
	case errors.Is(err, desk.ErrPauseReasonTooLong):
		reason = lang.L("the pause reason is too long (80 characters at most)")
	default:
		return failureText(what, err)
	}
	return lang.L("Could not {{.Action}}: {{.Reason}}.", map[string]any{"Action": what, "Reason": reason})
}

// agentAct runs an agent action off the Fyne thread and reports a failure
// in the notice.
func (m *MainWindow) agentAct(what string, op func(ctx context.Context) error) {
	m.run(op, func(err error) {
		if err != nil {
			m.agent.failure = agentFailure(what, err)
			m.setNotice(m.agent.failure, widget.DangerImportance)
		}
	})
}

// toggleAgentLogin logs the agent in, or out when logged in. Fyne thread.
func (m *MainWindow) toggleAgentLogin() {
	v := m.agent
	if v == nil || !v.shown {
		return
	}
	if v.state.LoggedIn {
		m.agentAct(lang.L("log the agent out"), v.agent.Logout)
		return
	}
	m.agentAct(lang.L("log the agent in"), v.agent.Login)
}

// toggleAgentPause unpauses a paused agent and asks a logged-in one for a
// reason; for a logged-out agent it asks the platform anyway, whose refusal
// says why. Fyne thread.
func (m *MainWindow) toggleAgentPause() {
	v := m.agent
	switch {
	case v == nil || !v.shown:
	case v.state.Paused:
		m.agentAct(lang.L("unpause the agent"), v.agent.Unpause)
	case v.state.LoggedIn:
		m.openPause()
	default:
		m.agentAct(lang.L("pause the agent"), func(ctx context.Context) error { return v.agent.Pause(ctx, "") })
	}
}

// pauseReasons are the reasons offered; the agent may type another.
func pauseReasons() []string {
	return []string{lang.L("Lunch"), lang.L("Break"), lang.L("Meeting"), lang.L("Training"), lang.L("Paperwork")}
}

// openPause asks for a pause reason (chosen from a short list or typed,
// may be empty) and pauses the agent. Fyne thread.
func (m *MainWindow) openPause() {
	v := m.agent
	if v == nil || v.pausing != nil {
		return
	}
	v.reason = widget.NewSelectEntry(pauseReasons())
	v.reason.SetPlaceHolder(lang.L("No reason"))
	v.reason.Validator = func(s string) error {
		if len([]rune(strings.TrimSpace(s))) > desk.MaxPauseReason {
			return errors.New(lang.L("80 characters at most"))
		}
		return nil
	}
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Reason"), v.reason)}
	v.pausing = dialog.NewForm(lang.L("Pause the agent"), lang.L("Pause"), lang.L("Cancel"), items, func(ok bool) {
		reason := v.reason.Text
		v.pausing, v.reason = nil, nil
		m.closeModal()
		if !ok || m.closed {
			return
		}
		m.agentAct(lang.L("pause the agent"), func(ctx context.Context) error { return v.agent.Pause(ctx, reason) })
	}, m.win)
	d := v.pausing
	v.reason.OnSubmitted = func(string) { d.Submit() }
	m.openModal(d.Submit, d.Dismiss)
	d.Resize(fyne.NewSize(360, d.MinSize().Height))
	d.Show()
	m.win.Canvas().Focus(v.reason)
}
