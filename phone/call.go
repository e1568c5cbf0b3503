package phone

import (
	"context"
	"sync"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/sipua"
)

// call is the engine's private state for one call. Its fields are guarded by
// Phone.mu; the SIP and media objects are safe to use without it.
type call struct {
	session CallSession

	incoming *sipua.Incoming // set while an incoming call rings
	// answering is set while Accept is under way (media, 200, wait for the
	// ACK), so Hangup can end the call at that stage too.
	answering *sipua.Incoming
	dialog    *sipua.Dialog // set once established
	media     rtc.CallMedia // *rtc.Session (WebRTC) or *rtpmedia.Session (classic); never changes path
	audio     CallAudio

	cancelDial context.CancelFunc // stops an outgoing INVITE (CANCEL)
	// replacing: an attended transfer is handing this call's party to the
	// call being transferred (RFC 3891 Replaces), so the server's BYE that
	// follows is the transfer completing, not the party hanging up.
	// Guarded by Phone.mu.
	replacing bool
	// handedTo: the server is transferring this call to that number
	// (HandOver), so its BYE is the transfer done. Guarded by Phone.mu.
	handedTo string
	reinvite sync.Mutex // one re-INVITE at a time (RFC 3261 §14.1)
	// earlySDP is the provisional answer applied as early media (RFC 3960;
	// earlymedia.go), nil when none was. Guarded by Phone.mu.
	earlySDP []byte
	// audioMu orders applying the call's state (mute, hold, active) to its
	// audio between the goroutine that opens it and the 200 that unmutes an
	// early-media call.
	audioMu  sync.Mutex
	ended    bool
	stop     chan struct{} // closed when the call is over; stops its goroutines
	stopOnce sync.Once
}

func (c *call) finish() { c.stopOnce.Do(func() { close(c.stop) }) }

func (c *call) snapshot() CallSession {
	s := c.session
	s.Call = c.session.Call.clone()
	return s
}
