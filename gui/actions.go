package gui

import (
	"context"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Action is an extra button the front end offers beside the phone, such as
// demo mode's "Ring me". Run is called off the Fyne thread; its error is
// shown to the user.
type Action struct {
	Label string
	// Kind, when set, has the window word the button itself (in the
	// user's language) instead of showing Label.
	Kind ActionKind
	Run  func(ctx context.Context) error
}

// ActionKind names the buttons the window words itself.
type ActionKind string

// Buttons of demo mode.
const (
	ActionDemoToneBot ActionKind = "demo-tone-bot" // have the Tone Bot call me
	ActionDemoEcho    ActionKind = "demo-echo"     // have the Echo line call me
	// ActionDemoSupervisor: a supervisor pauses the demo agent elsewhere
	// (docs/wazo.md, "Agent session").
	ActionDemoSupervisor ActionKind = "demo-supervisor"
	// ActionDemoVoicemail: a demo contact leaves a voicemail message.
	ActionDemoVoicemail ActionKind = "demo-voicemail"
)

// label is the button's text.
func (a Action) label() string {
	switch a.Kind {
	case ActionDemoToneBot:
		return lang.L("Demo: have the Tone Bot call me")
	case ActionDemoEcho:
		return lang.L("Demo: have the Echo line call me")
	case ActionDemoSupervisor:
		return lang.L("Demo: have a supervisor pause my agent")
	case ActionDemoVoicemail:
		return lang.L("Demo: have the Chord Bot leave me a voicemail")
	}
	return a.Label
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
	label := a.label()
	m.panels.Add(widget.NewButton(label, func() {
		m.act(lowerFirst(label), a.Run)
	}))
}
