package wazo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/parley-voip/parley/wazo/wire"
)

const calldPrefix = "/api/calld/1.0/users/me"

func (c *Client) calld(ctx context.Context, method, path string, query url.Values, body, out any) error {
	_, err := c.do(ctx, request{method: method, path: calldPrefix + path, query: query, body: body, out: out, auth: true})
	return err
}

func callPath(id, suffix string) string { return "/calls/" + url.PathEscape(id) + suffix }

// Calls lists the user's live calls (GET /users/me/calls, docs/wazo-protocol.md, Calls API). The Wazo
// line calls it after every event-socket reconnect to resync.
func (c *Client) Calls(ctx context.Context) ([]Call, error) {
	var out struct {
		Items []wire.Call `json:"items"`
	}
	if err := c.calld(ctx, http.MethodGet, "/calls", nil, nil, &out); err != nil {
		return nil, err
	}
	calls := make([]Call, len(out.Items))
	for i, w := range out.Items {
		calls[i] = callFromWire(w)
	}
	return calls, nil
}

// Hangup hangs up one of the user's calls (DELETE /users/me/calls/{id}).
func (c *Client) Hangup(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodDelete, callPath(callID, ""), nil, nil, nil)
}

// Mute / Unmute: PUT …/mute/start|stop (the SDK's Phone.mute, docs/wazo-protocol.md, Calls API).
func (c *Client) Mute(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/mute/start"), nil, nil, nil)
}

// Unmute is PUT …/mute/stop.
func (c *Client) Unmute(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/mute/stop"), nil, nil, nil)
}

// Hold is PUT …/hold/start. A WebRTC phone normally holds with a SIP
// re-INVITE instead (docs/wazo-protocol.md, Calls API).
func (c *Client) Hold(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/hold/start"), nil, nil, nil)
}

// Resume is PUT …/hold/stop.
func (c *Client) Resume(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/hold/stop"), nil, nil, nil)
}

// Answer is PUT …/answer.
func (c *Client) Answer(ctx context.Context, callID string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/answer"), nil, nil, nil)
}

// SendDTMF is PUT …/dtmf?digits= (digits in [0-9*#]).
func (c *Client) SendDTMF(ctx context.Context, callID, digits string) error {
	return c.calld(ctx, http.MethodPut, callPath(callID, "/dtmf"), url.Values{"digits": {digits}}, nil, nil)
}

// CreateAdhocConference is POST /users/me/conferences/adhoc (docs/wazo-protocol.md, Ad-hoc conferences).
// hostCallID is the user's own leg; participantCallIDs are the remote
// channels (talking_to ids of the user's legs). Returns the conference_id
// from the 201 JSON body.
func (c *Client) CreateAdhocConference(ctx context.Context, hostCallID string, participantCallIDs []string) (string, error) {
	if participantCallIDs == nil {
		participantCallIDs = []string{}
	}
	var out struct {
		ConferenceID string `json:"conference_id"`
	}
	err := c.calld(ctx, http.MethodPost, "/conferences/adhoc", nil,
		map[string]any{"host_call_id": hostCallID, "participant_call_ids": participantCallIDs}, &out)
	if err != nil {
		return "", err
	}
	if out.ConferenceID == "" {
		return "", fmt.Errorf("%w: conference created without conference_id", ErrBadResponse)
	}
	return out.ConferenceID, nil
}

// AddAdhocParticipant is PUT …/adhoc/{conference_id}/participants/{call_id}.
func (c *Client) AddAdhocParticipant(ctx context.Context, conferenceID, callID string) error {
	return c.calld(ctx, http.MethodPut, "/conferences/adhoc/"+url.PathEscape(conferenceID)+"/participants/"+url.PathEscape(callID), nil, nil, nil)
}

// RemoveAdhocParticipant is DELETE …/participants/{call_id}; calld hangs
// that party up (docs/wazo-protocol.md, Ad-hoc conferences).
func (c *Client) RemoveAdhocParticipant(ctx context.Context, conferenceID, callID string) error {
	return c.calld(ctx, http.MethodDelete, "/conferences/adhoc/"+url.PathEscape(conferenceID)+"/participants/"+url.PathEscape(callID), nil, nil, nil)
}

// DeleteAdhocConference is DELETE …/adhoc/{conference_id}: everybody,
// the host included, is hung up (docs/wazo-protocol.md, Ad-hoc conferences).
func (c *Client) DeleteAdhocConference(ctx context.Context, conferenceID string) error {
	return c.calld(ctx, http.MethodDelete, "/conferences/adhoc/"+url.PathEscape(conferenceID), nil, nil, nil)
}
