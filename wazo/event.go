package wazo

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parley-voip/parley/wazo/wire"
)

// Event is one websocketd event: the bus message of
// {"op":"event","data":<message>} (docs/wazo-protocol.md, Event websocket). Raw is the whole message
// (name, origin_uuid, timestamp, required_acl, tenant_uuid,
// "user_uuid:<uuid>": true, data); Data is its "data" object. Events with
// unknown names are delivered too.
type Event struct {
	Name       string
	TenantUUID string
	Raw        json.RawMessage
	Data       json.RawMessage
}

func parseEvent(raw json.RawMessage) (Event, error) {
	var m struct {
		Name       string          `json:"name"`
		TenantUUID string          `json:"tenant_uuid"`
		Data       json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Event{}, fmt.Errorf("%w: event: %v", ErrBadResponse, err)
	}
	return Event{Name: m.Name, TenantUUID: m.TenantUUID, Raw: raw, Data: m.Data}, nil
}

// ForUser reports whether the message carries "user_uuid:<uuid>": true
// (or "user_uuid:*").
func (e Event) ForUser(userUUID string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(e.Raw, &m) != nil {
		return false
	}
	return string(m["user_uuid:"+userUUID]) == "true" || string(m["user_uuid:*"]) == "true"
}

// IsTenantEvent reports whether the message names no user (no
// "user_uuid:…" header): a wazo-bus TenantEvent such as
// chatd_presence_updated, meant for every user of the tenant whose token
// grants its required_acl (docs/wazo-protocol.md, wazo-chatd).
func (e Event) IsTenantEvent() bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(e.Raw, &m) != nil {
		return false
	}
	for k := range m {
		if strings.HasPrefix(k, "user_uuid:") {
			return false
		}
	}
	return true
}

// IsCallEvent: call_created/updated/answered/ended carry a Call (docs/wazo-protocol.md, Event websocket).
func (e Event) IsCallEvent() bool {
	switch e.Name {
	case "call_created", "call_updated", "call_answered", "call_ended":
		return true
	}
	return false
}

// Call decodes the Call of call_created/updated/answered/ended.
func (e Event) Call() (Call, error) {
	var c wire.Call
	if err := json.Unmarshal(e.Data, &c); err != nil {
		return Call{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	return callFromWire(c), nil
}

// HoldEvent is call_held / call_resumed data (docs/wazo-protocol.md, Event websocket).
type HoldEvent struct {
	CallID   string `json:"call_id"`
	UserUUID string `json:"user_uuid"`
}

// Hold decodes call_held / call_resumed.
func (e Event) Hold() (HoldEvent, error) {
	var h HoldEvent
	if err := json.Unmarshal(e.Data, &h); err != nil {
		return HoldEvent{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	return h, nil
}

// DTMFEvent is call_dtmf_created data.
type DTMFEvent struct {
	CallID   string `json:"call_id"`
	Digit    string `json:"digit"`
	UserUUID string `json:"user_uuid"`
}

// DTMF decodes call_dtmf_created.
func (e Event) DTMF() (DTMFEvent, error) {
	var d DTMFEvent
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return DTMFEvent{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	return d, nil
}

// ConferenceEvent is conference_adhoc_* data: {conference_id[, call_id]}
// (docs/wazo-protocol.md, Event websocket). CallID is the remote channel that joined/left.
type ConferenceEvent struct {
	ConferenceID string `json:"conference_id"`
	CallID       string `json:"call_id"`
}

// Conference decodes conference_adhoc_created/deleted/participant_joined/
// participant_left.
func (e Event) Conference() (ConferenceEvent, error) {
	var c ConferenceEvent
	if err := json.Unmarshal(e.Data, &c); err != nil {
		return ConferenceEvent{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	return c, nil
}
