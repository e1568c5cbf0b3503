package phone

import (
	"context"
	"slices"
	"time"
)

// addCall registers a new call. Caller holds no lock.
func (p *Phone) addCall(c *call) {
	p.mu.Lock()
	p.calls[c.session.SIPCallID] = c
	p.order = append(p.order, c.session.SIPCallID)
	p.mu.Unlock()
}

// endCall marks the call over, releases its media and emits the final event:
// call_ended when it was established, call_failed when it never was.
func (p *Phone) endCall(id string, code int, reason string) {
	p.mu.Lock()
	c, ok := p.calls[id]
	if !ok || c.ended {
		p.mu.Unlock()
		return
	}
	c.ended = true
	now := time.Now()
	c.session.EndTime = now
	c.session.Ringing = false
	c.session.EndReason = reason
	if code != 0 {
		c.session.SIPStatus = code
	}
	typ := EventCallFailed
	c.session.Status = StatusFailed
	if c.session.Answered {
		typ = EventCallEnded
		c.session.Status = StatusEnded
	}
	snap := c.snapshot()
	delete(p.calls, id)
	p.order = slices.DeleteFunc(p.order, func(s string) bool { return s == id })
	wasActive := p.activeID == id
	if wasActive {
		p.activeID = ""
	}
	audio, media := c.audio, c.media
	p.mu.Unlock()

	c.finish()
	if audio != nil {
		_ = audio.Close()
	}
	if media != nil {
		_ = media.Close()
	}
	p.emit(Event{Type: typ, Call: &snap, Code: code, Reason: reason})
}

// makeActive gives the microphone and speaker to the call, taking them from
// whichever call had them.
func (p *Phone) makeActive(id string) {
	p.mu.Lock()
	prev := p.calls[p.activeID]
	p.activeID = id
	next := p.calls[id]
	p.mu.Unlock()
	if prev != nil && prev != next && prev.audio != nil {
		prev.audio.SetActive(false)
	}
	if next != nil && next.audio != nil {
		next.audio.SetActive(true)
	}
}

// holdOthers puts every established call other than keep on hold, as the SDK
// does before accepting or placing a second call.
func (p *Phone) holdOthers(ctx context.Context, keep string) {
	p.mu.Lock()
	var ids []string
	for _, id := range p.order {
		c := p.calls[id]
		if id != keep && c.session.Status == StatusEstablished {
			ids = append(ids, id)
		}
	}
	p.mu.Unlock()
	for _, id := range ids {
		if err := p.Hold(ctx, id); err != nil {
			p.log.Warn("could not hold the previous call", "call", id, "err", err)
		}
	}
}
