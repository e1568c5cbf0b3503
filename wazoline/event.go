package wazoline

import (
	"encoding/json"
	"strings"

	"github.com/parley-voip/parley/wazo"
)

// Event is one wazo-websocketd event addressed to the logged-in user, passed
// through for packages that need more than the phone's call events (the
// conference package reacts to conference_adhoc_* (docs/wazo-protocol.md, Event websocket and Ad-hoc conferences): the SDK
// itself never re-emits conference_adhoc_created/participant_joined, docs/wazo-protocol.md, Event websocket).
type Event struct {
	// Name is the bus event name (call_updated, conference_adhoc_deleted …).
	Name string
	// ConferenceID and CallID are decoded for conference_adhoc_* events:
	// CallID is the remote channel that joined or left (docs/wazo-protocol.md, Event websocket).
	ConferenceID string
	CallID       string
	// Data is the event's data object; Raw the whole bus message (docs/wazo-protocol.md, Event websocket).
	Data json.RawMessage
	Raw  json.RawMessage
}

// EventResynced is a Line's own event, not the server's: the event socket
// reconnected and the calls were re-read. Events sent while it was down
// are lost, so a subscriber keeping other state from events refetches it.
const EventResynced = "wazoline_resynced"

// IsConference reports whether the event is one of conference_adhoc_*.
func (e Event) IsConference() bool { return strings.HasPrefix(e.Name, "conference_adhoc_") }

func newEvent(ev wazo.Event) Event {
	out := Event{Name: ev.Name, Data: ev.Data, Raw: ev.Raw}
	if out.IsConference() {
		if ce, err := ev.Conference(); err == nil {
			out.ConferenceID, out.CallID = ce.ConferenceID, ce.CallID
		}
	}
	return out
}
