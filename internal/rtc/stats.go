package rtc

import "time"

// Stats is a snapshot of the call's audio stream quality, for a call-quality
// display. Loss, jitter and RTT come from RTCP (RFC 3550 §6.4) through pion's
// stats interceptor; they stay zero until reports have been exchanged.
type Stats struct {
	PacketsSent     uint64 // RTP packets we sent (audio and DTMF)
	BytesSent       uint64 // payload bytes we sent
	PacketsReceived uint64 // RTP packets received (including while on hold)
	BytesReceived   uint64 // payload bytes received
	// PacketsLost is the number of the far end's packets we did not receive.
	PacketsLost int64
	// Jitter is the interarrival jitter of the far end's stream (RFC 3550 §6.4.1).
	Jitter time.Duration
	// RemotePacketsLost and RemoteFractionLost are the far end's view of our
	// stream, from its receiver reports.
	RemotePacketsLost  int64
	RemoteFractionLost float64
	// RTT is the round-trip time computed from the far end's receiver
	// reports (LSR/DLSR, RFC 3550 §6.4.1); zero until measured.
	RTT time.Duration
	// SRTPAuthFailures counts received SRTP/SRTCP packets dropped because
	// their authentication tag did not verify (RFC 3711 §3.4): a wrong key
	// or an attacker. Only the SDES-SRTP path (internal/rtpmedia) counts
	// them; DTLS-SRTP keys cannot mismatch.
	SRTPAuthFailures uint64
}

// Stats returns the current statistics. Safe to call at any time.
func (s *Session) Stats() Stats {
	st := Stats{
		PacketsSent:     s.track.packets.Load(),
		BytesSent:       s.track.octets.Load(),
		PacketsReceived: s.recvPackets.Load(),
		BytesReceived:   s.recvOctets.Load(),
	}
	g := s.statsGetter.Load()
	if g == nil || *g == nil {
		return st
	}
	s.track.mu.Lock()
	ssrc := s.track.ssrc
	s.track.mu.Unlock()
	if ssrc != 0 {
		if out := (*g).Get(ssrc); out != nil {
			st.RTT = out.RemoteInboundRTPStreamStats.RoundTripTime
			st.RemotePacketsLost = out.RemoteInboundRTPStreamStats.PacketsLost
			st.RemoteFractionLost = out.RemoteInboundRTPStreamStats.FractionLost
		}
	}
	if s.recvSeen.Load() {
		if in := (*g).Get(s.remoteSSRC.Load()); in != nil {
			st.PacketsLost = in.InboundRTPStreamStats.PacketsLost
			st.Jitter = time.Duration(in.InboundRTPStreamStats.Jitter * float64(time.Second))
		}
	}

	return st
}
