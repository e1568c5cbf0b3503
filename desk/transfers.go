package desk

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// Errors of the transfer service. The server's own error stays wrapped
// beside them (errors.Is finds both).
var (
	// ErrCallNotOnServer: the call is not known to wazo-calld yet (its
	// call_created has not arrived), so the server cannot transfer it.
	ErrCallNotOnServer = errors.New("the server does not know this call yet; try again in a moment")
	// ErrTransferTarget: the server cannot dial that number from the
	// agent's line (calld 400 invalid-extension).
	ErrTransferTarget = errors.New("that number cannot be reached from your line")
	// ErrAlreadyTransferring: the call is already being transferred
	// (calld 409 transfer-already-started).
	ErrAlreadyTransferring = errors.New("this call is already being transferred")
)

// transferError words a refused transfer request.
func transferError(to string, err error) error {
	switch {
	case errors.Is(err, wazo.ErrInvalidExtension):
		return fmt.Errorf("transfer to %s: %w (%w)", to, ErrTransferTarget, err)
	case errors.Is(err, wazo.ErrTransferAlreadyStarted):
		return fmt.Errorf("transfer to %s: %w (%w)", to, ErrAlreadyTransferring, err)
	}
	return fmt.Errorf("transfer to %s failed: %w", to, err)
}

// TransferState is where a server-side transfer stands.
type TransferState string

// Transfer states, from calld's statuses and events (wazo-calld
// plugins/transfers/state.py; docs/wazo-protocol.md, Transfers (calld)).
const (
	// TransferRinging: calld is ringing the target; the caller waits on
	// hold, the agent hears ringback (status ringback).
	TransferRinging TransferState = "ringing"
	// TransferTalking: attended, the target answered: the agent talks to
	// it, the caller still waits (status answered).
	TransferTalking TransferState = "talking"
	// TransferHandedOver: completed (or blind): the caller goes to the
	// target and the agent's call ends (transfer_completed).
	TransferHandedOver TransferState = "handed_over"
	// TransferCancelled: the agent cancelled or the target hung up or was
	// busy: the agent talks to the caller again (transfer_cancelled).
	TransferCancelled TransferState = "cancelled"
	// TransferAbandoned: the caller hung up meanwhile (transfer_abandoned).
	TransferAbandoned TransferState = "abandoned"
)

// Transfer is one server-side transfer of the agent's.
type Transfer struct {
	ID string
	// Call is the agent's phone call being transferred (its SIP Call-ID,
	// phone.CallSession.ID); "" when that call is not on this phone.
	Call string
	// Target is the number dialled ("" for a transfer started elsewhere);
	// TargetName who answers there, once the server says (the connected
	// line of the recipient's channel).
	Target     string
	TargetName string
	Attended   bool
	State      TransferState
	// Done: calld is finished with the transfer (transfer_ended); this is
	// its last update.
	Done bool
}

// Transfers is the line's server-side transfers (wazo-calld transfers
// API), as the Wazo app does them: an attended transfer keeps the agent's
// one call and moves it, on the server, to the target until Complete or
// Cancel. The blind transfer goes through phone.API.Transfer on a Wazo
// line (wazoline.Line.Transfer); its events show here too.
type Transfers struct {
	d   *Desk
	hub *eventq.Hub[Transfer]

	mu   sync.Mutex
	byID map[string]*Transfer
	// ended remembers finished transfers, so a POST answer read after the
	// transfer_ended event does not bring one back.
	ended map[string]Transfer
	// recipients: the recipient channel of each live transfer; names: the
	// connected-line name of the user's live channels (call_* events),
	// from which TargetName comes.
	recipients map[string]string // channel → transfer id
	names      map[string]string // channel → peer name
	// dialling: the number of each transfer being created, by initiator
	// channel, from before the POST until its answer. calld's events can
	// outrun the POST's answer (a busy target cancels at once), and
	// without it they would reach subscribers with no Target.
	dialling map[string]string // initiator channel → number
}

// Transfers returns the line's transfer service, starting it on first use.
func (d *Desk) Transfers() *Transfers {
	d.transfersOnce.Do(func() {
		t := &Transfers{d: d, hub: eventq.New[Transfer](), byID: map[string]*Transfer{}, ended: map[string]Transfer{},
			recipients: map[string]string{}, names: map[string]string{}, dialling: map[string]string{}}
		events, cancel := d.line.Subscribe()
		d.goOwned(func(ctx context.Context) {
			defer t.hub.Close()
			defer cancel()
			for {
				select {
				case <-ctx.Done():
					return
				case ev, ok := <-events:
					if !ok {
						return
					}
					t.onEvent(ev)
				}
			}
		})
		d.transfers = t
	})
	return d.transfers
}

// Subscribe delivers every change of a transfer, in order, never
// blocking the service. cancel ends the subscription.
func (t *Transfers) Subscribe() (<-chan Transfer, func()) { return t.hub.Subscribe() }

// ForCall is the transfer in progress of the agent's call id, if any.
func (t *Transfers) ForCall(id string) (Transfer, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tr := range t.byID {
		if tr.Call == id && !tr.Done {
			return *tr, true
		}
	}
	return Transfer{}, false
}

// Start transfers the agent's call id to number through calld (POST
// /users/me/transfers). attended: the agent talks to the target first,
// then calls Complete or Cancel; otherwise the transfer is blind (the
// call ends once calld accepted it).
func (t *Transfers) Start(ctx context.Context, id, number string, attended bool) (Transfer, error) {
	to, err := phone.NormalizeNumber(number)
	if err != nil {
		return Transfer{}, err
	}
	p := t.d.line.Phone()
	cs, ok := p.Session(id)
	if !ok {
		return Transfer{}, fmt.Errorf("%w: %q", phone.ErrNoSuchCall, id)
	}
	if cs.CallID == "" {
		return Transfer{}, ErrCallNotOnServer
	}
	flow := wazo.TransferAttended
	var undo func()
	if !attended {
		flow = wazo.TransferBlind
		if undo, err = p.HandOver(id, to); err != nil {
			return Transfer{}, err
		}
	}
	t.mu.Lock()
	t.dialling[cs.CallID] = to
	t.mu.Unlock()
	wt, err := t.d.client.CreateTransfer(ctx, wazo.TransferRequest{InitiatorCall: cs.CallID, Exten: to, Flow: flow})
	t.mu.Lock()
	delete(t.dialling, cs.CallID)
	t.mu.Unlock()
	if err != nil {
		if undo != nil {
			undo()
		}
		return Transfer{}, transferError(to, err)
	}
	tr := t.update(wt, "", func(tr *Transfer) { tr.Call, tr.Target = id, to })
	return tr, nil
}

// Complete hands the waiting caller to the target (PUT …/complete): the
// agent's call ends as transferred. Before the target answered, this
// makes the transfer blind (calld state.py Ringback.complete).
func (t *Transfers) Complete(ctx context.Context, transferID string) error {
	tr, ok := t.get(transferID)
	var undo func()
	if ok && tr.Call != "" {
		undo, _ = t.d.line.Phone().HandOver(tr.Call, tr.Target)
	}
	if err := t.d.client.CompleteTransfer(ctx, transferID); err != nil {
		if undo != nil {
			undo()
		}
		return fmt.Errorf("the transfer could not be completed: %w", err)
	}
	return nil
}

// Cancel hangs the target up and gives the agent the caller back (DELETE
// /users/me/transfers/{id}).
func (t *Transfers) Cancel(ctx context.Context, transferID string) error {
	if err := t.d.client.CancelTransfer(ctx, transferID); err != nil {
		return fmt.Errorf("the transfer could not be cancelled: %w", err)
	}
	return nil
}

func (t *Transfers) get(id string) (Transfer, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tr, ok := t.byID[id]
	if !ok {
		return Transfer{}, false
	}
	return *tr, true
}

// onEvent follows calld's transfer_* events (wazo-bus
// resources/calls/event.py; the order of state.py).
func (t *Transfers) onEvent(ev wazoline.Event) {
	we := wazo.Event{Name: ev.Name, Data: ev.Data, Raw: ev.Raw}
	if we.IsCallEvent() {
		if c, err := we.Call(); err == nil {
			t.onCall(ev.Name, c)
		}
		return
	}
	if !we.IsTransferEvent() {
		return
	}
	wt, err := we.Transfer()
	if err != nil {
		t.d.log.Warn("desk: unreadable transfer event", "event", ev.Name, "err", err)
		return
	}
	t.update(wt, ev.Name, nil)
}

// update applies calld's view of a transfer (the POST's answer when event
// is "", else the event) and publishes the change.
func (t *Transfers) update(wt wazo.Transfer, event string, fill func(*Transfer)) Transfer {
	t.mu.Lock()
	if last, ok := t.ended[wt.ID]; ok {
		t.mu.Unlock()
		if fill != nil {
			fill(&last)
		}
		return last
	}
	tr, ok := t.byID[wt.ID]
	if !ok {
		tr = &Transfer{ID: wt.ID, State: TransferRinging, Call: t.phoneCall(wt.InitiatorCall), Target: t.dialling[wt.InitiatorCall]}
		t.byID[wt.ID] = tr
	}
	if fill != nil {
		fill(tr)
	}
	tr.Attended = wt.Flow != wazo.TransferBlind
	if wt.RecipientCall != nil && *wt.RecipientCall != "" {
		t.recipients[*wt.RecipientCall] = wt.ID
		if n := t.names[*wt.RecipientCall]; n != "" {
			tr.TargetName = n
		}
	}
	switch {
	case event == "transfer_completed", wt.Status == wazo.TransferStatusBlindTransferred:
		tr.State = TransferHandedOver
	case event == "transfer_cancelled":
		tr.State = TransferCancelled
	case event == "transfer_abandoned":
		tr.State = TransferAbandoned
	case event == "transfer_ended":
		tr.Done = true
		delete(t.byID, wt.ID)
		t.ended[wt.ID] = *tr
		for ch, id := range t.recipients {
			if id == wt.ID {
				delete(t.recipients, ch)
			}
		}
	case wt.Status == wazo.TransferStatusAnswered:
		tr.State = TransferTalking
	}
	out := *tr
	// Published under the lock, so the POST's answer and the events reach
	// subscribers in the order they were applied (Publish never blocks).
	t.hub.Publish(out)
	t.mu.Unlock()
	return out
}

// onCall remembers the connected-line name of the user's channels, and
// names a transfer's target when its recipient channel is one of them.
func (t *Transfers) onCall(name string, c wazo.Call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if name == "call_ended" {
		delete(t.names, c.CallID)
		return
	}
	if c.PeerCallerIDName == "" {
		return
	}
	t.names[c.CallID] = c.PeerCallerIDName
	if tr, ok := t.byID[t.recipients[c.CallID]]; ok && tr.TargetName != c.PeerCallerIDName {
		tr.TargetName = c.PeerCallerIDName
		t.hub.Publish(*tr)
	}
}

// phoneCall finds the phone call whose calld channel is callID.
func (t *Transfers) phoneCall(callID string) string {
	for _, cs := range t.d.line.Phone().Calls() {
		if cs.CallID == callID {
			return cs.ID()
		}
	}
	return ""
}
