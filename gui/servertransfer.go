package gui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
)

// serverTransfers is the window's side of the Wazo server's transfers
// (desk.Transfers, wazo-calld): on a Wazo line the transfer dialog hands
// calls over through the server, as the Wazo app does, instead of SIP
// REFER. An attended transfer keeps the agent's one call: the server
// moves it to the target, and the call's row says so and offers Complete
// and Cancel until the transfer ends
// (docs/decisions/0020-e-calld-transfers.md).
type serverTransfers struct {
	m   *MainWindow
	svc *desk.Transfers
	// Fyne thread only: the live transfer of each call (by call id), and
	// the calls whose transfer the agent is cancelling.
	byCall     map[string]desk.Transfer
	cancelling map[string]bool
}

// newServerTransfers follows d's transfers for the window until it
// closes; nil without a desk (a plain SIP line). It takes over the call
// list's Complete and Cancel for the calls it transfers.
func newServerTransfers(m *MainWindow, d *desk.Desk) *serverTransfers {
	if d == nil {
		return nil
	}
	s := &serverTransfers{m: m, svc: d.Transfers(), byCall: map[string]desk.Transfer{}, cancelling: map[string]bool{}}
	updates, cancel := s.svc.Subscribe()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer cancel()
		for {
			select {
			case <-m.ctx.Done():
				return
			case tr, ok := <-updates:
				if !ok {
					return
				}
				m.onUI(func() {
					if !m.closed {
						s.update(tr)
					}
				})
			}
		}
	}()
	complete, cancelXfer := m.calls.actions.complete, m.calls.actions.cancel
	m.calls.actions.complete = func(id string) {
		if tr, ok := s.byCall[id]; ok {
			s.complete(tr)
			return
		}
		complete(id)
	}
	m.calls.actions.cancel = func(id string) {
		if tr, ok := s.byCall[id]; ok {
			s.cancel(tr)
			return
		}
		cancelXfer(id)
	}
	return s
}

// live is the transfers shown in the call list (nil-safe). Fyne thread.
func (s *serverTransfers) live() map[string]desk.Transfer {
	if s == nil {
		return nil
	}
	return s.byCall
}

// update applies one change of a transfer. Fyne thread only.
func (s *serverTransfers) update(tr desk.Transfer) {
	if tr.Call == "" {
		return // not a call of this phone
	}
	m := s.m
	if _, live := s.byCall[tr.Call]; !live && tr.State != desk.TransferRinging && tr.State != desk.TransferTalking {
		return // the end of a transfer already dealt with (transfer_ended after _cancelled)
	}
	cs, _ := m.shownCall(tr.Call)
	data := map[string]any{"Target": targetText(tr), "Caller": callerText(cs)}
	switch tr.State {
	case desk.TransferCancelled:
		if s.cancelling[tr.Call] {
			m.setNotice(lang.L("Transfer to {{.Target}} cancelled: you are talking to {{.Caller}} again.", data), widget.MediumImportance)
		} else {
			m.setNotice(lang.L("{{.Target}} did not take the call: you are talking to {{.Caller}} again.", data), widget.WarningImportance)
		}
	case desk.TransferAbandoned:
		m.setNotice(lang.L("{{.Caller}} hung up during the transfer.", data), widget.WarningImportance)
	}
	if tr.Done || tr.State == desk.TransferCancelled || tr.State == desk.TransferHandedOver || tr.State == desk.TransferAbandoned {
		delete(s.byCall, tr.Call)
		delete(s.cancelling, tr.Call)
	} else {
		s.byCall[tr.Call] = tr
	}
	m.refresh()
}

// start transfers call id to number through the server: attended (the
// agent talks to them first) or blind. Fyne thread only.
func (s *serverTransfers) start(id, number string, attended bool) {
	// The row follows the service's updates (the POST's answer is one of
	// them), never this answer, which may come after the transfer ended.
	s.m.run(func(ctx context.Context) error {
		_, err := s.svc.Start(ctx, id, number, attended)
		return err
	}, func(err error) {
		if err != nil {
			s.m.setNotice(transferErrorText(number, err), widget.DangerImportance)
		}
	})
}

func (s *serverTransfers) complete(tr desk.Transfer) {
	s.m.act(lang.L("complete the transfer"), func(ctx context.Context) error { return s.svc.Complete(ctx, tr.ID) })
}

func (s *serverTransfers) cancel(tr desk.Transfer) {
	s.cancelling[tr.Call] = true
	s.m.act(lang.L("cancel the transfer"), func(ctx context.Context) error { return s.svc.Cancel(ctx, tr.ID) })
}

// serverTransferText is the details line of a call the server is
// transferring; the caller, on hold meanwhile, is the row's heading. One
// short line: the row does not wrap.
func serverTransferText(tr desk.Transfer) string {
	data := map[string]any{"Target": targetText(tr)}
	if tr.State == desk.TransferTalking {
		return lang.L("Talking to {{.Target}} before the transfer", data)
	}
	return lang.L("Transferring to {{.Target}}…", data)
}

// targetText is "Chord Bot (1002)", or the number while no name is known.
func targetText(tr desk.Transfer) string {
	if tr.TargetName == "" {
		return tr.Target
	}
	if tr.Target == "" {
		return tr.TargetName
	}
	return tr.TargetName + " (" + tr.Target + ")"
}

// transferErrorText words a transfer the server refused.
func transferErrorText(number string, err error) string {
	switch {
	case errors.Is(err, desk.ErrTransferTarget):
		return lang.L("{{.Number}} cannot be reached from your line: the call was not transferred.", map[string]any{"Number": number})
	case errors.Is(err, desk.ErrAlreadyTransferring):
		return lang.L("This call is already being transferred.")
	case errors.Is(err, desk.ErrCallNotOnServer):
		return lang.L("The server does not know this call yet: try the transfer again in a moment.")
	}
	return failureText(lang.L("transfer the call"), err)
}
