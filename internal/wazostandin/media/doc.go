// Package media is the stand-in's WebRTC media endpoint towards the user's
// softphone, built directly on pion/webrtc. It deliberately shares no code
// with Parley's own internal/rtc: a bug in Parley's SDP handling must show up
// as a mismatch against this independent peer, not be mirrored on both ends.
//
// The SDP it writes has the shape Asterisk sends for a `webrtc=yes` endpoint
// (docs/wazo-protocol.md, Lines and registration; Asterisk
// res/res_pjsip/pjsip_configuration.c): UDP/TLS/RTP/SAVPF, BUNDLE, rtcp-mux,
// full ICE (not ice-lite), a DTLS fingerprint with a=setup:actpass in offers
// and a=setup:active in answers, Opus/48000/2, PCMU, PCMA and
// telephone-event/8000 (RFC 4733).
package media
