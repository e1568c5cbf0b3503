package phone

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/sipua"
)

// Early media (RFC 3960): a 183 Session Progress, or a 180, to our INVITE
// may carry SDP, and the network then plays an announcement or its own
// ringback before anyone answers. Its SDP is applied at once (ICE and DTLS
// start, audio is played, the microphone stays silent until the 200), and
// call_early_media tells front ends to show "early media" rather than
// "ringing" and to stop the local ringback. The 200's SDP is the answer
// that counts (RFC 3261 §13.2.1): when it is the early one again the media
// carries on untouched; otherwise it replaces it (rtc.Session.ReplaceAnswer)
// or, if another device answered, the call gets fresh media by re-INVITE.
//
// Reliable provisional responses (RFC 3262, 100rel/PRACK) are not
// implemented: we do not list 100rel in Supported, so a compliant UAS
// does not send Require: 100rel. One that does anyway still has its SDP
// applied, but gets no PRACK; it may then end the call (RFC 3262 §3).

// onEarlySDP applies the SDP of a provisional response as early media. Only
// the first one is applied: later 18x (the same SDP again, or another fork's)
// leave the running early media alone.
func (p *Phone) onEarlySDP(c *call, code int, sdp []byte, require string) {
	id := c.session.SIPCallID
	p.mu.Lock()
	if c.ended || c.earlySDP != nil {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	if hasOptionTag(require, "100rel") {
		p.log.Warn("provisional response requires 100rel (PRACK), which Parley does not support; playing its early media anyway",
			"call", id, "code", code)
	}
	if err := c.media.SetAnswer(sdp); err != nil {
		// The 200's answer is applied as usual; only the early audio is lost.
		p.log.Warn("unusable early-media SDP, waiting for the answer", "call", id, "code", code, "err", err)
		return
	}
	p.mu.Lock()
	if c.ended {
		p.mu.Unlock()
		return
	}
	c.earlySDP = append([]byte(nil), sdp...)
	c.session.EarlyMedia = true
	if c.session.Status == StatusDialing {
		c.session.Status = StatusRinging
	}
	snap := c.snapshot()
	p.mu.Unlock()
	p.makeActive(id)
	p.emit(Event{Type: EventCallEarlyMedia, Call: &snap, Code: code})
	p.goTracked(func() { p.startMedia(c) })
}

// applyFinalAnswer applies the 2xx's SDP to the call's media: as the answer
// to our offer, or after early media as its replacement. It returns a
// plain-language reason when the call cannot go on.
func (p *Phone) applyFinalAnswer(ctx context.Context, c *call, dlg *sipua.Dialog) string {
	id := c.session.SIPCallID
	answer := dlg.RemoteSDP()
	p.mu.Lock()
	early := c.earlySDP
	p.mu.Unlock()
	if early == nil {
		if err := c.media.SetAnswer(answer); err != nil {
			p.log.Warn("unusable answer SDP", "call", id, "err", err)
			return "the far end answered with audio settings Parley cannot use: " + err.Error()
		}
		return ""
	}
	if len(answer) == 0 || sameSDPVersion(early, answer) {
		return "" // the early media is the call's media (RFC 3264 §8: same o= version, same session)
	}
	err := c.media.ReplaceAnswer(answer)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, rtc.ErrMediaMoved):
		p.log.Info("the answering device is not the early-media one; renegotiating media", "call", id)
		if err := p.renewMedia(ctx, c, dlg); err != nil {
			p.log.Warn("new media for the answering device failed", "call", id, "err", err)
			return "the device that answered could not be given audio: " + err.Error()
		}
		return ""
	default:
		p.log.Warn("unusable answer SDP after early media", "call", id, "err", err)
		return "the far end answered with audio settings Parley cannot use: " + err.Error()
	}
}

// sameSDPVersion reports whether two SDP bodies are the same session
// description: byte for byte, or with the same o= line (RFC 3264 §8: a
// description whose version did not change is unchanged).
func sameSDPVersion(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	oa, ob := originLine(a), originLine(b)
	return oa != "" && oa == ob
}

func originLine(sdp []byte) string {
	for _, l := range strings.Split(string(sdp), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "o=") {
			return l
		}
	}
	return ""
}

// hasOptionTag reports whether a Require/Supported value lists tag.
func hasOptionTag(v, tag string) bool {
	for _, t := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tag) {
			return true
		}
	}
	return false
}

// renewMedia gives the call a new media session when the device that sent
// the 200 is not the one whose early media was playing (another fork,
// RFC 3960 §3.1): its ICE agent and DTLS certificate differ, which the
// running connection cannot follow. A re-INVITE with a fresh offer (new ICE
// credentials and certificate, an ICE restart, RFC 8445 §9) sets up
// media with it; the early session and its audio are closed.
func (p *Phone) renewMedia(ctx context.Context, c *call, dlg *sipua.Dialog) error {
	ctx, cancel := context.WithTimeout(ctx, reofferTimeout)
	defer cancel()
	// Only WebRTC sessions report ErrMediaMoved (a classic one just takes
	// the new address), so the new session is WebRTC too: same path.
	m, err := p.newWebRTCMedia()
	if err != nil {
		return err
	}
	offer, err := m.CreateOffer(ctx)
	if err != nil {
		_ = m.Close()
		return err
	}
	c.reinvite.Lock()
	answer, err := dlg.ReInvite(ctx, offer)
	c.reinvite.Unlock()
	if err == nil {
		err = m.SetAnswer(answer)
	}
	if err != nil {
		_ = m.Close()
		return err
	}
	p.mu.Lock()
	if c.ended {
		p.mu.Unlock()
		_ = m.Close()
		return nil
	}
	oldMedia, oldAudio := c.media, c.audio
	c.media, c.audio = m, nil
	c.earlySDP = nil // established starts media on the new session
	p.mu.Unlock()
	if oldAudio != nil {
		_ = oldAudio.Close()
	}
	_ = oldMedia.Close()
	return nil
}
