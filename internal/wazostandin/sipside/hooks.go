package sipside

import (
	"context"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// sideHooks receives the model's "hang this channel up" requests (docs/wazo-protocol.md, Ad-hoc conferences).
type sideHooks struct {
	x    *Side
	next callmodel.ChannelHooks
}

func (h sideHooks) HangupChannel(c callmodel.Call, cause int) {
	x := h.x
	x.mu.Lock()
	l := x.byChannel[c.CallID]
	x.mu.Unlock()
	if l != nil {
		// BYE (or CANCEL / final error) on that SIP dialog, off the caller's
		// goroutine: a gone client must not stall a calld request.
		x.wg.Add(1)
		go func() {
			defer x.wg.Done()
			ctx, cancel := context.WithTimeout(x.ctx, 10*time.Second)
			defer cancel()
			l.hangup(ctx)
			x.releaseLeg(l)
			x.settlePeer(l.peer.ChannelID(), cause)
		}()
	} else {
		x.stopPeer(c.CallID)
	}
	if h.next != nil {
		h.next.HangupChannel(c, cause)
	}
}

func (h sideHooks) AnswerChannel(c callmodel.Call) {
	if h.next != nil {
		h.next.AnswerChannel(c)
	}
}

func (h sideHooks) HoldChannel(c callmodel.Call, hold bool) {
	if h.next != nil {
		h.next.HoldChannel(c, hold)
	}
}

func (h sideHooks) SendDTMF(c callmodel.Call, digits string) {
	x := h.x
	x.mu.Lock()
	l := x.byChannel[c.CallID]
	x.mu.Unlock()
	if l != nil {
		// RFC 4733 towards the user (the calld dtmf route plays digits on
		// the channel), one digit at a time, off the caller's goroutine.
		x.wg.Add(1)
		go func() {
			defer x.wg.Done()
			for _, d := range digits {
				if err := l.media.SendDTMF(d, 0); err != nil {
					return
				}
			}
		}()
	}
	if h.next != nil {
		h.next.SendDTMF(c, digits)
	}
}
