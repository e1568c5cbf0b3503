package gui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/conference"
)

// mergeDialog asks which calls make the conference. Every connected call
// has a box, ticked as the tracker's plan would merge them (conference.Plan:
// the active call hosts, every other connected call joins), so Enter on
// the dialog does what the old one-click Merge did, and the agent can leave
// out the customer who must not hear the others.
type mergeDialog struct {
	dialog *dialog.CustomDialog
	checks map[string]*widget.Check // by call id, in list order
	order  []string
	merge  *widget.Button
	cancel *widget.Button
	status *widget.Label // fewer than two ticked
}

// openMerge shows the merge dialog, or merges at once when there are only
// two connected calls and so nothing to choose. Fyne thread only.
func (m *MainWindow) openMerge() {
	plan, err := conference.Plan(m.shown.calls, m.shown.active, nil)
	if err != nil {
		m.setNotice(conferenceErrorText(lang.L("start the conference"), err), widget.DangerImportance)
		return
	}
	picked := map[string]bool{plan.Host.ID(): true}
	for _, cs := range plan.Others {
		picked[cs.ID()] = true
	}
	d := &mergeDialog{checks: make(map[string]*widget.Check), status: widget.NewLabel("")}
	d.status.Importance = widget.WarningImportance
	d.status.Hide()
	list := container.NewVBox(widget.NewLabel(lang.L("Calls to bring into the conference:")))
	for _, cs := range m.shown.calls {
		if !cs.IsActive() {
			continue
		}
		label := callerText(cs)
		if cs.Paused {
			label += " (" + lang.L("on hold") + ")"
		}
		c := widget.NewCheck(label, func(bool) { d.validate() })
		c.SetChecked(picked[cs.ID()])
		d.checks[cs.ID()] = c
		d.order = append(d.order, cs.ID())
		list.Add(c)
	}
	if len(d.order) == 2 {
		// Two calls: a conference needs both, there is nothing to choose.
		m.startConference(d.order)
		return
	}
	d.merge = widget.NewButton(lang.L("Merge"), func() {
		chosen := d.chosen()
		if len(chosen) < 2 {
			return
		}
		d.dialog.Hide()
		m.startConference(chosen)
	})
	d.merge.Importance = widget.HighImportance
	d.cancel = widget.NewButton(lang.L("Cancel"), func() { d.dialog.Hide() })
	list.Add(d.status)
	d.dialog = dialog.NewCustomWithoutButtons(lang.L("Merge calls"), list, m.win)
	d.dialog.SetButtons([]fyne.CanvasObject{d.cancel, d.merge})
	d.dialog.SetOnClosed(func() { m.merging = nil; m.closeModal() })
	m.merging = d
	d.validate()
	d.dialog.Show()
	m.openModal(func() { pressIfEnabled(d.merge) }, d.dialog.Hide)
}

// chosen is the ticked calls' ids, in list order.
func (d *mergeDialog) chosen() []string {
	var ids []string
	for _, id := range d.order {
		if d.checks[id].Checked {
			ids = append(ids, id)
		}
	}
	return ids
}

func (d *mergeDialog) validate() {
	if d.merge == nil {
		return
	}
	if n := len(d.chosen()); n < 2 {
		d.merge.Disable()
		d.status.SetText(lang.N("Tick at least two calls ({{.Count}} ticked).", n, map[string]any{"Count": n}))
		d.status.Show()
		return
	}
	d.merge.Enable()
	d.status.Hide()
}

// startConference merges the chosen calls. The host is decided off the
// Fyne thread from the calls as they are then, the way conference.Plan
// decides it (the active call, else one not on hold), among the chosen:
// the window's last snapshot may be a moment behind a Resume. Fyne thread.
func (m *MainWindow) startConference(chosen []string) {
	m.conf.setMerging(true)
	m.refresh()
	m.run(func(ctx context.Context) error {
		calls := m.api.Calls()
		active := ""
		if cs, ok := m.api.ActiveCall(); ok {
			active = cs.ID()
		}
		host := chosen[0]
		if def, err := conference.Plan(calls, active, nil); err == nil && slices.Contains(chosen, def.Host.ID()) {
			host = def.Host.ID()
		}
		var others []string
		for _, id := range chosen {
			if id != host {
				others = append(others, id)
			}
		}
		plan, err := conference.PlanOn(calls, host, others)
		if err != nil {
			return err
		}
		_, err = m.confBackend.Start(ctx, plan.Host, plan.Others)
		return err
	}, func(err error) {
		m.conf.setMerging(false)
		m.refresh()
		m.conferenceDone(lang.L("start the conference"))(err)
	})
}

// conferenceFromCall is the focused call's Merge/Add button: with a live
// conference it adds the call, otherwise it opens the merge dialog.
func (m *MainWindow) conferenceFromCall(id string) {
	v := m.shown.conference
	if !v.live {
		m.openMerge()
		return
	}
	cs, ok := m.shownCall(id)
	if !ok {
		return
	}
	m.addToConference(v.id, cs.SIPCallID)
}
