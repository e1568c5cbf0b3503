package conference

import (
	"context"

	"github.com/parley-voip/parley/phone"
)

// Backend makes ad-hoc conferences on one line. The GUI and headless mode
// only ever use this interface: a Wazo line gets the calld backend
// (NewWazo), a plain SIP line the local mixing backend (NewLocal).
type Backend interface {
	// Start makes a conference hosted on host (the call the agent is on)
	// with the parties of others. others must not be empty; with the usual
	// two calls it is the one other call (the "merge" button).
	Start(ctx context.Context, host phone.CallSession, others []phone.CallSession) (*Conference, error)
	// Conference returns a conference by id, live or finished.
	Conference(id string) (*Conference, bool)
	// Conferences returns the live conferences, oldest first.
	Conferences() []*Conference
	// ConferenceOf returns the live conference whose host leg is sipCallID.
	ConferenceOf(sipCallID string) (*Conference, bool)
	// MergedInto reports whether the dialog sipCallID was (or is being)
	// folded into a conference, and which one ("" while the server has not
	// answered yet). Front ends ask it on call_ended: a merged dialog's end
	// is not the end of a conversation.
	MergedInto(sipCallID string) (conferenceID string, merged bool)
	// Subscribe returns every conference event from now on, in order, and a
	// function that ends the subscription. It never blocks the backend.
	Subscribe() (<-chan Event, func())
	// Close stops the backend's goroutines and ends subscriptions. It does
	// not hang conferences up (closing the line does).
	Close() error
}
