package gui

import (
	"context"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/phone"
)

// transferDialog asks where call goes: a number, transferred at once
// (blind) or called first (attended: the agent talks to the new party,
// then completes or cancels from that call's row), or one of the other
// calls in progress (attended, completed at once).
type transferDialog struct {
	dialog *dialog.CustomDialog
	number *dialogEntry
	now    *widget.Button // blind transfer to the number
	first  *widget.Button // consult the number first
	calls  map[string]*widget.Button
}

// openTransfer shows the transfer dialog for call id. Fyne thread only.
func (m *MainWindow) openTransfer(id string) {
	cs, ok := m.shownCall(id)
	if !ok {
		return
	}
	t := &transferDialog{number: newDialogEntry(), calls: make(map[string]*widget.Button)}
	t.number.SetPlaceHolder(lang.L("Number to transfer to"))
	done := func() { t.dialog.Hide(); m.transfer = nil }
	t.now = widget.NewButton(lang.L("Transfer now"), func() {
		number := t.number.Text
		done()
		if m.srvXfer != nil { // a Wazo line: the server transfers (servertransfer.go)
			m.srvXfer.start(id, number, false)
			return
		}
		m.act(lang.L("transfer the call"), func(ctx context.Context) error { return m.api.Transfer(ctx, id, number) })
	})
	t.now.Importance = widget.HighImportance
	t.first = widget.NewButton(lang.L("Talk to them first"), func() {
		number := t.number.Text
		done()
		if m.srvXfer != nil {
			m.srvXfer.start(id, number, true)
			return
		}
		m.consult(id, number)
	})
	t.number.OnSubmitted = func(string) { t.now.OnTapped() }
	content := container.NewVBox(widget.NewLabel(lang.L("Transfer {{.Caller}} to:", map[string]any{"Caller": callerText(cs)})), t.number,
		container.NewGridWithColumns(2, t.first, t.now))
	for _, other := range m.shown.calls {
		if other.ID() == id || !other.IsActive() {
			continue
		}
		otherID := other.ID()
		b := widget.NewButton(lang.L("To {{.Caller}} (in progress)", map[string]any{"Caller": callerText(other)}), func() {
			done()
			m.completeTransfer(id, otherID)
		})
		t.calls[otherID] = b
		content.Add(b)
	}
	t.dialog = dialog.NewCustom(lang.X("transfer.title", "Transfer"), lang.L("Cancel"), content, m.win)
	t.dialog.SetOnClosed(func() { m.transfer = nil; m.closeModal() })
	m.transfer = t
	t.dialog.Show()
	m.openModal(func() { pressIfEnabled(t.now) }, t.dialog.Hide)
	t.number.escape = t.dialog.Hide
	m.win.Canvas().Focus(t.number)
}

// consult calls number while call from waits on hold (the engine holds the
// active call when another starts), and remembers the pair so the new
// call's row offers to complete or cancel the transfer.
func (m *MainWindow) consult(from, number string) {
	var placed phone.CallSession
	m.run(func(ctx context.Context) error {
		cs, err := m.api.Call(ctx, number)
		placed = cs
		return err
	}, func(err error) {
		if err != nil {
			m.setNotice(dialErrorText(err), widget.DangerImportance)
			return
		}
		m.consults[placed.ID()] = from
		m.refresh()
	})
}

// completeTransfer joins call from with call to (RFC 5589 §7 attended
// transfer, REFER with Replaces, on either kind of line: calld's transfers
// always dial the target themselves, servertransfer.go).
func (m *MainWindow) completeTransfer(from, to string) {
	m.run(func(ctx context.Context) error { return m.api.AttendedTransfer(ctx, from, to) }, func(err error) {
		if err != nil {
			m.setNotice(failureText(lang.L("complete the transfer"), err), widget.DangerImportance)
			return
		}
		delete(m.consults, to)
	})
}

// cancelTransfer hangs up the consultation and takes the waiting call back.
func (m *MainWindow) cancelTransfer(consultID string) {
	from, ok := m.consults[consultID]
	if !ok {
		return
	}
	delete(m.consults, consultID)
	m.act(lang.L("cancel the transfer"), func(ctx context.Context) error {
		if err := m.api.Hangup(ctx, consultID); err != nil {
			return err
		}
		return m.api.Resume(ctx, from)
	})
}

// shownCall is call id as last shown. Fyne thread only.
func (m *MainWindow) shownCall(id string) (phone.CallSession, bool) {
	for _, cs := range m.shown.calls {
		if cs.ID() == id {
			return cs, true
		}
	}
	return phone.CallSession{}, false
}

// refresh redraws the last snapshot (after window-only state changed).
func (m *MainWindow) refresh() { m.render(m.shown, conference.Update{}) }
