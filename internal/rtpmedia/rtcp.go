package rtpmedia

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/rtc"
)

// receiveStats follows the far end's stream as RFC 3550 Appendix A.1 and
// A.8 describe: extended highest sequence number, loss, interarrival
// jitter, and the last sender report for LSR/DLSR.
type receiveStats struct {
	mu            sync.Mutex
	have          bool
	ssrc          uint32
	baseSeq       uint32
	maxSeq        uint16
	cycles        uint32
	received      uint64
	octets        uint64
	expectedPrior uint32
	receivedPrior uint64
	transit       int64
	haveTransit   bool
	jitter        float64 // in RTP timestamp units
	rate          uint32
	epoch         time.Time
	lastSR        uint32 // middle 32 bits of the last SR's NTP time
	lastSRAt      time.Time
}

// packet accounts for one authenticated packet of the far end's stream.
func (r *receiveStats) packet(p *rtp.Packet, isDTMF bool, rate uint32) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	seq := p.SequenceNumber
	if !r.have || p.SSRC != r.ssrc {
		// A new source (RFC 3550 §8.2 or a re-INVITE to another device).
		r.have, r.ssrc, r.baseSeq, r.maxSeq, r.cycles, r.epoch = true, p.SSRC, uint32(seq), seq, 0, now
		r.received, r.octets, r.expectedPrior, r.receivedPrior = 0, 0, 0, 0
		r.haveTransit, r.jitter = false, 0
	} else if delta := seq - r.maxSeq; delta != 0 && delta < 0x8000 {
		if seq < r.maxSeq {
			r.cycles += 1 << 16 // the sequence number wrapped
		}
		r.maxSeq = seq
	}
	r.received++
	r.octets += uint64(len(p.Payload))
	// Telephone-event packets carry the event's start as timestamp
	// (RFC 4733 §2.3.1), not their sampling instant: no jitter from them.
	if isDTMF || rate == 0 {
		return
	}
	if r.rate != rate {
		r.rate, r.haveTransit, r.jitter = rate, false, 0
	}
	arrival := int64(now.Sub(r.epoch)) * int64(rate) / int64(time.Second)
	transit := arrival - int64(p.Timestamp)
	if r.haveTransit {
		d := transit - r.transit
		if d < 0 {
			d = -d
		}
		r.jitter += (float64(d) - r.jitter) / 16
	}
	r.transit, r.haveTransit = transit, true
}

func (r *receiveStats) lostLocked() int64 {
	expected := int64(r.cycles) + int64(r.maxSeq) - int64(r.baseSeq) + 1
	return expected - int64(r.received)
}

// reportBlock is the RFC 3550 §6.4.1 reception report about the far end.
func (r *receiveStats) reportBlock(now time.Time) (rtcp.ReceptionReport, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.have {
		return rtcp.ReceptionReport{}, false
	}
	extMax := r.cycles + uint32(r.maxSeq)
	expected := extMax - r.baseSeq + 1
	expInt := expected - r.expectedPrior
	recvInt := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	var fraction uint8
	if lostInt := int64(expInt) - int64(recvInt); expInt != 0 && lostInt > 0 {
		fraction = uint8((lostInt << 8) / int64(expInt))
	}
	lost := min(max(r.lostLocked(), 0), 0x7fffff)
	rr := rtcp.ReceptionReport{
		SSRC: r.ssrc, FractionLost: fraction, TotalLost: uint32(lost),
		LastSequenceNumber: extMax, Jitter: uint32(r.jitter),
	}
	if !r.lastSRAt.IsZero() {
		rr.LastSenderReport = r.lastSR
		rr.Delay = uint32(now.Sub(r.lastSRAt) * 65536 / time.Second)
	}
	return rr, true
}

// remoteReports is what the far end's receiver reports say about our stream.
type remoteReports struct {
	mu       sync.Mutex
	lost     int64
	fraction float64
	rtt      time.Duration
}

// ntpTime is t as a 64-bit NTP timestamp (RFC 3550 §4).
func ntpTime(t time.Time) uint64 {
	const ntpEpochOffset = 2208988800 // 1900 → 1970
	secs := uint64(t.Unix()) + ntpEpochOffset
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// readRTCP reads the RTCP socket (port+1) until Close.
func (s *Session) readRTCP() {
	buf := make([]byte, 2048)
	for {
		n, src, err := s.rtcpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.checkOpen() != nil {
				return
			}
			continue
		}
		if n < 8 || buf[0]>>6 != 2 {
			continue
		}
		s.handleRTCP(buf[:n], netip.AddrPortFrom(src.Addr().Unmap(), src.Port()), false)
	}
}

// handleRTCP reads one compound RTCP packet: sender reports (for LSR) and
// report blocks about our SSRC (loss, RTT: RFC 3550 §6.4.1).
func (s *Session) handleRTCP(b []byte, src netip.AddrPort, onRTPPort bool) {
	if s.routes.Load() == nil {
		return
	}
	if d := s.dec.Load(); d != nil {
		out, err := d.decryptRTCP(nil, b)
		if err != nil {
			s.srtpDrop(err)
			return
		}
		b = out
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return
	}
	if !onRTPPort {
		// Symmetric RTCP: answer where reports come from.
		if cur := s.rtcpDst.Load(); cur == nil || *cur != src {
			s.rtcpDst.Store(&src)
		}
	}
	now := time.Now()
	for _, p := range pkts {
		var reports []rtcp.ReceptionReport
		switch p := p.(type) {
		case *rtcp.SenderReport:
			s.recv.mu.Lock()
			s.recv.lastSR, s.recv.lastSRAt = uint32(p.NTPTime>>16), now
			s.recv.mu.Unlock()
			reports = p.Reports
		case *rtcp.ReceiverReport:
			reports = p.Reports
		}
		for _, rr := range reports {
			if rr.SSRC != s.ssrc {
				continue
			}
			s.remote.mu.Lock()
			s.remote.fraction = float64(rr.FractionLost) / 256
			lost := int64(rr.TotalLost & 0xffffff)
			if lost&0x800000 != 0 {
				lost -= 1 << 24 // a signed 24-bit count (duplicates)
			}
			s.remote.lost = lost
			if rr.LastSenderReport != 0 {
				mid := uint32(ntpTime(now) >> 16)
				if d := int32(mid - rr.LastSenderReport - rr.Delay); d >= 0 {
					s.remote.rtt = time.Duration(int64(d) * int64(time.Second) / 65536)
				}
			}
			s.remote.mu.Unlock()
		}
	}
}

// reportLoop sends a report every RTCPInterval, randomised to 0.5-1.5
// times it (RFC 3550 §6.3.1), until Close.
func (s *Session) reportLoop() {
	t := time.NewTimer(s.nextInterval())
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.sendReport(false)
			t.Reset(s.nextInterval())
		}
	}
}

func (s *Session) nextInterval() time.Duration {
	var b [2]byte
	_, _ = rand.Read(b[:])
	f := 0.5 + float64(binary.BigEndian.Uint16(b[:]))/65536
	return time.Duration(float64(s.cfg.RTCPInterval) * f)
}

// sendReport sends one compound packet: SR once we sent media, else RR,
// with a block about the far end, our CNAME (RFC 3550 §6.1) and, at the
// end, BYE.
func (s *Session) sendReport(bye bool) {
	s.mu.Lock()
	negotiated, mux := s.negotiated, s.mux
	s.mu.Unlock()
	if !negotiated {
		return
	}
	now := time.Now()
	var blocks []rtcp.ReceptionReport
	if rr, ok := s.recv.reportBlock(now); ok {
		blocks = append(blocks, rr)
	}
	var first rtcp.Packet
	if pk, oc := s.sender.Sent(); pk > 0 {
		first = &rtcp.SenderReport{
			SSRC: s.ssrc, NTPTime: ntpTime(now), RTPTime: s.sender.RTPTime(now),
			PacketCount: uint32(pk), OctetCount: uint32(oc), Reports: blocks,
		}
	} else {
		first = &rtcp.ReceiverReport{SSRC: s.ssrc, Reports: blocks}
	}
	pkts := []rtcp.Packet{first, rtcp.NewCNAMESourceDescription(s.ssrc, s.cname)}
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
	raw, err := rtcp.Marshal(pkts)
	if err != nil {
		return
	}
	if enc := s.enc.Load(); enc != nil {
		if raw, err = enc.encryptRTCP(nil, raw); err != nil {
			s.log.Debug("SRTCP protect failed", "err", err)
			return
		}
	}
	conn, dst := s.rtcpConn, s.rtcpDst.Load()
	if mux {
		conn, dst = s.rtpConn, s.dst.Load()
	}
	if dst == nil || !sendable(*dst) {
		return
	}
	if _, err := conn.WriteToUDPAddrPort(raw, *dst); err != nil {
		s.log.Debug("RTCP send failed", "err", err)
	}
}

// Stats returns the current statistics, in internal/rtc's shape.
func (s *Session) Stats() rtc.Stats {
	pk, oc := s.sender.Sent()
	st := rtc.Stats{PacketsSent: pk, BytesSent: oc, SRTPAuthFailures: s.authFail.Load()}
	s.recv.mu.Lock()
	if s.recv.have {
		st.PacketsReceived, st.BytesReceived = s.recv.received, s.recv.octets
		st.PacketsLost = max(s.recv.lostLocked(), 0)
		if s.recv.rate != 0 {
			st.Jitter = time.Duration(s.recv.jitter * float64(time.Second) / float64(s.recv.rate))
		}
	}
	s.recv.mu.Unlock()
	s.remote.mu.Lock()
	st.RemotePacketsLost, st.RemoteFractionLost, st.RTT = s.remote.lost, s.remote.fraction, s.remote.rtt
	s.remote.mu.Unlock()
	return st
}
