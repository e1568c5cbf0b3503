package gui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Blind transfer: Transfer on the talking call, a number, Transfer now.
func TestBlindTransfer(t *testing.T) {
	f, id := talkingFixture(t)
	f.tap(func() *widget.Button { return f.row(id).transfer })
	f.waitUntil("the transfer dialog", func() bool { return f.m.transfer != nil })
	f.ui.do(func() { test.Type(f.m.transfer.number, "2000") })
	f.tap(func() *widget.Button { return f.m.transfer.now })
	f.waitForOp("Transfer " + id + " 2000")
	f.waitUntil("the call gone and the outcome said", func() bool {
		return f.row(id) == nil && containsText([]string{f.m.notice.Text}, "transferred to 2000")
	})
}

// Attended transfer: talk to the target first, then complete; or cancel,
// which hangs up the consultation and takes the customer back.
func TestAttendedTransfer(t *testing.T) {
	for _, complete := range []bool{true, false} {
		name := "cancelled"
		if complete {
			name = "completed"
		}
		t.Run(name, func(t *testing.T) {
			f, customer := talkingFixture(t)
			f.tap(func() *widget.Button { return f.row(customer).transfer })
			f.waitUntil("the transfer dialog", func() bool { return f.m.transfer != nil })
			f.ui.do(func() { test.Type(f.m.transfer.number, "2000") })
			f.tap(func() *widget.Button { return f.m.transfer.first })
			f.waitForOp("Call 2000")
			var consult string
			f.waitUntil("the consultation call listed", func() bool {
				for id := range f.m.consults {
					consult = id
				}
				return consult != "" && f.row(consult) != nil
			})
			if err := f.e.Answer(consult); err != nil {
				t.Fatal(err)
			}
			f.waitUntil("Complete and Cancel on the consultation", func() bool {
				r := f.row(consult)
				return r != nil && r.complete.Visible() && r.cancel.Visible() && r.transfer.Disabled()
			})
			if complete {
				f.tap(func() *widget.Button { return f.row(consult).complete })
				f.waitForOp("AttendedTransfer " + customer + " " + consult)
				f.waitUntil("both calls gone", func() bool { return f.row(customer) == nil && f.row(consult) == nil })
				return
			}
			f.tap(func() *widget.Button { return f.row(consult).cancel })
			f.waitForOp("Hangup " + consult)
			f.waitForOp("Resume " + customer)
			f.waitUntil("the customer back", func() bool { return f.m.talking == customer && f.row(consult) == nil })
		})
	}
}

// From the dialog, another call in progress is a transfer target too.
func TestTransferToAnotherCall(t *testing.T) {
	f, first := talkingFixture(t)
	second, err := f.e.Call(context.Background(), "1003")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Answer(second.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("two talking calls", func() bool { return f.m.talking == second.ID() })
	f.tap(func() *widget.Button { return f.row(second.ID()).transfer })
	f.waitUntil("the dialog offering the first call", func() bool {
		return f.m.transfer != nil && f.m.transfer.calls[first] != nil
	})
	f.tap(func() *widget.Button { return f.m.transfer.calls[first] })
	f.waitForOp("AttendedTransfer " + second.ID() + " " + first)
}
