// Package rtc is the WebRTC media of one call: a single audio stream over
// ICE (RFC 8445), DTLS-SRTP (RFC 5763/5764), BUNDLE (RFC 8843) and rtcp-mux
// (RFC 5761), built on pion/webrtc v4. It does no SIP: the phone engine
// carries the SDP bodies in INVITE/200/ACK and calls:
//
//	outgoing call:  CreateOffer → (SIP) → SetAnswer
//	incoming call:  Answer(offer) → (SIP 200 OK)
//	hold / resume:  Reoffer(DirectionSendOnly | DirectionSendRecv) → SetAnswer
//	remote re-INVITE: AnswerReoffer(offer)
//
// then WaitConnected. Every SDP it returns already holds all ICE candidates
// (no trickle in SIP). Every far-end SDP first goes through Normalize, which
// makes FreeSWITCH/baresip/Asterisk SDPs acceptable to pion (a=mid, BUNDLE,
// explicit direction) and turns unusable ones into plain-language errors.
//
// The audio pipeline pushes encoded frames with SendAudio and gets received
// packets through SetRTPHandler; Codec tells both sides what was negotiated.
// DTMF goes in-band as RFC 4733 telephone-event (SendDTMF, OnDTMF) on the
// audio SSRC. Stats gives packet counts, loss, jitter and RTT from RTCP.
//
// Hold follows RFC 3264 §8.4 at this package's level (pion cannot change a
// transceiver's direction): the SDP carries the real direction and Session
// stops sending / delivering media accordingly; ICE and DTLS keep running.
package rtc
