package phone

import (
	"context"
	"slices"
	"time"
)

// addCall registers a new call and returns its first snapshot, taken under
// the lock: from here on SetServerCall may change the call concurrently.
func (p *Phone) addCall(c *call) CallSession {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[c.session.SIPCallID] = c
	p.order = append(p.order, c.session.SIPCallID)
	return c.snapshot()
}

// endCall marks the call over, releases its media and emits the final event:
// call_ended when it was established, call_failed when it never was.
func (p *Phone) endCall(id string, code int, why ReasonCode, reason string) {
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
	c.session.EndReason, c.session.EndReasonCode = reason, why
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
	ev := Event{Type: typ, Call: &snap, Code: code, Reason: reason, ReasonCode: why}
	if media != nil && snap.Answered {
		// The call's summary: what the agent's line was like, for the
		// record and for "why was that call bad?" afterwards.
		q := p.quality(c)
		ev.Quality = &q
	}
	if audio != nil {
		_ = audio.Close()
	}
	if media != nil {
		_ = media.Close()
	}
	p.emit(ev)
}

// makeActive gives the microphone and speaker to the call, taking them from
// whichever call had them.
func (p *Phone) makeActive(id string) {
	p.mu.Lock()
	var prevAudio, nextAudio CallAudio
	if prev := p.calls[p.activeID]; prev != nil && p.activeID != id {
		prevAudio = prev.audio
	}
	if next := p.calls[id]; next != nil {
		nextAudio = next.audio
	}
	p.activeID = id
	p.mu.Unlock()
	if prevAudio != nil {
		prevAudio.SetActive(false)
	}
	if nextAudio != nil {
		nextAudio.SetActive(true)
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
