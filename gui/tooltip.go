package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne 2.8 has no tooltips. A pop-up would not do: it covers the window,
// takes the pointer from the button (which then loses its hover) and eats
// the next click. So the tip is drawn on a layer stacked over the window's
// content that holds only a label and a rectangle: neither takes pointer
// events, which fall through to the buttons underneath.

// tipDelay is how long the pointer rests on a control before its tip shows.
const tipDelay = 600 * time.Millisecond

// tipLayer draws at most one tip at a time over the window. Fyne thread
// only, except that the hover timers hand their work to onUI.
type tipLayer struct {
	onUI  func(func())
	layer *fyne.Container // stacked over the content, no layout
	box   *fyne.Container
	text  *widget.Label
	timer *time.Timer
	owner fyne.CanvasObject // whose tip is shown or pending
}

func newTipLayer(onUI func(func())) *tipLayer {
	t := &tipLayer{onUI: onUI, text: widget.NewLabel("")}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	t.box = container.NewStack(bg, t.text)
	t.box.Hide()
	t.layer = container.NewWithoutLayout(t.box)
	return t
}

func (t *tipLayer) object() fyne.CanvasObject { return t.layer }

// hover starts the wait before o's tip shows.
func (t *tipLayer) hover(o fyne.CanvasObject, tip string) {
	t.leave(nil)
	if tip == "" {
		return
	}
	t.owner = o
	t.timer = time.AfterFunc(tipDelay, func() {
		t.onUI(func() {
			if t.owner == o {
				t.show(o, tip)
			}
		})
	})
}

// leave hides o's tip (any tip when o is nil) and cancels a pending one.
func (t *tipLayer) leave(o fyne.CanvasObject) {
	if o != nil && t.owner != o {
		return
	}
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	t.owner = nil
	t.box.Hide()
}

// show places the tip under o, inside the window.
func (t *tipLayer) show(o fyne.CanvasObject, tip string) {
	d := fyne.CurrentApp().Driver()
	c := d.CanvasForObject(o)
	if c == nil {
		return
	}
	t.text.SetText(tip)
	size := t.box.MinSize()
	pos := d.AbsolutePositionForObject(o).Add(fyne.NewPos(0, o.Size().Height+2))
	win := c.Size()
	if pos.X+size.Width > win.Width {
		pos.X = max(0, win.Width-size.Width)
	}
	if pos.Y+size.Height > win.Height {
		pos.Y = max(0, d.AbsolutePositionForObject(o).Y-size.Height-2) // above it instead
	}
	t.box.Resize(size)
	t.box.Move(pos)
	t.box.Show()
	t.layer.Refresh()
}

// tipButton is a button with a tip. Rows keep &Button (what tests and
// state updates use); layouts take the tipButton itself, which hovers.
type tipButton struct {
	widget.Button
	tip  string
	tips *tipLayer
}

func newTipButton(tips *tipLayer, label string, icon fyne.Resource, tip string, tapped func()) *tipButton {
	b := &tipButton{tip: tip, tips: tips}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// MouseIn implements desktop.Hoverable.
func (b *tipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	if b.tips != nil {
		b.tips.hover(b, b.tip)
	}
}

// MouseOut implements desktop.Hoverable.
func (b *tipButton) MouseOut() {
	b.Button.MouseOut()
	if b.tips != nil {
		b.tips.leave(b)
	}
}

// Tapped implements fyne.Tappable: a click hides the tip.
func (b *tipButton) Tapped(e *fyne.PointEvent) {
	if b.tips != nil {
		b.tips.leave(b)
	}
	b.Button.Tapped(e)
}

// tipLabel is a label with a tip (the quality line: what the figures mean).
type tipLabel struct {
	widget.Label
	tip  string
	tips *tipLayer
}

func newTipLabel(tips *tipLayer, tip string) *tipLabel {
	l := &tipLabel{tip: tip, tips: tips}
	l.ExtendBaseWidget(l)
	return l
}

// MouseIn implements desktop.Hoverable.
func (l *tipLabel) MouseIn(*desktop.MouseEvent) {
	if l.tips != nil {
		l.tips.hover(l, l.tip)
	}
}

// MouseMoved implements desktop.Hoverable.
func (l *tipLabel) MouseMoved(*desktop.MouseEvent) {}

// MouseOut implements desktop.Hoverable.
func (l *tipLabel) MouseOut() {
	if l.tips != nil {
		l.tips.leave(l)
	}
}
