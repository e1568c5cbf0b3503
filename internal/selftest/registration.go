package selftest

import (
	"context"
	"fmt"

	"github.com/parley-voip/parley/phone"
)

// checkRegistration reads the line's registration state; while it is still
// registering it waits (up to the timeout) for the outcome.
func (c *Checker) checkRegistration(ctx context.Context, emit func(Result)) {
	if c.cfg.Phone == nil {
		emit(result(CheckRegistration, StatusSkipped, "No line is connected yet.", "Sign in first."))
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
		return result(CheckRegistration, StatusOK, fmt.Sprintf("Registered as %s: calls can reach you.", reg.AOR), "")
	case phone.RegDirect:
		return result(CheckRegistration, StatusOK, "This line is set not to register: it places calls through its server and takes calls sent straight to it.", "")
	case phone.RegRegistering:
		return result(CheckRegistration, StatusWarning, "Still registering: the server has not answered yet.", "Wait a moment and check again; if it stays like this, run the check for the server above.")
	case phone.RegFailed:
		why := reg.Reason
		if why == "" {
			why = "the server refused it"
		}
		if reg.Code != 0 {
			why = fmt.Sprintf("%s (SIP %d)", why, reg.Code)
		}
		advice := "Parley keeps retrying. Check the server address and your connection."
		if reg.Code == 401 || reg.Code == 403 || reg.Code == 407 {
			advice = "Check your username and password with your administrator."
		}
		return result(CheckRegistration, StatusFailed, "Not registered: "+why+".", advice)
	}
	return result(CheckRegistration, StatusFailed, "Not registered: incoming calls cannot reach you.", "Sign in again, or check the account settings.")
}

// checkWebSocket reports the Wazo event websocket, which brings call
// details (who is calling, transfers, conferences) on a Wazo line.
func (c *Checker) checkWebSocket(ctx context.Context, emit func(Result)) {
	if c.cfg.Socket == nil && c.cfg.Phone == nil {
		emit(result(CheckWebSocket, StatusSkipped, "No line is connected yet.", ""))
		return
	}
	if c.cfg.Socket == nil {
		emit(result(CheckWebSocket, StatusSkipped, "This is a plain SIP line: it has no Wazo event connection.", ""))
		return
	}
	if c.cfg.Socket.EventSocketConnected() {
		emit(result(CheckWebSocket, StatusOK, "Connected: Parley receives the Wazo server's call events.", ""))
		return
	}
	emit(result(CheckWebSocket, StatusFailed, "Not connected: calls still work, but caller details, transfers and conferences from the Wazo server do not arrive.",
		"Parley reconnects by itself; if this stays, a proxy on this network may block websockets: ask your IT team to allow wss:// to the Wazo server."))
}
