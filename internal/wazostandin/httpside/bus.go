package httpside

import (
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// BusEvent is one wazo-bus message as websocketd delivers it in
// {"op":"event","data":<Message>} (docs/wazo-protocol.md, Event websocket). Data and Message are marshalled
// when the event is published, so they are snapshots.
type BusEvent struct {
	Name        string
	UserUUID    string // target user (header "user_uuid:<uuid>": true)
	TenantUUID  string
	RequiredACL string
	Timestamp   time.Time
	Data        json.RawMessage // the event's data object
	Message     json.RawMessage // full envelope: headers merged with data
}

// Bus is the stand-in's wazo-bus: it fans events out to websocket
// sessions, the SIP side's mixer and test listeners. The call model
// publishes while holding its lock so that every subscriber sees events in
// model order; subscribers must therefore only queue or record and never
// call back into the stack.
type Bus struct {
	now       func() time.Time
	stackUUID string
	log       *slog.Logger

	mu   sync.Mutex
	next int
	subs map[int]busSub
}

type busSub struct {
	userUUID string // "" = every event
	fn       func(BusEvent)
}

// NewBus makes a bus stamping events with now and origin stackUUID.
func NewBus(now func() time.Time, stackUUID string, log *slog.Logger) *Bus {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Bus{now: now, stackUUID: stackUUID, log: log, subs: map[int]busSub{}}
}

// Subscribe registers fn for the events targeted at userUUID ("" = all
// events). fn runs synchronously while the call model holds its lock: it
// must only record or queue the event, never call back into the stack.
// The returned func unsubscribes.
func (b *Bus) Subscribe(userUUID string, fn func(BusEvent)) (cancel func()) {
	b.mu.Lock()
	b.next++
	id := b.next
	b.subs[id] = busSub{userUUID, fn}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

// Publish builds the envelope of docs/wazo-protocol.md, Event websocket (BUS mixins.py: headers merged with
// data) and delivers it synchronously to matching subscribers.
func (b *Bus) Publish(name, userUUID, tenantUUID, requiredACL string, data any) {
	now := b.now()
	raw, err := json.Marshal(data)
	if err != nil {
		b.log.Error("wazostandin: cannot marshal event", "name", name, "err", err)
		return
	}
	env := map[string]any{
		"name":            name,
		"origin_uuid":     b.stackUUID,
		"timestamp":       now.UTC().Format("2006-01-02T15:04:05.000000+00:00"),
		"required_acl":    requiredACL,
		"required_access": "event." + name,
		"tenant_uuid":     tenantUUID,
		"data":            json.RawMessage(raw),
	}
	if userUUID != "" {
		env["user_uuid:"+userUUID] = true
	}
	msg, err := json.Marshal(env)
	if err != nil {
		return
	}
	ev := BusEvent{Name: name, UserUUID: userUUID, TenantUUID: tenantUUID, RequiredACL: requiredACL,
		Timestamp: now, Data: raw, Message: msg}
	b.mu.Lock()
	ids := make([]int, 0, len(b.subs))
	for id, sub := range b.subs {
		// An event without a user target is a tenant event (wazo-bus
		// TenantEvent, e.g. chatd_presence_updated): every subscriber gets
		// it and websocketd filters by tenant and required ACL.
		if sub.userUUID == "" || sub.userUUID == userUUID || userUUID == "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // subscription order, deterministic
	fns := make([]func(BusEvent), 0, len(ids))
	for _, id := range ids {
		fns = append(fns, b.subs[id].fn)
	}
	b.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}
