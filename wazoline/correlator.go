package wazoline

import (
	"log/slog"
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// correlator matches calld's view of the user's channels to the engine's
// SIP dialogs (docs/wazo-protocol.md, Correlating SIP and calld): a call event is applied to the CallSession whose SIP
// Call-ID equals data.sip_call_id, never by guessing from caller ids
// (calld PR #12, docs/wazo-protocol.md, Correlating SIP and calld). It is not safe for concurrent use: the line drives it
// from a single goroutine so events are applied in order.
//
// Orders it copes with:
//   - a call event before the SIP INVITE it describes (the bus and the SIP
//     websocket race): the event waits, up to ttl, for the call to appear;
//   - a stale call_created/updated after call_ended of the same channel, or a
//     call_ended for an older channel of the same dialog: ignored, so a newer
//     channel's data is never cleared;
//   - call_held/call_resumed, which carry only call_id (docs/wazo-protocol.md, Event websocket): mapped back
//     to the dialog through the call_id learned from call events or from the
//     X-Wazo-Call-ID header.
type correlator struct {
	set func(sipCallID string, sc phone.ServerCall) bool
	// eager applies data to dialogs the engine has not announced yet. The
	// line leaves it off: the engine snapshots a new call for its
	// call_incoming/call_outgoing event without holding its lock, so
	// SetServerCall must wait until that event has been seen. Tests of the
	// event path without a SIP side turn it on.
	eager bool
	now   func() time.Time
	ttl   time.Duration
	log   *slog.Logger

	bySIP    map[string]*tracked  // sip_call_id → what we know
	byCallID map[string]string    // calld call_id → sip_call_id
	ended    map[string]time.Time // calld call_ids seen in call_ended → forget after
	gone     map[string]time.Time // sip_call_ids the engine has finished → forget after
}

// tracked is the server-side state of one SIP dialog.
type tracked struct {
	sc      phone.ServerCall // latest calld Call for the dialog
	has     bool             // sc holds data
	known   bool             // the engine has the call
	applied bool             // the engine accepted the latest sc
	expires time.Time        // while !known: when to give up waiting
}

func newCorrelator(set func(string, phone.ServerCall) bool, ttl time.Duration, now func() time.Time, log *slog.Logger) *correlator {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &correlator{
		set: set, now: now, ttl: ttl, log: log,
		bySIP: map[string]*tracked{}, byCallID: map[string]string{},
		ended: map[string]time.Time{}, gone: map[string]time.Time{},
	}
}

// callEvent handles call_created / call_answered / call_updated /
// call_ended for the user's own channel (docs/wazo-protocol.md, Event websocket).
func (c *correlator) callEvent(name string, call wazo.Call) {
	sip := call.SIPCallID
	if sip == "" {
		// Non-SIP channel (docs/wazo-protocol.md, Call object: sip_call_id may be null): nothing of ours.
		return
	}
	if _, dead := c.ended[call.CallID]; dead {
		c.log.Debug("wazoline: event for an ended channel ignored", "event", name, "call_id", call.CallID)
		return
	}
	if name == "call_ended" {
		c.channelEnded(call)
		return
	}
	if _, over := c.gone[sip]; over {
		return // the dialog is over on our side; late news
	}
	t := c.bySIP[sip]
	if t == nil {
		t = &tracked{expires: c.now().Add(c.ttl)}
		c.bySIP[sip] = t
	}
	if name == "call_created" && t.has && t.sc.CallID == call.CallID {
		// call_created is a channel's first event; seeing it after newer
		// data for the same channel means it was delayed. Keep the newer.
		return
	}
	if t.has && t.sc.CallID != call.CallID && c.byCallID[t.sc.CallID] == sip {
		delete(c.byCallID, t.sc.CallID) // the dialog moved to a new channel
	}
	t.sc, t.has, t.applied = toServerCall(call), true, false
	c.byCallID[call.CallID] = sip
	c.apply(sip, t)
}

// channelEnded handles call_ended (ARI ChannelDestroyed, docs/wazo-protocol.md, Event websocket): the final
// Call is applied only when it is the dialog's current channel, so a late
// call_ended for an older channel never clears a newer one.
func (c *correlator) channelEnded(call wazo.Call) {
	c.ended[call.CallID] = c.now().Add(c.ttl)
	sip := call.SIPCallID
	if c.byCallID[call.CallID] == sip {
		delete(c.byCallID, call.CallID)
	}
	t := c.bySIP[sip]
	if t == nil {
		return
	}
	if t.has && t.sc.CallID != call.CallID {
		return // an older channel of this dialog; the newer one stays
	}
	if !t.known {
		// The dialog never reached the engine (or is already gone): there
		// is nothing left to update.
		delete(c.bySIP, sip)
		return
	}
	sc := toServerCall(call)
	// calld builds call_ended from the dead channel with caller and
	// connected party the other way round from the live events (wazo-calld
	// plugins/calls/services.py channel_destroyed_event): swap them back so
	// the call's last ServerCall names the same parties as before.
	sc.CallerIDName, sc.PeerCallerIDName = sc.PeerCallerIDName, sc.CallerIDName
	sc.CallerIDNumber, sc.PeerCallerIDNumber = sc.PeerCallerIDNumber, sc.CallerIDNumber
	t.sc, t.has, t.applied = sc, true, false
	c.apply(sip, t)
}

// hold handles call_held / call_resumed {call_id, user_uuid} (docs/wazo-protocol.md, Event websocket), which
// have no sip_call_id: the dialog is found through the call_id.
func (c *correlator) hold(callID string, onHold bool) {
	sip, ok := c.byCallID[callID]
	if !ok {
		c.log.Debug("wazoline: hold event for an unknown channel", "call_id", callID)
		return
	}
	t := c.bySIP[sip]
	if t == nil {
		return
	}
	if !t.has {
		// Only the X-Wazo-Call-ID header told us the call_id so far.
		t.sc = phone.ServerCall{CallID: callID, SIPCallID: &sip}
		t.has = true
	} else {
		t.sc = cloneServerCall(t.sc)
	}
	t.sc.OnHold, t.applied = onHold, false
	c.apply(sip, t)
}

// appeared tells the correlator the engine has a call (call_incoming,
// call_outgoing, or any later event carrying it). callID is the calld id the
// engine learned from X-Wazo-Call-ID, if any (docs/wazo-protocol.md, Correlating SIP and calld).
func (c *correlator) appeared(sip, callID string) {
	if _, over := c.gone[sip]; over {
		return
	}
	t := c.bySIP[sip]
	if t == nil {
		t = &tracked{}
		c.bySIP[sip] = t
	}
	t.known = true
	if callID != "" {
		if _, dead := c.ended[callID]; !dead {
			if _, mapped := c.byCallID[callID]; !mapped {
				c.byCallID[callID] = sip
			}
		}
	}
	if t.has && !t.applied {
		c.apply(sip, t)
	}
}

// finished tells the correlator the engine's call is over (call_ended or
// call_failed): later server events about it are dropped, not buffered.
func (c *correlator) finished(sip string) {
	delete(c.bySIP, sip)
	for id, s := range c.byCallID {
		if s == sip {
			delete(c.byCallID, id)
		}
	}
	c.gone[sip] = c.now().Add(c.ttl)
}

// resync applies GET /users/me/calls after an event-socket reconnect
// (docs/wazo-protocol.md, Event websocket): events published while the socket was down were dropped by
// websocketd, and the REST answer is the current truth for every live
// channel.
func (c *correlator) resync(calls []wazo.Call) {
	for _, call := range calls {
		if call.SIPCallID == "" {
			continue
		}
		c.callEvent("call_updated", call)
	}
}

// expire forgets events that waited too long for their call and old
// tombstones.
func (c *correlator) expire() {
	now := c.now()
	for sip, t := range c.bySIP {
		if !t.known && now.After(t.expires) {
			delete(c.bySIP, sip)
			if t.has && c.byCallID[t.sc.CallID] == sip {
				delete(c.byCallID, t.sc.CallID)
			}
		}
	}
	for id, at := range c.ended {
		if now.After(at) {
			delete(c.ended, id)
		}
	}
	for sip, at := range c.gone {
		if now.After(at) {
			delete(c.gone, sip)
		}
	}
}

// pending reports how many dialogs have server data waiting for their call
// (for tests and debug logs).
func (c *correlator) pending() int {
	n := 0
	for _, t := range c.bySIP {
		if t.has && !t.applied {
			n++
		}
	}
	return n
}

func (c *correlator) apply(sip string, t *tracked) {
	if !t.known && !c.eager {
		if t.expires.IsZero() {
			t.expires = c.now().Add(c.ttl)
		}
		return // wait for appeared()
	}
	if c.set(sip, cloneServerCall(t.sc)) {
		t.applied, t.known = true, true
		return
	}
	if t.known {
		// The engine dropped the call before telling us; finished() will
		// follow. Nothing to keep.
		t.applied = true
		return
	}
	if t.expires.IsZero() {
		t.expires = c.now().Add(c.ttl)
	}
}
