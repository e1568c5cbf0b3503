package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Closing and quitting. A customer cut off by a stray click is the worst
// thing a phone can do, so neither ends calls without asking:
//
//   - closing the window with live calls asks: hang up and quit, keep
//     running in the tray (when there is one), or cancel; with no call it
//     goes to the tray if there is one, and quits otherwise;
//   - Quit (menu or tray) with live calls asks: hang up and quit, or cancel;
//     with no call it quits.

// closeQuestion is the open "Quit Parley?" dialog.
type closeQuestion struct {
	dialog *dialog.CustomDialog
	quit   *widget.Button // hang up and quit
	tray   *widget.Button // keep running in the tray; nil without a tray
	keep   *widget.Button // cancel
}

// confirmClose is the window's close button. Fyne thread only.
func (m *MainWindow) confirmClose() {
	if m.leaving {
		m.win.Close() // signing out: the line's calls end with it
		return
	}
	if len(m.shown.calls) == 0 {
		if m.tray {
			m.toTray()
		} else {
			m.quit()
		}
		return
	}
	m.askBeforeQuitting(m.tray)
}

// confirmQuit is Quit in the menus. Fyne thread only.
func (m *MainWindow) confirmQuit() {
	if len(m.shown.calls) == 0 {
		m.quit()
		return
	}
	m.askBeforeQuitting(false)
}

func (m *MainWindow) askBeforeQuitting(offerTray bool) {
	if m.closing != nil {
		return // already asking
	}
	n := len(m.shown.calls)
	text := lang.L("Quitting hangs up the call.")
	if n > 1 {
		text = lang.N("Quitting hangs up all {{.Count}} calls.", n, map[string]any{"Count": n})
	}
	q := &closeQuestion{}
	q.quit = widget.NewButton(lang.L("Hang up and quit"), func() { q.dialog.Hide(); m.quit() })
	q.quit.Importance = widget.DangerImportance
	q.keep = widget.NewButton(lang.L("Keep my calls"), func() { q.dialog.Hide() })
	q.keep.Importance = widget.HighImportance
	buttons := []fyne.CanvasObject{q.keep}
	if offerTray {
		q.tray = widget.NewButton(lang.L("Keep running in the tray"), func() { q.dialog.Hide(); m.toTray() })
		buttons = append(buttons, q.tray)
		text += " " + lang.L("In the tray, Parley keeps your calls and rings as usual.")
	}
	buttons = append(buttons, q.quit)
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	q.dialog = dialog.NewCustomWithoutButtons(lang.L("Quit Parley?"), container.NewVBox(label), m.win)
	q.dialog.SetButtons(buttons)
	q.dialog.SetOnClosed(func() { m.closing = nil; m.closeModal() })
	m.closing = q
	q.dialog.Show()
	// Enter keeps the calls: the safe answer is the highlighted one.
	m.openModal(func() { pressIfEnabled(q.keep) }, q.dialog.Hide)
}

// quit closes the window, which ends the calls and the app.
func (m *MainWindow) quit() { m.win.Close() }

// toTray hides the window; the tray's Show Parley, or the next incoming
// call, brings it back.
func (m *MainWindow) toTray() {
	m.hidden = true
	m.win.Hide()
}

// fromTray shows the window again. Fyne thread only.
func (m *MainWindow) fromTray() {
	m.hidden = false
	m.win.Show()
	m.win.RequestFocus()
}
