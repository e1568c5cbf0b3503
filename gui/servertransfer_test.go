package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// TestServerTransfersOnTheWazoStandIn: with a desk (a Wazo line), the
// transfer dialog transfers through wazo-calld. An attended transfer keeps
// the one call, whose row says the agent is talking to the target, then
// Complete hands the caller over (the stand-in's Asterisk connects the
// bots) or Cancel brings the caller back; a busy target and an unknown
// number are worded.
func TestServerTransfersOnTheWazoStandIn(t *testing.T) {
	s := newStandInWith(t, func(line *wazoline.Line) []Option {
		d := desk.New(line)
		t.Cleanup(d.Close)
		return []Option{WithDesk(d)}
	})
	calls := s.demo.Stack().Calls()
	// talksTo is who channel id talks to in the stand-in's call model.
	talksTo := func(id string) string {
		c, ok := calls.Get(id)
		if !ok {
			return ""
		}
		for other := range c.TalkingTo {
			return other
		}
		return ""
	}
	// transfer opens the dialog on call cs and presses pick after typing number.
	transfer := func(cs phone.CallSession, number string, pick func(*transferDialog) *widget.Button) {
		s.tap(func() *widget.Button { return s.row(cs.ID()).transfer })
		s.waitUntil("the transfer dialog", func() bool { return s.m.transfer != nil })
		s.ui.do(func() { test.Type(s.m.transfer.number, number) })
		s.tap(func() *widget.Button { return pick(s.m.transfer) })
	}
	first := func(t *transferDialog) *widget.Button { return t.first }
	now := func(t *transferDialog) *widget.Button { return t.now }
	consulting := func(cs phone.CallSession, target string) {
		s.waitUntil("the row talking to "+target+" before the transfer", func() bool {
			row := s.row(cs.ID())
			return row != nil && strings.Contains(row.details.Text, "Talking to "+target+" before the transfer") &&
				row.complete.Visible() && !row.complete.Disabled() && row.cancel.Visible()
		})
	}

	// Attended, completed: the Tone Bot ends up with the Chord Bot.
	customer := s.dialByKeyboard("1001")
	mine := customer.CallID
	bot := talksTo(mine)
	transfer(customer, "1002", first)
	consulting(customer, "Chord Bot (1002)")
	recipient := talksTo(mine)
	if r, _ := calls.Get(recipient); r.PeerCallerIDNumber != "1002" {
		t.Fatalf("the agent talks to %+v, not the Chord Bot", r)
	}
	if len(s.m.shown.calls) != 1 {
		t.Fatalf("%d calls shown during the consultation, want the one", len(s.m.shown.calls))
	}
	s.tap(func() *widget.Button { return s.row(customer.ID()).complete })
	s.waitUntil("the call handed over, said so", func() bool {
		return len(s.m.shown.calls) == 0 && strings.Contains(s.m.notice.Text, "transferred to 1002")
	})
	if got := talksTo(bot); got != recipient {
		t.Fatalf("the Tone Bot talks to %q, want the Chord Bot %q", got, recipient)
	}
	_ = calls.Hangup(bot, 16)

	// Attended, cancelled: back with the caller.
	customer = s.dialByKeyboard("1001")
	bot = talksTo(customer.CallID)
	transfer(customer, "1002", first)
	consulting(customer, "Chord Bot (1002)")
	s.tap(func() *widget.Button { return s.row(customer.ID()).cancel })
	s.waitUntil("back with the Tone Bot, said so", func() bool {
		row := s.row(customer.ID())
		return row != nil && !row.complete.Visible() && !strings.Contains(row.details.Text, "transfer") &&
			strings.Contains(s.m.notice.Text, "Transfer to Chord Bot (1002) cancelled") && talksTo(customer.CallID) == bot
	})

	// A busy target: calld cancels; an unknown number is refused.
	transfer(customer, "1003", first)
	s.waitUntil("the busy target said so", func() bool {
		return strings.Contains(s.m.notice.Text, "(1003) did not take the call") && talksTo(customer.CallID) == bot
	})
	transfer(customer, "4242", now)
	s.waitUntil("the refusal worded", func() bool {
		n := s.m.notice
		return n.Importance == widget.DangerImportance && strings.Contains(n.Text, "4242 cannot be reached from your line")
	})
	if cs, ok := s.m.shownCall(customer.ID()); !ok || cs.Status != phone.StatusEstablished {
		t.Fatalf("the refused transfer ended the call: %+v", cs)
	}

	// Blind: the call is handed over at once.
	transfer(customer, "1005", now)
	s.waitUntil("the call handed over, said so", func() bool {
		return len(s.m.shown.calls) == 0 && strings.Contains(s.m.notice.Text, "transferred to 1005")
	})
}
