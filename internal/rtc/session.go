package rtc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/stats"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/parley-voip/parley/internal/codec"
)

// Session is the WebRTC media of one call: one audio m-line over ICE,
// DTLS-SRTP (RFC 5763/5764), BUNDLE (RFC 8843) and rtcp-mux (RFC 5761).
// It knows nothing about SIP: the engine moves the SDP bodies.
//
// Direction (hold) is handled by Session, not by pion: pion v4 has no public
// way to change a transceiver's direction, and a remote "inactive" offer makes
// it stop the transceiver for good. So pion always negotiates sendrecv, the
// SDP the far end sees carries the real RFC 3264 direction, and Session
// gates sending and delivery of received packets itself.
//
// All methods are safe for concurrent use.
type Session struct {
	cfg    Config
	log    *slog.Logger
	pc     *webrtc.PeerConnection
	sender *webrtc.RTPSender
	track  *audioTrack
	codecs []codecSpec

	statsGetter atomic.Pointer[stats.Getter]
	remoteSSRC  atomic.Uint32
	recvSeen    atomic.Bool
	receiving   atomic.Bool // negotiated direction lets us receive
	rtpHandler  atomic.Pointer[func(*rtp.Packet)]
	dtmfHandler atomic.Pointer[func(rune)]
	recvPackets atomic.Uint64
	recvOctets  atomic.Uint64

	// negotiate serialises the offer/answer steps.
	negotiate sync.Mutex

	mu           sync.Mutex
	state        State
	iceState     webrtc.ICEConnectionState
	changed      chan struct{} // closed and replaced on every state change
	stateHandler func(State)
	want         Direction // what we want (sendonly while we hold the far end)
	offered      Direction // direction of our outstanding offer
	localDir     Direction // negotiated, our side
	remoteDir    Direction // negotiated, as the far end wrote it
	mid          string
	dtmfPTs      []uint8 // telephone-event PTs we may receive
	params       codec.Params
	negotiated   bool
	closed       bool

	done chan struct{}
	wg   sync.WaitGroup
}

// NewSession creates the PeerConnection and the local audio track. It starts
// no network activity until CreateOffer or Answer.
func NewSession(cfg Config, opts ...Option) (*Session, error) {
	cfg, specs, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Session{
		cfg: cfg, log: o.log.With("component", "rtc"), codecs: specs,
		track: newAudioTrack(), changed: make(chan struct{}), done: make(chan struct{}),
		want: DirectionSendRecv,
	}

	api, err := s.newAPI(o)
	if err != nil {
		return nil, err
	}
	pcCfg := webrtc.Configuration{
		// RFC 8829 §4.1.1: require rtcp-mux; PBX peers for WebRTC support it.
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
	}
	for _, u := range cfg.ICEServers {
		pcCfg.ICEServers = append(pcCfg.ICEServers, webrtc.ICEServer{URLs: []string{u}})
	}
	for _, t := range cfg.TURN {
		// RFC 8656 §3: the long-term credential authenticates the Allocate
		// request; pion sends it only to that server.
		pcCfg.ICEServers = append(pcCfg.ICEServers, webrtc.ICEServer{
			URLs: []string{t.URL}, Username: t.Username, Credential: t.Credential,
		})
	}
	s.pc, err = api.NewPeerConnection(pcCfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	if s.sender, err = s.pc.AddTrack(s.track); err != nil {
		_ = s.pc.Close()

		return nil, fmt.Errorf("add audio track: %w", err)
	}
	s.receiving.Store(true)
	s.pc.OnConnectionStateChange(s.onConnectionState)
	s.pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		s.mu.Lock()
		s.iceState = st
		s.mu.Unlock()
		s.log.Debug("ICE state", "state", st.String())
	})
	s.pc.OnTrack(s.onTrack)

	// Interceptors only process incoming RTCP that is read (pion's interceptors
	// see only what ReadRTCP returns):
	// drain the sender's RTCP (receiver reports about our stream → RTT, loss).
	s.goRun(func() { s.drainRTCP(s.sender.ReadRTCP) })

	return s, nil
}

// newAPI builds a per-session pion API: MediaEngine (mutated by negotiation,
// so never shared), lean interceptors and settings.
func (s *Session) newAPI(o options) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	for _, c := range s.codecs {
		if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: c.cap, PayloadType: c.pt},
			webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
		}
	}
	// pion does not register telephone-event; RFC 4733 needs it on the audio m-line.
	for _, c := range dtmfCodecs(s.codecs) {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
		}
	}

	lf := slogFactory{log: o.log}
	// Audio-only, PBX-friendly: RTCP SR/RR (RFC 3550 §6.4) and stats; no NACK,
	// TWCC or simulcast extensions, which only bloat the SDP for a PBX.
	//
	// The stats interceptor goes first (innermost) so that it sees the sender
	// reports the report interceptor writes: RTT needs their timestamps to
	// match the LSR/DLSR of the far end's receiver reports (RFC 3550 §6.4.1).
	ir := &interceptor.Registry{}
	sf, err := stats.NewInterceptor(stats.WithLoggerFactory(lf))
	if err != nil {
		return nil, fmt.Errorf("stats interceptor: %w", err)
	}
	sf.OnNewPeerConnection(func(_ string, g stats.Getter) { s.statsGetter.Store(&g) })
	ir.Add(sf)
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, fmt.Errorf("rtcp reports: %w", err)
	}

	se := webrtc.SettingEngine{LoggerFactory: lf}
	se.SetNetworkTypes(s.cfg.NetworkTypes)
	se.SetIncludeLoopbackCandidate(s.cfg.IncludeLoopback)
	// No .local candidates and no mDNS socket: PBXes cannot resolve them.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetSTUNGatherTimeout(s.cfg.GatherTimeout)
	// Stay the DTLS client when answering (RFC 5763 §5: answerer picks; active
	// avoids the PBX's ClientHello hitting an un-NATed port, pjproject #5102).
	if err := se.SetAnsweringDTLSRole(webrtc.DTLSRoleClient); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	if s.cfg.PortMin != 0 {
		if err := se.SetEphemeralUDPPortRange(s.cfg.PortMin, s.cfg.PortMax); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
		}
	}
	for _, fn := range o.settingEngine {
		fn(&se)
	}

	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir),
		webrtc.WithSettingEngine(se)), nil
}

// goRun starts fn on a goroutine Close waits for, unless the session is closed.
func (s *Session) goRun(fn func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()

	return true
}

func (s *Session) drainRTCP(read func() ([]rtcp.Packet, interceptor.Attributes, error)) {
	for {
		if _, _, err := read(); err != nil {
			return
		}
	}
}

// CreateOffer makes the initial offer for an outgoing call. It waits for ICE
// gathering (SIP has no trickle ICE, RFC 8829 §5.2 with all candidates) and
// returns the SDP with the candidates in it.
func (s *Session) CreateOffer(ctx context.Context) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if s.pc.SignalingState() != webrtc.SignalingStateStable || s.pc.CurrentRemoteDescription() != nil {
		return nil, fmt.Errorf("%w: CreateOffer is for the first offer; use Reoffer", ErrWrongState)
	}

	return s.offer(ctx, DirectionSendRecv)
}

// Reoffer makes a re-offer on the established session (RFC 3264 §8): dir is
// what we want, DirectionSendOnly to hold the far end, DirectionSendRecv to
// resume. Holding while the far end already holds us offers inactive. ICE
// credentials and the DTLS fingerprint stay the same, so there is no ICE
// restart. Pass the far end's answer to SetAnswer.
func (s *Session) Reoffer(ctx context.Context, dir Direction) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if dir == DirectionUnknown {
		return nil, fmt.Errorf("%w: unknown direction", ErrBadConfig)
	}
	if s.pc.SignalingState() != webrtc.SignalingStateStable || s.pc.CurrentRemoteDescription() == nil {
		return nil, fmt.Errorf("%w: a re-offer needs an established session", ErrWrongState)
	}
	s.mu.Lock()
	s.want = dir
	offered := dir
	if dir == DirectionSendOnly {
		offered = holdOffer(s.remoteDir)
	}
	s.mu.Unlock()

	return s.offer(ctx, offered)
}

func (s *Session) offer(ctx context.Context, dir Direction) ([]byte, error) {
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return nil, fmt.Errorf("create offer: %w", err)
	}
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return nil, fmt.Errorf("set local offer: %w", err)
	}
	out, err := s.gathered(ctx)
	if err != nil {
		return nil, err
	}
	mid := s.audioMid()
	s.mu.Lock()
	s.offered = dir
	s.mid = mid
	s.mu.Unlock()

	return setDirection(out, mid, dir), nil
}

// SetAnswer applies the far end's answer to our offer or re-offer.
func (s *Session) SetAnswer(answer []byte) error {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return err
	}
	if s.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		return fmt.Errorf("%w: no offer is waiting for an answer", ErrWrongState)
	}

	return s.setAnswer(answer)
}

// setAnswer applies an answer to the local offer pion holds; the caller
// holds s.negotiate.
func (s *Session) setAnswer(answer []byte) error {
	s.mu.Lock()
	mid, offered := s.mid, s.offered
	s.mu.Unlock()

	norm, err := normalize(answer, []string{mid})
	if err != nil {
		return err
	}
	for _, f := range norm.Fixes {
		s.log.Debug("normalised remote answer", "fix", f)
	}
	params, err := s.pickCodec(norm.Codecs, norm.Codecs)
	if err != nil {
		return err
	}
	s.track.setPreferred("audio/" + params.Name)
	desc := webrtc.SessionDescription{
		Type: webrtc.SDPTypeAnswer, SDP: string(setDirection(norm.SDP, norm.AudioMid, DirectionSendRecv)),
	}
	if err := s.pc.SetRemoteDescription(desc); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformedSDP, err)
	}
	// RFC 3264 §6.1 seen from the offerer: we send only if we offered to and
	// the far end receives, and receive only if both agree too.
	local := makeDirection(offered.Sends() && norm.Direction.Receives(), offered.Receives() && norm.Direction.Sends())
	s.applyNegotiated(local, norm.Direction, params, norm.Codecs, nil)

	return nil
}

// Answer answers the initial offer of an incoming call: the returned SDP
// accepts audio (DTLS role active) with all ICE candidates.
func (s *Session) Answer(ctx context.Context, offer []byte) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if s.pc.SignalingState() != webrtc.SignalingStateStable || s.pc.CurrentRemoteDescription() != nil {
		return nil, fmt.Errorf("%w: Answer is for the first offer; use AnswerReoffer", ErrWrongState)
	}

	return s.answer(ctx, offer)
}

// AnswerReoffer answers the far end's re-offer (re-INVITE, RFC 3264 §8),
// including one without changes. The answer direction follows RFC 3264
// §6.1: sendonly → recvonly, inactive → inactive, recvonly → sendonly,
// sendrecv → sendrecv (or sendonly while we hold the far end). Same ICE
// credentials and fingerprint keep ICE and DTLS running.
func (s *Session) AnswerReoffer(ctx context.Context, offer []byte) ([]byte, error) {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if s.pc.SignalingState() != webrtc.SignalingStateStable || s.pc.CurrentRemoteDescription() == nil {
		return nil, fmt.Errorf("%w: a re-offer needs an established session", ErrWrongState)
	}

	return s.answer(ctx, offer)
}

func (s *Session) answer(ctx context.Context, offer []byte) ([]byte, error) {
	s.mu.Lock()
	var mids []string
	if s.mid != "" {
		mids = []string{s.mid}
	}
	want := s.want
	s.mu.Unlock()

	norm, err := normalize(offer, mids)
	if err != nil {
		return nil, err
	}
	for _, f := range norm.Fixes {
		s.log.Debug("normalised remote offer", "fix", f)
	}
	if _, err := s.pickCodec(norm.Codecs, nil); err != nil {
		return nil, err
	}
	desc := webrtc.SessionDescription{
		Type: webrtc.SDPTypeOffer, SDP: string(setDirection(norm.SDP, norm.AudioMid, DirectionSendRecv)),
	}
	if err := s.pc.SetRemoteDescription(desc); err != nil {
		s.rollback()

		return nil, fmt.Errorf("%w: %w", ErrMalformedSDP, err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		s.rollback()

		return nil, fmt.Errorf("create answer: %w", err)
	}
	ours := audioRTPMaps([]byte(answer.SDP), norm.AudioMid)
	params, err := s.pickCodec(ours, norm.Codecs)
	if err != nil {
		s.rollback()

		return nil, err
	}
	s.track.setPreferred("audio/" + params.Name)
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return nil, fmt.Errorf("set local answer: %w", err)
	}
	out, err := s.gathered(ctx)
	if err != nil {
		return nil, err
	}
	dir := want.answerTo(norm.Direction)
	s.mu.Lock()
	s.mid = norm.AudioMid
	s.mu.Unlock()
	s.applyNegotiated(dir, norm.Direction, params, norm.Codecs, ours)

	return setDirection(out, norm.AudioMid, dir), nil
}

// rollback returns to stable after a failed remote offer (RFC 8829 §4.1.10.2).
func (s *Session) rollback() {
	if s.pc.SignalingState() == webrtc.SignalingStateHaveRemoteOffer {
		_ = s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback})
	}
}

// pickCodec returns the first codec of the answer's list (RFC 3264 §6.1:
// the first listed is the preferred one) that Parley speaks, and the
// telephone-event format that goes with it (see pickTelephoneEvent). For an
// answer we wrote, remote lists the far end's offer, used to check that it
// also offered telephone-event.
func (s *Session) pickCodec(answer, remote []RTPMap) (codec.Params, error) {
	var p codec.Params
	var events []RTPMap
	for _, m := range answer {
		if strings.EqualFold(m.Name, "telephone-event") {
			events = append(events, m)

			continue
		}
		if p.Name != "" {
			continue
		}
		for _, c := range s.codecs {
			if strings.EqualFold(c.cap.MimeType, "audio/"+m.Name) && c.cap.ClockRate == m.ClockRate {
				p.Name, p.ClockRate, p.Channels, p.PayloadType = strings.ToUpper(m.Name), m.ClockRate, c.cap.Channels, m.PayloadType

				break
			}
		}
	}
	if p.Name == "" {
		return p, ErrNoCommonCodec
	}
	if ev, ok := pickTelephoneEvent(events, p.ClockRate); ok {
		p.DTMFPayloadType, p.DTMFClockRate = ev.PayloadType, ev.ClockRate
	}
	if remote != nil && p.DTMFPayloadType != 0 {
		ok := false
		for _, m := range remote {
			ok = ok || strings.EqualFold(m.Name, "telephone-event")
		}
		if !ok {
			p.DTMFPayloadType, p.DTMFClockRate = 0, 0
		}
	}

	return p, nil
}

// applyNegotiated records the outcome of an offer/answer exchange and applies
// the direction to the media (RFC 3264 §5.1).
func (s *Session) applyNegotiated(local, remote Direction, p codec.Params, remoteMaps, localMaps []RTPMap) {
	var pts []uint8
	for _, maps := range [][]RTPMap{remoteMaps, localMaps} {
		for _, m := range maps {
			if strings.EqualFold(m.Name, "telephone-event") {
				pts = append(pts, m.PayloadType)
			}
		}
	}
	s.mu.Lock()
	s.localDir, s.remoteDir = local, remote
	s.params = p
	s.dtmfPTs = pts
	s.negotiated = true
	s.mu.Unlock()
	s.track.setSending(local.Sends())
	s.receiving.Store(local.Receives())
	s.log.Info("media negotiated", "codec", p.Name, "pt", p.PayloadType, "dtmf_pt", p.DTMFPayloadType,
		"dtmf_rate", p.DTMFClockRate,
		"local", local.String(), "remote", remote.String())
}

// gathered waits for ICE gathering to complete (bounded by GatherTimeout and
// ctx) and returns the local SDP with its candidates.
func (s *Session) gathered(ctx context.Context) ([]byte, error) {
	done := webrtc.GatheringCompletePromise(s.pc)
	timer := time.NewTimer(s.cfg.GatherTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		s.log.Warn("ICE gathering not complete, sending the candidates found so far",
			"timeout", s.cfg.GatherTimeout)
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrGatherTimeout, ctx.Err())
	case <-s.done:
		return nil, ErrClosed
	}
	ld := s.pc.LocalDescription()
	if ld == nil {
		return nil, fmt.Errorf("%w: no local description", ErrWrongState)
	}
	if !strings.Contains(ld.SDP, "a=candidate:") {
		return nil, ErrGatherTimeout
	}

	// pion leaves the 0.0.0.0:9 placeholder in m=/c=; RFC 8839 §4.2.1.1
	// wants the default candidate there once it is known (see
	// setDefaultDestination: baresip turns ICE off otherwise).
	return setDefaultDestination([]byte(ld.SDP)), nil
}

func (s *Session) audioMid() string {
	for _, t := range s.pc.GetTransceivers() {
		if t.Kind() == webrtc.RTPCodecTypeAudio && t.Sender() == s.sender {
			return t.Mid()
		}
	}

	return ""
}

func (s *Session) checkOpen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}

	return nil
}

// LocalDirection is our negotiated direction (recvonly: the far end holds us).
func (s *Session) LocalDirection() Direction {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.localDir
}

// RemoteDirection is the direction the far end declared in its last SDP
// (sendonly or inactive: the far end holds us).
func (s *Session) RemoteDirection() Direction {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.remoteDir
}

// Codec returns the negotiated audio codec and telephone-event payload type.
// The zero value until an offer/answer exchange has completed.
func (s *Session) Codec() codec.Params {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.params
}

// SendAudio sends one encoded frame lasting d (20 ms typically) as one RTP
// packet. While the negotiated direction forbids sending (hold) or a DTMF
// event is being sent, the frame is dropped and only the RTP clock advances,
// so callers can keep their 20 ms loop running. It does not allocate.
func (s *Session) SendAudio(payload []byte, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: frame duration must be positive", ErrBadConfig)
	}

	return s.track.writeAudio(payload, d)
}

// SetRTPHandler sets the function that receives every audio RTP packet
// (telephone-event packets go to OnDTMF instead). It is called from one
// reader goroutine and must not block long; it owns pkt.
func (s *Session) SetRTPHandler(fn func(pkt *rtp.Packet)) {
	s.rtpHandler.Store(&fn)
}

// OnDTMF sets the function called once per received RFC 4733 event (from the
// reader goroutine).
func (s *Session) OnDTMF(fn func(digit rune)) {
	s.dtmfHandler.Store(&fn)
}

// SendDTMF sends one digit (0-9 * # A-D) as an RFC 4733 event on the audio
// SSRC, paced in real time: it blocks for about duration (0: 100 ms; 40 ms
// to 1 s), after waiting for DTMFGap since the previous digit ended and for
// any digit still being sent. Events are timed in the telephone-event clock
// negotiated with the audio codec (48 kHz with Opus). ctx bounds the wait;
// when it ends during a digit, the digit is ended early. ErrDTMFNotNegotiated
// means the far end did not accept telephone-event: fall back to SIP INFO.
func (s *Session) SendDTMF(ctx context.Context, digit rune, duration time.Duration) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	s.mu.Lock()
	negotiated, pt := s.negotiated, s.params.DTMFPayloadType
	s.mu.Unlock()
	if !negotiated {
		return ErrNotNegotiated
	}
	if pt == 0 {
		return ErrDTMFNotNegotiated
	}

	return s.track.sendDTMF(ctx, digit, duration, s.done)
}

// onTrack runs pion's OnTrack callback (already on its own goroutine): it
// reads the far end's audio until the session closes.
func (s *Session) onTrack(tr *webrtc.TrackRemote, rx *webrtc.RTPReceiver) {
	if tr.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	s.remoteSSRC.Store(uint32(tr.SSRC()))
	s.recvSeen.Store(true)
	// Sender reports from the far end arrive on the receiver (RTCP SR, RFC 3550 §6.4.1).
	s.goRun(func() { s.drainRTCP(rx.ReadRTCP) })
	s.goRun(func() { s.readLoop(tr) })
}

func (s *Session) readLoop(tr *webrtc.TrackRemote) {
	var dtmf dtmfReceiver
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			if errors.Is(err, io.EOF) || s.checkOpen() != nil {
				return
			}
			// A payload type the media engine does not know: skip the packet.
			if errors.Is(err, webrtc.ErrCodecNotFound) {
				continue
			}
			s.log.Debug("RTP read ended", "err", err)

			return
		}
		s.recvPackets.Add(1)
		s.recvOctets.Add(uint64(len(pkt.Payload)))
		if !s.receiving.Load() {
			continue // RFC 3264 §5.1: we declared we do not receive.
		}
		if s.isDTMF(pkt.PayloadType) {
			if d, ok := dtmf.receive(pkt); ok {
				if fn := s.dtmfHandler.Load(); fn != nil && *fn != nil {
					(*fn)(d)
				}
			}

			continue
		}
		if fn := s.rtpHandler.Load(); fn != nil && *fn != nil {
			(*fn)(pkt)
		}
	}
}

func (s *Session) isDTMF(pt uint8) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.dtmfPTs {
		if p == pt {
			return true
		}
	}

	return false
}

func (s *Session) onConnectionState(ps webrtc.PeerConnectionState) {
	st := stateFromPion(ps)
	s.mu.Lock()
	if s.state == st || s.state == StateClosed {
		s.mu.Unlock()

		return
	}
	s.state = st
	close(s.changed)
	s.changed = make(chan struct{})
	fn := s.stateHandler
	s.mu.Unlock()
	s.log.Info("media connection state", "state", st.String())
	if fn != nil {
		fn(st)
	}
}

// State is the current media connection state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.state
}

// OnStateChange sets the function called on every state change, from a
// pion goroutine; it must not block.
func (s *Session) OnStateChange(fn func(State)) {
	s.mu.Lock()
	s.stateHandler = fn
	s.mu.Unlock()
}

// WaitConnected waits until ICE is connected and the DTLS handshake is done
// (state connected), or returns a plain-language error when the connection
// failed, the session closed or ctx ended.
func (s *Session) WaitConnected(ctx context.Context) error {
	for {
		s.mu.Lock()
		st, ice, ch := s.state, s.iceState, s.changed
		s.mu.Unlock()
		switch st {
		case StateConnected:
			return nil
		case StateFailed:
			return fmt.Errorf("%w: %s", ErrConnectFailed, failureReason(ice))
		case StateClosed:
			return ErrClosed
		case StateNew, StateConnecting, StateDisconnected:
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%w: gave up while %s: %w", ErrConnectFailed, failureReason(ice), ctx.Err())
		}
	}
}

func failureReason(ice webrtc.ICEConnectionState) string {
	switch ice {
	case webrtc.ICEConnectionStateFailed, webrtc.ICEConnectionStateDisconnected:
		return "no network path to the far end's media address was found (firewall or NAT?)"
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		return "the network path works but the encryption handshake (DTLS) did not complete"
	case webrtc.ICEConnectionStateChecking:
		return "still checking network paths to the far end"
	case webrtc.ICEConnectionStateNew, webrtc.ICEConnectionStateClosed, webrtc.ICEConnectionStateUnknown:
	}

	return "the media connection never started (no answer applied?)"
}

// Close ends the media session and waits for every goroutine it started.
// It is idempotent.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()

		return nil
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()

	err := s.pc.Close()
	s.wg.Wait()
	s.onConnectionState(webrtc.PeerConnectionStateClosed)
	if err != nil {
		return fmt.Errorf("close media: %w", err)
	}

	return nil
}
