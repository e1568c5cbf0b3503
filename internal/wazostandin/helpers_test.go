package wazostandin

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// recorder collects bus events as "user-name:name {data fields}" lines.
type recorder struct {
	mu     sync.Mutex
	events []BusEvent
}

func (r *recorder) add(ev BusEvent) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) take() []BusEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}

// summary renders events compactly: "<user>:<name>:<key>" where key is the
// call_id (call events) or call_id/conference (conference events).
func summarize(t *testing.T, evs []BusEvent, names map[string]string) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		var d map[string]any
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatalf("event %s data: %v", ev.Name, err)
		}
		key := ""
		if id, ok := d["call_id"].(string); ok {
			key = names[id]
			if key == "" {
				key = id
			}
		}
		out = append(out, fmt.Sprintf("%s:%s:%s", names[ev.UserUUID], ev.Name, key))
	}
	return out
}

type hookRecorder struct {
	mu      sync.Mutex
	hangups []string
}

func (h *hookRecorder) hooks() HookFuncs {
	return HookFuncs{OnHangup: func(c Call, cause int) {
		h.mu.Lock()
		h.hangups = append(h.hangups, c.CallID)
		h.mu.Unlock()
	}}
}

func (h *hookRecorder) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	x := h.hangups
	h.hangups = nil
	return x
}
