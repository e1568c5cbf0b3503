package callmodel

import "time"

// Publish hands one calld event to whoever delivers events (the stack's
// wazo-bus stand-in): its name, the user it is for ("" for none), that
// user's tenant, the ACL a websocket needs to receive it, and the data
// object. The model calls it while holding its lock, so that events leave
// in model order; an implementation must only record or queue, never call
// back into the model.
type Publish func(name, userUUID, tenantUUID, requiredACL string, data any)

// Config is what a Model needs from the rest of the stack. The model knows
// nothing of HTTP, websockets or SIP: events leave through Publish and
// "hang this leg up" requests through Hooks.
type Config struct {
	// CallIDBase is the seconds part of generated call ids
	// ("<base>.<seq>", like Asterisk uniqueids, docs/wazo-protocol.md, Call object).
	CallIDBase int64
	// Now stamps creation, answer and hangup times (default time.Now).
	Now func() time.Time
	// DefaultTenant is the tenant of channels whose owner is unknown.
	DefaultTenant string
	// TenantOf returns the tenant of a user, false when there is no such
	// user (then DefaultTenant applies).
	TenantOf func(userUUID string) (string, bool)
	// RecordToggle reports whether a user may start, stop, pause and
	// resume the recording of their calls (confd's online_call_record_enabled,
	// which becomes WAZO_USER_DTMF_RECORD_TOGGLE_ENABLED on the channel;
	// wazo-calld plugins/calls/services.py _toggle_record_allowed). Default:
	// nobody may (recording-unauthorized), as on a fresh Wazo user.
	RecordToggle func(userUUID string) bool
	// Publish delivers events (default: dropped).
	Publish Publish
	// Hooks receive the model's requests to the SIP side; SetHooks
	// replaces them.
	Hooks ChannelHooks
	// Changed, when set, runs after every change of the model, outside its
	// lock (also for channels no user owns, which publish no event): the
	// chatd stand-in recomputes line states from it.
	Changed func()
}
