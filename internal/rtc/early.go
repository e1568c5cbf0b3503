package rtc

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Early media (RFC 3960). The SDP of a 183 (or 180) to our INVITE is applied
// with SetAnswer like a final answer, so ICE and DTLS start before the 200
// and the announcement or ringback the network plays is heard.
//
// pion's pranswer support is not used: pion v4.2.20 treats a remote
// SDPTypePranswer like a remote offer (weOffer is true only for "answer"),
// so the offerer would take the controlled ICE role and start neither its
// RTP senders nor its receivers, and the final answer would start the ICE
// and DTLS transports a second time. Chromium and Firefox do not implement
// pranswer either; SIP.js and JsSIP apply a 183 as the answer the same way.
//
// The 2xx then carries the answer that counts (RFC 3261 §13.2.1). When it
// is the 183's SDP again, nothing changes. When it differs, ReplaceAnswer
// applies it.

// ErrMediaMoved: the final answer names another ICE agent or DTLS
// certificate than the early-media answer (another fork answered, RFC 3960
// §3.1), so the running media connection cannot carry the call.
var ErrMediaMoved = errors.New("the device that answered is not the one that played early media; " +
	"its audio needs a new media connection")

// ReplaceAnswer applies the far end's final answer to our initial offer
// when it differs from the early-media answer applied before with
// SetAnswer. Codec and direction changes are taken; ICE and DTLS keep
// running, so a changed ICE ufrag or DTLS fingerprint is refused with
// ErrMediaMoved (the caller needs a fresh Session and offer, e.g. by
// re-INVITE).
//
// pion can only take a remote answer to a local offer, so a local re-offer
// (same ICE credentials and certificate, no new gathering) is set first; it
// never leaves this process.
func (s *Session) ReplaceAnswer(answer []byte) error {
	s.negotiate.Lock()
	defer s.negotiate.Unlock()
	if err := s.checkOpen(); err != nil {
		return err
	}
	cur := s.pc.CurrentRemoteDescription()
	if s.pc.SignalingState() != webrtc.SignalingStateStable || cur == nil {
		return fmt.Errorf("%w: no early-media answer to replace", ErrWrongState)
	}
	if len(bytes.TrimSpace(answer)) == 0 {
		return ErrEmptySDP
	}
	oldT, err := transportOf([]byte(cur.SDP))
	if err != nil {
		return err
	}
	newT, err := transportOf(answer)
	if err != nil {
		return err
	}
	if oldT != newT {
		return ErrMediaMoved
	}
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return fmt.Errorf("create offer: %w", err)
	}
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("set local offer: %w", err)
	}
	if err := s.setAnswer(answer); err != nil {
		if s.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
			_ = s.pc.SetLocalDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback})
		}
		return err
	}

	return nil
}

// mediaTransport is what identifies the far end's media connection: its
// ICE credentials (RFC 8839 §5.4) and DTLS certificate (RFC 8122).
type mediaTransport struct {
	ufrag, pwd, fingerprint string
}

// transportOf reads the audio section's transport, falling back to the
// session level for attributes written there.
func transportOf(raw []byte) (mediaTransport, error) {
	var d sdp.SessionDescription
	if err := d.Unmarshal(raw); err != nil {
		return mediaTransport{}, fmt.Errorf("%w: %w", ErrMalformedSDP, err)
	}
	get := func(key string) string {
		for _, m := range d.MediaDescriptions {
			if m.MediaName.Media != "audio" {
				continue
			}
			if v, ok := m.Attribute(key); ok {
				return v
			}
			break
		}
		v, _ := d.Attribute(key)
		return v
	}

	return mediaTransport{ufrag: get("ice-ufrag"), pwd: get("ice-pwd"), fingerprint: strings.ToLower(get("fingerprint"))}, nil
}
