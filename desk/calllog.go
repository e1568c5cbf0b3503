package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parley-voip/parley/wazo"
)

// ErrCallLogUnavailable wraps every failure of the server's call history
// (wazo-call-logd).
var ErrCallLogUnavailable = errors.New("the server's call history is not available")

// CallLogTimeout bounds one call-logd request.
const CallLogTimeout = 10 * time.Second

// CallLogLimit is how many calls Recent asks for when given no limit.
const CallLogLimit = 100

// LogEntry is one call of the server's call history, seen from the user's
// side.
type LogEntry struct {
	ID int `json:"id"` // call-logd's CDR id
	// Incoming is true when the other party called the user.
	Incoming bool `json:"incoming"`
	// Number and Name are the other party's.
	Number string `json:"number"`
	Name   string `json:"name,omitempty"`
	// Start, Answer (zero when not answered) and End.
	Start    time.Time     `json:"start"`
	Answer   time.Time     `json:"answer,omitzero"`
	End      time.Time     `json:"end,omitzero"`
	Answered bool          `json:"answered"`
	Duration time.Duration `json:"duration"`
	// CallDirection is call-logd's: "internal", "inbound" or "outbound".
	CallDirection string `json:"callDirection,omitempty"`
	// ConversationID is the Asterisk linkedid of the call.
	ConversationID string `json:"conversationId,omitempty"`
}

// CallLog is the server's call history of the line's user.
type CallLog struct {
	d *Desk
}

// CallLog returns the call history service.
func (d *Desk) CallLog() *CallLog { return &CallLog{d: d} }

// Recent lists the user's last calls, newest first (limit ≤ 0:
// CallLogLimit).
func (l *CallLog) Recent(ctx context.Context, limit int) ([]LogEntry, error) {
	if limit <= 0 {
		limit = CallLogLimit
	}
	ctx, cancel := context.WithTimeout(ctx, CallLogTimeout)
	defer cancel()
	list, err := l.d.client.MyCDRs(ctx, wazo.CDRQuery{Limit: limit, Order: "start", Direction: "desc"})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w: %w", ErrCallLogUnavailable, ErrNoAnswer)
		}
		return nil, fmt.Errorf("%w: %w", ErrCallLogUnavailable, err)
	}
	me := l.d.UserUUID()
	out := make([]LogEntry, 0, len(list.Items))
	for _, c := range list.Items {
		out = append(out, logEntry(c, me))
	}
	return out, nil
}

// logEntry reads a CDR from me's side: me is the destination (or not the
// source) of an incoming call.
func logEntry(c wazo.CDR, me string) LogEntry {
	e := LogEntry{ID: c.ID, Answered: c.Answered, CallDirection: c.CallDirection, ConversationID: c.ConversationID}
	isSource := c.SourceUserUUID != nil && *c.SourceUserUUID == me
	isDest := c.DestinationUserUUID != nil && *c.DestinationUserUUID == me
	switch {
	case isSource && !isDest:
		e.Number, e.Name = c.DestinationExtension, c.DestinationName
	case isDest && !isSource:
		e.Incoming = true
		e.Number, e.Name = c.SourceExtension, c.SourceName
	default:
		// Neither side is the user (a call through a group, forwarded):
		// call-logd's direction decides.
		e.Incoming = c.CallDirection == "inbound"
		e.Number, e.Name = c.DestinationExtension, c.DestinationName
		if e.Incoming {
			e.Number, e.Name = c.SourceExtension, c.SourceName
		}
	}
	if c.Start != nil {
		e.Start = *c.Start
	}
	if c.Answer != nil {
		e.Answer = *c.Answer
	}
	if c.End != nil {
		e.End = *c.End
	}
	if c.Duration != nil {
		e.Duration = time.Duration(*c.Duration * float64(time.Second))
	}
	return e
}
