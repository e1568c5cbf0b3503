package gui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// setUpDesk adds what a Wazo line's desk offers the window: the voicemail
// indicator (under the registration line, in top) and the call bar's
// recording controls. Without a desk (a plain SIP line) it adds nothing.
// Fyne thread, before the pump starts (rows take their actions when built).
func (m *MainWindow) setUpDesk(cfg runConfig, top *fyne.Container) {
	d := cfg.desk
	if d == nil {
		return
	}
	m.vm = newVoicemailUI(m, d, cfg.sound)
	top.Add(m.vm.indicator)
	m.rec = d.Recording()
	rec := m.rec
	m.calls.actions.recordStart = m.onCall(lang.L("start recording"), rec.Start)
	m.calls.actions.recordStop = m.onCall(lang.L("stop recording"), rec.Stop)
	m.calls.actions.recordPause = m.onCall(lang.L("pause recording"), rec.Pause)
	m.calls.actions.recordResume = m.onCall(lang.L("resume recording"), rec.Resume)
}

// deskShortcuts are the keyboard commands of the desk's services.
func (m *MainWindow) deskShortcuts() []shortcut {
	ctrl := fyne.KeyModifierShortcutDefault
	var out []shortcut
	if m.vm != nil {
		out = append(out, shortcut{lang.L("Show the voicemail"), fyne.KeyV, ctrl | fyne.KeyModifierShift, m.showVoicemail})
	}
	if m.rec != nil {
		out = append(out, shortcut{lang.L("Pause or resume the recording of the active call"), fyne.KeyR, ctrl | fyne.KeyModifierShift, m.toggleRecordingPause})
	}
	return out
}

// toggleRecordingPause pauses the active call's recording, or resumes it
// (a customer about to read out a card number). Fyne thread.
func (m *MainWindow) toggleRecordingPause() {
	if m.rec == nil {
		return
	}
	var active phone.CallSession
	found := false
	for _, cs := range m.shown.calls {
		if cs.ID() == m.shown.active {
			active, found = cs, true
		}
	}
	switch {
	case !found:
		m.setNotice(lang.L("There is no active call whose recording to pause."), widget.WarningImportance)
	case !active.Recording && !active.RecordingPaused:
		m.setNotice(lang.L("The active call is not being recorded."), widget.WarningImportance)
	case active.RecordingPaused:
		m.act(lang.L("resume recording"), func(ctx context.Context) error { return m.rec.Resume(ctx, active.ID()) })
	default:
		m.act(lang.L("pause recording"), func(ctx context.Context) error { return m.rec.Pause(ctx, active.ID()) })
	}
}

// refreshTrayMenu shows a changed tray menu item. Fyne thread.
func (m *MainWindow) refreshTrayMenu() {
	if m.trayMenu == nil {
		return
	}
	if app, ok := m.app.(desktop.App); ok {
		app.SetSystemTrayMenu(m.trayMenu)
	}
}

// recordingBadge is the call's recording state as the call bar shows it:
// "● Recording" (red) or "Recording paused", "" when not recorded.
func recordingBadge(cs phone.CallSession) (string, widget.Importance) {
	switch {
	case cs.Recording:
		return "● " + lang.L("Recording"), widget.DangerImportance
	case cs.RecordingPaused:
		return lang.L("Recording paused"), widget.WarningImportance
	}
	return "", widget.LowImportance
}
