// Package phone is Parley's phone engine: the Go counterpart of Wazo.Phone in
// the Wazo JS SDK. A Phone owns one SIP line (registration, calls, media) and
// reports everything that happens as ordered Events.
//
// The engine knows nothing of the GUI and nothing of Wazo: a Wazo account is a
// SIP line plus server-side call data that the wazoline package feeds in
// through SetServerCall. The GUI and headless mode are thin clients of the
// same API.
//
// Calls are identified by their SIP Call-ID (CallSession.ID), which is stable
// from the first INVITE to the last BYE, exactly as the SDK keys its
// callSessions map by sipCallId.
package phone
