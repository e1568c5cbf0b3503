// Package phonetest provides Engine, an in-memory phone.API for tests of the
// GUI, headless mode and anything else that drives a phone. It behaves like
// the real engine (same state changes, same events, same error sentinels) but
// never opens a socket: the test plays the far end through script methods
// such as Ring, Answer and RemoteHangup.
package phonetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
)

// Engine is a scriptable phone.API. The zero value is not usable; call New.
// All methods are safe for concurrent use.
type Engine struct {
	events *eventq.Hub[phone.Event]
	now    func() time.Time
	aor    string

	mu       sync.Mutex
	closed   bool
	reg      phone.Registration
	calls    map[string]*phone.CallSession
	order    []string // ids of calls not over, oldest first
	active   string   // id of the call owning microphone and speaker, or ""
	failNext map[string]error
	ops      []string
	lastID   int
}

var _ phone.API = (*Engine)(nil)

// Option configures an Engine.
type Option func(*Engine)

// WithClock makes the engine stamp calls and events with now instead of
// time.Now, for tests that check durations.
func WithClock(now func() time.Time) Option {
	return func(e *Engine) { e.now = now }
}

// WithAOR sets the address of record reported by Registration and used as
// the caller's identity. The default is sip:1001@parley.test.
func WithAOR(aor string) Option {
	return func(e *Engine) { e.aor = aor }
}

// New returns an engine with no calls and an unregistered line.
func New(opts ...Option) *Engine {
	e := &Engine{
		events:   eventq.New[phone.Event](),
		now:      time.Now,
		aor:      "sip:1001@parley.test",
		calls:    make(map[string]*phone.CallSession),
		failNext: make(map[string]error),
	}
	for _, opt := range opts {
		opt(e)
	}
	e.reg = phone.Registration{State: phone.RegUnregistered, AOR: e.aor}
	return e
}

// Close ends every subscription once its queued events are delivered; later
// operations fail with phone.ErrClosed.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.events.Close()
}

// Subscribe implements phone.API.
func (e *Engine) Subscribe() (<-chan phone.Event, func()) { return e.events.Subscribe() }

// Registration implements phone.API.
func (e *Engine) Registration() phone.Registration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reg
}

// Calls implements phone.API.
func (e *Engine) Calls() []phone.CallSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]phone.CallSession, 0, len(e.order))
	for _, id := range e.order {
		out = append(out, *e.calls[id])
	}
	return out
}

// ActiveCall implements phone.API. As in the Wazo SDK, a call stays the
// active one while we hold it, until another call is answered, placed or
// resumed.
func (e *Engine) ActiveCall() (phone.CallSession, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active == "" {
		return phone.CallSession{}, false
	}
	return *e.calls[e.active], true
}

// Session implements phone.API.
func (e *Engine) Session(id string) (phone.CallSession, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, ok := e.calls[id]
	if !ok {
		return phone.CallSession{}, false
	}
	return *cs, true
}

// Call implements phone.API: the number is normalised with
// phone.NormalizeNumber, every established call is held, and the new call
// starts in StatusDialing. It becomes the active call once answered (Answer).
func (e *Engine) Call(ctx context.Context, number string) (phone.CallSession, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "Call", number); err != nil {
		return phone.CallSession{}, err
	}
	target, err := phone.NormalizeNumber(number)
	if err != nil {
		return phone.CallSession{}, err
	}
	e.holdOthersLocked("")
	now := e.now()
	user := userPart(target)
	cs := &phone.CallSession{
		SIPCallID:       e.newIDLocked(),
		Number:          user,
		DisplayName:     user,
		CallerNumber:    userPart(e.aor),
		DialedExtension: target,
		IsCaller:        true,
		Ringing:         true, // from the start, as phone.Phone and the SDK
		Status:          phone.StatusDialing,
		CreationTime:    now,
		StartTime:       now,
	}
	e.addLocked(cs)
	e.emitCallLocked(phone.EventCallOutgoing, cs, 0, "")
	return *cs, nil
}

// Accept implements phone.API: every other established call is held, the
// incoming call becomes established and active.
func (e *Engine) Accept(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "Accept", id); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if cs.Status != phone.StatusIncoming {
		return fmt.Errorf("%w: only a ringing incoming call can be accepted", phone.ErrWrongState)
	}
	e.holdOthersLocked(id)
	e.establishLocked(cs)
	return nil
}

// Reject implements phone.API: a ringing incoming call is declined with 603.
func (e *Engine) Reject(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "Reject", id); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if cs.Status != phone.StatusIncoming {
		return fmt.Errorf("%w: only a ringing incoming call can be rejected", phone.ErrWrongState)
	}
	e.endLocked(cs, 603, phone.ReasonDeclinedByUser, "you declined the call")
	return nil
}

// Hangup implements phone.API. It ends a call whatever its state: a ringing
// incoming call is declined, an unanswered outgoing call cancelled (both
// call_failed), an answered call ended (call_ended).
func (e *Engine) Hangup(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "Hangup", id); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	switch {
	case cs.Status == phone.StatusIncoming:
		e.endLocked(cs, 603, phone.ReasonDeclinedByUser, "you declined the call")
	case !cs.Answered:
		e.endLocked(cs, 487, phone.ReasonCancelled, "the call was cancelled before it was answered")
	default:
		e.endLocked(cs, 0, phone.ReasonLocalHangup, "you hung up")
	}
	return nil
}

// Hold implements phone.API. The call stays the active one; holding a held
// call changes nothing.
func (e *Engine) Hold(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "Hold", id); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if !cs.IsActive() {
		return fmt.Errorf("%w: only an established call can be held or resumed", phone.ErrWrongState)
	}
	if !cs.Paused {
		e.holdLocked(cs)
	}
	return nil
}

// Resume implements phone.API: every other established call is held and the
// call becomes the active one.
func (e *Engine) Resume(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "Resume", id); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if !cs.IsActive() {
		return fmt.Errorf("%w: only an established call can be held or resumed", phone.ErrWrongState)
	}
	e.holdOthersLocked(id)
	e.active = id
	if cs.Paused {
		cs.Status = phone.StatusEstablished
		cs.Paused = false
		e.emitCallLocked(phone.EventCallResumed, cs, 0, "")
	}
	return nil
}

// Mute implements phone.API. Any call but a ringing incoming one can be
// muted; muting a muted call changes nothing and emits nothing.
func (e *Engine) Mute(ctx context.Context, id string) error {
	return e.setMuted(ctx, "Mute", id, true)
}

// Unmute implements phone.API.
func (e *Engine) Unmute(ctx context.Context, id string) error {
	return e.setMuted(ctx, "Unmute", id, false)
}

func (e *Engine) setMuted(ctx context.Context, op, id string, muted bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, op, id); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if cs.Status == phone.StatusIncoming {
		return fmt.Errorf("%w: answer the call before muting it", phone.ErrWrongState)
	}
	if cs.Muted == muted {
		return nil
	}
	cs.Muted = muted
	if muted {
		e.emitCallLocked(phone.EventCallMuted, cs, 0, "")
	} else {
		e.emitCallLocked(phone.EventCallUnmuted, cs, 0, "")
	}
	return nil
}

// SendDTMF implements phone.API. The digits sent are visible in Ops.
func (e *Engine) SendDTMF(ctx context.Context, id, digits string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "SendDTMF", id, digits); err != nil {
		return err
	}
	if err := phone.CheckDTMF(digits); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if !cs.IsActive() {
		return fmt.Errorf("%w: the call is not established", phone.ErrWrongState)
	}
	return nil
}

// Transfer implements phone.API (blind transfer): the call is held if it was
// not, handed to target and ends for us: call_held, call_transferred,
// call_ended.
func (e *Engine) Transfer(ctx context.Context, id, target string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "Transfer", id, target); err != nil {
		return err
	}
	to, err := phone.NormalizeNumber(target)
	if err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	if !cs.IsActive() {
		return fmt.Errorf("%w: only an established call can be transferred", phone.ErrWrongState)
	}
	if !cs.Paused {
		e.holdLocked(cs)
	}
	cs.TransferredTo = to
	e.emitCallLocked(phone.EventCallTransferred, cs, 0, "transferred to "+to)
	e.endLocked(cs, 0, phone.ReasonTransferred, "the call was transferred to "+to)
	return nil
}

// AttendedTransfer implements phone.API: the parties of id and targetID are
// connected to each other and both calls end for us (call_transferred and
// call_ended for id, then call_ended for targetID when the far end releases
// it).
func (e *Engine) AttendedTransfer(ctx context.Context, id, targetID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.begin(ctx, "AttendedTransfer", id, targetID); err != nil {
		return err
	}
	cs, err := e.callLocked(id)
	if err != nil {
		return err
	}
	target, err := e.callLocked(targetID)
	if err != nil {
		return err
	}
	if id == targetID {
		return fmt.Errorf("%w: a call cannot be transferred to itself", phone.ErrWrongState)
	}
	if !cs.IsActive() || !target.IsActive() {
		return fmt.Errorf("%w: both calls must be established for an attended transfer", phone.ErrWrongState)
	}
	e.emitCallLocked(phone.EventCallTransferred, cs, 0, "transferred to "+target.Number)
	e.endLocked(cs, 0, phone.ReasonTransferred, "the call was transferred")
	e.endLocked(target, 0, phone.ReasonTransferred, "the call was transferred")
	return nil
}

// Ops returns every API operation called so far, oldest first, as the method
// name followed by its arguments: "Call 1002", "Accept <id>",
// "SendDTMF <id> 12#". Failed operations are recorded too.
func (e *Engine) Ops() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.ops)
}

// Fail makes the next call of the API method op ("Call", "Accept", "Hold"...)
// return err without changing anything. Each Fail covers one call.
func (e *Engine) Fail(op string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failNext[op] = err
}

// begin records the operation and returns the error it must fail with, if
// any. Callers hold e.mu.
func (e *Engine) begin(ctx context.Context, op string, args ...string) error {
	e.ops = append(e.ops, strings.Join(append([]string{op}, args...), " "))
	if err, ok := e.failNext[op]; ok {
		delete(e.failNext, op)
		return err
	}
	if e.closed {
		return phone.ErrClosed
	}
	return ctx.Err()
}

func (e *Engine) callLocked(id string) (*phone.CallSession, error) {
	cs, ok := e.calls[id]
	if !ok {
		return nil, fmt.Errorf("%w: there is no call %q", phone.ErrNoSuchCall, id)
	}
	return cs, nil
}

func (e *Engine) newIDLocked() string {
	e.lastID++
	return fmt.Sprintf("phonetest-%d@%s", e.lastID, hostPart(e.aor))
}

func (e *Engine) addLocked(cs *phone.CallSession) {
	e.calls[cs.SIPCallID] = cs
	e.order = append(e.order, cs.SIPCallID)
}

// establishLocked moves a call to talking and gives it the microphone.
func (e *Engine) establishLocked(cs *phone.CallSession) {
	cs.Status = phone.StatusEstablished
	cs.Ringing = false
	cs.EarlyMedia = false
	cs.Answered = true
	cs.SIPStatus = 200
	cs.AnswerTime = e.now()
	e.active = cs.SIPCallID
	e.emitCallLocked(phone.EventCallAccepted, cs, 200, "")
}

// holdOthersLocked holds every established call but keep, as the engine does
// before answering, placing or resuming a call.
func (e *Engine) holdOthersLocked(keep string) {
	for _, id := range e.order {
		if cs := e.calls[id]; id != keep && cs.Status == phone.StatusEstablished {
			e.holdLocked(cs)
		}
	}
}

func (e *Engine) holdLocked(cs *phone.CallSession) {
	cs.Status = phone.StatusHeld
	cs.Paused = true
	e.emitCallLocked(phone.EventCallHeld, cs, 0, "")
}

// endLocked finishes a call: call_ended when it was answered, call_failed
// when it never was.
func (e *Engine) endLocked(cs *phone.CallSession, code int, why phone.ReasonCode, reason string) {
	status := phone.StatusFailed
	if cs.Answered {
		status = phone.StatusEnded
	}
	cs.Status = status
	cs.Ringing = false
	cs.EndReason, cs.EndReasonCode = reason, why
	cs.EndTime = e.now()
	if code != 0 {
		cs.SIPStatus = code
	}
	delete(e.calls, cs.SIPCallID)
	e.order = slices.DeleteFunc(e.order, func(id string) bool { return id == cs.SIPCallID })
	if e.active == cs.SIPCallID {
		e.active = ""
	}
	typ := phone.EventCallEnded
	if status == phone.StatusFailed {
		typ = phone.EventCallFailed
	}
	snapshot := *cs
	e.events.Publish(phone.Event{Type: typ, Time: e.now(), Call: &snapshot, Code: code, Reason: reason, ReasonCode: why})
}

func (e *Engine) emitCallLocked(typ phone.EventType, cs *phone.CallSession, code int, reason string) {
	snapshot := *cs
	e.events.Publish(phone.Event{Type: typ, Time: e.now(), Call: &snapshot, Code: code, Reason: reason})
}

// userPart returns the user of a SIP address or the whole dial string.
func userPart(aor string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(aor, "sips:"), "sip:")
	if i := strings.IndexByte(s, '@'); i >= 0 {
		return s[:i]
	}
	return s
}

func hostPart(aor string) string {
	if i := strings.IndexByte(aor, '@'); i >= 0 {
		return aor[i+1:]
	}
	return "parley.test"
}
