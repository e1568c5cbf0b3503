// Package sipua is Parley's SIP signalling layer: registration, outgoing
// and incoming INVITE dialogs, re-INVITE, REFER, INFO. It carries SDP as
// opaque bytes; media lives elsewhere. It wraps github.com/emiago/sipgo
// and fills what sipgo leaves to the application (see
// docs/sip.md): the REGISTER loop, Contact fix-up from
// Via received/rport, keep-alive and reconnection, a dialog registry,
// re-INVITE both ways, CANCEL races and re-ACK of retransmitted 2xx.
//
// # API
//
//	ua, err := sipua.New(sipua.Config{Transport: "wss", Server: "wazo.example:443",
//	    WSPath: "/api/asterisk/ws", Username: "abc", Password: "…"}, handler)
//	err = ua.Start(ctx)         // nil once registered; ErrAuthFailed, ErrUnreachable, *StatusError
//	d, err := ua.Dial(ctx, "1002", offer, sipua.DialOptions{OnDialog: …, OnProgress: …})
//	answer := d.RemoteSDP()
//	d.SetHandler(h)             // far-end re-INVITE / BYE / REFER / INFO / NOTIFY
//	_, err = d.ReInvite(ctx, holdOffer)
//	err = d.Refer(ctx, "1003", nil) // blind; d.Refer(ctx, "", other) attended
//	err = d.Bye(ctx)
//	err = ua.Close(ctx)         // BYE active calls, un-REGISTER, stop everything
//
// Handler.OnIncoming receives *Incoming for new calls: Ringing, Answer
// (returns the confirmed *Dialog after the ACK), Reject, Canceled.
//
// # Behaviour worth knowing
//
//   - Out-of-dialog requests (REGISTER, INVITE, OPTIONS) go to Config.Server
//     (outbound proxy), like sip.js over its single WebSocket. In-dialog
//     requests follow the route set and remote target (RFC 3261 §12.2),
//     except on ws/wss where they always use the WebSocket flow (RFC 7118).
//   - Registration: Expires defaults to 600 s; refreshed at 90 % of the
//     granted expiry; digest on 401 and 407, one extra attempt only for a
//     stale nonce, otherwise ErrAuthFailed ("wrong password for u@d"); 403
//     is ErrAuthFailed too; 423 retried with Min-Expires. Transient failures
//     (transport, timeout, 408, 5xx/6xx) are retried with backoff RetryMin
//     (1 s) doubling to RetryMax (60 s), ±20 % jitter; permanent ones (auth,
//     other 4xx) stop the loop with RegFailed{Retrying:false}.
//   - Contact: UDP/TCP use the local address and are rewritten from Via
//     received/rport in the REGISTER 2xx, then re-registered (pjsip and
//     Linphone behaviour). ws/wss use sip:<random>@<random>.invalid;transport=ws
//     like sip.js. Close un-registers our own Contact with expires=0 rather
//     than "Contact: *", which would also unbind the user's other devices.
//   - Every transport: an OPTIONS keep-alive is sent every KeepAlive (15 s)
//     while registered; connection transports (tcp, tls, ws, wss) also
//     check the flow every second (also with KeepAlive < 0, which only
//     disables the pings). A dropped flow or a keep-alive without an answer
//     within 5 s makes the state RegFailed (ErrFlowLost) at once, closes the
//     dead connection and re-registers on a new one (new Call-ID on WS:
//     kamailio keeps a re-used Call-ID bound to the dead flow); the state
//     stays RegFailed until a REGISTER is answered. An unreachable server is
//     retried every RetryUnreachable (3 s) at most.
//   - Dial: CANCEL is sent only after a provisional response (RFC 3261 §9.1),
//     waiting at most 64×T1 for one; a 2xx that crosses the CANCEL is ACKed
//     and hung up. Retransmitted 2xx are re-ACKed by the INVITE transaction
//     (RFC 6026 Accepted state) and, after it ended, by the transaction
//     layer's unhandled-response hook (sipgo #120).
//   - Redirects: a 300/301/302 is followed (RFC 3261 §8.1.3.4): Contacts
//     in q order, each target once, at most Config.MaxRedirects (5) hops,
//     same Call-ID, From and To, CSeq+1 and a new branch, still sent to
//     Config.Server; DialOptions.OnRedirect reports each hop. With
//     MaxRedirects < 0 the 3xx ends Dial with a *StatusError whose Contacts
//     say where to.
//   - Listeners: udp lines listen on LocalIP:LocalPort; tcp and tls lines
//     also listen there (listen.go; tls serves Config.ListenTLS or a
//     self-signed certificate made at Start) and advertise it in Contact
//     and Via, so peers can connect to us.
//   - Large requests (RFC 3261 §18.1.1): on a udp line a request over 1300
//     bytes goes over TCP when the next hop accepts TCP (largetcp.go),
//     otherwise over UDP with the raised limit below.
//   - Incoming: OPTIONS and MESSAGE are answered 200 (Asterisk hangs up
//     otherwise); in-dialog requests for unknown dialogs get 481; CANCEL of
//     a ringing call is answered 200 + 487 by sipgo and closes Canceled().
//     Every response to an INVITE, and its CANCEL's 200, carry one To tag
//     (totag.go, around sipgo). Our 200 is retransmitted until the ACK, which
//     also matches by Call-ID/From tag/CSeq when its To tag differs; no ACK in
//     64×T1 sends BYE and Answer returns ErrNoAck. Incoming.Hangup works at
//     every stage (answer.go).
//   - Late offer (RFC 3261 §13.3.1.4): an INVITE without SDP arrives with
//     Incoming.SDP empty; pass our offer to Answer and read the caller's
//     answer with Dialog.WaitAck (nil if the ACK had none: end with BYE). A
//     re-INVITE without SDP takes our offer from OnReInvite and delivers the
//     ACK's answer (or nil) to AckSDPHandler. Provisional SDP (early media)
//     reaches DialOptions.OnProgress; 100rel/PRACK is not supported.
//   - Malformed requests (missing Call-ID/From/To/CSeq/Via, CSeq method not
//     the request's) get 400; an INVITE body that is not application/sdp gets
//     415 with Accept (400 without Content-Type); nothing dereferences an
//     optional header unchecked. Unparsable datagrams are dropped by sipgo; a
//     framing error on a connection closes it and the flow watch re-registers.
//
// # Threading
//
// All exported methods are safe for concurrent use. Handler.OnRegistration
// calls are queued and delivered in order on one UA goroutine;
// Handler.OnIncoming runs on a goroutine of its own. DialogHandler.OnBye,
// OnInfo and OnNotify run on fresh goroutines; OnReInvite and OnRefer run
// on sipgo's per-request goroutine because their result is the response
// (OnReInvite is bounded to 10 s, then 500). DialOptions.OnDialog and
// OnProgress run on the Dial caller's goroutine. No callback is invoked
// while sipua holds a lock, so callbacks may call back into the UA.
// Every goroutine sipua starts is stopped by Close.
//
// # sipgo globals
//
// sipua writes one sipgo package global, once per process:
// sip.UDPMTUSize (see udplimit.go and docs/decisions/0003-large-sip-over-udp.md).
// It never writes the others (sip.SIPDebug, sip.TransportIdleConnection,
// sip.WebSocketProtocols, timers) and relies on their defaults (WebSocket
// sub-protocol "sip"). sipgo's WS transport
// logs through sip.DefaultLogger for a few connection messages; everything
// else goes to the logger given with WithLogger (discarded by default).
package sipua
