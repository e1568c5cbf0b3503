package phone

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/sipua"
)

// mediaConnectTimeout bounds ICE + DTLS after the answer; beyond it the call
// is reported as having no audio (the SIP dialog stays up: the user decides).
const mediaConnectTimeout = 20 * time.Second

// newWebRTCMedia opens a WebRTC session (ICE, DTLS-SRTP).
func (p *Phone) newWebRTCMedia() (rtc.CallMedia, error) {
	opts := []rtc.Option{rtc.WithLogger(p.cfg.logger)}
	if ip := net.ParseIP(p.cfg.localIP); ip != nil {
		opts = append(opts, mediaAt(ip)) // before mediaOpts: a caller's own socket wins
	}
	opts = append(opts, p.cfg.mediaOpts...)
	s, err := rtc.NewSession(p.cfg.media, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMediaFailed, err)
	}
	return s, nil
}

// established moves a call to talking: records the dialog, gives it the
// microphone, watches the dialog's end and starts media checks.
func (p *Phone) established(c *call, dlg *sipua.Dialog) {
	id := c.session.SIPCallID
	p.mu.Lock()
	if c.ended {
		p.mu.Unlock()
		_ = dlg.Bye(context.Background())
		return
	}
	c.dialog = dlg
	c.incoming = nil
	c.session.Status = StatusEstablished
	c.session.Ringing = false
	c.session.EarlyMedia = false
	mediaStarted := c.earlySDP != nil // by early media: keep it, unmute below
	media := c.media
	c.session.Answered = true
	c.session.AnswerTime = time.Now()
	c.session.SIPStatus = 200
	c.session.MediaSecurity = securityOf(media)
	if p.cfg.serverIDHeader != "" && c.session.CallID == "" {
		c.session.CallID = dlg.Header(p.cfg.serverIDHeader)
	}
	snap := c.snapshot()
	p.mu.Unlock()

	dlg.SetHandler(&dialogHandler{p: p, id: id})
	p.makeActive(id)
	p.emit(Event{Type: EventCallAccepted, Call: &snap, Code: 200})

	media.OnDTMF(func(d rune) {
		s, _ := p.Session(id)
		p.emit(Event{Type: EventDTMFReceived, Call: &s, Digit: string(d)})
	})
	p.goTracked(func() { p.watchDialog(c, dlg) })
	if mediaStarted {
		p.syncAudio(c) // the microphone is heard from the answer on
		return
	}
	p.goTracked(func() { p.startMedia(c) })
}

// watchDialog ends the call when the dialog ends (BYE either way, timeout).
func (p *Phone) watchDialog(c *call, dlg *sipua.Dialog) {
	select {
	case <-dlg.Done():
		byRemote, code, reason := dlg.EndReason()
		msg, why := "you hung up", ReasonLocalHangup
		p.mu.Lock()
		replacing, handedTo := c.replacing, c.handedTo
		p.mu.Unlock()
		switch {
		case handedTo != "" && byRemote:
			msg, why = "the call was transferred to "+handedTo, ReasonTransferred
			p.mu.Lock()
			c.session.TransferredTo = handedTo
			p.mu.Unlock()
			if s, ok := p.Session(c.session.SIPCallID); ok {
				p.emit(Event{Type: EventCallTransferred, Call: &s, Reason: "transferred to " + handedTo, ReasonCode: ReasonTransferred})
			}
		case replacing:
			msg, why = "the call was transferred", ReasonTransferred
		case byRemote:
			msg, why = "the other party hung up", ReasonRemoteHangup
		}
		if reason != "" && code != 0 && code != 200 {
			msg, why = reason, dialogEndReason(code)
		}
		p.endCall(c.session.SIPCallID, code, why, msg)
	case <-c.stop:
	}
}

// startMedia waits for ICE and DTLS, then connects audio and reports
// quality. It runs for the call's media session of the moment; a session
// replaced meanwhile (renewMedia) ends it quietly.
func (p *Phone) startMedia(c *call) {
	id := c.session.SIPCallID
	p.mu.Lock()
	media := c.media
	p.mu.Unlock()
	replaced := func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return c.media != media
	}
	ctx, cancel := context.WithTimeout(context.Background(), mediaConnectTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := media.WaitConnected(ctx); err != nil {
		select {
		case <-c.stop:
			return
		default:
		}
		if replaced() {
			return
		}
		s, _ := p.Session(id)
		p.emit(Event{Type: EventMediaFailed, Call: &s, Reason: "no audio: " + err.Error(), ReasonCode: ReasonMediaFailed})
		return
	}
	s, _ := p.Session(id)
	p.emit(Event{Type: EventMediaConnected, Call: &s})

	if p.cfg.audio != nil {
		a, err := p.cfg.audio.Open(id, media)
		if err != nil {
			p.emit(Event{Type: EventMediaFailed, Call: &s, Reason: "the sound device could not be opened: " + err.Error(), ReasonCode: ReasonMediaFailed})
		} else {
			p.mu.Lock()
			gone := c.ended || c.media != media
			if !gone {
				c.audio = a
			}
			p.mu.Unlock()
			if gone {
				_ = a.Close()
				return
			}
			p.syncAudio(c)
		}
	}
	p.reportQuality(c, media)
}

// syncAudio applies the call's mute, hold and active state to its audio.
// Before the answer (early media) the microphone stays silent: RFC 3960
// leaves it to the UAC, and nobody is there to hear it yet.
func (p *Phone) syncAudio(c *call) {
	c.audioMu.Lock()
	defer c.audioMu.Unlock()
	p.mu.Lock()
	a := c.audio
	muted := c.session.Muted || !c.session.Answered
	held := c.session.Paused || c.session.RemoteHeld
	active := p.activeID == c.session.SIPCallID
	p.mu.Unlock()
	if a == nil {
		return
	}
	a.SetMuted(muted)
	a.SetHeld(held)
	a.SetActive(active)
}

// reportQuality emits call_quality every interval until the call ends or
// gets another media session.
func (p *Phone) reportQuality(c *call, media rtc.CallMedia) {
	if p.cfg.qualityInterval <= 0 {
		return
	}
	t := time.NewTicker(p.cfg.qualityInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			p.mu.Lock()
			current := c.media == media
			p.mu.Unlock()
			if !current {
				return
			}
			q := p.quality(c)
			s, ok := p.Session(c.session.SIPCallID)
			if !ok {
				return
			}
			p.emit(Event{Type: EventCallQuality, Call: &s, Quality: &q})
		}
	}
}

func (p *Phone) quality(c *call) Quality {
	p.mu.Lock()
	media := c.media
	p.mu.Unlock()
	st := media.Stats()
	q := Quality{
		PacketsSent:     st.PacketsSent,
		PacketsReceived: st.PacketsReceived,
		PacketsLost:     st.PacketsLost,
		Jitter:          st.Jitter,
		RTT:             st.RTT,

		SRTPAuthFailures: st.SRTPAuthFailures,
	}
	p.mu.Lock()
	a := c.audio
	p.mu.Unlock()
	if a != nil {
		as := a.Stats()
		q.PlayoutDelay, q.ConcealedFrames = as.PlayoutDelay, as.ConcealedFrames
	}
	q.MOS = EstimateMOS(q)
	return q
}
