package audio

import "slices"

// confMix is one local conference as the audio thread sees it: the member
// pipelines and the buffers the mix-minus needs, all allocated when the
// membership changes so that the device callback only copies and adds.
// A new membership is a new confMix swapped in atomically (double
// buffering): the callback uses whichever snapshot it loaded, never a
// half-updated one.
type confMix struct {
	members []*Pipeline
	recv    [][]int16 // one period of each member's decoded audio
	sum     []int32   // host microphone + every member, before clipping
	send    []int16   // one member's mix-minus
}

func newConfMix(members []*Pipeline) *confMix {
	c := &confMix{
		members: members,
		recv:    make([][]int16, len(members)),
		sum:     make([]int32, FrameSamples),
		send:    make([]int16, FrameSamples),
	}
	for i := range c.recv {
		c.recv[i] = make([]int16, FrameSamples)
	}
	return c
}

// has reports whether p is a member (a linear scan: a handful of members).
func (c *confMix) has(p *Pipeline) bool {
	return slices.Contains(c.members, p)
}

// process runs one device period of the conference on the audio thread.
// The host hears every member; each member is sent the host's microphone
// plus every other member but never itself (mix-minus), so nobody hears
// their own voice come back delayed. A member with nothing decoded (a
// stalled leg) counts as silence and never holds the others up. The
// microphone is left out of every leg when any member call is muted: mute
// is the agent's, whatever call the front end pressed it on.
func (c *confMix) process(out, in []int16, n int) {
	sum := c.sum[:n]
	clear(sum)
	for i, p := range c.members {
		r := c.recv[i][:n]
		if p.closing.Load() {
			clear(r)
			continue
		}
		got := p.playRing.Read(r)
		if got < n {
			p.underran(n - got)
			clear(r[got:])
		}
		for k, v := range r {
			sum[k] += int32(v)
		}
	}
	if out != nil {
		for k, v := range sum {
			out[k] = clip16(int32(out[k]) + v)
		}
	}
	muted := len(in) < n // no microphone (playback-only period)
	for _, p := range c.members {
		if p.muted.Load() {
			muted = true
		}
	}
	send := c.send[:n]
	for i, p := range c.members {
		if p.closing.Load() {
			continue
		}
		r := c.recv[i][:n]
		for k := range send {
			x := sum[k] - int32(r[k])
			if !muted {
				x += int32(in[k])
			}
			send[k] = clip16(x)
		}
		p.capRing.Write(send)
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

func clip16(x int32) int16 {
	return int16(min(max(x, -32768), 32767))
}

// SetConference mixes the calls ids (pipeline ids, i.e. the phone's SIP
// Call-IDs) as one local conference, replacing any previous membership.
// While in it, a call is heard and fed audio whatever SetActive and
// SetHeld say: the phone engine keeps exactly one call active and may still
// think the others are held, but a local conference needs every leg live
// at once. Calls not named go back to their own active/held state. An id
// whose audio is not open yet joins the mix when it opens (the phone opens
// a call's audio only once its media is connected), and a call that ends
// leaves it. An engine has one microphone and one speaker, so it mixes at
// most one conference.
func (e *Engine) SetConference(ids ...string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrEngineClosed
	}
	e.confIDs = e.confIDs[:0]
	for _, id := range ids {
		if !slices.Contains(e.confIDs, id) {
			e.confIDs = append(e.confIDs, id)
		}
	}
	e.publishLocked()
	return nil
}

// EndConference stops mixing: every call goes back to its own active and
// held state.
func (e *Engine) EndConference() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.confIDs = nil
	e.publishLocked()
}

// Conference returns the ids of the calls being mixed as a conference now.
func (e *Engine) Conference() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ids []string
	for _, p := range e.pipes {
		if p.inConf.Load() {
			ids = append(ids, p.id)
		}
	}
	return ids
}

// conferenceLocked returns the open pipelines named by SetConference and
// marks every pipeline in or out. A joining pipeline's flag (read by its
// goroutine and RTP handler) is set before the audio thread sees the new
// membership, so it accepts packets by the time it is mixed; a leaving
// one's is cleared by publishLocked after.
func (e *Engine) conferenceLocked() (members, leaving []*Pipeline) {
	for _, p := range e.pipes {
		if slices.Contains(e.confIDs, p.id) {
			p.inConf.Store(true)
			members = append(members, p)
		} else if p.inConf.Load() {
			leaving = append(leaving, p)
		}
	}
	return members, leaving
}
