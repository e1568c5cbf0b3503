package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// incomingDialogs raises one dialog per ringing incoming call, each with
// Accept and Reject. One per call rather than a queue: every ringing call can
// be answered directly, and each dialog goes away on its own when its call
// stops ringing (accepted or rejected here or in the call list, or the caller
// hung up). Fyne stacks the dialogs, newest on top; the call list shows all
// ringing calls too, so none is hidden from the agent.
type incomingDialogs struct {
	parent  fyne.Window
	accept  func(id string)
	reject  func(id string)
	dialogs map[string]*incomingDialog
}

type incomingDialog struct {
	dialog *dialog.CustomDialog
	caller *widget.Label
	number *widget.Label
	status *widget.Label
	accept *widget.Button
	reject *widget.Button
}

func newIncomingDialogs(parent fyne.Window, accept, reject func(id string)) *incomingDialogs {
	return &incomingDialogs{parent: parent, accept: accept, reject: reject, dialogs: make(map[string]*incomingDialog)}
}

// update opens a dialog for each call ringing here that has none and closes
// the dialogs of calls that no longer ring.
func (d *incomingDialogs) update(calls []phone.CallSession) {
	ringing := make(map[string]bool)
	for _, cs := range calls {
		if cs.Status != phone.StatusIncoming || cs.Ignored {
			continue
		}
		ringing[cs.ID()] = true
		if _, open := d.dialogs[cs.ID()]; !open {
			d.dialogs[cs.ID()] = d.open(cs)
		}
	}
	for id, dlg := range d.dialogs {
		if !ringing[id] {
			dlg.dialog.Hide()
			delete(d.dialogs, id)
		}
	}
}

func (d *incomingDialogs) open(cs phone.CallSession) *incomingDialog {
	id := cs.ID()
	dlg := &incomingDialog{
		caller: widget.NewLabelWithStyle(cs.DisplayName, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		number: widget.NewLabelWithStyle(cs.Number, fyne.TextAlignCenter, fyne.TextStyle{}),
		status: widget.NewLabel(""),
	}
	if cs.DisplayName == "" || cs.DisplayName == cs.Number {
		dlg.caller.SetText(cs.Number)
		dlg.number.Hide()
	}
	dlg.status.Importance = widget.DangerImportance
	dlg.status.Wrapping = fyne.TextWrapWord
	dlg.status.Hide()
	dlg.accept = widget.NewButtonWithIcon("Answer", theme.ConfirmIcon(), func() {
		dlg.setBusy(true)
		d.accept(id)
	})
	dlg.accept.Importance = widget.SuccessImportance
	dlg.reject = widget.NewButtonWithIcon("Decline", theme.CancelIcon(), func() {
		dlg.setBusy(true)
		d.reject(id)
	})
	dlg.reject.Importance = widget.DangerImportance

	content := container.NewVBox(dlg.caller, dlg.number, dlg.status)
	dlg.dialog = dialog.NewCustomWithoutButtons("Incoming call", content, d.parent)
	dlg.dialog.SetButtons([]fyne.CanvasObject{dlg.reject, dlg.accept})
	dlg.dialog.Show()
	return dlg
}

// showError reports a failed Answer or Decline in the call's dialog and lets
// the agent try again, if the call still rings.
func (d *incomingDialogs) showError(id, text string) {
	dlg, ok := d.dialogs[id]
	if !ok {
		return
	}
	dlg.status.SetText(text)
	dlg.status.Show()
	dlg.setBusy(false)
}

func (dlg *incomingDialog) setBusy(busy bool) {
	for _, b := range []*widget.Button{dlg.accept, dlg.reject} {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}
