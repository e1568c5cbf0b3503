package gui

import (
	"context"

	"fyne.io/fyne/v2/widget"
)

// Action is an extra button the front end offers beside the phone, such as
// demo mode's "Ring me". Run is called off the Fyne thread; its error is
// shown to the user.
type Action struct {
	Label string
	Run   func(ctx context.Context) error
}

// WithActions adds buttons under the call list.
func WithActions(actions ...Action) Option {
	return func(c *runConfig) { c.actions = append(c.actions, actions...) }
}

// AddAction adds a button under the call list. Fyne thread only.
func (m *MainWindow) AddAction(a Action) {
	if a.Run == nil {
		return
	}
	m.panels.Add(widget.NewButton(a.Label, func() {
		m.act(a.Label, a.Run)
	}))
}
