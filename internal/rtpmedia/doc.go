// Package rtpmedia is the classic SIP media path: one audio stream over
// plain RTP (RTP/AVP, RTP/AVPF; RFC 3550, RFC 3551, RFC 4585) or SDES-SRTP
// (RTP/SAVP, RTP/SAVPF with a=crypto; RFC 3711, RFC 4568) on a plain UDP
// socket, as desk phones, SIP trunks and most PBXes speak it. It sits
// beside internal/rtc's WebRTC session and implements the same
// rtc.CallMedia interface, so the phone engine and the audio pipeline use
// either without knowing which.
//
// What it does, and where:
//
//   - SDP offer/answer (RFC 3264) for one audio m-line: sdp.go. Codecs
//     Opus, PCMU, PCMA (and G.722 as soon as internal/codec can build it,
//     see codecs.go); telephone-event (RFC 4733) at the codec's clock;
//     a=ptime/maxptime (RFC 4566 §6); sendrecv/sendonly/recvonly/inactive
//     both ways; RTCP on port+1 (or a=rtcp, RFC 3605) or multiplexed with
//     RTP (a=rtcp-mux, RFC 5761).
//   - SDES keys (a=crypto, AES_CM_128_HMAC_SHA1_80 and _32): crypto.go.
//     Keys never reach a log. A packet whose SRTP tag does not verify is
//     dropped and counted (Stats.SRTPAuthFailures), never fatal.
//   - The UDP sockets, an even RTP port and port+1 from an optional range
//     (RFC 3550 §11): ports.go.
//   - Symmetric RTP (RFC 4961) and latching ("comedia"): we send from the
//     port we receive on, and once media arrives we send to the address it
//     came from rather than the one the SDP advertised, so a peer behind
//     NAT still hears us: session.go.
//   - RTCP sender and receiver reports (RFC 3550 §6.4) feeding loss,
//     jitter and round-trip time into rtc.Stats, the shape the call-quality
//     events and MOS use: rtcp.go.
//   - Audio and RFC 4733 events are written by rtc.Sender, the same code
//     as the WebRTC path, so DTMF follows the same clock and pacing rules.
//
// There is no connection handshake: a session is "connected" as soon as an
// offer/answer exchange has completed.
package rtpmedia
