package gui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// rowView is one line of a buttonList: what it stands for and its text.
type rowView struct{ id, text string }

// buttonRow is "text [button]".
type buttonRow struct {
	label  *widget.Label
	button *widget.Button
	box    *fyne.Container
}

// buttonList is a vertical list of "text [button]" rows kept in step with a
// list of views by id: a redraw updates rows in place instead of rebuilding
// them, so a button keeps its state between the pump's redraws.
type buttonList struct {
	box       *fyne.Container
	rows      map[string]*buttonRow
	order     []string
	newButton func(id string) *widget.Button
}

func newButtonList(newButton func(id string) *widget.Button) *buttonList {
	return &buttonList{box: container.NewVBox(), rows: map[string]*buttonRow{}, newButton: newButton}
}

// update shows views, in order. Fyne thread only.
func (l *buttonList) update(views []rowView) {
	order := make([]string, 0, len(views))
	for _, v := range views {
		row, ok := l.rows[v.id]
		if !ok {
			row = &buttonRow{label: widget.NewLabel(""), button: l.newButton(v.id)}
			row.box = container.NewBorder(nil, nil, nil, row.button, row.label)
			l.rows[v.id] = row
		}
		setText(row.label, v.text)
		order = append(order, v.id)
	}
	for id := range l.rows {
		if !slices.Contains(order, id) {
			delete(l.rows, id)
		}
	}
	if slices.Equal(order, l.order) {
		return
	}
	l.order = order
	objects := make([]fyne.CanvasObject, 0, len(order))
	for _, id := range order {
		objects = append(objects, l.rows[id].box)
	}
	l.box.Objects = objects
	l.box.Refresh()
}

// reset forgets every row (their ids belong to another conference).
func (l *buttonList) reset() {
	clear(l.rows)
	l.order = nil
	l.box.RemoveAll()
}
