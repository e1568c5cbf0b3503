package callmodel

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// event is one published event as a test sees it: what the model passed to
// Publish, with data marshalled at once (a snapshot, as the bus takes it).
type event struct {
	Name        string
	UserUUID    string
	TenantUUID  string
	RequiredACL string
	Data        json.RawMessage
}

// recorder collects published events.
type recorder struct {
	mu     sync.Mutex
	events []event
}

func (r *recorder) publish(name, userUUID, tenantUUID, requiredACL string, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		raw, _ = json.Marshal(err.Error()) // not an object: summarize fails the test
	}
	r.mu.Lock()
	r.events = append(r.events, event{name, userUUID, tenantUUID, requiredACL, raw})
	r.mu.Unlock()
}

func (r *recorder) take() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}

// summary renders events compactly: "<user>:<name>:<key>" where key is the
// call_id (call events) or call_id/conference (conference events).
func summarize(t *testing.T, evs []event, names map[string]string) []string {
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

// newTestModel is a model with the stack's default call id base, publishing
// to rec.
func newTestModel(rec *recorder, hooks ChannelHooks) *Model {
	return New(Config{CallIDBase: 1700000000, DefaultTenant: "tenant", Publish: rec.publish, Hooks: hooks})
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
