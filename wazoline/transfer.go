package wazoline

import (
	"context"
	"fmt"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// Transfer hands call id to target the way the Wazo app does on a Wazo
// line: wazo-calld's blind transfer (POST /users/me/transfers
// {initiator_call, exten, flow: "blind"}, docs/wazo-protocol.md,
// Transfers (calld)). calld dials the target, hangs up the user's channel
// (the BYE that follows ends the call as transferred, phone.HandOver) and
// rings the other party until the target answers. A call whose calld id is
// not known yet goes the plain SIP way (REFER, phone.Phone.Transfer).
// A refusal (an extension the dial plan lacks, a call already being
// transferred) leaves the call as it was.
func (l *Line) Transfer(ctx context.Context, id, target string) error {
	if l.isClosed() {
		return ErrClosed
	}
	to, err := phone.NormalizeNumber(target)
	if err != nil {
		return err
	}
	cs, ok := l.phone.Session(id)
	if !ok || cs.CallID == "" {
		if ok {
			l.log.Info("wazoline: calld does not know the call yet; transferring with REFER", "call", id)
		}
		return l.phone.Transfer(ctx, id, target)
	}
	undo, err := l.phone.HandOver(id, to)
	if err != nil {
		return err
	}
	if _, err := l.client.CreateTransfer(ctx, wazo.TransferRequest{InitiatorCall: cs.CallID, Exten: to, Flow: wazo.TransferBlind}); err != nil {
		undo()
		return fmt.Errorf("transfer to %s failed: %w", to, err)
	}
	return nil
}
