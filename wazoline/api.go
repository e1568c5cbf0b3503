package wazoline

import (
	"context"

	"github.com/parley-voip/parley/phone"
)

// lineAPI is the engine's phone.API with mute and unmute going through the
// line, so the GUI and headless mode mute like the SDK (local + calld, docs/wazo-protocol.md, Calls API)
// without knowing about Wazo.
type lineAPI struct {
	*phone.Phone
	line *Line
}

var _ phone.API = lineAPI{}

// API returns the phone.API the GUI and headless mode should drive: the
// engine itself, except that Mute/Unmute also tell calld (see Line.Mute)
// and Transfer goes through calld (see Line.Transfer).
func (l *Line) API() phone.API { return lineAPI{Phone: l.phone, line: l} }

// Mute implements phone.API through Line.Mute.
func (a lineAPI) Mute(ctx context.Context, id string) error { return a.line.Mute(ctx, id) }

// Unmute implements phone.API through Line.Unmute.
func (a lineAPI) Unmute(ctx context.Context, id string) error { return a.line.Unmute(ctx, id) }

// Transfer implements phone.API through Line.Transfer (wazo-calld's blind
// transfer). AttendedTransfer stays the engine's: it joins two calls the
// phone already has (REFER with Replaces), which calld's transfers API,
// always dialling the target itself, cannot do
// (docs/decisions/0020-e-calld-transfers.md).
func (a lineAPI) Transfer(ctx context.Context, id, target string) error {
	return a.line.Transfer(ctx, id, target)
}
