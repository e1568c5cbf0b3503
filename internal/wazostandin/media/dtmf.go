package media

import "github.com/pion/rtp"

// eventReceiver turns received RFC 4733 telephone-event packets into digits.
// A sender repeats an event's packets while the key is down and sends its
// end packet three times (RFC 4733 §2.5.1.4), all with the event's RTP
// timestamp: the digit is taken from the first end packet of each
// timestamp, so it counts once however many copies arrive.
type eventReceiver struct {
	seen    bool
	lastEnd uint32 // timestamp of the last event taken
}

// dtmfEvents are the digits of RFC 4733 §3.2 events 0–15.
const dtmfEvents = "0123456789*#ABCD"

// end reports the digit an end packet completes, if pkt is one not taken
// yet. The payload is event (8 bits), E|R|volume (8), duration (16)
// (RFC 4733 §2.3).
func (r *eventReceiver) end(pkt *rtp.Packet) (rune, bool) {
	p := pkt.Payload
	if len(p) < 4 || p[1]&0x80 == 0 || int(p[0]) >= len(dtmfEvents) {
		return 0, false
	}
	if r.seen && pkt.Timestamp == r.lastEnd {
		return 0, false // a retransmitted end packet
	}
	r.seen, r.lastEnd = true, pkt.Timestamp
	return rune(dtmfEvents[p[0]]), true
}
