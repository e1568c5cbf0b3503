package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parley-voip/parley/phone"
)

// Errors of recording control. The server's own refusals (the user may not
// record, the call is not recorded) come wrapped as they are, in words.
var (
	// ErrRecordingUnknownCall: the call is not one of the line's, or the
	// server has not identified it yet (no calld call id).
	ErrRecordingUnknownCall = errors.New("the server does not know this call yet")
	// ErrNotRecording: pause or resume asked on a call that is not recorded.
	ErrNotRecording = errors.New("this call is not being recorded")
)

// RecordingTimeout bounds one recording request.
const RecordingTimeout = 10 * time.Second

// Recording controls the server-side recording of the line's calls
// (wazo-calld PUT /users/me/calls/{id}/record/{start,stop,pause,resume},
// docs/wazo-protocol.md, Call recording). The state is not kept here: it
// arrives on the call itself, CallSession.Recording and RecordingPaused,
// from the server's record_state.
type Recording struct {
	d       *Desk
	timeout time.Duration
}

// Recording returns the recording control.
func (d *Desk) Recording() *Recording { return &Recording{d: d, timeout: RecordingTimeout} }

// session finds a call by its id (the SIP Call-ID the front ends use) or
// by its calld call id.
func (r *Recording) session(id string) (phone.CallSession, error) {
	api := r.d.line.API()
	if cs, ok := api.Session(id); ok {
		return cs, nil
	}
	for _, cs := range api.Calls() {
		if cs.CallID == id {
			return cs, nil
		}
	}
	return phone.CallSession{}, fmt.Errorf("%w: %q", ErrRecordingUnknownCall, id)
}

func (r *Recording) run(ctx context.Context, what, id string, op func(context.Context, string) error) error {
	cs, err := r.session(id)
	if err == nil && cs.CallID == "" {
		err = fmt.Errorf("%w: %q", ErrRecordingUnknownCall, id)
	}
	if err != nil {
		return fmt.Errorf("could not %s: %w", what, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := op(ctx, cs.CallID); err != nil {
		return fmt.Errorf("could not %s: %w", what, err)
	}
	return nil
}

// Start starts recording the call (nothing happens if it already is).
func (r *Recording) Start(ctx context.Context, id string) error {
	return r.run(ctx, "start recording", id, r.d.client.StartRecording)
}

// Stop stops recording the call (nothing happens if it is not recorded).
func (r *Recording) Stop(ctx context.Context, id string) error {
	return r.run(ctx, "stop recording", id, r.d.client.StopRecording)
}

// Pause pauses the recording, e.g. while a customer reads out a card
// number.
func (r *Recording) Pause(ctx context.Context, id string) error {
	return r.run(ctx, "pause recording", id, r.d.client.PauseRecording)
}

// Resume resumes a paused recording.
func (r *Recording) Resume(ctx context.Context, id string) error {
	return r.run(ctx, "resume recording", id, r.d.client.ResumeRecording)
}

// TogglePause pauses a running recording or resumes a paused one, as the
// call's state says; it returns whether the recording is now paused (as
// asked: the call's flags change when the server confirms).
func (r *Recording) TogglePause(ctx context.Context, id string) (paused bool, err error) {
	cs, err := r.session(id)
	if err != nil {
		return false, fmt.Errorf("could not pause recording: %w", err)
	}
	switch {
	case cs.RecordingPaused:
		return false, r.Resume(ctx, id)
	case cs.Recording:
		return true, r.Pause(ctx, id)
	}
	return false, fmt.Errorf("could not pause recording: %w", ErrNotRecording)
}

// ActiveCall is the line's active call, the one recording commands act on
// when none is named.
func (r *Recording) ActiveCall() (phone.CallSession, bool) { return r.d.line.API().ActiveCall() }
