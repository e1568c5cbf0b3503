package rtpmedia

import (
	"time"
)

// keepAliveLoop keeps the far end's NAT binding of our RTP port open while
// we send no audio (held: recvonly or inactive, or a silent source) until
// Close. RTCP reports go on during hold, so with rtcp-mux they keep the RTP
// port's binding and nothing more is sent; without mux they only refresh
// port+1's, and the RTP port gets RFC 6263 §4.2's keep-alive: an empty RTP
// packet with a payload type the session did not negotiate, which a
// receiver drops (RFC 3550 §5.1), on our SSRC and sequence numbers. A
// zero-length UDP datagram (§4.1) is not used: RFC 6263 §4.6 advises
// against it, some RTP stacks take it for a broken packet.
func (s *Session) keepAliveLoop() {
	t := time.NewTicker(s.cfg.KeepAliveInterval)
	defer t.Stop()
	var sentBefore uint64
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			sent, _ := s.sender.Sent()
			quiet := sent == sentBefore
			sentBefore = sent
			if quiet {
				s.sendKeepAlive()
				sentBefore, _ = s.sender.Sent()
			}
		}
	}
}

func (s *Session) sendKeepAlive() {
	s.mu.Lock()
	negotiated, mux, p := s.negotiated, s.mux, s.params
	s.mu.Unlock()
	r := s.routes.Load()
	if !negotiated || mux || r == nil {
		return
	}
	pt, ok := unusedPT(r, p.PayloadType, p.DTMFPayloadType)
	if !ok {
		return
	}
	if err := s.sender.SendKeepAlive(pt); err != nil {
		s.log.Debug("RTP keep-alive failed", "err", err)
	}
}

// unusedPT is a dynamic payload type (RFC 3551 §3) that neither side uses
// in this session: not received (r) and not sent (send).
func unusedPT(r *routes, send ...uint8) (uint8, bool) {
next:
	for pt := uint8(127); pt >= 96; pt-- {
		if r.audio[pt] || r.dtmf[pt] {
			continue
		}
		for _, u := range send {
			if u == pt {
				continue next
			}
		}
		return pt, true
	}
	return 0, false
}
