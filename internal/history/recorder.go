package history

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parley-voip/parley/phone"
)

// RecorderConfig configures a Recorder. The zero value is usable.
type RecorderConfig struct {
	// Line names the account the phone's calls go through. If empty, Run
	// uses the phone's registration AOR when each call starts.
	Line string
	// MergedInto, when set, is asked on call_ended whether the dialog was
	// folded into a conference (conference.Backend.MergedInto): such a call
	// is recorded as merged, not answered.
	MergedInto func(sipCallID string) (conferenceID string, merged bool)
	// NameFor, when set, names a party the network gave no name for, when
	// the call starts (contacts.Book.Lookup): the history then shows and
	// finds the contact's name even if the contact is later deleted.
	NameFor func(number string) (name string, ok bool)
	// Changed, when set, is called with the entry after each write the
	// recorder makes, from the recorder's goroutine: the GUI refreshes the
	// list and the missed-calls badge from it. It must not block.
	Changed func(Entry)
	// Log receives store errors, which never stop the recorder
	// (slog.Default() if nil).
	Log *slog.Logger
}

// Recorder writes history entries from phone events: an entry in progress
// on call_incoming or call_outgoing, updates as the call is answered, held
// or transferred, and its outcome on call_ended or call_failed.
type Recorder struct {
	store *Store
	cfg   RecorderConfig

	// endMu serialises end and Merged, which come from two goroutines
	// (the phone's stream and the conference's): whichever runs second sees
	// what the first did, so a merge is never lost between them.
	endMu sync.Mutex

	mu sync.Mutex
	// merged holds conference ids for dialogs reported merged (Merged)
	// before their call_ended arrived.
	merged map[string]string
	// transferred holds the target of calls that saw call_transferred.
	transferred map[string]string
}

// NewRecorder returns a recorder writing to store.
func NewRecorder(store *Store, cfg RecorderConfig) *Recorder {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Recorder{store: store, cfg: cfg, merged: map[string]string{}, transferred: map[string]string{}}
}

// Start subscribes to api before it returns, so no event after Start is
// missed, and records in a goroutine until ctx is done or the phone closes
// its event stream. wait blocks until that goroutine has stopped. Store
// errors are logged, not returned: a full disk must not stop calls.
func (r *Recorder) Start(ctx context.Context, api phone.API) (wait func()) {
	events, stop := api.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				line := r.cfg.Line
				if line == "" {
					line = api.Registration().AOR
				}
				if err := r.handle(ev, line); err != nil {
					r.cfg.Log.Warn("call history: could not record", "event", ev.Type, "err", err)
				}
			}
		}
	}()
	return func() { <-done }
}

// Handle records one phone event, with the configured Line.
func (r *Recorder) Handle(ev phone.Event) error { return r.handle(ev, r.cfg.Line) }

// HandleMerged records one phone event from a stream that already says
// whether a call_ended belongs to a dialog merged into a conference: the
// conference.Tracker's updates (Update.Phone, Update.Merged,
// Update.ConferenceID). Feed it from a goroutine of its own (each write is
// an fsync), not from the GUI thread.
func (r *Recorder) HandleMerged(ev phone.Event, merged bool, conferenceID string) error {
	if merged && ev.Call != nil && (ev.Type == phone.EventCallEnded || ev.Type == phone.EventCallFailed) {
		r.mu.Lock()
		r.merged[ev.Call.ID()] = conferenceID
		r.mu.Unlock()
	}
	return r.handle(ev, r.cfg.Line)
}

func (r *Recorder) handle(ev phone.Event, line string) error {
	if ev.Call == nil {
		return nil
	}
	cs := *ev.Call
	id := cs.ID()
	switch ev.Type {
	case phone.EventCallIncoming, phone.EventCallOutgoing:
		e := r.newEntry(cs, line, ev.Time)
		if err := r.store.Record(e); err != nil {
			return err
		}
		return r.changed(id)
	case phone.EventCallProgress, phone.EventCallAccepted, phone.EventCallHeld, phone.EventCallResumed,
		phone.EventCallRemoteHold, phone.EventCallRemoteResume, phone.EventCallUpdated:
		return r.update(cs, line, ev.Time, func(e *Entry) {})
	case phone.EventCallTransferred:
		target := strings.TrimPrefix(ev.Reason, "transferred to ")
		r.mu.Lock()
		r.transferred[id] = target
		r.mu.Unlock()
		return r.update(cs, line, ev.Time, func(e *Entry) { e.TransferredTo = target })
	case phone.EventCallEnded, phone.EventCallFailed:
		return r.end(cs, line, ev)
	}
	return nil
}

// newEntry is the first entry of a call, named from the contacts when the
// network gave no name.
func (r *Recorder) newEntry(cs phone.CallSession, line string, at time.Time) Entry {
	e := newEntry(cs, line, at)
	if e.DisplayName == "" && r.cfg.NameFor != nil {
		if name, ok := r.cfg.NameFor(e.Number); ok {
			e.DisplayName = name
		}
	}
	return e
}

func newEntry(cs phone.CallSession, line string, at time.Time) Entry {
	dir := DirectionIn
	if cs.IsCaller {
		dir = DirectionOut
	}
	start := cs.StartTime
	if start.IsZero() {
		start = at
	}
	if start.IsZero() {
		start = time.Now()
	}
	name := cs.DisplayName
	if name == cs.Number {
		name = "" // the engine shows the number when there is no name
	}
	e := Entry{
		ID:           cs.ID(),
		Source:       SourceLocal,
		ServerCallID: cs.CallID,
		Direction:    dir,
		Number:       cs.Number,
		DisplayName:  name,
		Line:         line,
		StartTime:    start,
		State:        StateInProgress,
	}
	apply(&e, cs)
	return e
}

// apply copies what a snapshot knows that can change during a call.
func apply(e *Entry, cs phone.CallSession) {
	if !cs.AnswerTime.IsZero() {
		e.AnswerTime = cs.AnswerTime
	}
	if cs.CallID != "" {
		e.ServerCallID = cs.CallID
	}
	if cs.SIPStatus >= 300 || cs.SIPStatus == 200 {
		e.SIPStatus = cs.SIPStatus
	}
	e.LastStatus = string(cs.Status)
}

// update applies the snapshot (and change) to the call's entry, recording it
// first if the recorder missed its start.
func (r *Recorder) update(cs phone.CallSession, line string, at time.Time, change func(*Entry)) error {
	err := r.store.Update(cs.ID(), func(e *Entry) {
		apply(e, cs)
		change(e)
	})
	if errors.Is(err, ErrNotFound) {
		e := r.newEntry(cs, line, at)
		change(&e)
		err = r.store.Record(e)
	}
	if err != nil {
		return err
	}
	return r.changed(cs.ID())
}

// changed hands the entry as stored to the Changed hook.
func (r *Recorder) changed(id string) error {
	if r.cfg.Changed == nil {
		return nil
	}
	e, err := r.store.Get(id)
	if err != nil {
		return err
	}
	r.cfg.Changed(e)
	return nil
}

func (r *Recorder) end(cs phone.CallSession, line string, ev phone.Event) error {
	r.endMu.Lock()
	defer r.endMu.Unlock()
	id := cs.ID()
	r.mu.Lock()
	target, transferred := r.transferred[id]
	confID, merged := r.merged[id]
	delete(r.transferred, id)
	delete(r.merged, id)
	r.mu.Unlock()
	if !merged && r.cfg.MergedInto != nil {
		confID, merged = r.cfg.MergedInto(id)
	}
	outcome := Classify(cs, ev.Code, transferred, merged)
	reason, reasonCode := cs.EndReason, cs.EndReasonCode
	if reason == "" {
		reason, reasonCode = ev.Reason, ev.ReasonCode
	}
	at := cs.EndTime
	if at.IsZero() {
		at = ev.Time
	}
	return r.update(cs, line, ev.Time, func(e *Entry) {
		e.State = StateEnded
		e.Outcome = outcome
		e.Reason, e.ReasonCode = reason, reasonCode
		e.EndTime = at
		if transferred {
			e.TransferredTo = target
		}
		if merged {
			e.ConferenceID = confID
		}
	})
}

// Merged records that the dialog sipCallID was folded into the conference
// conferenceID (the conference package's call_merged event). It may arrive
// before or after the phone's call_ended for that dialog: before, the
// outcome is applied at the end; after, the ended entry is corrected.
func (r *Recorder) Merged(sipCallID, conferenceID string) error {
	r.endMu.Lock()
	defer r.endMu.Unlock()
	e, err := r.store.Get(sipCallID)
	if errors.Is(err, ErrNotFound) || (err == nil && e.State == StateInProgress) {
		r.mu.Lock()
		r.merged[sipCallID] = conferenceID
		r.mu.Unlock()
		return nil
	}
	if err != nil {
		return fmt.Errorf("call history: %w", err)
	}
	if e.Outcome != OutcomeAnswered && e.Outcome != OutcomeMerged {
		return nil // a call that never connected was not merged into anything
	}
	err = r.store.Update(sipCallID, func(e *Entry) {
		e.Outcome = OutcomeMerged
		e.ConferenceID = conferenceID
		e.Reason = "merged into a conference"
	})
	if err != nil {
		return err
	}
	return r.changed(sipCallID)
}

// Classify names the outcome of an ended call from its last snapshot and the
// SIP status of its final event (RFC 3261 §21 codes).
func Classify(cs phone.CallSession, code int, transferred, merged bool) Outcome {
	if code == 0 {
		code = cs.SIPStatus
	}
	if cs.Answered {
		switch {
		case merged:
			return OutcomeMerged
		case transferred:
			return OutcomeTransferred
		}
		return OutcomeAnswered
	}
	if !cs.IsCaller {
		switch {
		case cs.AnsweredElsewhere:
			return OutcomeElsewhere
		case code == 487:
			// CANCEL from the caller (RFC 3261 §9.2): it rang, nobody here
			// answered.
			return OutcomeMissed
		case code == 0, code == 488, code >= 500 && code < 600:
			return OutcomeFailed // we could not take the call
		}
		return OutcomeRejected // we answered it with a refusal (603, 486...)
	}
	switch code {
	case 487:
		return OutcomeCancelled
	case 486, 600:
		return OutcomeBusy
	case 603:
		return OutcomeRejected
	case 408, 480:
		return OutcomeNoAnswer
	}
	return OutcomeFailed
}
