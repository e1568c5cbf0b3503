package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/parley-voip/parley/internal/codec"
)

const mimeTelephoneEvent = "audio/telephone-event"

var errClosed = errors.New("media: session closed")

// Payload types as Asterisk numbers them in its offers (main/rtp_engine.c
// static table: PCMU 0, PCMA 8; dynamic opus 107, telephone-event 101).
const (
	ptOpus           = 107
	ptTelephoneEvent = 101
)

// Option configures a Session.
type Option func(*config)

type config struct {
	log      *slog.Logger
	loopback bool
}

// WithLogger sets the session's logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithLoopback adds 127.0.0.1 ICE candidates, so both ends can run on one
// machine without a routable interface (tests, demo mode).
func WithLoopback(on bool) Option { return func(c *config) { c.loopback = on } }

// Session is one WebRTC audio session towards the user's softphone.
type Session struct {
	log   *slog.Logger
	pc    *webrtc.PeerConnection
	track *sendTrack
	stop  chan struct{}
	wg    sync.WaitGroup

	mu      sync.Mutex
	params  codec.Params
	onRTP   func(*rtp.Packet)
	remDTMF uint8 // the user's telephone-event PT, filtered from audio
	onDTMF  func(digit rune)
	closed  bool
}

// SetDTMFHandler sets what runs for each RFC 4733 digit the user sends, once
// per digit (at its end), on the session's reader goroutine. Asterisk passes
// such digits through the bridge to the other party; the stand-in hands them
// to the scripted peer, so tests can check what the far end received.
func (s *Session) SetDTMFHandler(fn func(digit rune)) {
	s.mu.Lock()
	s.onDTMF = fn
	s.mu.Unlock()
}

// New creates a session with one sendrecv audio transceiver.
func New(opts ...Option) (*Session, error) {
	cfg := config{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	me := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine: "useinbandfec=1"}, PayloadType: ptOpus},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000}, PayloadType: 8},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mimeTelephoneEvent, ClockRate: 8000,
			SDPFmtpLine: "0-16"}, PayloadType: ptTelephoneEvent},
	} {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, err
		}
	}
	// Asterisk sends RTCP SR/RR on the muxed port (rtcp_mux).
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(cfg.loopback)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// Asterisk offers a=setup:actpass and, answering an actpass offer, takes
	// the active role (res/res_rtp_asterisk.c dtls_perform_setup).
	if err := se.SetAnsweringDTLSRole(webrtc.DTLSRoleClient); err != nil {
		return nil, err
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		return nil, err
	}
	s := &Session{log: cfg.log, pc: pc, track: newSendTrack(), stop: make(chan struct{})}
	tr, err := pc.AddTransceiverFromTrack(s.track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv})
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			if _, _, err := tr.Sender().ReadRTCP(); err != nil {
				return
			}
		}
	}()
	pc.OnTrack(s.onTrack)
	return s, nil
}

// CreateOffer writes the initial offer (a=setup:actpass), with all ICE
// candidates: SIP has no trickle ICE.
func (s *Session) CreateOffer(ctx context.Context) ([]byte, error) {
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	return s.setLocal(ctx, offer, "")
}

// SetAnswer applies the user's answer to our offer.
func (s *Session) SetAnswer(answer []byte) error {
	p, err := negotiated(answer)
	if err != nil {
		return err
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(answer)}); err != nil {
		return err
	}
	s.setParams(p, p.DTMFPayloadType)
	return nil
}

// Answer answers the user's initial offer.
func (s *Session) Answer(ctx context.Context, offer []byte) ([]byte, error) {
	if s.pc.CurrentRemoteDescription() != nil {
		return nil, fmt.Errorf("media: Answer is for the first offer")
	}
	return s.answer(ctx, offer)
}

// AnswerReoffer answers a re-INVITE's offer in the established session.
func (s *Session) AnswerReoffer(ctx context.Context, offer []byte) ([]byte, error) {
	if s.pc.CurrentRemoteDescription() == nil {
		return nil, fmt.Errorf("media: a re-offer needs an established session")
	}
	return s.answer(ctx, offer)
}

func (s *Session) answer(ctx context.Context, offer []byte) ([]byte, error) {
	p, err := negotiated(offer)
	if err != nil {
		return nil, err
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)}); err != nil {
		return nil, err
	}
	ans, err := s.pc.CreateAnswer(nil)
	if err != nil {
		_ = s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback})
		return nil, err
	}
	dir, err := OfferedDirection(offer)
	if err != nil {
		return nil, err
	}
	out, err := s.setLocal(ctx, ans, answerDirection(dir))
	if err != nil {
		return nil, err
	}
	s.setParams(p, p.DTMFPayloadType)
	return out, nil
}

// setLocal applies desc, waits for ICE gathering and returns the SDP with
// the audio direction forced to dir (when not empty): RFC 3264 §6.1 puts
// the hold answer (sendonly → recvonly) in the SDP regardless of whether
// we keep sending.
func (s *Session) setLocal(ctx context.Context, desc webrtc.SessionDescription, dir string) ([]byte, error) {
	done := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(desc); err != nil {
		return nil, err
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("media: ICE gathering: %w", ctx.Err())
	}
	out := s.pc.LocalDescription().SDP
	if dir != "" {
		out = withDirection(out, dir)
	}
	return []byte(out), nil
}

func (s *Session) setParams(p codec.Params, remoteDTMF uint8) {
	s.mu.Lock()
	s.params, s.remDTMF = p, remoteDTMF
	s.mu.Unlock()
	s.track.setPreferred("audio/" + strings.ToLower(p.Name))
}

// Codec is the negotiated audio codec (zero before offer/answer).
func (s *Session) Codec() codec.Params {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.params
}

// SetRTPHandler receives the user's audio packets (telephone-event excluded)
// on the session's reader goroutine.
func (s *Session) SetRTPHandler(fn func(*rtp.Packet)) {
	s.mu.Lock()
	s.onRTP = fn
	s.mu.Unlock()
}

// SendAudio sends one encoded frame lasting d.
func (s *Session) SendAudio(payload []byte, d time.Duration) error {
	return s.track.writeAudio(payload, d)
}

// SendDTMF plays one RFC 4733 digit (d 0: 100 ms); it blocks meanwhile.
func (s *Session) SendDTMF(digit rune, d time.Duration) error {
	return s.track.sendDTMF(digit, d, s.stop)
}

func (s *Session) onTrack(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		var events eventReceiver // this goroutine's alone
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					s.log.Debug("media: RTP read ended", "err", err)
				}
				return
			}
			s.mu.Lock()
			fn, dtmf, onDTMF := s.onRTP, s.remDTMF, s.onDTMF
			s.mu.Unlock()
			if dtmf != 0 && pkt.PayloadType == dtmf {
				if d, ok := events.end(pkt); ok && onDTMF != nil {
					onDTMF(d)
				}
				continue
			}
			if fn != nil {
				fn(pkt)
			}
		}
	}()
}

// Close ends the session and waits for its goroutines.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	err := s.pc.Close()
	s.wg.Wait()
	return err
}

// negotiated reads the preferred codec of an SDP (the first rtpmap of its
// audio m-line the stand-in speaks, RFC 3264 §6.1) and its telephone-event
// payload type.
func negotiated(raw []byte) (codec.Params, error) {
	var d sdp.SessionDescription
	if err := d.Unmarshal(raw); err != nil {
		return codec.Params{}, fmt.Errorf("media: malformed SDP: %w", err)
	}
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		var p codec.Params
		for _, f := range m.MediaName.Formats {
			var pt uint8
			if _, err := fmt.Sscan(f, &pt); err != nil {
				continue
			}
			c, err := d.GetCodecForPayloadType(pt)
			if err != nil {
				continue
			}
			name := strings.ToUpper(c.Name)
			switch {
			case name == "TELEPHONE-EVENT" && c.ClockRate == 8000:
				if p.DTMFPayloadType == 0 {
					p.DTMFPayloadType = pt
				}
			case p.Name == "" && (name == codec.NameOpus || name == codec.NamePCMU || name == codec.NamePCMA):
				p.Name, p.ClockRate, p.PayloadType = name, c.ClockRate, pt
				p.Channels = 1
				if name == codec.NameOpus {
					p.Channels = 2
				}
			}
		}
		if p.Name == "" {
			return codec.Params{}, fmt.Errorf("media: no common audio codec")
		}
		return p, nil
	}
	return codec.Params{}, fmt.Errorf("media: no audio m-line")
}

// OfferedDirection is the audio direction attribute of an SDP (RFC 3264
// docs/wazo-protocol.md, Calls API: sendrecv when absent).
func OfferedDirection(raw []byte) (string, error) {
	var d sdp.SessionDescription
	if err := d.Unmarshal(raw); err != nil {
		return "", fmt.Errorf("media: malformed SDP: %w", err)
	}
	dir := "sendrecv"
	for _, a := range d.Attributes {
		if isDirection(a.Key) {
			dir = a.Key
		}
	}
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		for _, a := range m.Attributes {
			if isDirection(a.Key) {
				return a.Key, nil
			}
		}
	}
	return dir, nil
}

func isDirection(k string) bool {
	return k == "sendrecv" || k == "sendonly" || k == "recvonly" || k == "inactive"
}

// answerDirection is RFC 3264 §6.1's answer to an offered direction.
func answerDirection(offered string) string {
	switch offered {
	case "sendonly":
		return "recvonly"
	case "recvonly":
		return "sendonly"
	case "inactive":
		return "inactive"
	}
	return "sendrecv"
}

// withDirection replaces the direction attribute of every m-line.
func withDirection(raw, dir string) string {
	lines := strings.SplitAfter(raw, "\n")
	for i, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(t, "a=") && isDirection(t[2:]) {
			lines[i] = "a=" + dir + l[len(t):]
		}
	}
	return strings.Join(lines, "")
}
