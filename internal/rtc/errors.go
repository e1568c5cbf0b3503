package rtc

import "errors"

// Sentinel errors. Every error returned by this package wraps one of these
// (test with errors.Is); their text is written so that the phone engine can
// show it to a user as is.
var (
	// ErrEmptySDP: the far end sent an empty session description.
	ErrEmptySDP = errors.New("the far end sent an empty media description")
	// ErrMalformedSDP: the far end's SDP cannot be parsed (RFC 8866 syntax).
	ErrMalformedSDP = errors.New("the far end sent a media description Parley cannot read")
	// ErrNoAudio: the SDP has no usable (port ≠ 0) audio m-line.
	ErrNoAudio = errors.New("the far end offered no audio")
	// ErrNotWebRTC: the audio stream is plain RTP/SRTP, not DTLS-SRTP
	// (RFC 5763/5764); pion can only talk ICE + DTLS-SRTP.
	ErrNotWebRTC = errors.New("the far end offers plain RTP without DTLS-SRTP; " +
		"Parley needs a WebRTC-capable line (webrtc=yes)")
	// ErrNoFingerprint: no a=fingerprint (RFC 8122), so DTLS cannot be authenticated.
	ErrNoFingerprint = errors.New("the far end's media description has no DTLS fingerprint; " +
		"Parley needs a WebRTC-capable line (webrtc=yes)")
	// ErrNoICECredentials: no a=ice-ufrag / a=ice-pwd (RFC 8839).
	ErrNoICECredentials = errors.New("the far end's media description has no ICE credentials (ice-ufrag/ice-pwd); " +
		"Parley needs a WebRTC-capable line (webrtc=yes)")
	// ErrNoRTCPMux: the audio stream does not multiplex RTCP with RTP
	// (RFC 5761); JSEP's "require" policy (RFC 8829 §4.1.1) refuses it.
	ErrNoRTCPMux = errors.New("the far end does not multiplex RTCP with RTP (rtcp-mux); " +
		"Parley needs a WebRTC-capable line (rtcp_mux=yes)")
	// ErrNoCommonCodec: none of the offered audio codecs is one Parley speaks.
	ErrNoCommonCodec = errors.New("the far end offered no audio codec Parley supports (Opus, G.711)")
	// ErrUnknownCodec: Config.Codecs names a codec this package does not know.
	ErrUnknownCodec = errors.New("unknown codec name")
	// ErrBadConfig: an invalid Config value.
	ErrBadConfig = errors.New("invalid media configuration")
	// ErrGatherTimeout: ICE gathering produced no candidate in time.
	ErrGatherTimeout = errors.New("could not find a network address for the call's media in time")
	// ErrConnectFailed: ICE or DTLS failed; media cannot flow.
	ErrConnectFailed = errors.New("the media connection to the far end could not be established")
	// ErrDisconnected: the media connection dropped.
	ErrDisconnected = errors.New("the media connection to the far end was lost")
	// ErrClosed: the session was closed.
	ErrClosed = errors.New("the call's media session is closed")
	// ErrWrongState: an operation was called at the wrong point of the offer/answer exchange.
	ErrWrongState = errors.New("media negotiation is in the wrong state for this step")
	// ErrNotNegotiated: no offer/answer has completed yet.
	ErrNotNegotiated = errors.New("media is not negotiated yet")
	// ErrDTMFNotNegotiated: the far end did not accept telephone-event (RFC 4733);
	// the engine should fall back to SIP INFO.
	ErrDTMFNotNegotiated = errors.New("the far end does not accept in-band DTMF (RFC 4733 telephone-event)")
	// ErrBadDTMFDigit: a digit outside 0-9 * # A-D.
	ErrBadDTMFDigit = errors.New("not a DTMF digit (use 0-9, *, #, A-D)")
)
