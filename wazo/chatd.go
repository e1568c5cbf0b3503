package wazo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const chatdPrefix = "/api/chatd/1.0"

// Presence states a user may set (wazo-chatd plugins/presences/schemas.py).
const (
	PresenceAvailable   = "available"
	PresenceAway        = "away"
	PresenceUnavailable = "unavailable"
	PresenceInvisible   = "invisible"
)

// Line states of a presence (wazo-chatd plugins/presences/api.yml Line).
const (
	LineStateAvailable   = "available"
	LineStateHolding     = "holding"
	LineStateRinging     = "ringing"
	LineStateProgressing = "progressing"
	LineStateTalking     = "talking"
	LineStateUnavailable = "unavailable"
)

// EventPresenceUpdated is chatd's presence event, a tenant event every
// user of the tenant receives (docs/wazo-protocol.md, wazo-chatd).
const EventPresenceUpdated = "chatd_presence_updated"

// ErrInvalidPresence: SetMyPresence got a state chatd does not accept.
var ErrInvalidPresence = errors.New("that presence state is not one of available, away, unavailable or invisible")

// Presence is chatd's Presence object, as GET /users/{uuid}/presences
// returns it and chatd_presence_updated carries it.
type Presence struct {
	UUID         string         `json:"uuid"`
	TenantUUID   string         `json:"tenant_uuid"`
	State        string         `json:"state"`
	Status       *string        `json:"status"`
	DoNotDisturb bool           `json:"do_not_disturb"`
	LastActivity *string        `json:"last_activity"`
	LineState    string         `json:"line_state"`
	Lines        []PresenceLine `json:"lines"`
	Mobile       bool           `json:"mobile"`
	Connected    bool           `json:"connected"`
}

// PresenceLine is one line of a presence.
type PresenceLine struct {
	ID    int    `json:"id"`
	State string `json:"state"`
}

func validPresence(s string) bool {
	switch s {
	case PresenceAvailable, PresenceAway, PresenceUnavailable, PresenceInvisible:
		return true
	}
	return false
}

// Presences lists the presences of the tenant's users (GET
// /users/presences, ACL chatd.users.presences.read); with uuids, only
// theirs (?user_uuid=a,b). chatd does not page this list.
func (c *Client) Presences(ctx context.Context, uuids ...string) ([]Presence, error) {
	var q url.Values
	if len(uuids) > 0 {
		q = url.Values{"user_uuid": {strings.Join(uuids, ",")}}
	}
	var out struct {
		Items []Presence `json:"items"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: chatdPrefix + "/users/presences", query: q, auth: true, out: &out}); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// Presence fetches one user's presence (GET /users/{uuid}/presences, ACL
// chatd.users.{uuid}.presences.read).
func (c *Client) Presence(ctx context.Context, userUUID string) (Presence, error) {
	var p Presence
	_, err := c.do(ctx, request{method: http.MethodGet, path: chatdPrefix + "/users/" + url.PathEscape(userUUID) + "/presences", auth: true, out: &p})
	return p, err
}

// MyPresence fetches the logged-in user's presence. chatd has no
// users/me route (its path takes a uuid): the session's uuid is used.
func (c *Client) MyPresence(ctx context.Context) (Presence, error) {
	s, ok := c.Session()
	if !ok {
		return Presence{}, ErrNotLoggedIn
	}
	return c.Presence(ctx, s.UserUUID)
}

// SetMyPresence sets the logged-in user's state and status text (PUT
// /users/{uuid}/presences, ACL chatd.users.me.presences.update; 204).
// A nil status leaves chatd's stored one. chatd publishes
// chatd_presence_updated. do_not_disturb is read-only there: it follows
// confd's DND service.
func (c *Client) SetMyPresence(ctx context.Context, state string, status *string) error {
	if !validPresence(state) {
		return fmt.Errorf("%w: %q", ErrInvalidPresence, state)
	}
	s, ok := c.Session()
	if !ok {
		return ErrNotLoggedIn
	}
	body := map[string]any{"state": state}
	if status != nil {
		body["status"] = *status
	}
	_, err := c.do(ctx, request{method: http.MethodPut, path: chatdPrefix + "/users/" + url.PathEscape(s.UserUUID) + "/presences", body: body, auth: true})
	return err
}
