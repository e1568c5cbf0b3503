package gui

import (
	"fmt"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// confirmClose runs when the agent closes the window. With no call it
// quits; with live calls it asks first, because closing ends them all and a
// customer cut off by a stray click is the worst thing a phone can do.
// Fyne thread only.
func (m *MainWindow) confirmClose() {
	n := len(m.shown.calls)
	if n == 0 {
		m.win.Close()
		return
	}
	what := "the call"
	if n > 1 {
		what = fmt.Sprintf("all %d calls", n)
	}
	d := dialog.NewConfirm("Quit Parley?",
		fmt.Sprintf("Quitting hangs up %s.", what),
		func(quit bool) {
			if quit {
				m.win.Close()
			}
		}, m.win)
	d.SetConfirmText("Hang up and quit")
	d.SetConfirmImportance(widget.DangerImportance)
	d.SetDismissText("Keep my calls")
	d.SetOnClosed(m.closeModal)
	m.closing = d
	d.Show()
	m.openModal(d.Confirm, d.Dismiss)
}
