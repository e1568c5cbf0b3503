package selftest

import (
	"context"
	"strconv"

	"github.com/parley-voip/parley/phone"
)

// checkRegistration reads the line's registration state; while it is still
// registering it waits (up to the timeout) for the outcome.
func (c *Checker) checkRegistration(ctx context.Context, emit func(Result)) {
	if c.cfg.Phone == nil {
		emit(result(CheckRegistration, StatusSkipped, msg("No line is connected yet."), msg("Sign in first.")))
		return
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	events, unsubscribe := c.cfg.Phone.Subscribe()
	defer unsubscribe()
	reg := c.cfg.Phone.Registration()
	for reg.State == phone.RegRegistering || reg.State == phone.RegUnregistered && reg.Code == 0 {
		select {
		case <-ctx.Done():
			emit(registrationResult(reg))
			return
		case ev, ok := <-events:
			if !ok {
				emit(registrationResult(c.cfg.Phone.Registration()))
				return
			}
			if ev.Registration != nil {
				reg = *ev.Registration
			}
		}
	}
	emit(registrationResult(reg))
}

func registrationResult(reg phone.Registration) Result {
	switch reg.State {
	case phone.RegRegistered:
		return result(CheckRegistration, StatusOK, msg("Registered as {{.Address}}: calls can reach you.", "Address", reg.AOR), Message{})
	case phone.RegDirect:
		return result(CheckRegistration, StatusOK, msg("This line is set not to register: it places calls through its server and takes calls sent straight to it."), Message{})
	case phone.RegRegistering:
		return result(CheckRegistration, StatusWarning, msg("Still registering: the server has not answered yet."), msg("Wait a moment and check again; if it stays like this, run the check for the server above."))
	case phone.RegFailed:
		advice := msg("Parley keeps retrying. Check the server address and your connection.")
		if reg.Code == 401 || reg.Code == 403 || reg.Code == 407 {
			advice = msg("Check your username and password with your administrator.")
		}
		code := strconv.Itoa(reg.Code)
		var why Message
		switch {
		case reg.Reason == "" && reg.Code == 0:
			why = msg("Not registered: the server refused it.")
		case reg.Reason == "":
			why = msg("Not registered: the server refused it (SIP {{.Code}}).", "Code", code)
		case reg.Code == 0:
			why = msg("Not registered: {{.Reason}}.", "Reason", reg.Reason)
		default:
			why = msg("Not registered: {{.Reason}} (SIP {{.Code}}).", "Reason", reg.Reason, "Code", code)
		}
		return result(CheckRegistration, StatusFailed, why, advice)
	}
	return result(CheckRegistration, StatusFailed, msg("Not registered: incoming calls cannot reach you."), msg("Sign in again, or check the account settings."))
}

// checkWebSocket reports the Wazo event websocket, which brings call
// details (who is calling, transfers, conferences) on a Wazo line.
func (c *Checker) checkWebSocket(ctx context.Context, emit func(Result)) {
	if c.cfg.Socket == nil && c.cfg.Phone == nil {
		emit(result(CheckWebSocket, StatusSkipped, msg("No line is connected yet."), Message{}))
		return
	}
	if c.cfg.Socket == nil {
		emit(result(CheckWebSocket, StatusSkipped, msg("This is a plain SIP line: it has no Wazo event connection."), Message{}))
		return
	}
	if c.cfg.Socket.EventSocketConnected() {
		emit(result(CheckWebSocket, StatusOK, msg("Connected: Parley receives the Wazo server's call events."), Message{}))
		return
	}
	emit(result(CheckWebSocket, StatusFailed, msg("Not connected: calls still work, but caller details, transfers and conferences from the Wazo server do not arrive."),
		msg("Parley reconnects by itself; if this stays, a proxy on this network may block websockets: ask your IT team to allow wss:// to the Wazo server.")))
}
