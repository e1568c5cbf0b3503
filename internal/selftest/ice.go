package selftest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pion/webrtc/v4"
)

// checkICE gathers candidates the way a call does (UDP over IPv4, the
// configured STUN servers) and reports the three kinds of RFC 8445 §5.1.1:
// host, server-reflexive and relayed.
func (c *Checker) checkICE(ctx context.Context, emit func(Result)) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	cands, err := c.gather(ctx)
	if err != nil {
		emit(result(CheckICEHost, StatusFailed, msg("Candidates could not be gathered ({{.Error}}).", "Error", err.Error()), msg("Check that this computer has a network connection.")))
		emit(result(CheckICEReflexive, StatusSkipped, msg("Not checked: gathering failed."), Message{}))
		emit(c.relayResult(nil))
		return
	}
	var host, srflx, relay []string
	for _, cand := range cands {
		addr := fmt.Sprintf("%s:%d", cand.Address, cand.Port)
		switch cand.Typ {
		case webrtc.ICECandidateTypeHost:
			host = append(host, addr)
		case webrtc.ICECandidateTypeSrflx:
			srflx = append(srflx, addr)
		case webrtc.ICECandidateTypeRelay:
			relay = append(relay, addr)
		}
	}
	if len(host) == 0 {
		emit(result(CheckICEHost, StatusFailed, msg("No local network address can carry audio."), msg("Check that this computer is connected to a network.")))
	} else {
		emit(result(CheckICEHost, StatusOK, msg("Audio can use {{.Addresses}}.", "Addresses", strings.Join(host, ", ")), Message{}))
	}
	switch {
	case len(c.cfg.STUN) == 0:
		emit(result(CheckICEReflexive, StatusWarning, msg("No STUN server is configured, so Parley cannot learn its public address."),
			msg("That is fine on the office network or when the server fixes addresses itself (Wazo does); from home, behind a router, calls may have no audio: ask your administrator for a STUN server.")))
	case len(srflx) == 0:
		emit(result(CheckICEReflexive, StatusFailed, msg("No STUN server answered ({{.Servers}}).", "Servers", strings.Join(c.cfg.STUN, ", ")),
			msg("Check the STUN address; a firewall may block UDP to it: ask your IT team to allow it.")))
	default:
		emit(result(CheckICEReflexive, StatusOK, msg("The STUN server sees this computer as {{.Addresses}}.", "Addresses", strings.Join(srflx, ", ")), Message{}))
	}
	emit(c.relayResult(relay))
}

// relayResult reports the relayed candidates (RFC 8656) the configured
// TURN servers gave; the servers are named by URL only, never credential.
func (c *Checker) relayResult(relay []string) Result {
	if len(c.cfg.TURN) == 0 {
		return result(CheckICERelay, StatusSkipped, msg("Not configured: no TURN server is set for this line."),
			msg("On networks that allow no UDP at all, calls need a relay: the server's own media servers (Wazo), or a TURN server your administrator gives you."))
	}
	urls := make([]string, 0, len(c.cfg.TURN))
	for _, t := range c.cfg.TURN {
		urls = append(urls, t.URL)
	}
	if len(relay) == 0 {
		return result(CheckICERelay, StatusFailed, msg("No TURN server gave a relay ({{.Servers}}).", "Servers", strings.Join(urls, ", ")),
			msg("Check the TURN address, user and password; a firewall may block the TURN port: ask your IT team to allow it."))
	}
	return result(CheckICERelay, StatusOK, msg("The TURN server relays audio through {{.Addresses}}.", "Addresses", strings.Join(relay, ", ")), Message{})
}

// gather runs ICE gathering on a throw-away peer connection offering one
// audio stream, and returns every candidate it found.
func (c *Checker) gather(ctx context.Context) ([]webrtc.ICECandidate, error) {
	var se webrtc.SettingEngine
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(c.cfg.IncludeLoopback)
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
	var servers []webrtc.ICEServer
	if len(c.cfg.STUN) > 0 {
		servers = []webrtc.ICEServer{{URLs: c.cfg.STUN}}
	}
	for _, t := range c.cfg.TURN {
		servers = append(servers, webrtc.ICEServer{URLs: []string{t.URL}, Username: t.Username, Credential: t.Credential})
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: servers})
	if err != nil {
		return nil, err
	}
	defer func() { _ = pc.Close() }()
	var mu sync.Mutex
	var cands []webrtc.ICECandidate
	pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil {
			mu.Lock()
			cands = append(cands, *cand)
			mu.Unlock()
		}
	})
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return nil, err
	}
	select {
	case <-done:
	case <-ctx.Done():
		// A STUN server that never answers: report what came so far.
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]webrtc.ICECandidate(nil), cands...), nil
}
