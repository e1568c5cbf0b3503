package phone

import "context"

// API is what the GUI and headless mode need from a phone. *Phone implements
// it; phonetest.Engine is a scriptable double for tests without sockets.
type API interface {
	// Subscribe returns a channel of every event from now on, in order, and a
	// function that ends the subscription. The queue behind the channel grows
	// as needed, so a slow reader never blocks the engine and loses nothing.
	Subscribe() (<-chan Event, func())
	Registration() Registration
	// Calls returns every call that is not over: the active one and the
	// available ones (ringing, held), oldest first.
	Calls() []CallSession
	// ActiveCall is the call the microphone and speaker belong to.
	ActiveCall() (CallSession, bool)
	Session(id string) (CallSession, bool)

	Call(ctx context.Context, number string) (CallSession, error)
	Accept(ctx context.Context, id string) error
	Reject(ctx context.Context, id string) error
	Hangup(ctx context.Context, id string) error
	Hold(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	Mute(ctx context.Context, id string) error
	Unmute(ctx context.Context, id string) error
	SendDTMF(ctx context.Context, id, digits string) error
	Transfer(ctx context.Context, id, target string) error
	AttendedTransfer(ctx context.Context, id, targetID string) error
}
