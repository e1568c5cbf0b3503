// Package wazoline turns a Wazo Platform account into a phone line: it logs
// in with the wazo REST client, reads the user's WebRTC line from confd,
// builds a phone.Phone registered over WSS to /api/asterisk/ws, and feeds
// the phone the server-side view of each call (calld's Call object) by
// matching wazo-websocketd call events to SIP dialogs on sip_call_id
// (docs/wazo-protocol.md: Lines and registration, Event websocket,
// Correlating SIP and calld).
//
// Nothing about Wazo leaks into package phone: the engine only ever sees
// phone.Account, phone.WithServerCallIDHeader and Phone.SetServerCall.
package wazoline
