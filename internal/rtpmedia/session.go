package rtpmedia

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/rtc"
)

// Session is the plain RTP (or SDES-SRTP) media of one call: one audio
// stream on an RTP/RTCP socket pair. It knows nothing about SIP: the
// engine moves the SDP bodies. All methods are safe for concurrent use.
type Session struct {
	cfg      Config
	log      *slog.Logger
	codecs   []codecDef
	rtpConn  *net.UDPConn
	rtcpConn *net.UDPConn
	ip       netip.Addr // written in c= and o=
	port     uint16     // the RTP socket's
	sdpPort  uint16     // written in m= (the STUN-mapped port, else port)
	sdpRTCP  uint16     // written in a=rtcp (likewise for RTCP's socket)
	ssrc     uint32
	cname    string
	sessID   uint64
	sender   *rtc.Sender
	out      *packetWriter

	rtpHandler  atomic.Pointer[func(*rtp.Packet)]
	dtmfHandler atomic.Pointer[func(rune)]
	receiving   atomic.Bool
	authFail    atomic.Uint64
	dst         atomic.Pointer[netip.AddrPort] // where RTP goes
	rtcpDst     atomic.Pointer[netip.AddrPort] // where RTCP goes (RTP's when muxed)
	enc, dec    atomic.Pointer[srtpCtx]        // nil: plain RTP
	routes      atomic.Pointer[routes]
	recv        receiveStats
	remote      remoteReports

	// negotiate serialises the offer/answer steps.
	negotiate sync.Mutex

	mu           sync.Mutex
	state        rtc.State
	changed      chan struct{} // closed and replaced on every state change
	stateHandler func(rtc.State)
	want         rtc.Direction // what we want (sendonly while we hold the far end)
	localDir     rtc.Direction
	remoteDir    rtc.Direction
	params       codec.Params
	negotiated   bool
	secure       bool // the negotiated stream is SRTP
	mux          bool
	pending      *offerState // our offer waiting for its answer
	lastOffer    *offerState // the offer of the last completed exchange (ReplaceAnswer)
	offerCrypto  []cryptoAttr
	answerCrypto *cryptoAttr // our key in answers, kept while the suite stays
	sdpAddr      netip.AddrPort
	latched      bool
	version      uint64
	lastBody     string // the m-lines of the last SDP we sent (RFC 3264 §8 o= version)
	closed       bool

	done chan struct{}
	wg   sync.WaitGroup
}

// routes says what to do with a received payload type.
type routes struct {
	audio  [128]bool
	dtmf   [128]bool
	sendPT uint8  // audio packets are delivered with the PT Codec() names
	rate   uint32 // the audio's RTP clock, for jitter
}

// offerState is what one of our offers proposed.
type offerState struct {
	dir     rtc.Direction
	maps    []rtc.RTPMap // audio codecs then telephone-events, with our PTs
	cryptos []cryptoAttr
	mux     bool
}

var _ rtc.CallMedia = (*Session)(nil)

// NewSession binds the RTP/RTCP socket pair and starts the readers and
// the RTCP reporter. Nothing is sent before an offer/answer exchange.
func NewSession(cfg Config, opts ...Option) (*Session, error) {
	cfg, specs, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	rtpConn, rtcpConn, err := listenPair(cfg.LocalIP, cfg.PortMin, cfg.PortMax)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", rtc.ErrBadConfig, err)
	}
	ip := cfg.AdvertiseIP
	if !ip.IsValid() {
		ip = cfg.LocalIP
		if ip.IsUnspecified() {
			ip = defaultRouteIP()
		}
	}
	port := uint16(rtpConn.LocalAddr().(*net.UDPAddr).Port)
	sdpPort, sdpRTCP := port, port+1
	if !cfg.AdvertiseIP.IsValid() && len(cfg.STUNServers) > 0 {
		if m, ok := discover(cfg, rtpConn, rtcpConn, o.log); ok {
			ip, sdpPort, sdpRTCP = m.ip, m.rtp, m.rtcp
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := &Session{
		cfg: cfg, codecs: specs, rtpConn: rtpConn, rtcpConn: rtcpConn, ip: ip,
		port: port, sdpPort: sdpPort, sdpRTCP: sdpRTCP,
		ssrc:   binary.BigEndian.Uint32(b[:4]),
		cname:  fmt.Sprintf("%x", b[4:12]), // RFC 7022: a random CNAME per session
		sessID: binary.BigEndian.Uint64(b[8:]) >> 2,
		sender: rtc.NewSender(), changed: make(chan struct{}), done: make(chan struct{}),
		want: rtc.DirectionSendRecv,
	}
	s.log = o.log.With("component", "rtpmedia", "rtp_port", s.port)
	s.out = &packetWriter{s: s}
	s.receiving.Store(true)
	s.wg.Add(4)
	go func() { defer s.wg.Done(); s.readRTP() }()
	go func() { defer s.wg.Done(); s.readRTCP() }()
	go func() { defer s.wg.Done(); s.reportLoop() }()
	go func() { defer s.wg.Done(); s.keepAliveLoop() }()
	s.log.Debug("media sockets open", "ip", ip, "rtcp_port", s.port+1)
	return s, nil
}

// LocalAddr is the RTP address our SDP advertises: the STUN-mapped one
// when discovered, else the socket's port on the advertised IP (RTCP is
// on port+1).
func (s *Session) LocalAddr() netip.AddrPort { return netip.AddrPortFrom(s.ip, s.sdpPort) }

func (s *Session) checkOpen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return rtc.ErrClosed
	}
	return nil
}

// CreateOffer makes the initial offer for an outgoing call.
func (s *Session) CreateOffer(_ context.Context) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.negotiated || s.pending != nil {
		return nil, fmt.Errorf("%w: CreateOffer is for the first offer; use Reoffer", rtc.ErrWrongState)
	}
	return s.offerLocked(rtc.DirectionSendRecv, s.cfg.SRTP != SRTPOff), nil
}

// Reoffer makes a re-offer on the established session (RFC 3264 §8): dir
// DirectionSendOnly holds the far end (inactive if it holds us already),
// DirectionSendRecv resumes. Keys, ports and SSRC stay the same.
func (s *Session) Reoffer(_ context.Context, dir rtc.Direction) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if dir == rtc.DirectionUnknown {
		return nil, fmt.Errorf("%w: unknown direction", rtc.ErrBadConfig)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.negotiated || s.pending != nil {
		return nil, fmt.Errorf("%w: a re-offer needs an established session", rtc.ErrWrongState)
	}
	s.want = dir
	offered := dir
	if dir == rtc.DirectionSendOnly {
		offered = rtc.HoldOffer(s.remoteDir)
	}
	// A re-offer keeps the stream's protection: an SRTP call stays SRTP, a
	// plain one (the far end ignored our best-effort keys) stays plain.
	return s.offerLocked(offered, s.secure || s.cfg.SRTP == SRTPMandatory), nil
}

// offerLocked writes an offer with our codecs and, when withKeys, a=crypto.
func (s *Session) offerLocked(dir rtc.Direction, withKeys bool) []byte {
	po := &offerState{dir: dir, mux: !s.cfg.NoRTCPMux, maps: s.ourMaps()}
	if withKeys {
		if s.offerCrypto == nil {
			// RFC 4568 §6.2: the stronger tag first; one key per line.
			s.offerCrypto = []cryptoAttr{newCrypto(1, suite80), newCrypto(2, suite32)}
		}
		po.cryptos = s.offerCrypto
	}
	proto := "RTP/AVP"
	if s.cfg.SRTP == SRTPMandatory {
		proto = "RTP/SAVP"
	}
	if s.cfg.AVPF {
		proto += "F"
	}
	s.pending = po
	return s.writeLocked(nil, -1, audioLine{
		port: s.sdpPort, proto: proto, codecs: po.maps, fmtp: s.fmtp(po.maps), ptime: PTime,
		mux: po.mux, rtcp: s.sdpRTCP, cryptos: po.cryptos, dir: dir,
	})
}

// ourMaps are our codecs with their PTs, then telephone-event at each
// codec clock (RFC 4733 §2.1: events share the audio's clock).
func (s *Session) ourMaps() []rtc.RTPMap {
	var maps []rtc.RTPMap
	has48 := false
	for _, c := range s.codecs {
		maps = append(maps, rtc.RTPMap{PayloadType: c.pt, Name: c.enc, ClockRate: c.rate, Channels: c.channels})
		has48 = has48 || c.rate == 48000
	}
	if has48 {
		maps = append(maps, rtc.RTPMap{PayloadType: dtmfPT48k, Name: "telephone-event", ClockRate: 48000, Channels: 1})
	}
	return append(maps, rtc.RTPMap{PayloadType: dtmfPT8k, Name: "telephone-event", ClockRate: 8000, Channels: 1})
}

func isEvent(m rtc.RTPMap) bool { return strings.EqualFold(m.Name, "telephone-event") }

func (s *Session) fmtp(maps []rtc.RTPMap) map[uint8]string {
	f := map[uint8]string{}
	for _, m := range maps {
		if isEvent(m) {
			f[m.PayloadType] = "0-16"
			continue
		}
		if c, ok := s.codecFor(m); ok && c.fmtp != "" {
			f[m.PayloadType] = c.fmtp
		}
	}
	return f
}

func (s *Session) codecFor(m rtc.RTPMap) (codecDef, bool) {
	for _, c := range s.codecs {
		if c.matches(m) {
			return c, true
		}
	}
	return codecDef{}, false
}

// writeLocked renders our SDP: the audio line at index audioAt among
// lines (rejected), or alone when lines is nil.
func (s *Session) writeLocked(lines []mline, audioAt int, a audioLine) []byte {
	var body sdpWriter
	if lines == nil {
		body.audio(a)
	}
	for i, m := range lines {
		if i == audioAt {
			body.audio(a)
		} else {
			body.rejected(m)
		}
	}
	text := string(body.bytes())
	// RFC 3264 §8: a new version only when something changed.
	if s.version == 0 || text != s.lastBody {
		s.version++
		s.lastBody = text
	}
	var w sdpWriter
	w.header(s.sessID, s.version, s.ip)
	w.b.WriteString(text)
	return w.bytes()
}

// SetAnswer applies the far end's answer to our offer or re-offer.
func (s *Session) SetAnswer(answer []byte) error {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return err
	}
	s.mu.Lock()
	po := s.pending
	s.mu.Unlock()
	if po == nil {
		return fmt.Errorf("%w: no offer is waiting for an answer", rtc.ErrWrongState)
	}
	if err := s.applyAnswer(po, answer); err != nil {
		return err
	}
	s.mu.Lock()
	s.pending, s.lastOffer = nil, po
	s.mu.Unlock()
	return nil
}

// ReplaceAnswer applies the final answer to our initial offer when it
// differs from the early-media answer applied with SetAnswer (RFC 3960).
// Plain RTP has no connection to keep: whichever device answered, its
// address, codec and keys are taken, so ErrMediaMoved never happens here.
func (s *Session) ReplaceAnswer(answer []byte) error {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return err
	}
	s.mu.Lock()
	po := s.lastOffer
	ok := s.negotiated && s.pending == nil
	s.mu.Unlock()
	if !ok || po == nil {
		return fmt.Errorf("%w: no early-media answer to replace", rtc.ErrWrongState)
	}
	return s.applyAnswer(po, answer)
}

// negotiation is the outcome of one offer/answer exchange.
type negotiation struct {
	params      codec.Params
	routes      routes
	local       rtc.Direction
	remote      rtc.Direction
	rtp, rtcp   netip.AddrPort
	mux         bool
	encKey      *cryptoAttr // nil: plain RTP
	decKey      *cryptoAttr
	remotePTime time.Duration
	remoteMax   time.Duration
}

func (s *Session) applyAnswer(po *offerState, answer []byte) error {
	r, err := parseRemote(answer)
	if err != nil {
		return err
	}
	if len(r.audio) == 0 || r.audio[0].index != 0 {
		if r.webrtc {
			return ErrNotPlainRTP
		}
		return rtc.ErrNoAudio
	}
	rm := r.audio[0]
	var n negotiation
	// RFC 4568 §7.1.3: the answer's crypto line names the tag and suite it
	// accepted and carries the answerer's own key.
	for _, c := range rm.cryptos {
		for i := range po.cryptos {
			if po.cryptos[i].tag == c.tag && po.cryptos[i].suite == c.suite {
				n.encKey, n.decKey = &po.cryptos[i], &c
				break
			}
		}
		if n.encKey != nil {
			break
		}
	}
	if n.encKey == nil && (rm.secure || s.cfg.SRTP == SRTPMandatory) {
		return ErrSRTPRequired
	}
	// RFC 3264 §6.1: the first codec of the answer is the one to send.
	var events []rtc.RTPMap
	for _, m := range rm.maps {
		if isEvent(m) {
			events = append(events, m)
			continue
		}
		if n.params.Name != "" {
			continue
		}
		for _, ours := range po.maps {
			c, ok := s.codecFor(m)
			if ok && !isEvent(ours) && c.matches(ours) {
				n.params = c.params(m.PayloadType)
				n.routes.audio[m.PayloadType], n.routes.audio[ours.PayloadType] = true, true
				break
			}
		}
	}
	if n.params.Name == "" {
		return rtc.ErrNoCommonCodec
	}
	n.routes.sendPT = n.params.PayloadType
	if ev, ok := rtc.PickTelephoneEvent(events, n.params.ClockRate); ok {
		n.params.DTMFPayloadType, n.params.DTMFClockRate = ev.PayloadType, ev.ClockRate
	}
	for _, m := range append(events, po.maps...) {
		if isEvent(m) {
			n.routes.dtmf[m.PayloadType] = true
		}
	}
	// RFC 3264 §6.1 seen from the offerer.
	n.local = rtc.MakeDirection(po.dir.Sends() && rm.dir.Receives(), po.dir.Receives() && rm.dir.Sends())
	n.remote = rm.dir
	n.mux = po.mux && rm.mux
	n.rtp, n.rtcp = rm.rtp, rm.rtcp
	n.remotePTime, n.remoteMax = rm.ptime, rm.maxptime
	return s.commit(n)
}

// Answer answers the initial offer of an incoming call.
func (s *Session) Answer(_ context.Context, offer []byte) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	bad := s.negotiated || s.pending != nil
	s.mu.Unlock()
	if bad {
		return nil, fmt.Errorf("%w: Answer is for the first offer; use AnswerReoffer", rtc.ErrWrongState)
	}
	return s.answer(offer)
}

// AnswerReoffer answers the far end's re-offer (re-INVITE, RFC 3264 §8);
// the direction follows RFC 3264 §6.1 and our own hold.
func (s *Session) AnswerReoffer(_ context.Context, offer []byte) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	ok := s.negotiated && s.pending == nil
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: a re-offer needs an established session", rtc.ErrWrongState)
	}
	return s.answer(offer)
}

func (s *Session) answer(offer []byte) ([]byte, error) {
	r, err := parseRemote(offer)
	if err != nil {
		return nil, err
	}
	if len(r.audio) == 0 {
		if r.webrtc {
			return nil, ErrNotPlainRTP
		}
		return nil, rtc.ErrNoAudio
	}
	reason := rtc.ErrNoCommonCodec
	for _, rm := range r.audio {
		n, a, err := s.answerLine(rm)
		if err != nil {
			reason = err
			continue
		}
		if err := s.commit(n); err != nil {
			return nil, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.writeLocked(r.lines, rm.index, a), nil
	}
	return nil, reason
}

// answerLine decides how to answer one offered audio m-line.
func (s *Session) answerLine(rm remoteMedia) (negotiation, audioLine, error) {
	var n negotiation
	var crypto *cryptoAttr
	switch {
	case rm.secure && s.cfg.SRTP == SRTPOff:
		return n, audioLine{}, ErrSRTPRefused
	case rm.secure || (s.cfg.SRTP != SRTPOff && len(rm.cryptos) > 0):
		if len(rm.cryptos) == 0 {
			return n, audioLine{}, ErrSRTPRequired
		}
		// RFC 4568 §7.1.1: the first line we support, answered with the
		// same tag and suite and our own key.
		c := rm.cryptos[0]
		s.mu.Lock()
		if s.answerCrypto == nil || s.answerCrypto.suite != c.suite || s.answerCrypto.tag != c.tag {
			k := newCrypto(c.tag, c.suite)
			s.answerCrypto = &k
		}
		crypto = s.answerCrypto
		s.mu.Unlock()
		n.encKey, n.decKey = crypto, &c
	case s.cfg.SRTP == SRTPMandatory:
		return n, audioLine{}, ErrSRTPRequired
	}

	// Codecs we share, in the offerer's order and with its PTs (RFC 3264 §6.1).
	var maps, events []rtc.RTPMap
	rates := map[uint32]bool{}
	for _, m := range rm.maps {
		if isEvent(m) {
			events = append(events, m)
			continue
		}
		if c, ok := s.codecFor(m); ok {
			maps = append(maps, rtc.RTPMap{PayloadType: m.PayloadType, Name: c.enc, ClockRate: c.rate, Channels: c.channels})
			rates[c.rate] = true
			if n.params.Name == "" {
				n.params = c.params(m.PayloadType)
				n.routes.audio[m.PayloadType] = true
			}
		}
	}
	if n.params.Name == "" {
		return n, audioLine{}, rtc.ErrNoCommonCodec
	}
	n.routes.sendPT = n.params.PayloadType
	var ourEvents []rtc.RTPMap
	for _, e := range events {
		if e.ClockRate == 8000 || (e.ClockRate == 48000 && rates[48000]) {
			ourEvents = append(ourEvents, e)
			n.routes.dtmf[e.PayloadType] = true
		}
	}
	if ev, ok := rtc.PickTelephoneEvent(ourEvents, n.params.ClockRate); ok {
		n.params.DTMFPayloadType, n.params.DTMFClockRate = ev.PayloadType, ev.ClockRate
	}
	maps = append(maps, ourEvents...)
	s.mu.Lock()
	want := s.want
	s.mu.Unlock()
	n.local, n.remote = want.AnswerTo(rm.dir), rm.dir
	n.mux = rm.mux // RFC 5761 §5.1.1: we always accept multiplexing
	n.rtp, n.rtcp = rm.rtp, rm.rtcp
	if n.mux {
		n.rtcp = rm.rtp
	}
	n.remotePTime, n.remoteMax = rm.ptime, rm.maxptime
	a := audioLine{
		port: s.sdpPort, proto: rm.proto, codecs: maps, fmtp: s.fmtp(maps), ptime: PTime,
		mux: n.mux, rtcp: s.sdpRTCP, dir: n.local,
	}
	if crypto != nil {
		a.cryptos = []cryptoAttr{*crypto}
	}
	return n, a, nil
}

// commit applies a negotiation to the running media (RFC 3264 §5.1).
func (s *Session) commit(n negotiation) error {
	if n.mux {
		n.rtcp = n.rtp
	}
	if err := s.setKeys(n.encKey, n.decKey); err != nil {
		return err
	}
	r := n.routes
	r.rate = n.params.ClockRate
	s.routes.Store(&r)
	s.mu.Lock()
	s.localDir, s.remoteDir = n.local, n.remote
	s.params = n.params
	s.negotiated = true
	s.secure = n.encKey != nil
	s.mux = n.mux
	// A new address in the SDP cancels the latch; the same one (a hold
	// re-INVITE from a peer behind NAT) keeps sending where media comes from.
	if n.rtp != s.sdpAddr || !s.latched {
		s.sdpAddr, s.latched = n.rtp, false
		rtpDst, rtcpDst := n.rtp, n.rtcp
		s.dst.Store(&rtpDst)
		s.rtcpDst.Store(&rtcpDst)
	}
	s.mu.Unlock()
	s.sender.Bind(s.out, s.ssrc, n.params)
	s.sender.SetSending(n.local.Sends())
	s.receiving.Store(n.local.Receives())
	switch {
	case n.remoteMax != 0 && n.remoteMax < PTime:
		// The pipeline only sends 20 ms frames; a far end that cannot take
		// them (maxptime 10) will likely play broken audio.
		s.log.Warn("far end takes shorter packets than Parley sends", "maxptime", n.remoteMax, "ptime", PTime)
	case n.remotePTime != 0 && n.remotePTime != PTime:
		// a=ptime is a wish (RFC 4566 §6): 20 ms packets are still sent.
		s.log.Debug("far end would like another packet time", "ptime", n.remotePTime)
	}
	s.log.Info("media negotiated", "codec", n.params.Name, "pt", n.params.PayloadType,
		"dtmf_pt", n.params.DTMFPayloadType, "dtmf_rate", n.params.DTMFClockRate,
		"srtp", n.encKey != nil, "rtcp_mux", n.mux, "remote", n.rtp,
		"local_dir", n.local.String(), "remote_dir", n.remote.String())
	s.setState(rtc.StateConnected)
	return nil
}

// setKeys installs the SRTP contexts, keeping a running one whose key did
// not change (its rollover counter and replay window stay valid).
func (s *Session) setKeys(enc, dec *cryptoAttr) error {
	if enc == nil || dec == nil {
		s.enc.Store(nil)
		s.dec.Store(nil)
		return nil
	}
	for _, k := range []struct {
		key *cryptoAttr
		p   *atomic.Pointer[srtpCtx]
	}{{enc, &s.enc}, {dec, &s.dec}} {
		if cur := k.p.Load(); cur != nil && cur.key == k.key.suite+string(k.key.key) {
			continue
		}
		c, err := newSRTPCtx(*k.key)
		if err != nil {
			return fmt.Errorf("%w: %w", rtc.ErrMalformedSDP, err)
		}
		k.p.Store(c)
	}
	return nil
}

// LocalDirection is our negotiated direction (recvonly: the far end holds us).
func (s *Session) LocalDirection() rtc.Direction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.localDir
}

// RemoteDirection is the direction the far end declared in its last SDP.
func (s *Session) RemoteDirection() rtc.Direction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remoteDir
}

// Codec returns the negotiated codec (zero before an exchange completed).
func (s *Session) Codec() codec.Params {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.params
}

// Secure reports whether the negotiated stream is SRTP.
func (s *Session) Secure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secure
}

// SendAudio sends one encoded frame lasting d as one RTP packet (see
// rtc.Session.SendAudio: dropped, clock advancing, while on hold or during
// a DTMF event).
func (s *Session) SendAudio(payload []byte, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: frame duration must be positive", rtc.ErrBadConfig)
	}
	return s.sender.SendAudio(payload, d)
}

// SetRTPHandler sets the function that receives every audio RTP packet; it
// is called from the reader goroutine and owns pkt.
func (s *Session) SetRTPHandler(fn func(pkt *rtp.Packet)) { s.rtpHandler.Store(&fn) }

// OnDTMF sets the function called once per received RFC 4733 event.
func (s *Session) OnDTMF(fn func(digit rune)) { s.dtmfHandler.Store(&fn) }

// SendDTMF sends one digit as an RFC 4733 event, paced in real time, with
// internal/rtc's rules (see rtc.Session.SendDTMF).
func (s *Session) SendDTMF(ctx context.Context, digit rune, duration time.Duration) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	s.mu.Lock()
	negotiated, pt := s.negotiated, s.params.DTMFPayloadType
	s.mu.Unlock()
	if !negotiated {
		return rtc.ErrNotNegotiated
	}
	if pt == 0 {
		return rtc.ErrDTMFNotNegotiated
	}
	return s.sender.SendDTMF(ctx, digit, duration, s.done)
}

// packetWriter puts the Sender's packets on the wire: marshal, protect,
// send to the latched address from the RTP socket (symmetric RTP, RFC 4961).
type packetWriter struct {
	s   *Session
	mu  sync.Mutex
	buf [1500]byte
	enc []byte
}

func (w *packetWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	dst := w.s.dst.Load()
	if dst == nil || !sendable(*dst) {
		return 0, nil // no usable address (c=0.0.0.0): nothing to send to
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	hl := h.MarshalSize()
	if hl+len(payload) > len(w.buf) {
		return 0, fmt.Errorf("%w: RTP packet too large", rtc.ErrBadConfig)
	}
	if _, err := h.MarshalTo(w.buf[:]); err != nil {
		return 0, fmt.Errorf("marshal RTP: %w", err)
	}
	n := copy(w.buf[hl:], payload)
	out := w.buf[:hl+n]
	if enc := w.s.enc.Load(); enc != nil {
		var err error
		if w.enc, err = enc.encryptRTP(w.enc[:0], out, h); err != nil {
			return 0, fmt.Errorf("srtp: %w", err)
		}
		out = w.enc
	}
	if _, err := w.s.rtpConn.WriteToUDPAddrPort(out, *dst); err != nil {
		if w.s.checkOpen() != nil {
			return 0, rtc.ErrClosed
		}
		// A transient ICMP error (peer not listening yet) must not end the call.
		w.s.log.Debug("RTP send failed", "err", err)
	}
	return len(payload), nil
}

func sendable(a netip.AddrPort) bool {
	return a.IsValid() && a.Port() != 0 && !a.Addr().IsUnspecified()
}

// readRTP reads the RTP socket until Close: RTP, and RTCP when muxed
// (RFC 5761 §4: payload types 64-95 are RTCP packet types).
func (s *Session) readRTP() {
	buf := make([]byte, 2048)
	dec := make([]byte, 0, 2048)
	var dtmf rtc.DTMFReceiver
	var ls latchState
	for {
		n, src, err := s.rtpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.checkOpen() != nil {
				return
			}
			continue
		}
		b := buf[:n]
		if n < 12 || b[0]>>6 != 2 {
			continue // not RTP (a STUN or keep-alive packet)
		}
		src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
		if pt := b[1] & 0x7f; pt >= 64 && pt <= 95 {
			s.handleRTCP(b, src, true)
			continue
		}
		s.handleRTP(b, src, dec, &dtmf, &ls)
	}
}

func (s *Session) handleRTP(b []byte, src netip.AddrPort, dec []byte, dtmf *rtc.DTMFReceiver, ls *latchState) {
	r := s.routes.Load()
	if r == nil {
		return // not negotiated yet
	}
	var h rtp.Header
	if _, err := h.Unmarshal(b); err != nil {
		return
	}
	isDTMF := r.dtmf[h.PayloadType&0x7f]
	if !r.audio[h.PayloadType&0x7f] && !isDTMF {
		return // a payload type we did not negotiate
	}
	if d := s.dec.Load(); d != nil {
		out, err := d.decryptRTP(dec[:0], b, &h)
		if err != nil {
			s.srtpDrop(err)
			return
		}
		b = out
	}
	if !s.accept(src, h.SSRC, ls) {
		return
	}
	pkt := &rtp.Packet{}
	if err := pkt.Unmarshal(bytes.Clone(b)); err != nil {
		return
	}
	s.recv.packet(pkt, isDTMF, r.rate)
	if !s.receiving.Load() {
		return // RFC 3264 §5.1: we declared we do not receive.
	}
	if isDTMF {
		if d, ok := dtmf.Receive(pkt); ok {
			if fn := s.dtmfHandler.Load(); fn != nil && *fn != nil {
				(*fn)(d)
			}
		}
		return
	}
	pkt.PayloadType = r.sendPT
	if fn := s.rtpHandler.Load(); fn != nil && *fn != nil {
		(*fn)(pkt)
	}
}

// srtpDrop counts a packet SRTP refused. An authentication failure (wrong
// key, tampering; RFC 3711 §3.4) is logged on the first and every 100th
// occurrence, never with key material; replays are dropped silently.
func (s *Session) srtpDrop(err error) {
	if !errors.Is(err, srtp.ErrFailedToVerifyAuthTag) {
		return
	}
	if n := s.authFail.Add(1); n == 1 || n%100 == 0 {
		s.log.Warn("SRTP authentication failed, packet dropped (wrong key?)", "failures", n)
	}
}

// relatchAfter is how many packets in a row must come from one new
// address before a latched stream moves there (the far end's NAT mapping
// changed). PJSIP waits for a similar count (its NAT probation).
const relatchAfter = 10

// latchState is the reader goroutine's view of other sources.
type latchState struct {
	candidate netip.AddrPort
	count     int
}

// accept latches ("comedia") and filters by source. The first
// authenticated packet after each new SDP address moves our destination to
// where it came from, so a peer behind NAT, whose SDP names its private
// address, still hears us. Once latched, packets from elsewhere are
// dropped (stray or injected media never reaches the speaker), except the
// stream we were receiving (same SSRC) arriving from a new address
// relatchAfter times in a row: the far end's NAT mapping changed. With
// NoLatching every source is accepted and the destination stays the SDP's.
func (s *Session) accept(src netip.AddrPort, ssrc uint32, ls *latchState) bool {
	if s.cfg.NoLatching {
		return true
	}
	cur := s.dst.Load()
	s.mu.Lock()
	latched, mux, sdpAddr := s.latched, s.mux, s.sdpAddr
	if cur != nil && *cur == src {
		s.latched = true
		s.mu.Unlock()
		ls.count = 0
		return true
	}
	if latched {
		s.recv.mu.Lock()
		same := s.recv.have && s.recv.ssrc == ssrc
		s.recv.mu.Unlock()
		if !same {
			s.mu.Unlock()
			return false
		}
		if ls.candidate != src {
			ls.candidate, ls.count = src, 0
		}
		if ls.count++; ls.count < relatchAfter {
			s.mu.Unlock()
			return false
		}
	}
	s.latched = true
	s.mu.Unlock()
	ls.count = 0
	s.dst.Store(&src)
	if mux {
		s.rtcpDst.Store(&src)
	}
	if latched {
		s.log.Info("media moved to a new address", "from", src, "was", cur)
	} else {
		s.log.Info("media latched to the address it arrives from", "sdp", sdpAddr, "from", src)
	}
	return true
}

// setState records a state change and tells the handler.
func (s *Session) setState(st rtc.State) {
	s.mu.Lock()
	if s.state == st || s.state == rtc.StateClosed {
		s.mu.Unlock()
		return
	}
	s.state = st
	close(s.changed)
	s.changed = make(chan struct{})
	fn := s.stateHandler
	s.mu.Unlock()
	if fn != nil {
		fn(st)
	}
}

// State is connected once an offer/answer exchange completed: plain RTP
// has no handshake.
func (s *Session) State() rtc.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// OnStateChange sets the function called on every state change; it must
// not block.
func (s *Session) OnStateChange(fn func(rtc.State)) {
	s.mu.Lock()
	s.stateHandler = fn
	s.mu.Unlock()
}

// WaitConnected returns once the media is negotiated, or rtc.ErrClosed,
// or an error wrapping rtc.ErrConnectFailed when ctx ends first.
func (s *Session) WaitConnected(ctx context.Context) error {
	for {
		s.mu.Lock()
		st, ch := s.state, s.changed
		s.mu.Unlock()
		switch st {
		case rtc.StateConnected:
			return nil
		case rtc.StateClosed:
			return rtc.ErrClosed
		case rtc.StateNew, rtc.StateConnecting, rtc.StateDisconnected, rtc.StateFailed:
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%w: no answer applied: %w", rtc.ErrConnectFailed, ctx.Err())
		}
	}
}

// Close sends an RTCP BYE (RFC 3550 §6.6), closes the sockets and waits
// for every goroutine. It is idempotent.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	s.sendReport(true)
	s.mu.Lock()
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	err := errors.Join(s.rtpConn.Close(), s.rtcpConn.Close())
	s.wg.Wait()
	s.setState(rtc.StateClosed)
	if err != nil {
		return fmt.Errorf("close media: %w", err)
	}
	return nil
}
