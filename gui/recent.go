package gui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone"
)

// recentLimit is how many ended calls the window lists: enough to call back
// the last few customers, not a history (that is kept by the history
// screen, with search, when there is one).
const recentLimit = 5

// recentCall is one ended call, as the recent list shows it.
type recentCall struct {
	who    string
	number string
	kind   callKind
	at     time.Time
}

// callKind is what an ended call was to the agent, as the list writes it.
type callKind string

const (
	kindMissed            callKind = "Missed"
	kindDeclined          callKind = "Declined"
	kindAnsweredElsewhere callKind = "Answered elsewhere"
	kindIncoming          callKind = "Incoming"
	kindOutgoing          callKind = "Outgoing"
	kindNotConnected      callKind = "Not connected"
)

// text is the kind in the window's language.
func (k callKind) text() string {
	switch k {
	case kindMissed:
		return lang.L("Missed")
	case kindDeclined:
		return lang.L("Declined")
	case kindAnsweredElsewhere:
		return lang.L("Answered elsewhere")
	case kindIncoming:
		return lang.L("Incoming")
	case kindOutgoing:
		return lang.L("Outgoing")
	case kindNotConnected:
		return lang.L("Not connected")
	}
	return string(k)
}

// recentKind says what an ended call was to the agent. A call that rang
// here, was not answered here or on another device and was not declined
// is a missed call.
func recentKind(cs phone.CallSession, declined bool) callKind {
	switch {
	case cs.IsCaller && !cs.Answered:
		return kindNotConnected
	case cs.IsCaller:
		return kindOutgoing
	case !cs.Answered && cs.AnsweredElsewhere:
		return kindAnsweredElsewhere
	case !cs.Answered && !declined:
		return kindMissed
	case !cs.Answered:
		return kindDeclined
	default:
		return kindIncoming
	}
}

// recentList shows the last ended calls, newest first, each with Call
// back. Fyne thread only.
type recentList struct {
	callBack func(number string)
	calls    []recentCall
	box      *fyne.Container
	missed   int // missed calls not yet called back or dialled over
}

func newRecentList(callBack func(number string)) *recentList {
	r := &recentList{callBack: callBack, box: container.NewVBox()}
	r.box.Hide()
	return r
}

func (r *recentList) object() fyne.CanvasObject { return r.box }

// add records an ended call.
func (r *recentList) add(c recentCall) {
	if c.kind == kindMissed {
		r.missed++
	}
	r.calls = append([]recentCall{c}, r.calls...)
	if len(r.calls) > recentLimit {
		r.calls = r.calls[:recentLimit]
	}
	r.render()
}

// seed adds calls from the history, newest first, below the live ones;
// missed is how many of them are missed calls not seen yet.
func (r *recentList) seed(calls []recentCall, missed int) {
	r.calls = append(r.calls, calls...)
	if len(r.calls) > recentLimit {
		r.calls = r.calls[:recentLimit]
	}
	r.missed += missed
	r.render()
}

// clear forgets every call shown (the history was cleared).
func (r *recentList) clear() {
	r.calls, r.missed = nil, 0
	r.render()
}

// seen clears the missed-call count: the agent is back at the phone.
func (r *recentList) seen() { r.missed = 0 }

func (r *recentList) render() {
	heading := widget.NewLabelWithStyle(lang.L("Recent calls"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.Importance = widget.LowImportance
	objects := []fyne.CanvasObject{heading}
	for _, c := range r.calls {
		label := widget.NewLabel(fmt.Sprintf("%s · %s · %s", c.kind.text(), c.who, c.at.Format("15:04")))
		label.Truncation = fyne.TextTruncateEllipsis
		if c.kind == kindMissed {
			label.Importance = widget.DangerImportance
		}
		number := c.number
		back := widget.NewButtonWithIcon(lang.L("Call back"), theme.MediaPlayIcon(), func() { r.callBack(number) })
		if number == "" {
			back.Disable() // an anonymous caller
		}
		objects = append(objects, container.NewBorder(nil, nil, nil, back, label))
	}
	r.box.Objects = objects
	r.box.Refresh()
	setVisible(r.box, len(r.calls) > 0)
}

func missedText(cs phone.CallSession) string {
	return lang.L("Missed call from {{.Caller}}.", map[string]any{"Caller": callerText(cs)})
}
