package sipside

import (
	"context"
	"errors"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// errNoSuchExtension: a transfer names an extension the dial plan lacks.
var errNoSuchExtension = errors.New("wazostandin: no such extension")

// transferDialer places the recipients of calld transfers (callmodel
// TransferDialer) on the dial plan's scripted peers, as calld's
// originate_recipient dials Local/{exten}@{context} (wazo-calld
// plugins/transfers/services.py). The recipient channel is the Local
// channel: owned by the initiator (WAZO_USERUUID is copied onto it), its
// caller id the initiator's, its connected line the recipient's
// (stasis.py update_transfer_caller_id).
type transferDialer struct{ x *Side }

func (d transferDialer) Exists(exten string) bool {
	_, ok := d.x.cfg.Extensions[exten]
	return ok
}

func (d transferDialer) DialRecipient(exten string, spec callmodel.ChannelSpec, timeout int) (string, func(), error) {
	x := d.x
	ps, ok := x.cfg.Extensions[exten]
	if !ok {
		return "", nil, errNoSuchExtension
	}
	spec.Status = callmodel.StatusRing
	spec.PeerCallerIDName, spec.PeerCallerIDNumber = ps.Name, exten
	c, err := x.calls.NewChannel(spec)
	if err != nil {
		return "", nil, err
	}
	start := func() {
		x.wg.Add(1)
		go func() {
			defer x.wg.Done()
			x.ringRecipient(c.CallID, exten, ps, timeout)
		}()
	}
	return c.CallID, start, nil
}

// ringRecipient plays the peer's script on a transfer's recipient channel:
// busy hangs up with cause 17, no-answer rings until the timeout (or the
// channel is hung up), the others answer with their media.
func (x *Side) ringRecipient(channelID, exten string, ps PeerSpec, timeout int) {
	m := x.calls
	switch ps.Kind {
	case PeerBusy:
		_ = m.Hangup(channelID, callmodel.CauseUserBusy)
		return
	case PeerNoAnswer:
		if timeout <= 0 {
			return // rings until the transfer is cancelled or the stack closes
		}
		ctx, cancel := context.WithTimeout(x.ctx, time.Duration(timeout)*time.Second)
		defer cancel()
		<-ctx.Done()
		if x.ctx.Err() == nil {
			_ = m.Hangup(channelID, callmodel.CauseNoAnswer)
		}
		return
	}
	p := newPeer(exten, ps)
	p.setChannel(channelID)
	x.addPeer(p)
	if _, err := m.Answer(channelID); err != nil {
		x.stopPeer(channelID) // hung up while ringing
	}
}
