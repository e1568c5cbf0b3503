package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// incomingCards shows one card per call ringing here, inside the window,
// each with Answer and Decline. Not a modal dialog: while a second call
// rings, the agent can still hold, mute or hang up the call in progress.
// Each card goes away on its own when its call stops ringing (answered or
// declined here or in the call list, or the caller gave up); several can
// ring at once, oldest first.
type incomingCards struct {
	answer  func(id string)
	decline func(id string)
	cards   map[string]*incomingCard
	box     *fyne.Container
	// company names the caller's company from the company directory
	// (directory.go); nil or "" for none.
	company func(number string) string
}

type incomingCard struct {
	card    *fyne.Container
	caller  *widget.Label
	company *widget.Label // the caller's company, from the directory
	ringing *widget.Label // how long it has rung, and to which number
	status  *widget.Label // a failed Answer or Decline
	answer  *widget.Button
	decline *widget.Button
	since   time.Time
}

func newIncomingCards(answer, decline func(id string)) *incomingCards {
	c := &incomingCards{answer: answer, decline: decline, cards: make(map[string]*incomingCard), box: container.NewVBox()}
	c.box.Hide()
	return c
}

func (c *incomingCards) object() fyne.CanvasObject { return c.box }

// update adds a card for each call ringing here that has none, refreshes
// how long each has rung, and removes the cards of calls that stopped. It
// reports whether cards came or went, which changes the window's layout.
func (c *incomingCards) update(calls []phone.CallSession, now time.Time) (changed bool) {
	ringing := make(map[string]bool)
	for _, cs := range calls {
		if cs.Status != phone.StatusIncoming || cs.Ignored {
			continue
		}
		id := cs.ID()
		ringing[id] = true
		card, ok := c.cards[id]
		if !ok {
			card = c.open(cs, now)
			c.cards[id] = card
			c.box.Add(card.card)
			changed = true
		}
		// The directory's answer arrives while it rings.
		setText(card.caller, callerText(cs))
		company := ""
		if c.company != nil {
			company = c.company(cs.Number)
		}
		setText(card.company, company)
		if (company != "") != card.company.Visible() {
			changed = true
		}
		setVisible(card.company, company != "")
		setText(card.ringing, ringingText(cs, now.Sub(card.since)))
	}
	for id, card := range c.cards {
		if !ringing[id] {
			c.box.Remove(card.card)
			delete(c.cards, id)
			changed = true
		}
	}
	setVisible(c.box, len(c.cards) > 0)
	return changed
}

func (c *incomingCards) open(cs phone.CallSession, now time.Time) *incomingCard {
	id := cs.ID()
	card := &incomingCard{
		caller:  widget.NewLabelWithStyle(callerText(cs), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		company: widget.NewLabel(""),
		ringing: widget.NewLabel(""),
		status:  widget.NewLabel(""),
		since:   now,
	}
	if !cs.CreationTime.IsZero() {
		card.since = cs.CreationTime
	}
	card.status.Importance = widget.DangerImportance
	card.status.Wrapping = fyne.TextWrapWord
	card.status.Hide()
	card.company.Hide()
	card.answer = widget.NewButtonWithIcon(lang.L("Answer"), theme.ConfirmIcon(), func() {
		card.setBusy(true)
		c.answer(id)
	})
	card.answer.Importance = widget.SuccessImportance
	card.decline = widget.NewButtonWithIcon(lang.L("Decline"), theme.CancelIcon(), func() {
		card.setBusy(true)
		c.decline(id)
	})
	card.decline.Importance = widget.DangerImportance
	buttons := container.NewGridWithColumns(2, card.answer, card.decline)
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	bg.StrokeColor = theme.Color(theme.ColorNameSuccess)
	bg.StrokeWidth = 2
	card.card = container.NewStack(bg, container.NewPadded(container.NewVBox(card.caller, card.company, card.ringing, card.status, buttons)))
	return card
}

// ringingText is the card's second line: who was called and for how long.
func ringingText(cs phone.CallSession, rung time.Duration) string {
	text := lang.L("Incoming call") + " · " + durationText(rung)
	if cs.DialedExtension != "" {
		text += " · " + lang.L("to {{.Extension}}", map[string]any{"Extension": cs.DialedExtension})
	}
	return text
}

// showError reports a failed Answer or Decline on the call's card and lets
// the agent try again, if the call still rings.
func (c *incomingCards) showError(id, text string) {
	card, ok := c.cards[id]
	if !ok {
		return
	}
	card.status.SetText(text)
	card.status.Show()
	card.setBusy(false)
}

func (card *incomingCard) setBusy(busy bool) {
	for _, b := range []*widget.Button{card.answer, card.decline} {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}
