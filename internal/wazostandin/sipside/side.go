// Package sipside is the stand-in's Asterisk as a softphone sees it over
// SIP: a registrar for the users' lines on wss://HOST/api/asterisk/ws, a
// B2BUA joining each user leg (real WebRTC media) to an in-process scripted
// peer, the ring logic for calls to the user, and the mixer that moves audio
// between bridged channels. It drives the call model as Asterisk drives
// calld and never talks HTTP beyond the websocket upgrade it is handed.
package sipside

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/media"
)

// Side is the stand-in for Asterisk behind wss://HOST/api/asterisk/ws
// (docs/wazo-protocol.md, Lines and registration): a registrar for the users' SIP lines and a B2BUA that connects the
// user's WebRTC leg to in-process scripted peers, driving the call model
// (channels, bridges, conferences) as Asterisk drives calld.
//
// Nothing runs until the first SIP websocket or Ring (ensure); Close stops
// everything.
type Side struct {
	cfg   Config
	log   *slog.Logger
	calls *callmodel.Model

	initOnce sync.Once
	initErr  error
	ua       *sipgo.UserAgent
	srv      *sipgo.Server
	cli      *sipgo.Client
	dua      *sipgo.DialogUA
	ln       *sipListener
	reg      *registrar
	mixer    *bridgeMixer
	unsub    func()

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	qualified atomic.Int64 // OPTIONS answered on registered flows (tests)

	mu        sync.Mutex
	closed    bool
	legs      map[string]*userLeg // by SIP Call-ID
	byChannel map[string]*userLeg // by the user's channel id
	peers     map[string]*Peer    // by the peer's channel id
}

// ErrClosed: the SIP side (the stack) was closed.
var ErrClosed = errors.New("wazostandin: stack closed")

// New builds the SIP side and installs its hooks on cfg.Calls. It starts
// no goroutine.
func New(cfg Config) *Side {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	x := &Side{
		cfg: cfg, log: cfg.Log, calls: cfg.Calls,
		ctx: ctx, cancel: cancel,
		legs: map[string]*userLeg{}, byChannel: map[string]*userLeg{}, peers: map[string]*Peer{},
	}
	x.reg = newRegistrar(x)
	x.mixer = newBridgeMixer(cfg.Calls)
	x.ln = newSIPListener(x.listenAddr)
	// The B2BUA ends SIP legs and peers the model hangs up on its own; any
	// hooks given with WithChannelHooks still see every call.
	cfg.Calls.SetHooks(sideHooks{x: x, next: cfg.Hooks})
	cfg.Calls.SetTransferDialer(transferDialer{x: x})
	return x
}

func (x *Side) now() time.Time { return x.cfg.Now() }

// listenAddr is the stack's HTTPS address (or loopback when the handler is
// mounted elsewhere).
func (x *Side) listenAddr() net.Addr {
	if x.cfg.ListenAddr != nil {
		if a := x.cfg.ListenAddr(); a != nil {
			return a
		}
	}
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
}

// ensure builds the sipgo stack and starts its goroutines once.
func (x *Side) ensure() error {
	x.initOnce.Do(func() {
		x.mu.Lock()
		closed := x.closed
		x.mu.Unlock()
		if closed {
			x.initErr = ErrClosed
			return
		}
		host, port := "127.0.0.1", 0
		if a, ok := x.listenAddr().(*net.TCPAddr); ok {
			host, port = a.IP.String(), a.Port
		}
		ua, err := sipgo.NewUA(sipgo.WithUserAgent(x.cfg.UserAgent), sipgo.WithUserAgentHostname(host))
		if err != nil {
			x.initErr = err
			return
		}
		srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(x.log))
		if err != nil {
			_ = ua.Close()
			x.initErr = err
			return
		}
		cli, err := sipgo.NewClient(ua, sipgo.WithClientLogger(x.log), sipgo.WithClientHostname(host))
		if err != nil {
			_ = ua.Close()
			x.initErr = err
			return
		}
		x.ua, x.srv, x.cli = ua, srv, cli
		x.dua = &sipgo.DialogUA{
			Client: cli,
			ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "asterisk", Host: host, Port: port,
				UriParams: sip.HeaderParams{{K: "transport", V: "ws"}}}},
			// WS clients put a fake host in Contact (docs/wazo-protocol.md, Lines and registration): in-dialog requests
			// must go back over the flow they came from (RFC 7118 §5).
			RewriteContact: true,
		}
		srv.OnRegister(x.reg.onRegister)
		srv.OnOptions(x.onOptions)
		srv.OnInvite(x.onInvite)
		srv.OnAck(x.onAck)
		srv.OnBye(x.onBye)
		srv.OnRefer(x.onRefer)
		srv.OnInfo(x.onOK)
		srv.OnMessage(x.onOK)
		srv.OnNotify(x.onOK)
		if x.cfg.Subscribe != nil {
			x.unsub = x.cfg.Subscribe(x.mixer.invalidate)
		}

		x.wg.Add(3)
		go func() {
			defer x.wg.Done()
			_ = srv.ServeWSS(x.ln) // TLS is terminated by the HTTPS server
		}()
		go func() {
			defer x.wg.Done()
			x.mixer.run(x.ctx)
		}()
		go func() {
			defer x.wg.Done()
			x.qualifyLoop()
		}()
	})
	return x.initErr
}

// Close stops the SIP side: media sessions, peers, the sipgo stack (which
// closes the WebSocket flows) and every goroutine. It sends no BYE.
func (x *Side) Close() {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return
	}
	x.closed = true
	legs := make([]*userLeg, 0, len(x.legs))
	for _, l := range x.legs {
		legs = append(legs, l)
	}
	peers := make([]*Peer, 0, len(x.peers))
	for _, p := range x.peers {
		peers = append(peers, p)
	}
	x.mu.Unlock()
	x.initOnce.Do(func() { x.initErr = ErrClosed }) // never start after close
	x.cancel()
	_ = x.ln.Close()
	for _, l := range legs {
		x.releaseLeg(l)
	}
	for _, p := range peers {
		p.stop()
	}
	if x.unsub != nil {
		x.unsub()
	}
	if x.ua != nil {
		_ = x.ua.Close()
	}
	x.wg.Wait()
}

// respond sends a response, logging (not failing) on transport errors.
func (x *Side) respond(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		x.log.Debug("wazostandin: sip respond failed", "code", res.StatusCode, "err", err)
	}
}

func (x *Side) reply(req *sip.Request, tx sip.ServerTransaction, code int, reason string) {
	x.respond(tx, sip.NewResponseFromRequest(req, code, reason, nil))
}

// onOptions answers client OPTIONS (the SDK's heartbeat, docs/wazo-protocol.md, Lines and registration).
func (x *Side) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, NOTIFY, REFER, REGISTER"))
	x.respond(tx, res)
}

// onOK answers in-dialog INFO/MESSAGE/NOTIFY with 200 (docs/wazo-protocol.md, Lines and registration).
func (x *Side) onOK(req *sip.Request, tx sip.ServerTransaction) { x.reply(req, tx, 200, "OK") }

func (x *Side) legByCallID(id string) *userLeg {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.legs[id]
}

func (x *Side) addLeg(l *userLeg, p *Peer) {
	x.mu.Lock()
	x.legs[l.sipCallID] = l
	x.byChannel[l.channelID] = l
	x.mu.Unlock()
	x.mixer.add(l.channelID, l)
	x.addPeer(p)
}

// releaseLeg frees the leg's media and registry entries (idempotent). It
// does not touch the call model or the SIP dialog.
func (x *Side) releaseLeg(l *userLeg) {
	if !l.markEnded() {
		return
	}
	x.mu.Lock()
	if x.legs[l.sipCallID] == l {
		delete(x.legs, l.sipCallID)
	}
	if x.byChannel[l.channelID] == l {
		delete(x.byChannel, l.channelID)
	}
	x.mu.Unlock()
	x.mixer.remove(l.channelID)
	_ = l.media.Close()
	close(l.done)
}

// stopPeer stops a peer whose channel ended.
func (x *Side) stopPeer(channelID string) bool {
	x.mu.Lock()
	p := x.peers[channelID]
	delete(x.peers, channelID)
	x.mu.Unlock()
	if p == nil {
		return false
	}
	x.mixer.remove(channelID)
	p.stop()
	return true
}

// endFromUser: the user's side ended the leg (BYE, CANCEL, reject): hang the
// user's channel up in the model; the model then ends a bridged peer through
// the hook, and we end an unbridged one here.
func (x *Side) endFromUser(l *userLeg, cause int) {
	x.releaseLeg(l)
	_ = x.calls.Hangup(l.channelID, cause)
	x.settlePeer(l.peer.ChannelID(), cause)
}

// settlePeer decides the fate of a peer whose user leg ended. A bridged
// peer lives on (an ad-hoc conference took it over, docs/wazo-protocol.md, Ad-hoc conferences: the host's other
// legs are discarded, not their remote parties); a lone one is hung up; one
// the model already ended is stopped.
func (x *Side) settlePeer(channelID string, cause int) {
	c, ok := x.calls.Get(channelID)
	switch {
	case ok && len(c.Bridges) > 0:
		return
	case ok:
		x.stopPeer(channelID)
		_ = x.calls.Hangup(channelID, cause)
	default:
		x.stopPeer(channelID)
	}
}

// causeFor maps a final SIP status to the Asterisk hangup cause reported
// as call_ended reason_code (docs/wazo-protocol.md, Event websocket; approximate Q.850 mapping).
func causeFor(code int) int {
	switch code {
	case 486, 600:
		return callmodel.CauseUserBusy
	case 480, 408:
		return callmodel.CauseNoAnswer
	case 603, 403:
		return callmodel.CauseCallRejected
	}
	return callmodel.CauseNormalClearing
}

// qualifyLoop sends OPTIONS on every registered flow (Asterisk
// qualify_frequency, docs/wazo-protocol.md, Lines and registration; keeps proxies' idle timers from firing, docs/wazo-protocol.md, Authentication).
func (x *Side) qualifyLoop() {
	t := time.NewTicker(x.cfg.Qualify)
	defer t.Stop()
	for {
		select {
		case <-x.ctx.Done():
			return
		case <-t.C:
			for _, b := range x.reg.all() {
				if err := x.qualify(b); err != nil {
					x.log.Info("wazostandin: sip flow unreachable, dropping its bindings", "flow", b.flow, "err", err)
					x.reg.dropFlow(b.flow)
				}
			}
		}
	}
}

func (x *Side) qualify(b binding) error {
	req := sip.NewRequest(sip.OPTIONS, b.contact)
	x.toFlow(req, b)
	ctx, cancel := context.WithTimeout(x.ctx, 10*time.Second)
	defer cancel()
	res, err := x.cli.Do(ctx, req)
	if err != nil {
		if errors.Is(err, context.Canceled) && x.ctx.Err() != nil {
			return nil
		}
		return err
	}
	_ = res // any response proves the flow alive (RFC 3261 §11.2)
	x.qualified.Add(1)
	return nil
}

// toFlow sends a request over the WebSocket the binding registered from.
func (x *Side) toFlow(req *sip.Request, b binding) {
	req.SetDestination(b.flow)
	req.SetTransport(b.transport)
}

// sipDomain is the host the user agent used as SIP domain.
func sipDomainOf(b binding, fallback string) string {
	if b.domain != "" {
		return b.domain
	}
	return fallback
}

// newMedia creates the media session of a user leg.
func (x *Side) newMedia() (*media.Session, error) {
	return media.New(media.WithLogger(x.log), media.WithLoopback(x.cfg.Loopback))
}

// Peer returns the running scripted peer of a channel (e.g. a PeerRecorder
// whose Heard audio a test analyses), or false when that channel is not a
// live peer.
func (x *Side) Peer(channelID string) (*Peer, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	p, ok := x.peers[channelID]
	return p, ok
}
