package wazo

import (
	"context"
	"net/http"
)

// Call recording control (wazo-calld plugins/calls/http.py
// MyCallRecord{Start,Stop,Pause,Resume}Resource; the SDK's
// calld.startRecording …, src/api/calld.ts). Each answers 204; the new
// state arrives as call_updated (record_state) and recording_* events
// (docs/wazo-protocol.md, Call recording).

// Record states of the Call object.
const (
	RecordInactive = "inactive"
	RecordActive   = "active"
	RecordPaused   = "paused"
)

// StartRecording is PUT /users/me/calls/{id}/record/start. It does nothing
// on a call already recorded; without the user's permission it fails with
// ErrRecordingUnauthorized.
func (c *Client) StartRecording(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/record/start"), nil, nil, nil)
}

// StopRecording is PUT …/record/stop (nothing to do when not recording).
func (c *Client) StopRecording(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/record/stop"), nil, nil, nil)
}

// PauseRecording is PUT …/record/pause; ErrRecordingNotStarted when the
// call is not recorded.
func (c *Client) PauseRecording(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/record/pause"), nil, nil, nil)
}

// ResumeRecording is PUT …/record/resume; ErrRecordingNotStarted when the
// call is not recorded.
func (c *Client) ResumeRecording(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/record/resume"), nil, nil, nil)
}

// RecordingEvent is recording_started/stopped/paused/resumed data
// {"call_id"} (wazo-bus resources/calls/event.py CallRecord*Event).
type RecordingEvent struct {
	CallID string `json:"call_id"`
}

// IsRecordingEvent reports the recording_* events.
func (e Event) IsRecordingEvent() bool {
	switch e.Name {
	case "recording_started", "recording_stopped", "recording_paused", "recording_resumed":
		return true
	}
	return false
}
